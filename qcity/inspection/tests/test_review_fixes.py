"""Defects found in review: the date and district of imported published-table rows, the
traditional-character search, the draw commitment checks and the 复检 step of a disposal."""

import datetime

import pytest
from django.urls import reverse

from qcity.core.models import Region
from qcity.inspection.tests.test_import_quirks import csv, ok, run
from qcity.inspection.tests.test_sampling import HEADER

TODAY = datetime.date(2026, 6, 30)  # conftest.SCENARIO_DAY

# the import and draw tests play on the scenario day; the disposal tests reuse
# test_disposal_order, whose dates are taken from the real day
on_scenario_day = pytest.mark.usefixtures("scenario_day")


def line(name="通用小麦粉", producer="示例市某面粉厂", address="示例市江北区工业路1号",
         unit="示例市江北区某超市", unit_address="示例市江北区人民路2号", date="2026-03-05",
         notice_date="2026-04-01", category="小麦粉"):  # fmt: skip
    return ["1", producer, address, unit, unit_address, name, "1kg/袋", "/", date, "",
            category, "2026年第1期", notice_date, "市级监督抽检", "示例市检验中心"]  # fmt: skip


# --- 1. 抽样日期 not published -----------------------------------------------------------


@on_scenario_day
def test_unpublished_sampling_date_counts_on_the_announcement_date(world):
    (s,) = ok(*run(world, csv([HEADER, line(notice_date="2026-04-01")]), "n.csv"), 1)
    assert s.sampled_on == datetime.date(2026, 4, 1)
    assert s.sampled_on_published is False


@on_scenario_day
def test_unpublished_sampling_date_without_announcement_date_counts_on_the_import_day(world):
    (s,) = ok(*run(world, csv([HEADER, line(notice_date="")]), "t.csv"), 1)
    assert s.sampled_on == TODAY
    assert s.sampled_on.year == 2026


@on_scenario_day
def test_unpublished_sampling_date_is_never_before_the_production_date(world):
    data = csv([HEADER, line(date="2026-05-20", notice_date="2026-05-01")])
    (s,) = ok(*run(world, data, "p.csv"), 1)
    assert s.sampled_on == datetime.date(2026, 5, 20)


@on_scenario_day
def test_sample_page_says_the_sampling_date_was_not_published(world, client_for):
    (s,) = ok(*run(world, csv([HEADER, line(notice_date="2026-04-01")]), "pg.csv"), 1)
    page = client_for("office_admin").get(reverse("inspection:sample_detail", args=[s.pk]))
    assert "未公布" in page.content.decode()


# --- 2. districts and search of traditional-character rows ---------------------------------


@on_scenario_day
def test_traditional_producer_address_gets_its_district(world):
    data = csv([HEADER, line(producer="新某醬油廠", address="示例市江南區人民路8號",
                             unit="某小卖部", unit_address="")])  # fmt: skip
    (s,) = ok(*run(world, data, "tw.csv"), 1)
    jiangnan = Region.objects.get(name="江南区")
    assert s.region == jiangnan
    assert s.producer.region == jiangnan


@on_scenario_day
def test_row_without_producer_address_takes_the_district_of_the_sampled_unit(world):
    data = csv([HEADER, line(producer="某无地址食品厂", address="/",
                             unit="示例市湖滨区小卖部", unit_address="")])  # fmt: skip
    (s,) = ok(*run(world, data, "hb.csv"), 1)
    assert s.region == Region.objects.get(name="湖滨区")


@on_scenario_day
def test_simplified_search_finds_a_traditional_product_name(world, client_for):
    data = csv([HEADER, line(name="醬油", category="酱油", producer="某調味品廠")])
    (s,) = ok(*run(world, data, "jy.csv"), 1)
    assert "酱油" in s.search_text
    page = client_for("office_admin").get(reverse("inspection:sample_list"), {"q": "酱油"})
    assert page.status_code == 200
    assert s.number in page.content.decode()


# --- 3. draw commitment: the source must fit the value format ------------------------------


def _commit_form(**over):
    from django.utils import timezone

    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    form = {
        "source_name": "中国福利彩票“福彩3D”",
        "source_issue": "2026141",
        "source_format": "3d-3x1",
        "source_available_at": tomorrow.strftime("%Y-%m-%dT21:15"),
    }
    form.update(over)
    return form


def _draft_task(world):
    from qcity.inspection.tests.helpers import admin
    from qcity.inspection.tests.test_draws import task

    with admin(world):
        return task(world)


@pytest.mark.parametrize(
    "over, message",
    [
        ({"source_name": "中国福利彩票“双色球”"}, "与所选值格式"),
        ({"source_issue": "2026第141期"}, "期号只能由数字组成"),
        ({"source_issue": "２０２６141"}, "期号只能由数字组成"),
    ],
)
@on_scenario_day
def test_commit_refuses_a_source_not_fitting_the_format(world, client_for, over, message):
    t = _draft_task(world)
    client = client_for("market_staff")
    response = client.post(
        f"/inspection/randominspectiontasks/{t.pk}/commit/", _commit_form(**over), follow=True
    )
    assert message in response.content.decode()
    t.refresh_from_db()
    assert t.status == "draft" and not t.secret


@on_scenario_day
def test_public_draw_page_names_the_format_in_chinese_not_its_code(world, client_for):
    t = _draft_task(world)
    client = client_for("market_staff")
    response = client.post(f"/inspection/randominspectiontasks/{t.pk}/commit/", _commit_form())
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.status == "committed"
    page = client_for(None).get(reverse("core:inspection_public_draw", args=[t.pk]))
    text = page.content.decode()
    assert "福彩3D" in text and "3个一位数" in text
    assert "3d-3x1" not in text


# --- 4. disposal: the 复检 request and microbiological items --------------------------------


def _case_page(client, case):
    return client.get(reverse("inspection:disposalcase_detail", args=[case.pk])).content.decode()


def test_retest_request_before_a_parallel_recall_is_accepted(world, client_for):
    from qcity.inspection.tests.test_disposal_order import DAY, food_case, post, refresh

    case = food_case(world)
    office = client_for("office_admin")
    served = case.opened_on + 2 * DAY
    post(office, case, "serve_notice", served)
    post(office, case, "recall", served + 3 * DAY)
    # the request arrived inside the window, before the recall was recorded: still in order
    post(office, case, "request_retest", served + DAY)
    assert refresh(case).stage == "retesting"


def test_retest_request_before_the_notice_is_still_refused(world, client_for):
    from qcity.inspection.tests.test_disposal_order import DAY, food_case, post, refresh

    case = food_case(world)
    office = client_for("office_admin")
    served = case.opened_on + 2 * DAY
    post(office, case, "serve_notice", served)
    post(office, case, "recall", served + DAY)
    page = post(office, case, "request_retest", served - DAY)
    assert "早于上一环节" in page and "送达检验结果通知书" in page
    assert refresh(case).stage == "retest_window"


def test_microbiological_case_page_says_no_retest_and_does_not_offer_it(world, client_for):
    from qcity.inspection.tests.test_disposal_order import DAY, MICRO, food_case, post

    case = food_case(world, items=MICRO)
    office = client_for("office_admin")
    post(office, case, "serve_notice", case.opened_on + 2 * DAY)
    page = _case_page(office, case)
    steps = page.split('id="qcSteps"')[1].split("</table>")[0]
    assert "不予复检" in steps and "菌落总数" in steps and "微生物指标" in steps
    assert "受理复检（异议）申请" not in steps
    assert 'value="request_retest"' not in page
    assert 'value="recall"' in page  # the other steps are still offered
