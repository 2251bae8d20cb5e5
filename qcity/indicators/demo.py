"""The indicators part of the demo world: the library, target links, a decomposition of the
food pass-rate target across districts and years, and observations from the January the plan
starts (two years before the build year, see ``plans.demo``) to the last complete month before
the day the demo is built, with realistic
trends (some targets met, some on track, one at risk, one seriously behind, one with too little
data). The series ends where the other demos' date-relative records (samples, assignments)
end, and the trends are drawn against the plan's elapsed time (序时进度), so each target keeps
its place on whatever day the demo is built while the plan runs: the city's food pass-rate
target ("on track", noise ±6% of the gap) stays within the yellow threshold; a light that sits
near a threshold may cross it as the months pass.

Deterministic: each series draws its noise from its own ``random.Random`` seeded with
``SEED`` and the series' indicator, variant and region, month by month from the plan's first
January, so a month's figure is the same whichever month of one year the demo is built in.

It uses the demo plan of the plans app ("示例市质量强市建设实施方案（…年）") when that exists;
otherwise it builds a small plan of its own, with the same years, so the dashboards have
something to show.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from qcity.core.choices import RegionLevel

from . import services
from .choices import LinkState, PeriodKind
from .models import Indicator, Observation, TargetLink

SEED = 20240101
GRAIN_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
FALLBACK_NAME = "示例市质量指标演示方案"

# (indicator key, text, op, value, high, unit, year of the plan (0 = its first), kind,
#  direction, base_text, profile)
FALLBACK_TARGETS = [
    (
        "food_sampling_pass_rate",
        "食品抽检合格率",
        ">=",
        "98.5",
        None,
        "%",
        3,
        "level",
        "up",
        "",
        "on_track",
    ),
    (
        "product_supervision_pass_rate",
        "产品质量监督抽查合格率",
        ">=",
        "94",
        None,
        "%",
        2,
        "level",
        "up",
        "",
        "met",
    ),
    (
        "high_value_patents_per_10k",
        "每万人口高价值发明专利拥有量",
        ">=",
        "12",
        None,
        "件",
        3,
        "level",
        "up",
        "",
        "at_risk",
    ),
    (
        "quality_benchmark_enterprises",
        "新培育质量标杆企业",
        ">=",
        "40",
        None,
        "个",
        3,
        "new",
        "up",
        "",
        "behind",
    ),
    (
        "customer_satisfaction_index",
        "顾客满意度指数",
        ">=",
        "82",
        None,
        "分",
        3,
        "level",
        "up",
        "",
        "insufficient",
    ),
    (
        "special_equipment_accident_rate",
        "特种设备万台事故率比上年下降",
        ">=",
        "5",
        None,
        "%",
        2,
        "change",
        "down",
        "上年",
        "met",
    ),
    (
        "rd_intensity",
        "研发经费投入强度",
        "range",
        "2.5",
        "3.0",
        "%",
        3,
        "range",
        "up",
        "",
        "met",
    ),
    (
        "agri_product_monitoring_pass_rate",
        "农产品质量安全例行监测合格率",
        ">=",
        "98",
        None,
        "%",
        3,
        "level",
        "up",
        "",
        "on_track",
    ),
]
PROFILES = ["on_track", "met", "at_risk", "on_track", "behind", "met", "insufficient"]


def last_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the last complete month: where the demo's reported figures end."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def first_month() -> datetime.date:
    """January of the demo plan's first year: where the demo's reported figures start."""
    from qcity.plans.demo import city_plan, plan_years

    plan = city_plan()
    first = plan.period_start if plan is not None and plan.period_start else plan_years()[0]
    return datetime.date(first, 1, 1)


def _months():
    d, last = first_month(), last_month()
    while d <= last:
        yield d
        d = (d + datetime.timedelta(days=32)).replace(day=1)


def _series_rng(*parts) -> random.Random:
    """The noise of one series: the same figures for its months whenever the demo is built."""
    return random.Random(":".join(str(p) for p in (SEED, *parts)))


def _month_end(d):
    return services.month_bounds(d)[1]


def build(world, size="small"):
    from qcity.plans.demo import city_plan

    services.load_library()
    admin = world.user("office_admin")
    plan = city_plan()
    if plan is not None:
        targets = _link_demo_plan(plan, admin)
    else:
        plan, targets = _fallback_plan(world, admin)
    if not Observation.objects.filter(region=world.city, source="reported").exists():
        _observations(plan, targets, world, admin)
    today = timezone.localdate()  # this month's light row, as the daily scan writes it
    services.snapshot_lights(
        plan.targets.filter(is_void=False), on=today, period_end=services.month_bounds(today)[1]
    )


def _observations(plan, targets, world, admin):
    seen = set()
    for target, profile in targets:
        variant = (target.link.indicator_id, target.link.params_key, target.region_id)
        if variant in seen:  # two targets on one indicator variant share its figures
            continue
        seen.add(variant)
        _observe(target, profile, world, admin)
    food = next((t for t, _p in targets if t.link.indicator.key == "food_sampling_pass_rate"), None)
    if food is not None:
        _decompose_food(food, world, admin)
    _revision_example(targets, world, admin)
    on = _month_end(first_month().replace(month=3))
    while on <= _month_end(last_month()):
        services.snapshot_lights(plan.targets.filter(is_void=False), on=on)
        on = _month_end(on + datetime.timedelta(days=63))


def _link_demo_plan(plan, admin):
    services.propose_links(plan, admin)
    out = []
    for i, link in enumerate(
        TargetLink.objects.filter(target__plan=plan, target__is_void=False)
        .select_related("target", "indicator")
        .order_by("target__order", "target__pk")
    ):
        if link.indicator is None or not _same_unit(link.target.unit, link.indicator.unit):
            continue  # left as a proposal for a person to confirm on the mapping page
        if link.state != LinkState.CONFIRMED:
            link = services.confirm_link(link.target, link.indicator, link.params, [], admin)
        out.append((link.target, PROFILES[i % len(PROFILES)]))
    return out


def _same_unit(written: str, unit: str) -> bool:
    return not written or written == unit or {written, unit} <= {"个", "家", "件", "项", "家次"}


def _fallback_plan(world, admin):
    from qcity.core.services import create_object
    from qcity.plans.demo import plan_title, plan_years
    from qcity.plans.models import Plan, Target

    first, last = plan_years()
    plan = Plan.objects.filter(title__startswith=FALLBACK_NAME).first()
    if plan is None:
        plan = create_object(
            Plan,
            {
                "title": plan_title(FALLBACK_NAME),
                "kind": "实施方案",
                "region": world.city,
                "period_start": first,
                "period_end": last,
                "default_year": last,
                "issuers_text": "示例市人民政府办公室",
            },
            admin,
        )
    out = []
    for order, row in enumerate(FALLBACK_TARGETS):
        key, text, op, value, high, unit, year_of_plan, kind, direction, base_text, profile = row
        year = plan.period_start + year_of_plan
        target = Target.objects.filter(plan=plan, indicator_text=text, region=world.city).first()
        if target is None:
            target = create_object(
                Target,
                {
                    "plan": plan,
                    "indicator_text": text,
                    "op": op,
                    "value": Decimal(value),
                    "value_high": Decimal(high) if high else None,
                    "unit": unit,
                    "year": year,
                    "kind": kind,
                    "direction": direction,
                    "base_text": base_text,
                    "region": world.city,
                    "order": order,
                },
                admin,
            )
        indicator = Indicator.objects.get(key=key)
        units = [indicator.reporting_unit] if indicator.reporting_unit else []
        services.confirm_link(target, indicator, {}, units, admin)
        target.refresh_from_db()
        out.append((target, profile))
    return plan, out


def _progress(profile, share):
    return {
        "met": min(1.08, 0.35 + share * 1.4),
        "on_track": share * 1.02,
        "at_risk": share * 0.74,
        "behind": share * 0.3,
        "insufficient": share * 0.4,
    }[profile]


def _observe(target, profile, world, admin, region=None, baseline=None, goal=None, unit=None):
    indicator = target.link.indicator
    unit = unit or indicator.reporting_unit or world.unit("市市场监管局")
    region = region or world.city
    rng = _series_rng(indicator.key, target.link.params_key, region.code)
    start = first_month()
    deadline = datetime.date(target.year or target.plan.period_end or start.year + 3, 12, 31)
    span = (deadline - start).days
    goal = float(goal if goal is not None else target.value)
    low, high = indicator.bounds
    kind = "range" if target.op == "range" else target.kind
    if kind == "change":
        _observe_change(target, indicator, unit, region, admin, rng)
        return
    if baseline is None:
        if indicator.unit == "%" and goal > 80:
            gap = min(goal - 50, max(2.0, (100 - goal) * 2.5))
        else:
            gap = abs(goal) * 0.25 or 1
        baseline = goal - gap if target.direction == "up" else goal + gap
    if kind == "range":
        baseline, goal = (
            float(target.value) - 0.3,
            (float(target.value) + float(target.value_high)) / 2,
        )
    # figures at the indicator's grain (its period kind, per period or year to date)
    cadence = GRAIN_MONTHS.get(indicator.period_kind) or (
        1 if indicator.aggregation == "weighted_rate" else 3
    )
    months = [m for i, m in enumerate(_months()) if (i + 1) % cadence == 0]
    if profile == "insufficient":
        months = months[:2]
    previous_total = 0.0
    year_to_date: dict[int, float] = {}
    # a rate judged year to date (indicators.rate_year_to_date) follows the trend with its
    # year-to-date figure: each period's own rate is what brings the pooled rate onto the line
    pooled = (
        indicator.aggregation == "weighted_rate"
        and indicator.unit == "%"
        and not indicator.cumulative
        and cadence < 12
        and kind != "new"
    )
    passed_so_far: dict[int, int] = {}
    tested_so_far: dict[int, int] = {}
    for m in months:
        p_start = m.replace(day=1)
        if indicator.cumulative:
            p_start = datetime.date(m.year, 1, 1)
        elif cadence > 1:
            back = m.month - cadence + 1
            p_start = datetime.date(m.year + (back - 1) // 12, (back - 1) % 12 + 1, 1)
        p_end = _month_end(m)
        share = max(0.0, (p_end - start).days / span)
        progress = _progress(profile, share)
        if kind == "new":
            total = goal * progress
            value = max(0.0, round(total - previous_total))
            previous_total += value
            if indicator.cumulative:  # the year's additions so far
                value = year_to_date[m.year] = year_to_date.get(m.year, 0.0) + value
        else:
            noise = (goal - baseline) * rng.uniform(-0.06, 0.06)
            value = baseline + (goal - baseline) * progress + noise
            if pooled and tested_so_far.get(m.year):
                aim = baseline + (goal - baseline) * progress  # the year-to-date rate wanted
                before_n, before_k = tested_so_far[m.year], passed_so_far[m.year]
                # this period's rate, at the mean size of a period (drawn below)
                value = (aim * (before_n + 450) - before_k * 100) / 450 + noise
            if low is not None:
                value = max(low, value)
            if high is not None:
                value = min(high, value)
        if indicator.unit in services.COUNT_UNITS:
            value = round(value)
        numerator = denominator = None
        if indicator.aggregation == "weighted_rate" and indicator.unit == "%":
            denominator = rng.randint(300, 600)
            numerator = round(denominator * value / 100)
            value = numerator * 100 / denominator
            tested_so_far[m.year] = tested_so_far.get(m.year, 0) + denominator
            passed_so_far[m.year] = passed_so_far.get(m.year, 0) + numerator
        services.record_observation(
            indicator=indicator,
            region=region,
            period_start=p_start,
            period_end=p_end,
            period_kind={
                1: PeriodKind.MONTH,
                3: PeriodKind.QUARTER,
                6: PeriodKind.HALF,
                12: PeriodKind.YEAR,
            }[cadence],
            value=Decimal(str(round(value, 2))),
            numerator=numerator,
            denominator=denominator,
            unit=unit,
            user=admin,
            params=target.link.params,
        )


def _observe_change(target, indicator, unit, region, admin, rng):
    """A rate that must fall by target.value % on the previous year: quarterly year-to-date
    readings, or one figure a year for an annual indicator."""
    base = 0.24
    last, first = last_month(), first_month().year
    annual = indicator.period_kind == PeriodKind.YEAR
    for year in range(first, last.year + 1):
        # the plan's first year a little above the base, the second on it, then about 7%
        # lower every year
        factor = {first: 1.04, first + 1: 1.0}.get(year, 0.93 ** (year - first - 1))
        for quarter in range(4):
            p_start = datetime.date(year, quarter * 3 + 1, 1)
            p_end = _month_end(datetime.date(year, quarter * 3 + 3, 1))
            if p_start > last or (annual and (quarter < 3 or p_end > _month_end(last))):
                continue
            value = base * factor * (1 + rng.uniform(-0.01, 0.01)) - quarter * 0.002
            services.record_observation(
                indicator=indicator,
                region=region,
                period_start=datetime.date(year, 1, 1),
                period_end=p_end,
                period_kind=PeriodKind.YEAR if annual else PeriodKind.CUSTOM,
                value=Decimal(str(round(value, 3))),
                unit=unit,
                user=admin,
                params=target.link.params,
            )


def _decompose_food(target, world, admin):
    districts = [r for r in world.districts if r.level == RegionLevel.COUNTY]
    rng = _series_rng("decomposition", target.link.indicator.key)
    baselines = {r.name: Decimal(str(round(rng.uniform(96.2, 97.8), 1))) for r in districts}
    explicit = {districts[0].name: Decimal("98.8")}  # 江北区 takes a higher target
    services.decompose_target(target, districts, baselines=baselines, explicit=explicit, user=admin)
    district_profiles = [
        "on_track",
        "met",
        "at_risk",
        "on_track",
        "behind",
        "met",
        "on_track",
        "at_risk",
    ]
    for region, profile in zip(districts, district_profiles, strict=False):
        district_target = target.plan.targets.get(
            region=region, decomposed_from__target=target, decomposed_from__year=target.year
        )
        msa = world.units.get(f"{region.name}市场监管局") or world.unit("市市场监管局")
        _observe(
            district_target,
            profile,
            world,
            admin,
            region=region,
            baseline=float(baselines[region.name]),
            unit=msa,
        )


def _revision_example(targets, world, admin):
    """One corrected figure: the first value of the food target for the month before the last
    one is superseded."""
    food = next((t for t, _p in targets if t.link.indicator.key == "food_sampling_pass_rate"), None)
    if food is None:
        return
    obs = (
        Observation.objects.filter(
            indicator=food.link.indicator,
            region=world.city,
            period_start=(last_month() - datetime.timedelta(days=1)).replace(day=1),
            is_current=True,
        )
        .order_by("pk")
        .first()
    )
    if obs is None or obs.revision > 1:
        return
    services.record_observation(
        indicator=obs.indicator,
        region=obs.region,
        period_start=obs.period_start,
        period_end=obs.period_end,
        period_kind=obs.period_kind,
        value=obs.value + Decimal("0.1") if obs.value <= Decimal("99.9") else obs.value,
        numerator=None,
        denominator=None,
        unit=obs.unit,
        user=admin,
        params=obs.params,
    )
