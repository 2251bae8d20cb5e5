import datetime

import pytest

from qcity.core import audit
from qcity.core.services import create_object
from qcity.plans.models import Plan, Responsibility, Task
from qcity.tracking import services

# The fixtures below play one scenario on the 2026 calendar (交办 5 January, deadline 31
# December); a test that also needs "today" inside that scenario asks for ``scenario_today``.
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def scenario_today():
    """Today is TODAY (10 March 2026, inside the scenario), whatever the wall clock says."""
    import time_machine

    from qcity.conftest import frozen_start

    with time_machine.travel(frozen_start(TODAY), tick=True):
        yield TODAY


@pytest.fixture
def plan_task(world):
    with audit.acting_as(world.user("office_admin")):
        plan = create_object(
            Plan, {"title": "测试实施方案", "period_start": 2026, "period_end": 2027}
        )
        task = create_object(
            Task,
            {
                "plan": plan,
                "title": "开展质量提升行动",
                "lead_unit": world.unit("市市场监管局"),
                "deadline": datetime.date(2026, 12, 31),
            },
        )
    Responsibility.objects.create(
        task=task, unit=world.unit("市市场监管局"), name_as_written="市市场监管局", role="lead"
    )
    Responsibility.objects.create(
        task=task,
        unit=world.unit("市住建局"),
        name_as_written="市住建局",
        role="co",
        duty="负责建设工程质量部分",
    )
    return task


@pytest.fixture
def assignment(world, plan_task):
    office = world.user("office_admin")
    a = services.create_assignment(
        {"task": plan_task, "leader": "张副市长"}, office, on=datetime.date(2026, 1, 5)
    )
    return services.assign(a, office, on=datetime.date(2026, 1, 5))


@pytest.fixture
def signed(world, assignment):
    return services.sign(assignment, world.user("market_staff"), on=datetime.date(2026, 1, 6))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
