"""A department is assessed on the targets it answers for: the office names the answerable
units on the mapping page (default: the task's lead unit) and the target-attainment item of a
department counts only those targets."""

import datetime
from decimal import Decimal

from qcity.assessment import services
from qcity.assessment.choices import Method, SubjectKind
from qcity.core import audit
from qcity.core.services import create_object
from qcity.indicators.models import TargetLink
from qcity.indicators.tests import helpers

YEAR = 2032


def _task(world, plan, title, lead):
    from qcity.plans.models import Task

    return create_object(
        Task,
        {"plan": plan, "title": title, "lead_unit": lead, "deadline": datetime.date(YEAR, 12, 31)},
    )


def test_department_scored_on_the_targets_it_answers_for(world, client_for):
    office = world.user("office_admin")
    market, construction = world.unit("市市场监管局"), world.unit("市住建局")
    with audit.acting_as(office):
        plan = helpers.plan(world, period_start=YEAR, period_end=YEAR)
        food = _task(world, plan, "提升食品抽检合格率", construction)
        build = _task(world, plan, "提升建设工程质量", construction)
        rate_a, rate_b = helpers.indicator(), helpers.indicator()
        ta = helpers.target(
            plan, task=food, indicator_text="食品抽检合格率", year=YEAR, region=world.city
        )
        tb = helpers.target(
            plan, task=build, indicator_text="工程验收合格率", year=YEAR, region=world.city
        )
    client = client_for("office_admin")
    url = f"/indicators/plans/{plan.pk}/mapping/"
    # the mapping page offers the task's lead unit as the default answerable unit
    page = client.get(url).content.decode()
    assert "责任单位" in page and f'value="{construction.pk}" selected' in page
    # target A: the office names the market regulator; target B: left at the default
    client.post(
        url,
        {"action": "confirm", "target": ta.pk, "indicator": rate_a.pk, "units": [market.pk]},
    )
    client.post(url, {"action": "confirm", "target": tb.pk, "indicator": rate_b.pk})
    assert list(TargetLink.objects.get(target=ta).units.all()) == [market]
    assert list(TargetLink.objects.get(target=tb).units.all()) == [construction]
    page = client.get(url).content.decode()
    assert f"责任单位：{market.name}" in page and f"责任单位：{construction.name}" in page
    # figures: A missed (90 of 98), B met (99 of 98)
    helpers.monthly(world, rate_a, [Decimal(90)], start=datetime.date(YEAR, 6, 1))
    helpers.monthly(world, rate_b, [Decimal(99)], start=datetime.date(YEAR, 6, 1))
    scheme = services.create_scheme(
        {"year": YEAR, "name": f"{YEAR}年度市直部门质量工作考核", "plan": plan, "total_points": 40},
        office,
        items=[
            ("一", "目标完成情况", Method.HEADER, 0, "", {}),
            ("1", "规划目标完成", Method.TARGET, 40, "按负责目标的完成程度计分", {}),
        ],
    )
    rows = services.start(
        scheme,
        [
            (SubjectKind.DEPARTMENT, None, market),
            (SubjectKind.DEPARTMENT, None, construction),
        ],
        office,
        on=datetime.date(YEAR, 12, 31),
    )
    scores = {a.unit_id: a.scores.get(item__method=Method.TARGET) for a in rows}
    market_score, construction_score = scores[market.pk], scores[construction.pk]
    assert "食品抽检合格率" in market_score.computed_reason
    assert "工程验收合格率" not in market_score.computed_reason
    assert "工程验收合格率" in construction_score.computed_reason
    assert "食品抽检合格率" not in construction_score.computed_reason
    assert construction_score.computed_score == Decimal("40.00")
    assert market_score.computed_score < Decimal("40.00")
