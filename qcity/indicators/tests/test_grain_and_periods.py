"""Periods and grain are part of a figure's identity (issue 9): an indicator has one grain and
its report form and API refuse another; figures outside the plan's period never move the plan's
status, light or forecast; the baseline is the plan's or the first figure inside its period."""

import datetime
import json
from decimal import Decimal

from qcity.core.models import ChangeLog
from qcity.indicators import services
from qcity.indicators.models import Observation

from . import helpers


def _figure(world, ind, start, end, value, kind="month"):
    return services.record_observation(
        indicator=ind,
        region=world.city,
        period_start=start,
        period_end=end,
        period_kind=kind,
        value=value,
        unit=world.unit("市市场监管局"),
        user=world.user("office_admin"),
    )


def test_quarterly_cumulative_indicator_refuses_a_monthly_figure_on_form_and_api(
    world, actor, client_for
):
    ind = helpers.indicator(period_kind="quarter", cumulative=True)
    client = client_for("market_staff")
    monthly = {
        "indicator": ind.pk,
        "region": world.city.pk,
        "period_kind": "month",
        "period_start": "2026-04-01",
        "period_end": "2026-04-30",
        "value": "25",
        "unit": world.unit("市市场监管局").pk,
    }
    before = (Observation.objects.count(), ChangeLog.objects.count())
    response = client.post("/indicators/observations/new/", monthly)
    assert response.status_code == 200
    assert "按季度累计值报送，不接受月度数据" in response.content.decode()
    assert (Observation.objects.count(), ChangeLog.objects.count()) == before
    # a per-quarter figure (April–June) is not year-to-date either
    per_quarter = {**monthly, "period_kind": "quarter", "period_start": "2026-04-01"}
    per_quarter["period_end"] = "2026-06-30"
    response = client.post("/indicators/observations/new/", per_quarter)
    assert response.status_code == 200 and "季度累计值" in response.content.decode()
    # the API refuses the same figure with the same reason, naming the field
    api = client.post(
        "/api/indicators/observations/", json.dumps(monthly), content_type="application/json"
    )
    assert api.status_code == 400
    assert "按季度累计值报送" in json.dumps(api.json(), ensure_ascii=False)
    assert "period_kind" in api.json()["errors"]
    assert (Observation.objects.count(), ChangeLog.objects.count()) == before
    # the grain asked for (1 January to the end of the half year) is stored
    ok = {**per_quarter, "period_start": "2026-01-01", "value": "97.8"}
    assert client.post("/indicators/observations/new/", ok).status_code == 302
    (obs,) = Observation.objects.filter(indicator=ind)
    assert obs.period_kind == "quarter" and obs.period_start == datetime.date(2026, 1, 1)


def test_monthly_per_period_indicator_refuses_a_quarterly_figure(world, actor, client_for):
    ind = helpers.indicator(period_kind="month", cumulative=False)
    response = client_for("market_staff").post(
        "/indicators/observations/new/",
        {
            "indicator": ind.pk,
            "region": world.city.pk,
            "period_kind": "quarter",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "value": "97",
            "unit": world.unit("市市场监管局").pk,
        },
    )
    assert response.status_code == 200
    assert "按月度当期值报送，不接受季度数据" in response.content.decode()
    assert not Observation.objects.filter(indicator=ind).exists()


def _linked_target(world, ind):
    the_plan = helpers.plan(world)  # 2024–2026
    target = helpers.target(the_plan)  # ≥ 98 % in 2026
    services.confirm_link(target, ind, {}, [], world.user("office_admin"))
    return target


def _page_result(client, target):
    response = client.get(f"/indicators/targets/{target.pk}/")
    assert response.status_code == 200
    return response.context["result"]


def test_figures_dated_before_the_plan_never_change_its_status_light_or_forecast(
    world, actor, client_for
):
    in_plan = [str(Decimal("96.0") + Decimal(i) / 10) for i in range(12)]
    clean, polluted = helpers.indicator(), helpers.indicator()
    for ind in (clean, polluted):
        helpers.monthly(world, ind, in_plan, start=datetime.date(2024, 1, 1), step=3)
    # results dated years before the plan, brought into the same series
    for year in (2019, 2020, 2021):
        _figure(
            world, polluted, datetime.date(year, 1, 1), datetime.date(year, 12, 31), "50", "year"
        )
    client = client_for("office_admin")
    a = _page_result(client, _linked_target(world, clean))
    b = _page_result(client, _linked_target(world, polluted))
    ea, eb = a.evaluation, b.evaluation
    assert (eb.status, eb.light, eb.current) == (ea.status, ea.light, ea.current)
    assert eb.progress == ea.progress
    assert eb.observations_used == ea.observations_used
    fa, fb = ea.forecast, eb.forecast
    assert (fa is None) == (fb is None)
    if fa is not None:
        assert (fb.value, fb.low, fb.high) == (fa.value, fa.low, fa.high)


def test_baseline_is_the_first_figure_inside_the_plan_not_an_earlier_zero(world, actor, client_for):
    ind = helpers.indicator()
    # an unrelated zero dated the month before the plan starts
    _figure(world, ind, datetime.date(2023, 12, 1), datetime.date(2023, 12, 31), "0")
    helpers.monthly(
        world, ind, ["90", "91", "92", "93", "94", "95"], start=datetime.date(2024, 1, 1), step=6
    )
    result = _page_result(client_for("office_admin"), _linked_target(world, ind))
    e = result.evaluation
    assert e.current is not None and e.progress is not None
    # actual completion is measured from 90 (Jan 2024), not from 0
    assert abs(e.progress - (e.current - 90) / (98 - 90)) < 1e-9
    assert result.chart()["plan"][0][1] == 90


def test_target_base_value_is_the_baseline_of_a_change_target(world, actor, client_for):
    """A change target's base comes from the plan (its base year), not from a zero elsewhere."""
    ind = helpers.indicator()
    _figure(world, ind, datetime.date(2020, 1, 1), datetime.date(2020, 12, 31), "0", "year")
    _figure(world, ind, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31), "80", "year")
    helpers.monthly(world, ind, ["82", "84", "86"], start=datetime.date(2024, 1, 1), step=6)
    the_plan = helpers.plan(world)
    target = helpers.target(
        the_plan, kind="change", value=Decimal("10"), unit="%", base_year=2023, op=">="
    )
    services.confirm_link(target, ind, {}, [], world.user("office_admin"))
    result = _page_result(client_for("office_admin"), target)
    assert result.spec.baseline == 80


def test_import_lists_figures_outside_the_plan_before_commit_and_needs_a_choice(
    world, actor, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ind = helpers.indicator(key="import_grain_rate")
    target = _linked_target(world, ind)  # plan 2024–2026
    code = world.city.code
    csv = (
        "指标代码,区划代码,周期类型,起始日期,截止日期,数值,分子,分母\n"
        f"import_grain_rate,{code},月度,2024-01-01,2024-01-31,96.5,,\n"
        f"import_grain_rate,{code},月度,2024-02-01,2024-02-29,96.8,,\n"
        f"import_grain_rate,{code},年度,2019-01-01,2019-12-31,10,,\n"
    ).encode()
    client = client_for("office_admin")
    url = "/indicators/observations/import-figures/"
    before = (Observation.objects.count(), ChangeLog.objects.count())
    preview = client.post(url, {"file": SimpleUploadedFile("figures.csv", csv)})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "在所关联规划的规划期之外" in page and "第4行" in page and "2019年1月1日" in page
    assert target.plan.title in page
    assert (Observation.objects.count(), ChangeLog.objects.count()) == before
    # committing without a choice for the out-of-period row is refused, nothing written
    refused = client.post(url, {"commit": "1"})
    assert "请选择保留为历史数据或不导入这些行" in refused.content.decode()
    assert Observation.objects.filter(indicator=ind).count() == 0
    # kept as history: stored, but the plan is judged on the two figures inside it
    assert client.post(url, {"commit": "1", "outside": "keep"}).status_code == 302
    stored = Observation.objects.filter(indicator=ind, source="imported")
    assert stored.count() == 3
    result = _page_result(client, target)
    assert [o.period_start.year for o in result.used] == [2024, 2024]
