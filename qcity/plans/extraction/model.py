"""Dataclasses describing an extraction; ``Extraction.to_json()`` gives the SCHEMA dict."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field


@dataclass
class Table:
    rows: list[list[str]]
    start: int = 0  # char offset of the rendered table in the document text
    end: int = 0


@dataclass
class Section:
    number: str
    level: int
    title: str
    start: int
    end: int
    heading_end: int
    parent: int | None = None  # index into Extraction.sections
    role: str = "work"  # work / goal / safeguard / preface

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "level": self.level,
            "title": self.title,
            "span": [self.start, self.end],
            "parent": self.parent,
            "role": self.role,
        }


@dataclass
class Facts:
    title: str = ""
    issuers: list[str] = field(default_factory=list)
    doc_number: str = ""
    signed_date: str = ""  # 成文日期, ISO
    posted_date: str = ""  # 发布日期, ISO
    region: str = ""
    kind: str = ""
    draft: bool = False
    period: list[int] | None = None
    default_year: int | None = None
    doc_year: int | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Target:
    indicator: str
    op: str
    value: float | list[float]
    unit: str
    year: int | None
    kind: str
    text: str
    direction: str = "up"
    base: str = ""
    task: str | None = None
    span: tuple[int, int] = (0, 0)

    def to_json(self) -> dict:
        def num(v):
            return int(v) if isinstance(v, float) and v.is_integer() else v

        value = [num(v) for v in self.value] if isinstance(self.value, list) else num(self.value)
        return {
            "indicator": self.indicator,
            "op": self.op,
            "value": value,
            "unit": self.unit,
            "year": self.year,
            "kind": self.kind,
            "text": self.text,
            "direction": self.direction,
            "base": self.base,
            "task": self.task,
            "span": list(self.span),
        }


@dataclass
class Task:
    number: str
    title: str
    units: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    parent: str | None = None
    path: list[str] = field(default_factory=list)
    body: str = ""
    deadline: str = ""
    span: tuple[int, int] = (0, 0)
    source: str = "text"  # text / table

    def to_json(self, with_parent: bool = True) -> dict:
        d = {"number": self.number, "title": self.title, "units": list(self.units)}
        if with_parent and self.parent:
            d["parent"] = self.parent
        d.update(
            {
                "path": list(self.path),
                "lead_units": list(self.lead_units),
                "co_units": list(self.co_units),
                "deadline": self.deadline,
                "body": self.body,
                "span": list(self.span),
                "source": self.source,
            }
        )
        return d


@dataclass
class Extraction:
    doc: str
    text: str
    facts: Facts
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # offsets[i]: index in the original input of char i of ``text`` (None: the same index)
    offsets: list[int] | None = field(default=None, repr=False)
    # the text as written (traditional characters), aligned char for char with ``text``;
    # None when the input needed no conversion
    display: str | None = field(default=None, repr=False)
    _charmap: dict | None = field(default=None, repr=False)

    def written(self, s: str, near: int | None = None) -> str:
        """``s`` (a string of the simplified analysis text) as the document writes it."""
        if self.display is None or not s:
            return s
        text = self.text
        hits = []
        if near is not None:
            lo = max(0, near - 400)
            i = text.find(s, lo, near + 400 + len(s))
            while i >= 0:
                hits.append(i)
                i = text.find(s, i + 1, near + 400 + len(s))
        if not hits:
            i = text.find(s)
            if i >= 0:
                hits.append(i)
        if hits:
            i = min(hits, key=lambda h: abs(h - (near or 0)))
            return self.display[i : i + len(s)]
        if self._charmap is None:  # per document: simplified char → its most common written form
            cnt: dict[str, Counter] = {}
            for a, b in zip(text, self.display, strict=False):
                if a != b or a in cnt:
                    cnt.setdefault(a, Counter())[b] += 1
            self._charmap = {a: c.most_common(1)[0][0] for a, c in cnt.items()}
        return "".join(self._charmap.get(ch, ch) for ch in s)

    def source_span(self, span) -> list[int]:
        """Map a span of the cleaned text back to the original input text."""
        a, b = span
        if self.offsets is None:
            return [a, b]
        n = len(self.offsets)
        if not n:
            return [a, b]
        return [self.offsets[min(a, n - 1)], self.offsets[min(max(b - 1, 0), n - 1)] + 1]

    def paragraphs(self) -> list[dict]:
        """Non-empty lines with their char offsets and the innermost section holding them."""
        out, pos, si = [], 0, -1
        starts = [s.start for s in self.sections]
        for line in self.text.split("\n"):
            if line.strip():
                while si + 1 < len(starts) and starts[si + 1] <= pos:
                    si += 1
                lead = len(line) - len(line.lstrip())
                out.append(
                    {
                        "span": [pos + lead, pos + len(line.rstrip())],
                        "section": si if si >= 0 else None,
                    }
                )
            pos += len(line) + 1
        return out

    @property
    def title(self) -> str:
        return self.facts.title

    @property
    def region(self) -> str:
        return self.facts.region

    def to_json(self) -> dict:
        numbers = [t.number.strip("()（）.、．") for t in self.tasks]
        repeated = len(set(numbers)) != len(numbers)
        targets = []
        for t in self.targets:
            d = t.to_json()
            d["source_span"] = self.source_span(t.span)
            if self.display is not None:
                d["indicator_simplified"] = t.indicator
                d["indicator"] = self.written(t.indicator, t.span[0])
                # the unit stays in its normalised (simplified) form, as SCHEMA folds it
                d["unit_written"] = self.written(t.unit, t.span[1])
                d["text_simplified"] = t.text
                d["text"] = self.written(t.text, t.span[0])
            targets.append(d)
        tasks = []
        for t in self.tasks:
            # "parent" is only emitted where task numbers repeat: it is then needed to
            # tell the items apart; elsewhere the structural path is in "path".
            d = t.to_json(with_parent=repeated)
            d["source_span"] = self.source_span(t.span)
            if self.display is not None:
                near = t.span[0] if t.source == "text" else None
                d["title_simplified"] = t.title
                d["title"] = self.written(t.title, near)
                d["units_simplified"] = list(t.units)
                for key in ("units", "lead_units", "co_units"):
                    d[key] = [self.written(u, near) for u in getattr(t, key)]
                d["body"] = self.written(t.body, near)
            tasks.append(d)
        facts = self.facts.to_json()
        title = self.facts.title
        if self.display is not None:
            facts["title_simplified"] = title
            title = self.written(title, 0)
            facts["title"] = title
        return {
            "doc": self.doc,
            "title": title,
            "region": self.written(self.facts.region, 0),
            "targets": targets,
            "tasks": tasks,
            "facts": facts,
            "sections": [s.to_json() for s in self.sections],
            "paragraphs": self.paragraphs(),
            "warnings": list(self.warnings),
        }
