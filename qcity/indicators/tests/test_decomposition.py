"""District and year decomposition of a city target."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcity.indicators.decomposition import (
    DecompositionError,
    PlanLine,
    decompose,
    largest_remainder,
    split_count,
    split_rate,
    year_path,
)
from qcity.indicators.evaluation import Observation, TargetSpec, TargetStatus, evaluate

REGIONS = ["鼓楼区", "台江区", "仓山区"]


def test_rate_districts_copy_the_city_target():
    assert split_rate(98.5, REGIONS) == {r: Decimal("98.5") for r in REGIONS}


def test_rate_district_override():
    out = split_rate(98.5, REGIONS, {"仓山区": 97})
    assert out["仓山区"] == Decimal("97") and out["鼓楼区"] == Decimal("98.5")
    with pytest.raises(DecompositionError):
        split_rate(98.5, REGIONS, {"不存在区": 97})


def test_largest_remainder_hand_example():
    # 15 by 0.5/0.3/0.2 → exact 7.5, 4.5, 3.0; floors 7, 4, 3 (14); one unit left;
    # remainders .5, .5, 0 tie → the larger weight (鼓楼区) gets it → 8, 4, 3.
    out = largest_remainder(15, {"鼓楼区": 0.5, "台江区": 0.3, "仓山区": 0.2})
    assert out == {"鼓楼区": 8, "台江区": 4, "仓山区": 3}


def test_equal_weights_give_extra_units_in_order():
    assert split_count(10, REGIONS) == {"鼓楼区": 4, "台江区": 3, "仓山区": 3}


def test_split_with_decimal_quantum():
    out = split_count(
        Decimal("131.5"), REGIONS, weights={"鼓楼区": 1, "台江区": 1, "仓山区": 1}, quantum="0.1"
    )
    assert sum(out.values()) == Decimal("131.5")
    assert sorted(out.values()) == [Decimal("43.8"), Decimal("43.8"), Decimal("43.9")]


def test_explicit_values_kept_and_rest_split():
    out = split_count(
        50, REGIONS, explicit={"鼓楼区": 20}, weights={"鼓楼区": 1, "台江区": 2, "仓山区": 1}
    )
    assert out == {"鼓楼区": 20, "台江区": 20, "仓山区": 10}


def test_explicit_values_must_add_up():
    with pytest.raises(DecompositionError, match="不等于全市目标"):
        split_count(50, REGIONS, explicit={"鼓楼区": 20, "台江区": 20, "仓山区": 5})
    with pytest.raises(DecompositionError, match="超过全市目标"):
        split_count(50, REGIONS, explicit={"鼓楼区": 60})


def test_total_not_a_multiple_of_quantum_is_refused():
    with pytest.raises(DecompositionError):
        largest_remainder(Decimal("10.5"), {"a": 1, "b": 1}, 1)


@given(
    total=st.integers(min_value=0, max_value=5000),
    weights=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=12),
)
def test_largest_remainder_sums_and_stays_close(total, weights):
    w = {f"r{i}": v for i, v in enumerate(weights)}
    out = largest_remainder(total, w)
    assert sum(out.values()) == total
    wsum = sum(weights)
    for k, v in w.items():
        exact = Decimal(total) * v / wsum
        assert abs(out[k] - exact) < 1


def test_linear_year_path_for_a_rate():
    path = year_path(95, 2020, 98.5, 2025)
    assert path == {
        2021: Decimal("95.70"),
        2022: Decimal("96.40"),
        2023: Decimal("97.10"),
        2024: Decimal("97.80"),
        2025: Decimal("98.50"),
    }


def test_explicit_year_values():
    path = year_path(95, 2020, 98.5, 2025, explicit={2021: 95.5, 2025: 98.5})
    assert path[2021] == Decimal("95.5") and path[2022] == Decimal("96.40")
    with pytest.raises(DecompositionError):
        year_path(95, 2020, 98.5, 2025, explicit={2025: 98})


def test_new_target_annual_quotas():
    assert year_path(0, 2020, 152, 2025, kind="new") == {
        2021: 31,
        2022: 62,
        2023: 92,
        2024: 122,
        2025: 152,
    }
    path = year_path(0, 2020, 150, 2025, kind="new", explicit={2021: 10})
    assert path[2021] == 10 and path[2025] == 150
    with pytest.raises(DecompositionError):
        year_path(0, 2020, 150, 2025, kind="new", explicit={2021: 200})


def test_plan_line_share():
    line = PlanLine.straight(date(2021, 1, 1), date(2021, 12, 31), 90, 100)
    assert line.share_on(date(2021, 1, 1)) == 0
    assert line.share_on(date(2021, 12, 31)) == 1
    assert line.share_on(date(2021, 7, 2)) == pytest.approx(182 / 364)


def test_plan_line_from_uneven_milestones():
    # A back-loaded plan: 10% of the way in 2021, all of it by 2022.
    line = PlanLine.from_year_path(date(2021, 1, 1), 0, {2021: 10, 2022: 100})
    assert line.share_on(date(2021, 12, 31)) == pytest.approx(0.1)
    assert line.value_on(date(2023, 6, 1)) == 100


def test_decompose_counts_and_rates():
    counts = decompose(
        city_value=15,
        unit="个",
        kind="cumulative",
        regions=REGIONS,
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        baselines={"鼓楼区": 2, "台江区": 1, "仓山区": 0},
        weights={"鼓楼区": 0.5, "台江区": 0.3, "仓山区": 0.2},
    )
    assert [d.value for d in counts] == [8, 4, 3]
    assert counts[0].years[2025] == 8 and counts[0].years[2021] == Decimal("3.20")
    rates = decompose(
        city_value=98.5,
        unit="%",
        kind="level",
        regions=REGIONS,
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        baselines={"鼓楼区": 96},
    )
    assert all(d.value == Decimal("98.5") for d in rates)
    assert rates[0].plan_line is not None and rates[1].plan_line is None  # no baseline, no line


def test_evaluation_uses_a_back_loaded_plan_line():
    # Planned: 10% of the way by the end of 2021. Actual 20% → ahead, although a straight
    # time line would put 序时进度 at 50% and call it behind.
    line = PlanLine.from_year_path(date(2021, 1, 1), 0, {2021: 10, 2022: 100})
    spec = TargetSpec(
        start=date(2021, 1, 1),
        deadline=date(2022, 12, 31),
        kind="cumulative",
        value=100,
        baseline=0,
    )
    obs = [Observation(date(2021, m, 28), v) for m, v in [(4, 5), (8, 12), (12, 20)]]
    with_line = evaluate(spec, obs, date(2021, 12, 31), plan_line=line, forecast_downgrade=False)
    assert with_line.status is TargetStatus.ON_TRACK
    by_time = evaluate(spec, obs, date(2021, 12, 31), forecast_downgrade=False)
    assert by_time.status is TargetStatus.AT_RISK


def test_per_capita_level_is_not_split_but_can_be_forced():
    out = decompose(
        city_value=12,
        unit="件",
        kind="level",
        regions=REGIONS,
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
    )
    assert all(d.value == 12 for d in out)
    forced = decompose(
        city_value=12,
        unit="件",
        kind="level",
        regions=REGIONS,
        start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        additive=True,
    )
    assert sum(d.value for d in forced) == 12
