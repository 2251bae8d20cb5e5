import datetime
import io

import pytest
from django.core.exceptions import ValidationError

from qcity.core import audit, documents, jobs, notify, rulebook, search, services, workdays
from qcity.core.models import ChangeLog, Event, Holiday, Job, Message, NotificationLog, Rule, Todo


# ---------------------------------------------------------------- rule table
def test_rules_are_declared_loaded_and_changed_with_history(world):
    rule = Rule.objects.get(key="core.login.max_failures")
    assert rule.source and rule.confidence
    assert rulebook.value("core.login.max_failures") == 5
    rulebook.change(rule, "6", world.user("office_admin"), "测评要求调整")
    assert rulebook.value("core.login.max_failures") == 6
    assert rule.history.get().value == "5"
    assert ChangeLog.objects.filter(object_repr__contains="连续登录失败", action="update").exists()


def test_rule_change_needs_reason_and_valid_number(world):
    rule = Rule.objects.get(key="core.login.max_failures")
    with pytest.raises(ValidationError):
        rulebook.change(rule, "6", world.user("office_admin"), "")
    with pytest.raises(ValidationError):
        rulebook.change(rule, "abc", world.user("office_admin"), "x")


def test_only_office_edits_rules(world, client_for):
    rule = Rule.objects.get(key="core.login.max_failures")
    assert client_for("market_staff").get(f"/core/rules/{rule.pk}/edit/").status_code == 403
    response = client_for("office_admin").post(
        f"/core/rules/{rule.pk}/edit/", {"value": "-1", "reason": "x"}
    )
    assert response.status_code == 400 and "负数" in response.content.decode()


# ---------------------------------------------------------------- calendar
def test_make_up_working_day_and_holiday(world):
    cal = workdays.Calendar()
    makeup = Holiday.objects.filter(kind="workday").first()
    holiday = Holiday.objects.filter(kind="holiday", date__week_day__in=[2, 3, 4, 5, 6]).first()
    assert makeup.date.weekday() >= 5 and cal.is_workday(makeup.date).is_workday
    assert not cal.is_workday(holiday.date).is_workday


def test_national_day_week_counts_as_seven_working_days_later(world):
    # 2024-09-30 (Mon) + 5 working days: Oct 1–7 are holidays, Oct 12 (Sat) is a make-up day.
    day, estimated = workdays.Calendar().add_workdays(datetime.date(2024, 9, 30), 5)
    assert day == datetime.date(2024, 10, 12) and not estimated


def test_year_without_data_is_estimated_not_an_error(world):
    answer = workdays.Calendar().is_workday(datetime.date(2040, 1, 2))
    assert answer.is_workday and answer.estimated
    day, estimated = workdays.deadline(datetime.date(2040, 1, 5), 3, "working_days")
    assert day == datetime.date(2040, 1, 10) and estimated


# ---------------------------------------------------------------- audit, events, conflicts
def test_update_writes_before_and_after(world):
    unit = world.unit("市统计局")
    with audit.acting_as(world.user("office_admin")):
        services.update_object(unit, {"short_name": "统计局"})
    log = ChangeLog.objects.filter(action="update").first()
    assert ("short_name", "市统计局", "统计局") in log.changed_fields()
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()


def test_change_without_actor_is_refused(world):
    with pytest.raises(RuntimeError):
        services.update_object(world.unit("市统计局"), {"short_name": "匿名改"})


def test_second_editor_is_told_not_overwritten(world, client_for):
    unit = world.unit("市统计局")
    client = client_for("office_admin")
    page = client.get(f"/core/orgunits/{unit.pk}/edit/")
    version = page.context["form"]["version"].value()
    base = {"name": unit.name, "kind": unit.kind, "region": unit.region_id, "is_active": "on"}
    assert (
        client.post(
            f"/core/orgunits/{unit.pk}/edit/", {**base, "short_name": "甲改", "version": version}
        ).status_code
        == 302
    )
    second = client.post(
        f"/core/orgunits/{unit.pk}/edit/", {**base, "short_name": "乙改", "version": version}
    )
    assert second.status_code == 200 and "已被他人修改" in second.content.decode()
    unit.refresh_from_db()
    assert unit.short_name == "甲改"


def test_events_form_a_timeline(world, client_for):
    from qcity.core import events

    unit = world.unit("市统计局")
    with audit.acting_as(world.user("office_admin")):
        events.emit(unit, "note", "约谈联络员")
    assert Event.objects.filter(label="约谈联络员").exists()
    assert (
        "约谈联络员"
        in client_for("office_admin")
        .get(f"/core/orgunits/{unit.pk}/?tab=timeline")
        .content.decode()
    )


# ---------------------------------------------------------------- jobs, todos, messages
def test_job_runs_and_failure_is_recorded(world, settings):
    settings.QCITY_JOBS_INLINE = False  # queued for the runner, as in production
    calls = []
    jobs.handler("test.ok")(lambda job, value: calls.append(value) or {"value": value})
    jobs.handler("test.fail")(lambda job: 1 / 0)
    ok = jobs.enqueue("test.ok", value=3)
    bad = jobs.enqueue("test.fail")
    assert jobs.run_pending() >= 2
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.status == "done" and ok.result == {"value": 3} and calls == [3]
    assert bad.status == "failed" and "ZeroDivisionError" in bad.error


def test_periodic_tick_runs_when_due(monkeypatch):
    monkeypatch.setattr(jobs, "PERIODIC", [])  # apps' own periodic scans need a database
    ran = []
    jobs.periodic(60)(lambda: ran.append(1))
    last = {}
    jobs.tick(now=1000.0, last_run=last)
    jobs.tick(now=1010.0, last_run=last)
    jobs.tick(now=1061.0, last_run=last)
    assert len(ran) == 2


def test_todos_show_on_home_for_unit_members(world, client_for):
    notify.add_todo(
        "填报三季度进展",
        unit=world.unit("江北区市场监管局"),
        due=datetime.date(2020, 1, 1),
        kind="report",
        obj=world.unit("江北区市场监管局"),
    )
    response = client_for("district_staff").get("/")
    assert "填报三季度进展" in response.content.decode()
    assert response.context["todo_count"] == 1 and response.context["overdue_count"] == 1
    assert "填报三季度进展" not in client_for("other_district_staff").get("/").content.decode()
    notify.close_todos(world.unit("江北区市场监管局"), "report")
    assert client_for("district_staff").get("/").context["todo_count"] == 0


def test_messages_and_outgoing_log_adapter(world, client_for):
    notify.message(world.user("market_staff"), "督办提醒", "请于周五前反馈", notify_out=True)
    assert NotificationLog.objects.filter(subject="督办提醒").exists()
    msg = Message.objects.get(title="督办提醒")
    client = client_for("market_staff")
    assert "督办提醒" in client.get("/inbox/").content.decode()
    client.post(f"/inbox/{msg.pk}/read/")
    msg.refresh_from_db()
    assert msg.read_at is not None
    assert client_for("district_staff").post(f"/inbox/{msg.pk}/read/").status_code == 404


# ---------------------------------------------------------------- search
def test_search_finds_units_by_current_and_former_names(world, client_for):
    labels = [hit[0] for hit in search.search(world.user("market_staff"), "质监")]
    assert "示例市质量技术监督局" in labels
    response = client_for("market_staff").get("/search/", {"q": "住建"})
    assert "示例市住房和城乡建设局" in response.content.decode()


# ---------------------------------------------------------------- documents
def test_official_docx_has_gbt9704_elements():
    from docx import Document
    from docx.shared import Mm

    doc = documents.OfficialDocument("示例市督办通知单", landscape=True, attachment_label="附件1")
    doc.paragraph("请于规定时间内反馈办理情况。")
    doc.table(["序号", "事项"], [[i, f"事项{i}"] for i in range(1, 60)])
    doc.signature("示例市质量强市工作领导小组办公室", "2026年11月22日")
    read = Document(io.BytesIO(doc.to_bytes()))
    section = read.sections[0]
    assert abs(section.page_width - Mm(297)) < Mm(1) and abs(section.page_height - Mm(210)) < Mm(1)
    assert read.paragraphs[0].text == "附件1"
    assert any(p.text == "示例市督办通知单" for p in read.paragraphs)
    header_row = read.tables[0].rows[0]._tr
    assert header_row.xpath("./w:trPr/w:tblHeader")
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "— " in section.footer.paragraphs[0].text
    body_font = (
        read.paragraphs[-3]
        .runs[0]
        ._element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
    )
    assert body_font == documents.fonts("body")[0]


def test_xlsx_header_is_styled_and_frozen():
    from openpyxl import load_workbook

    wb = load_workbook(
        io.BytesIO(documents.xlsx_bytes([("目标", ["指标", "目标值"], [["食品抽检合格率", 98.5]])]))
    )
    ws = wb["目标"]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2" and ws["B2"].value == 98.5


def test_job_table_shows_progress(world, client_for):
    job = Job.objects.create(kind="x", total=10, progress=5, created_by=world.user("market_staff"))
    assert client_for("market_staff").get(f"/core/jobs/{job.pk}/").json()["percent"] == 50
    assert client_for("district_staff").get(f"/core/jobs/{job.pk}/").status_code == 404


def test_todo_for_user(world):
    notify.add_todo("个人待办", user=world.user("auditor"))
    assert Todo.objects.filter(user=world.user("auditor")).count() == 1
