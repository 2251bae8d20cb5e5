import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qcity.core.models import ChangeLog, Event, Todo
from qcity.core.services import ConflictError
from qcity.tracking import services
from qcity.tracking.choices import AssignmentState as S
from qcity.tracking.demo import evidence
from qcity.tracking.models import Assignment, ProgressReport


def test_assignment_from_task_takes_units_and_duties(world, assignment):
    assert assignment.lead_unit == world.unit("市市场监管局")
    co = assignment.co_units.get()
    assert co.unit == world.unit("市住建局") and co.duty == "负责建设工程质量部分"
    assert assignment.state == S.ASSIGNED
    assert assignment.original_deadline == datetime.date(2026, 12, 31)
    assert Todo.objects.filter(unit=assignment.lead_unit, kind="sign", done_at=None).exists()
    assert list(Event.objects.filter(object_id=str(assignment.pk)).values_list("type", flat=True))[
        :2
    ] == ["created", "assigned"]


def test_task_cannot_be_assigned_twice(world, assignment, plan_task):
    with pytest.raises(ValidationError, match="重复交办"):
        services.create_assignment({"task": plan_task}, world.user("office_admin"))


def test_unit_staff_cannot_create_or_assign(world, plan_task):
    with pytest.raises(PermissionDenied):
        services.create_assignment({"task": plan_task}, world.user("market_staff"))


def test_sign_only_by_lead_and_only_once(world, assignment):
    with pytest.raises(PermissionDenied):
        services.sign(assignment, world.user("construction_staff"))  # a co-unit
    signed = services.sign(assignment, world.user("market_staff"))
    assert signed.state == S.SIGNED
    assert not Todo.objects.filter(kind="sign", done_at=None, object_id=str(signed.pk)).exists()
    with pytest.raises(ValidationError, match="待签收"):
        services.sign(signed, world.user("market_staff"))


def test_return_needs_reason_then_reassign(world, assignment):
    staff = world.user("market_staff")
    before = ChangeLog.objects.count()
    with pytest.raises(ValidationError, match="理由"):
        services.return_assignment(assignment, staff, "  ")
    assert ChangeLog.objects.count() == before
    returned = services.return_assignment(assignment, staff, "属于住建部门职责")
    assert returned.state == S.RETURNED and returned.state_reason == "属于住建部门职责"
    again = services.reassign(returned, world.user("office_admin"), world.unit("市住建局"))
    assert again.state == S.ASSIGNED and again.lead_unit == world.unit("市住建局")
    assert not again.co_units.filter(unit=world.unit("市住建局")).exists()


def test_report_cycle_merge_and_review(world, signed):
    lead, co = world.user("market_staff"), world.user("construction_staff")
    office = world.user("office_admin")
    report = services.open_report(signed, lead, on=datetime.date(2026, 2, 3))
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 31),
    )
    assert report.due_date == datetime.date(2026, 2, 5)
    report = services.save_report(
        report, {"done": "完成摸底调查", "percent": 20}, lead, report.version
    )
    services.add_co_input(report, co, "住建部分已完成排查")
    with pytest.raises(PermissionDenied):
        services.add_co_input(report, world.user("agriculture_staff"), "我不是配合单位")
    with pytest.raises(PermissionDenied):
        services.submit_report(report, co)  # co-units give input, the lead submits
    report = services.submit_report(report, lead, on=datetime.date(2026, 2, 9))
    assert report.late and report.status == "submitted"
    assert Assignment.objects.get(pk=signed.pk).state == S.IN_PROGRESS
    with pytest.raises(ValidationError, match="审核意见"):
        services.return_report(report, office, "")
    report = services.return_report(report, office, "请补充数据")
    assert report.status == "returned"
    with pytest.raises(ValidationError, match="审核"):
        services.accept_report(report, office)
    report = services.save_report(
        report, {"done": "完成摸底调查，共120家", "percent": 25}, lead, report.version
    )
    report = services.submit_report(report, lead, on=datetime.date(2026, 2, 10))
    assert report.late  # a resubmission stays late
    services.accept_report(report, office, on=datetime.date(2026, 2, 10))
    a = Assignment.objects.get(pk=signed.pk)
    assert a.percent == 25
    assert a.lights.filter(period_start=datetime.date(2026, 2, 1)).exists()


def test_bad_percent_refused_and_nothing_written(world, signed):
    lead = world.user("market_staff")
    report = services.open_report(signed, lead)
    with pytest.raises(ValidationError, match="0到100"):
        services.save_report(report, {"done": "x", "percent": 130}, lead, report.version)
    assert ProgressReport.objects.get(pk=report.pk).done == ""


def test_submit_needs_done_text(world, signed):
    report = services.open_report(signed, world.user("market_staff"))
    with pytest.raises(ValidationError, match="完成情况"):
        services.submit_report(report, world.user("market_staff"))


def test_two_editors_second_is_told_nothing_overwritten(world, signed):
    lead = world.user("market_staff")
    report = services.open_report(signed, lead)
    opened_version = report.version
    services.save_report(report, {"done": "甲的内容", "percent": 10}, lead, opened_version)
    with pytest.raises(ConflictError, match="他人修改"):
        services.save_report(report, {"done": "乙的内容", "percent": 90}, lead, opened_version)
    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.done == "甲的内容" and stored.percent == 10


def test_other_units_cannot_report(world, signed):
    with pytest.raises(PermissionDenied):
        services.open_report(signed, world.user("agriculture_staff"))
    with pytest.raises(PermissionDenied):
        services.open_report(signed, world.user("construction_staff"))  # co-unit, not lead


def test_report_before_sign_refused(world, assignment):
    with pytest.raises(ValidationError, match="签收后"):
        services.open_report(assignment, world.user("market_staff"))


def test_extension_before_deadline_granted_then_on_time(world, signed):
    lead, office = world.user("market_staff"), world.user("office_admin")
    with pytest.raises(ValidationError, match="晚于"):
        services.request_extension(
            signed, lead, "原因", datetime.date(2026, 6, 1), on=datetime.date(2026, 5, 1)
        )
    ext = services.request_extension(
        signed, lead, "汛期影响施工", datetime.date(2027, 3, 31), on=datetime.date(2026, 11, 1)
    )
    with pytest.raises(ValidationError, match="待审批"):
        services.request_extension(
            signed, lead, "再申请", datetime.date(2027, 4, 30), on=datetime.date(2026, 11, 2)
        )
    with pytest.raises(ValidationError, match="理由"):
        services.decide_extension(ext, office, grant=False)
    services.decide_extension(ext, office, grant=True, comment="同意")
    a = Assignment.objects.get(pk=signed.pk)
    assert a.deadline == datetime.date(2027, 3, 31)
    assert a.original_deadline == datetime.date(2026, 12, 31)
    services.request_close(a, lead, "已完成，见总结报告", [evidence("总结报告.pdf")])
    closed = services.verify_close(a, office, on=datetime.date(2027, 2, 1))
    assert closed.state == S.CLOSED


def test_extension_after_deadline_refused_and_late_close(world, signed):
    lead, office = world.user("market_staff"), world.user("office_admin")
    with pytest.raises(ValidationError, match="已超过完成时限"):
        services.request_extension(
            signed, lead, "来不及", datetime.date(2027, 6, 30), on=datetime.date(2027, 1, 3)
        )
    assert not signed.extensions.exists()
    with pytest.raises(ValidationError, match="佐证"):
        services.request_close(signed, lead, "")
    with pytest.raises(ValidationError, match="至少一份佐证材料"):
        services.request_close(signed, lead, "已完成")
    assert Assignment.objects.get(pk=signed.pk).state == S.SIGNED
    a = services.request_close(signed, lead, "已完成", [evidence("验收报告.pdf")])
    a = services.rework(a, office, "缺少验收材料")
    assert a.state == S.IN_PROGRESS
    a = services.request_close(a, lead, "补充了验收材料")
    a = services.verify_close(a, office, on=datetime.date(2027, 1, 10))
    assert a.state == S.CLOSED_LATE and a.closed_on == datetime.date(2027, 1, 10)
    with pytest.raises(ValidationError):
        services.verify_close(a, office)


def test_suspend_resume_terminate(world, signed):
    office = world.user("office_admin")
    with pytest.raises(ValidationError, match="原因"):
        services.suspend(signed, office, "")
    with pytest.raises(PermissionDenied):
        services.suspend(signed, world.user("market_staff"), "理由")
    a = services.suspend(signed, office, "等待上级政策")
    assert a.state == S.SUSPENDED and a.light == "grey"
    a = services.resume(a, office)
    assert a.state == S.SIGNED
    a = services.terminate(a, office, "任务调整")
    assert a.state == S.TERMINATED
    with pytest.raises(ValidationError):
        services.terminate(a, office, "again")


def test_standalone_instruction_item(world):
    office = world.user("office_admin")
    with pytest.raises(ValidationError, match="牵头单位"):
        services.create_assignment(
            {"title": "落实市长批示", "deadline": datetime.date(2026, 6, 30)}, office
        )
    a = services.create_assignment(
        {
            "title": "落实市长关于电梯安全的批示",
            "source": "instruction",
            "lead_unit": world.unit("市市场监管局"),
            "deadline": datetime.date(2026, 6, 30),
            "cycle": "quarterly",
        },
        office,
        co_units=[(world.unit("江北区市场监管局"), "排查辖区电梯")],
    )
    assert a.task is None and a.co_units.count() == 1
    # nobody outside the office sees the draft; once 交办, a co-unit sees it, an unrelated
    # district does not
    assert not Assignment.objects.for_user(world.user("district_staff")).filter(pk=a.pk).exists()
    services.assign(a, office)
    assert Assignment.objects.for_user(world.user("district_staff")).filter(pk=a.pk).exists()
    assert (
        not Assignment.objects.for_user(world.user("other_district_staff")).filter(pk=a.pk).exists()
    )
    # co-units see but cannot change
    assert (
        not Assignment.objects.for_user(world.user("district_staff"), "change")
        .filter(pk=a.pk)
        .exists()
    )
