"""The report carries the indicator values the unit owes; they become Observations."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from qcity.conftest import frozen_start
from qcity.core import audit
from qcity.core.services import create_object
from qcity.indicators.models import Indicator, Observation, TargetLink
from qcity.plans.models import Target
from qcity.tracking import services
from qcity.tracking.models import ProgressReport


@pytest.fixture
def owed(world, plan_task):
    with audit.acting_as(world.user("office_admin")):
        indicator = create_object(
            Indicator,
            {"key": "test.pass_rate", "name": "测试抽检合格率", "unit": "%", "direction": "up"},
        )
        target = create_object(
            Target,
            {
                "plan": plan_task.plan,
                "task": plan_task,
                "indicator_text": "测试抽检合格率",
                "value": Decimal("98"),
                "unit": "%",
                "year": 2026,
            },
        )
    link = TargetLink.objects.create(target=target, indicator=indicator, state="confirmed")
    link.units.add(world.unit("市市场监管局"))
    return link


def test_values_entered_once_become_observations(world, client_for, signed, owed):
    lead = client_for("market_staff")
    lead.get(reverse("tracking:report_form", args=[signed.pk]))
    report = ProgressReport.objects.get(assignment=signed)
    url = reverse("tracking:report_edit", args=[report.pk])
    assert "测试抽检合格率" in lead.get(url).content.decode()
    response = lead.post(
        url,
        {
            "version": report.version,
            "done": "完成抽检",
            "percent": "30",
            f"ind_{owed.pk}": "98.6",
            "op": "submit",
        },
    )
    assert response.status_code == 302
    obs = Observation.objects.get(indicator=owed.indicator)
    assert obs.value == Decimal("98.6") and obs.source == "reported"
    assert obs.unit == world.unit("市市场监管局") and obs.region == world.city
    assert (obs.period_start, obs.period_end) == (report.period_start, report.period_end)


def test_a_rate_over_100_is_refused_with_reason(world, signed, owed):
    lead = world.user("market_staff")
    report = services.open_report(signed, lead)
    entry = {"indicator": owed.indicator_id, "link": owed.pk, "value": "130"}
    with pytest.raises(ValidationError, match="测试抽检合格率"):
        services.save_report(
            report, {"done": "x", "percent": 10, "indicator_values": [entry]}, lead, report.version
        )
    assert ProgressReport.objects.get(pk=report.pk).indicator_values == []
    assert not Observation.objects.filter(indicator=owed.indicator).exists()


def test_only_links_answerable_by_the_lead_unit(world, signed, owed):
    owed.units.set([world.unit("市住建局")])
    assert services.owed_links(signed) == []


def test_report_of_a_running_period_says_figures_wait_and_submits_its_text(
    world, client_for, signed, owed
):
    lead = client_for("market_staff")
    lead.get(reverse("tracking:report_form", args=[signed.pk]))
    report = ProgressReport.objects.get(assignment=signed)
    url = reverse("tracking:report_edit", args=[report.pk])
    # on the period's last day the figures cannot be reported yet: the form says when they can
    with time_machine.travel(frozen_start(report.period_end), tick=True):
        page = lead.get(url).content.decode()
        after = report.period_end + datetime.timedelta(days=1)
        assert (
            f"指标数值须在统计期结束后（{after.year}年{after.month}月{after.day}日起）填报" in page
        )
        assert re.search(rf'name="ind_{owed.pk}"[^>]*disabled', page)
        response = lead.post(
            url,
            {"version": report.version, "done": "完成抽检", "percent": "30", "op": "submit"},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (
        report.status != "draft"
        and not Observation.objects.filter(indicator=owed.indicator).exists()
    )
