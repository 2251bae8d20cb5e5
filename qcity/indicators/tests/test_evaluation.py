"""Target status, 序时进度, forecast and the per-kind rules of evaluation.py."""

import math
import re
from datetime import date

import pytest

from qcity.indicators.evaluation import (
    Light,
    Observation,
    TargetSpec,
    TargetStatus,
    change_threshold,
    elapsed_share,
    evaluate,
    fractional_year,
    linear_forecast,
    t_cdf,
    t_quantile,
)


class FixedShare:
    """A plan line stub: 序时进度 fixed at ``share`` whatever the date."""

    def __init__(self, share):
        self.share = share

    def share_on(self, on):
        return self.share


def yearly(values, first_year=2021, month=12, day=31):
    return [Observation(date(first_year + i, month, day), v) for i, v in enumerate(values)]


ON = date(2024, 12, 31)


# ---------------------------------------------------------------- enum


def test_status_labels_and_lights():
    assert TargetStatus.ACHIEVED.label == "已达成"
    assert TargetStatus.ON_TRACK.label == "进度正常"
    assert TargetStatus.AT_RISK.label == "存在风险"
    assert TargetStatus.BEHIND.label == "严重滞后"
    assert TargetStatus.INSUFFICIENT.label == "数据不足"
    assert TargetStatus.ACHIEVED.light is Light.GREEN
    assert TargetStatus.ON_TRACK.colour == "green"
    assert TargetStatus.AT_RISK.colour == "yellow"
    assert TargetStatus.BEHIND.colour == "red"
    assert TargetStatus.INSUFFICIENT.colour == "grey"
    assert Light.RED.css == "danger"
    assert ("behind", "严重滞后") in TargetStatus.choices()


# ---------------------------------------------------------------- statistics


@pytest.mark.parametrize(
    "df, expected",
    [(1, 12.706), (2, 4.303), (3, 3.182), (5, 2.571), (10, 2.228), (30, 2.042), (120, 1.980)],
)
def test_t_quantile_matches_printed_table(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_one_sided_and_symmetry():
    assert t_quantile(0.95, 5) == pytest.approx(2.015, abs=5e-4)
    assert t_quantile(0.025, 3) == pytest.approx(-t_quantile(0.975, 3))
    assert t_cdf(0.0, 7) == pytest.approx(0.5)


def test_fractional_year():
    assert fractional_year(date(2024, 1, 1)) == 2024.0
    assert fractional_year(date(2024, 7, 2)) == pytest.approx(2024.5)  # day 183 of 366


def test_forecast_band_against_hand_arithmetic():
    # x = 2020..2024, y = 95.0, 95.6, 96.1, 96.9, 97.4 (see docs/forecast.md):
    # x̄ = 2022, Sxx = 10, ȳ = 96.2, Sxy = 2.4 + 0.6 + 0 + 0.7 + 2.4 = 6.1, b = 0.61.
    # Residuals 0.02, 0.01, -0.10, 0.09, -0.02 → SSE = 0.019, s = sqrt(0.019 / 3).
    # At x0 = 2025: ŷ = 96.2 + 0.61 * 3 = 98.03; factor sqrt(1 + 1/5 + 9/10) = sqrt(2.1).
    # t(0.975, 3) = 3.182446 → half-width = 3.182446 * 0.079582 * 1.449138 = 0.36702.
    s = math.sqrt(0.019 / 3)
    half = 3.182446 * s * math.sqrt(2.1)
    assert half == pytest.approx(0.36702, abs=1e-5)
    pts = [(2020.0, 95.0), (2021.0, 95.6), (2022.0, 96.1), (2023.0, 96.9), (2024.0, 97.4)]
    value, low, high, det = linear_forecast(pts, 2025.0, 0.95)
    assert det["slope"] == pytest.approx(0.61)
    assert det["s"] == pytest.approx(s)
    assert value == pytest.approx(98.03)
    assert low == pytest.approx(98.03 - half, abs=1e-5)
    assert high == pytest.approx(98.03 + half, abs=1e-5)
    assert (round(low, 3), round(high, 3)) == (97.663, 98.397)


def test_forecast_needs_three_points_and_distinct_dates():
    assert linear_forecast([(2020.0, 1.0), (2021.0, 2.0)], 2025.0) is None
    assert linear_forecast([(2020.0, 1.0)] * 3, 2025.0) is None


def test_evaluate_reports_the_forecast_in_words():
    spec = TargetSpec(start=date(2020, 1, 1), deadline=date(2025, 1, 1), value=98.5, unit="%")
    obs = [
        Observation(date(2020 + i, 1, 1), v) for i, v in enumerate([95.0, 95.6, 96.1, 96.9, 97.4])
    ]
    r = evaluate(spec, obs, date(2024, 1, 1), forecast_downgrade=False)
    assert r.forecast.value == pytest.approx(98.03)
    assert (
        "按近5期趋势预计2025年达到98.03%（95%预测区间97.66%–98.4%），低于目标98.5%" in r.explanation
    )


# ---------------------------------------------------------------- 序时进度 and lights


def test_elapsed_share():
    assert elapsed_share(date(2021, 1, 1), date(2021, 12, 31), date(2021, 1, 1)) == 0
    assert elapsed_share(date(2021, 1, 1), date(2021, 12, 31), date(2022, 6, 1)) == 1
    assert elapsed_share(date(2020, 1, 1), date(2020, 1, 11), date(2020, 1, 6)) == 0.5


def _level(value=100.0, baseline=0.0, **kw):
    return TargetSpec(
        start=date(2021, 1, 1), deadline=date(2025, 12, 31), value=value, baseline=baseline, **kw
    )


@pytest.mark.parametrize(
    "current, status",
    [
        (55.0, TargetStatus.ON_TRACK),  # lag 5
        (50.1, TargetStatus.ON_TRACK),  # lag 9.9
        (50.0, TargetStatus.AT_RISK),  # lag 10 exactly: yellow
        (45.0, TargetStatus.AT_RISK),  # lag 15
        (30.0, TargetStatus.AT_RISK),  # lag 30 exactly: still yellow
        (29.0, TargetStatus.BEHIND),  # lag 31
    ],
)
def test_lights_by_lag(current, status):
    obs = yearly([10.0, 20.0, current])
    r = evaluate(
        _level(), obs, date(2023, 12, 31), plan_line=FixedShare(0.6), forecast_downgrade=False
    )
    assert r.status is status
    assert r.lag_points == pytest.approx(60 - current)


def test_lag_thresholds_are_parameters():
    obs = yearly([10.0, 20.0, 45.0])
    r = evaluate(
        _level(),
        obs,
        date(2023, 12, 31),
        plan_line=FixedShare(0.6),
        yellow_lag=20,
        red_lag=50,
        forecast_downgrade=False,
    )
    assert r.status is TargetStatus.ON_TRACK


def test_explanation_states_lag_in_points():
    r = evaluate(
        _level(), yearly([10.0, 20.0, 45.0]), date(2023, 12, 31), plan_line=FixedShare(0.6)
    )
    assert r.explanation.startswith("序时进度60%，实际完成45%，落后15个百分点")


def test_ahead_of_schedule_wording():
    r = evaluate(
        _level(), yearly([30.0, 50.0, 70.0]), date(2023, 12, 31), plan_line=FixedShare(0.6)
    )
    assert r.status is TargetStatus.ON_TRACK
    assert "超前10个百分点" in r.explanation


def test_forecast_downgrades_green_when_forecast_misses():
    # On schedule by time, but flat for three years far below the target.
    spec = _level(value=98.5, baseline=90.0, unit="%")
    obs = yearly([95.5, 95.5, 95.6, 95.5])
    r = evaluate(spec, obs, ON, plan_line=FixedShare(0.6))
    assert r.lag_points < 10
    assert r.status is TargetStatus.AT_RISK
    assert "按趋势预测期末达不到目标" in r.explanation
    r2 = evaluate(spec, obs, ON, plan_line=FixedShare(0.6), forecast_downgrade=False)
    assert r2.status is TargetStatus.ON_TRACK


def test_deadline_passed_unmet_is_behind():
    spec = TargetSpec(
        start=date(2021, 1, 1), deadline=date(2023, 12, 31), value=98.0, baseline=90.0, unit="%"
    )
    r = evaluate(spec, yearly([96.0, 97.0, 97.9]), date(2024, 3, 1))
    assert r.status is TargetStatus.BEHIND
    assert "已过目标期限" in r.explanation


# ---------------------------------------------------------------- data sufficiency


def test_fewer_than_three_observations_is_insufficient():
    r = evaluate(_level(), yearly([10.0, 20.0]), date(2022, 12, 31))
    assert r.status is TargetStatus.INSUFFICIENT
    assert r.light is Light.GREY
    assert "仅有2期观测（至少需要3期）" in r.explanation


def test_no_observation_in_current_period_is_insufficient():
    r = evaluate(_level(), yearly([10.0, 20.0, 30.0]), date(2025, 6, 30))  # last 2023-12-31
    assert r.status is TargetStatus.INSUFFICIENT
    assert "以来没有观测数据" in r.explanation


def test_dated_baseline_counts_as_a_point():
    spec = _level(baseline_on=date(2020, 12, 31))
    r = evaluate(spec, yearly([20.0, 40.0]), date(2022, 12, 31), plan_line=FixedShare(0.4))
    assert r.status is TargetStatus.ON_TRACK


def test_met_level_target_is_achieved_even_with_one_observation():
    spec = TargetSpec(start=date(2021, 1, 1), deadline=date(2025, 12, 31), value=98.5, unit="%")
    r = evaluate(spec, [Observation(date(2024, 12, 31), 98.7)], ON)
    assert r.status is TargetStatus.ACHIEVED
    assert r.light is Light.GREEN


def test_met_level_target_with_stale_data_is_insufficient():
    spec = TargetSpec(start=date(2021, 1, 1), deadline=date(2025, 12, 31), value=98.5, unit="%")
    r = evaluate(spec, [Observation(date(2022, 12, 31), 98.7)], date(2024, 6, 30))
    assert r.status is TargetStatus.INSUFFICIENT
    assert "曾达到" in r.explanation


def test_met_cumulative_target_stays_achieved_without_new_data():
    spec = TargetSpec(
        start=date(2021, 1, 1), deadline=date(2025, 12, 31), kind="cumulative", value=50, unit="家"
    )
    r = evaluate(spec, [Observation(date(2022, 12, 31), 52)], date(2024, 6, 30))
    assert r.status is TargetStatus.ACHIEVED


# ---------------------------------------------------------------- kinds and ops


def _check(spec, current, on=date(2023, 12, 31)):
    obs = yearly([current, current, current])
    return evaluate(spec, obs, on, plan_line=FixedShare(0.5), forecast_downgrade=False)


def test_level_at_least():
    assert _check(_level(value=95.0, baseline=90.0), 95.0).status is TargetStatus.ACHIEVED
    assert _check(_level(value=95.0, baseline=90.0), 94.9).status is not TargetStatus.ACHIEVED


def test_level_strictly_greater():
    spec = _level(value=4000, baseline=3000, op=">")
    assert _check(spec, 4000).status is not TargetStatus.ACHIEVED
    assert _check(spec, 4001).status is TargetStatus.ACHIEVED


def test_level_at_most_is_a_down_target():
    spec = _level(value=2.0, baseline=4.0, op="<=")
    assert spec.resolved_direction() == "down"
    assert _check(spec, 2.0).status is TargetStatus.ACHIEVED
    r = _check(spec, 3.0)  # halfway down from 4 to 2
    assert r.progress == pytest.approx(0.5)
    assert r.status is TargetStatus.ON_TRACK


def test_level_strictly_less():
    spec = _level(value=2.0, baseline=4.0, op="<")
    assert _check(spec, 2.0).status is not TargetStatus.ACHIEVED
    assert _check(spec, 1.9).status is TargetStatus.ACHIEVED


def test_level_equal():
    spec = _level(value=100.0, baseline=90.0, op="=")
    assert _check(spec, 100.0).status is TargetStatus.ACHIEVED
    assert _check(spec, 99.0).status is not TargetStatus.ACHIEVED


def test_level_approximately_uses_tolerance():
    spec = _level(value=98.0, baseline=90.0, op="~", unit="%")  # default ±2% of 98 = ±1.96
    assert _check(spec, 96.1).status is TargetStatus.ACHIEVED
    assert _check(spec, 95.9).status is not TargetStatus.ACHIEVED
    assert _check(spec, 99.9).status is TargetStatus.ACHIEVED
    tight = _level(value=98.0, baseline=90.0, op="~", tolerance=0.5)
    assert _check(tight, 97.0).status is not TargetStatus.ACHIEVED
    assert "左右" in _check(spec, 97.0).explanation


def test_range_target():
    spec = TargetSpec(
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        kind="range",
        op="range",
        value=2100,
        high=2400,
        baseline=1500,
        unit="名",
    )
    assert _check(spec, 2200).status is TargetStatus.ACHIEVED
    assert _check(spec, 2500).status is not TargetStatus.ACHIEVED
    r = _check(spec, 1800)  # half way from 1500 towards the lower bound 2100
    assert r.progress == pytest.approx(0.5)
    assert r.status is TargetStatus.ON_TRACK
    assert "目标区间2100名–2400名" in _check(spec, 2200).explanation


def test_cumulative_target_progress_from_baseline():
    spec = TargetSpec(
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        kind="cumulative",
        value=50,
        baseline=30,
        unit="家",
    )
    r = evaluate(spec, yearly([32, 34, 36]), date(2023, 12, 31), plan_line=FixedShare(0.6))
    assert r.progress == pytest.approx(0.3)
    assert r.lag_points == 30  # exactly 30 points behind: still yellow
    assert r.status is TargetStatus.AT_RISK


def test_cumulative_target_clear_cases():
    spec = TargetSpec(
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        kind="cumulative",
        value=50,
        baseline=30,
        unit="家",
    )
    assert (
        evaluate(spec, yearly([34, 38, 42]), date(2023, 12, 31), plan_line=FixedShare(0.6)).status
        is TargetStatus.ON_TRACK
    )
    assert (
        evaluate(spec, yearly([31, 32, 33]), date(2023, 12, 31), plan_line=FixedShare(0.6)).status
        is TargetStatus.BEHIND
    )
    assert evaluate(spec, yearly([40, 45, 51]), date(2023, 12, 31)).status is TargetStatus.ACHIEVED


def test_new_target_sums_flows_since_start():
    spec = TargetSpec(
        start=date(2023, 1, 1), deadline=date(2023, 12, 31), kind="new", value=100, unit="家"
    )
    obs = [
        Observation(date(2022, 12, 31), 80),  # before the plan: not counted
        Observation(date(2023, 3, 31), 20),
        Observation(date(2023, 6, 30), 25),
        Observation(date(2023, 9, 30), 30),
    ]
    r = evaluate(spec, obs, date(2023, 9, 30), plan_line=FixedShare(0.75))
    assert r.current == 75
    assert r.progress == pytest.approx(0.75)
    assert r.status is TargetStatus.ON_TRACK
    obs.append(Observation(date(2023, 11, 30), 30))
    assert evaluate(spec, obs, date(2023, 11, 30)).status is TargetStatus.ACHIEVED


def test_new_target_from_stock_readings():
    spec = TargetSpec(
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        kind="new",
        value=20,
        baseline=100,
        observation_mode="stock",
        unit="个",
    )
    r = evaluate(spec, yearly([104, 108, 112]), date(2023, 12, 31), plan_line=FixedShare(0.6))
    assert r.current == 12
    assert r.progress == pytest.approx(0.6)
    assert r.status is TargetStatus.ON_TRACK


def test_change_percent_decrease():
    # 比上年减少2%: base 100 → at most 98.
    spec = TargetSpec(
        start=date(2023, 1, 1),
        deadline=date(2023, 12, 31),
        kind="change",
        op=">=",
        value=2,
        direction="down",
        baseline=100.0,
        unit="万吨",
    )
    assert change_threshold(spec) == pytest.approx(98.0)
    r = evaluate(spec, [Observation(date(2023, 12, 31), 97.5)], date(2023, 12, 31))
    assert r.status is TargetStatus.ACHIEVED
    assert "减少2%，即98万吨" in r.explanation
    r = evaluate(spec, [Observation(date(2023, 12, 31), 99.0)], date(2024, 1, 2))
    assert r.status is TargetStatus.BEHIND


def test_change_percent_increase_and_progress():
    spec = TargetSpec(
        start=date(2023, 1, 1), deadline=date(2023, 12, 31), kind="change", value=10, baseline=200.0
    )
    assert change_threshold(spec) == pytest.approx(220.0)
    obs = [Observation(date(2023, m, 28), v) for m, v in [(3, 204), (6, 208), (9, 212)]]
    r = evaluate(spec, obs, date(2023, 9, 28), plan_line=FixedShare(0.75))
    assert r.progress == pytest.approx(0.6)
    assert r.status is TargetStatus.AT_RISK


def test_change_doubling():
    spec = TargetSpec(
        start=date(2011, 1, 1),
        deadline=date(2015, 12, 31),
        kind="change",
        value=2,
        change_mode="multiple",
        baseline=48,
        unit="件",
    )
    assert change_threshold(spec) == 96
    r = evaluate(spec, [Observation(date(2015, 12, 31), 97)], date(2015, 12, 31))
    assert r.status is TargetStatus.ACHIEVED
    assert "翻番" in r.explanation


def test_change_compound_annual_growth():
    # 年均增长12% from 2020 to 2025: 100 × 1.12^5 = 176.23.
    spec = TargetSpec(
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        kind="change",
        value=12,
        change_mode="annual_percent",
        base_year=2020,
        baseline=100.0,
        unit="亿元",
    )
    assert change_threshold(spec) == pytest.approx(176.2342, abs=1e-4)


def test_change_without_base_is_insufficient():
    spec = TargetSpec(start=date(2023, 1, 1), deadline=date(2023, 12, 31), kind="change", value=2)
    r = evaluate(spec, yearly([1, 2, 3]), date(2023, 12, 31))
    assert r.status is TargetStatus.INSUFFICIENT
    assert "基数" in r.explanation


def test_forecast_clipped_to_bounds():
    spec = _level(value=99.0, baseline=90.0, unit="%", bounds=(0, 100))
    r = evaluate(spec, yearly([94.0, 96.0, 98.5]), date(2023, 12, 31))
    assert r.forecast.high <= 100


def test_as_dict_is_plain():
    r = evaluate(
        _level(), yearly([10.0, 20.0, 45.0]), date(2023, 12, 31), plan_line=FixedShare(0.6)
    )
    d = r.as_dict()
    assert d["status"] == "at_risk" and d["light"] == "yellow" and d["status_label"] == "存在风险"


def test_rules_are_declared_with_prefix_and_source():
    from qcity.indicators.rules import RULES, default

    keys = {r.key for r in RULES}
    assert all(k.split(".")[0] in ("indicators", "tracking") for k in keys)
    assert all(r.source for r in RULES)
    assert default("tracking.lag_yellow_points") == 10
    assert default("tracking.lag_red_points") == 30
    assert default("indicators.min_observations") == 3
    assert default("tracking.reminder_days_before_deadline") == 3


def test_a_light_is_explained_when_progress_cannot_be_judged():
    """实际完成 undeterminable within the sampling error: a red light says it is red even at the
    favourable end of the interval, a yellow one says by how much the point figure lags, and
    neither adds "落后序时进度，仍需加快" to a forecast as if the lag were known."""
    spec = TargetSpec(
        start=date(2024, 1, 1),
        deadline=date(2027, 12, 31),
        value=98.0,
        baseline=96.0,
        unit="%",
        bounds=(0, 100),
    )
    on = date(2026, 1, 15)
    low = [Observation(date(2025, m, 28), 90.0, n=300, successes=270) for m in (3, 6, 9, 12)]
    red = evaluate(spec, low, on)
    assert red.status is TargetStatus.BEHIND and red.progress_unknown
    assert "即使按置信区间上端92.91%计，仍未达到基期值96%" in red.explanation, red.explanation
    near = [
        Observation(date(2025, m, 28), v, n=60, successes=round(v * 0.6))
        for m, v in ((3, 96.5), (6, 96.6), (9, 96.7), (12, 96.8))
    ]
    yellow = evaluate(spec, near, on)
    assert yellow.status is TargetStatus.AT_RISK and yellow.progress_unknown
    assert re.search(
        r"按当前值[\d.]+%计落后序时进度\d+个百分点，在抽样误差范围内", yellow.explanation
    )
    for r in (red, yellow):
        assert "当前落后序时进度，仍需加快" not in r.explanation
