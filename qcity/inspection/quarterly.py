"""The tables of a quarterly sampling analysis report (季度抽检分析报告).

Counts come from the pre-aggregated ``PassRateRollup``: one query fetches the cells of the
quarter, the previous quarter and the same quarter a year earlier, and every table (overall,
by 大类, channel, sample type, region, level) is summed from those cells in Python. Top failing
items and failing enterprises need the samples themselves (one grouped query each). The
summary paragraph is built only from these numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core.models import Region
from qcity.registry.models import ProductCategory

from . import stats
from .choices import Channel, Conclusion, Level, SampleType
from .models import PassRateRollup, Sample, TestItem

PERIODS = ("current", "previous", "last_year")
DIMENSIONS = ("category", "channel", "sample_type", "region", "level")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def first_month(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_month(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number, 1)

    @property
    def last_day(self) -> datetime.date:
        nxt = self.next().first_month
        return nxt - datetime.timedelta(days=1)

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def year_before(self) -> Quarter:
        return Quarter(self.year - 1, self.number)

    def months(self) -> list[datetime.date]:
        return [datetime.date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    def label(self) -> str:
        return _("{year}年第{q}季度").format(year=self.year, q=self.number)

    @classmethod
    def containing(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(year_text, quarter_text, today: datetime.date | None = None) -> Quarter:
    """The quarter the user picked; Chinese messages for bad input."""
    today = today or timezone.localdate()
    try:
        year, number = int(str(year_text).strip()), int(str(quarter_text).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("年度和季度应为数字，例如 2026 年第 1 季度")) from None
    if not 1 <= number <= 4:
        raise ValidationError(_("季度应为 1 至 4"))
    if not 2000 <= year <= today.year:
        raise ValidationError(_("年度应在 2000 年至 {y} 年之间").format(y=today.year))
    quarter = Quarter(year, number)
    if quarter.first_month > today:
        raise ValidationError(_("{q}尚未开始，没有可分析的数据").format(q=quarter.label()))
    return quarter


@dataclass
class Cell:
    tested: int = 0
    qualified: int = 0

    def add(self, tested, qualified):
        self.tested += tested
        self.qualified += qualified


def _figures(tested: int, qualified: int) -> dict:
    low, high = stats.wilson(qualified, tested) if tested else (None, None)
    return {
        "tested": tested,
        "qualified": qualified,
        "failed": tested - qualified,
        "rate": round(100 * qualified / tested, 2) if tested else None,
        "low": round(100 * low, 2) if tested else None,
        "high": round(100 * high, 2) if tested else None,
    }


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 2)


@dataclass
class Report:
    quarter: Quarter
    kind: str
    region: Region | None
    level: str
    overall: list[dict] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict)
    top_items: list[dict] = field(default_factory=list)
    enterprises: list[dict] = field(default_factory=list)
    summary: str = ""

    @property
    def current(self) -> dict:
        return self.overall[0]

    def title(self) -> str:
        scope = self.region.name if self.region else ""
        what = _("食品") if self.kind == "food" else _("工业产品")
        return _("{scope}{quarter}{what}抽检分析报告").format(
            scope=scope, quarter=self.quarter.label(), what=what
        )


def dimension_title(dimension: str, kind: str = "food") -> str:
    return {
        "category": _("按食品大类") if kind == "food" else _("按产品类别"),
        "channel": _("按抽样环节"),
        "sample_type": _("按抽检类型"),
        "region": _("按区域"),
        "level": _("按组织层级"),
    }[dimension]


def _scope_filter(qs, prefix: str, kind: str, region_ids, level: str):
    qs = qs.filter(**{f"{prefix}kind": kind})
    if region_ids is not None:
        qs = qs.filter(**{f"{prefix}region_id__in": region_ids})
    if level:
        qs = qs.filter(**{f"{prefix}level": level})
    return qs


def build(
    quarter: Quarter, kind: str = "food", region: Region | None = None, level: str = ""
) -> Report:
    if kind not in ("food", "product"):
        raise ValidationError(_("类别体系应为食品或工业产品"))
    if level and level not in Level.values:
        raise ValidationError(_("未知的组织层级“{v}”").format(v=level))
    periods = {
        "current": quarter,
        "previous": quarter.previous(),
        "last_year": quarter.year_before(),
    }
    period_of_month = {m: name for name, q in periods.items() for m in q.months()}
    region_ids = region.subtree_ids() if region is not None else None
    report = Report(quarter=quarter, kind=kind, region=region, level=level)

    # one query: every rollup cell of the three quarters, grouped at the 大类
    cells = (
        _scope_filter(PassRateRollup.objects.all(), "", kind, region_ids, level)
        .filter(month__in=list(period_of_month))
        .annotate(major=Substr("category_code", 1, 3))
        .values("major", "channel", "sample_type", "region_id", "level", "month")
        .annotate(t=Sum("tested"), q=Sum("qualified"))
    )
    totals = {p: Cell() for p in PERIODS}
    grouped: dict[str, dict[tuple, Cell]] = {d: {} for d in DIMENSIONS}
    for c in cells:
        period = period_of_month[c["month"]]
        totals[period].add(c["t"], c["q"])
        keys = {
            "category": c["major"],
            "channel": c["channel"],
            "sample_type": c["sample_type"],
            "region": c["region_id"],
            "level": c["level"],
        }
        for dimension, key in keys.items():
            grouped[dimension].setdefault((key, period), Cell()).add(c["t"], c["q"])

    labels_for = {
        "category": dict(
            ProductCategory.objects.filter(
                code__in={k for k, _p in grouped["category"]}
            ).values_list("code", "name")
        ),
        "region": dict(
            Region.objects.filter(pk__in={k for k, _p in grouped["region"]}).values_list(
                "pk", "name"
            )
        ),
        "channel": {k: str(v) for k, v in Channel.choices},
        "sample_type": {k: str(v) for k, v in SampleType.choices},
        "level": {k: str(v) for k, v in Level.choices},
    }

    labels = {
        "current": quarter.label(),
        "previous": _("上季度（{q}）").format(q=periods["previous"].label()),
        "last_year": _("上年同期（{q}）").format(q=periods["last_year"].label()),
    }
    now_rate = _figures(totals["current"].tested, totals["current"].qualified)["rate"]
    for period in PERIODS:
        row = {"period": period, "label": labels[period]}
        row.update(_figures(totals[period].tested, totals[period].qualified))
        row["change"] = None if period == "current" else _change(now_rate, row["rate"])
        report.overall.append(row)

    for dimension in DIMENSIONS:
        rows = []
        keys = sorted(
            {k for k, p in grouped[dimension] if p == "current"}, key=lambda k: str(k) or ""
        )
        for key in keys:
            cur = grouped[dimension][(key, "current")]
            row = {"key": key, "label": labels_for[dimension].get(key, key)}
            row.update(_figures(cur.tested, cur.qualified))
            for period in ("previous", "last_year"):
                other = grouped[dimension].get((key, period))
                rate = _figures(other.tested, other.qualified)["rate"] if other else None
                row[f"{period}_rate"] = rate
                row[f"{period}_change"] = _change(row["rate"], rate)
            rows.append(row)
        rows.sort(key=lambda r: (-r["failed"], r["rate"] if r["rate"] is not None else 101))
        report.tables[dimension] = rows

    # top failing items of the quarter (one grouped query)
    items = _scope_filter(
        TestItem.objects.filter(
            verdict=Conclusion.FAIL,
            sample__is_void=False,
            sample__overturned=False,
            sample__conclusion=Conclusion.FAIL,
            sample__sampled_on__gte=quarter.first_month,
            sample__sampled_on__lte=quarter.last_day,
        ),
        "sample__",
        kind,
        region_ids,
        level,
    )
    failed = totals["current"].tested - totals["current"].qualified
    report.top_items = [
        {
            "item": r["item"],
            "batches": r["n"],
            "share": round(100 * r["n"] / failed, 2) if failed else None,
        }
        for r in items.values("item")
        .annotate(n=Count("sample", distinct=True))
        .order_by("-n", "item")[:15]
    ]

    # failing enterprises of the quarter, with their failures in the four quarters before
    year_ago = quarter.year_before().first_month
    counted_fail = Q(is_void=False, overturned=False, conclusion=Conclusion.FAIL)
    in_quarter = Q(sampled_on__gte=quarter.first_month, sampled_on__lte=quarter.last_day)
    before = Q(sampled_on__gte=year_ago, sampled_on__lt=quarter.first_month)
    producers = (
        _scope_filter(Sample.objects.filter(counted_fail), "", kind, region_ids, level)
        .filter(producer__isnull=False, sampled_on__gte=year_ago, sampled_on__lte=quarter.last_day)
        .values("producer_id", "producer__name", "producer__credit_code")
        .annotate(
            now=Count("pk", filter=in_quarter),
            earlier=Count("pk", filter=before),
            products=Count("product_name", filter=in_quarter, distinct=True),
        )
        .filter(now__gte=1)
        .order_by("-now", "-earlier", "producer__name")
    )
    for p in producers:
        report.enterprises.append(
            {
                "id": p["producer_id"],
                "name": p["producer__name"],
                "credit_code": p["producer__credit_code"] or "",
                "failed": p["now"],
                "earlier": p["earlier"],
                "products": p["products"],
                "repeat": p["now"] >= 2 or p["earlier"] >= 1,
            }
        )
    report.summary = summary(report)
    return report


def _pp(change: float) -> str:
    if change > 0:
        return _("上升{d}个百分点").format(d=f"{change:.2f}")
    if change < 0:
        return _("下降{d}个百分点").format(d=f"{-change:.2f}")
    return _("持平")


def summary(report: Report) -> str:
    """A short paragraph stating only what the tables show."""
    cur, prev, last = report.overall
    what = _("食品") if report.kind == "food" else _("工业产品")
    if not cur["tested"]:
        return _("{q}没有已出结论的{what}抽检批次。").format(q=report.quarter.label(), what=what)
    parts = [
        _(
            "{q}共抽检{what}{t}批次，其中合格{ok}批次、不合格{bad}批次，批次合格率{r}%"
            "（95%置信区间{lo}%～{hi}%）。"
        ).format(
            q=report.quarter.label(),
            what=what,
            t=cur["tested"],
            ok=cur["qualified"],
            bad=cur["failed"],
            r=f"{cur['rate']:.2f}",
            lo=f"{cur['low']:.2f}",
            hi=f"{cur['high']:.2f}",
        )
    ]
    comparisons = []
    for row, name in ((prev, _("上季度")), (last, _("上年同期"))):
        if row["tested"]:
            comparisons.append(
                _("较{name}（{r}%）{change}").format(
                    name=name, r=f"{row['rate']:.2f}", change=_pp(row["change"])
                )
            )
        else:
            comparisons.append(_("{name}无抽检数据").format(name=name))
    parts.append("，".join(comparisons) + _("。"))
    worst = [r for r in report.tables.get("category", []) if r["failed"]]
    if worst:
        top = worst[:3]
        parts.append(
            _("不合格批次较多的大类为{list}。").format(
                list="、".join(
                    _("{label}（{n}批次，合格率{r}%）").format(
                        label=r["label"], n=r["failed"], r=f"{r['rate']:.2f}"
                    )
                    for r in top
                )
            )
        )
    channels = [r for r in report.tables.get("channel", []) if r["tested"]]
    if len(channels) > 1:
        low = min(channels, key=lambda r: r["rate"])
        parts.append(
            _("分环节看，{label}合格率最低，为{r}%。").format(
                label=low["label"], r=f"{low['rate']:.2f}"
            )
        )
    if report.top_items:
        parts.append(
            _("不合格项目居前的是{list}。").format(
                list="、".join(
                    _("{item}（{n}批次）").format(item=i["item"], n=i["batches"])
                    for i in report.top_items[:3]
                )
            )
        )
    if report.enterprises:
        repeat = sum(1 for e in report.enterprises if e["repeat"])
        parts.append(
            _("本季度共有{n}家标称生产企业出现不合格，其中{m}家为一年内重复不合格。").format(
                n=len(report.enterprises), m=repeat
            )
        )
    return "".join(parts)


# ---------------------------------------------------------------- tables for export
def _pct(v):
    return "" if v is None else f"{v:.2f}"


def _signed(v):
    return "" if v is None else f"{v:+.2f}"


def export_tables(report: Report) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) for the .xlsx (one sheet each) and the .docx."""
    sheets = [
        (
            _("总体情况"),
            [
                _("期间"),
                _("检验批次"),
                _("合格批次"),
                _("不合格批次"),
                _("批次合格率(%)"),
                _("95%区间下限(%)"),
                _("95%区间上限(%)"),
                _("本季度较其变化(百分点)"),
            ],
            [
                [
                    r["label"],
                    r["tested"],
                    r["qualified"],
                    r["failed"],
                    _pct(r["rate"]),
                    _pct(r["low"]),
                    _pct(r["high"]),
                    _signed(r["change"]),
                ]
                for r in report.overall
            ],
        )
    ]
    for dimension in DIMENSIONS:
        sheets.append(
            (
                dimension_title(dimension, report.kind),
                [
                    _("分组"),
                    _("检验批次"),
                    _("不合格批次"),
                    _("批次合格率(%)"),
                    _("95%区间(%)"),
                    _("上季度合格率(%)"),
                    _("环比(百分点)"),
                    _("上年同期合格率(%)"),
                    _("同比(百分点)"),
                ],
                [
                    [
                        r["label"],
                        r["tested"],
                        r["failed"],
                        _pct(r["rate"]),
                        f"{_pct(r['low'])}–{_pct(r['high'])}",
                        _pct(r["previous_rate"]),
                        _signed(r["previous_change"]),
                        _pct(r["last_year_rate"]),
                        _signed(r["last_year_change"]),
                    ]
                    for r in report.tables[dimension]
                ],
            )
        )
    sheets.append(
        (
            _("不合格项目"),
            [_("序号"), _("不合格项目"), _("不合格批次"), _("占不合格批次(%)")],
            [
                [i, r["item"], r["batches"], _pct(r["share"])]
                for i, r in enumerate(report.top_items, start=1)
            ],
        )
    )
    sheets.append(
        (
            _("不合格企业"),
            [
                _("序号"),
                _("标称生产企业"),
                _("统一社会信用代码"),
                _("本季度不合格批次"),
                _("涉及产品数"),
                _("此前一年不合格批次"),
                _("重复不合格"),
            ],
            [
                [
                    i,
                    r["name"],
                    r["credit_code"],
                    r["failed"],
                    r["products"],
                    r["earlier"],
                    _("是") if r["repeat"] else _("否"),
                ]
                for i, r in enumerate(report.enterprises, start=1)
            ],
        )
    )
    return sheets


def xlsx(report: Report) -> bytes:
    from qcity.core.documents import xlsx_bytes

    return xlsx_bytes(
        [(_("分析摘要"), [_("分析摘要")], [[report.summary]])] + export_tables(report)
    )


def docx(report: Report, issuer: str = "") -> bytes:
    from qcity.core.documents import OfficialDocument

    doc = OfficialDocument(report.title(), landscape=True)
    doc.heading(_("一、总体情况"))
    doc.paragraph(report.summary)
    numerals = "二三四五六七八九十"
    for index, (title, headers, rows) in enumerate(export_tables(report)):
        if index:
            doc.heading(f"{numerals[index - 1]}、{title}")
        if rows:
            doc.table(headers, rows, font_size=10.5)
        else:
            doc.paragraph(_("本季度无相关数据。"))
    doc.signature(issuer, timezone.localdate().strftime("%Y年%m月%d日"))
    return doc.to_bytes()
