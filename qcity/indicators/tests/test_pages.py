"""Pages: generic role × URL tests for each registered model, the dashboards' query
budgets, the mapping page and the observation form's refusals."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qcity.core.models import ChangeLog
from qcity.core.testing import RegisteredModelTests
from qcity.indicators import services
from qcity.indicators.models import Indicator, Observation, TargetLink

from . import helpers


class TestIndicator(RegisteredModelTests):
    model = Indicator

    def make(self, world):
        return helpers.indicator()

    def form_data(self, world):
        return {
            "key": "test_new_indicator",
            "name": "新建测试指标",
            "unit": "家",
            "direction": "up",
            "aggregation": "sum",
            "prefer": "reported",
            "synonyms": "[]",
            "parameters": "{}",
        }


class TestTargetLink(RegisteredModelTests):
    model = TargetLink

    def make(self, world):
        t = helpers.target(helpers.plan(world))
        return services.confirm_link(t, helpers.indicator(), {}, [], world.user("office_admin"))

    def form_data(self, world):
        from qcity.plans.models import Target

        # an existing unlinked target (creating one here would add change-log rows)
        t = Target.objects.filter(link__isnull=True).order_by("pk").first()
        ind = Indicator.objects.get(key="food_sampling_pass_rate")
        return {"target": t.pk, "indicator": ind.pk, "params": "{}"}


class TestObservation(RegisteredModelTests):
    model = Observation
    owner = "market_staff"
    other = "other_district_staff"

    def make(self, world):
        return helpers.monthly(world, helpers.indicator(), ["97.5"])[0]

    def form_data(self, world):
        ind = Indicator.objects.get(key="invention_patents_per_10k")  # a year-end stock
        return {
            "indicator": ind.pk,
            "region": world.city.pk,
            "period_kind": "year",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "value": "17.8件",
            "unit": world.unit("市市场监管局").pk,
        }


def test_unit_staff_enters_observation_for_own_unit_only(world, actor, client_for):
    # the district bureau answers for it (under the reporting city bureau), for its district
    ind = helpers.indicator(reporting_unit=world.unit("市市场监管局"))
    client = client_for("district_staff")
    data = {
        "indicator": ind.pk,
        "region": world.districts[0].pk,
        "period_kind": "month",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "value": "97.8",
        "unit": world.unit("江北区市场监管局").pk,
    }
    response = client.post("/indicators/observations/new/", data)
    assert response.status_code == 302
    obs = Observation.objects.get(indicator=ind)
    assert obs.reported_by == world.user("district_staff")
    # another unit is not among the choices: the form refuses it, nothing is written
    response = client.post(
        "/indicators/observations/new/", {**data, "unit": world.unit("江南区市场监管局").pk}
    )
    assert response.status_code == 200 and Observation.objects.filter(indicator=ind).count() == 1
    # nor can the other district's staff open or change this figure
    other = client_for("other_district_staff")
    assert other.get(f"/indicators/observations/{obs.pk}/edit/").status_code == 404
    assert (
        other.post(f"/indicators/observations/{obs.pk}/edit/", {**data, "value": "1"}).status_code
        == 404
    )
    obs.refresh_from_db()
    assert obs.value == Decimal("97.8") and obs.is_current


@pytest.mark.parametrize(
    ("value", "message"),
    [("130", "比率不能超过100%"), ("-1", "不能为负数"), ("97个", "单位不符"), ("abc", "无法识别")],
)
def test_observation_form_shows_chinese_reason_and_writes_nothing(
    world, actor, client_for, value, message
):
    ind = helpers.indicator(reporting_unit=world.unit("市市场监管局"))  # answerable
    before = (Observation.objects.count(), ChangeLog.objects.count())
    response = client_for("market_staff").post(
        "/indicators/observations/new/",
        {
            "indicator": ind.pk,
            "region": world.city.pk,
            "period_kind": "month",
            "period_start": "2026-03-01",
            "period_end": "2026-03-31",
            "value": value,
            "unit": world.unit("市市场监管局").pk,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Observation.objects.count(), ChangeLog.objects.count()) == before


def test_edit_records_a_revision(world, actor, client_for):
    obs = helpers.monthly(
        world, helpers.indicator(reporting_unit=world.unit("市市场监管局")), ["97.5"]
    )[0]
    client = client_for("market_staff")
    form = client.get(f"/indicators/observations/{obs.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "evidence"}
    data.update(
        {
            "value": "97.9",
            "indicator": obs.indicator_id,
            "region": obs.region_id,
            "unit": obs.unit_id,
            "period_start": "2024-01-01",
            "period_end": "2024-01-31",
        }
    )
    assert client.post(f"/indicators/observations/{obs.pk}/edit/", data).status_code == 302
    obs.refresh_from_db()
    assert not obs.is_current and obs.superseded_by.value == Decimal("97.9")


def _dashboard_plan(world, n_targets=8):
    ind_a, ind_b = helpers.indicator(), helpers.count_indicator()
    the_plan = helpers.plan(world)
    for i in range(n_targets):
        ind = ind_a if i % 2 else ind_b
        t = helpers.target(
            the_plan, order=i, value=Decimal("98") if i % 2 else Decimal("40"), unit=ind.unit
        )
        if i < n_targets - 1:  # one target stays unlinked
            services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    helpers.monthly(world, ind_a, ["96", "96.5", "97", "97.2"], start=datetime.date(2025, 8, 1))
    helpers.monthly(world, ind_b, ["20", "24", "26"], start=datetime.date(2025, 8, 1), step=3)
    for r in world.districts[:4]:
        helpers.monthly(world, ind_a, ["95"], start=datetime.date(2025, 11, 1), region=r)
    return the_plan


@pytest.mark.parametrize("n_targets", [4, 16])
def test_plan_overview_query_budget(
    world, actor, client_for, django_assert_max_num_queries, n_targets
):
    the_plan = _dashboard_plan(world, n_targets)
    client = client_for("office_admin")
    with django_assert_max_num_queries(25):
        response = client.get(f"/indicators/plans/{the_plan.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "未关联指标" in body and "序时进度" in body
    assert len(response.context["rows"]) == n_targets


def test_overview_filters_by_light_and_includes_panels(world, actor, client_for):
    from qcity.indicators import views

    the_plan = _dashboard_plan(world)
    seen = []

    def panel(plan, request):
        seen.append(plan)
        return {
            "title": "测试面板",
            "template": "indicators/_home_panel.html",
            "context": {"plan": plan, "counts": []},
        }

    views.PLAN_OVERVIEW_PANELS.append(panel)
    try:
        response = client_for("auditor").get(f"/indicators/plans/{the_plan.pk}/?light=unlinked")
    finally:
        views.PLAN_OVERVIEW_PANELS.remove(panel)
    assert response.status_code == 200 and seen == [the_plan]
    assert len(response.context["rows"]) == 1


@pytest.mark.parametrize("url", ["", "districts/", "mapping/"])
def test_plan_pages_cost_no_query_per_row(
    world, actor, client_for, django_assert_max_num_queries, url
):
    """The same number of queries for 4 targets as for 16, and within the budget."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("office_admin")
    counts = []
    for n in (4, 16):
        the_plan = _dashboard_plan(world, n)
        client.get(f"/indicators/plans/{the_plan.pk}/{url}")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/indicators/plans/{the_plan.pk}/{url}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(30):
        client.get(f"/indicators/plans/{the_plan.pk}/{url}")


def test_trend_pages_query_budget(world, actor, client_for, django_assert_max_num_queries):
    the_plan = _dashboard_plan(world)
    target = the_plan.targets.filter(link__isnull=False).first()
    client = client_for("district_staff")
    with django_assert_max_num_queries(20):
        response = client.get(f"/indicators/targets/{target.pk}/")
    assert response.status_code == 200 and b"trend-data" in response.content
    with django_assert_max_num_queries(20):
        response = client.get(f"/indicators/indicators/{target.link.indicator_id}/trend/")
    assert response.status_code == 200


def test_mapping_page_confirm_is_office_only(world, actor, client_for):
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="食品抽检合格率")
    ind = Indicator.objects.get(key="food_sampling_pass_rate")
    post = {
        "action": "confirm",
        "target": t.pk,
        "indicator": ind.pk,
        "params": "抽检类型：监督抽检",  # as the page writes a variant, never JSON
    }
    assert (
        client_for("market_staff")
        .post(f"/indicators/plans/{the_plan.pk}/mapping/", post)
        .status_code
        == 403
    )
    assert not TargetLink.objects.filter(target=t).exists()
    admin = client_for("office_admin")
    admin.post(f"/indicators/plans/{the_plan.pk}/mapping/", {"action": "propose"})
    assert TargetLink.objects.get(target=t).indicator == ind
    for bad, said in (
        ("{bad", "变体参数无法识别"),
        ("口味：甜", "无法识别参数“口味”"),
        ("抽检类型", "缺少名称或取值"),
        ("类别：火星", "类别代码“火星”不在产品类别目录中"),  # a variant of nothing real
        ("抽检类型：随便查查", "“抽检类型”不能取“随便查查”"),
        ("产品类别：水产品", "没有“产品类别”这一口径"),  # named in Chinese, not product_type
    ):
        response = admin.post(
            f"/indicators/plans/{the_plan.pk}/mapping/", {**post, "params": bad}, follow=True
        )
        assert said in response.content.decode(), bad
        assert TargetLink.objects.get(target=t).state == "proposed"
    response = admin.post(f"/indicators/plans/{the_plan.pk}/mapping/", post, follow=True)
    page = response.content.decode()
    assert "已确认指标关联" in page
    link = TargetLink.objects.get(target=t)
    assert link.state == "confirmed" and link.params == {"sample_type": "监督抽检"}
    # the form shows the variant back in the same words, ready to edit
    assert 'value="抽检类型：监督抽检"' in page and "sample_type" not in page


def test_anonymous_is_sent_to_login(client_for, world):
    response = client_for(None).get("/indicators/plans/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_panel_shows_latest_lights(world, actor, client_for):
    the_plan = _dashboard_plan(world)
    # the newest period wins: a snapshot dated next month comes before the demo's
    ahead = services.month_bounds(timezone.localdate() + datetime.timedelta(days=31))[1]
    services.snapshot_lights(the_plan.targets.all(), on=ahead)
    response = client_for("office_admin").get("/")
    body = response.content.decode()
    assert response.status_code == 200 and "目标亮灯" in body and ahead.strftime("%Y-%m") in body
    assert the_plan.title in body


def test_observation_pages_show_numbers_as_written_not_storage_scale(world, actor, client_for):
    ind = helpers.indicator()
    helpers.monthly(world, ind, [Decimal("98.5")], start=datetime.date(2025, 3, 1))
    obs = Observation.objects.get(indicator=ind)
    admin = client_for("office_admin")
    listing = admin.get("/indicators/observations/").content.decode()
    detail = admin.get(f"/indicators/observations/{obs.pk}/").content.decode()
    for page in (listing, detail):
        assert "98.5000" not in page and "98.5" in page
    assert "{}" not in detail  # an empty variant reads as —, not as a Python dict
