import datetime
import io

from docx import Document

from qcity.core.models import Todo
from qcity.tracking import services
from qcity.tracking.models import FollowUp, LightSnapshot


def kinds(assignment):
    return sorted((f.kind, f.subject) for f in FollowUp.objects.filter(assignment=assignment))


def test_scan_ladder_report_reminder_urge_supervise(world, signed):
    from django.db.models import Max

    last = (
        FollowUp.objects.filter(kind="supervise", year=2026).aggregate(m=Max("sequence"))["m"] or 0
    )
    # January report is due 2026-02-05; reminder lead time is 3 days
    services.scan(on=datetime.date(2026, 2, 1))
    assert kinds(signed) == []
    services.scan(on=datetime.date(2026, 2, 3))
    assert kinds(signed) == [("reminder", "report")]
    services.scan(on=datetime.date(2026, 2, 3))  # idempotent for a day
    assert FollowUp.objects.filter(assignment=signed).count() == 1
    services.scan(on=datetime.date(2026, 2, 6))
    assert ("urge", "report") in kinds(signed)
    urge = FollowUp.objects.get(assignment=signed, kind="urge")
    assert "已逾期" in urge.message
    services.scan(on=datetime.date(2026, 2, 9))  # 1 working day after the urge: not yet
    assert ("supervise", "report") not in kinds(signed)
    services.scan(on=datetime.date(2026, 2, 11))  # 3 working days after the urge
    draft = FollowUp.objects.get(assignment=signed, kind="supervise")
    # the scan only drafts the 督办通知单: unnumbered, nothing sent to the unit yet
    assert draft.status == "draft" and draft.number == ""
    assert not Todo.objects.filter(kind="supervise", object_id=str(signed.pk)).exists()
    services.scan(on=datetime.date(2026, 2, 12))  # no second draft
    assert FollowUp.objects.filter(assignment=signed, kind="supervise").count() == 1
    notice = services.issue_notice(
        draft, world.user("office_admin"), "", draft.message, on=datetime.date(2026, 2, 12)
    )
    assert notice.number == f"督办〔2026〕{notice.sequence}号" and notice.sequence > last
    assert notice.answer_deadline > datetime.date(2026, 2, 11)
    assert Todo.objects.filter(
        unit=signed.lead_unit, kind="supervise", done_at=None, due=notice.answer_deadline
    ).exists()
    labels = [e.label for e in services.events.timeline(signed)]
    assert any(notice.number in label for label in labels)
    # the unit answers
    services.answer_followup(notice, world.user("market_staff"), "已于2月12日报送并说明原因")
    assert not Todo.objects.filter(
        kind="supervise", done_at=None, object_id=str(signed.pk)
    ).exists()


def test_submitted_report_stops_the_ladder(world, signed):
    lead = world.user("market_staff")
    report = services.open_report(signed, lead, on=datetime.date(2026, 2, 2))
    services.save_report(report, {"done": "按计划推进", "percent": 10}, lead, report.version)
    services.submit_report(report, lead, on=datetime.date(2026, 2, 2))
    services.scan(on=datetime.date(2026, 2, 6))
    assert ("urge", "report") not in kinds(signed)


def test_deadline_ladder_and_numbering(world, signed, assignment):
    services.scan(on=datetime.date(2026, 12, 29))
    assert ("reminder", "deadline") in kinds(signed)
    services.scan(on=datetime.date(2027, 1, 4))
    assert ("urge", "deadline") in kinds(signed)
    services.scan(on=datetime.date(2027, 1, 8))
    for draft in FollowUp.objects.filter(kind="supervise", status="draft").order_by("pk"):
        services.issue_notice(
            draft, world.user("office_admin"), "", draft.message, on=datetime.date(2027, 1, 8)
        )
    numbers = sorted(
        FollowUp.objects.filter(kind="supervise", year=2027).values_list("sequence", flat=True)
    )
    assert numbers and numbers == list(range(1, len(numbers) + 1))
    snapshot = LightSnapshot.objects.filter(assignment=signed).order_by("-period_start").first()
    assert snapshot.light == "red" and "超过完成时限" in snapshot.explanation


def test_supervise_notice_docx_reads_back(world, signed):
    notice = services.issue_followup(
        signed,
        "supervise",
        "deadline",
        signed.deadline,
        on=datetime.date(2026, 3, 2),
        user=world.user("office_admin"),
    )
    doc = Document(io.BytesIO(services.supervise_notice_docx(notice)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督办通知单" in text and notice.number in text
    assert "示例市市场监督管理局" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert signed.title in cells and "示例市住房和城乡建设局" in "".join(cells)


def test_lights_follow_progress_against_schedule(world, signed):
    office, lead = world.user("office_admin"), world.user("market_staff")
    # 交办 2026-01-05, deadline 2026-12-31: by 2026-07-01 about half the time has passed
    report = services.open_report(signed, lead, on=datetime.date(2026, 7, 1))
    services.save_report(report, {"done": "进展缓慢", "percent": 10}, lead, report.version)
    report = services.submit_report(report, lead, on=datetime.date(2026, 7, 1))
    services.accept_report(report, office, on=datetime.date(2026, 7, 1))
    signed.refresh_from_db()
    assert signed.light == "red" and "落后" in signed.light_reason
    answer = services.refresh_light(signed, on=datetime.date(2026, 2, 1))
    assert answer.light == "green"
