"""Disposal chains in the legal order (issue 11): both chains walked through every branch
(accept, 复检 upheld, 复检 overturned, recall, closure, overdue), recall at once, 复检 refused
where the law refuses it, step dates in order, product chains on their own rules, and each
step's precondition, deadline and legal source on the case page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qcity.core import rulebook
from qcity.core.models import Rule, Todo
from qcity.inspection import services
from qcity.inspection.models import DisposalCase
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
MICRO = [services.ItemInput("菌落总数", "2.2×10⁵CFU/g", "≤10000CFU/g")]
PRODUCT_FAIL = [services.ItemInput("绝缘电阻", "0.5MΩ", "≥1MΩ")]


def food_case(world, items=None, reported_days_ago=60):
    with admin(world):
        s = helpers.sample(world)
        services.record_result(
            s, items or helpers.FAIL, reported_on=TODAY - reported_days_ago * DAY
        )
    return DisposalCase.objects.get(sample=s)


def product_case(world, reported_days_ago=300):
    with admin(world):
        p = helpers.plan(world, kind="product")
        s = helpers.sample(world, the_plan=p, category="P0101")
        services.record_result(s, PRODUCT_FAIL, reported_on=TODAY - reported_days_ago * DAY)
    return DisposalCase.objects.get(sample=s)


def post(client, case, action, on=None, **data):
    """Take a step through the case page's form; returns the page shown after it."""
    payload = {"action": action, **data}
    if on is not None:
        payload["on"] = on.isoformat()
    response = client.post(reverse("inspection:case_act", args=[case.pk]), payload, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def refresh(case):
    return DisposalCase.objects.get(pk=case.pk)


# ------------------------------------------------------------------ recall at once
def test_food_recall_is_ordered_inside_the_retest_window_and_during_the_retest(world, client_for):
    case = food_case(world)
    office = client_for("office_admin")
    served = case.opened_on + 2 * DAY
    post(office, case, "serve_notice", served)
    page = office.get(reverse("inspection:disposalcase_detail", args=[case.pk])).content.decode()
    assert 'value="recall"' in page  # offered in the 复检 window
    page = post(office, case, "recall", served + DAY)
    assert "已办理" in page
    case = refresh(case)
    assert case.stage == "retest_window"  # the window runs on; the 复检 may still be asked
    post(office, case, "request_retest", served + 2 * DAY)
    assert refresh(case).stage == "retesting"


def test_food_recall_can_be_ordered_while_the_retest_is_running(world):
    case = food_case(world)
    served = case.opened_on + 2 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        services.act(case, "request_retest", on=served + DAY)
        case = services.act(case, "recall", on=served + 2 * DAY)
        assert case.stage == "retesting"
        with pytest.raises(ValidationError, match="不能重复办理"):
            services.act(case, "recall", on=served + 3 * DAY)


def test_served_case_without_recall_is_flagged_overdue_at_once(world):
    case = food_case(world)
    with admin(world):
        services.act(case, "serve_notice", on=TODAY - 3 * DAY)
    services.scan_overdue()
    flagged = Todo.objects.filter(object_id=str(case.pk), kind="recall_overdue", done_at=None)
    assert flagged.exists() and "召回" in flagged.first().title
    # once ordered, the flag is not raised again
    other = food_case(world)
    with admin(world):
        services.act(other, "serve_notice", on=TODAY - 3 * DAY)
        services.act(other, "recall", on=TODAY - 3 * DAY)
    services.scan_overdue()
    assert not Todo.objects.filter(object_id=str(other.pk), kind="recall_overdue").exists()


# ------------------------------------------------------------------ 复检 eligibility
def test_microbiological_item_retest_refused_with_reason_and_source(world, client_for):
    case = food_case(world, items=MICRO)
    office = client_for("office_admin")
    served = case.opened_on + 2 * DAY
    post(office, case, "serve_notice", served)
    page = post(office, case, "request_retest", served + DAY)
    assert "菌落总数" in page and "微生物指标" in page and "不予复检" in page
    assert "食品安全抽样检验管理办法" in page  # the legal source, from the rule table
    case = refresh(case)
    assert case.stage == "retest_window" and not case.sample.overturned


def test_microbiological_result_cannot_be_overturned_by_a_retest_already_running(world):
    case = food_case(world, items=MICRO)
    served = case.opened_on + 2 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
    # a case that reached 复检中 before the rule (imported, or an older release)
    DisposalCase.objects.filter(pk=case.pk).update(stage="retesting")
    with admin(world), pytest.raises(ValidationError, match="微生物指标"):
        services.act(case, "retest_result", on=served + 5 * DAY, passed=True)
    case = refresh(case)
    assert case.stage == "retesting" and not case.sample.overturned


def test_retest_refused_when_backup_sample_is_past_its_shelf_life(world, client_for):
    case = food_case(world)
    office = client_for("office_admin")
    served = case.opened_on + 2 * DAY
    post(office, case, "serve_notice", served)
    page = post(office, case, "request_retest", served + 3 * DAY, shelf_life_end=served.isoformat())
    assert "保质期" in page and "不予复检" in page
    assert refresh(case).stage == "retest_window"


def test_retest_refused_when_backup_sample_retention_has_ended(world):
    case = food_case(world, reported_days_ago=200)  # backup kept 6 months after a fail
    served = TODAY - 2 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        with pytest.raises(ValidationError, match="保存期"):
            services.act(case, "request_retest", on=TODAY)


# ------------------------------------------------------------------ dates in order
def test_notice_served_before_the_case_opened_is_refused_naming_both_dates(world, client_for):
    case = food_case(world)
    office = client_for("office_admin")
    early = case.opened_on - 2 * DAY
    page = post(office, case, "serve_notice", early)
    assert early.isoformat() in page and case.opened_on.isoformat() in page
    assert refresh(case).stage == "notice"


def test_step_dated_before_the_previous_step_is_refused(world):
    case = food_case(world)
    served = case.opened_on + 5 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        with pytest.raises(ValidationError) as info:
            services.act(case, "request_retest", on=served - DAY)
        text = str(info.value)
        assert str(served - DAY) in text and str(served) in text and "送达" in text
        services.act(case, "request_retest", on=served)  # the same day is fine


def test_step_in_the_future_is_refused_naming_both_dates(world, client_for):
    case = food_case(world)
    office = client_for("office_admin")
    tomorrow = TODAY + DAY
    page = post(office, case, "serve_notice", tomorrow)
    assert tomorrow.isoformat() in page and TODAY.isoformat() in page
    assert refresh(case).stage == "notice"


# ------------------------------------------------------------------ food chain, every branch
def test_food_chain_accepted_result_walks_to_closure(world):
    case = food_case(world)
    served = case.opened_on + 2 * DAY
    with admin(world):
        case = services.act(case, "serve_notice", on=served)
        case = services.act(case, "recall", on=served)
        with pytest.raises(ValidationError, match="尚未届满"):
            services.act(case, "start_verification", on=served + DAY)
        verified = case.due + DAY
        case = services.act(case, "start_verification", on=verified)
        assert case.stage == "verify" and case.due == case.disposal_due
        case = services.act(case, "order_rectification", on=verified)
        case = services.act(case, "file_penalty", on=verified + DAY, penalty_case_no="示罚1号")
        case = services.act(case, "close", on=verified + 2 * DAY, evidence="处罚决定书")
    assert case.stage == "closed" and case.closed_on == verified + 2 * DAY


def test_food_chain_recall_from_verification_then_closure(world):
    case = food_case(world)
    served = case.opened_on + 2 * DAY
    with admin(world):
        case = services.act(case, "serve_notice", on=served)
        verified = case.due + DAY
        case = services.act(case, "start_verification", on=verified)
        case = services.act(case, "recall", on=verified)
        assert case.stage == "recall"
        case = services.act(case, "order_rectification", on=TODAY)
        case = services.act(case, "close", on=TODAY, evidence="整改报告")
    assert case.stage == "closed"


def test_food_retest_upheld_goes_to_verification_and_cannot_be_asked_again(world):
    case = food_case(world)
    served = case.opened_on + 2 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        services.act(case, "request_retest", on=served + DAY)
        case = services.act(case, "retest_result", on=served + 8 * DAY, passed=False)
        assert case.stage == "verify" and not case.sample.overturned
        with pytest.raises(ValidationError):
            services.act(case, "request_retest", on=served + 9 * DAY)


def test_food_retest_overturned_withdraws_the_result(world):
    case = food_case(world)
    served = case.opened_on + 2 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        services.act(case, "request_retest", on=served + DAY)
        case = services.act(case, "retest_result", on=served + 8 * DAY, passed=True)
    case.sample.refresh_from_db()
    assert case.stage == "overturned" and case.sample.overturned


def test_food_case_left_in_the_window_is_flagged_overdue(world):
    case = food_case(world)
    with admin(world):
        services.act(case, "serve_notice", on=case.opened_on + 2 * DAY)
    services.scan_overdue()
    assert Todo.objects.filter(
        object_id=str(case.pk), kind="disposal_overdue", done_at=None
    ).exists()


# ------------------------------------------------------------------ product chain
def test_product_case_reads_its_own_notice_deadline(world):
    rule = Rule.objects.get(key="inspection.product.fail_notice_working_days")
    with admin(world):
        rulebook.change(rule, "20", world.user("office_admin"), "测试：本地送达期限")
    product = product_case(world)
    food = food_case(world, reported_days_ago=300)
    assert product.opened_on == food.opened_on
    assert product.due > food.due  # 20 WD, not the food notice's 5 WD


def test_product_stop_sale_is_ordered_inside_the_objection_window(world, client_for):
    case = product_case(world)
    office = client_for("office_admin")
    served = case.opened_on + 3 * DAY
    post(office, case, "serve_notice", served)
    page = post(office, case, "recall", served)
    assert "已办理" in page
    assert refresh(case).stage == "objection_window"


def test_product_second_recheck_a_day_after_the_announcement_is_refused(world, client_for):
    case = product_case(world)
    served = case.opened_on + 3 * DAY
    with admin(world):
        case = services.act(case, "serve_notice", on=served)
        rect = case.due + DAY
        services.act(case, "order_rectification", on=rect)
        announced = rect + 70 * DAY
        case = services.act(case, "recheck", on=announced, passed=False)
        assert case.stage == "announced"
        with pytest.raises(ValidationError) as info:
            services.act(case, "recheck", on=announced + DAY, passed=True)
        assert "第十八号" in str(info.value) or "第18号" in str(info.value)
        assert str(announced + 60 * DAY) in str(info.value)
    case = refresh(case)
    assert case.stage == "announced" and case.closed_on is None
    page = (
        client_for("office_admin")
        .get(reverse("inspection:disposalcase_detail", args=[case.pk]))
        .content.decode()
    )
    assert "公告后60至90日内" in page and "第四十八条" in page


def test_product_retest_is_allowed_once_then_rectification_follows(world):
    case = product_case(world)
    served = case.opened_on + 3 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        services.act(case, "request_retest", on=served + 2 * DAY)
        case = services.act(case, "retest_result", on=served + 9 * DAY, passed=False)
        with pytest.raises(ValidationError, match="只能申请一次"):
            services.act(case, "request_retest", on=served + 9 * DAY)
        case = services.act(case, "order_rectification", on=served + 9 * DAY)
    assert case.stage == "rectify"


def test_product_chain_walks_every_branch(world):
    # accepted, stop sale, rectification, 复查 passed
    case = product_case(world)
    served = case.opened_on + 3 * DAY
    with admin(world):
        case = services.act(case, "serve_notice", on=served)
        case = services.act(case, "recall", on=served)
        rect = case.due + DAY
        case = services.act(case, "order_rectification", on=rect)
        assert case.rectification_due == rect + 60 * DAY
        case = services.act(case, "recheck", on=rect + 50 * DAY, passed=True)
    assert case.stage == "closed"
    # 复查 failed, announced, second 复查 inside 60-90 days failed: 停业整顿, then closed
    case = product_case(world)
    served = case.opened_on + 3 * DAY
    with admin(world):
        case = services.act(case, "serve_notice", on=served)
        rect = case.due + DAY
        services.act(case, "order_rectification", on=rect)
        announced = rect + 70 * DAY
        case = services.act(case, "recheck", on=announced, passed=False)
        case = services.act(case, "recheck", on=announced + 60 * DAY, passed=False)
        assert case.stage == "suspended"
        case = services.act(case, "close", on=announced + 61 * DAY, evidence="停业整顿决定书")
    assert case.stage == "closed"
    # 复检 overturned
    case = product_case(world)
    served = case.opened_on + 3 * DAY
    with admin(world):
        services.act(case, "serve_notice", on=served)
        services.act(case, "request_retest", on=served + 2 * DAY)
        case = services.act(case, "retest_result", on=served + 9 * DAY, passed=True)
    assert case.stage == "overturned" and refresh(case).sample.overturned
    # overdue: served and left in rectification past its 复查 deadline
    case = product_case(world)
    with admin(world):
        case = services.act(case, "serve_notice", on=case.opened_on + 3 * DAY)
        services.act(case, "order_rectification", on=case.due + DAY)
    services.scan_overdue()
    assert Todo.objects.filter(
        object_id=str(case.pk), kind="disposal_overdue", done_at=None
    ).exists()


# ------------------------------------------------------------------ the page's guide
def test_case_page_shows_each_open_step_with_precondition_deadline_and_source(world, client_for):
    case = food_case(world)
    with admin(world):
        case = services.act(case, "serve_notice", on=case.opened_on + 2 * DAY)
    page = (
        client_for("office_admin")
        .get(reverse("inspection:disposalcase_detail", args=[case.pk]))
        .content.decode()
    )
    assert 'id="qcSteps"' in page
    assert "中华人民共和国食品安全法第八十八条" in page  # 复检 request, 7 WD
    assert "第三十九条" in page  # recall at once, even during the 复检
    assert "非微生物指标" in page  # the 复检 precondition
    product = product_case(world)
    with admin(world):
        product = services.act(product, "serve_notice", on=product.opened_on + 3 * DAY)
    page = (
        client_for("office_admin")
        .get(reverse("inspection:disposalcase_detail", args=[product.pk]))
        .content.decode()
    )
    assert "中华人民共和国产品质量法第十五条" in page
    assert "第四十五条" in page  # stop production and sale at once


def test_product_case_in_rectification_closes_only_by_a_passed_recheck(world, client_for):
    case = product_case(world)
    with admin(world):
        case = services.act(case, "serve_notice", on=case.opened_on + 3 * DAY)
        case = services.act(case, "order_rectification", on=case.due + DAY)
    office = client_for("office_admin")
    page = office.get(reverse("inspection:disposalcase_detail", args=[case.pk])).content.decode()
    assert 'value="close"' not in page and 'value="recheck"' in page
    page = post(office, case, "close", TODAY, evidence="整改报告")
    assert "复查合格方可办结" in page and "第四十七条" in page
    assert refresh(case).stage == "rectify"


def _notice_text(client, case):
    import io
    import zipfile

    response = client.get(reverse("inspection:case_notice", args=[case.pk, "result"]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        return docx.read("word/document.xml").decode()


def test_result_notice_tells_recall_at_once_and_no_retest_for_microbiological_items(
    world, client_for
):
    office = client_for("office_admin")
    text = _notice_text(office, food_case(world, items=MICRO))
    assert "立即" in text and "召回" in text and "第三十九条" in text
    assert "不予复检" in text and "提出书面复检申请" not in text
    text = _notice_text(office, food_case(world))
    assert "7个工作日" in text and "食品安全法第八十八条" in text
    text = _notice_text(office, product_case(world))
    assert "立即停止生产、销售" in text and "15日" in text and "产品质量法第十五条" in text
