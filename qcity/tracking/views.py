"""Pages of 督查督办: the office's board, a unit's "my tasks", the task page with its actions,
the period report form (htmx) and the 督办通知单 download. Views parse input, check scope and
call ``services``; they never change state themselves."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qcity.core import capabilities, events, notify, uploads
from qcity.core.models import OrgUnit
from qcity.core.registry import get as get_registration
from qcity.core.services import ConflictError
from qcity.core.views import get_scoped_object
from qcity.plans.choices import TaskSource
from qcity.plans.models import Plan

from . import services
from .choices import (
    ACTIVE_STATES,
    AssignmentState,
    FollowUpKind,
    Light,
    NoticeStatus,
    ReportCycle,
    ReportStatus,
)
from .models import Assignment, CoUnitInput, FollowUp, ProgressReport
from .services import attachments_of_many

S = AssignmentState


def _registration():
    return get_registration(Assignment)


def visible(user):
    """Items in the user's scope; units see an item once the office has 交办 it."""
    qs = Assignment.objects.for_user(user).filter(is_void=False)
    if not (user.is_office_admin or user.is_auditor):
        qs = qs.exclude(state=S.DRAFT)
    return qs


def count_by(queryset, field: str) -> dict:
    """Items per value of ``field``. The scoped queryset joins the co-units and is DISTINCT,
    so grouping it directly counts join rows (a unit saw 1 signed for 3); count the items
    by primary key instead."""
    ids = queryset.order_by().values("pk")
    return dict(
        Assignment.objects.filter(pk__in=ids).order_by().values_list(field).annotate(n=Count("pk"))
    )


def _board_rows(request, queryset):
    plan, unit = request.GET.get("plan", ""), request.GET.get("unit", "")
    state, light = request.GET.get("state", ""), request.GET.get("light", "")
    if plan.isdigit():
        queryset = queryset.filter(plan_id=plan)
    if unit.isdigit():
        queryset = queryset.filter(Q(lead_unit_id=unit) | Q(co_units__unit_id=unit)).distinct()
    if state in AssignmentState.values:
        queryset = queryset.filter(state=state)
    if light in Light.values:
        queryset = queryset.filter(light=light)
    return queryset, {"plan": plan, "unit": unit, "state": state, "light": light}


@login_required
def board(request):
    base = visible(request.user)
    rows, chosen = _board_rows(request, base)
    rows = rows.select_related("lead_unit", "plan").annotate(co_count=Count("co_units"))
    by_state = count_by(base, "state")
    by_light = count_by(base, "light")
    context = {
        "rows": rows.order_by("deadline", "pk")[:300],
        "chosen": chosen,
        "states": [(v, label, by_state.get(v, 0), S.colour(v)) for v, label in S.choices],
        "lights": [(v, label, by_light.get(v, 0)) for v, label in Light.choices],
        "plans": Plan.objects.filter(assignments__isnull=False).distinct().only("pk", "title"),
        "units": OrgUnit.objects.filter(pk__in=base.values("lead_unit_id")).only("pk", "name"),
        "is_office": services.is_office(request.user),
        "total": base.count(),
    }
    template = "tracking/_board_table.html" if request.htmx else "tracking/board.html"
    return render(request, template, context)


@login_required
def mine(request):
    units = request.user.unit_ids()
    rows = (
        visible(request.user)
        .filter(Q(lead_unit_id__in=units) | Q(co_units__unit_id__in=units))
        .distinct()
        .select_related("lead_unit")
        .order_by("deadline")
    )
    lead_ids = set(rows.filter(lead_unit_id__in=units).values_list("pk", flat=True))
    todos = notify.todos_for(request.user).filter(kind__in=TODO_KINDS).order_by("due")[:50]
    return render(
        request,
        "tracking/mine.html",
        {
            "rows": [(a, a.pk in lead_ids) for a in rows],
            "todos": todos,
        },
    )


TODO_KINDS = [
    "sign",
    "returned",
    "review",
    "report",
    "report_returned",
    "verify",
    "rework",
    "extension",
    "supervise",
    "supervise_draft",
    "followup_report",
    "followup_deadline",
]


def allowed_actions(assignment, user) -> set[str]:
    office, lead = services.is_office(user), services.is_lead(assignment, user)
    state = assignment.state
    actions = set()
    if office:
        if state in (S.DRAFT, S.RETURNED):
            actions.add("assign")
        if state == S.RETURNED:
            actions.add("reassign")
        if state in ACTIVE_STATES:
            actions |= {"suspend", "supervise"}
        if state == S.SUSPENDED:
            actions.add("resume")
        if state not in (S.CLOSED, S.CLOSED_LATE, S.TERMINATED):
            actions.add("terminate")
        if state == S.CLOSE_REQUESTED:
            actions |= {"verify_close", "rework"}
        actions |= {"accept_report", "return_report", "decide_extension"}
    if lead or office:
        if state == S.ASSIGNED:
            actions |= {"sign", "return"}
        if state in (S.SIGNED, S.IN_PROGRESS):
            actions |= {"request_close", "report"}
        if state in ACTIVE_STATES and services.today() <= assignment.deadline:
            actions.add("request_extension")
        actions.add("answer_followup")
    return {a for a in actions if office or capabilities.allows(user, assignment, a)}


@login_required
def assignment_detail(request, pk):
    assignment = get_scoped_object(_registration(), request.user, pk)
    if not visible(request.user).filter(pk=assignment.pk).exists() and not assignment.is_void:
        raise Http404(_("记录不存在或您无权查看"))
    reports = list(
        assignment.reports.select_related("submitted_by").prefetch_related(
            Prefetch("inputs", queryset=CoUnitInput.objects.select_related("unit", "author"))
        )
    )
    files = report_files(reports)
    for r in reports:
        r.files = files.get(r.pk, [])
    context = {
        "object": assignment,
        "milestones": services.milestone_rows(assignment),
        "can_edit_milestones": services.may_edit_milestones(assignment, request.user),
        "close_files": services.attachments_of(assignment),
        "upload_limit": uploads.limit_mb(),
        "registration": _registration(),
        "co_units": assignment.co_units.select_related("unit"),
        "reports": reports,
        "extensions": assignment.extensions.select_related("requested_by", "decided_by"),
        "followups": visible_followups(assignment, request.user),
        "lights": assignment.lights.order_by("-period_start")[:12],
        "timeline": events.timeline(assignment),
        "actions": allowed_actions(assignment, request.user),
        "is_office": services.is_office(request.user),
        "acting_for_unit": services.is_office(request.user)
        and not services.is_lead(assignment, request.user),
        "units": OrgUnit.objects.filter(is_active=True).only("pk", "name")
        if assignment.state == S.RETURNED
        else [],
        "today": services.today(),
    }
    return render(request, "tracking/assignment_detail.html", context)


def visible_followups(assignment, user):
    """Drafts the scan made (and withdrawn drafts) are the office's working papers: a unit
    sees only the notices actually issued to it."""
    qs = assignment.followups.select_related("answered_by", "answered_for")
    if not services.is_office(user):
        qs = qs.filter(status=NoticeStatus.ISSUED)
    return qs


def report_files(reports) -> dict[int, list[dict]]:
    """Evidence files per report: the lead unit's on the report and each co-unit's on its
    input, with who gave them (two queries for any number of reports)."""
    out: dict[int, list[dict]] = {r.pk: [] for r in reports}
    inputs = {i.pk: i for r in reports for i in r.inputs.all()}
    lead = {r.pk: r.assignment.lead_unit for r in reports}
    for att in attachments_of_many(ProgressReport, list(out)).order_by("created_at", "pk"):
        out[int(att.object_id)].append({"file": att, "unit": lead[int(att.object_id)]})
    for att in attachments_of_many(CoUnitInput, list(inputs)).order_by("created_at", "pk"):
        inp = inputs[int(att.object_id)]
        out[inp.report_id].append({"file": att, "unit": inp.unit})
    return out


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(_("日期格式应为YYYY-MM-DD"))


@login_required
@require_POST
def act(request, pk, action):
    assignment = get_scoped_object(_registration(), request.user, pk)
    if action not in allowed_actions(assignment, request.user):
        raise PermissionDenied(_("您无权执行该操作或事项当前状态不允许"))
    user, post = request.user, request.POST
    try:
        if action == "assign":
            services.assign(assignment, user)
        elif action == "reassign":
            unit = OrgUnit.objects.filter(pk=post.get("lead_unit") or 0).first()
            if unit is None:
                raise ValidationError(_("请选择新的牵头单位"))
            services.reassign(assignment, user, unit)
        elif action == "sign":
            services.sign(assignment, user)
        elif action == "return":
            services.return_assignment(assignment, user, post.get("reason", ""))
        elif action == "suspend":
            services.suspend(assignment, user, post.get("reason", ""))
        elif action == "resume":
            services.resume(assignment, user)
        elif action == "terminate":
            services.terminate(assignment, user, post.get("reason", ""))
        elif action == "request_close":
            services.request_close(
                assignment, user, post.get("evidence", ""), request.FILES.getlist("files")
            )
        elif action == "verify_close":
            services.verify_close(assignment, user)
        elif action == "rework":
            services.rework(assignment, user, post.get("comment", ""))
        elif action == "request_extension":
            services.request_extension(
                assignment,
                user,
                post.get("reason", ""),
                _date(post.get("new_deadline")),
                post.get("progress_note", ""),
            )
        elif action == "decide_extension":
            ext = assignment.extensions.filter(pk=post.get("extension") or 0).first()
            if ext is None:
                raise Http404
            services.decide_extension(ext, user, post.get("grant") == "1", post.get("comment", ""))
        elif action in ("accept_report", "return_report"):
            report = assignment.reports.filter(pk=post.get("report") or 0).first()
            if report is None:
                raise Http404
            if action == "accept_report":
                services.accept_report(report, user, post.get("comment", ""))
            else:
                services.return_report(report, user, post.get("comment", ""))
        elif action == "supervise":
            services.issue_followup(
                assignment, FollowUpKind.SUPERVISE, "deadline", assignment.deadline, user=user
            )
        elif action == "answer_followup":
            followup = assignment.followups.filter(pk=post.get("followup") or 0).first()
            if followup is None:
                raise Http404
            services.answer_followup(
                followup,
                user,
                post.get("answer", ""),
                on_behalf=post.get("on_behalf") == "1",
                basis=post.get("basis", ""),
            )
        elif action == "report":
            report = services.open_report(assignment, user)
            return redirect("tracking:report_edit", pk=report.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("操作已完成"))
    return redirect("tracking:assignment_detail", pk=assignment.pk)


@login_required
def report_form(request, pk):
    assignment = get_scoped_object(_registration(), request.user, pk)
    try:
        report = services.open_report(assignment, request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("tracking:assignment_detail", pk=pk)
    return redirect("tracking:report_edit", pk=report.pk)


def _scoped_report(user, pk):
    report = (
        ProgressReport.objects.for_user(user)
        .select_related("assignment__lead_unit")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("记录不存在或您无权查看"))
    return report


def _report_context(request, report, error=""):
    assignment = report.assignment
    user = request.user
    editable = report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    my_co_units = services.co_unit_ids(assignment) & user.unit_ids()
    entered = {str(e.get("link")): e.get("value", "") for e in report.indicator_values or []}
    owed = [(link, entered.get(str(link.pk), "")) for link in services.owed_links(assignment)]
    return {
        "report": report,
        "assignment": assignment,
        "owed": owed,
        # a figure is reported once its period has ended (indicators.record_observation): the
        # form says so up front instead of refusing the values at 报送
        "figures_open_on": report.period_end + datetime.timedelta(days=1)
        if report.period_end >= timezone.localdate()
        else None,
        "can_edit": editable and (services.is_lead(assignment, user) or services.is_office(user)),
        "can_input": editable and bool(my_co_units),
        "my_input": report.inputs.filter(unit_id__in=my_co_units).first(),
        "inputs": report.inputs.select_related("unit", "author"),
        "co_units": assignment.co_units.select_related("unit"),
        "files": report_files([report])[report.pk],
        "can_attach": editable and (services.is_lead(assignment, user) or services.is_office(user)),
        "upload_limit": uploads.limit_mb(),
        "error": error,
    }


@login_required
def report_edit(request, pk):
    report = _scoped_report(request.user, pk)
    error = ""
    if request.method == "POST":
        op = request.POST.get("op", "save")
        data = {name: request.POST.get(name, "") for name in services.REPORT_FIELDS}
        data["indicator_values"] = [
            {
                "indicator": link.indicator_id,
                "link": link.pk,
                "params": link.params or None,
                "value": request.POST.get(f"ind_{link.pk}", "").strip(),
            }
            for link in services.owed_links(report.assignment)
        ]
        try:
            report = services.save_report(
                report, data, request.user, request.POST.get("version") or None
            )
            if op == "submit":
                report = services.submit_report(report, request.user, report.version)
                messages.success(request, _("进展报告已报送，等待质量办审核"))
                if request.htmx:
                    response = HttpResponse()
                    response["HX-Redirect"] = reverse(
                        "tracking:assignment_detail", args=[report.assignment_id]
                    )
                    return response
                return redirect("tracking:assignment_detail", pk=report.assignment_id)
        except ConflictError as exc:
            error = str(exc)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        except PermissionDenied as exc:
            raise exc
        else:
            messages.success(request, _("已保存"))
        if error:
            report = _scoped_report(request.user, pk)
            report.__dict__.update(
                {k: v for k, v in data.items() if k not in ("percent", "indicator_values")}
            )
            report.indicator_values = data["indicator_values"]
    context = _report_context(request, report, error)
    template = "tracking/_report_form.html" if request.htmx else "tracking/report_form.html"
    return render(request, template, context, status=409 if "他人修改" in error else 200)


@login_required
@require_POST
def co_input(request, pk):
    report = _scoped_report(request.user, pk)
    try:
        services.add_co_input(
            report, request.user, request.POST.get("text", ""), files=request.FILES.getlist("files")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("配合意见已提交"))
    return redirect("tracking:report_edit", pk=report.pk)


@login_required
@require_POST
def report_attach(request, pk):
    """The lead unit uploads evidence files to the period's report."""
    report = _scoped_report(request.user, pk)
    try:
        saved = services.attach_to_report(report, request.user, request.FILES.getlist("files"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已上传{n}份佐证材料").format(n=len(saved)))
    return redirect("tracking:report_edit", pk=report.pk)


@login_required
def attachment_download(request, pk):
    """An evidence file, for whoever may see the item it belongs to."""
    from qcity.core.models import Attachment

    att = Attachment.objects.filter(pk=pk).select_related("content_type").first()
    owner = services.attachment_owner(att) if att else None
    if owner is None or not visible(request.user).filter(pk=owner.pk).exists():
        raise Http404(_("记录不存在或您无权查看"))
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


MILESTONE_BLANK_ROWS = 3


@login_required
def milestones_edit(request, pk):
    """Add, edit and remove the item's dated milestones, each with its 完成标准."""
    assignment = get_scoped_object(_registration(), request.user, pk)
    if not services.may_edit_milestones(assignment, request.user):
        raise PermissionDenied(_("只有质量办或牵头单位（申请销号前）可以修改节点安排"))
    error = ""
    rows = [
        {
            "date": m["date"].isoformat() if m["date"] else "",
            "title": m["title"],
            "standard": m["standard"],
            "done": m["done"],
        }
        for m in services.milestone_rows(assignment)
    ]
    if request.method == "POST":
        post = request.POST
        count = min(int(post.get("count") or 0) if post.get("count", "").isdigit() else 0, 100)
        rows = [
            {
                "date": post.get(f"date_{i}", ""),
                "title": post.get(f"title_{i}", ""),
                "standard": post.get(f"standard_{i}", ""),
                "done": bool(post.get(f"done_{i}")),
            }
            for i in range(count)
            if not post.get(f"remove_{i}")
        ]
        try:
            services.set_milestones(assignment, request.user, rows)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("节点安排已保存"))
            return redirect("tracking:assignment_detail", pk=assignment.pk)
    rows = rows + [{"date": "", "title": "", "standard": "", "done": False}] * MILESTONE_BLANK_ROWS
    return render(
        request,
        "tracking/milestones.html",
        {"object": assignment, "rows": rows, "count": len(rows), "error": error},
        status=400 if error else 200,
    )


@login_required
def supervise_new(request, pk):
    """The office writes the 督办事由 and checks the 督办通知单 text (drafted from the item's
    real state) before it is issued."""
    assignment = get_scoped_object(_registration(), request.user, pk)
    if "supervise" not in allowed_actions(assignment, request.user):
        raise PermissionDenied(_("您无权执行该操作或事项当前状态不允许"))
    post, error = request.POST, ""
    message = post.get("message", services.draft_supervise_notice(assignment))
    if request.method == "POST":
        try:
            followup = services.issue_followup(
                assignment,
                FollowUpKind.SUPERVISE,
                "deadline",
                assignment.deadline,
                user=request.user,
                reason=post.get("reason", ""),
                message=message,
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("已发出督办通知单{n}").format(n=followup.number))
            return redirect("tracking:assignment_detail", pk=assignment.pk)
    return render(
        request,
        "tracking/notice_form.html",
        {
            "object": assignment,
            "followup": None,
            "reason": post.get("reason", ""),
            "message": message,
            "answer_deadline": services.supervise_answer_deadline(services.today()),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def notice_edit(request, pk):
    """The office corrects an issued 督办通知单 (事由 and text) until the unit answers, and
    reviews a draft the overdue scan made: edits it and issues it, or withdraws it."""
    followup = FollowUp.objects.filter(pk=pk, kind=FollowUpKind.SUPERVISE).first()
    if followup is None:
        raise Http404(_("记录不存在或您无权查看"))
    assignment = get_scoped_object(_registration(), request.user, followup.assignment_id)
    if not services.is_office(request.user):
        raise PermissionDenied(_("只有质量办可以执行此操作"))
    post, error = request.POST, ""
    reason = post.get("reason", followup.reason)
    # a draft is shown as it would read if issued today (lateness, answer deadline)
    initial = services.redraft_notice(followup) if followup.is_draft else followup.message
    message = post.get("message", initial)
    if request.method == "POST":
        op = post.get("op", "save")
        try:
            if followup.is_draft and op == "issue":
                followup = services.issue_notice(followup, request.user, reason, message)
                done = _("已签发督办通知单{n}").format(n=followup.number)
            elif followup.is_draft and op == "withdraw":
                services.withdraw_notice(followup, request.user, post.get("withdraw_reason", ""))
                done = _("督办通知单草稿已撤销")
            else:
                services.edit_notice(followup, request.user, reason, message)
                done = _("督办通知单已修改")
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect("tracking:assignment_detail", pk=assignment.pk)
    return render(
        request,
        "tracking/notice_form.html",
        {
            "object": assignment,
            "followup": followup,
            "reason": reason,
            "message": message,
            "answer_deadline": followup.answer_deadline
            or services.supervise_answer_deadline(services.today()),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def notice_docx(request, pk):
    followup = FollowUp.objects.filter(pk=pk, kind=FollowUpKind.SUPERVISE).first()
    if followup is None:
        raise Http404
    get_scoped_object(_registration(), request.user, followup.assignment_id)
    if followup.status != NoticeStatus.ISSUED and not services.is_office(request.user):
        raise Http404(_("记录不存在或您无权查看"))
    response = HttpResponse(
        services.supervise_notice_docx(followup),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="supervise-{followup.pk}.docx"'
    return response


def open_plan_tasks(user):
    """Tasks of the plans the office carries out that have no 督办 item yet."""
    from qcity.plans.models import Task

    return Task.objects.for_user(user).filter(
        is_void=False,
        plan__is_void=False,
        plan__role="ours",
        plan__is_current=True,
        assignment__isnull=True,
    )


@login_required
def assign_new(request):
    """The office registers a standalone item (领导批示, 会议, 上级交办) or one from a plan task."""
    if not services.is_office(request.user):
        raise PermissionDenied(_("只有质量办可以交办事项"))
    error = ""
    units = OrgUnit.objects.filter(is_active=True).select_related("region")
    tasks = open_plan_tasks(request.user)
    if request.method == "POST":
        post = request.POST
        try:
            task = tasks.filter(pk=post.get("task") or 0).first() if post.get("task") else None
            if post.get("task") and task is None:
                raise ValidationError(_("所选任务不存在或已经交办"))
            lead = units.filter(pk=post.get("lead_unit") or 0).first()
            co = [
                (u, post.get(f"duty_{u.pk}", ""))
                for u in units.filter(pk__in=[v for v in post.getlist("co_units") if v.isdigit()])
            ]
            data = {
                "title": post.get("title", "").strip(),
                "source": post.get("source") or TaskSource.INSTRUCTION,
                "source_note": post.get("source_note", "").strip(),
                "lead_unit": lead,
                "leader": post.get("leader", "").strip(),
                "responsible_person": post.get("responsible_person", "").strip(),
                "completion_standard": post.get("completion_standard", "").strip(),
                "deadline": _date(post.get("deadline")),
                "cycle": post.get("cycle") or ReportCycle.MONTHLY,
                "report_day": post.get("report_day") or None,
            }
            if task is not None:
                data.update(task=task, source=task.source or TaskSource.PLAN)
            obj = services.create_assignment(data, request.user, co_units=co)
            if post.get("assign_now"):
                services.assign(obj, request.user)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("已登记督办事项"))
            return redirect("tracking:assignment_detail", pk=obj.pk)
    return render(
        request,
        "tracking/assign_new.html",
        {
            "units": units,
            "sources": TaskSource.choices,
            "cycles": ReportCycle.choices,
            "tasks": tasks.select_related("plan").order_by("plan_id", "order", "pk"),
            "task_chosen": request.POST.get("task") or request.GET.get("task", ""),
            "error": error,
            "post": request.POST,
        },
        status=400 if error else 200,
    )


# ---------------------------------------------------------------- 交办 from a plan
def _lead_of(task):
    return task.lead_unit or next(
        (r.unit for r in task.responsibilities.all() if r.role == "lead" and r.unit_id), None
    )


def _plan_task_groups(plan, preselected):
    """The plan's tasks grouped by section (in plan order), each with its lead unit, co-units
    and the 督办 item it already has."""
    tasks = list(
        plan.tasks.filter(is_void=False)
        .select_related("lead_unit", "section")
        .prefetch_related("responsibilities__unit")
        .order_by("order", "pk")
    )
    items = {
        a.task_id: a
        for a in Assignment.objects.filter(task__in=[t.pk for t in tasks]).only(
            "pk", "task_id", "state", "is_void", "deadline"
        )
    }
    groups, by_section = [], {}
    for task in tasks:
        key = task.section_id
        if key not in by_section:
            by_section[key] = {"section": task.section, "rows": []}
            groups.append(by_section[key])
        item = items.get(task.pk)
        by_section[key]["rows"].append(
            {
                "task": task,
                "lead": _lead_of(task),
                "co": [r.name_as_written for r in task.responsibilities.all() if r.role == "co"],
                "item": item,
                "open": item is None or (item.state == S.DRAFT and not item.is_void),
                "checked": task.pk in preselected,
            }
        )
    return groups


@login_required
def plan_assign(request, pk):
    """交办 from a plan: the office chooses tasks (all, whole sections, or some) and hands
    them to their lead and co-units in one action, with the deadline and reporting cycle."""
    if not services.is_office(request.user):
        raise PermissionDenied(_("只有质量办可以交办事项"))
    plan = Plan.objects.for_user(request.user).filter(pk=pk, is_void=False).first()
    if plan is None:
        raise Http404(_("记录不存在或您无权查看"))
    post = request.POST
    preselected = {int(v) for v in request.GET.getlist("task") if v.isdigit()}
    result, error = None, ""
    if request.method == "POST":
        tasks = plan.tasks.filter(is_void=False)
        if not post.get("all"):
            chosen = {int(v) for v in post.getlist("task") if v.isdigit()}
            chosen |= services.tasks_in_sections(
                plan, [v for v in post.getlist("section") if v.isdigit()]
            )
            tasks = tasks.filter(pk__in=chosen)
            preselected = chosen
        try:
            if not tasks.exists():
                raise ValidationError(_("请选择要交办的任务"))
            result = services.hand_out_tasks(
                plan,
                list(tasks),
                request.user,
                cycle=post.get("cycle") or "",
                deadline=_date(post.get("deadline")),
                deadline_for_all=post.get("deadline_mode") == "all",
                report_day=post.get("report_day") or None,
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    return render(
        request,
        "tracking/plan_assign.html",
        {
            "plan": plan,
            "groups": _plan_task_groups(plan, preselected),
            "cycles": ReportCycle.choices,
            "result": result,
            "error": error,
            "post": post,
        },
        status=400 if error else 200,
    )


# ---------------------------------------------------------------- panels
def _timeliness_by_unit(assignments):
    rows = (
        ProgressReport.objects.filter(assignment__in=assignments)
        .exclude(status=ReportStatus.DRAFT)
        .values("assignment__lead_unit__name")
        .annotate(total=Count("pk"), late=Count("pk", filter=Q(late=True)))
        .order_by("assignment__lead_unit__name")
    )
    return [
        {
            "unit": r["assignment__lead_unit__name"],
            "total": r["total"],
            "late": r["late"],
            "on_time_percent": round(100 * (r["total"] - r["late"]) / r["total"])
            if r["total"]
            else 0,
        }
        for r in rows
    ]


def plan_overview_panel(request, plan=None):
    """For the indicators app's plan overview: tasks by state and report timeliness per unit."""
    assignments = visible(request.user)
    if plan is not None:
        assignments = assignments.filter(plan=plan)
    by_state = count_by(assignments, "state")
    return {
        "title": _("任务办理情况"),
        "template": "tracking/_panel.html",
        "states": [
            (label, by_state.get(v, 0), S.colour(v)) for v, label in S.choices if by_state.get(v)
        ],
        "timeliness": _timeliness_by_unit(assignments),
    }


def plan_panel_for_indicators(plan, request):
    """The indicators app's PLAN_OVERVIEW_PANELS signature: (plan, request) -> template+context."""
    panel = plan_overview_panel(request, plan)
    return {"template": "tracking/_plan_panel.html", "context": panel}


def home_panel(request):
    if not request.user.is_authenticated:
        return None
    if not visible(request.user).exists():
        return None
    panel = plan_overview_panel(request)
    # the home page counts every item the user sees, those outside any plan included: its
    # title says so, or it would read as the plan overview's panel with other totals
    panel["title"] = _("全部督办事项办理情况（含未列入实施方案的事项）")
    return panel
