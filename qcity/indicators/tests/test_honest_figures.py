"""Trustworthy numbers (issue 9), through the pages a user reads: a computer honours every
variant parameter or is refused with the reason on the mapping page; a library entry whose
computer does not exist says 未接入系统计算 and uses the reported figure; a computed figure
states its population and n; a rate from too few samples gives 样本不足 (n), never a red or
green light; forecasts run forward to the deadline only, and after it the target is judged
on the final figure; a light never contradicts its forecast; boards say 截至 <date>."""

import datetime
import json
import re
from decimal import Decimal

import time_machine
from django.utils import timezone

from qcity.conftest import frozen_start
from qcity.indicators import services
from qcity.indicators.evaluation import (
    Observation as Point,
)
from qcity.indicators.evaluation import (
    TargetSpec,
    TargetStatus,
    evaluate,
)
from qcity.indicators.models import Indicator, Observation
from qcity.indicators.rules import default
from qcity.inspection.tests import helpers as inspection
from qcity.registry.models import ProductCategory

from . import helpers


def _chart(response) -> dict:
    text = response.content.decode()
    found = re.search(r'<script[^>]*id="trend-data"[^>]*>(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def _month_before(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _leaf(prefix: str) -> str:
    return (
        ProductCategory.objects.filter(code__startswith=prefix, children__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def _agri_samples(world):
    """Last month: two vegetables (passed) and one freshwater fish (failed), in circulation."""
    month = _month_before(timezone.localdate())
    on = month + datetime.timedelta(days=4)
    plan = inspection.plan(world)
    for code, failed in ((_leaf("F3301"), False), (_leaf("F3301"), False), (_leaf("F3304"), True)):
        s = inspection.sample(world, plan, category=code, on=on)
        inspection.services.record_result(
            s,
            inspection.FAIL if failed else inspection.PASS,
            reported_on=on + datetime.timedelta(days=2),
        )
    return month, services.month_bounds(month)[1]


def _confirm(client, the_plan, target, indicator, params):
    return client.post(
        f"/indicators/plans/{the_plan.pk}/mapping/",
        {
            "action": "confirm",
            "target": target.pk,
            "indicator": indicator.pk,
            "params": json.dumps(params, ensure_ascii=False),
        },
        follow=True,
    )


# ---------------------------------------------------------------- honest computed figures


def test_agri_computer_filters_by_product_stage_and_monitoring_type(world, actor, client_for):
    start, end = _agri_samples(world)
    agri = Indicator.objects.get(key="agri_product_monitoring_pass_rate")
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="农产品质量安全例行监测合格率")
    admin = client_for("office_admin")
    params = {"product_type": "水产品", "stage": "市场", "monitoring_type": "监督抽查"}
    page = _confirm(admin, the_plan, t, agri, params).content.decode()
    assert "系统计算口径" in page and "市场监管部门水产品监督抽查（市场环节）" in page
    market = {"stage": "市场"}  # every 食用农产品 sample of the market stage
    t2 = helpers.target(the_plan, indicator_text="食用农产品抽检合格率")
    _confirm(admin, the_plan, t2, agri, market)
    services.recompute("inspection.agri_pass_rate", start, end)
    overall = Observation.objects.get(
        indicator=agri, params=market, region=world.city, source="computed"
    )
    # the indicator as defined (农业农村部门's 例行监测) is never computed from market samples
    assert not Observation.objects.filter(indicator=agri, params_key="{}", source="computed")
    fish = Observation.objects.get(
        indicator=agri, params=params, region=world.city, source="computed"
    )
    # the variant counts the fish only (our failed one among them), not the overall figure
    assert fish.denominator < overall.denominator and fish.numerator < fish.denominator
    assert fish.value != overall.value
    assert fish.filter["lookups"]["category_code__startswith"] == "F3304"


def test_agri_origin_stage_is_refused_with_reason_on_mapping_page(world, actor, client_for):
    start, end = _agri_samples(world)
    agri = Indicator.objects.get(key="agri_product_monitoring_pass_rate")
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="农产品质量安全例行监测合格率")
    admin = client_for("office_admin")
    params = {"product_type": "水产品", "stage": "产地", "monitoring_type": "监督抽查"}
    page = _confirm(admin, the_plan, t, agri, params).content.decode()
    assert "不采用系统计算" in page and "产地" in page
    page = admin.get(f"/indicators/plans/{the_plan.pk}/mapping/").content.decode()
    assert "不采用系统计算" in page and "农业农村部门" in page
    services.recompute("inspection.agri_pass_rate", start, end)
    assert not Observation.objects.filter(indicator=agri, params=params).exists()
    # the target page says why and judges on reported figures
    page = admin.get(f"/indicators/targets/{t.pk}/").content.decode()
    assert "农业农村部门" in page and "评估采用：填报值" in page


def test_routine_monitoring_is_not_stood_in_for_by_market_samples(world, actor, client_for):
    agri = Indicator.objects.get(key="agri_product_monitoring_pass_rate")
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="农产品质量安全例行监测合格率")
    admin = client_for("office_admin")
    page = _confirm(admin, the_plan, t, agri, {}).content.decode()
    assert "不采用系统计算" in page and "不能代替" in page
    page = admin.get(f"/indicators/targets/{t.pk}/").content.decode()
    assert "评估采用：填报值" in page


def test_unknown_parameter_value_is_refused(world, actor, client_for):
    agri = Indicator.objects.get(key="agri_product_monitoring_pass_rate")
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="农产品质量安全例行监测合格率")
    page = _confirm(
        client_for("office_admin"), the_plan, t, agri, {"monitoring_type": "例行监测"}
    ).content.decode()
    assert "不采用系统计算" in page and "例行监测" in page


def test_consumer_goods_rate_needs_its_categories(world, actor, client_for):
    goods = Indicator.objects.get(key="consumer_goods_pass_rate")
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="消费品质量抽查合格率")
    admin = client_for("office_admin")
    page = _confirm(admin, the_plan, t, goods, {}).content.decode()
    assert "不采用系统计算" in page and "全部工业产品" in page
    page = _confirm(admin, the_plan, t, goods, {"category": "P04"}).content.decode()
    assert "市场监管部门消费品质量抽查（类别P04）" in page


def test_food_drug_rate_is_not_the_food_figure(world, actor, client_for):
    start, end = _agri_samples(world)
    food_drug = Indicator.objects.get(key="food_drug_sampling_pass_rate")
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="食品药品抽检合格率")
    admin = client_for("office_admin")
    page = _confirm(admin, the_plan, t, food_drug, {}).content.decode()
    assert "药品抽检数据尚未接入" in page
    services.recompute(None, start, end)
    assert not Observation.objects.filter(indicator=food_drug, source="computed").exists()
    assert Observation.objects.filter(
        indicator__key="food_sampling_pass_rate", source="computed"
    ).exists()
    page = admin.get(f"/indicators/targets/{t.pk}/").content.decode()
    assert "药品抽检数据尚未接入" in page


def test_missing_computer_says_not_connected_and_uses_reported(world, actor, client_for):
    ind = Indicator.objects.get(key="complaint_on_time_rate")  # complaints.on_time_rate
    assert ind.computed_by == "complaints.on_time_rate" and ind.prefer == "reported"
    the_plan = helpers.plan(world)
    t = helpers.target(the_plan, indicator_text="消费投诉按期办结率", value=Decimal("95"))
    admin = client_for("office_admin")
    page = _confirm(admin, the_plan, t, ind, {}).content.decode()
    assert "未接入系统计算" in page
    helpers.monthly(world, ind, ["96", "97", "98"], start=datetime.date(2025, 1, 1))
    page = admin.get(f"/indicators/targets/{t.pk}/").content.decode()
    assert "未接入系统计算" in page and "评估采用：填报值" in page
    for url in (f"/indicators/indicators/{ind.pk}/", f"/indicators/indicators/{ind.pk}/trend/"):
        page = admin.get(url).content.decode()
        assert "未接入系统计算" in page and "以系统计算数为准" not in page


def test_computed_figure_states_its_population_and_n(world, actor, client_for):
    start, end = _agri_samples(world)
    food = Indicator.objects.get(key="food_sampling_pass_rate")
    the_plan = helpers.plan(world, period_start=start.year - 1, period_end=start.year + 1)
    t = helpers.target(the_plan, indicator_text="食品抽检合格率", year=start.year + 1)
    admin = client_for("office_admin")
    params = {"sample_type": "监督抽检"}
    _confirm(admin, the_plan, t, food, params)
    services.recompute("inspection.food_pass_rate", start, end)
    figure = Observation.objects.get(indicator=food, params=params, region=world.city)
    page = admin.get(f"/indicators/targets/{t.pk}/").content.decode()
    assert f"市场监管部门食品监督抽检，n = {figure.denominator:.0f}" in page
    page = admin.get(
        f"/indicators/indicators/{food.pk}/trend/",
        {"variant": figure.params_key, "region": world.city.pk},
    ).content.decode()
    assert f"市场监管部门食品监督抽检，n = {figure.denominator:.0f}" in page


# ---------------------------------------------------------------- small samples


def _district_target(world, ind, the_plan, district):
    year = timezone.localdate().year + 1
    t = helpers.target(the_plan, region=district, value=Decimal("98"), year=year)
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    return t


def test_district_light_from_17_of_18_samples_in_the_year_is_insufficient(world, actor, client_for):
    # the year so far has 18 samples: 5 of 5 last month, 12 of 13 the month before (pooled
    # over the year, rule indicators.rate_year_to_date: 17 of 18)
    ind = helpers.indicator()
    day = timezone.localdate().replace(month=9, day=15)
    with time_machine.travel(frozen_start(day), tick=True):
        the_plan = helpers.plan(world, period_start=day.year - 1, period_end=day.year + 1)
        district = world.districts[0]
        t = _district_target(world, ind, the_plan, district)
        for month, passed, tested in ((7, 12, 13), (8, 5, 5)):
            start = datetime.date(day.year, month, 1)
            services.record_observation(
                indicator=ind,
                region=district,
                period_start=start,
                period_end=services.month_bounds(start)[1],
                period_kind="month",
                value=Decimal(passed * 100) / tested,
                numerator=passed,
                denominator=tested,
                unit=world.unit("市市场监管局"),
                user=world.user("office_admin"),
            )
        assert 18 < default("indicators.min_sample_size")
        admin = client_for("office_admin")
        response = admin.get(f"/indicators/targets/{t.pk}/")
        page = response.content.decode()
        assert "样本不足（n = 18）" in page, response.context["result"].explanation
        assert "实际完成" not in page and "预测区间" not in page.split("trend-labels")[0]
        assert response.context["result"].light == "grey"
        assert _chart(response)["forecast"] == []
        page = admin.get(f"/indicators/plans/{the_plan.pk}/districts/").content.decode()
    assert "qc-light-red" not in page and "qc-light-green" not in page
    # the district cell says which months the figure pools and from how many samples
    assert f"{day.year}年7—8月 · 样本不足（n = 18）" in page


def test_red_light_within_sampling_error_is_yellow():
    spec = TargetSpec(
        start=datetime.date(2024, 1, 1),
        deadline=datetime.date(2026, 12, 31),
        value=98.0,
        baseline=96.0,
        unit="%",
        bounds=(0, 100),
    )
    # 96.0% flat on n = 50 samples: far behind 序时进度, but 98% lies inside the interval
    obs = [Point(datetime.date(2025, m, 28), 96.0, n=50, successes=48) for m in range(1, 13, 3)]
    r = evaluate(spec, obs, datetime.date(2025, 12, 31), forecast_downgrade=False)
    assert r.status is TargetStatus.AT_RISK, r.explanation
    assert "抽样误差" in r.explanation and "n = 50" in r.explanation
    big = [Point(o.on, 96.0, n=5000, successes=4800) for o in obs]
    r = evaluate(spec, big, datetime.date(2025, 12, 31), forecast_downgrade=False)
    assert r.status is TargetStatus.BEHIND


# ---------------------------------------------------------------- forecasts


def test_past_deadline_judged_on_final_figure_without_forecast(world, actor, client_for):
    today = timezone.localdate()
    last_year = today.year - 1
    ind = helpers.indicator()
    the_plan = helpers.plan(world, period_start=last_year - 1, period_end=last_year)
    t = helpers.target(the_plan, value=Decimal("98"), year=last_year)
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    # on the way, the final (December) figure short of the target; later figures above it
    helpers.monthly(world, ind, ["96", "96.5", "97", "97"], start=datetime.date(last_year, 9, 1))
    if today.month > 1:
        helpers.monthly(world, ind, ["99"], start=datetime.date(today.year, 1, 1))
    response = client_for("office_admin").get(f"/indicators/targets/{t.pk}/")
    result = response.context["result"]
    assert result.status_label == "严重滞后" and "期末" in result.explanation
    assert result.evaluation.forecast is None and _chart(response)["forecast"] == []


def test_forecast_is_drawn_forward_to_the_deadline(world, actor, client_for):
    today = timezone.localdate()
    ind = helpers.indicator()
    the_plan = helpers.plan(world, period_start=today.year - 1, period_end=today.year + 1)
    t = helpers.target(the_plan, value=Decimal("99"), year=today.year + 1)
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    helpers.monthly(
        world, ind, ["95", "95.5", "96", "96.5"], start=datetime.date(today.year - 1, 1, 1)
    )
    chart = _chart(client_for("office_admin").get(f"/indicators/targets/{t.pk}/"))
    (start, _v), (end, _w) = chart["forecast"]
    assert start < end == f"{today.year + 1}-12-31"


def test_green_light_never_beside_a_forecast_that_misses(world, actor, client_for):
    """On schedule by 序时进度 today, but the trend ends below the target: not green."""
    spec = TargetSpec(
        start=datetime.date(2024, 1, 1),
        deadline=datetime.date(2026, 12, 31),
        value=98.0,
        baseline=90.0,
        unit="%",
        bounds=(0, 100),
    )
    # progress 72% against 序时进度 64%, but the noisy trend ends at 97.6% (band 82.8–100)
    values = [95.2, 96.6, 95.0, 96.4, 95.8]
    obs = [Point(datetime.date(2025, 4 + m, 28), v) for m, v in enumerate(values)]
    r = evaluate(spec, obs, datetime.date(2025, 12, 1))
    assert r.lag_points < default("tracking.lag_yellow_points")
    assert r.forecast is not None and r.forecast.value < 98.0
    assert r.light.value != "green" and "可以达成" not in r.explanation
    assert "按趋势预测期末达不到目标" in r.explanation


def test_boards_say_as_of(world, actor, client_for):
    the_plan = helpers.plan(world)
    today = timezone.localdate()
    day = f"{today.year}年{today.month}月{today.day}日"
    admin = client_for("office_admin")
    for url in ("", "districts/"):
        page = admin.get(f"/indicators/plans/{the_plan.pk}/{url}").content.decode()
        assert f"截至 {day}" in page
