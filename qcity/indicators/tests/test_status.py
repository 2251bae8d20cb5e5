"""Target status through the database: level, change and range targets, the forecast, the
reported/computed choice, and thresholds read from the rule table."""

import datetime
from decimal import Decimal

from qcity.core import rulebook
from qcity.core.models import Rule
from qcity.indicators import services
from qcity.indicators.status import StatusBoard, target_status

from . import helpers

ON = datetime.date(2025, 12, 31)


def _linked(world, ind, **target_fields):
    t = helpers.target(helpers.plan(world), **target_fields)
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    t.refresh_from_db()
    return t


def test_level_target_on_track_with_forecast(world, actor):
    ind = helpers.indicator()
    t = _linked(world, ind, value=Decimal("98"), year=2026)
    # 2024-01 .. 2025-12: from 96 rising steadily towards 98
    helpers.monthly(world, ind, [Decimal("96") + Decimal("0.06") * i for i in range(24)])
    r = target_status(t, on=ON)
    assert r.status == "on_track" and r.light == "green"
    assert 0.6 < r.evaluation.elapsed_share < 0.7  # two of three plan years gone
    f = r.evaluation.forecast
    assert f is not None and f.low < f.value < f.high and f.at == datetime.date(2026, 12, 31)
    assert "序时进度" in r.explanation and "预测" in r.explanation
    chart = r.chart()
    assert len(chart["reported"]) == 24 and chart["band_low"] and chart["plan"] and chart["target"]


def test_level_target_seriously_behind_and_thresholds_from_rule_table(world, actor):
    ind = helpers.indicator()
    t = _linked(world, ind, value=Decimal("98"), year=2026)
    helpers.monthly(world, ind, [Decimal("96.2") + Decimal("0.01") * i for i in range(24)])
    r = target_status(t, on=ON)
    assert r.status == "behind" and r.light == "red"
    # the office raises the red threshold: the same figures are now only yellow
    rule = Rule.objects.get(key="tracking.lag_red_points")
    rulebook.change(rule, "80", world.user("office_admin"), "测试：放宽红灯阈值")
    r = StatusBoard(on=ON).status(t)
    assert r.status == "at_risk" and r.light == "yellow"


def test_insufficient_data(world, actor):
    ind = helpers.indicator()
    t = _linked(world, ind)
    helpers.monthly(world, ind, ["96", "96.1"], start=datetime.date(2025, 10, 1))
    r = target_status(t, on=ON)
    assert r.status == "insufficient" and r.light == "grey"
    assert "至少需要3期" in r.explanation


def test_unlinked_target_has_no_status(world, actor):
    t = helpers.target(helpers.plan(world))
    assert target_status(t, on=ON) is None


def test_change_target_reads_base_year_value(world, actor):
    """比上年下降5%: the 2025 value is the base, 2026 must reach 95% of it."""
    ind = helpers.indicator(
        unit="起/万台", direction="down", bound_max=None, aggregation="latest", parameters={}
    )
    t = _linked(
        world,
        ind,
        op=">=",
        value=Decimal("5"),
        unit="%",
        kind="change",
        direction="down",
        year=2026,
        base_text="上年",
    )
    unit = world.unit("市市场监管局")

    def put(start, end, value):
        services.record_observation(
            indicator=ind,
            region=world.city,
            period_start=start,
            period_end=end,
            period_kind="custom",
            value=value,
            unit=unit,
            user=world.user("office_admin"),
        )

    put(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), "0.20")
    put(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), "0.195")
    put(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), "0.188")
    r = target_status(t, on=datetime.date(2026, 7, 15))
    assert abs(r.evaluation.threshold - 0.19) < 1e-9
    assert r.status == "achieved" and r.evaluation.met


def test_range_target(world, actor):
    ind = helpers.indicator(unit="%", aggregation="latest", parameters={})
    t = _linked(
        world,
        ind,
        op="range",
        value=Decimal("2.5"),
        value_high=Decimal("3.0"),
        kind="level",
        year=2026,
    )
    helpers.monthly(
        world, ind, ["2.2", "2.35", "2.45", "2.6"], start=datetime.date(2025, 6, 1), step=2
    )
    r = target_status(t, on=ON)
    assert r.status == "achieved" and r.evaluation.threshold_high == 3.0
    helpers.monthly(world, ind, ["3.4"], start=datetime.date(2025, 12, 1))
    r = StatusBoard(on=ON).status(t)
    assert not r.evaluation.met and r.status != "achieved"


def test_prefer_chooses_reported_or_computed_and_both_are_kept(world, actor):
    ind = helpers.indicator()
    t = _linked(world, ind, value=Decimal("98"), year=2026)
    office = services.office_unit()
    helpers.monthly(world, ind, ["96"] * 12, start=datetime.date(2025, 1, 1))
    helpers.monthly(
        world, ind, ["99"] * 12, start=datetime.date(2025, 1, 1), unit=office, source="computed"
    )
    r = StatusBoard(on=ON).status(t)
    assert r.used_source == "reported" and len(r.reported) == 12 and len(r.computed) == 12
    assert r.status != "achieved"
    ind.prefer = "computed"
    ind.save()
    t.link.indicator = ind
    r = StatusBoard(on=ON).status(t)
    assert r.used_source == "computed" and r.status == "achieved"


def test_board_prefetch_is_one_query_for_many_targets(world, actor, django_assert_max_num_queries):
    ind = helpers.indicator()
    the_plan = helpers.plan(world)
    targets = []
    for i in range(6):
        t = helpers.target(the_plan, value=Decimal("98"), order=i)
        services.confirm_link(t, ind, {}, [], world.user("office_admin"))
        targets.append(t)
    helpers.monthly(world, ind, ["97"] * 6, start=datetime.date(2025, 6, 1))
    from qcity.plans.models import Target

    targets = list(Target.objects.filter(plan=the_plan).select_related("plan", "link__indicator"))
    board = StatusBoard(on=ON)
    with django_assert_max_num_queries(3):
        board.prefetch(targets)
        results = [board.status(t) for t in targets]
    assert all(r.evaluation.observations_used == 6 for r in results)


def test_light_snapshots_are_kept_per_period(world, actor):
    from qcity.indicators.models import LightSnapshot

    ind = helpers.indicator()
    t = _linked(world, ind, value=Decimal("98"), year=2026)
    helpers.monthly(world, ind, [Decimal("96") + Decimal("0.06") * i for i in range(24)])
    from qcity.plans.models import Target

    qs = Target.objects.filter(pk=t.pk)
    services.snapshot_lights(qs, on=datetime.date(2025, 6, 30))
    services.snapshot_lights(qs, on=ON)
    services.snapshot_lights(qs, on=ON)  # same period again: replaced, not duplicated
    lights = list(LightSnapshot.objects.filter(target=t))
    assert [s.period_end for s in lights] == [datetime.date(2025, 6, 30), ON]
    assert lights[-1].light == "green" and lights[-1].explanation


def test_running_period_counts_at_the_evaluation_date(world, actor):
    """A figure whose period has started is read before the period ends, dated ``on``."""
    ind = helpers.indicator()
    t = _linked(world, ind, value=Decimal("98"), year=2026)
    helpers.monthly(world, ind, ["96", "96.5", "97", "97.2"], start=datetime.date(2025, 9, 1))
    on = datetime.date(2025, 12, 10)  # December's figure is running
    r = StatusBoard(on=on).status(t)
    assert len(r.reported) == 4 and r.evaluation.current == 97.2
    assert r.when(r.reported[-1]) == on and r.chart()["reported"][-1][0] == on.isoformat()
    helpers.monthly(world, ind, ["97.5"], start=datetime.date(2026, 1, 1))  # not started yet
    assert StatusBoard(on=on).status(t).evaluation.current == 97.2


def test_preferred_computed_series_keeps_the_reported_history_before_it(world, actor):
    ind = helpers.indicator(prefer="computed")
    t = _linked(world, ind, value=Decimal("98"), year=2026)
    office = services.office_unit()
    helpers.monthly(world, ind, ["95"] * 12, start=datetime.date(2025, 1, 1))
    helpers.monthly(
        world, ind, ["97", "97.5"], start=datetime.date(2025, 11, 1), unit=office, source="computed"
    )
    r = StatusBoard(on=ON).status(t)
    assert r.used_source == "computed" and len(r.reported) == 12 and len(r.computed) == 2
    # January–October reported, then November and December computed
    assert [float(o.value) for o in r.used] == [95.0] * 10 + [97.0, 97.5]
    assert r.filled == 10 and r.evaluation.current == 97.5
