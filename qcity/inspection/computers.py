"""Computed indicators registered with the indicators seam (ARCHITECTURE.md): pass rates
read from the pre-aggregated rollup, each with the filter and the sample-list URL that lists
exactly the samples counted. Periods are counted in whole months (the rollup's grain)."""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse

from qcity.indicators.computed import Computed, computer

from .choices import LEVEL_PARAMS, SampleType

SAMPLE_TYPE_PARAMS = {label: value for value, label in SampleType.choices}
SAMPLE_TYPE_PARAMS.update(
    {"监督抽检": "supervision", "评价性抽检": "evaluation", "风险监测": "risk"}
)
AGRI_CODE = "F33"  # 食用农产品


def _as_list(value) -> list[str]:
    if value in (None, "", []):
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def month_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last)


def pass_rate(kind: str, params: dict, region, start, end, category_prefix: str = "") -> Computed:
    from .models import PassRateRollup

    first, last = month_bounds(start, end)
    lookups: dict = {"kind": kind, "month__gte": first, "month__lte": last}
    query: list[tuple[str, str]] = [
        ("counted", "true"),
        ("kind", kind),
        ("sampled_on_after", first.isoformat()),
        ("sampled_on_before", last.isoformat()),
    ]
    if region is not None:
        lookups["region_id__in"] = region.subtree_ids()
        query.append(("region", str(region.pk)))
    types = [SAMPLE_TYPE_PARAMS.get(t, t) for t in _as_list(params.get("sample_type"))]
    if types:
        lookups["sample_type__in"] = types
        query += [("sample_type", t) for t in types]
    levels = sorted({lv for p in _as_list(params.get("level")) for lv in LEVEL_PARAMS.get(p, [p])})
    if levels:
        lookups["level__in"] = levels
        query += [("level", lv) for lv in levels]
    code = category_prefix or (_as_list(params.get("category")) or [""])[0]
    if code:
        lookups["category_code__startswith"] = code
        query.append(("category_code", code))
    totals = PassRateRollup.objects.filter(**lookups).aggregate(t=Sum("tested"), q=Sum("qualified"))
    tested, qualified = totals["t"] or 0, totals["q"] or 0
    value = None
    if tested:
        value = (Decimal(qualified) * 100 / Decimal(tested)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    filter_ = {
        "model": "inspection.sample",
        "lookups": {
            "is_void": False,
            "overturned": False,
            "conclusion__in": ["pass", "fail"],
            "kind": kind,
            "sampled_on__gte": first.isoformat(),
            "sampled_on__lte": last.isoformat(),
            **({"region_id__in": lookups["region_id__in"]} if "region_id__in" in lookups else {}),
            **({"sample_type__in": types} if types else {}),
            **({"level__in": levels} if levels else {}),
            **({"category_code__startswith": code} if code else {}),
        },
    }
    url = f"{reverse('inspection:sample_list')}?{urlencode(query)}"
    return Computed(value, qualified, tested, filter_, url)


@computer("inspection.food_pass_rate", "食品抽检合格率（按抽检结果计算）", ("inspection.sample",))
def food_pass_rate(params, region, start, end):
    return pass_rate("food", params, region, start, end)


@computer(
    "inspection.food_drug_pass_rate",
    "食品药品抽检合格率（目前仅含食品抽检，药品抽检接入后合并计算）",
    ("inspection.sample",),
)
def food_drug_pass_rate(params, region, start, end):
    return pass_rate("food", params, region, start, end)


@computer("inspection.product_pass_rate", "工业产品质量监督抽查合格率", ("inspection.sample",))
def product_pass_rate(params, region, start, end):
    return pass_rate("product", params, region, start, end)


@computer("inspection.agri_pass_rate", "食用农产品抽检合格率", ("inspection.sample",))
def agri_pass_rate(params, region, start, end):
    return pass_rate(
        "food", {k: v for k, v in params.items() if k != "category"}, region, start, end, AGRI_CODE
    )
