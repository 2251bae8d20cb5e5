"""The computed-indicator seam: a registered computer's results are stored as computed
observations with their filter and drill-down url, and a target then reads them."""

import datetime
from decimal import Decimal

import pytest

from qcity.core.models import Job
from qcity.indicators import computed, services
from qcity.indicators.models import Observation
from qcity.indicators.status import StatusBoard

from . import helpers

CALLS = []


@pytest.fixture
def test_computer():
    key = "tests.pass_rate"

    @computed.computer(key, "测试计算合格率", sources=("tests.sample",))
    def compute(params, region, start, end):
        CALLS.append((params, region.code, start, end))
        if region.level != "city":
            return computed.Computed(value=None)
        passed = 990 if params.get("sample_type") == "监督抽检" else 950
        return computed.Computed(
            value=Decimal(passed) / 10,
            numerator=passed,
            denominator=1000,
            filter={"model": "tests.sample", "lookups": {"result": "pass", **params}},
            url=f"/tests/samples/?from={start}&to={end}",
        )

    yield key
    computed.COMPUTERS.pop(key, None)
    CALLS.clear()


def test_recompute_stores_observation_with_filter_and_url(world, actor, test_computer):
    ind = helpers.indicator(computed_by=test_computer)
    t = helpers.target(helpers.plan(world), value=Decimal("98"))
    services.confirm_link(t, ind, {"sample_type": "监督抽检"}, [], world.user("office_admin"))
    start, end = datetime.date(2025, 11, 1), datetime.date(2025, 11, 30)
    written = services.recompute(test_computer, start, end)
    assert written == 2  # the overall variant and the linked 监督抽检 variant, city only
    obs = Observation.objects.get(indicator=ind, params_key='{"sample_type":"监督抽检"}')
    assert obs.source == "computed" and obs.value == Decimal("99") and obs.denominator == 1000
    assert obs.filter["lookups"]["sample_type"] == "监督抽检"
    assert obs.url.startswith("/tests/samples/") and obs.unit == services.office_unit()
    assert obs.period_kind == "month"
    # unchanged figures: nothing new is written
    assert services.recompute(test_computer, start, end) == 0
    # the target reads the computed figure (no reported one exists)
    t.refresh_from_db()
    r = StatusBoard(on=datetime.date(2025, 12, 31)).status(t)
    assert r.used_source == "computed" and r.evaluation.current == 99.0


def test_queue_recompute_runs_after_source_change(world, actor, test_computer):
    ind = helpers.indicator(computed_by=test_computer)
    job = services.queue_recompute(
        "tests.sample", datetime.date(2025, 10, 1), datetime.date(2025, 10, 31)
    )
    assert job is not None and job.kind == "indicators.recompute"
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    assert Observation.objects.filter(indicator=ind, source="computed").count() == 1
    assert services.queue_recompute("nobody.reads_this") is None


def test_drill_down_link_on_target_page(world, actor, client_for, test_computer):
    ind = helpers.indicator(computed_by=test_computer)
    t = helpers.target(helpers.plan(world), value=Decimal("98"))
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    services.recompute(test_computer, datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))
    response = client_for("market_staff").get(f"/indicators/targets/{t.pk}/")
    assert response.status_code == 200
    assert "/tests/samples/?from=2025-11-01" in response.content.decode()


def test_queue_recompute_covers_the_months_of_the_changed_records(world, actor, test_computer):
    ind = helpers.indicator(computed_by=test_computer)
    # a year figure computed on demand earlier: a change inside it makes it stale too
    services.recompute(test_computer, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    job = services.queue_recompute(
        "tests.sample", days=[datetime.date(2025, 3, 9), datetime.date(2025, 7, 2)]
    )
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    assert job.params["periods"] == [
        ["2025-01-01", "2025-12-31"],
        ["2025-03-01", "2025-03-31"],
        ["2025-07-01", "2025-07-31"],
    ]
    months = Observation.objects.filter(indicator=ind, period_kind="month")
    assert sorted(o.period_start.month for o in months) == [3, 7]
