"""Split a city target across districts and years, and the plan line 序时进度 is read from.

Pure Python (no Django). The indicators app stores the result as Decomposition rows; the
evaluation module reads a district's ``PlanLine`` through ``share_on(date)``.

Rules implemented (all 本地配置; nothing here is statutory):

- Rates and other non-additive targets (合格率, 满意度, 覆盖率; any level/range/change target
  such as 每万人口发明专利拥有量 or an index): every district's target equals the city target
  unless an explicit district value is given — they do not add up across districts.
- Counts and amounts of cumulative/new targets (个, 家, 项, 万亩, 亿元 …): district targets
  must sum to the city total.
  Shares (weights) are turned into values by the largest-remainder method at the unit's
  resolution (``quantum``: 1 for counts, 0.1 for 131.5万亩): every district first gets the
  floor of its exact share, then the units left over go to the largest remainders (ties:
  larger weight first, then the order given). Explicit district values are kept as given and
  the rest of the total is split over the remaining districts by weight; explicit values that
  exceed the total, or that cover every district but do not add up to it, are an error.
- Years: a level, stock or change target follows a straight line from the baseline year's
  value to the target year's value unless explicit per-year values are given (the last
  explicit year, if it is the target year, must equal the target). A ``new`` target (a count
  added over the period) is split into annual quotas by largest remainder, and its path is the
  running total.
- The plan line is piecewise linear through (start, baseline) and each year-end milestone;
  ``share_on(d)`` is the planned share of the way from baseline to target on date ``d``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

RATE_UNITS = ("%", "‰")


class DecompositionError(ValueError):
    """The requested split is inconsistent (the message says why, in Chinese)."""


def D(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


# ---------------------------------------------------------------- districts


def split_rate(
    city_value, regions: list[str], explicit: dict[str, object] | None = None
) -> dict[str, Decimal]:
    """District targets for a rate: the city value, unless a district has its own."""
    explicit = explicit or {}
    unknown = set(explicit) - set(regions)
    if unknown:
        raise DecompositionError(f"未知的区县：{'、'.join(sorted(unknown))}")
    return {r: D(explicit[r]) if r in explicit else D(city_value) for r in regions}


def largest_remainder(total, weights: dict[str, object], quantum=1) -> dict[str, Decimal]:
    """Split ``total`` in proportion to ``weights`` into multiples of ``quantum`` that sum to it."""
    total, quantum = D(total), D(quantum)
    if not weights:
        raise DecompositionError("没有可分配的区县")
    w = {k: D(v) for k, v in weights.items()}
    if any(v < 0 for v in w.values()):
        raise DecompositionError("权重不能为负数")
    wsum = sum(w.values())
    if wsum <= 0:
        raise DecompositionError("权重之和必须大于零")
    units_total = total / quantum
    if units_total != units_total.to_integral_value():
        raise DecompositionError(f"总量{total}不是最小单位{quantum}的整数倍")
    units_total = int(units_total)
    exact = {k: units_total * v / wsum for k, v in w.items()}
    floors = {k: int(x.to_integral_value(rounding=ROUND_FLOOR)) for k, x in exact.items()}
    left = units_total - sum(floors.values())
    order = list(w)
    ranked = sorted(order, key=lambda k: (-(exact[k] - floors[k]), -w[k], order.index(k)))
    for k in ranked[:left]:
        floors[k] += 1
    return {k: floors[k] * quantum for k in order}


def split_count(
    total,
    regions: list[str],
    *,
    weights: dict[str, object] | None = None,
    explicit: dict[str, object] | None = None,
    quantum=1,
) -> dict[str, Decimal]:
    """District targets for a count or amount; they always sum to ``total``.

    ``weights`` default to equal shares. ``explicit`` values are kept; the rest of the total is
    split over the other districts by weight.
    """
    total = D(total)
    explicit = {k: D(v) for k, v in (explicit or {}).items()}
    weights = weights or {r: 1 for r in regions}
    unknown = (set(explicit) | set(weights)) - set(regions)
    if unknown:
        raise DecompositionError(f"未知的区县：{'、'.join(sorted(unknown))}")
    fixed = sum(explicit.values(), Decimal(0))
    rest = [r for r in regions if r not in explicit]
    if fixed > total:
        raise DecompositionError(f"各区县指定值合计{fixed}超过全市目标{total}")
    if not rest:
        if fixed != total:
            raise DecompositionError(f"各区县指定值合计{fixed}不等于全市目标{total}")
        return {r: explicit[r] for r in regions}
    rest_weights = {r: weights.get(r, 0) for r in rest}
    if sum(D(v) for v in rest_weights.values()) <= 0:
        if fixed != total:
            raise DecompositionError(f"其余区县权重均为零，指定值合计{fixed}不等于全市目标{total}")
        return {r: explicit.get(r, Decimal(0)) for r in regions}
    shares = largest_remainder(total - fixed, rest_weights, quantum)
    return {r: explicit[r] if r in explicit else shares[r] for r in regions}


# ---------------------------------------------------------------- years


def year_path(
    baseline,
    baseline_year: int,
    target,
    target_year: int,
    *,
    kind: str = "level",
    explicit: dict[int, object] | None = None,
    places: int | None = 2,
    quantum=1,
) -> dict[int, Decimal]:
    """Milestones for each year after the baseline year up to the target year.

    level / cumulative / change / range: the value to reach by the end of each year (straight
    line unless explicit). new: the running total of annual quotas (baseline ignored; quotas
    by largest remainder at ``quantum``, or the explicit annual quotas).
    """
    if target_year <= baseline_year:
        raise DecompositionError("目标年份必须晚于基期年份")
    years = list(range(baseline_year + 1, target_year + 1))
    explicit = {int(k): D(v) for k, v in (explicit or {}).items()}
    bad = set(explicit) - set(years)
    if bad:
        raise DecompositionError(f"年份{'、'.join(map(str, sorted(bad)))}不在规划期内")
    target = D(target)
    if kind == "new":
        fixed = sum(explicit.values(), Decimal(0))
        rest = [y for y in years if y not in explicit]
        if fixed > target or (not rest and fixed != target):
            raise DecompositionError(f"各年度指定新增量合计{fixed}与目标{target}不一致")
        quotas = dict(explicit)
        if rest:
            quotas.update(largest_remainder(target - fixed, {y: 1 for y in rest}, quantum))
        out, running = {}, Decimal(0)
        for y in years:
            running += quotas[y]
            out[y] = running
        return out
    baseline = D(baseline)
    if target_year in explicit and explicit[target_year] != target:
        raise DecompositionError(
            f"{target_year}年的指定值{explicit[target_year]}与目标{target}不一致"
        )
    out = {}
    span = target_year - baseline_year
    for y in years:
        if y in explicit:
            out[y] = explicit[y]
            continue
        v = baseline + (target - baseline) * (y - baseline_year) / span
        if places is not None:
            v = v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        out[y] = v
    return out


# ---------------------------------------------------------------- plan line


@dataclass(frozen=True)
class PlanLine:
    """Piecewise-linear planned value over time; 序时进度 is read from it."""

    points: tuple[tuple[date, Decimal], ...]  # sorted by date; first is (start, baseline)
    baseline: Decimal
    target: Decimal

    @classmethod
    def straight(cls, start: date, deadline: date, baseline, target) -> PlanLine:
        return cls(((start, D(baseline)), (deadline, D(target))), D(baseline), D(target))

    @classmethod
    def from_year_path(cls, start: date, baseline, path: dict[int, object]) -> PlanLine:
        """Milestones are reached at the end of each year (31 December)."""
        pts = [(start, D(baseline))]
        for y in sorted(path):
            end = date(y, 12, 31)
            if end > start:
                pts.append((end, D(path[y])))
        return cls(tuple(pts), D(baseline), pts[-1][1])

    def value_on(self, d: date) -> Decimal:
        pts = self.points
        if d <= pts[0][0]:
            return pts[0][1]
        for (d0, v0), (d1, v1) in zip(pts, pts[1:], strict=False):
            if d <= d1:
                span = (d1 - d0).days
                if span <= 0:
                    return v1
                return v0 + (v1 - v0) * Decimal((d - d0).days) / Decimal(span)
        return pts[-1][1]

    def share_on(self, d: date) -> float:
        """Planned share of the way from baseline to target on ``d`` (0..1)."""
        gap = self.target - self.baseline
        if gap == 0:
            return 1.0
        return float((self.value_on(d) - self.baseline) / gap)


# ---------------------------------------------------------------- whole decomposition


@dataclass
class DistrictTarget:
    region: str
    value: Decimal  # the district's target at the deadline
    baseline: Decimal | None
    years: dict[int, Decimal] = field(default_factory=dict)  # milestones by year
    plan_line: PlanLine | None = None


def decompose(
    *,
    city_value,
    unit: str,
    kind: str,
    regions: list[str],
    start: date,
    deadline: date,
    baselines: dict[str, object] | None = None,
    weights: dict[str, object] | None = None,
    explicit: dict[str, object] | None = None,
    explicit_years: dict[str, dict[int, object]] | None = None,
    quantum=1,
    places: int | None = 2,
    additive: bool | None = None,
) -> list[DistrictTarget]:
    """District targets with their yearly milestones and plan lines.

    Non-additive targets copy the city value unless ``explicit``: rates (unit % or ‰) and
    every level, range or change target (a per-capita figure or an index does not add up
    across districts). Additive targets — cumulative and new counts or amounts — are split by
    ``weights`` / ``explicit`` and sum to ``city_value``. ``additive`` overrides the choice.
    Each district's years run from the year before ``start`` (its baseline year) to the
    deadline year.
    """
    baselines = {k: D(v) for k, v in (baselines or {}).items()}
    explicit_years = explicit_years or {}
    if additive is None:
        additive = kind in ("cumulative", "new") and unit not in RATE_UNITS
    if not additive:
        values = split_rate(city_value, regions, explicit)
    else:
        values = split_count(
            city_value, regions, weights=weights, explicit=explicit, quantum=quantum
        )
    out = []
    for r in regions:
        base = D(0) if kind == "new" else baselines.get(r)
        dt = DistrictTarget(r, values[r], base)
        if base is not None:
            dt.years = year_path(
                base,
                start.year - 1,
                values[r],
                deadline.year,
                kind=kind,
                explicit=explicit_years.get(r),
                places=places,
                quantum=quantum,
            )
            dt.plan_line = PlanLine.from_year_path(start, base, dt.years)
        out.append(dt)
    return out
