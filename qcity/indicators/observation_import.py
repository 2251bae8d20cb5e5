"""Importing reported figures from a table (指标数据导入), in two steps: a preview that lists
every row and, before anything is written, the rows whose period lies outside the period of
the plans their indicator is linked to; then the commit, which needs an explicit choice for
those rows (keep them as history, or leave them out). Rows go through
``services.record_observation`` (source 导入), all or nothing."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core.importer import ImportFileError, read_table
from qcity.core.models import Region

from . import services
from .choices import LinkState, PeriodKind, Source
from .models import Indicator, TargetLink

HEADERS = ["指标代码", "区划代码", "周期类型", "起始日期", "截止日期", "数值", "分子", "分母"]
KEEP, SKIP = "keep", "skip"


def _date(text: str):
    try:
        return datetime.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def parse(name: str, raw: bytes) -> tuple[list[dict], list[str]]:
    """(rows, errors): each row with its indicator, region, kind, dates and figures."""
    try:
        table = read_table(name, raw)
    except ImportFileError as exc:
        return [], [str(exc)]
    if not table or [h.strip().rstrip("*") for h in table[0][: len(HEADERS)]] != HEADERS:
        return [], [_("表头应为：{h}").format(h="、".join(HEADERS))]
    kinds = {str(label): value for value, label in PeriodKind.choices} | {
        v: v for v in PeriodKind.values
    }
    rows, errors = [], []
    today = timezone.localdate()
    for number, cells in enumerate(table[1:], start=2):
        cells = [*cells, *[""] * len(HEADERS)][: len(HEADERS)]
        if not any(c.strip() for c in cells):
            continue
        key, code, kind, start, end, value, num, den = (c.strip() for c in cells)
        indicator = Indicator.objects.filter(key=key).first()
        region = Region.objects.filter(code=code).first()
        row = {
            "row": number,
            "indicator": indicator,
            "region": region,
            "period_kind": kinds.get(kind),
            "period_start": _date(start),
            "period_end": _date(end),
            "value": value,
            "numerator": num or None,
            "denominator": den or None,
        }
        problems = [
            text
            for text, bad in (
                (_("指标代码“{v}”不存在").format(v=key), indicator is None),
                (_("区划代码“{v}”不存在").format(v=code), region is None),
                (_("周期类型“{v}”无法识别").format(v=kind), row["period_kind"] is None),
                (_("日期应写作 2026-03-31"), None in (row["period_start"], row["period_end"])),
                (
                    _("统计期尚未结束（截至{end}），不能报送该期数据").format(end=end),
                    row["period_end"] is not None and row["period_end"] > today,
                ),
            )
            if bad
        ]
        if problems:
            errors.append(_("第{n}行：{why}").format(n=number, why="；".join(problems)))
        else:
            rows.append(row)
    return rows, errors


def outside_plans(rows: list[dict]) -> list[dict]:
    """The rows whose period lies outside the period of every plan their indicator is linked
    to (confirmed links), each with ``plans`` naming those plans."""
    ids = {r["indicator"].pk for r in rows}
    plans: dict[int, list] = {}
    links = TargetLink.objects.filter(
        indicator_id__in=ids, state=LinkState.CONFIRMED, target__is_void=False
    ).select_related("target__plan")
    for link in links:
        plan = link.target.plan
        if plan.period_start and plan.period_end and plan not in plans.get(link.indicator_id, []):
            plans.setdefault(link.indicator_id, []).append(plan)
    out = []
    for r in rows:
        linked = plans.get(r["indicator"].pk, [])
        inside = any(
            r["period_end"] >= datetime.date(p.period_start, 1, 1)
            and r["period_start"] <= datetime.date(p.period_end, 12, 31)
            for p in linked
        )
        if linked and not inside:
            out.append({**r, "plans": linked})
    return out


def commit(rows: list[dict], choice: str, user, unit) -> int:
    """Write the rows (all or nothing); rows outside the plans' periods need ``choice``:
    ``keep`` stores them as history (they never judge the plan), ``skip`` leaves them out."""
    outside = {r["row"] for r in outside_plans(rows)}
    if outside and choice not in (KEEP, SKIP):
        raise ValidationError(
            _("有{n}行数据的统计期在规划期之外，请选择保留为历史数据或不导入这些行").format(
                n=len(outside)
            )
        )
    written = 0
    with transaction.atomic():
        for r in rows:
            if r["row"] in outside and choice == SKIP:
                continue
            try:
                services.record_observation(
                    indicator=r["indicator"],
                    region=r["region"],
                    period_start=r["period_start"],
                    period_end=r["period_end"],
                    period_kind=r["period_kind"],
                    value=r["value"],
                    numerator=r["numerator"],
                    denominator=r["denominator"],
                    unit=unit,
                    user=user,
                    source=Source.IMPORTED,
                )
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(
                    _("第{n}行：{why}").format(
                        n=r["row"], why="；".join(getattr(exc, "messages", [str(exc)]))
                    )
                )
            written += 1
    return written
