"""Evidence files on reports and 销号, the milestones editor, drafts hidden from units in the
generic list and API, and backdated demo timeline events."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qcity.core.models import Attachment, ChangeLog, Event
from qcity.tracking import services
from qcity.tracking.choices import AssignmentState as S
from qcity.tracking.demo import evidence
from qcity.tracking.models import Assignment


def _report(world, signed):
    return services.open_report(signed, world.user("market_staff"), on=datetime.date(2026, 2, 3))


# ---------------------------------------------------------------- attachments
def test_lead_attaches_evidence_to_report_and_office_sees_it(world, client_for, signed):
    report = _report(world, signed)
    lead = client_for("market_staff")
    page = lead.get(reverse("tracking:report_edit", args=[report.pk])).content.decode()
    assert "不超过 20 MB" in page  # the limit is stated on the form
    response = lead.post(
        reverse("tracking:report_attach", args=[report.pk]),
        {
            "files": [
                evidence("一月工作台账.pdf"),
                SimpleUploadedFile("现场.jpg", b"\xff\xd8\xffjpg"),
            ]
        },
    )
    assert response.status_code == 302
    report_type = ContentType.objects.get_for_model(report)
    assert (
        Attachment.objects.filter(content_type=report_type, object_id=str(report.pk)).count() == 2
    )
    # the office sees the files on the task page and can download them
    office = client_for("office_admin")
    body = office.get(reverse("tracking:assignment_detail", args=[signed.pk])).content.decode()
    assert "一月工作台账.pdf" in body and "现场.jpg" in body
    att = Attachment.objects.get(name="一月工作台账.pdf")
    response = office.get(reverse("tracking:attachment_download", args=[att.pk]))
    assert response.status_code == 200 and b"%PDF" in b"".join(response.streaming_content)
    # a unit with nothing to do with the item gets 404
    other = client_for("agriculture_staff")
    assert other.get(reverse("tracking:attachment_download", args=[att.pk])).status_code == 404
    assert "上传佐证材料：一月工作台账.pdf" in set(
        Event.objects.filter(object_id=str(signed.pk)).values_list("label", flat=True)
    )


def test_too_large_or_wrong_type_is_refused_with_reason(world, client_for, signed, settings):
    report = _report(world, signed)
    lead = world.user("market_staff")
    settings.QCITY_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("扫描件.pdf", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="超过上限 1 MB"):
        services.attach_to_report(report, lead, [big])
    with pytest.raises(ValidationError, match="格式不支持"):
        services.attach_to_report(report, lead, [SimpleUploadedFile("a.exe", b"MZ")])
    with pytest.raises(ValidationError, match="请选择"):
        services.attach_to_report(report, lead, [])
    # through the page: the message in Chinese, nothing stored
    client = client_for("market_staff")
    response = client.post(
        reverse("tracking:report_attach", args=[report.pk]),
        {"files": [SimpleUploadedFile("扫描件.pdf", b"x" * (1024 * 1024 + 1))]},
        follow=True,
    )
    assert "大小超过上限 1 MB" in response.content.decode()
    # the report's own attachments (another model's row may share the id on PostgreSQL)
    report_type = ContentType.objects.get_for_model(report)
    assert not Attachment.objects.filter(
        content_type=report_type, object_id=str(report.pk)
    ).exists()
    # a co-unit cannot attach to the lead's report
    with pytest.raises(PermissionDenied):
        services.attach_to_report(report, world.user("construction_staff"), [evidence("x.pdf")])


def test_co_unit_attaches_evidence_on_its_input(world, client_for, signed):
    report = _report(world, signed)
    client = client_for("construction_staff")
    response = client.post(
        reverse("tracking:co_input", args=[report.pk]),
        {"text": "完成建设工程质量检查12次", "files": [evidence("住建局检查记录.pdf")]},
    )
    assert response.status_code == 302
    body = client_for("market_staff").get(reverse("tracking:report_edit", args=[report.pk]))
    text = body.content.decode()
    assert "住建局检查记录.pdf" in text and world.unit("市住建局").name in text
    # a wrong type on the input: refused, the input text is not saved either
    report2_client = client_for("construction_staff")
    response = report2_client.post(
        reverse("tracking:co_input", args=[report.pk]),
        {"text": "改写的意见", "files": [SimpleUploadedFile("宏.docm", b"x")]},
        follow=True,
    )
    assert "格式不支持" in response.content.decode()
    assert report.inputs.get().text == "完成建设工程质量检查12次"


def test_close_request_needs_an_evidence_file(world, client_for, signed):
    client = client_for("market_staff")
    url = reverse("tracking:act", args=[signed.pk, "request_close"])
    response = client.post(url, {"evidence": "全部完成"}, follow=True)
    assert "至少一份佐证材料" in response.content.decode()
    assert Assignment.objects.get(pk=signed.pk).state == S.SIGNED
    response = client.post(
        url, {"evidence": "全部完成", "files": [evidence("验收意见.pdf")]}, follow=True
    )
    assert Assignment.objects.get(pk=signed.pk).state == S.CLOSE_REQUESTED
    body = client_for("office_admin").get(reverse("tracking:assignment_detail", args=[signed.pk]))
    assert "验收意见.pdf" in body.content.decode()


def test_evidence_on_a_report_is_enough_for_close(world, signed):
    report = _report(world, signed)
    lead = world.user("market_staff")
    services.attach_to_report(report, lead, [evidence("总结.pdf")])
    assert services.evidence_count(signed) == 1
    a = services.request_close(signed, lead, "已完成，材料见一月报告")
    assert a.state == S.CLOSE_REQUESTED


# ---------------------------------------------------------------- milestones
def _rows(client, pk):
    return client.get(reverse("tracking:milestones_edit", args=[pk]))


def test_lead_edits_milestones_and_overdue_is_flagged(world, client_for, signed, scenario_today):
    client = client_for("market_staff")
    assert _rows(client, signed.pk).status_code == 200
    past = scenario_today - datetime.timedelta(days=3)
    future = scenario_today + datetime.timedelta(days=30)
    data = {
        "count": "3",
        "date_0": past.isoformat(),
        "title_0": "印发专项方案",
        "standard_0": "方案经分管领导签发",
        "date_1": future.isoformat(),
        "title_1": "完成第一轮检查",
        "standard_1": "检查企业不少于50家",
        "date_2": "2026-02-01",
        "title_2": "召开启动会",
        "standard_2": "会议纪要",
        "done_2": "1",
    }
    response = client.post(reverse("tracking:milestones_edit", args=[signed.pk]), data)
    assert response.status_code == 302
    a = Assignment.objects.get(pk=signed.pk)
    assert [m["title"] for m in a.milestones] == ["召开启动会", "印发专项方案", "完成第一轮检查"]
    page = client.get(reverse("tracking:assignment_detail", args=[signed.pk])).content.decode()
    assert "方案经分管领导签发" in page and "逾期未完成" in page
    rows = services.milestone_rows(a)
    assert [r["overdue"] for r in rows] == [False, True, False]
    assert ChangeLog.objects.filter(object_id=str(a.pk), note="修改节点安排").exists()
    # remove one (the 删除 box) and the others stay
    data.update({"remove_0": "1"})
    client.post(reverse("tracking:milestones_edit", args=[signed.pk]), data)
    titles = [m["title"] for m in Assignment.objects.get(pk=signed.pk).milestones]
    assert titles == ["召开启动会", "完成第一轮检查"]


def test_bad_milestones_are_refused_with_reasons(world, client_for, signed):
    client = client_for("market_staff")
    before = list(Assignment.objects.get(pk=signed.pk).milestones)
    response = client.post(
        reverse("tracking:milestones_edit", args=[signed.pk]),
        {
            "count": "3",
            "date_0": "2026-13-01",
            "title_0": "节点",
            "standard_0": "标准",
            "date_1": "2026-05-01",
            "title_1": "无标准的节点",
            "date_2": "2030-01-01",
            "title_2": "太晚",
            "standard_2": "标准",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "第1个节点：日期格式应为YYYY-MM-DD" in body
    assert "第2个节点：请填写完成标准" in body
    assert "晚于完成时限" in body
    assert Assignment.objects.get(pk=signed.pk).milestones == before


def test_milestone_editing_rights(world, client_for, signed):
    # a co-unit may not edit; the lead may not once it has applied for 销号; the office may
    assert _rows(client_for("construction_staff"), signed.pk).status_code == 403
    services.request_close(signed, world.user("market_staff"), "完成", [evidence("a.pdf")])
    assert _rows(client_for("market_staff"), signed.pk).status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_milestones(signed, world.user("market_staff"), [])
    assert _rows(client_for("office_admin"), signed.pk).status_code == 200


# ---------------------------------------------------------------- drafts hidden from units
def test_generic_list_and_api_hide_drafts_from_units(world, client_for):
    office = world.user("office_admin")
    draft = services.create_assignment(
        {
            "title": "尚未交办的草稿事项",
            "source": "meeting",
            "lead_unit": world.unit("市市场监管局"),
            "deadline": datetime.date(2026, 9, 30),
        },
        office,
        co_units=[(world.unit("市住建局"), "配合")],
    )
    list_url = reverse("tracking:assignment_list")
    for handle in ("market_staff", "construction_staff"):
        client = client_for(handle)
        assert "尚未交办的草稿事项" not in client.get(list_url).content.decode()
        api = client.get("/api/tracking/assignments/", {"state": "draft"})
        assert api.status_code == 200
        assert draft.pk not in [r["id"] for r in api.json()["results"]]
        detail = client.get(f"/api/tracking/assignments/{draft.pk}/")
        assert detail.status_code == 404
        page = client.get(reverse("tracking:assignment_detail", args=[draft.pk]))
        assert page.status_code == 404
    office_client = client_for("office_admin")
    assert "尚未交办的草稿事项" in office_client.get(list_url, {"state": "draft"}).content.decode()
    api = office_client.get("/api/tracking/assignments/", {"state": "draft"})
    assert draft.pk in [r["id"] for r in api.json()["results"]]
    services.assign(draft, office)
    body = client_for("construction_staff").get(list_url).content.decode()
    assert "尚未交办的草稿事项" in body


# ---------------------------------------------------------------- demo timeline
def test_demo_events_carry_the_acted_out_dates(world):
    """The demo world was built with dates in the past: its timeline says when each step was
    acted out, not when the demo was built."""
    a = Assignment.objects.filter(title="组织质量月活动", state=S.CLOSED_LATE).first()
    assert a is not None
    times = {
        e.type: e.time.astimezone().date()
        for e in Event.objects.filter(content_type__model="assignment", object_id=str(a.pk))
    }
    assert times["assigned"] == a.assigned_on
    assert times["signed"] == a.signed_on
    assert times["closed"] == a.closed_on
    assert times["close_requested"] < times["closed"]
    events = list(
        Event.objects.filter(content_type__model="assignment", object_id=str(a.pk)).order_by(
            "time", "pk"
        )
    )
    assert [e.type for e in events][:3] == ["created", "assigned", "signed"]
