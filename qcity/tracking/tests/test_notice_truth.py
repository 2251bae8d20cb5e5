"""Documents tell the truth (issue 9): the office answers a 督办通知单 for a unit only as a
recorded 代为回复; notices the overdue scan makes wait as drafts the office reviews, edits and
issues; the .docx marks an estimated answer deadline as the page does; dates are in 公文 style
and no sentence claims a state the record is not in; 交办 from a plan is stamped with the
real time."""

import datetime
import io
import re
import zoneinfo

import time_machine
from django.urls import reverse
from docx import Document

from qcity.conftest import frozen_start
from qcity.core import workdays
from qcity.core.models import Todo
from qcity.tracking import services
from qcity.tracking.models import Assignment, FollowUp

ISO_OR_PADDED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|年0\d月|月0\d日")


def docx_text(response) -> str:
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def detail(client, assignment) -> str:
    return client.get(reverse("tracking:assignment_detail", args=[assignment.pk])).content.decode()


def answer(client, assignment, notice, **data):
    return client.post(
        reverse("tracking:act", args=[assignment.pk, "answer_followup"]),
        {"followup": notice.pk, **data},
        follow=True,
    )


def issued_notice(world, signed, on=datetime.date(2026, 3, 2)):
    return services.issue_followup(
        signed, "supervise", "deadline", signed.deadline, on=on, user=world.user("office_admin")
    )


# ---------------------------------------------------------------- 1. 代为回复
def test_office_cannot_answer_a_notice_as_if_it_were_the_unit(world, client_for, signed):
    notice = issued_notice(world, signed)
    office = client_for("office_admin")
    page = answer(office, signed, notice, answer="已完成整改")
    assert "代为回复" in page.content.decode()  # told why, and how to do it honestly
    notice.refresh_from_db()
    assert notice.answered_at is None and notice.answer == ""
    # 代为回复 without its basis is refused too
    answer(office, signed, notice, answer="已完成整改", on_behalf="1", basis=" ")
    notice.refresh_from_db()
    assert notice.answered_at is None


def test_on_behalf_reply_is_recorded_as_such_on_the_timeline_and_in_the_notice(
    world, client_for, signed
):
    notice = issued_notice(world, signed)
    office = client_for("office_admin")
    assert "代为回复" in detail(office, signed)  # the explicit choice is offered
    basis = "该局2026年3月5日书面答复（示市监函〔2026〕8号）"
    answer(office, signed, notice, answer="已制定推进方案", on_behalf="1", basis=basis)
    notice.refresh_from_db()
    admin = world.user("office_admin")
    assert notice.answered_on_behalf and notice.answered_by == admin
    assert notice.answered_for == signed.lead_unit and notice.answer_basis == basis
    # the item's page says who entered it, for which unit, when and on what basis
    for client in (office, client_for("market_staff")):
        page = detail(client, signed)
        assert f"代{signed.lead_unit}回复" in page and basis in page and str(admin) in page
        assert f"质量办代{signed.lead_unit}答复督办通知单{notice.number}" in page  # timeline
    # and so does the notice itself
    text = docx_text(office.get(reverse("tracking:notice_docx", args=[notice.pk])))
    assert "答复情况" in text and "代为录入" in text and basis in text
    assert f"{signed.lead_unit}答复" in text and "已制定推进方案" in text
    assert "请在答复期限前通过平台提交书面答复" not in text  # it has been answered


def test_units_own_answer_is_not_marked_as_on_behalf(world, client_for, signed):
    notice = issued_notice(world, signed)
    market = client_for("market_staff")
    answer(market, signed, notice, answer="已按期推进")
    notice.refresh_from_db()
    assert notice.answered_at and not notice.answered_on_behalf
    assert notice.answered_by == world.user("market_staff")
    text = docx_text(market.get(reverse("tracking:notice_docx", args=[notice.pk])))
    assert "已按期推进" in text and "代为录入" not in text
    assert f"代{signed.lead_unit}回复" not in detail(market, signed)


# ---------------------------------------------------------------- 2. scan drafts
def test_scan_drafts_the_notice_and_the_office_edits_then_issues_it(world, client_for, signed):
    services.scan(on=datetime.date(2026, 2, 6))  # 催办 of January's report
    services.scan(on=datetime.date(2026, 2, 11))  # three working days later
    draft = FollowUp.objects.get(assignment=signed, kind="supervise")
    market, office = client_for("market_staff"), client_for("office_admin")
    docx = reverse("tracking:notice_docx", args=[draft.pk])
    # nothing has gone to the unit: no number, no to-do, not on its page, no document
    assert draft.number == ""
    assert not Todo.objects.filter(kind="supervise", object_id=str(signed.pk)).exists()
    assert "督办通知单" not in detail(market, signed) and market.get(docx).status_code == 404
    # the office is asked to review it
    assert Todo.objects.filter(
        kind="supervise_draft", done_at=None, object_id=str(signed.pk)
    ).exists()
    edit = reverse("tracking:notice_edit", args=[draft.pk])
    assert edit in detail(office, signed) and "待签发" in detail(office, signed)
    with time_machine.travel(frozen_start(datetime.date(2026, 2, 12)), tick=True):
        form = office.get(edit).content.decode()
        assert "签发" in form and "经2026年2月6日催办仍未办理" in form
        written = "你单位1月份进展报告逾期未报，请于2026年2月18日前补报并说明原因。"
        response = office.post(edit, {"op": "issue", "reason": "逾期未报", "message": written})
    assert response.status_code == 302
    notice = FollowUp.objects.get(pk=draft.pk)
    assert notice.status == "issued" and notice.number.startswith("督办〔2026〕")
    assert notice.issued_on == datetime.date(2026, 2, 12) and notice.message == written
    assert Todo.objects.filter(
        unit=signed.lead_unit, kind="supervise", done_at=None, object_id=str(signed.pk)
    ).exists()
    page = detail(market, signed)
    assert notice.number in page and written in page
    text = docx_text(market.get(docx))
    assert written in text and "督办事由：逾期未报" in text and "草稿" not in text


def test_office_withdraws_a_draft_and_the_scan_does_not_redraft_it(world, client_for, signed):
    services.scan(on=datetime.date(2026, 2, 6))
    services.scan(on=datetime.date(2026, 2, 11))
    draft = FollowUp.objects.get(assignment=signed, kind="supervise")
    office = client_for("office_admin")
    edit = reverse("tracking:notice_edit", args=[draft.pk])
    refused = office.post(edit, {"op": "withdraw", "withdraw_reason": ""})
    assert refused.status_code == 400 and "理由" in refused.content.decode()
    assert FollowUp.objects.get(pk=draft.pk).status == "draft"
    office.post(edit, {"op": "withdraw", "withdraw_reason": "该局已电话说明，次日补报"})
    assert FollowUp.objects.get(pk=draft.pk).status == "withdrawn"
    services.scan(on=datetime.date(2026, 2, 13))
    assert FollowUp.objects.filter(assignment=signed, kind="supervise").count() == 1
    assert "该局已电话说明，次日补报" in detail(office, signed)
    unit_page = detail(client_for("market_staff"), signed)
    assert "已撤销" not in unit_page and "该局已电话说明" not in unit_page


def test_a_unit_cannot_issue_or_see_a_draft(world, client_for, signed):
    services.scan(on=datetime.date(2026, 2, 6))
    services.scan(on=datetime.date(2026, 2, 11))
    draft = FollowUp.objects.get(assignment=signed, kind="supervise")
    edit = reverse("tracking:notice_edit", args=[draft.pk])
    response = client_for("market_staff").post(edit, {"op": "issue", "message": "x"})
    assert response.status_code == 403
    assert FollowUp.objects.get(pk=draft.pk).status == "draft"


# ---------------------------------------------------------------- 3. 估算 in the .docx
def test_docx_marks_an_estimated_answer_deadline_as_the_page_does(world, client_for, signed):
    year = max(workdays.covered_years()) + 1
    notice = issued_notice(world, signed, on=datetime.date(year, 3, 2))
    assert notice.answer_deadline.year == year
    office = client_for("office_admin")
    assert "估算</span>" in detail(office, signed)
    text = docx_text(office.get(reverse("tracking:notice_docx", args=[notice.pk])))
    row = next(line for line in text.splitlines() if "估算" in line)
    assert f"{notice.answer_deadline.month}月{notice.answer_deadline.day}日" in row
    assert f"{year}年节假日安排尚未录入" in text


def test_docx_answer_deadline_in_a_covered_year_is_not_marked(world, client_for, signed):
    notice = issued_notice(world, signed, on=datetime.date(2026, 3, 2))
    assert not workdays.is_estimated(notice.answer_deadline)
    text = docx_text(
        client_for("office_admin").get(reverse("tracking:notice_docx", args=[notice.pk]))
    )
    assert "估算" not in text


# ---------------------------------------------------------------- 4. true sentences, 公文 dates
def test_draft_reviewed_after_the_report_came_in_does_not_say_overdue(world, client_for, signed):
    services.scan(on=datetime.date(2026, 2, 6))
    services.scan(on=datetime.date(2026, 2, 11))
    draft = FollowUp.objects.get(assignment=signed, kind="supervise")
    lead = world.user("market_staff")
    report = services.open_report(signed, lead, on=datetime.date(2026, 2, 12))
    report = services.save_report(
        report, {"done": "补报1月进展", "percent": 10}, lead, report.version
    )
    services.submit_report(report, lead, report.version, on=datetime.date(2026, 2, 12))
    with time_machine.travel(frozen_start(datetime.date(2026, 2, 13)), tick=True):
        form = client_for("office_admin").get(reverse("tracking:notice_edit", args=[draft.pk]))
    body = form.content.decode()
    assert "仍未办理" not in body and "已逾期" not in body and "尚未到期" not in body
    assert "该期进展报告已报送" in body


def test_notice_document_dates_are_in_official_style(world, client_for, signed):
    with time_machine.travel(frozen_start(datetime.date(2026, 3, 9)), tick=True):
        notice = issued_notice(world, signed, on=datetime.date(2026, 3, 2))
        text = docx_text(
            client_for("market_staff").get(reverse("tracking:notice_docx", args=[notice.pk]))
        )
    assert not ISO_OR_PADDED.search(text), ISO_OR_PADDED.search(text)
    assert "2026年3月2日" in text and "2026年12月31日" in text
    # the progress figure is today's, and the document says so
    assert "完成进度（截至2026年3月9日）" in text


# ---------------------------------------------------------------- 5. 交办 stamps
def test_handout_from_a_plan_is_stamped_with_the_real_time(world, client_for, plan_task):
    moment = datetime.datetime(2026, 3, 10, 15, 37, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        client = client_for("office_admin")
        response = client.post(
            reverse("tracking:plan_assign", args=[plan_task.plan_id]),
            {"task": [plan_task.pk], "cycle": "monthly"},
        )
        assert response.status_code == 200
        item = Assignment.objects.get(task=plan_task)
        assert item.state == "assigned"
        page = detail(client, item)
    timeline = page.split("时间线")[-1]
    assert "2026-03-10 15:37" in timeline and "10:00" not in timeline
