"""Pages of the indicators app: plan dashboards (overview, district comparison, printable),
target and indicator trends, the target-mapping page. Views parse input, check the scoped
queryset and call services; status comes from ``status.StatusBoard`` (fixed query count).

``PLAN_OVERVIEW_PANELS``: other apps (tracking) append callables taking ``plan=`` and
``request=`` keywords and returning a dict with ``template`` (rendered with ``panel`` = the
dict and ``plan``) or None; the overview includes each below its table.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core.choices import RegionLevel
from qcity.core.models import OrgUnit, Region

from . import computed, district_cells, services
from .choices import Light, LinkState, Source
from .models import Decomposition, Indicator, Observation, TargetLink, params_key
from .params import parse_variant
from .status import SeriesPoint, StatusBoard, board_for, pool_rates

PLAN_OVERVIEW_PANELS: list = []  # callables (plan=, request=) -> dict(template=..., ...) or None

LIGHT_ORDER = [Light.RED, Light.YELLOW, Light.GREEN, Light.GREY]


def _plans(user):
    from qcity.plans.models import Plan

    return Plan.objects.for_user(user).filter(is_void=False)


def _plan(user, pk):
    try:
        return _plans(user).select_related("region").get(pk=pk)
    except (ValueError, Exception) as exc:
        if isinstance(exc, Http404):
            raise
        raise Http404(_("记录不存在或您无权查看"))


def _city_targets(plan):
    """The plan's own targets (district targets made by decomposition are shown apart)."""
    return (
        plan.targets.filter(is_void=False, decomposed_from__isnull=True)
        .select_related("plan", "region", "link", "link__indicator", "task")
        .order_by("order", "pk")
    )


def _rows(board, targets):
    board.prefetch(targets)
    rows = []
    for target in targets:
        result = board.status(target)
        rows.append({"target": target, "result": result})
    return rows


def _light_counts(rows):
    counts = Counter(r["result"].light if r["result"] else "unlinked" for r in rows)
    return [
        {"light": light.value, "label": light.label, "count": counts.get(light.value, 0)}
        for light in LIGHT_ORDER
    ] + [{"light": "unlinked", "label": _("未关联指标"), "count": counts.get("unlinked", 0)}]


# ---------------------------------------------------------------- plans
@login_required
def plan_list(request):
    plans = _plans(request.user).annotate(
        target_count=Count("targets", filter=Q(targets__is_void=False)),
        linked_count=Count(
            "targets",
            filter=Q(targets__is_void=False, targets__link__state=LinkState.CONFIRMED),
        ),
    )
    return render(request, "indicators/plan_list.html", {"plans": plans})


@login_required
def plan_overview(request, pk):
    plan = _plan(request.user, pk)
    board = board_for(request)
    rows = _rows(board, list(_city_targets(plan)))
    status_filter = request.GET.get("light", "")
    shown = [
        r
        for r in rows
        if not status_filter or (r["result"].light if r["result"] else "unlinked") == status_filter
    ]
    counts = _light_counts(rows)
    # called by keyword: a panel may declare (plan, request) or (request, plan=None)
    panels = [p for p in (panel(plan=plan, request=request) for panel in PLAN_OVERVIEW_PANELS) if p]
    chart = {
        "labels": [c["label"] for c in counts],
        "values": [c["count"] for c in counts],
        "colors": ["#dc3545", "#ffc107", "#198754", "#adb5bd", "#dee2e6"],
    }
    return render(
        request,
        "indicators/plan_overview.html",
        {
            "plan": plan,
            "rows": shown,
            "total": len(rows),
            "counts": counts,
            "chart": chart,
            "light_filter": status_filter,
            "panels": panels,
            "on": board.on,
            "can_map": request.user.is_office_admin,
        },
    )


@login_required
def plan_districts(request, pk):
    """District comparison: each decomposed or linked target × district, with lights."""
    plan = _plan(request.user, pk)
    board = board_for(request)
    city_targets = [t for t in _city_targets(plan) if board._link(t) is not None]
    districts = sorted(
        Region.objects.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.ZONE], parent__level=RegionLevel.CITY
        ),
        key=lambda r: (r.level == RegionLevel.ZONE, r.code),
    )
    decomposed = defaultdict(dict)  # city target id -> region id -> district target
    for d in Decomposition.objects.filter(target__in=city_targets).select_related(
        "district_target__plan",
        "district_target__region",
        "district_target__link__indicator",
    ):
        if d.district_target is not None:
            decomposed[d.target_id][d.region_id] = d.district_target
    district_targets = [t for per in decomposed.values() for t in per.values()]
    board.prefetch(district_targets)
    latest = {}
    min_n = board.rules["min_sample_size"]
    rates = {  # indicators whose district figures are judged year to date (status.pool_rates)
        t.link.indicator_id: t.link.indicator.unit
        for t in city_targets
        if board.pools(t.link.indicator)
    }
    keys = {(t.link.indicator_id, params_key(t.link.params)) for t in city_targets}
    if keys:
        # the current window only (indicators.current_period_months), as plain tuples
        months = int(board.rules["current_period_months"])
        since = board.on - datetime.timedelta(days=31 * months)
        figures = defaultdict(list)
        for point in (
            Observation.objects.filter(
                indicator_id__in={k[0] for k in keys},
                region__in=districts,
                is_current=True,
                is_void=False,
                period_start__lte=board.on,  # a running period counts (status.as_of)
                period_end__gte=since,
            )
            .exclude(source=Source.COMPUTED)
            .order_by("period_end", "pk")
            .values_list(*SeriesPoint.columns())
        ):
            point = SeriesPoint(*point)
            figures[(point.indicator_id, point.params_key, point.region_id)].append(point)
        for key, points in figures.items():
            if key[0] in rates:
                points = pool_rates(points, datetime.date.min, rates[key[0]])
            last = points[-1]
            n = last.denominator
            latest[key] = {
                "figure": last,
                "value": last.value,
                "denominator": n,
                "thin": n is not None and n < min_n,  # 样本不足, said beside the figure
            }
    rows = []
    for target in city_targets:
        cells = []
        for region in districts:
            district_target = decomposed.get(target.pk, {}).get(region.pk)
            result = board.status(district_target) if district_target else None
            obs = latest.get((target.link.indicator_id, params_key(target.link.params), region.pk))
            cell = {"region": region, "obs": obs, "result": result, "target": district_target}
            cell["html"] = district_cells.cell_html(cell)
            cell["title"] = result.explanation if result is not None else ""
            cells.append(cell)
        rows.append({"target": target, "cells": cells, "decomposed": target.pk in decomposed})
    return render(
        request,
        "indicators/plan_districts.html",
        {"plan": plan, "districts": districts, "rows": rows, "on": board.on},
    )


# ---------------------------------------------------------------- target trend
@login_required
def target_trend(request, pk):
    from qcity.plans.models import Target

    try:
        target = (
            Target.objects.for_user(request.user)
            .select_related("plan", "region", "link", "link__indicator", "task")
            .get(pk=pk, is_void=False)
        )
    except (Target.DoesNotExist, ValueError):
        raise Http404(_("记录不存在或您无权查看"))
    board = board_for(request)
    result = board.status(target)
    districts = []
    rows = list(
        Decomposition.objects.filter(target=target)
        .select_related("region", "district_target__plan", "district_target__link__indicator")
        .order_by("region__code", "year")
    )
    if rows:
        per_region = defaultdict(list)
        for d in rows:
            per_region[d.region].append(d)
        board.prefetch([d.district_target for d in rows if d.district_target])
        for region, years in per_region.items():
            dt = years[0].district_target
            districts.append(
                {
                    "region": region,
                    "years": years,
                    "target": dt,
                    "result": board.status(dt) if dt else None,
                }
            )
    years = sorted({d.year for d in rows})
    return render(
        request,
        "indicators/target_trend.html",
        {
            "target": target,
            "result": result,
            "chart": result.chart() if result else None,
            "districts": districts,
            "years": years,
            "labels": _chart_labels(),
            "can_decompose": request.user.is_office_admin
            and not Decomposition.objects.filter(district_target=target).exists(),
        },
    )


def _chart_labels():
    return {
        "reported": _("填报值"),
        "computed": _("系统计算值"),
        "pooled": _("本年累计值（据以判断）"),
        "target": _("目标值"),
        "target_high": _("目标上限"),
        "plan": _("序时进度线"),
        "forecast": _("趋势预测"),
        "band": _("预测区间"),
    }


# ---------------------------------------------------------------- indicator trend
@login_required
def indicator_trend(request, pk):
    try:
        indicator = (
            Indicator.objects.for_user(request.user).select_related("reporting_unit").get(pk=pk)
        )
    except (Indicator.DoesNotExist, ValueError):
        raise Http404(_("记录不存在或您无权查看"))
    regions = list(
        Region.objects.filter(
            level__in=[RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.ZONE]
        ).order_by("code")
    )
    region = next((r for r in regions if str(r.pk) == request.GET.get("region")), None)
    region = region or next((r for r in regions if r.level == RegionLevel.CITY), None)
    variants = sorted(
        set(
            Observation.objects.filter(indicator=indicator, is_void=False).values_list(
                "params_key", flat=True
            )
        )
    )
    variant = request.GET.get("variant")
    if variant not in variants:
        variant = "{}" if "{}" in variants or not variants else variants[0]
    observations = list(
        Observation.for_series(indicator, variant, region).select_related("unit", "reported_by")
    )
    chart = {
        "unit": indicator.unit,
        "reported": [
            [o.period_end.isoformat(), float(o.value)]
            for o in observations
            if o.source != Source.COMPUTED
        ],
        "computed": [
            [o.period_end.isoformat(), float(o.value)]
            for o in observations
            if o.source == Source.COMPUTED
        ],
    }
    links = TargetLink.objects.filter(
        indicator=indicator, state=LinkState.CONFIRMED
    ).select_related("target__plan", "target__region")[:50]
    state, reason = computed.check(indicator.computed_by, json.loads(variant or "{}"))
    population = (
        computed.get(indicator.computed_by).population(json.loads(variant or "{}"))
        if state == computed.OK
        else ""
    )
    latest = next(
        (o for o in reversed(observations) if o.source == Source.COMPUTED and o.denominator),
        None,
    )
    return render(
        request,
        "indicators/indicator_trend.html",
        {
            "indicator": indicator,
            "regions": regions,
            "region": region,
            "variants": [(v, _variant_label(v)) for v in variants],
            "variant": variant,
            "observations": list(reversed(observations))[:120],
            "chart": chart,
            "links": links,
            "labels": _chart_labels(),
            "compute_reason": reason,
            "population": population,
            "population_n": None if latest is None else int(latest.denominator),
        },
    )


def _variant_label(key: str) -> str:
    from .params import variant_label

    return variant_label(json.loads(key or "{}"))


# ---------------------------------------------------------------- mapping
@login_required
def plan_mapping(request, pk):
    plan = _plan(request.user, pk)
    if request.method == "POST":
        if not request.user.is_office_admin:
            raise PermissionDenied(_("只有质量办管理员可以关联指标"))
        action = request.POST.get("action")
        try:
            if action == "propose":
                links = services.propose_links(plan, request.user)
                messages.success(request, _("已为{n}个目标生成匹配建议").format(n=len(links)))
            elif action == "confirm":
                _confirm_from_post(request, plan)
                messages.success(request, _("已确认指标关联"))
            else:
                raise ValidationError(_("未知操作"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("indicators:plan_mapping", pk=plan.pk)
    targets = list(
        plan.targets.filter(is_void=False, decomposed_from__isnull=True)
        .select_related("link", "link__indicator", "region", "task", "task__lead_unit")
        .prefetch_related("link__units")
        .order_by("order", "pk")
    )
    by_key = {i.key: i for i in Indicator.objects.only("pk", "key", "name", "unit")}
    rows = []
    for target in targets:
        link = getattr(target, "link", None) if _has_link(target) else None
        proposals = [
            {
                **p,
                "indicator": by_key.get(p["key"]),
                "params_json": json.dumps(p["params"], ensure_ascii=False)
                if p.get("params")
                else "",
                "params_label": _variant_label(json.dumps(p["params"], ensure_ascii=False))
                if p.get("params")
                else "",
            }
            for p in (link.proposals if link else [])
            if p["key"] in by_key
        ]
        answerable = list(link.units.all()) if link else []
        chosen = (
            {u.pk for u in answerable}
            if answerable
            else ({target.task.lead_unit_id} if target.task and target.task.lead_unit_id else set())
        )
        compute_state, compute_reason, population = _compute_state(link)
        rows.append(
            {
                "target": target,
                "link": link,
                "proposals": proposals,
                "answerable": answerable,
                "chosen": chosen,
                "compute_state": compute_state,
                "compute_reason": compute_reason,
                "population": population,
            }
        )
    return render(
        request,
        "indicators/plan_mapping.html",
        {
            "plan": plan,
            "rows": rows,
            "indicators": sorted(by_key.values(), key=lambda i: i.name),
            "units": OrgUnit.objects.filter(is_active=True).order_by("region__code", "name"),
            "can_edit": request.user.is_office_admin,
            "confirmed": sum(1 for r in rows if r["link"] and r["link"].state == "confirmed"),
        },
    )


def _compute_state(link) -> tuple[str, str, str]:
    """(state, reason, population) of the system computation for a confirmed link."""
    if link is None or link.state != LinkState.CONFIRMED or link.indicator is None:
        return "", "", ""
    state, reason = computed.check(link.indicator.computed_by, link.params)
    population = ""
    if state == computed.OK:
        population = computed.get(link.indicator.computed_by).population(link.params)
    return state, reason, population


def _has_link(target) -> bool:
    try:
        target.link  # noqa: B018
    except Exception:
        return False
    return True


def _confirm_from_post(request, plan):
    try:
        target = plan.targets.get(pk=request.POST.get("target"))
    except (ValueError, plan.targets.model.DoesNotExist):
        raise ValidationError(_("目标不存在"))
    indicator = Indicator.objects.filter(pk=request.POST.get("indicator") or 0).first()
    params = parse_variant(request.POST.get("params"))
    units = OrgUnit.objects.filter(pk__in=[v for v in request.POST.getlist("units") if v.isdigit()])
    link = services.confirm_link(target, indicator, params, units, request.user)
    state, reason, _population = _compute_state(link)
    if state in (computed.REFUSED, computed.MISSING):
        messages.warning(request, _("不采用系统计算：{reason}").format(reason=reason))


# ---------------------------------------------------------------- decomposition
def _decimal_or_none(raw, label):
    from decimal import Decimal, InvalidOperation

    raw = (raw or "").strip().rstrip("%")
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("{label}必须是数字").format(label=label))


def _split_years(target):
    plan = target.plan
    start = plan.period_start or target.year or timezone.localdate().year
    end = target.year or plan.period_end or start
    return list(range(start, end + 1))


def _parse_split(post, regions, years):
    """The decomposition form → the keyword arguments of services.decompose_target."""
    chosen, baselines, weights, explicit, explicit_years = [], {}, {}, {}, {}
    for region in regions:
        key = region.pk
        if not post.get(f"on_{key}"):
            continue
        chosen.append(region)
        name = region.name
        base = _decimal_or_none(post.get(f"base_{key}"), _("{r}的基期值").format(r=name))
        if base is not None:
            baselines[name] = base
        weight = _decimal_or_none(post.get(f"weight_{key}"), _("{r}的分配比例").format(r=name))
        if weight is not None:
            weights[name] = weight
        value = _decimal_or_none(post.get(f"value_{key}"), _("{r}的指定目标值").format(r=name))
        if value is not None:
            explicit[name] = value
        for year in years:
            v = _decimal_or_none(
                post.get(f"y_{key}_{year}"), _("{r}{y}年的指定值").format(r=name, y=year)
            )
            if v is not None:
                explicit_years.setdefault(name, {})[year] = v
    return chosen, {
        "baselines": baselines,
        "weights": weights or None,
        "explicit": explicit,
        "explicit_years": explicit_years,
    }


@login_required
def target_decompose(request, pk):
    """指标分解: the office splits a city target across districts (shares or explicit values)
    and years (straight line or explicit values)."""
    from qcity.plans.models import Target

    if not request.user.is_office_admin:
        raise PermissionDenied(_("只有质量办管理员可以分解指标"))
    try:
        target = (
            Target.objects.for_user(request.user)
            .select_related("plan", "link", "link__indicator")
            .get(pk=pk, is_void=False, decomposed_from__isnull=True)
        )
    except (Target.DoesNotExist, ValueError):
        raise Http404(_("记录不存在或您无权查看"))
    regions = sorted(
        (r for r in services.assessed_regions() if r.level != RegionLevel.CITY),
        key=lambda r: r.code,
    )
    years = _split_years(target)
    existing = defaultdict(dict)
    for d in Decomposition.objects.filter(target=target):
        existing[d.region_id][d.year] = d
    error = ""
    additive = target.kind in ("cumulative", "new") and target.unit not in ("%", "‰")
    post = request.POST if request.method == "POST" else None
    if post is not None:
        try:
            chosen, kwargs = _parse_split(post, regions, years)
            services.decompose_target(
                target, chosen, reason=post.get("reason", ""), user=request.user, **kwargs
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("指标分解已保存"))
            return redirect("indicators:target_trend", pk=target.pk)
    rows = []
    for region in regions:
        mine = existing.get(region.pk, {})
        first = next(iter(mine.values()), None)
        if post is not None:
            key = region.pk
            row = {
                "on": bool(post.get(f"on_{key}")),
                "base": post.get(f"base_{key}", ""),
                "weight": post.get(f"weight_{key}", ""),
                "value": post.get(f"value_{key}", ""),
                "years": [(y, post.get(f"y_{key}_{y}", "")) for y in years],
            }
        else:
            last = mine[max(mine)] if mine else None
            row = {
                "on": bool(mine) or not existing,
                "base": "" if first is None or first.baseline is None else _plain(first.baseline),
                "weight": "",
                # a rate district with its own target keeps it when the split is redone
                "value": _plain(last.value)
                if (last is not None and not additive and last.value != target.value)
                else "",
                "years": [(y, "") for y in years],
            }
        row["region"] = region
        row["current"] = [mine.get(y) for y in years]
        rows.append(row)
    linked = _has_link(target) and target.link.indicator_id and target.link.state == "confirmed"
    return render(
        request,
        "indicators/target_decompose.html",
        {
            "target": target,
            "rows": rows,
            "years": years,
            "error": error,
            "linked": linked,
            "decomposed": bool(existing),
            "additive": additive,
            "reason": post.get("reason", "") if post is not None else "",
        },
        status=400 if error else 200,
    )


def _plain(value) -> str:
    return format(value.normalize(), "f")


# ---------------------------------------------------------------- home panel
def home_panel(request):
    """Lights of our newest plan on the home page, read from the light snapshots of this
    month and the last (one query: the home page has its own budget)."""
    from qcity.plans.choices import PlanRole

    from .models import LightSnapshot

    user = request.user
    if not user.is_authenticated:
        return None
    since = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    rows = list(
        LightSnapshot.objects.filter(
            period_end__gte=since,
            target__plan__in=_plans(user).filter(role=PlanRole.OURS),
            target__is_void=False,
            target__decomposed_from__isnull=True,
        )
        .values("target__plan_id", "target__plan__title", "period_end", "light")
        .annotate(n=Count("pk"), taken=Max("taken_at"))
        .order_by("-period_end", "-target__plan_id")
    )
    if not rows:
        return None
    first = rows[0]
    by_light = {
        r["light"]: r["n"]
        for r in rows
        if r["target__plan_id"] == first["target__plan_id"]
        and r["period_end"] == first["period_end"]
    }
    counts = [
        {"light": light.value, "label": light.label, "count": by_light.get(light.value, 0)}
        for light in LIGHT_ORDER
    ]
    plan = {"pk": first["target__plan_id"], "title": first["target__plan__title"]}
    return {
        "title": _("目标亮灯"),
        "template": "indicators/_home_panel.html",
        "context": {
            "plan": plan,
            "counts": counts,
            "on": first["period_end"],
            "taken": timezone.localtime(max(r["taken"] for r in rows)),
        },
    }


__all__ = ["PLAN_OVERVIEW_PANELS", "StatusBoard", "home_panel"]


@login_required
def observation_import(request):
    """指标数据导入: upload → preview (rows outside the plans' periods listed, nothing
    written) → commit with an explicit choice for those rows."""
    import base64

    from . import observation_import as importer

    if not request.user.is_office_admin:
        raise PermissionDenied(_("只有质量办可以导入指标数据"))
    context = {"headers": importer.HEADERS}
    if request.method == "POST" and request.FILES.get("file"):
        from qcity.core import uploads

        upload = request.FILES["file"]
        try:
            raw = uploads.read_limited(upload, uploads.TABLES)  # the one upload path
        except ValidationError as exc:
            context.update(rows=[], errors=exc.messages, outside=[], preview=True)
            return render(request, "indicators/observation_import.html", context, status=400)
        rows, errors = importer.parse(upload.name, raw)
        request.session["indicator_import"] = {
            "name": upload.name,
            "raw": base64.b64encode(raw).decode(),
        }
        context.update(rows=rows, errors=errors, outside=importer.outside_plans(rows), preview=True)
    elif request.method == "POST" and request.POST.get("commit"):
        stored = request.session.get("indicator_import")
        if not stored:
            messages.error(request, _("请重新上传文件"))
            return redirect("indicators:observation_import")
        rows, errors = importer.parse(stored["name"], base64.b64decode(stored["raw"]))
        outside = importer.outside_plans(rows)
        context.update(rows=rows, errors=errors, outside=outside, preview=True)
        if not errors:
            try:
                n = importer.commit(
                    rows, request.POST.get("outside", ""), request.user, services.office_unit()
                )
            except ValidationError as exc:
                context["refusal"] = "；".join(exc.messages)
            else:
                request.session.pop("indicator_import", None)
                messages.success(request, _("已导入{n}条指标数据").format(n=n))
                return redirect("indicators:observation_import")
    return render(request, "indicators/observation_import.html", context)
