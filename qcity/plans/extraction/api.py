"""Public API: extract_file(path) and extract_text(text, name=...)."""

from __future__ import annotations

import re
from pathlib import Path

from .clean import normalize
from .facts import extract_facts
from .model import Extraction, Facts, Table, Task
from .structure import build_sections
from .targets import extract_targets, targets_from_tables
from .tasks import _header_map, select_tasks, tasks_from_table

_DUMMY_FACTS = Facts()
ANNEX_REF_RE = re.compile(
    r"(?:见|详见|参见|按照|列入|附后|如)\s*(?:附件|附表|下表|分工表|任务分工表|任务清单)|分工表|附件\s*\d*\s*[(（]?任务"
)


def _grams(s: str) -> set[str]:
    s = re.sub(r"[\s\"“”‘’'《》<>()（）\[\]、,，.:：;；·\-—]", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)} or set(s)


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def _merge_table_tasks(text_tasks: list[Task], table_tasks: list[Task]) -> list[Task]:
    if not table_tasks:
        return text_tasks
    if not text_tasks:
        return table_tasks
    # a heading whose body only points to the annex table ("具体分工见附件") is not a task
    # of its own when that table provides the tasks
    text_tasks = [t for t in text_tasks if t.units or not ANNEX_REF_RE.search(t.body)]
    if not text_tasks:
        return table_tasks
    out = list(text_tasks)
    for tt in table_tasks:
        best, best_sim = None, 0.0
        for t in text_tasks:
            sim = similarity(t.title, tt.title)
            if sim > best_sim:
                best, best_sim = t, sim
        if best is not None and best_sim >= 0.5:
            for u in tt.units:
                if u not in best.units:
                    best.units.append(u)
            for u in tt.lead_units:
                if u not in best.lead_units:
                    best.lead_units.append(u)
            for u in tt.co_units:
                if u not in best.co_units and u not in best.lead_units:
                    best.co_units.append(u)
            if tt.deadline and not best.deadline:
                best.deadline = tt.deadline
        else:
            out.append(tt)
    return out


_CELL_SPLIT_RE = re.compile(r"\t+\s*| {2,}")


def text_tables(text: str) -> list[Table]:
    """Tables typed as plain text: runs of lines whose cells are separated by tabs or runs of
    spaces, kept where the header is a 分工表 or an indicator table."""
    out: list[Table] = []
    block: list[tuple[int, int, list[str]]] = []

    def flush() -> None:
        if len(block) >= 2:
            tb = Table(rows=[r for _, _, r in block], start=block[0][0], end=block[-1][1])
            rows = tb.rows[:3]
            if any(_header_map(r) for r in rows) or _is_indicator_table(tb):
                out.append(tb)
        block.clear()

    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        cells = [c for c in _CELL_SPLIT_RE.split(s) if c] if ("\t" in s or "  " in s) else []
        if len(cells) >= 3 and len(s) < 300:
            if block and len(cells) != len(block[0][2]):
                flush()
            block.append((pos, pos + len(line), cells))
        elif s or block:
            flush()
        pos += len(line) + 1
    flush()
    return out


def _is_indicator_table(tb: Table) -> bool:
    return bool(targets_from_tables([tb], _DUMMY_FACTS))


def extract_text(
    text: str, name: str = "document.txt", tables: list[Table] | None = None
) -> Extraction:
    """Extract facts, tasks and targets from plain text (tables already rendered as lines)."""
    cleaned = normalize(text)
    t = cleaned.text
    if not tables:
        tables = text_tables(t)
    sections = build_sections(t)
    first_l1 = next((s.start for s in sections if s.parent is None), None)
    facts = extract_facts(t, first_l1, raw=cleaned.raw)
    tasks = select_tasks(t, sections)
    table_tasks: list[Task] = []
    for tb in tables or []:
        table_tasks.extend(tasks_from_table(tb))
    tasks = _merge_table_tasks(tasks, table_tasks)
    spans = sorted((tk.span[0], tk.span[1], tk.number) for tk in tasks if tk.source == "text")
    table_rows = {" | ".join(r) for tb in (tables or []) for r in tb.rows}
    targets = extract_targets(t, sections, facts, spans)
    table_targets = targets_from_tables(tables or [], facts)
    if table_targets:
        # an indicator table's rows are read column-wise; drop their line-wise reading
        targets = [
            x
            for x in targets
            if x.text not in table_rows
            and not any(
                x.span[0] >= tb.start and x.span[1] <= tb.end
                for tb in (tables or [])
                if _is_indicator_table(tb)
            )
        ]
        targets += table_targets
    ex = Extraction(
        doc=name,
        text=t,
        facts=facts,
        sections=sections,
        tasks=tasks,
        targets=targets,
        tables=list(tables or []),
    )
    if cleaned.display is not None:
        ex.display = cleaned.display
    if cleaned.offsets is not None:
        ex.offsets = cleaned.offsets
        ex.warnings.append(
            "span 按清洗后的文本计；source_span 对应原文（原文含拼音注音或换行符差异）"
        )
    return ex


def extract_file(path: str | Path) -> Extraction:
    """Read a .txt/.docx/.pdf/.html/.htm/.xlsx file and extract it.

    Raises :class:`ExtractionError` (Chinese message) for unreadable input.
    """
    from .readers import read_document

    path = Path(path)
    doc = read_document(path)
    ex = extract_text(doc.text, name=path.name, tables=doc.tables)
    ex.warnings.extend(doc.warnings)
    return ex
