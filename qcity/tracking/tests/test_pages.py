import datetime
import io

from django.urls import reverse
from docx import Document

from qcity.core import audit
from qcity.core.models import ChangeLog
from qcity.core.testing import RegisteredModelTests
from qcity.tracking import services
from qcity.tracking.models import Assignment, ProgressReport


class TestAssignment(RegisteredModelTests):
    model = Assignment

    def make(self, world):
        office = world.user("office_admin")
        a = services.create_assignment(
            {
                "title": "落实质量工作会议议定事项",
                "source": "meeting",
                "lead_unit": world.unit("市市场监管局"),
                "deadline": datetime.date(2026, 9, 30),
            },
            office,
        )
        return services.assign(a, office, on=datetime.date(2026, 1, 5))

    def form_data(self, world):
        return {}


def test_board_filters_and_query_budget(world, client_for, signed, django_assert_max_num_queries):
    office = world.user("office_admin")
    for i in range(6):
        a = services.create_assignment(
            {
                "title": f"批示事项{i}",
                "source": "instruction",
                "lead_unit": world.unit("市住建局"),
                "deadline": datetime.date(2026, 6, 30),
            },
            office,
            co_units=[(world.unit("市农业农村局"), "配合")],
        )
        services.assign(a, office, on=datetime.date(2026, 1, 5))
    client = client_for("office_admin")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("tracking:board"))
    assert response.status_code == 200
    assert "批示事项5" in response.content.decode()
    response = client.get(reverse("tracking:board"), {"state": "signed"})
    body = response.content.decode()
    assert signed.title in body and "批示事项0" not in body
    response = client.get(
        reverse("tracking:board"), {"unit": world.unit("市农业农村局").pk}, HTTP_HX_REQUEST="true"
    )
    assert "批示事项0" in response.content.decode() and "<html" not in response.content.decode()


def test_board_is_scoped(world, client_for, signed):
    body = client_for("other_district_staff").get(reverse("tracking:board")).content.decode()
    assert signed.title not in body
    body = client_for("construction_staff").get(reverse("tracking:board")).content.decode()
    assert signed.title in body  # a co-unit sees the item


def test_task_page_shows_actions_for_the_right_people(world, client_for, assignment):
    url = reverse("tracking:assignment_detail", args=[assignment.pk])
    lead = client_for("market_staff").get(url).content.decode()
    assert "签收" in lead and "退回（不属于本单位职责）" in lead
    co = client_for("construction_staff").get(url).content.decode()
    assert "act/sign/" not in co
    assert client_for("other_district_staff").get(url).status_code == 404
    # a co-unit posting the lead's action is refused and nothing changes
    before = ChangeLog.objects.count()
    response = client_for("construction_staff").post(
        reverse("tracking:act", args=[assignment.pk, "sign"])
    )
    assert response.status_code == 403
    assert ChangeLog.objects.count() == before


def test_unit_signs_and_reports_through_pages(world, client_for, assignment):
    lead = client_for("market_staff")
    response = lead.post(reverse("tracking:act", args=[assignment.pk, "sign"]))
    assert response.status_code == 302
    assert Assignment.objects.get(pk=assignment.pk).state == "signed"
    response = lead.get(reverse("tracking:report_form", args=[assignment.pk]))
    assert response.status_code == 302
    report = ProgressReport.objects.get(assignment=assignment)
    url = reverse("tracking:report_edit", args=[report.pk])
    page = lead.get(url).content.decode()
    assert "汇总报送" in page
    # co-unit input through its page
    co = client_for("construction_staff")
    co.post(reverse("tracking:co_input", args=[report.pk]), {"text": "住建部分完成"})
    assert report.inputs.get().text == "住建部分完成"
    response = lead.post(
        url,
        {"version": report.version, "done": "完成部署", "percent": "15", "op": "submit"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Redirect"]
    report.refresh_from_db()
    assert report.status == "submitted"
    detail = (
        client_for("office_admin")
        .get(reverse("tracking:assignment_detail", args=[assignment.pk]))
        .content.decode()
    )
    assert "住建部分完成" in detail and "示例市住房和城乡建设局" in detail


def test_stale_report_form_is_told_and_nothing_overwritten(world, client_for, signed):
    report = services.open_report(signed, world.user("market_staff"))
    opened = report.version
    services.save_report(
        report, {"done": "先保存的内容", "percent": 10}, world.user("market_staff"), opened
    )
    response = client_for("market_staff").post(
        reverse("tracking:report_edit", args=[report.pk]),
        {"version": opened, "done": "后保存的内容", "percent": "50", "op": "save"},
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).done == "先保存的内容"


def test_other_unit_cannot_open_report(world, client_for, signed):
    report = services.open_report(signed, world.user("market_staff"))
    assert (
        client_for("other_district_staff")
        .get(reverse("tracking:report_edit", args=[report.pk]))
        .status_code
        == 404
    )
    response = client_for("agriculture_staff").post(
        reverse("tracking:report_form", args=[signed.pk])
    )
    assert response.status_code == 404


def test_notice_download(world, client_for, signed):
    notice = services.issue_followup(
        signed,
        "supervise",
        "deadline",
        signed.deadline,
        on=datetime.date(2026, 4, 1),
        user=world.user("office_admin"),
    )
    response = client_for("market_staff").get(reverse("tracking:notice_docx", args=[notice.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    assert any(notice.number in p.text for p in doc.paragraphs)
    assert (
        client_for("other_district_staff")
        .get(reverse("tracking:notice_docx", args=[notice.pk]))
        .status_code
        == 404
    )


def test_office_registers_an_instruction_item(world, client_for):
    client = client_for("office_admin")
    bad = client.post(
        reverse("tracking:assign_new"), {"title": "落实批示", "deadline": "2026-05-01"}
    )
    assert bad.status_code == 400 and "牵头单位" in bad.content.decode()
    assert not Assignment.objects.filter(title="落实批示").exists()
    response = client.post(
        reverse("tracking:assign_new"),
        {
            "title": "落实批示",
            "source": "instruction",
            "lead_unit": world.unit("市市场监管局").pk,
            "co_units": [world.unit("市教育局").pk],
            f"duty_{world.unit('市教育局').pk}": "督促学校",
            "deadline": "2026-05-01",
            "assign_now": "on",
        },
    )
    assert response.status_code == 302
    a = Assignment.objects.get(title="落实批示")
    assert a.state == "assigned" and a.co_units.get().duty == "督促学校"
    assert client_for("market_staff").get(reverse("tracking:assign_new")).status_code == 403


def test_mine_lists_tasks_and_todos(world, client_for, assignment):
    body = client_for("market_staff").get(reverse("tracking:mine")).content.decode()
    assert assignment.title in body and "请签收督办事项" in body


def test_home_panel_says_it_counts_items_outside_any_plan_too(world, client_for, signed):
    body = client_for("office_admin").get(reverse("core:home")).content.decode()
    assert "全部督办事项办理情况（含未列入实施方案的事项）" in body


def test_scan_job_handler_runs(world, signed):
    from qcity.core import jobs

    with audit.acting_as(None, label="test"):
        job = jobs.enqueue("tracking.scan", on="2026-02-06")
    assert job.status == "done", job.error
    assert signed.followups.filter(kind="urge").exists()


def test_units_do_not_see_items_before_assignment(world, client_for):
    a = services.create_assignment(
        {
            "title": "尚未交办的事项",
            "lead_unit": world.unit("市市场监管局"),
            "deadline": datetime.date(2026, 9, 30),
        },
        world.user("office_admin"),
    )
    url = reverse("tracking:assignment_detail", args=[a.pk])
    assert client_for("market_staff").get(url).status_code == 404
    assert (
        "尚未交办的事项"
        not in client_for("market_staff").get(reverse("tracking:board")).content.decode()
    )
    assert client_for("office_admin").get(url).status_code == 200
