"""Observation entry, revisions, target links and decomposition: each refusal has a test and
writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qcity.core.models import ChangeLog
from qcity.indicators import services
from qcity.indicators.models import Decomposition, Observation, TargetLink

from . import helpers

MAY = (datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))


def _record(world, ind, value, **extra):
    data = {
        "indicator": ind,
        "region": world.city,
        "period_start": MAY[0],
        "period_end": MAY[1],
        "period_kind": "month",
        "value": value,
        "unit": world.unit("市市场监管局"),
        "user": world.user("market_staff"),
    }
    data.update(extra)
    return services.record_observation(**data)


def _refused(world, ind, value, message, **extra):
    before = (Observation.objects.count(), ChangeLog.objects.count())
    with pytest.raises(ValidationError) as exc:
        _record(world, ind, value, **extra)
    assert message in " ".join(exc.value.messages)
    assert (Observation.objects.count(), ChangeLog.objects.count()) == before


def test_rate_of_130_percent_is_refused(world, actor):
    _refused(world, helpers.indicator(), Decimal("130"), "比率不能超过100%")


def test_negative_count_is_refused(world, actor):
    _refused(world, helpers.count_indicator(), -3, "数量不能为负数")


def test_value_outside_bounds_is_refused(world, actor):
    ind = helpers.count_indicator(bound_max=Decimal("50"), unit="分")
    _refused(world, ind, Decimal("51"), "超过指标")


def test_numerator_above_denominator_is_refused(world, actor):
    _refused(
        world,
        helpers.indicator(),
        "90",
        "分子（120）不能大于分母（100）",
        numerator=120,
        denominator=100,
    )


def test_wrong_unit_string_is_refused_and_right_one_accepted(world, actor):
    ind = helpers.indicator()
    _refused(world, ind, "98个", "单位不符")
    assert _record(world, ind, "98.5%").value == Decimal("98.5")
    assert _record(world, ind, "98.6％").value == Decimal("98.6")


def test_period_end_before_start_is_refused(world, actor):
    _refused(
        world,
        helpers.indicator(),
        "90",
        "截止日期不能早于起始日期",
        period_start=MAY[1],
        period_end=MAY[0],
    )


def test_unknown_parameter_is_refused(world, actor):
    _refused(world, helpers.indicator(), "90", "这一口径", params={"colour": "red"})


def test_staff_cannot_report_for_another_unit(world, actor):
    before = Observation.objects.count()
    with pytest.raises(PermissionDenied):
        _record(
            world,
            helpers.indicator(),
            "90",
            unit=world.unit("江南区市场监管局"),
            user=world.user("district_staff"),
        )
    assert Observation.objects.count() == before


def test_second_value_supersedes_first_and_both_are_kept(world, actor):
    ind = helpers.indicator()
    first = _record(world, ind, "97.1")
    second = _record(world, ind, "97.4")
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert second.revision == 2 and second.supersedes == first
    assert list(Observation.for_series(ind, "{}", world.city)) == [second]
    # a computed figure for the same period is its own series, not a revision
    computed = _record(world, ind, "97.0", source="computed")
    assert computed.revision == 1 and computed.is_current
    second.refresh_from_db()
    assert second.is_current


def test_voiding_the_current_value_restores_the_previous_one(world, actor):
    ind = helpers.indicator()
    first = _record(world, ind, "97.1")
    second = _record(world, ind, "97.4")
    services.void_observation(second, "录入错误", world.user("market_staff"))
    first.refresh_from_db()
    assert first.is_current
    with pytest.raises(ValidationError):
        services.void_observation(first, "", world.user("market_staff"))


def test_propose_and_confirm_link(world, actor):
    ind = helpers.indicator(name="食品抽检合格率测试", synonyms=["食品安全监督抽检合格率测试"])
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="食品安全监督抽检合格率测试")
    links = services.propose_links(the_plan, world.user("office_admin"))
    link = TargetLink.objects.get(target=t)
    assert link in links and link.state == "proposed" and link.indicator == ind
    assert link.proposals[0]["key"] == ind.key and link.proposed_score >= Decimal("0.5")
    services.confirm_link(
        t,
        ind,
        {"sample_type": "监督抽检"},
        [world.unit("市市场监管局")],
        world.user("office_admin"),
    )
    link.refresh_from_db()
    assert link.state == "confirmed" and link.confirmed_by == world.user("office_admin")
    assert list(link.units.all()) == [world.unit("市市场监管局")]
    # a confirmed link is not overwritten by new proposals
    services.propose_links(the_plan, world.user("office_admin"))
    link.refresh_from_db()
    assert link.state == "confirmed" and link.params == {"sample_type": "监督抽检"}


def test_confirm_link_refuses_unknown_parameter(world, actor):
    ind = helpers.indicator()
    t = helpers.target(helpers.plan(world))
    with pytest.raises(ValidationError, match="这一口径"):
        services.confirm_link(t, ind, {"nope": 1}, [], world.user("office_admin"))
    assert not TargetLink.objects.filter(target=t).exists()


def test_decompose_rate_target_gives_district_targets_and_plan_lines(world, actor):
    ind = helpers.indicator()
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, value=Decimal("98.5"))
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    regions = world.districts[:3]
    baselines = {r.name: Decimal("97") for r in regions}
    rows = services.decompose_target(
        t,
        regions,
        baselines=baselines,
        explicit={regions[0].name: Decimal("99")},
        user=world.user("office_admin"),
    )
    assert len(rows) == 3 * 3  # three districts × 2024..2026
    first = Decomposition.objects.get(target=t, region=regions[0], year=2026)
    assert first.value == Decimal("99") and first.district_target.region == regions[0]
    assert first.district_target.link.indicator == ind
    assert Decomposition.objects.get(target=t, region=regions[1], year=2024).value == Decimal(
        "97.5"
    )
    # again: same district targets, no duplicates
    services.decompose_target(
        t, regions, baselines=baselines, reason="江北区不再单列", user=world.user("office_admin")
    )
    assert the_plan.targets.filter(region__in=regions).count() == 3


def test_decompose_refuses_missing_baseline(world, actor):
    t = helpers.target(helpers.plan(world))
    services.confirm_link(t, helpers.indicator(), {}, [], world.user("office_admin"))
    with pytest.raises(ValidationError, match="缺少基期值"):
        services.decompose_target(
            t, world.districts[:2], baselines={}, user=world.user("office_admin")
        )
    assert not Decomposition.objects.filter(target=t).exists()
