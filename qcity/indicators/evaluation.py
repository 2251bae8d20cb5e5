"""Target status against the time-proportional plan (序时进度) with a trend forecast.

Pure Python (no Django, no scipy). The indicators app feeds it a target and the Observations
of the linked indicator; pages and the 亮灯 board show the returned status, light and Chinese
explanation.

Rules implemented (defaults are declared in ``qcity/indicators/rules.py``):

- 亮灯 by lag behind 序时进度 — REFERENCE.md §11, Yinchuan 2025 [S]: lag below
  ``tracking.lag_yellow_points`` (10) is green; from 10 up to and including
  ``tracking.lag_red_points`` (30) is yellow (存在风险); more than 30 is red (严重滞后).
- 序时进度 — the elapsed share of the plan period (start date → deadline) on the evaluation
  date, or the share given by a decomposition plan line (``decomposition.PlanLine``).
- Actual progress — (current − baseline) / (target − baseline) for an "up" target, and
  (baseline − current) / (baseline − target) for a "down" one.
- Data sufficiency — ``indicators.min_observations`` (3) and
  ``indicators.current_period_months`` (12): fewer observations, or none in the current
  window, gives 数据不足 — except that a target already met is 已达成 when the evidence is
  still good: a stock or count target (cumulative/new) stays achieved once met, a level,
  range or change target needs its meeting observation inside the current window.
- Past the deadline and not met: 严重滞后 whatever the lag.
- Forecast — ordinary least squares over the last ``indicators.forecast_window`` (5)
  observations of the judged source (``forecast_since``), time as a fractional year, with a two-sided prediction interval at the
  deadline (confidence ``indicators.forecast_confidence_percent``, 95). Student-t quantiles
  are computed here (regularised incomplete beta + bisection); see docs/forecast.md.
  A rate's band is never narrower than its latest figure's Wilson interval.
  The forecast and its band are clipped to the indicator's bounds (a rate never exceeds
  100%) when the target carries them.
  The forecast runs forward only: it is made while the evaluation date and the last figure
  are before the deadline. With ``indicators.forecast_downgrade`` on, a green target whose
  forecast misses the target is shown yellow; an achieved target has no forecast (a light
  and its forecast never contradict, docs/forecast.md §2a).
- Past the deadline the target is judged on the final figure (dated on or before it).
- 实际完成 is never a misleading number: a figure on the wrong side of the baseline is said as
  "低于基线X个百分点", and when the latest rate's Wilson interval is wider than the whole gap
  from baseline to target the progress is said to be undeterminable from n samples (n and
  the interval shown) — ``TargetEvaluation.progress_text``, the one wording every page uses.
- Small samples: rate figures with fewer than ``indicators.min_sample_size`` samples are not
  evidence (样本不足); the latest figure's Wilson interval (qcity/inspection/stats.py) is shown
  and turns a red light whose shortfall lies within sampling error into yellow.
- 左右/约 targets use ``indicators.approx_tolerance_percent`` (2% of the target) unless the
  target gives its own tolerance.

Target kinds: ``level`` (op ≥ > ≤ < = ~), ``range`` [low, high], ``cumulative`` (a stock to
reach), ``new`` (a count added since the plan start: flows are summed, or stock readings are
differenced from the baseline), and ``change`` (relative to a base value: percent,
multiple such as 翻番, absolute, or compound annual percent).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from qcity.indicators.rules import default

# ---------------------------------------------------------------- choices


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"

    @property
    def label(self) -> str:
        return {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "灰灯"}[self.value]

    @property
    def css(self) -> str:
        """Bootstrap colour name, as used by ``core.choices.ColouredChoices``."""
        return {"green": "success", "yellow": "warning", "red": "danger", "grey": "secondary"}[
            self.value
        ]


class TargetStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    INSUFFICIENT = "insufficient"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self.value]

    @property
    def light(self) -> Light:
        return _STATUS_LIGHTS[self.value]

    @property
    def colour(self) -> str:
        return self.light.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


_STATUS_LABELS = {
    "achieved": "已达成",
    "on_track": "进度正常",
    "at_risk": "存在风险",
    "behind": "严重滞后",
    "insufficient": "数据不足",
}
_STATUS_LIGHTS = {
    "achieved": Light.GREEN,
    "on_track": Light.GREEN,
    "at_risk": Light.YELLOW,
    "behind": Light.RED,
    "insufficient": Light.GREY,
}

KINDS = ("level", "range", "cumulative", "new", "change")
OPS = (">=", ">", "<=", "<", "=", "~", "range")
CHANGE_MODES = ("percent", "multiple", "absolute", "annual_percent")

# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Observation:
    on: date  # the date the value refers to (end of its period)
    value: float
    n: int | None = None  # sample size of a rate (denominator), when known
    successes: float | None = None  # numerator of a rate, when known


@dataclass(kw_only=True)
class TargetSpec:
    start: date  # plan period start (序时进度 counts from here)
    deadline: date  # the date the target must be met by (到2025年 → 2025-12-31)
    kind: str = "level"
    op: str = ">="
    value: float | None = None  # target; for change targets the change amount (2 for 2%)
    high: float | None = None  # upper bound of a range target (value is the lower)
    direction: str | None = None  # "up" / "down"; None: taken from op (≤, < → down)
    baseline: float | None = None  # value at start; for change targets the base value
    baseline_on: date | None = None  # date of the baseline; counts as a data point if given
    unit: str = ""
    tolerance: float | None = None  # absolute tolerance for "~" and "="
    change_mode: str = "percent"
    base_year: int | None = None  # for annual_percent: compounding from this year
    year_label: int | None = None  # the year named in explanations (default: deadline year)
    observation_mode: str = "flow"  # for new targets: "flow" (per-period additions) or "stock"
    bounds: tuple[float | None, float | None] | None = None  # indicator bounds, e.g. (0, 100)

    def resolved_direction(self) -> str:
        if self.direction in ("up", "down"):
            return self.direction
        return "down" if self.op in ("<=", "<") else "up"


@dataclass(frozen=True)
class Forecast:
    at: date
    value: float
    low: float
    high: float
    n: int
    slope: float  # per year
    intercept: float
    s: float  # residual standard error
    t: float  # Student-t quantile used
    confidence: float


@dataclass
class TargetEvaluation:
    status: TargetStatus
    explanation: str
    current: float | None = None
    threshold: float | None = None  # the value compared against (derived for change targets)
    threshold_high: float | None = None  # for range targets
    elapsed_share: float | None = None  # 序时进度, 0..1
    progress: float | None = None  # actual completion, may be < 0 or > 1
    lag_points: float | None = None  # (elapsed − progress) × 100; positive means behind
    forecast: Forecast | None = None
    met: bool = False
    observations_used: int = 0
    notes: list[str] = field(default_factory=list)
    sample_n: int | None = None  # sample size of the latest rate figure
    sample_interval: tuple[float, float] | None = None  # its Wilson interval, in the unit
    small_sample: bool = False  # judged 样本不足
    progress_note: str = ""  # said instead of a meaningless 实际完成 percentage (progress_text)
    progress_unknown: bool = False  # the note says the sampling error exceeds the whole gap

    @property
    def progress_text(self) -> str:
        """实际完成 as shown on every page: a percentage, or why none can be given
        (below the baseline; the rate's interval wider than the baseline→target gap)."""
        if self.progress_note:
            return self.progress_note
        return "—" if self.progress is None else fmt_share(self.progress)

    @property
    def light(self) -> Light:
        return self.status.light

    def as_dict(self) -> dict:
        f = self.forecast
        return {
            "status": self.status.value,
            "status_label": self.status.label,
            "light": self.light.value,
            "explanation": self.explanation,
            "current": self.current,
            "threshold": self.threshold,
            "threshold_high": self.threshold_high,
            "elapsed_share": self.elapsed_share,
            "progress": self.progress,
            "lag_points": self.lag_points,
            "met": self.met,
            "observations_used": self.observations_used,
            "forecast": None
            if f is None
            else {"at": f.at.isoformat(), "value": f.value, "low": f.low, "high": f.high, "n": f.n},
        }


# ---------------------------------------------------------------- statistics


def fractional_year(d: date) -> float:
    """2024-01-01 → 2024.0; 2024-07-02 → 2024.5 (leap year: day 183 of 366)."""
    start = date(d.year, 1, 1)
    days = (date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    log_front += a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom."""
    x = df / (df + t * t)
    tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, x)
    return 1.0 - tail if t >= 0 else tail


@functools.lru_cache(maxsize=256)  # pure and costly (bisection); few (p, df) pairs occur
def t_quantile(p: float, df: float) -> float:
    """The t with P(T ≤ t) = p, by bisection on ``t_cdf`` (|error| < 1e-10)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2.0


def linear_forecast(
    points: list[tuple[float, float]], x0: float, confidence: float = 0.95
) -> tuple[float, float, float, dict] | None:
    """OLS line through (x, y) points; point forecast and prediction interval at ``x0``.

    Returns ``(value, low, high, details)`` or None when fewer than 3 points or all x equal.
    Interval: ŷ0 ± t(1 − α/2, n − 2) · s · sqrt(1 + 1/n + (x0 − x̄)² / Sxx).
    """
    n = len(points)
    if n < 3:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    xbar = sum(xs) / n
    ybar = sum(ys) / n
    sxx = sum((x - xbar) ** 2 for x in xs)
    if sxx <= 0:
        return None
    sxy = sum((x - xbar) * (y - ybar) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = ybar - slope * xbar
    sse = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    s = math.sqrt(sse / (n - 2))
    t = t_quantile(1.0 - (1.0 - confidence) / 2.0, n - 2)
    y0 = intercept + slope * x0
    half = t * s * math.sqrt(1.0 + 1.0 / n + (x0 - xbar) ** 2 / sxx)
    details = {
        "slope": slope,
        "intercept": intercept,
        "s": s,
        "t": t,
        "n": n,
        "xbar": xbar,
        "sxx": sxx,
    }
    return y0, y0 - half, y0 + half, details


# ---------------------------------------------------------------- formatting


def fmt_number(v: float) -> str:
    """97.88 → "97.88", 3.191 → "3.19", 15.0 → "15", 12345.6 → "12345.6". Two decimals below
    1000: a pass rate of 98.46 % shown as 98.5 would read as meeting a 98.5 % target."""
    if v is None or math.isnan(v):
        return "—"
    decimals = 1 if abs(v) >= 1000 else 2
    text = f"{v:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_value(v: float, unit: str) -> str:
    return f"{fmt_number(v)}{unit or ''}"


def fmt_share(share: float) -> str:
    return f"{round(share * 100):d}%"


def fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- rules


def change_threshold(spec: TargetSpec) -> float:
    """The value a change target asks for, from its base value (spec.baseline)."""
    if spec.baseline is None or spec.value is None:
        raise ValueError("a change target needs a base value (baseline) and a change amount")
    base, v = spec.baseline, spec.value
    down = spec.resolved_direction() == "down"
    if spec.change_mode == "percent":
        return base * (1 - v / 100) if down else base * (1 + v / 100)
    if spec.change_mode == "multiple":
        return base / v if down else base * v
    if spec.change_mode == "absolute":
        return base - v if down else base + v
    if spec.change_mode == "annual_percent":
        base_year = spec.base_year if spec.base_year is not None else spec.start.year - 1
        years = spec.deadline.year - base_year
        factor = (1 - v / 100) if down else (1 + v / 100)
        return base * factor**years
    raise ValueError(f"unknown change mode {spec.change_mode!r}")


def _tolerance(spec: TargetSpec, target: float, approx_tolerance_percent: float) -> float:
    if spec.tolerance is not None:
        return spec.tolerance
    if spec.op == "~":
        return abs(target) * approx_tolerance_percent / 100
    return 1e-9


def meets(
    current: float, spec: TargetSpec, threshold: float, high: float | None, tol: float
) -> bool:
    """Does ``current`` satisfy the target's comparison?"""
    if spec.kind == "range" or spec.op == "range":
        return threshold - 1e-9 <= current <= high + 1e-9
    op = spec.op
    if spec.kind == "change":
        op = "~" if op == "~" else ("<=" if spec.resolved_direction() == "down" else ">=")
    if op == ">=":
        return current >= threshold - 1e-9
    if op == ">":
        return current > threshold
    if op == "<=":
        return current <= threshold + 1e-9
    if op == "<":
        return current < threshold
    if op in ("=", "~"):
        return abs(current - threshold) <= tol
    raise ValueError(f"unknown op {op!r}")


def progress_share(current: float, baseline: float, aim: float) -> float:
    """(current − baseline) / (aim − baseline); covers both directions (sign of the gap)."""
    gap = aim - baseline
    if abs(gap) < 1e-12:
        return 1.0 if abs(current - aim) < 1e-9 else 0.0
    return (current - baseline) / gap


def elapsed_share(start: date, deadline: date, on: date) -> float:
    total = (deadline - start).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (on - start).days / total))


def _months_before(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 - months, 12)
    year, month = d.year + y, m + 1
    day = min(
        d.day, [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    )
    return date(year, month, day)


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


# ---------------------------------------------------------------- evaluation


def evaluate(
    spec: TargetSpec,
    observations: list[Observation],
    on: date,
    *,
    plan_line=None,
    yellow_lag: float | None = None,
    red_lag: float | None = None,
    min_observations: int | None = None,
    current_period_start: date | None = None,
    current_period_months: int | None = None,
    forecast_window: int | None = None,
    confidence: float | None = None,
    forecast_downgrade: bool | None = None,
    approx_tolerance_percent: float | None = None,
    min_sample_size: int | None = None,
    forecast_since: date | None = None,
) -> TargetEvaluation:
    """Status of one target on date ``on`` from the indicator's observations.

    ``plan_line`` (optional) is any object with ``share_on(date) -> float`` giving the planned
    share of the way from baseline to target on a date (``decomposition.PlanLine``); without
    it 序时进度 is the elapsed share of time. ``forecast_since`` (optional) leaves the figures
    dated before it out of the trend (another source's history that precedes the judged one).
    """
    yellow_lag = default("tracking.lag_yellow_points") if yellow_lag is None else yellow_lag
    red_lag = default("tracking.lag_red_points") if red_lag is None else red_lag
    min_obs = (
        default("indicators.min_observations") if min_observations is None else min_observations
    )
    months = (
        default("indicators.current_period_months")
        if current_period_months is None
        else current_period_months
    )
    window = default("indicators.forecast_window") if forecast_window is None else forecast_window
    if confidence is None:
        confidence = default("indicators.forecast_confidence_percent") / 100
    if forecast_downgrade is None:
        forecast_downgrade = bool(default("indicators.forecast_downgrade"))
    if approx_tolerance_percent is None:
        approx_tolerance_percent = default("indicators.approx_tolerance_percent")
    if min_sample_size is None:
        min_sample_size = default("indicators.min_sample_size")
    if spec.kind not in KINDS:
        raise ValueError(f"unknown target kind {spec.kind!r}")
    if spec.op not in OPS:
        raise ValueError(f"unknown op {spec.op!r}")

    unit = spec.unit
    year_label = spec.year_label or spec.deadline.year
    period_start = current_period_start or _months_before(on, months)
    obs = sorted((o for o in observations if o.on <= on), key=lambda o: o.on)
    notes: list[str] = []
    past_deadline = on > spec.deadline
    if past_deadline:
        # judged on the final figure: nothing dated after the deadline counts
        obs = [o for o in obs if o.on <= spec.deadline]
        period_start = _months_before(spec.deadline, months)
    # rate figures from too few samples are not evidence (indicators.min_sample_size)
    small = [o for o in obs if o.n is not None and o.n < min_sample_size]
    small_note = ""
    if small:
        obs = [o for o in obs if o.n is None or o.n >= min_sample_size]
        if not obs or small[-1].on > obs[-1].on:
            small_note = (
                f"最近一期样本不足（n = {small[-1].n}，至少需要{min_sample_size}），未用于判断"
            )
            notes.append(small_note)

    # The series the target is judged on (values, or running totals for new flow targets).
    series = _series(spec, obs)
    baseline = _baseline(spec, obs)
    in_period = [o for o in obs if o.on >= period_start]
    count = len(series)

    # Threshold(s).
    high = None
    if spec.kind == "change":
        if spec.baseline is None:
            return TargetEvaluation(
                TargetStatus.INSUFFICIENT,
                "变化类目标缺少基数（上年或基期值），无法计算目标值。",
                observations_used=len(obs),
            )
        threshold = change_threshold(spec)
        notes.append(_change_words(spec, threshold))
    elif spec.kind == "range" or spec.op == "range":
        if spec.value is None or spec.high is None:
            raise ValueError("a range target needs value (low) and high")
        threshold, high = spec.value, spec.high
    else:
        if spec.value is None:
            raise ValueError("a target needs a value")
        threshold = spec.value
    tol = _tolerance(spec, threshold, approx_tolerance_percent)
    target_words = _target_words(spec, threshold, high, tol)

    current = series[-1][1] if series else None
    met = current is not None and meets(current, spec, threshold, high, tol)

    result = TargetEvaluation(
        TargetStatus.INSUFFICIENT,
        "",
        current=current,
        threshold=threshold,
        threshold_high=high,
        met=met,
        observations_used=len(obs),
        notes=notes,
    )
    last = obs[-1] if obs else None
    if last is not None and last.n and last.successes is not None and spec.kind != "new":
        low, high_ = wilson_interval(last.successes, last.n, confidence, spec)
        result.sample_n, result.sample_interval = last.n, (low, high_)
        notes.append(
            f"据以判断的数值样本量n = {last.n}，{round(confidence * 100)}%置信区间"
            f"{fmt_value(low, unit)}–{fmt_value(high_, unit)}"
        )
    if small and not obs:
        result.small_sample = True
        result.sample_n = small[-1].n
        result.status = TargetStatus.INSUFFICIENT
        result.current = None
        result.met = False
        result.explanation = _join(
            [
                f"样本不足（n = {small[-1].n}）：每期至少需要{min_sample_size}个样本才据以亮灯",
                f"{fmt_date(small[-1].on)}的数值{fmt_value(small[-1].value, unit)}仅供参考",
            ]
        )
        return result

    # 序时进度 and actual progress (when they can be computed).
    share = (
        plan_line.share_on(on)
        if plan_line is not None
        else elapsed_share(spec.start, spec.deadline, on)
    )
    result.elapsed_share = share
    aim = _aim(spec, threshold, high, baseline)
    if current is not None and baseline is not None and aim is not None:
        result.progress = progress_share(current, baseline, aim)
        # rounded so that a lag of exactly 10 or 30 points is not lost to float error
        result.lag_points = round((share - result.progress) * 100, 6)
        result.progress_note = _progress_note(result, spec, current, baseline, aim, confidence)

    # Forecast (needs ≥ 3 points in the window).
    # forward only: from the last figure to the deadline, never after it (docs/forecast.md)
    trend = [p for p in series if forecast_since is None or p[0] >= forecast_since]
    recent = trend[-window:] if window else trend
    fc = None
    if not past_deadline and recent and recent[-1][0] < spec.deadline:
        fc = linear_forecast(
            [(fractional_year(d), v) for d, v in recent],
            fractional_year(spec.deadline),
            confidence,
        )
    if fc is not None:
        y0, lo, hi, det = fc
        if result.sample_interval is not None:
            # never surer than the latest figure itself: the band is at least as wide as that
            # figure's sampling interval (pooled figures overlap, so the fit alone understates it)
            below = current - result.sample_interval[0]
            above = result.sample_interval[1] - current
            lo, hi = min(lo, y0 - below), max(hi, y0 + above)
        if spec.bounds is not None:
            y0, lo, hi = (_clip(v, spec.bounds) for v in (y0, lo, hi))
        result.forecast = Forecast(
            spec.deadline,
            y0,
            lo,
            hi,
            det["n"],
            det["slope"],
            det["intercept"],
            det["s"],
            det["t"],
            confidence,
        )

    progress_words = _progress_words(result)
    current_words = (
        f"当前值{fmt_value(current, unit)}（{fmt_date(series[-1][0])}）"
        if current is not None
        else "尚无观测数据"
    )

    # 1. Met.
    if met:
        stock_like = spec.kind in ("cumulative", "new")
        fresh = bool(in_period)
        if stock_like or fresh:
            result.status = TargetStatus.ACHIEVED
            result.forecast = None  # nothing left to forecast; the next figure is judged anew
            head = f"{current_words}已达到{target_words}"
            if past_deadline:
                head = f"目标期限（{fmt_date(spec.deadline)}）已到，期末{head}"
            result.explanation = _join(
                [head, *notes, progress_words if spec.kind != "range" else ""]
            )
            return result
        result.status = TargetStatus.INSUFFICIENT
        result.explanation = _join(
            [
                f"最近一期观测（{fmt_date(series[-1][0])}）{fmt_value(current, unit)}曾达到{target_words}",
                _since_words(period_start, small, min_sample_size, "没有新的观测")
                + "，无法确认仍然达标",
                *[n for n in notes if n != small_note or not _thin_since(period_start, small)],
            ]
        )
        return result

    # 2. Past the deadline: judged on the final figure, achieved or not.
    if past_deadline:
        if current is not None:
            result.status = TargetStatus.BEHIND
            result.explanation = _join(
                [
                    f"已过目标期限（{fmt_date(spec.deadline)}），期末{current_words}未达到{target_words}",
                    *notes,
                ]
            )
        else:
            result.status = TargetStatus.INSUFFICIENT
            result.explanation = _join(
                [
                    f"已过目标期限（{fmt_date(spec.deadline)}），期限内没有观测数据，无法判断是否达成",
                    *notes,
                ]
            )
        return result

    # 3. Not enough data.
    if count < min_obs or not in_period:
        reasons = []
        if count < min_obs:
            reasons.append(f"仅有{count}期观测（至少需要{min_obs}期）")
        if not in_period:
            reasons.append(_since_words(period_start, small, min_sample_size, "没有观测数据"))
            if _thin_since(period_start, small):
                if small_note in notes:
                    notes.remove(small_note)  # said just above
                if current is not None:
                    current_words = "沿用此前的" + current_words
        result.status = TargetStatus.INSUFFICIENT
        result.explanation = _join(["，".join(reasons), current_words, *notes, progress_words])
        return result
    if result.lag_points is None:
        result.status = TargetStatus.INSUFFICIENT
        result.explanation = _join(["缺少基期值，无法计算实际完成进度", current_words, *notes])
        return result

    # 4. Lag against 序时进度.
    lag = result.lag_points
    if lag < yellow_lag:
        status = TargetStatus.ON_TRACK
    elif lag <= red_lag:
        status = TargetStatus.AT_RISK
    else:
        status = TargetStatus.BEHIND
    extra = ""
    f = result.forecast
    if status == TargetStatus.BEHIND and result.sample_interval is not None:
        # the shortfall may be sampling error: at the favourable end of the rate's interval
        best = result.sample_interval[1 if spec.resolved_direction() == "up" else 0]
        if baseline is not None and aim is not None:
            best_lag = (share - progress_share(best, baseline, aim)) * 100
            if best_lag <= red_lag:
                status = TargetStatus.AT_RISK
                extra = "落后幅度在抽样误差范围内（按置信区间上端不足红灯），提示存在风险"
            else:  # red even at the favourable end: say so, the progress note alone does not
                end = f"即使按置信区间{'上' if spec.resolved_direction() == 'up' else '下'}端"
                if progress_share(best, baseline, aim) < 0:
                    extra = (
                        f"{end}{fmt_value(best, unit)}计，仍未达到基期值{fmt_value(baseline, unit)}"
                    )
                else:
                    extra = (
                        f"{end}{fmt_value(best, unit)}计，仍落后序时进度{round(best_lag)}个百分点，"
                        f"超过{fmt_number(red_lag)}个百分点的红灯线"
                    )
    if status == TargetStatus.ON_TRACK and forecast_downgrade and f is not None:
        if _point_misses(f, spec, threshold, high):
            status = TargetStatus.AT_RISK
            # the same comparison as the 落后/超前 words of _progress_words, never contradicting it
            pts = round(abs(lag))
            if result.progress_note:
                before = ""  # 实际完成 cannot be judged: no claim about the lag
            elif lag > 0 and pts > 0:
                before = f"进度落后{pts}个百分点，未超过{fmt_number(yellow_lag)}个百分点的黄灯线，"
            elif pts == 0:
                before = "进度与序时进度持平，"
            else:
                before = "进度虽超前序时进度，"
            extra = f"{before}{'但' if before else ''}按趋势预测期末达不到目标，提示存在风险"
    if result.progress_unknown and status == TargetStatus.AT_RISK and not extra:
        # the progress note says 实际完成 cannot be judged: the light still needs its reason
        extra = (
            f"按当前值{fmt_value(current, unit)}计落后序时进度{round(lag)}个百分点，"
            "在抽样误差范围内，提示存在风险"
        )
    result.status = status
    forecast_words = _forecast_words(
        f,
        spec,
        threshold,
        high,
        year_label,
        unit,
        confidence,
        green=status.light == Light.GREEN,
        behind_known=not result.progress_unknown,
    )
    result.explanation = _join([progress_words, forecast_words, *notes, extra])
    return result


# ---------------------------------------------------------------- helpers


def _series(spec: TargetSpec, obs: list[Observation]) -> list[tuple[date, float]]:
    """(date, value) pairs the target is judged on.

    For a ``new`` target with flow observations the series is the running total since the plan
    start; with stock observations it is the stock minus the baseline. Other kinds use the
    values as they are, with a dated baseline added as the first point.
    """
    if spec.kind == "new":
        if spec.observation_mode == "stock":
            base = spec.baseline if spec.baseline is not None else (obs[0].value if obs else 0.0)
            pts = [(o.on, o.value - base) for o in obs if o.on >= spec.start]
            if spec.baseline_on is not None:
                pts.insert(0, (spec.baseline_on, 0.0))
            return pts
        total, pts = 0.0, []
        if spec.baseline_on is not None:
            pts.append((spec.baseline_on, 0.0))
        for o in obs:
            if o.on >= spec.start:
                total += o.value
                pts.append((o.on, total))
        return pts
    pts = [(o.on, o.value) for o in obs]
    if spec.baseline is not None and spec.baseline_on is not None:
        if not any(d == spec.baseline_on for d, _ in pts):
            pts.insert(0, (spec.baseline_on, spec.baseline))
            pts.sort(key=lambda p: p[0])
    return pts


def _baseline(spec: TargetSpec, obs: list[Observation]) -> float | None:
    if spec.kind == "new":
        return 0.0
    if spec.baseline is not None:
        return spec.baseline
    # No baseline given: the first observation inside the plan's period, never one dated
    # before the plan starts.
    inside = [o for o in obs if o.on >= spec.start]
    return inside[0].value if inside else None


def _aim(spec: TargetSpec, threshold: float, high: float | None, baseline: float | None):
    """The value progress is measured towards (the nearer bound for a range)."""
    if high is not None:
        if baseline is None:
            return None
        return threshold if baseline < threshold else high if baseline > high else threshold
    return threshold


def wilson_interval(successes, n, confidence, spec: TargetSpec) -> tuple[float, float]:
    """The Wilson interval of a rate in the target's unit (percent when bounded by 100)."""
    from qcity.inspection.stats import wilson

    k = max(0, min(int(round(float(successes))), int(n)))
    low, high = wilson(k, int(n), confidence * 100)
    scale = 100.0 if spec.bounds is None or spec.bounds[1] in (None, 100) else spec.bounds[1]
    return low * scale, high * scale


def _point_misses(f: Forecast, spec: TargetSpec, threshold: float, high: float | None) -> bool:
    """The forecast's point value at the deadline misses the target."""
    if spec.op in ("=", "~") and high is None:
        return False
    if high is not None:
        return f.value < threshold - 1e-9 or f.value > high + 1e-9
    if spec.kind == "change":
        down = spec.resolved_direction() == "down"
    else:
        down = spec.op in ("<=", "<") or spec.resolved_direction() == "down"
    return f.value > threshold + 1e-9 if down else f.value < threshold - 1e-9


def _interval_misses(f: Forecast, spec: TargetSpec, threshold: float, high: float | None) -> bool:
    if high is not None:
        return f.high < threshold or f.low > high
    if spec.kind == "change":
        down = spec.resolved_direction() == "down"
    else:
        down = spec.op in ("<=", "<") or spec.resolved_direction() == "down"
    if spec.op in ("=", "~"):
        return False
    return f.low > threshold if down else f.high < threshold


def _target_words(spec: TargetSpec, threshold: float, high: float | None, tol: float) -> str:
    u = spec.unit
    if high is not None:
        return f"目标区间{fmt_value(threshold, u)}–{fmt_value(high, u)}"
    op = spec.op
    if spec.kind == "change":
        op = "<=" if spec.resolved_direction() == "down" else ">="
    words = {
        ">=": "不低于",
        ">": "高于",
        "<=": "不高于",
        "<": "低于",
        "=": "等于",
        "~": "约",
    }.get(op, "")
    text = f"目标（{words}{fmt_value(threshold, u)}）"
    if op == "~":
        text = f"目标（{fmt_value(threshold, u)}左右，容差±{fmt_value(tol, u)}）"
    return text


def _change_words(spec: TargetSpec, threshold: float) -> str:
    down = spec.resolved_direction() == "down"
    u = spec.unit
    base = fmt_value(spec.baseline, u)
    verb = "减少" if down else "增长"
    mode = spec.change_mode
    if mode == "percent":
        how = f"{verb}{fmt_number(spec.value)}%"
    elif mode == "multiple":
        how = (
            "翻番"
            if spec.value == 2 and not down
            else f"{'降至' if down else '增至'}{fmt_number(spec.value)}{'分之一' if down else '倍'}"
        )
    elif mode == "absolute":
        how = f"{verb}{fmt_value(spec.value, u)}"
    else:
        how = f"年均{verb}{fmt_number(spec.value)}%"
    return f"目标为在基数{base}的基础上{how}，即{fmt_value(threshold, u)}"


def _progress_note(r, spec: TargetSpec, current, baseline, aim, confidence) -> str:
    """Why a 实际完成 percentage would mislead, or "": the rate's interval is wider than the
    whole way from baseline to target (a few dozen samples), or the figure lies on the wrong
    side of the baseline (a negative percentage says nothing)."""
    unit = spec.unit
    gap = abs(aim - baseline)
    if r.sample_interval is not None and r.sample_n is not None:
        low, high = r.sample_interval
        if high - low > gap:
            r.progress_unknown = True
            return (
                f"实际完成进度无法判断：n = {r.sample_n}，{round(confidence * 100)}%置信区间"
                f"{fmt_value(low, unit)}–{fmt_value(high, unit)}，"
                f"宽于基期值至目标的差距{_amount(gap, unit)}"
            )
    if r.progress is not None and r.progress < 0:
        word = "低于" if current < baseline else "高于"
        return f"{word}基线{_amount(abs(current - baseline), unit)}"
    return ""


def _amount(v: float, unit: str) -> str:
    """A difference in the unit: "2.3个百分点" for a percentage, else "2.3件"."""
    return f"{fmt_number(v)}个百分点" if unit == "%" else fmt_value(v, unit)


def _progress_words(r: TargetEvaluation) -> str:
    if r.elapsed_share is None or r.progress is None:
        return ""
    if r.progress_note.startswith("实际完成"):
        return f"序时进度{fmt_share(r.elapsed_share)}，{r.progress_note}"
    if r.progress_note:
        return f"序时进度{fmt_share(r.elapsed_share)}，实际完成：{r.progress_note}"
    lag = r.lag_points
    text = f"序时进度{fmt_share(r.elapsed_share)}，实际完成{fmt_share(r.progress)}"
    pts = round(abs(lag))
    if pts == 0:
        return text + "，与序时进度持平"
    return text + (f"，落后{pts}个百分点" if lag > 0 else f"，超前{pts}个百分点")


def _forecast_words(
    f: Forecast | None,
    spec: TargetSpec,
    threshold: float,
    high: float | None,
    year: int,
    unit: str,
    conf: float,
    green: bool = True,
    behind_known: bool = True,
) -> str:
    if f is None:
        return ""
    text = (
        f"按近{f.n}期趋势预计{year}年达到{fmt_value(f.value, unit)}"
        f"（{round(conf * 100)}%预测区间{fmt_value(f.low, unit)}–{fmt_value(f.high, unit)}）"
    )
    if high is not None:
        if f.value < threshold:
            return text + f"，低于目标区间下限{fmt_value(threshold, unit)}"
        if f.value > high:
            return text + f"，高于目标区间上限{fmt_value(high, unit)}"
        return text + "，处于目标区间内"
    down = spec.resolved_direction() == "down" or spec.op in ("<=", "<")
    if spec.kind == "change":
        down = spec.resolved_direction() == "down"
    t = fmt_value(threshold, unit)
    if abs(f.value - threshold) < 1e-9:
        return text + f"，与目标{t}持平"
    # "落后序时进度" only when the progress could be judged (not within the sampling error)
    reach = "，可以达成" if green else ("，但当前落后序时进度，仍需加快" if behind_known else "")
    if down:
        return text + (f"，低于目标{t}{reach}" if f.value < threshold else f"，高于目标{t}")
    return text + (f"，高于目标{t}{reach}" if f.value > threshold else f"，低于目标{t}")


def _clip(v: float, bounds: tuple[float | None, float | None]) -> float:
    low, high = bounds
    if low is not None and v < low:
        return float(low)
    if high is not None and v > high:
        return float(high)
    return v


def _thin_since(period_start: date, small: list[Observation]) -> list[Observation]:
    return [o for o in small if o.on >= period_start]


def _since_words(period_start: date, small: list[Observation], min_n: int, none: str) -> str:
    """Why nothing recent is judged: no figure at all ("…以来没有观测数据"), or figures from
    too few samples ("…以来的12期观测样本均不足（每期n < 30…）") — never the first for the
    second."""
    thin = _thin_since(period_start, small)
    if not thin:
        return f"{fmt_date(period_start)}以来{none}"
    return (
        f"{fmt_date(period_start)}以来的{len(thin)}期观测样本均不足"
        f"（每期n < {min_n}，最近一期n = {thin[-1].n}），未用于判断"
    )


def _join(parts: list[str]) -> str:
    return "；".join(p for p in parts if p) + ("。" if any(parts) else "")
