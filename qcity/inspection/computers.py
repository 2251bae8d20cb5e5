"""Computed indicators registered with the indicators seam (ARCHITECTURE.md): pass rates
read from the pre-aggregated rollup, each with the filter and the sample-list URL that lists
exactly the samples counted. Periods are counted in whole months (the rollup's grain).

Each computer declares the variant parameters it honours (``honours``) and refuses the rest
(docs/indicators.md, "Honest computed figures"): a parameter it cannot filter by would
otherwise give the overall figure under the variant's name."""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from qcity.indicators.computed import Computed, computer

from .choices import LEVEL_PARAMS, SampleType

SAMPLE_TYPE_PARAMS = {label: value for value, label in SampleType.choices}
SAMPLE_TYPE_PARAMS.update(
    {"监督抽检": "supervision", "评价性抽检": "evaluation", "风险监测": "risk"}
)
AGRI_CODE = "F33"  # 食用农产品
# 农产品 product types → 食用农产品 subcategory codes (registry/fixtures/categories.txt)
AGRI_PRODUCT_CODES = {"蔬菜": "F3301", "水果": "F3302", "畜禽": "F3303", "水产品": "F3304"}
# 农产品 monitoring types the market regulator's sampling can stand for
AGRI_MONITORING_TYPES = {"监督抽查": "supervision", "风险监测": "risk"}
MARKET_CHANNELS = ["catering", "circulation", "online"]  # 市场环节 (not 产地)


def _as_list(value) -> list[str]:
    if value in (None, "", []):
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def month_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last)


def pass_rate(
    kind: str,
    params: dict,
    region,
    start,
    end,
    category_prefix: str = "",
    channels: list[str] | None = None,
    population: str = "",
) -> Computed:
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
    if channels:
        lookups["channel__in"] = channels
        query += [("channel", c) for c in channels]
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
            **({"channel__in": channels} if channels else {}),
        },
    }
    url = f"{reverse('inspection:sample_list')}?{urlencode(query)}"
    return Computed(value, qualified, tested, filter_, url, population)


LEVEL_WORDS = tuple(LEVEL_PARAMS)
TYPE_WORDS = ("监督抽检", "评价性抽检", "风险监测")


def _levels_words(params) -> str:
    return "、".join(_as_list(params.get("level")))


def describe_food(params, what=None) -> str:
    what = what or _("食品")
    types = "、".join(_as_list(params.get("sample_type"))) or _("抽检")
    text = _("市场监管部门{level}{what}{types}").format(
        level=_levels_words(params), what=what, types=types
    )
    code = (_as_list(params.get("category")) or [""])[0]
    if code:
        text += _("（类别{code}）").format(code=code)
    return text


def describe_product(params) -> str:
    text = _("市场监管部门{level}产品质量监督抽查").format(level=_levels_words(params))
    code = (_as_list(params.get("category")) or [""])[0]
    if code:
        text += _("（类别{code}）").format(code=code)
    return text


def describe_agri(params) -> str:
    products = "、".join(_as_list(params.get("product_type"))) or _("食用农产品")
    types = "、".join(_as_list(params.get("monitoring_type"))) or _("抽检")
    text = _("市场监管部门{level}{products}{types}").format(
        level=_levels_words(params), products=products, types=types
    )
    if "市场" in _as_list(params.get("stage")):
        text += _("（市场环节）")
    return text


def refuse_consumer_goods(params) -> str | None:
    if not _as_list(params.get("category")):
        return _(
            "产品目录未标注哪些类别属于消费品，须以产品类别代码（category）指定消费品范围；"
            "未指定时不计算，避免以全部工业产品合格率代替"
        )
    return None


def describe_consumer_goods(params) -> str:
    text = _("市场监管部门{level}消费品质量抽查").format(level=_levels_words(params))
    code = (_as_list(params.get("category")) or [""])[0]
    if code:
        text += _("（类别{code}）").format(code=code)
    return text


def refuse_food_drug(params) -> str:
    return _("药品抽检数据尚未接入本系统，不能用食品抽检合格率代替食品药品抽检合格率；采用填报值")


def refuse_agri(params) -> str | None:
    stages = _as_list(params.get("stage"))
    if "产地" in stages:
        return _("产地环节的农产品监测由农业农村部门开展，本系统只有市场环节的抽检，不能计算")
    if "市场" not in stages:
        # the indicator as the library defines it is 农业农村部门's 例行监测: market samples of
        # 食用农产品 count another population and would stand in for it
        return _(
            "农产品质量安全例行监测由农业农村部门开展，本系统只有市场监管部门的食用农产品抽检，"
            "不能代替；目标口径为市场环节（环节：市场）时才按抽检结果计算"
        )
    if len(_as_list(params.get("product_type"))) > 1:
        return _("系统计算一次只能按一个农产品类别计算")
    return None


@computer(
    "inspection.food_pass_rate",
    "食品抽检合格率（按抽检结果计算）",
    ("inspection.sample",),
    honours={"sample_type": TYPE_WORDS, "level": LEVEL_WORDS, "category": None},
    describe=describe_food,
)
def food_pass_rate(params, region, start, end):
    return pass_rate("food", params, region, start, end, population=describe_food(params))


@computer(
    "inspection.food_drug_pass_rate",
    "食品药品抽检合格率（药品抽检未接入，不计算）",
    ("inspection.sample",),
    honours={"level": LEVEL_WORDS},
    refuse=refuse_food_drug,
)
def food_drug_pass_rate(params, region, start, end):
    return Computed(value=None)  # refused: never the food figure alone


@computer(
    "inspection.product_pass_rate",
    "工业产品质量监督抽查合格率",
    ("inspection.sample",),
    honours={"level": LEVEL_WORDS, "category": None},
    describe=describe_product,
)
def product_pass_rate(params, region, start, end):
    return pass_rate("product", params, region, start, end, population=describe_product(params))


@computer(
    "inspection.consumer_goods_pass_rate",
    "消费品质量抽查合格率（按指定的消费品类别计算）",
    ("inspection.sample",),
    honours={"level": LEVEL_WORDS, "category": None},
    refuse=refuse_consumer_goods,
    describe=describe_consumer_goods,
)
def consumer_goods_pass_rate(params, region, start, end):
    if refuse_consumer_goods(params):
        return Computed(value=None)
    return pass_rate(
        "product", params, region, start, end, population=describe_consumer_goods(params)
    )


@computer(
    "inspection.agri_pass_rate",
    "食用农产品抽检合格率",
    ("inspection.sample",),
    honours={
        "monitoring_type": tuple(AGRI_MONITORING_TYPES),
        "product_type": tuple(AGRI_PRODUCT_CODES),
        "level": LEVEL_WORDS,
        "stage": ("市场",),
    },
    refuse=refuse_agri,
    describe=describe_agri,
)
def agri_pass_rate(params, region, start, end):
    products = _as_list(params.get("product_type"))
    code = AGRI_PRODUCT_CODES[products[0]] if products else AGRI_CODE
    filters = {
        "sample_type": [AGRI_MONITORING_TYPES[t] for t in _as_list(params.get("monitoring_type"))],
        "level": _as_list(params.get("level")),
    }
    return pass_rate(
        "food",
        filters,
        region,
        start,
        end,
        code,
        channels=MARKET_CHANNELS if "市场" in _as_list(params.get("stage")) else None,
        population=describe_agri(params),
    )
