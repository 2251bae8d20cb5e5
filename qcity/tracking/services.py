"""Every state change of 督查督办, one business action per function in one transaction.

Office (质量办) actions: create/交办, 审核 reports (accept or return), verify 销号 or send back
for rework, decide extensions, suspend/resume/terminate, issue 督办. Unit actions: 签收 or
退回, fill the period's report, co-unit input, submit the merged report, 申请销号, 延期申请
(before the deadline only), answer a 督办. Each writes the change log, a timeline event on the
assignment and the to-dos of the unit that acts next.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import audit, capabilities, events, notify, rulebook, uploads, workdays
from qcity.core.choices import ChangeAction, UnitKind
from qcity.core.models import Attachment, OrgUnit
from qcity.core.rulespec import ValueKind
from qcity.core.services import ConflictError
from qcity.plans.choices import TaskSource

from . import periods
from .choices import (
    ACTIVE_STATES,
    AssignmentState,
    ExtensionStatus,
    FollowUpKind,
    FollowUpSubject,
    NoticeStatus,
    ReportCycle,
    ReportStatus,
)
from .models import (
    Assignment,
    AssignmentCoUnit,
    CoUnitInput,
    ExtensionRequest,
    FollowUp,
    LightSnapshot,
    ProgressReport,
)

S = AssignmentState


# ---------------------------------------------------------------- helpers
def rule(key: str):
    """A rule value; the tracking.* keys declared by the indicators app fall back to their
    declared default while that app is not installed."""
    fallback = None
    try:
        from qcity.indicators.rules import default

        fallback = default(key)
    except (ImportError, KeyError):
        pass
    return rulebook.value(key, default=fallback)


def today() -> datetime.date:
    return timezone.localdate()


def office_unit():
    return OrgUnit.objects.filter(kind=UnitKind.OFFICE).order_by("region__code").first()


def is_office(user) -> bool:
    return bool(user and user.is_authenticated and user.is_office_admin)


def require_office(user):
    if not is_office(user):
        raise PermissionDenied(_("只有质量办可以执行此操作"))


def is_lead(assignment, user, action="report") -> bool:
    """The user acts for the lead unit in a role the capability table grants the action
    (the unit's liaison does; an inspector never signs or reports for the bureau)."""
    return bool(
        user
        and user.is_authenticated
        and assignment.lead_unit_id in capabilities.unit_ids(user, Assignment, action)
    )


def require_lead(assignment, user):
    if not (is_lead(assignment, user) or is_office(user)):
        raise PermissionDenied(_("只有牵头单位可以执行此操作"))


def co_unit_ids(assignment) -> set[int]:
    return set(assignment.co_units.values_list("unit_id", flat=True))


def link(assignment) -> str:
    return reverse("tracking:assignment_detail", args=[assignment.pk])


def _lock(assignment) -> Assignment:
    return Assignment.objects.select_for_update().get(pk=assignment.pk)


def _change(obj, before: dict, user, note: str = ""):
    audit.record(
        obj, ChangeAction.UPDATE, before=before, after=audit.snapshot(obj), note=note, actor=user
    )


def _at(on):
    """The timeline time of an action acted out on the day ``on`` (the demo, back-entered
    records); None (now) when no day was given."""
    if on is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0)))


def _set_state(assignment, state, user, event, label, note="", at=None, **params):
    before = audit.snapshot(assignment)
    assignment.state = state
    assignment.save()
    _change(assignment, before, user, note)
    events.emit(assignment, event, label, actor=user, at=at, **params)


def _todo_office(title, assignment, kind, due=None):
    unit = office_unit()
    if unit is not None:
        notify.add_todo(title, unit=unit, link=link(assignment), due=due, kind=kind, obj=assignment)


def _todo_lead(title, assignment, kind, due=None):
    notify.add_todo(
        title, unit=assignment.lead_unit, link=link(assignment), due=due, kind=kind, obj=assignment
    )


def official_date(day) -> str:
    """A date as 公文 write it: 2026年12月3日 (no leading zeros)."""
    return _("{y}年{m}月{d}日").format(y=day.year, m=day.month, d=day.day) if day else ""


def _text(value, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


# ---------------------------------------------------------------- create and 交办
def create_assignment(data: dict, user=None, co_units=None, on=None):
    """A new item in 待交办. ``data`` holds model fields; ``co_units`` is [(unit, duty)].
    With a plan task, its title, lead unit and co-units (with their duty text) are taken
    from the task's responsibilities unless given."""
    require_office(user) if user is not None else None
    data = dict(data)
    task = data.get("task")
    co_units = list(co_units or [])
    if task is not None:
        if Assignment.objects.filter(task=task).exists():
            raise ValidationError({"task": _("该任务已经交办，不能重复交办")})
        data["plan"] = data.get("plan") or task.plan
        data["title"] = data.get("title") or task.title
        data["lead_unit"] = data.get("lead_unit") or task.lead_unit
        if not co_units:
            for resp in task.responsibilities.filter(role="co").exclude(unit=None):
                co_units.append((resp.unit, resp.duty))
        if not data.get("lead_unit"):
            lead = task.responsibilities.filter(role="lead").exclude(unit=None).first()
            data["lead_unit"] = lead.unit if lead else None
        data["deadline"] = data.get("deadline") or task.deadline
    if not data.get("title"):
        raise ValidationError({"title": _("请填写督办事项")})
    if not data.get("lead_unit"):
        raise ValidationError({"lead_unit": _("请指定牵头单位")})
    if not data.get("deadline"):
        raise ValidationError({"deadline": _("请填写完成时限")})
    day = data.get("report_day") or rule("tracking.default_report_day")
    if not 1 <= int(day) <= 28:
        raise ValidationError({"report_day": _("报送日应在1至28日之间")})
    data["report_day"] = int(day)
    data.setdefault("original_deadline", data["deadline"])
    with transaction.atomic():
        obj = Assignment(**data)
        obj.full_clean()
        obj.save()
        seen = set()
        for unit, duty in co_units:
            if unit.pk == obj.lead_unit_id or unit.pk in seen:
                continue
            seen.add(unit.pk)
            AssignmentCoUnit.objects.create(assignment=obj, unit=unit, duty=duty or "")
        audit.record(obj, ChangeAction.CREATE, after=audit.snapshot(obj), actor=user)
        events.emit(obj, "created", _("登记督办事项"), actor=user, at=_at(on))
    return obj


@dataclass
class HandOut:
    """What one 交办 from a plan did: items handed out, tasks already handed out (not
    duplicated) and tasks that could not be handed out, each with the reason."""

    assigned: list = field(default_factory=list)  # Assignment
    already: list = field(default_factory=list)  # (task, Assignment)
    blocked: list = field(default_factory=list)  # (task, reason)


def tasks_in_sections(plan, section_ids) -> set[int]:
    """The ids of the plan's tasks in the given sections and their sub-sections."""
    from qcity.plans.models import Section

    parent_of = dict(Section.objects.filter(plan=plan).values_list("pk", "parent_id"))
    chosen = {int(s) for s in section_ids}
    inside = set()
    for pk in parent_of:
        node = pk
        while node is not None:
            if node in chosen:
                inside.add(pk)
                break
            node = parent_of.get(node)
    return set(plan.tasks.filter(is_void=False, section_id__in=inside).values_list("pk", flat=True))


def hand_out_tasks(
    plan,
    tasks,
    user,
    *,
    cycle,
    deadline=None,
    deadline_for_all=False,
    report_day=None,
    on=None,
) -> HandOut:
    """交办 the chosen tasks of a plan in one action: each goes to its lead unit with its
    co-units (and their duty text) from the task's responsibilities. The deadline is the
    task's own unless ``deadline_for_all``; ``deadline`` is used for tasks without one. A
    task without a lead unit or a deadline, or whose deadline has passed, blocks only itself;
    a task already handed out is reported, not duplicated; a 待交办 item of the task is
    handed out as it is."""
    require_office(user)
    stamp, on = on, on or today()  # back-entered only when a day was given: else the real time
    if plan.role != "ours":
        raise ValidationError(_("上级参照的规划只对标目标，不交办任务"))
    if cycle not in ReportCycle.values:
        raise ValidationError({"cycle": _("请选择报送周期")})
    if deadline_for_all and deadline is None:
        raise ValidationError({"deadline": _("请填写统一的完成时限")})
    result = HandOut()
    tasks = (
        plan.tasks.filter(pk__in=[t.pk for t in tasks], is_void=False)
        .select_related("lead_unit", "section")
        .prefetch_related("responsibilities__unit")
        .order_by("order", "pk")
    )
    with transaction.atomic():  # one action; a task that fails rolls back only itself
        _hand_out(tasks, result, user, cycle, deadline, deadline_for_all, report_day, on, stamp)
    return result


def _hand_out(tasks, result, user, cycle, deadline, deadline_for_all, report_day, on, stamp):
    existing = {a.task_id: a for a in Assignment.objects.filter(task__in=tasks)}
    for task in tasks:
        current = existing.get(task.pk)
        if current is not None and (current.state != S.DRAFT or current.is_void):
            result.already.append((task, current))
            continue
        lead = task.lead_unit or next(
            (r.unit for r in task.responsibilities.all() if r.role == "lead" and r.unit_id),
            None,
        )
        due = deadline if (deadline_for_all or not task.deadline) else task.deadline
        if lead is None:
            result.blocked.append((task, _("未确定牵头单位，请先在任务中指定牵头单位")))
            continue
        if due is None:
            result.blocked.append((task, _("任务没有完成时限，请填写完成时限")))
            continue
        if due < on:
            result.blocked.append(
                (task, _("完成时限{d}已过，请另定完成时限").format(d=official_date(due)))
            )
            continue
        try:
            with transaction.atomic():
                if current is None:
                    current = create_assignment(
                        {
                            "task": task,
                            "lead_unit": lead,
                            "source": task.source or TaskSource.PLAN,
                            "deadline": due,
                            "cycle": cycle,
                            "report_day": report_day,
                        },
                        user,
                        on=stamp,
                    )
                else:  # a 待交办 draft goes out with what the office chose on this page
                    current = _redate_draft(current, due, cycle, report_day, user)
                result.assigned.append(assign(current, user, on=stamp))
        except ValidationError as exc:
            result.blocked.append((task, "；".join(exc.messages)))


def _redate_draft(draft, due, cycle, report_day, user):
    before = audit.snapshot(draft)
    draft.deadline = draft.original_deadline = due
    draft.cycle = cycle
    draft.report_day = report_day or draft.report_day
    draft.save(update_fields=["deadline", "original_deadline", "cycle", "report_day"])
    audit.record(
        draft,
        ChangeAction.UPDATE,
        before=before,
        after=audit.snapshot(draft),
        actor=user,
        note=_("按规划交办时选定的时限和报送周期"),
    )
    return draft


def update_assignment(obj, data: dict, user=None, expected_version=None):
    """The generic edit form changes only descriptive fields; dates and units go through
    their own actions (extension, reassignment)."""
    from qcity.core.services import update_object

    return update_object(obj, data, user, expected_version)


def void_assignment(assignment, reason, user=None):
    """Only the office voids an item registered in error; units use 退回."""
    from qcity.core.services import void_object

    require_office(user)
    with transaction.atomic():
        obj = void_object(assignment, reason, user)
        notify.close_todos(obj)
        events.emit(obj, "voided", _("作废：{r}").format(r=reason), actor=user)
    return obj


def assign(assignment, user, on=None):
    require_office(user)
    at, on = _at(on), on or today()
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state not in (S.DRAFT, S.RETURNED):
            raise ValidationError(_("只有待交办或被退回的事项可以交办"))
        assignment.assigned_on = on
        assignment.state_reason = ""
        _set_state(assignment, S.ASSIGNED, user, "assigned", _("质量办交办"), at=at)
        notify.close_todos(assignment, "returned")
        _todo_lead(_("请签收督办事项：{title}").format(title=assignment.title), assignment, "sign")
    return assignment


def reassign(assignment, user, lead_unit, on=None):
    """After a unit returned the item as not its own: name another lead unit and 交办 again."""
    require_office(user)
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state != S.RETURNED:
            raise ValidationError(_("只有被退回的事项可以改派"))
        before = audit.snapshot(assignment)
        old = assignment.lead_unit
        assignment.lead_unit = lead_unit
        AssignmentCoUnit.objects.filter(assignment=assignment, unit=lead_unit).delete()
        assignment.save()
        _change(assignment, before, user)
        events.emit(
            assignment,
            "reassigned",
            _("改派牵头单位：{old} → {new}").format(old=old, new=lead_unit),
            actor=user,
        )
    return assign(assignment, user, on)


def sign(assignment, user, on=None):
    require_lead(assignment, user)
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state != S.ASSIGNED:
            raise ValidationError(_("只有已交办、待签收的事项可以签收"))
        assignment.signed_on = on or today()
        _set_state(assignment, S.SIGNED, user, "signed", _("牵头单位签收"), at=_at(on))
        notify.close_todos(assignment, "sign")
        refresh_light(assignment, on)
    return assignment


def return_assignment(assignment, user, reason, on=None):
    require_lead(assignment, user)
    reason = _text(reason, _("退回必须说明理由（例如不属于本单位职责）"))
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state != S.ASSIGNED:
            raise ValidationError(_("只有已交办、待签收的事项可以退回"))
        assignment.state_reason = reason[:500]
        _set_state(
            assignment,
            S.RETURNED,
            user,
            "returned",
            _("牵头单位退回：{r}").format(r=reason),
            at=_at(on),
        )
        notify.close_todos(assignment, "sign")
        _todo_office(
            _("事项被退回，请改派：{title}").format(title=assignment.title), assignment, "returned"
        )
    return assignment


# ---------------------------------------------------------------- suspension
def suspend(assignment, user, reason, on=None):
    require_office(user)
    reason = _text(reason, _("挂起必须说明原因"))
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state not in ACTIVE_STATES:
            raise ValidationError(_("只有办理中的事项可以挂起"))
        assignment.state_before_suspension = assignment.state
        assignment.state_reason = reason[:500]
        _set_state(
            assignment,
            S.SUSPENDED,
            user,
            "suspended",
            _("挂起：{r}").format(r=reason),
            at=_at(on),
        )
        refresh_light(assignment)
    return assignment


def resume(assignment, user):
    require_office(user)
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state != S.SUSPENDED:
            raise ValidationError(_("只有挂起的事项可以恢复"))
        state = assignment.state_before_suspension or S.IN_PROGRESS
        assignment.state_before_suspension = ""
        assignment.state_reason = ""
        _set_state(assignment, state, user, "resumed", _("恢复办理"))
        refresh_light(assignment)
    return assignment


def terminate(assignment, user, reason):
    require_office(user)
    reason = _text(reason, _("中止必须说明原因"))
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state in (S.CLOSED, S.CLOSED_LATE, S.TERMINATED):
            raise ValidationError(_("已销号或已中止的事项不能中止"))
        assignment.state_reason = reason[:500]
        _set_state(assignment, S.TERMINATED, user, "terminated", _("中止：{r}").format(r=reason))
        notify.close_todos(assignment)
        refresh_light(assignment)
    return assignment


# ---------------------------------------------------------------- reports
def report_period(assignment, on=None) -> periods.Period:
    """The period a unit reports on now: the earliest one since 交办 that has ended without a
    submitted report, else the current one."""
    on = on or today()
    start = assignment.assigned_on or on
    done = set(
        assignment.reports.exclude(
            status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]
        ).values_list("period_start", flat=True)
    )
    for period in periods.periods_between(start, on, assignment.cycle, assignment.report_day):
        if period.end < on and period.start not in done:
            return period
    return periods.period_containing(on, assignment.cycle, assignment.report_day)


def open_report(assignment, user, on=None):
    """The report of the period due now (created as a draft when missing)."""
    require_lead(assignment, user)
    assignment = Assignment.objects.get(pk=assignment.pk)
    if assignment.state not in (S.SIGNED, S.IN_PROGRESS, S.CLOSE_REQUESTED):
        raise ValidationError(_("事项签收后才能填报进展"))
    period = report_period(assignment, on)
    with transaction.atomic():
        report, created = ProgressReport.objects.get_or_create(
            assignment=assignment,
            period_start=period.start,
            defaults={
                "period_end": period.end,
                "due_date": period.due,
                "percent": assignment.percent,
            },
        )
        if created:
            audit.record(report, ChangeAction.CREATE, after=audit.snapshot(report), actor=user)
    return report


REPORT_FIELDS = ("done", "next_steps", "problems", "support_needed", "percent")


def save_report(report, data: dict, user, expected_version):
    """Save the lead unit's draft. ``expected_version`` is the version the form was opened
    with: when someone saved in between, nothing is written and the user is told."""
    require_lead(report.assignment, user)
    with transaction.atomic():
        current = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and int(expected_version) != current.version:
            raise ConflictError(
                _("该报告已被他人修改（当前为第{v}版），您的修改未保存，请刷新后再编辑。").format(
                    v=current.version
                )
            )
        if current.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("报告已报送，不能再修改"))
        try:
            percent = int(data.get("percent", current.percent))
        except (TypeError, ValueError):
            raise ValidationError({"percent": _("完成进度必须是0到100之间的整数")})
        if not 0 <= percent <= 100:
            raise ValidationError({"percent": _("完成进度必须是0到100之间的整数")})
        before = audit.snapshot(current)
        for name in REPORT_FIELDS[:-1]:
            if name in data:
                setattr(current, name, (data[name] or "").strip())
        current.percent = percent
        if "indicator_values" in data:
            current.indicator_values = _check_values(data["indicator_values"])
        current.version += 1
        current.save()
        _change(current, before, user)
    return current


def add_co_input(report, user, text, unit=None, files=None):
    """A co-unit's input on the lead unit's report for the period (one per unit, editable
    until the lead submits), with its evidence files."""
    text = _text(text, _("请填写配合单位意见"))
    files = list(files or [])
    for f in files:
        check_file(f)
    units = co_unit_ids(report.assignment) & (user.unit_ids() if user else set())
    if unit is not None:
        units &= {unit.pk}
    if not units:
        raise PermissionDenied(_("只有该事项的配合单位可以提交配合意见"))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("牵头单位已报送该期报告，不能再补充配合意见"))
    unit_id = sorted(units)[0]
    with transaction.atomic():
        obj, created = CoUnitInput.objects.update_or_create(
            report=report, unit_id=unit_id, defaults={"text": text, "author": user}
        )
        audit.record(
            obj.report,
            ChangeAction.UPDATE,
            after={"co_input_unit": unit_id, "text": text},
            actor=user,
            note="co-unit input",
        )
        events.emit(
            report.assignment,
            "co_input",
            _("配合单位提交意见：{unit}").format(unit=obj.unit),
            actor=user,
            report=report.pk,
        )
        for f in files:
            _store(obj, f, user)
    return obj


def submit_report(report, user, expected_version=None, on=None):
    """The lead unit submits the merged report; values it carries are stored as
    observations; the office gets a 审核 to-do."""
    require_lead(report.assignment, user)
    stamp = (
        timezone.now()
        if on is None
        else timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0)))
    )
    on = on or today()
    with transaction.atomic():
        current = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and int(expected_version) != current.version:
            raise ConflictError(_("该报告已被他人修改，请刷新后再报送。"))
        if current.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("该报告已报送，不能重复报送"))
        if not current.done.strip():
            raise ValidationError({"done": _("请填写本期完成情况后再报送")})
        before = audit.snapshot(current)
        current.late = current.late or on > current.due_date
        current.status = ReportStatus.SUBMITTED
        current.submitted_at = stamp
        current.submitted_by = user
        current.version += 1
        current.save()
        _change(current, before, user)
        _record_observations(current, user)
        assignment = _lock(current.assignment)
        if assignment.state == S.SIGNED:
            _set_state(assignment, S.IN_PROGRESS, user, "started", _("开始办理"), at=stamp)
        label = _("报送{start}至{end}进展报告（完成{p}%）").format(
            start=current.period_start, end=current.period_end, p=current.percent
        )
        if current.late:
            label += _("，迟报")
        events.emit(assignment, "report_submitted", label, actor=user, at=stamp, report=current.pk)
        notify.close_todos(assignment, "report")
        notify.close_todos(assignment, "report_returned")
        _todo_office(
            _("审核进展报告：{title}").format(title=assignment.title), assignment, "review"
        )
    return current


PERIOD_KINDS = {"monthly": "month", "quarterly": "quarter", "half_yearly": "half"}


def owed_links(assignment):
    """The confirmed target links whose answerable units include the lead unit, for the
    targets of this assignment's task: the values its report carries (entered once)."""
    if assignment.task_id is None:
        return []
    try:
        from qcity.indicators.models import TargetLink
    except ImportError:  # the indicators app is not installed
        return []
    return list(
        TargetLink.objects.filter(
            target__task_id=assignment.task_id,
            units=assignment.lead_unit,
            indicator__isnull=False,
            target__is_void=False,
        )
        .select_related("indicator", "target")
        .order_by("target__order")
    )


def _check_values(entries):
    from qcity.indicators.models import Indicator
    from qcity.indicators.services import parse_value, validate_figures

    clean = []
    for entry in entries:
        raw = entry.get("value")
        if raw in (None, ""):
            continue
        indicator = Indicator.objects.get(pk=entry["indicator"])
        try:
            validate_figures(indicator, parse_value(raw, indicator), None, None)
        except ValidationError as exc:
            raise ValidationError(
                _("指标“{name}”：{why}").format(name=indicator.name, why="；".join(exc.messages))
            )
        clean.append({**entry, "value": str(raw).strip()})
    return clean


def _record_observations(report, user):
    """Store the indicator values the report carries through the indicators app."""
    if not report.indicator_values:
        return
    from qcity.indicators import services as indicator_services
    from qcity.indicators.models import Indicator

    for entry in report.indicator_values:
        if entry.get("value") in (None, ""):
            continue
        indicator = Indicator.objects.get(pk=entry["indicator"])
        indicator_services.record_observation(
            indicator=indicator,
            region=report.assignment.lead_unit.region,
            period_start=report.period_start,
            period_end=report.period_end,
            period_kind=PERIOD_KINDS[report.assignment.cycle],
            value=entry["value"],
            numerator=entry.get("numerator"),
            denominator=entry.get("denominator"),
            unit=report.assignment.lead_unit,
            user=user,
            source="reported",
            params=entry.get("params"),
        )


def accept_report(report, user, comment="", on=None):
    require_office(user)
    with transaction.atomic():
        current = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if current.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("只有已报送的报告可以审核"))
        before = audit.snapshot(current)
        current.status = ReportStatus.ACCEPTED
        current.review_comment = (comment or "").strip()
        current.reviewed_at = timezone.now()
        current.save()
        _change(current, before, user)
        assignment = _lock(current.assignment)
        before = audit.snapshot(assignment)
        assignment.percent = current.percent
        assignment.save()
        _change(assignment, before, user)
        events.emit(
            assignment,
            "report_accepted",
            _("质量办审核通过{start}进展报告").format(start=current.period_start),
            actor=user,
            at=_at(on),
            report=current.pk,
        )
        notify.close_todos(assignment, "review")
        refresh_light(assignment, on)
    return current


def return_report(report, user, comment, on=None):
    require_office(user)
    comment = _text(comment, _("退回报告必须填写审核意见"))
    with transaction.atomic():
        current = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if current.status != ReportStatus.SUBMITTED:
            raise ValidationError(_("只有已报送的报告可以退回"))
        before = audit.snapshot(current)
        current.status = ReportStatus.RETURNED
        current.review_comment = comment
        current.reviewed_at = timezone.now()
        current.version += 1
        current.save()
        _change(current, before, user)
        events.emit(
            current.assignment,
            "report_returned",
            _("质量办退回{start}进展报告：{c}").format(start=current.period_start, c=comment),
            actor=user,
            at=_at(on),
            report=current.pk,
        )
        notify.close_todos(current.assignment, "review")
        _todo_lead(
            _("进展报告被退回，请修改后重报：{title}").format(title=current.assignment.title),
            current.assignment,
            "report_returned",
        )
    return current


# ---------------------------------------------------------------- 销号
def evidence_count(assignment) -> int:
    """Evidence files of an item: those attached to it (with a 销号 request) and to its
    progress reports and the co-units' inputs on them."""
    reports = list(assignment.reports.values_list("pk", flat=True))
    inputs = list(CoUnitInput.objects.filter(report_id__in=reports).values_list("pk", flat=True))
    return sum(
        attachments_of_many(model, ids).count()
        for model, ids in (
            (Assignment, [assignment.pk]),
            (ProgressReport, reports),
            (CoUnitInput, inputs),
        )
        if ids
    )


def request_close(assignment, user, evidence, files=None, on=None):
    """申请销号: the completion note and at least one evidence file (uploaded now, or already
    attached to the item or its reports)."""
    require_lead(assignment, user)
    evidence = _text(evidence, _("申请销号必须说明完成情况并提供佐证"))
    files = list(files or [])
    for f in files:
        check_file(f)
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state not in (S.SIGNED, S.IN_PROGRESS):
            raise ValidationError(_("只有办理中的事项可以申请销号"))
        if not files and not evidence_count(assignment):
            raise ValidationError(
                {"files": _("申请销号须上传至少一份佐证材料（如工作总结、验收文件、照片）")}
            )
        for f in files:
            _store(assignment, f, user, at=_at(on))
        assignment.close_evidence = evidence
        _set_state(
            assignment,
            S.CLOSE_REQUESTED,
            user,
            "close_requested",
            _("申请销号（佐证材料{n}份）").format(n=evidence_count(assignment)),
            at=_at(on),
        )
        _todo_office(
            _("核验销号申请：{title}").format(title=assignment.title), assignment, "verify"
        )
    return assignment


def verify_close(assignment, user, on=None):
    """Close the item: on time when closed by the deadline in force (the original one unless
    an extension was granted), else 逾期销号."""
    require_office(user)
    at, on = _at(on), on or today()
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state != S.CLOSE_REQUESTED:
            raise ValidationError(_("只有申请销号的事项可以核验销号"))
        late = on > assignment.deadline
        assignment.closed_on = on
        assignment.percent = 100
        state, label = (
            (S.CLOSED_LATE, _("核验通过，逾期销号（时限{d}）").format(d=assignment.deadline))
            if late
            else (S.CLOSED, _("核验通过，按期销号"))
        )
        _set_state(assignment, state, user, "closed", label, at=at, late=late)
        notify.close_todos(assignment)
        refresh_light(assignment, on)
    return assignment


def rework(assignment, user, comment):
    require_office(user)
    comment = _text(comment, _("退回整改必须说明原因"))
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state != S.CLOSE_REQUESTED:
            raise ValidationError(_("只有申请销号的事项可以退回整改"))
        assignment.state_reason = comment[:500]
        _set_state(
            assignment,
            S.IN_PROGRESS,
            user,
            "rework",
            _("销号未通过，退回整改：{c}").format(c=comment),
        )
        notify.close_todos(assignment, "verify")
        _todo_lead(
            _("销号未通过，请继续整改：{title}").format(title=assignment.title),
            assignment,
            "rework",
        )
    return assignment


# ---------------------------------------------------------------- extensions
def request_extension(assignment, user, reason, new_deadline, progress_note="", on=None):
    require_lead(assignment, user)
    at, on = _at(on), on or today()
    reason = _text(reason, _("延期申请必须说明理由"))
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.state not in ACTIVE_STATES:
            raise ValidationError(_("只有办理中的事项可以申请延期"))
        if on > assignment.deadline:
            raise ValidationError(
                _("已超过完成时限（{d}），不能再申请延期，将按原时限考核").format(
                    d=assignment.deadline
                )
            )
        if new_deadline is None or new_deadline <= assignment.deadline:
            raise ValidationError({"new_deadline": _("申请的新时限必须晚于现有完成时限")})
        if assignment.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError(_("已有待审批的延期申请"))
        ext = ExtensionRequest.objects.create(
            assignment=assignment,
            reason=reason,
            progress_note=(progress_note or "").strip(),
            current_deadline=assignment.deadline,
            new_deadline=new_deadline,
            requested_by=user,
        )
        audit.record(ext, ChangeAction.CREATE, after=audit.snapshot(ext), actor=user)
        events.emit(
            assignment,
            "extension_requested",
            _("申请延期至{d}：{r}").format(d=new_deadline, r=reason),
            actor=user,
            at=at,
        )
        _todo_office(
            _("审批延期申请：{title}").format(title=assignment.title), assignment, "extension"
        )
    return ext


def decide_extension(ext, user, grant: bool, comment="", on=None):
    require_office(user)
    comment = (comment or "").strip()
    if not grant and not comment:
        raise ValidationError(_("不批准延期必须说明理由"))
    with transaction.atomic():
        ext = ExtensionRequest.objects.select_for_update().get(pk=ext.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise ValidationError(_("该延期申请已审批"))
        before = audit.snapshot(ext)
        ext.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
        ext.decided_by, ext.decided_at, ext.decision_comment = user, timezone.now(), comment
        ext.save()
        _change(ext, before, user)
        assignment = _lock(ext.assignment)
        if grant:
            before = audit.snapshot(assignment)
            assignment.deadline = ext.new_deadline
            assignment.save()
            _change(assignment, before, user, note=_("批准延期"))
            label = _("批准延期至{d}").format(d=ext.new_deadline)
        else:
            label = _("不批准延期：{c}").format(c=comment)
        events.emit(assignment, "extension_decided", label, actor=user, at=_at(on), granted=grant)
        notify.close_todos(assignment, "extension")
        refresh_light(assignment)
    return ext


# ---------------------------------------------------------------- follow-ups
def next_supervise_number(year: int) -> tuple[int, str]:
    last = FollowUp.objects.filter(kind=FollowUpKind.SUPERVISE, year=year).aggregate(
        m=Max("sequence")
    )["m"]
    sequence = (last or 0) + 1
    prefix = rule("tracking.supervise_number_prefix")
    return sequence, f"{prefix}〔{year}〕{sequence}号"


def _is_overdue(assignment, subject, due_date, period_start, on) -> bool:
    """Whether what the notice is about is really overdue on ``on``: the deadline passed with
    the item still open, or the period's report not submitted by its due date."""
    if on <= due_date:
        return False
    if subject == FollowUpSubject.REPORT:
        return not assignment.reports.filter(
            period_start=period_start,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
        ).exists()
    return assignment.state in ACTIVE_STATES or assignment.state == S.SUSPENDED


def _last_urge(assignment, subject, due_date, period_start):
    return (
        assignment.followups.filter(
            kind=FollowUpKind.URGE,
            subject=subject,
            due_date=due_date,
            period_start=period_start,
        )
        .order_by("-issued_on")
        .first()
    )


def compose_notice(
    assignment, kind, subject, due_date, *, period_start=None, on=None, answer_deadline=None
) -> str:
    """The text of a 提醒 / 催办 / 督办 from the record's real state: it says 已逾期 only when
    the item is overdue, 经催办 only when a 催办 was issued for it, and dates in 公文 style."""
    on = on or today()
    what = (
        _("{start}起的进展报告（报送期限{due}）").format(
            start=official_date(period_start), due=official_date(due_date)
        )
        if subject == FollowUpSubject.REPORT
        else _("完成时限{due}").format(due=official_date(due_date))
    )
    title = assignment.title
    overdue = _is_overdue(assignment, subject, due_date, period_start, on)
    late = _("已逾期{n}天").format(n=(on - due_date).days) if overdue else ""
    if kind == FollowUpKind.REMINDER:
        return _("提醒：“{t}”{w}即将到期，请按时办理。").format(t=title, w=what)
    if kind == FollowUpKind.URGE:
        if overdue:
            return _("催办：“{t}”{w}，{late}，请尽快办理。").format(t=title, w=what, late=late)
        return _("催办：“{t}”{w}，请抓紧办理。").format(t=title, w=what)
    answer = deadline_text(answer_deadline, explain=False)
    urge = _last_urge(assignment, subject, due_date, period_start)
    if overdue and urge is not None:
        return _(
            "督办：“{t}”{w}，{late}，经{u}催办仍未办理，现予督办，请于{a}前书面答复办理情况。"
        ).format(t=title, w=what, late=late, u=official_date(urge.issued_on), a=answer)
    if overdue:
        return _("督办：“{t}”{w}，{late}，现予督办，请于{a}前书面答复办理情况。").format(
            t=title, w=what, late=late, a=answer
        )
    if on <= due_date:
        return _(
            "督办：“{t}”{w}，尚未到期，目前完成进度{p}%，现予督办，请于{a}前书面答复办理情况。"
        ).format(t=title, w=what, p=assignment.percent, a=answer)
    # past the date but not overdue (the report came in, the item was closed): say so
    done = (
        _("该期进展报告已报送")
        if subject == FollowUpSubject.REPORT
        else _("事项当前状态为{s}").format(s=assignment.get_state_display())
    )
    return _(
        "督办：“{t}”{w}，{done}，目前完成进度{p}%，现予督办，请于{a}前书面答复办理情况。"
    ).format(t=title, w=what, done=done, p=assignment.percent, a=answer)


def deadline_text(day, explain=True) -> str:
    """A working-day deadline in 公文 style, marked （估算） as the pages mark it (the
    ``{% deadline %}`` tag) when its year has no holiday arrangements yet (core.workdays)."""
    if not day:
        return ""
    if workdays.is_estimated(day):
        if not explain:
            return _("{d}（估算）").format(d=official_date(day))
        return _("{d}（估算：{y}年节假日安排尚未录入，按周一至周五计算）").format(
            d=official_date(day), y=day.year
        )
    return official_date(day)


def supervise_answer_deadline(on):
    day, _estimated = workdays.deadline(
        on, rule("tracking.supervise_answer_days"), ValueKind.WORKING_DAYS
    )
    return day


def draft_supervise_notice(assignment, on=None) -> str:
    """The 督办通知单 text the office starts from when it issues one by hand (deadline)."""
    on = on or today()
    return compose_notice(
        assignment,
        FollowUpKind.SUPERVISE,
        FollowUpSubject.DEADLINE,
        assignment.deadline,
        on=on,
        answer_deadline=supervise_answer_deadline(on),
    )


def issue_followup(
    assignment,
    kind,
    subject,
    due_date,
    *,
    period_start=None,
    on=None,
    user=None,
    note="",
    reason="",
    message=None,
    draft=False,
):
    """Issue a 提醒, 催办 or 督办. The text is composed from the record's state unless the
    office wrote it (``message``); ``reason`` is the 督办事由 the office gives. With ``draft``
    (the overdue scan) a 督办通知单 is only drafted: no number, nothing sent to the unit, a
    to-do for the office to review, edit and issue it (``issue_notice``) or withdraw it."""
    at, on = _at(on), on or today()
    draft = draft and kind == FollowUpKind.SUPERVISE
    if user is not None:
        require_office(user)
    if message is not None:
        message = _text(message, _("请填写通知内容"))
    with transaction.atomic():
        followup = FollowUp(
            assignment=assignment,
            kind=kind,
            subject=subject,
            period_start=period_start,
            due_date=due_date,
            issued_on=on,
            issued_by=user,
            reason=(reason or "").strip(),
        )
        what = (
            _("{start}起的进展报告（报送期限{due}）").format(
                start=official_date(period_start), due=official_date(due_date)
            )
            if subject == FollowUpSubject.REPORT
            else _("完成时限{due}").format(due=official_date(due_date))
        )
        if draft:
            followup.status = NoticeStatus.DRAFT
        elif kind == FollowUpKind.SUPERVISE:
            followup.year = on.year
            followup.sequence, followup.number = next_supervise_number(on.year)
            followup.answer_deadline = supervise_answer_deadline(on)
        followup.message = message or compose_notice(
            assignment,
            kind,
            subject,
            due_date,
            period_start=period_start,
            on=on,
            answer_deadline=followup.answer_deadline or supervise_answer_deadline(on),
        )
        if note:
            followup.message += note
        followup.full_clean()
        followup.save()
        audit.record(followup, ChangeAction.CREATE, after=audit.snapshot(followup), actor=user)
        if draft:
            events.emit(  # on the notice: the unit's timeline shows only what was issued
                followup,
                "supervise_drafted",
                _("系统生成督办通知单草稿（待质量办审核签发）：{w}").format(w=what),
                actor=user,
                at=at,
                followup=followup.pk,
            )
            _todo_office(
                _("审核签发督办通知单草稿：{t}").format(t=assignment.title),
                assignment,
                "supervise_draft",
            )
            return followup
        events.emit(
            assignment,
            f"followup_{kind}",
            f"{followup.get_kind_display()}{(' ' + followup.number) if followup.number else ''}：{what}",
            actor=user,
            at=at,
            followup=followup.pk,
        )
        if kind == FollowUpKind.SUPERVISE:
            _todo_lead(
                _("答复督办通知单{n}").format(n=followup.number),
                assignment,
                "supervise",
                due=followup.answer_deadline,
            )
        else:
            _todo_lead(followup.message[:200], assignment, f"followup_{subject}", due=due_date)
    return followup


def redraft_notice(followup, on=None) -> str:
    """A draft 督办通知单's text composed afresh from the record's state on ``on`` (the day
    the office reviews it): lateness, the 催办 and the answer deadline as of that day."""
    on = on or today()
    return compose_notice(
        followup.assignment,
        followup.kind,
        followup.subject,
        followup.due_date,
        period_start=followup.period_start,
        on=on,
        answer_deadline=supervise_answer_deadline(on),
    )


def issue_notice(followup, user, reason, message, on=None):
    """The office issues a 督办通知单 the scan drafted, with the 事由 and text it reviewed:
    it gets its number, its issue date and answer deadline, and goes to the lead unit."""
    require_office(user)
    message = _text(message, _("请填写通知内容"))
    on = on or today()
    with transaction.atomic():
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if followup.status != NoticeStatus.DRAFT:
            raise ValidationError(_("该督办通知单不是待签发的草稿"))
        assignment = followup.assignment
        if assignment.state not in ACTIVE_STATES or assignment.is_void:
            raise ValidationError(
                _("事项当前状态为{s}，不能再发督办通知单，请撤销草稿").format(
                    s=assignment.get_state_display()
                )
            )
        before = audit.snapshot(followup)
        followup.status = NoticeStatus.ISSUED
        followup.reason, followup.message = (reason or "").strip(), message
        followup.issued_on, followup.issued_by = on, user
        followup.year = on.year
        followup.sequence, followup.number = next_supervise_number(on.year)
        followup.answer_deadline = supervise_answer_deadline(on)
        followup.save()
        _change(followup, before, user, note=_("审核签发督办通知单"))
        events.emit(
            assignment,
            "followup_supervise",
            _("签发督办通知单{n}（系统草稿经质量办审核）").format(n=followup.number),
            actor=user,
            followup=followup.pk,
        )
        notify.close_todos(assignment, "supervise_draft")
        _todo_lead(
            _("答复督办通知单{n}").format(n=followup.number),
            assignment,
            "supervise",
            due=followup.answer_deadline,
        )
    return followup


def withdraw_notice(followup, user, reason):
    """The office decides a drafted 督办通知单 is not to be issued (kept, with the reason, so
    the scan does not draft it again)."""
    require_office(user)
    reason = _text(reason, _("撤销草稿须说明理由"))
    with transaction.atomic():
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if followup.status != NoticeStatus.DRAFT:
            raise ValidationError(_("该督办通知单不是待签发的草稿"))
        before = audit.snapshot(followup)
        followup.status = NoticeStatus.WITHDRAWN
        followup.reason = reason[:2000]
        followup.save()
        _change(followup, before, user, note=_("撤销督办通知单草稿"))
        events.emit(
            followup,
            "supervise_withdrawn",
            _("撤销督办通知单草稿：{r}").format(r=reason),
            actor=user,
            followup=followup.pk,
        )
        notify.close_todos(followup.assignment, "supervise_draft")
    return followup


def edit_notice(followup, user, reason, message):
    """The office corrects the 督办事由 and text of a 督办通知单 (a draft, or an issued one
    until the unit has answered; the .docx is generated from them each time it is
    downloaded)."""
    require_office(user)
    message = _text(message, _("请填写通知内容"))
    with transaction.atomic():
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if followup.kind != FollowUpKind.SUPERVISE:
            raise ValidationError(_("只有督办通知单可以修改"))
        if followup.status == NoticeStatus.WITHDRAWN:
            raise ValidationError(_("该督办通知单草稿已撤销"))
        if followup.answered_at:
            raise ValidationError(_("牵头单位已答复，通知单不能再修改"))
        before = audit.snapshot(followup)
        followup.reason, followup.message = (reason or "").strip(), message
        followup.save()
        _change(followup, before, user, note=_("修改督办通知单"))
        events.emit(
            followup.assignment,
            "supervise_edited",
            _("修改督办通知单{n}").format(n=followup.number)
            if followup.number
            else _("修改督办通知单草稿"),
            actor=user,
        )
    return followup


def answer_followup(followup, user, text, on_behalf=False, basis=""):
    """The lead unit answers a 督办通知单. The office never answers as if it were the unit:
    it may enter a unit's answer (given on paper) only as an explicit 代为回复 with its basis,
    recorded as such (who, for which unit, when) on the timeline and in the notice."""
    assignment = followup.assignment
    own = is_lead(assignment, user)
    if not own:
        if not is_office(user):
            raise PermissionDenied(_("只有牵头单位可以答复督办通知单"))
        if not on_behalf:
            raise ValidationError(
                _("质量办不能以牵头单位名义答复；牵头单位已书面答复的，请选择“代为回复”并注明依据")
            )
        basis = _text(basis, _("代为回复须注明依据（如牵头单位书面答复的日期、文号）"))
    text = _text(text, _("请填写答复内容"))
    with transaction.atomic():
        followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
        if followup.kind != FollowUpKind.SUPERVISE:
            raise ValidationError(_("只有督办通知单需要答复"))
        if followup.status != NoticeStatus.ISSUED:
            raise ValidationError(_("督办通知单尚未签发，不需答复"))
        if followup.answered_at:
            raise ValidationError(_("该督办通知单已答复"))
        before = audit.snapshot(followup)
        followup.answer, followup.answered_at = text, timezone.now()
        followup.answered_by, followup.answered_for = user, assignment.lead_unit
        followup.answered_on_behalf = not own
        followup.answer_basis = "" if own else basis[:300]
        followup.save()
        label = (
            _("答复督办通知单{n}").format(n=followup.number)
            if own
            else _("质量办代{u}答复督办通知单{n}（依据：{b}）").format(
                u=assignment.lead_unit, n=followup.number, b=followup.answer_basis
            )
        )
        _change(followup, before, user, note=label)
        events.emit(
            followup.assignment,
            "supervise_answered",
            label,
            actor=user,
            on_behalf=not own,
            unit=assignment.lead_unit_id,
        )
        notify.close_todos(followup.assignment, "supervise")
    return followup


def _ladder(assignment, subject, due, on, period_start=None):
    """提醒 before ``due``, 催办 when overdue, 督办 when still undone after the urge."""
    existing = {
        f.kind: f
        for f in assignment.followups.all()
        if f.subject == subject and f.period_start == period_start and f.due_date == due
    }
    created = []
    remind_from = due - datetime.timedelta(days=rule("tracking.reminder_days_before_deadline"))
    urge_on, _e = workdays.deadline(due, rule("tracking.urge_after_days"), ValueKind.WORKING_DAYS)
    if on > due and urge_on <= on and FollowUpKind.URGE not in existing:
        urge = issue_followup(
            assignment, FollowUpKind.URGE, subject, due, period_start=period_start, on=on
        )
        existing[FollowUpKind.URGE] = urge
        created.append(urge)
    if FollowUpKind.URGE in existing and FollowUpKind.SUPERVISE not in existing:
        escalate_on, _e = workdays.deadline(
            existing[FollowUpKind.URGE].issued_on,
            rule("tracking.supervise_after_days"),
            ValueKind.WORKING_DAYS,
        )
        if on >= escalate_on:
            created.append(
                issue_followup(
                    assignment,
                    FollowUpKind.SUPERVISE,
                    subject,
                    due,
                    period_start=period_start,
                    on=on,
                    draft=True,  # a numbered 公文 goes out only after the office reviews it
                )
            )
    if remind_from <= on <= due and not existing:
        created.append(
            issue_followup(
                assignment, FollowUpKind.REMINDER, subject, due, period_start=period_start, on=on
            )
        )
    return created


def scan(on=None) -> dict:
    """The periodic escalation scan: reminders, urges and 督办 for reports and deadlines, the
    report to-dos of the period, and today's lights. Idempotent for a given day."""
    with audit.acting_as(audit.current_actor(), label="tracking.scan"):
        return _scan(on or today())


def _scan(on) -> dict:
    counts = {"reminder": 0, "urge": 0, "supervise": 0, "lights": 0}
    active = (
        Assignment.objects.filter(state__in=ACTIVE_STATES, is_void=False)
        .select_related("lead_unit")
        .prefetch_related("followups", "reports")
    )
    for assignment in active:
        with transaction.atomic():
            created = []
            if assignment.state != S.CLOSE_REQUESTED:
                created += _ladder(assignment, FollowUpSubject.DEADLINE, assignment.deadline, on)
            if assignment.state in (S.SIGNED, S.IN_PROGRESS) and assignment.assigned_on:
                reported = {
                    r.period_start
                    for r in assignment.reports.all()
                    if r.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
                }
                ended = [
                    p
                    for p in periods.periods_between(
                        assignment.assigned_on, on, assignment.cycle, assignment.report_day
                    )
                    if p.end < on
                ]
                # chase the latest ended period only: older misses count as 漏报 in the
                # assessment, and one notice per period would bury the unit
                if ended and ended[-1].start not in reported:
                    period = ended[-1]
                    created += _ladder(
                        assignment, FollowUpSubject.REPORT, period.due, on, period.start
                    )
            for f in created:
                counts[f.kind] += 1
            refresh_light(assignment, on)
            counts["lights"] += 1
    return counts


# ---------------------------------------------------------------- lights
def refresh_light(assignment, on=None):
    on = on or today()
    answer = periods.judge_light(
        state=assignment.state,
        start=assignment.assigned_on,
        deadline=assignment.deadline,
        percent=assignment.percent,
        on=on,
        yellow_points=rule("tracking.lag_yellow_points"),
        red_points=rule("tracking.lag_red_points"),
    )
    if (assignment.light, assignment.light_reason) != (answer.light, answer.explanation):
        Assignment.objects.filter(pk=assignment.pk).update(
            light=answer.light, light_reason=answer.explanation[:300]
        )
        assignment.light, assignment.light_reason = answer.light, answer.explanation[:300]
    if assignment.assigned_on:
        period = periods.period_containing(on, assignment.cycle, assignment.report_day)
        LightSnapshot.objects.update_or_create(
            assignment=assignment,
            period_start=period.start,
            defaults={
                "period_end": period.end,
                "light": answer.light,
                "expected_percent": answer.expected,
                "actual_percent": answer.actual,
                "explanation": answer.explanation[:300],
            },
        )
    return answer


# ---------------------------------------------------------------- documents
def supervise_notice_docx(followup) -> bytes:
    from qcity.core.documents import OfficialDocument

    if followup.kind != FollowUpKind.SUPERVISE:
        raise ValidationError(_("只有督办有通知单"))
    a = followup.assignment
    issuer = office_unit()
    draft = followup.status != NoticeStatus.ISSUED
    title = _("督办通知单（草稿，未签发）") if draft else _("督办通知单")
    doc = OfficialDocument(title, doc_number=followup.number)
    doc.paragraph(f"{a.lead_unit}：", indent=False)
    if followup.reason:
        doc.paragraph(_("督办事由：{r}").format(r=followup.reason))
    doc.paragraph(followup.message)
    answer_deadline = followup.answer_deadline or supervise_answer_deadline(today())
    doc.table(
        [_("项目"), _("内容")],
        [
            [_("督办事项"), a.title],
            [_("牵头单位"), str(a.lead_unit)],
            [_("配合单位"), "、".join(str(c.unit) for c in a.co_units.all()) or "—"],
            [_("牵头领导"), a.leader or "—"],
            [_("责任人"), a.responsible_person or "—"],
            [_("完成时限"), official_date(a.deadline)],
            [
                _("完成进度（截至{d}）").format(d=official_date(today())),
                f"{a.percent}%",
            ],
            [_("答复期限"), deadline_text(answer_deadline)],
        ],
    )
    if followup.answered_at:
        doc.heading(_("答复情况"))
        day = official_date(timezone.localdate(followup.answered_at))
        unit = followup.answered_for or a.lead_unit
        if followup.answered_on_behalf:
            doc.paragraph(
                _("{u}答复（质量办{p}于{d}代为录入，依据：{b}）：{t}").format(
                    u=unit,
                    p=followup.answered_by or "",
                    d=day,
                    b=followup.answer_basis,
                    t=followup.answer,
                )
            )
        else:
            doc.paragraph(_("{u}于{d}答复：{t}").format(u=unit, d=day, t=followup.answer))
    elif not draft:
        doc.paragraph(_("请在答复期限前通过平台提交书面答复，逾期未答复的将按规定通报。"))
    doc.signature(str(issuer or ""), "" if draft else official_date(followup.issued_on))
    return doc.to_bytes()


# ---------------------------------------------------------------- evidence files
EVIDENCE_SUFFIXES = (".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png", ".zip")


def check_file(uploaded):
    """Refuse a file before reading it: its declared size against QCITY_MAX_UPLOAD_MB, then
    its type (pdf, docx, xlsx, jpg, png, zip)."""
    uploads.validate(uploaded, uploads.EVIDENCE, field="files")  # the one upload path


def _store(obj, uploaded, user, at=None) -> Attachment:
    sha = uploads.sha256_of(uploaded)
    name = Path(uploaded.name).name
    att = Attachment(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        name=name[:255],
        sha256=sha,
        size=uploaded.size,
        uploaded_by=user if (user and user.is_authenticated) else None,
    )
    att.file.save(name, uploaded, save=False)
    att.save()
    assignment = obj if isinstance(obj, Assignment) else _assignment_of(obj)
    audit.record(
        obj,
        ChangeAction.UPDATE,
        after={"attachment": att.pk, "name": att.name, "sha256": att.sha256},
        actor=user,
        note=_("上传佐证材料"),
    )
    events.emit(
        assignment,
        "attachment",
        _("上传佐证材料：{name}").format(name=att.name),
        actor=user,
        at=at,
        attachment=att.pk,
    )
    return att


def _assignment_of(obj):
    if isinstance(obj, ProgressReport):
        return obj.assignment
    if isinstance(obj, CoUnitInput):
        return obj.report.assignment
    return obj


def attach_to_report(report, user, files) -> list[Attachment]:
    """The lead unit (or the office) attaches evidence to the period's report while it can
    still be edited."""
    require_lead(report.assignment, user)
    files = list(files or [])
    if not files:
        raise ValidationError({"files": _("请选择要上传的文件")})
    for f in files:
        check_file(f)
    with transaction.atomic():
        current = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if current.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            raise ValidationError(_("报告已报送，不能再上传附件"))
        return [_store(current, f, user) for f in files]


def attach_to_input(co_input, user, files) -> list[Attachment]:
    """A co-unit attaches evidence to its own input on the report."""
    files = list(files or [])
    if not files:
        raise ValidationError({"files": _("请选择要上传的文件")})
    if not (user and co_input.unit_id in user.unit_ids()):
        raise PermissionDenied(_("只有提交该意见的配合单位可以上传附件"))
    for f in files:
        check_file(f)
    if co_input.report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("牵头单位已报送该期报告，不能再上传附件"))
    with transaction.atomic():
        return [_store(co_input, f, user) for f in files]


def attachments_of_many(model, ids):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(i) for i in ids],
    ).select_related("uploaded_by")


def attachments_of(obj):
    return attachments_of_many(type(obj), [obj.pk]).order_by("created_at", "pk")


def attachment_owner(att):
    """The assignment an attachment belongs to (None when it is not a tracking file)."""
    model = att.content_type.model_class()
    if model is Assignment:
        return Assignment.objects.filter(pk=att.object_id).first()
    if model is ProgressReport:
        report = ProgressReport.objects.filter(pk=att.object_id).select_related("assignment")
        return report.first().assignment if report.exists() else None
    if model is CoUnitInput:
        inp = CoUnitInput.objects.filter(pk=att.object_id).select_related("report__assignment")
        return inp.first().report.assignment if inp.exists() else None
    return None


# ---------------------------------------------------------------- milestones
MILESTONE_OFFICE_STATES = (
    S.DRAFT,
    S.RETURNED,
    S.ASSIGNED,
    S.SIGNED,
    S.IN_PROGRESS,
    S.CLOSE_REQUESTED,
    S.SUSPENDED,
)
MILESTONE_LEAD_STATES = (S.ASSIGNED, S.SIGNED, S.IN_PROGRESS)


def may_edit_milestones(assignment, user) -> bool:
    if is_office(user):
        return assignment.state in MILESTONE_OFFICE_STATES
    return is_lead(assignment, user) and assignment.state in MILESTONE_LEAD_STATES


def set_milestones(assignment, user, rows):
    """Replace the item's milestones (节点安排). ``rows``: dicts with date (YYYY-MM-DD),
    title, standard (完成标准) and done; rows with neither date nor title are dropped (that
    is how a milestone is removed). The office edits them until 销号, the lead unit until it
    applies for 销号."""
    assignment = Assignment.objects.get(pk=assignment.pk)
    if not may_edit_milestones(assignment, user):
        raise PermissionDenied(_("只有质量办或牵头单位（申请销号前）可以修改节点安排"))
    clean, errors = [], []
    for n, row in enumerate(rows, start=1):
        raw_date = str(row.get("date") or "").strip()
        title = str(row.get("title") or "").strip()
        standard = str(row.get("standard") or "").strip()
        if not raw_date and not title and not standard:
            continue
        try:
            day = datetime.date.fromisoformat(raw_date)
        except ValueError:
            errors.append(_("第{n}个节点：日期格式应为YYYY-MM-DD").format(n=n))
            continue
        if not title:
            errors.append(_("第{n}个节点：请填写节点内容").format(n=n))
        if not standard:
            errors.append(_("第{n}个节点：请填写完成标准").format(n=n))
        if day > assignment.deadline:
            errors.append(
                _("第{n}个节点：日期{d}晚于完成时限{deadline}").format(
                    n=n, d=day, deadline=assignment.deadline
                )
            )
        clean.append(
            {
                "date": day.isoformat(),
                "title": title[:200],
                "standard": standard[:300],
                "done": bool(row.get("done")),
            }
        )
    if errors:
        raise ValidationError(errors)
    clean.sort(key=lambda m: m["date"])
    with transaction.atomic():
        current = _lock(assignment)
        before = audit.snapshot(current)
        current.milestones = clean
        current.save()
        _change(current, before, user, note=_("修改节点安排"))
        events.emit(
            current,
            "milestones",
            _("修改节点安排（共{n}个节点）").format(n=len(clean)),
            actor=user,
        )
    return current


def milestone_rows(assignment, on=None) -> list[dict]:
    """The milestones for display: each with ``overdue`` when its date has passed, it is not
    done and the item is still open."""
    on = on or today()
    open_item = assignment.state not in (S.CLOSED, S.CLOSED_LATE, S.TERMINATED)
    rows = []
    for m in assignment.milestones or []:
        try:
            day = datetime.date.fromisoformat(str(m.get("date")))
        except ValueError:
            day = None
        done = bool(m.get("done"))
        rows.append(
            {
                "date": day,
                "title": m.get("title", ""),
                "standard": m.get("standard", ""),
                "done": done,
                "overdue": bool(open_item and day and day < on and not done),
            }
        )
    return rows
