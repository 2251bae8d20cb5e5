"""Pass-rate tables read from the rollup: by dimension, with Wilson intervals, trend and
top failing items. Used by the statistics page and the benchmark."""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum

from qcity.core.models import Region
from qcity.registry.models import ProductCategory

from . import stats
from .choices import Channel, Conclusion, Level, SampleType
from .models import PassRateRollup, TestItem

DIMENSIONS = {
    "category": "category_code",
    "region": "region_id",
    "level": "level",
    "sample_type": "sample_type",
    "channel": "channel",
    "month": "month",
}


def filtered(params: dict):
    qs = PassRateRollup.objects.all()
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("region"):
        region = Region.objects.filter(pk=params["region"]).first()
        if region is not None:
            qs = qs.filter(region_id__in=region.subtree_ids())
    for key in ("level", "sample_type", "channel"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    if params.get("category"):
        qs = qs.filter(category_code__startswith=params["category"])
    if params.get("start"):
        qs = qs.filter(month__gte=params["start"])
    if params.get("end"):
        qs = qs.filter(month__lte=params["end"])
    return qs


def _labels(dimension: str, keys) -> dict:
    if dimension == "category":
        return dict(ProductCategory.objects.filter(code__in=keys).values_list("code", "name"))
    if dimension == "region":
        return dict(Region.objects.filter(pk__in=keys).values_list("pk", "name"))
    choices = {"level": Level, "sample_type": SampleType, "channel": Channel}.get(dimension)
    if choices:
        return {k: str(label) for k, label in choices.choices}
    return {k: k.strftime("%Y-%m") for k in keys if hasattr(k, "strftime")}


def table(params: dict, dimension: str = "category") -> list[dict]:
    """One row per value of ``dimension``: tested, qualified, rate and Wilson 95% interval.
    Categories are grouped at the 大类 (first three characters of the code)."""
    qs = filtered(params)
    if dimension == "category":
        from django.db.models.functions import Substr

        rows = qs.annotate(key=Substr("category_code", 1, 3)).values("key")
    else:
        rows = qs.values(key=F(DIMENSIONS[dimension]))
    rows = rows.annotate(t=Sum("tested"), q=Sum("qualified")).order_by("key")
    data = [(r["key"], r["t"] or 0, r["q"] or 0) for r in rows]
    labels = _labels(dimension, [k for k, _t, _q in data])
    out = []
    for key, tested, qualified in data:
        if not tested:
            continue
        low, high = stats.wilson(qualified, tested)
        out.append(
            {
                "key": key,
                "label": labels.get(key, key),
                "tested": tested,
                "qualified": qualified,
                "failed": tested - qualified,
                "rate": round(100 * qualified / tested, 2),
                "low": round(100 * low, 2),
                "high": round(100 * high, 2),
            }
        )
    return out


def overall(params: dict) -> dict:
    t = filtered(params).aggregate(t=Sum("tested"), q=Sum("qualified"))
    tested, qualified = t["t"] or 0, t["q"] or 0
    low, high = stats.wilson(qualified, tested)
    return {
        "tested": tested,
        "qualified": qualified,
        "failed": tested - qualified,
        "rate": round(100 * qualified / tested, 2) if tested else None,
        "low": round(100 * low, 2),
        "high": round(100 * high, 2),
    }


def top_failing_items(params: dict, limit: int = 10) -> list[dict]:
    qs = TestItem.objects.filter(
        verdict=Conclusion.FAIL,
        sample__is_void=False,
        sample__overturned=False,
        sample__conclusion=Conclusion.FAIL,
    )
    if params.get("kind"):
        qs = qs.filter(sample__kind=params["kind"])
    if params.get("category"):
        qs = qs.filter(sample__category_code__startswith=params["category"])
    if params.get("start"):
        qs = qs.filter(sample__sampled_on__gte=params["start"])
    if params.get("region"):
        region = Region.objects.filter(pk=params["region"]).first()
        if region is not None:
            qs = qs.filter(sample__region_id__in=region.subtree_ids())
    return list(
        qs.values("item").annotate(n=Count("sample", distinct=True)).order_by("-n", "item")[:limit]
    )


def direct_table(params: dict, dimension: str = "category"):
    """The same numbers by a direct GROUP BY over samples (benchmark comparison and tests)."""
    from django.db.models.functions import Substr, TruncMonth

    from .models import Sample

    qs = Sample.objects.filter(
        is_void=False, overturned=False, conclusion__in=[Conclusion.PASS, Conclusion.FAIL]
    )
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    key = {
        "category": Substr("category_code", 1, 3),
        "month": TruncMonth("sampled_on"),
    }.get(dimension)
    rows = qs.values(key=key) if key is not None else qs.values(key=F(DIMENSIONS[dimension]))
    return list(
        rows.annotate(t=Count("pk"), q=Count("pk", filter=Q(conclusion=Conclusion.PASS))).order_by(
            "key"
        )
    )
