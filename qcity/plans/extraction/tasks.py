"""Numbered work items (tasks) and their responsible units, from text and from 分工表 tables."""

from __future__ import annotations

import re

from .model import Section, Table, Task
from .units import UnitGroup, find_unit_groups, merge_units, split_units

DEADLINE_RE = re.compile(
    r"(?:(?:19|20)\d{2}年(?:\d{1,2}月)?(?:底|末|上半年|下半年|年底)?(?:前|以前)|\d{1,2}月(?:底|末|中旬|上旬|下旬)?前|"
    r"年底前|年内|长期坚持|持续推进|持续开展|长期推进|常态化推进)"
)
TASK_LEVELS = (-1, 1, 2, 3, 4)


def _has_units(text: str, s: Section) -> bool:
    return bool(find_unit_groups(text[s.start : s.end]))


def select_tasks(text: str, sections: list[Section]) -> list[Task]:
    children: dict[int | None, list[int]] = {}
    for i, s in enumerate(sections):
        children.setdefault(s.parent, []).append(i)

    def candidate(i: int) -> bool:
        s = sections[i]
        return s.level in TASK_LEVELS and s.role in ("work", "safeguard")

    def kids(i: int) -> list[int]:
        out = []
        for c in children.get(i, []):
            cs = sections[c]
            if not candidate(c):
                continue
            if cs.level == 4:
                # (1)(2) sub-points count as tasks only where they carry their own units
                sib = [x for x in children.get(i, []) if sections[x].level == 4]
                if not any(_has_units(text, sections[x]) for x in sib):
                    continue
            out.append(c)
        return out

    tasks: list[Task] = []
    for i, s in enumerate(sections):
        if not candidate(i) or kids(i):
            continue
        if s.parent is None and not _top_level_tasks(sections, children):
            continue
        groups = find_unit_groups(text[s.start : s.end])
        if s.role == "safeguard" and not groups:
            continue
        units, lead, co = merge_units(groups)
        body = text[s.heading_end : s.end].strip()
        deadline = ""
        for g in groups:
            if g.deadline:
                deadline = g.deadline
                break
        if not deadline:
            dm = DEADLINE_RE.search(_strip_groups(text[s.start : s.end], groups))
            deadline = dm.group(0) if dm else ""
        path = []
        p = s.parent
        while p is not None:
            path.append(sections[p].number)
            p = sections[p].parent
        tasks.append(
            Task(
                number=s.number,
                title=s.title,
                units=units,
                lead_units=lead,
                co_units=co,
                parent=sections[s.parent].number if s.parent is not None else None,
                path=list(reversed(path)),
                body=_strip_groups(body, []),
                deadline=deadline,
                span=(s.start, s.end),
            )
        )
    return tasks


def _top_level_tasks(sections: list[Section], children) -> bool:
    """Top-level items are tasks only in flat documents (no nested headings under work)."""
    tops = children.get(None, [])
    return all(not children.get(t) for t in tops if sections[t].role == "work")


def _strip_groups(s: str, groups: list[UnitGroup]) -> str:
    return s


# --- 分工表 tables ------------------------------------------------------------------------
COL_PATTERNS = {
    "number": re.compile(r"^(?:序号|编号|序列|No\.?)$", re.I),
    "task": re.compile(
        r"重点任务|工作任务|任务名称|主要任务|重点工作|工作事项|任务$|事项|项目名称"
    ),
    "content": re.compile(r"任务内容|工作内容|具体内容|主要内容|工作措施|具体措施|内容|措施|目标"),
    "lead": re.compile(r"牵头单位|牵头部门|主责单位|牵头"),
    "co": re.compile(r"配合单位|配合部门|协办单位|参与单位|配合"),
    "resp": re.compile(r"责任单位|责任部门|负责单位|实施单位|责任主体"),
    "deadline": re.compile(r"完成时限|时限|完成时间|时间节点|进度安排|完成期限"),
}


def _header_map(row: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for j, cell in enumerate(row):
        c = re.sub(r"\s", "", cell or "")
        if not c or len(c) > 12:
            continue
        for key, pat in COL_PATTERNS.items():
            if key not in cols and pat.search(c):
                cols[key] = j
                break
    if ("lead" in cols or "resp" in cols) and ("task" in cols or "content" in cols):
        return cols
    return None


def tasks_from_table(table: Table) -> list[Task]:
    rows = table.rows
    h, cols = 0, None
    for h, row in enumerate(rows[:5]):  # noqa: B007 - h is the header row used below
        cols = _header_map(row)
        if cols:
            break
    if not cols:
        return []
    tasks: list[Task] = []
    last_parent = None
    for row in rows[h + 1 :]:

        def cell(k: str, row: list[str] = row) -> str:
            j = cols.get(k)
            return row[j].strip() if j is not None and j < len(row) and row[j] else ""

        number = cell("number")
        title_src = cell("task") or cell("content")
        if not title_src:
            continue
        if _header_map(row):
            continue
        title = re.split(r"[。；;：:]", title_src, maxsplit=1)[0].strip()
        title = re.sub(
            r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、])\s*",
            "",
            title,
        )
        lead, co = [], []
        if cell("lead"):
            lead = split_units(cell("lead"))
            co = split_units(cell("co")) if cell("co") else []
        elif cell("resp"):
            names = split_units(cell("resp"))
            lead, co = names[:1], names[1:]
            if cell("co"):
                co += split_units(cell("co"))
        units = []
        for u in lead + co:
            if u not in units:
                units.append(u)
        body = cell("content") if cell("task") else title_src
        same = (
            bool(tasks) and tasks[-1].title == title and (not number or number == tasks[-1].number)
        )
        if same or (not number and tasks and not cell("task")):
            t = tasks[-1]
            for u in units:
                if u not in t.units:
                    t.units.append(u)
                    (t.lead_units if u in lead else t.co_units).append(u)
            if body:
                t.body = (t.body + "\n" + body).strip()
            continue
        num = number
        tasks.append(
            Task(
                number=num,
                title=title,
                units=units,
                lead_units=lead,
                co_units=co,
                parent=last_parent,
                body=body,
                deadline=cell("deadline"),
                span=(table.start, table.end),
                source="table",
            )
        )
    return tasks
