"""Notices tell the truth: a 督办通知单 is written from the item's real state, the office
writes the 督办事由 and may edit the text before it goes out, dates are in 公文 style."""

import datetime
import io

from django.urls import reverse
from docx import Document

from qcity.core.models import ChangeLog
from qcity.tracking import services
from qcity.tracking.models import FollowUp

FALSE_PHRASE = "经催办仍未办理"


def docx_text(response) -> str:
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_notice_for_an_item_neither_overdue_nor_chased(world, client_for, signed, scenario_today):
    office = client_for("office_admin")
    page = reverse("tracking:supervise_new", args=[signed.pk])
    assert (
        page in office.get(reverse("tracking:assignment_detail", args=[signed.pk])).content.decode()
    )
    form = office.get(page).content.decode()
    assert FALSE_PHRASE not in form and "已逾期" not in form
    assert "尚未到期" in form and "2026年12月31日" in form
    reason = "市政府第12次常务会议要求加快推进质量提升行动"
    response = office.post(
        page, {"reason": reason, "message": services.draft_supervise_notice(signed)}
    )
    assert response.status_code == 302
    notice = FollowUp.objects.get(assignment=signed, kind="supervise")
    assert notice.reason == reason and FALSE_PHRASE not in notice.message
    text = docx_text(office.get(reverse("tracking:notice_docx", args=[notice.pk])))
    assert reason in text and FALSE_PHRASE not in text and "已逾期" not in text
    # 公文 dates: no ISO dates, no leading zeros
    assert "2026年12月31日" in text and "2026-12-31" not in text
    assert "2026年3月10日" in text and "2026年03月" not in text


def test_office_edits_the_text_before_it_is_issued_and_after(
    world, client_for, signed, scenario_today
):
    office = client_for("office_admin")
    written = "请于2026年3月20日前报送质量提升行动推进方案及责任分工。"
    office.post(
        reverse("tracking:supervise_new", args=[signed.pk]),
        {"reason": "领导批示", "message": written},
    )
    notice = FollowUp.objects.get(assignment=signed, kind="supervise")
    assert notice.message == written
    docx = reverse("tracking:notice_docx", args=[notice.pk])
    assert written in docx_text(client_for("market_staff").get(docx))
    # corrected before the unit answers: the document follows
    edit = reverse("tracking:notice_edit", args=[notice.pk])
    assert (
        edit in office.get(reverse("tracking:assignment_detail", args=[signed.pk])).content.decode()
    )
    office.post(edit, {"reason": "市长批示件（第3号）", "message": written + "逾期将通报。"})
    text = docx_text(office.get(docx))
    assert "督办事由：市长批示件（第3号）" in text and "逾期将通报。" in text
    # a unit cannot edit it, and nothing changes
    before = ChangeLog.objects.count()
    assert client_for("market_staff").post(edit, {"reason": "x", "message": "x"}).status_code == 403
    assert ChangeLog.objects.count() == before
    # after the answer the notice is what the unit answered to
    services.answer_followup(notice, world.user("market_staff"), "已制定推进方案")
    response = office.post(edit, {"reason": "改", "message": "改"})
    assert response.status_code == 400 and "已答复" in response.content.decode()
    assert FollowUp.objects.get(pk=notice.pk).reason == "市长批示件（第3号）"


def test_only_the_office_issues_a_notice(world, client_for, signed):
    page = reverse("tracking:supervise_new", args=[signed.pk])
    before = ChangeLog.objects.count()
    for handle in ("market_staff", "construction_staff", "auditor"):
        client = client_for(handle)
        assert client.get(page).status_code in (403, 404)
        assert client.post(page, {"message": "督办"}).status_code in (403, 404)
    assert client_for("other_district_staff").get(page).status_code == 404
    assert client_for(None).get(page).status_code == 302
    assert ChangeLog.objects.count() == before
    assert not FollowUp.objects.filter(assignment=signed, kind="supervise").exists()


def test_overdue_notice_says_chased_only_after_a_urge(world, signed):
    office = world.user("office_admin")
    # overdue, never chased: says how late, not that it was chased
    direct = services.issue_followup(
        signed, "supervise", "deadline", signed.deadline, on=datetime.date(2027, 1, 2), user=office
    )
    assert "已逾期2天" in direct.message and "催办" not in direct.message
    direct.delete()
    # the ladder: 催办 on 4 January, 督办 three working days later names the 催办
    services.scan(on=datetime.date(2027, 1, 4))
    urge = signed.followups.get(kind="urge", subject="deadline")
    assert "已逾期4天" in urge.message and "2026年12月31日" in urge.message
    services.scan(on=datetime.date(2027, 1, 8))
    notice = signed.followups.get(kind="supervise", subject="deadline")
    assert "经2027年1月4日催办仍未办理" in notice.message


def test_report_notices_follow_the_report_state(world, signed):
    """A report 提醒 names the period and due date in 公文 style."""
    services.scan(on=datetime.date(2026, 2, 3))
    reminder = signed.followups.filter(kind="reminder", subject="report").first()
    assert reminder is not None
    assert "2026年1月" in reminder.message and "-" not in reminder.message
