"""The plan overview's 任务办理情况 panel (indicators page, tracking panel) shows the real
counts of the plan's tasks by 督办 state."""

import re

from django.db.models import Count
from django.urls import reverse

from qcity.plans.demo import city_plan
from qcity.tracking.choices import AssignmentState
from qcity.tracking.models import Assignment


def _panel(body: str) -> str:
    start = body.index("任务办理情况")
    return body[start : body.index("进入督办台账", start)]


def test_plan_overview_panel_shows_the_demo_plans_task_states(world, client_for):
    plan = city_plan()
    assert plan is not None
    by_state = dict(
        Assignment.objects.filter(plan=plan, is_void=False)
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    assert sum(by_state.values()) > 0, "the tracking demo hands out the city plan's tasks"
    body = (
        client_for("office_admin")
        .get(reverse("indicators:plan_overview", args=[plan.pk]))
        .content.decode()
    )
    panel = _panel(body)
    assert "暂无督办事项" not in panel
    shown = {
        label: int(n) for label, n in re.findall(r'class="badge[^"]*">(\S+) (\d+)</span>', panel)
    }
    expected = {str(AssignmentState(v).label): n for v, n in by_state.items() if n}
    assert shown == expected
    assert sum(shown.values()) > 0


def test_plan_overview_panel_is_scoped_to_the_unit(world, client_for):
    """A unit sees the counts of the items it is involved in, never the office's drafts."""
    plan = city_plan()
    user = world.user("construction_staff")
    units = user.unit_ids()
    mine = (
        Assignment.objects.filter(plan=plan, is_void=False)
        .exclude(state="draft")
        .filter(lead_unit_id__in=units)
        .count()
        + Assignment.objects.filter(plan=plan, is_void=False, co_units__unit_id__in=units)
        .exclude(state="draft")
        .exclude(lead_unit_id__in=units)
        .distinct()
        .count()
    )
    body = (
        client_for("construction_staff")
        .get(reverse("indicators:plan_overview", args=[plan.pk]))
        .content.decode()
    )
    panel = _panel(body)
    shown = re.findall(r'class="badge[^"]*">(\S+) (\d+)</span>', panel)
    assert "待交办" not in [label for label, _n in shown]
    assert sum(int(n) for _l, n in shown) == mine
