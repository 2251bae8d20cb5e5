"""A target's status (已达成 / 进度正常 / 存在风险 / 严重滞后 / 数据不足) from its linked
indicator's observations, through the pure ``evaluation`` module.

``StatusBoard`` loads the rules once and the observations of many targets in one query, so a
dashboard costs a fixed number of queries whatever its number of targets. ``target_status``
is the one-target entry point; given the request it reuses the request's board.

Where both reported (填报/导入) and computed figures exist for a target's variant, both are
kept on the result; the one evaluated is chosen by ``Indicator.prefer``: the preferred series,
preceded by the other series' figures for the periods that end before the preferred series
begins (so a computed series that starts mid-plan still has the reported history as its
baseline and trend), or the other series alone when the preferred one is empty.

A cumulative indicator (year-to-date figures, ``Indicator.cumulative``) feeding a 新增 target
is turned into per-period additions first (``increments``).

Time axis: a figure counts once its period has started (``period_start <= on``) and is dated
``min(period_end, on)`` — the current month's computed figure is seen, as of today, before
the month ends.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import rulebook

from . import computed as computed_seam
from . import evaluation
from .choices import LinkState, Prefer, Source
from .decomposition import PlanLine
from .models import Decomposition, Observation, params_key

RULE_KEYS = {
    "yellow_lag": "tracking.lag_yellow_points",
    "red_lag": "tracking.lag_red_points",
    "min_observations": "indicators.min_observations",
    "current_period_months": "indicators.current_period_months",
    "forecast_window": "indicators.forecast_window",
    "confidence": "indicators.forecast_confidence_percent",
    "forecast_downgrade": "indicators.forecast_downgrade",
    "approx_tolerance_percent": "indicators.approx_tolerance_percent",
    "min_sample_size": "indicators.min_sample_size",
    "year_to_date": "indicators.rate_year_to_date",
}


class SeriesPoint(NamedTuple):
    """One current observation as the board reads it (plain tuple: no model per row)."""

    pk: int
    indicator_id: int
    params_key: str
    region_id: int
    period_kind: str
    period_start: datetime.date
    period_end: datetime.date
    value: object
    numerator: object
    denominator: object
    source: str
    url: str
    pooled: int = 1  # how many periods' samples this figure sums (pool_rates); not a column

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(f for f in cls._fields if f != "pooled")


def rule_arguments() -> dict:
    """The evaluation's thresholds, read from the rule table (never literals)."""
    found = rulebook.values(RULE_KEYS.values())
    args = {name: found[key] for name, key in RULE_KEYS.items()}
    args["yellow_lag"] = float(args["yellow_lag"])
    args["red_lag"] = float(args["red_lag"])
    args["min_observations"] = int(args["min_observations"])
    args["current_period_months"] = int(args["current_period_months"])
    args["forecast_window"] = int(args["forecast_window"])
    args["confidence"] = float(args["confidence"]) / 100
    args["forecast_downgrade"] = bool(int(args["forecast_downgrade"]))
    args["approx_tolerance_percent"] = float(args["approx_tolerance_percent"])
    args["min_sample_size"] = int(args["min_sample_size"])
    args["year_to_date"] = bool(int(args["year_to_date"]))
    return args


@dataclass
class TargetResult:
    target: object
    indicator: object
    evaluation: evaluation.TargetEvaluation
    spec: evaluation.TargetSpec
    used_source: str  # "reported" or "computed"
    reported: list = field(default_factory=list)  # current Observations, oldest first
    computed: list = field(default_factory=list)
    plan_line: PlanLine | None = None
    on: datetime.date | None = None
    series: list = field(default_factory=list)  # the figures evaluated (see ``used_series``)
    compute_state: str = ""  # computed.check: none / ok / refused / missing
    compute_reason: str = ""  # why system figures are not used (refused, missing)
    population: str = ""  # what a computed figure counts ("市场监管部门食品监督抽检")
    min_sample_size: int = 0  # indicators.min_sample_size, as the evaluation applied it

    @property
    def latest(self):
        """The newest figure of the series the target is judged on, or None."""
        return self.series[-1] if self.series else None

    @property
    def figure(self):
        """The figure the light is judged on: the newest one of the series that is evidence
        (a rate from fewer than the minimum samples is not), or None. The dashboard, the
        light history and the 考核 read the same figure."""
        if self.evaluation.current is None:
            return None
        rate = self.indicator.aggregation == "weighted_rate"
        for o in reversed(self.series):
            if self.when(o) > self.spec.deadline:
                continue  # past the deadline the final figure dated on or before it counts
            if rate and o.denominator is not None and o.denominator < self.min_sample_size:
                continue
            return o
        return None

    @property
    def figure_line(self) -> str:
        """The judged figure in words, with its period and n: "2026年1—8月（本年累计）
        97.2%，n = 235" — the period a pooled rate covers, never the last month alone."""
        o = self.figure
        if o is None or self.spec.kind == "new":
            return ""  # a 新增 target is judged on the additions summed, said in its explanation
        text = period_label(o)
        if getattr(o, "pooled", 1) > 1:
            text += _("（本年累计）")
        text += " " + evaluation.fmt_value(float(o.value), self.spec.unit)
        if o.denominator is not None:
            text += _("，n = %(n)s") % {"n": evaluation.fmt_number(float(o.denominator))}
        return text

    @property
    def forecast_line(self) -> str:
        """The forecast at the deadline with its band, formatted like the explanation's:
        "97.41%（92.54%–100%）"."""
        f = self.evaluation.forecast
        if f is None:
            return ""
        unit = self.spec.unit
        return (
            f"{evaluation.fmt_value(f.value, unit)}"
            f"（{evaluation.fmt_value(f.low, unit)}–{evaluation.fmt_value(f.high, unit)}）"
        )

    @property
    def thin_latest(self):
        """The newest figure of the series when it is a rate from fewer than the minimum
        samples (样本不足) and therefore not the figure judged, or None: a page showing the
        judged figure says beside it that a newer one exists and why it is not used."""
        latest = self.latest
        if latest is None or latest is self.figure:
            return None
        if self.indicator.aggregation != "weighted_rate" or latest.denominator is None:
            return None
        return latest if latest.denominator < self.min_sample_size else None

    @property
    def population_n(self):
        """The sample size of the latest computed figure used, or None."""
        for o in reversed(self.series):
            if o.source == Source.COMPUTED and o.denominator is not None:
                return int(o.denominator)
        return None

    def when(self, o) -> datetime.date:
        """The date a figure is evaluated at: its period end, or ``on`` while it runs."""
        return as_of(o, self.on)

    @property
    def status(self) -> str:
        return self.evaluation.status.value

    @property
    def status_label(self) -> str:
        return self.evaluation.status.label

    @property
    def light(self) -> str:
        return self.evaluation.light.value

    @property
    def light_css(self) -> str:
        return self.evaluation.light.css

    @property
    def explanation(self) -> str:
        return self.evaluation.explanation

    @property
    def used(self) -> list:
        return self.series

    @property
    def filled(self) -> int:
        """How many figures of the other source precede the preferred series."""
        return sum(1 for o in self.series if (o.source == Source.COMPUTED) != self.is_computed)

    @property
    def is_computed(self) -> bool:
        return self.used_source == Source.COMPUTED

    @property
    def latest_reported(self):
        return self.reported[-1] if self.reported else None

    @property
    def latest_computed(self):
        return self.computed[-1] if self.computed else None

    @property
    def elapsed_percent(self):
        e = self.evaluation.elapsed_share
        return None if e is None else round(e * 100)

    @property
    def progress_percent(self):
        p = self.evaluation.progress
        return None if p is None else round(p * 100)

    @property
    def progress_text(self) -> str:
        """实际完成 as every page shows it (``TargetEvaluation.progress_text``)."""
        return self.evaluation.progress_text

    @property
    def progress_line(self) -> str:
        """ "实际完成：67%" as a labelled line; a note that names 实际完成 itself
        ("实际完成进度无法判断：…") is not labelled twice."""
        text = self.progress_text
        if text.startswith("实际完成"):
            return text
        return _("实际完成：%(text)s") % {"text": text}

    def chart(self) -> dict:
        """Series for the trend chart: observations, target line, 序时进度 line, forecast band."""
        spec, e = self.spec, self.evaluation

        def point(d, v):
            return [d.isoformat(), None if v is None else round(float(v), 4)]

        when = self.when
        data = {
            "unit": spec.unit,
            "reported": [point(when(o), o.value) for o in self.reported],
            "computed": [point(when(o), o.value) for o in self.computed],
            "pooled": [],  # year-to-date rates (pool_rates): the line the light reads
            "target": [],
            "target_high": [],
            "plan": [],
            "forecast": [],
            "band_low": [],
            "band_width": [],
        }
        if any(getattr(o, "pooled", 1) > 1 for o in self.series):
            data["pooled"] = [point(when(o), o.value) for o in self.series]
        if e.threshold is not None:
            data["target"] = [point(spec.start, e.threshold), point(spec.deadline, e.threshold)]
        if e.threshold_high is not None:
            data["target_high"] = [
                point(spec.start, e.threshold_high),
                point(spec.deadline, e.threshold_high),
            ]
        if self.plan_line is not None:
            data["plan"] = [point(d, v) for d, v in self.plan_line.points]
        else:
            series = self.used
            base = spec.baseline
            if base is None and series:
                base = float(series[0].value)  # the first figure inside the plan's period
            if base is not None and e.threshold is not None:
                aim = e.threshold
                if e.threshold_high is not None and base > e.threshold_high:
                    aim = e.threshold_high
                data["plan"] = [point(spec.start, base), point(spec.deadline, aim)]
        f = e.forecast
        used = self.used
        if f is not None and used:
            last = used[-1]
            last_value = float(last.value)
            if spec.kind == "new" and spec.observation_mode == "flow":
                last_value = e.current if e.current is not None else last_value
            data["forecast"] = [point(when(last), last_value), point(f.at, f.value)]
            data["band_low"] = [point(when(last), last_value), point(f.at, f.low)]
            data["band_width"] = [point(when(last), 0), point(f.at, f.high - f.low)]
        return data


def period_label(o) -> str:
    """The period a figure covers, in words: 2035年6月, 2035年1—6月, 2035年."""
    start, end = o.period_start, o.period_end
    if start.year != end.year:
        return f"{start.year}年{start.month}月—{end.year}年{end.month}月"
    if start.month == 1 and end.month == 12:
        return f"{end.year}年"
    if start.month == end.month:
        return f"{end.year}年{end.month}月"
    return f"{end.year}年{start.month}—{end.month}月"


def as_of(o, on: datetime.date | None) -> datetime.date:
    """A figure is evaluated at the end of its period, or at ``on`` while the period runs."""
    return o.period_end if on is None else min(o.period_end, on)


def used_series(prefer: str, reported: list, computed: list) -> tuple[str, list]:
    """(source, figures) a target is judged on: the preferred series, preceded by the other
    series' figures whose periods end before the preferred series' first period starts; the
    other series alone when the preferred one is empty. Both lists are oldest first."""
    first, other = (computed, reported) if prefer == Prefer.COMPUTED else (reported, computed)
    source = Source.COMPUTED if prefer == Prefer.COMPUTED else Source.REPORTED
    if not first:
        if not other:
            return source, []
        return (Source.REPORTED if source == Source.COMPUTED else Source.COMPUTED), list(other)
    begins = min(o.period_start for o in first)
    return source, [o for o in other if o.period_end < begins] + list(first)


def increments(figures: list) -> list[float]:
    """Per-period additions of a cumulative (year-to-date) series, oldest first: the first
    figure of a year is its own addition, each later one adds what exceeds the previous
    figure of the same year (so a 新增 target never counts a year-to-date total twice)."""
    out, previous = [], {}
    for o in figures:
        year = o.period_end.year
        value = float(o.value)
        out.append(value - previous.get(year, 0.0))
        previous[year] = value
    return out


def in_plan_period(figures: list, spec) -> list:
    """The figures whose periods lie inside the plan's period (start → deadline)."""
    return [o for o in figures if o.period_end >= spec.start and o.period_start <= spec.deadline]


def pool_rates(figures: list, start: datetime.date, unit: str) -> list:
    """Rate figures as they are judged (rule ``indicators.rate_year_to_date``): each one pooled
    with the earlier figures of the same source and period kind in its year (not before the
    plan's start), successes and samples summed — 1—8月 242/249 = 97.2%, not August's 30/30 =
    100% alone. The December figure is the year's own rate. A figure without numerator and
    denominator, or covering a whole year already, is kept as it is."""
    scale = Decimal(1000) if unit == "‰" else Decimal(100)
    out = []
    for i, o in enumerate(figures):
        if o.numerator is None or o.denominator is None:
            out.append(o)
            continue
        since = max(start, datetime.date(o.period_end.year, 1, 1))
        mates = [
            p
            for p in figures[: i + 1]
            if p.source == o.source
            and p.period_kind == o.period_kind
            and p.numerator is not None
            and p.denominator
            and p.period_start >= since
            and p.period_end <= o.period_end
        ]
        if len(mates) < 2:
            out.append(o)
            continue
        successes = sum(Decimal(p.numerator) for p in mates)
        samples = sum(Decimal(p.denominator) for p in mates)
        out.append(
            o._replace(
                period_start=min(p.period_start for p in mates),
                value=(successes / samples * scale).quantize(Decimal("0.01")),
                numerator=successes,
                denominator=samples,
                pooled=len(mates),
            )
        )
    return out


def target_region_id(target, city_id):
    return target.region_id or target.plan.region_id or city_id


def target_spec(target, indicator, observations, on) -> evaluation.TargetSpec:
    plan = target.plan
    end_year = target.year or plan.period_end or on.year
    start_year = plan.period_start or end_year
    start = datetime.date(min(start_year, end_year), 1, 1)
    deadline = datetime.date(end_year, 12, 31)
    kind = "range" if target.op == "range" else target.kind
    spec = evaluation.TargetSpec(
        start=start,
        deadline=deadline,
        kind=kind,
        op=target.op,
        value=float(target.value),
        high=None if target.value_high is None else float(target.value_high),
        direction=target.direction,
        unit=indicator.unit if indicator.unit else target.unit,
        year_label=end_year,
        observation_mode="stock" if indicator.aggregation == "latest" else "flow",
    )
    bounds = indicator.bounds
    if bounds != (None, None):
        spec.bounds = bounds
    if kind == "change":
        base_year = target.base_year or (
            end_year - 1 if "上年" in (target.base_text or "") else start.year - 1
        )
        spec.base_year = base_year
        if target.unit in ("%", "％"):
            spec.change_mode = "percent"
        elif target.unit in ("倍",):
            spec.change_mode = "multiple"
        else:
            spec.change_mode = "absolute"
        in_base = [o for o in observations if o.period_end.year == base_year]
        if in_base:
            spec.baseline = float(in_base[-1].value)
            spec.baseline_on = in_base[-1].period_end
        if base_year >= start.year:  # 比上年: judged over the target year only
            spec.start = datetime.date(base_year + 1, 1, 1)
    return spec


class StatusBoard:
    """Statuses of many targets on one date, with one observation query per batch."""

    def __init__(self, on: datetime.date | None = None):
        self.on = on or timezone.localdate()
        self.rules = rule_arguments()
        self._series: dict[tuple, dict[str, list]] = {}
        self._lines: dict[int, PlanLine] = {}
        self._results: dict[int, TargetResult | None] = {}
        self._city_id = None

    def _city(self):
        if self._city_id is None:
            from qcity.core.choices import RegionLevel
            from qcity.core.models import Region

            self._city_id = (
                Region.objects.filter(level=RegionLevel.CITY)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
        return self._city_id

    @staticmethod
    def _link(target):
        link = getattr(target, "link", None) if _has_link(target) else None
        if link is None or link.state != LinkState.CONFIRMED or link.indicator_id is None:
            return None
        return link

    def prefetch(self, targets, region_id=None):
        """Load the observations and plan lines the given targets need (two queries);
        ``region_id`` reads the figures of another region than the targets' own."""
        city = self._city()
        wanted = {}
        for target in targets:
            link = self._link(target)
            if link is None:
                continue
            region = region_id or target_region_id(target, city)
            key = (link.indicator_id, params_key(link.params), region)
            if key not in self._series:
                wanted[key] = {"reported": [], "computed": []}
        if wanted:
            by_region = defaultdict(set)
            for ind_id, _key, region_id in wanted:
                by_region[region_id].add(ind_id)
            combos = Q(pk__in=[])
            for region_id, ind_ids in by_region.items():
                combos |= Q(region_id=region_id, indicator_id__in=ind_ids)
            rows = (
                Observation.objects.filter(
                    combos, is_current=True, is_void=False, period_start__lte=self.on
                )
                .order_by("period_end", "pk")
                .values_list(*SeriesPoint.columns())
            )
            for row in rows:
                point = SeriesPoint(*row)
                bucket = wanted.get((point.indicator_id, point.params_key, point.region_id))
                if bucket is not None:
                    bucket["computed" if point.source == Source.COMPUTED else "reported"].append(
                        point
                    )
            self._series.update(wanted)
        ids = [t.pk for t in targets if t.pk not in self._lines]
        if ids:
            by_target = defaultdict(list)
            for d in Decomposition.objects.filter(district_target_id__in=ids).order_by("year"):
                by_target[d.district_target_id].append(d)
            for target in targets:
                rows = by_target.get(target.pk)
                if rows and rows[0].baseline is not None:
                    start = datetime.date(target.plan.period_start or rows[0].year, 1, 1)
                    self._lines[target.pk] = PlanLine.from_year_path(
                        start, rows[0].baseline, {d.year: d.value for d in rows}
                    )

    def pools(self, indicator) -> bool:
        """Whether the indicator's figures are judged pooled year to date (``pool_rates``):
        a per-period rate, with the rule on."""
        return (
            indicator.aggregation == "weighted_rate"
            and not indicator.cumulative
            and self.rules["year_to_date"]
        )

    def status(self, target, region_id=None) -> TargetResult | None:
        """None when the target has no confirmed indicator link. ``region_id`` judges the
        target on another region's figures (a district measured against a city target)."""
        cache = target.pk if region_id is None else (target.pk, region_id)
        if cache in self._results:
            return self._results[cache]
        link = self._link(target)
        if link is None:
            self._results[cache] = None
            return None
        region = region_id or target_region_id(target, self._city())
        key = (link.indicator_id, params_key(link.params), region)
        if key not in self._series:
            self.prefetch([target], region_id=region_id)
        series = self._series[key]
        indicator = link.indicator
        reported, computed = series["reported"], series["computed"]
        state, reason = computed_seam.check(indicator.computed_by, link.params)
        population = ""
        if state in (computed_seam.REFUSED, computed_seam.MISSING):
            computed = []  # a refused or missing computer's figures are never used
        elif state == computed_seam.OK:
            population = computed_seam.get(indicator.computed_by).population(link.params)
        prefer = indicator.prefer if state in (computed_seam.OK, computed_seam.NONE) else "reported"
        used_source, used = used_series(prefer, reported, computed)
        used.sort(key=lambda o: (as_of(o, self.on), o.pk))
        spec = target_spec(target, indicator, used, self.on)
        # Only figures inside the plan's period judge it; earlier or later ones are history
        # (a change target's base value was taken from its base year above).
        used = in_plan_period(used, spec)
        plan_line = self._lines.get(target.pk)
        rate = indicator.aggregation == "weighted_rate"
        if self.pools(indicator):
            used = pool_rates(used, spec.start, spec.unit)
        # the trend is drawn from the judged source alone: a reported history that precedes a
        # computed series counts another population, and a line through both mixes them
        own = [as_of(o, self.on) for o in used if o.source == used_source]
        forecast_since = own[0] if own else None
        values = [float(o.value) for o in used]
        if indicator.cumulative and spec.kind == "new" and spec.observation_mode == "flow":
            values = increments(used)
        result = evaluation.evaluate(
            spec,
            [
                evaluation.Observation(
                    as_of(o, self.on),
                    value,
                    n=int(o.denominator) if rate and o.denominator is not None else None,
                    successes=float(o.numerator) if rate and o.numerator is not None else None,
                )
                for o, value in zip(used, values, strict=True)
            ],
            self.on,
            plan_line=plan_line,
            forecast_since=forecast_since,
            **{k: v for k, v in self.rules.items() if k != "year_to_date"},
        )
        out = TargetResult(
            target=target,
            indicator=indicator,
            evaluation=result,
            spec=spec,
            used_source=used_source,
            reported=reported,
            computed=computed,
            plan_line=plan_line,
            on=self.on,
            series=used,
            compute_state=state,
            compute_reason=reason,
            population=population,
            min_sample_size=self.rules["min_sample_size"],
        )
        self._results[cache] = out
        return out


def _has_link(target) -> bool:
    try:
        target.link  # noqa: B018
    except Exception:
        return False
    return True


def board_for(request=None, on: datetime.date | None = None) -> StatusBoard:
    """The request's board (cached per request and date), or a fresh one."""
    if request is None:
        return StatusBoard(on)
    boards = request.__dict__.setdefault("_indicator_boards", {})
    key = on or timezone.localdate()
    if key not in boards:
        boards[key] = StatusBoard(key)
    return boards[key]


def target_status(target, on: datetime.date | None = None, request=None) -> TargetResult | None:
    """The evaluation of one target on ``on`` (default today), or None if it is not linked."""
    return board_for(request, on).status(target)
