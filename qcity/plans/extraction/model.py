"""Dataclasses describing an extraction; ``Extraction.to_json()`` gives the SCHEMA dict."""

from __future__ import annotations

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
            targets.append(d)
        tasks = []
        for t in self.tasks:
            # "parent" is only emitted where task numbers repeat: it is then needed to
            # tell the items apart; elsewhere the structural path is in "path".
            d = t.to_json(with_parent=repeated)
            d["source_span"] = self.source_span(t.span)
            tasks.append(d)
        return {
            "doc": self.doc,
            "title": self.facts.title,
            "region": self.facts.region,
            "targets": targets,
            "tasks": tasks,
            "facts": self.facts.to_json(),
            "sections": [s.to_json() for s in self.sections],
            "paragraphs": self.paragraphs(),
            "warnings": list(self.warnings),
        }
