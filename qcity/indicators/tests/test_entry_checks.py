"""Checks on a figure as it is entered (issue 9, trustworthy numbers): a period that has not
ended cannot be reported, on the form, the API or an import; a rate given with its numerator
and denominator must be their quotient, also when the API changes one of them."""

import datetime
import json
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qcity.core.models import ChangeLog
from qcity.indicators import services
from qcity.indicators.models import Observation

from . import helpers

JSON = "application/json"


def _unfinished_month():
    """The month containing tomorrow: it has not ended today, whatever today is."""
    return services.month_bounds(timezone.localdate() + datetime.timedelta(days=1))


def _last_month():
    return services.month_bounds(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))


def _form(world, ind, start, end, **fields):
    return {
        "indicator": ind.pk,
        "region": world.city.pk,
        "period_kind": "month",
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "value": "99",
        "unit": world.unit("市市场监管局").pk,
        **fields,
    }


def _written():
    return (Observation.objects.count(), ChangeLog.objects.count())


# ---------------------------------------------------------------- B4: period not ended
def test_a_month_not_yet_ended_cannot_be_reported_on_the_form_or_the_api(world, actor, client_for):
    ind = helpers.indicator()
    start, end = _unfinished_month()
    client = client_for("market_staff")
    data = _form(world, ind, start, end)
    before = _written()
    response = client.post("/indicators/observations/new/", data)
    assert response.status_code == 200
    assert f"统计期尚未结束（截至{end}" in response.content.decode()
    api = client.post("/api/indicators/observations/", json.dumps(data), content_type=JSON)
    assert api.status_code == 400
    assert "period_end" in api.json()["errors"]
    assert "统计期尚未结束" in json.dumps(api.json(), ensure_ascii=False)
    assert _written() == before
    # the month that has ended is accepted
    start, end = _last_month()
    ok = client.post("/indicators/observations/new/", _form(world, ind, start, end))
    assert ok.status_code == 302
    assert Observation.objects.filter(indicator=ind, period_end=end).count() == 1


def test_an_import_row_for_a_month_not_yet_ended_is_refused_before_anything_is_written(
    world, actor, client_for
):
    ind = helpers.indicator(key="entry_check_future_import")
    start, end = _unfinished_month()
    done_start, done_end = _last_month()
    csv = (
        "指标代码,区划代码,周期类型,起始日期,截止日期,数值,分子,分母\n"
        f"{ind.key},{world.city.code},月度,{done_start},{done_end},97,,\n"
        f"{ind.key},{world.city.code},月度,{start},{end},99,,\n"
    ).encode()
    client = client_for("office_admin")
    url = "/indicators/observations/import-figures/"
    before = _written()
    preview = client.post(url, {"file": SimpleUploadedFile("figures.csv", csv)})
    page = preview.content.decode()
    assert "第3行" in page and f"统计期尚未结束（截至{end}）" in page
    client.post(url, {"commit": "1", "outside": "keep"})
    assert _written() == before


def test_a_report_for_a_period_not_yet_ended_is_refused_by_the_service_used_by_every_path(
    world, actor
):
    ind = helpers.indicator()
    start, end = _unfinished_month()
    for source in ("reported", "imported"):
        try:
            services.record_observation(
                indicator=ind,
                region=world.city,
                period_start=start,
                period_end=end,
                period_kind="month",
                value=Decimal(99),
                unit=world.unit("市市场监管局"),
                user=world.user("office_admin"),
                source=source,
            )
        except Exception as exc:  # noqa: BLE001 - the refusal is what is checked
            assert "统计期尚未结束" in str(exc)
        else:
            raise AssertionError(f"a {source} figure for an unfinished month was stored")
    assert not Observation.objects.filter(indicator=ind).exists()


# ---------------------------------------------------------------- B5: value against n / d
def test_a_rate_that_is_not_its_numerator_over_its_denominator_is_refused_naming_the_rate(
    world, actor, client_for
):
    ind = helpers.indicator()
    start, end = _last_month()
    client = client_for("market_staff")
    bad = _form(world, ind, start, end, value="50", numerator="300", denominator="306")
    before = _written()
    response = client.post("/indicators/observations/new/", bad)
    assert response.status_code == 200
    assert "300 ÷ 306 = 98.04%" in response.content.decode()
    api = client.post("/api/indicators/observations/", json.dumps(bad), content_type=JSON)
    assert api.status_code == 400 and "value" in api.json()["errors"]
    assert "98.04" in json.dumps(api.json(), ensure_ascii=False)
    assert _written() == before
    # the rate as published (rounded to one place) is accepted
    ok = client.post("/indicators/observations/new/", {**bad, "value": "98.0"})
    assert ok.status_code == 302
    assert Observation.objects.get(indicator=ind).value == Decimal("98.0")


def test_an_api_patch_of_the_value_alone_cannot_leave_a_numerator_and_denominator_that_disagree(
    world, actor, client_for
):
    ind = helpers.indicator()
    start, end = _last_month()
    obs = services.record_observation(
        indicator=ind,
        region=world.city,
        period_start=start,
        period_end=end,
        period_kind="month",
        value=Decimal("99.35"),
        numerator=304,
        denominator=306,
        unit=world.unit("市市场监管局"),
        user=world.user("office_admin"),
    )
    client = client_for("market_staff")
    url = f"/api/indicators/observations/{obs.pk}/"
    before = _written()
    response = client.patch(url, json.dumps({"value": "1.0"}), content_type=JSON)
    assert response.status_code == 400, response.content
    assert "304 ÷ 306 = 99.35%" in json.dumps(response.json(), ensure_ascii=False)
    assert _written() == before
    (current,) = Observation.objects.filter(indicator=ind, is_current=True)
    assert current.value == Decimal("99.35")
    # correcting the figures together is a new revision
    fixed = client.patch(
        url, json.dumps({"value": "98.04", "numerator": 300, "denominator": 306}), content_type=JSON
    )
    assert fixed.status_code == 200, fixed.content
    (current,) = Observation.objects.filter(indicator=ind, is_current=True)
    assert (current.value, current.revision) == (Decimal("98.04"), 2)


# ---------------------------------------------------------------- B10: one name, one statistic
def test_industrial_product_quality_rate_is_not_proposed_as_the_supervision_pass_rate(
    world, actor, client_for
):
    """A plan with both 工业产品质量合格率 and 产品质量监督抽查合格率 (示例规划) gets two
    different indicators; the first has no computer (reported figures), so it can never show
    the sampling figure under its own name."""
    the_plan = helpers.plan(world)
    industrial = helpers.target(the_plan, indicator_text="工业产品质量合格率")
    supervision = helpers.target(the_plan, indicator_text="产品质量监督抽查合格率")
    admin = client_for("office_admin")
    url = f"/indicators/plans/{the_plan.pk}/mapping/"
    assert admin.post(url, {"action": "propose"}).status_code in (200, 302)
    industrial.link.refresh_from_db()
    supervision.link.refresh_from_db()
    assert industrial.link.indicator.key == "industrial_product_quality_rate"
    assert supervision.link.indicator.key == "product_supervision_pass_rate"
    assert industrial.link.indicator.computed_by == ""
    assert "工业产品质量合格率" in admin.get(url).content.decode()


def test_loading_the_library_takes_the_name_away_from_an_existing_supervision_indicator(
    world, actor
):
    """A database loaded from the earlier library (the name listed as a synonym of the
    supervision pass rate) is corrected when the library is loaded again (after every
    migrate); the new entry is created by the same load."""
    from qcity.indicators.models import Indicator

    supervision = Indicator.objects.get(key="product_supervision_pass_rate")
    Indicator.objects.filter(pk=supervision.pk).update(
        synonyms=["工业产品质量合格率", *supervision.synonyms, "office added"]
    )
    services.load_library()
    supervision.refresh_from_db()
    assert "工业产品质量合格率" not in supervision.synonyms
    assert "office added" in supervision.synonyms  # the office's own synonym stays
    assert Indicator.objects.get(key="industrial_product_quality_rate").prefer == "reported"
