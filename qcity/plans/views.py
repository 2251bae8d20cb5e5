"""Plan upload, extraction status, review and import pages; plan exports.

Views parse input, check scope (PlanImport is the office's working record: anyone else gets
404) and call ``services``; they never change state themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qcity.core import events, search
from qcity.core.models import ExportLog, OrgUnit
from qcity.core.registry import get as get_registration
from qcity.core.scopes import CHANGE, VIEW, can
from qcity.core.views import get_scoped_object

from . import exports, services
from .choices import Direction, ImportStatus, PlanKind, PlanRole, TargetKind, TargetOp
from .forms import UploadForm
from .models import Plan, PlanImport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _office_only(user):
    """The import pages exist only for the office (and read-only auditors)."""
    if not (user.is_office_admin or user.is_auditor):
        raise Http404(_("记录不存在或您无权查看"))


def _get_import(user, pk, action=VIEW) -> PlanImport:
    _office_only(user)
    imp = PlanImport.objects.for_user(user, VIEW).filter(pk=pk).first()
    if imp is None:
        raise Http404(_("记录不存在或您无权查看"))
    if action == CHANGE and not can(user, imp, CHANGE):
        raise PermissionDenied(_("您无权审核该导入"))
    return imp


@login_required
def import_list(request):
    _office_only(request.user)
    imports = PlanImport.objects.for_user(request.user).select_related(
        "created_by", "plan", "revision_of"
    )[:100]
    return render(
        request,
        "plans/import_list.html",
        {"imports": imports, "can_upload": request.user.is_office_admin},
    )


@login_required
def import_new(request):
    _office_only(request.user)
    if not request.user.is_office_admin:
        raise PermissionDenied(_("只有质量办管理员可以上传规划文件"))
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                imp, created = services.start_import(
                    form.cleaned_data["file"],
                    request.user,
                    role=form.cleaned_data["role"],
                    revision_of=form.cleaned_data["revision_of"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                status = 400
            else:
                if not created:
                    messages.warning(
                        request,
                        _("该文件此前已上传（{name}，{when}），已打开原来的导入记录。").format(
                            name=imp.file_name,
                            when=imp.created_at.strftime("%Y-%m-%d %H:%M"),
                        ),
                    )
                return redirect("plans:import_status", pk=imp.pk)
        else:
            status = 400
    return render(request, "plans/import_new.html", {"form": form}, status=status)


@login_required
def import_status(request, pk):
    imp = _get_import(request.user, pk)
    if imp.status == ImportStatus.REVIEW and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("plans:import_review", args=[imp.pk])
        return response
    context = {"imp": imp, "timeline": events.timeline(imp)}
    template = "plans/_import_status.html" if request.htmx else "plans/import_status.html"
    return render(request, template, context)


def _review_context(request, imp, error=""):
    draft = imp.draft or {}
    problems = services.import_problems(imp) if imp.status == ImportStatus.REVIEW else []
    units_all = list(
        OrgUnit.objects.filter(is_active=True).order_by("region__code", "name").values("pk", "name")
    )
    task_numbers = [(t["key"], t["number"] or t["title"][:12]) for t in draft.get("tasks", [])]
    task_label = dict(task_numbers)
    targets = [
        dict(row, task_label=task_label.get(row.get("task_key"), ""))
        for row in draft.get("targets", [])
    ]
    unit_rows = []
    for name, entry in (draft.get("units") or {}).items():
        candidate_ids = {c[0] for c in entry.get("candidates", [])}
        unit_rows.append(
            {
                "name": name,
                "entry": entry,
                "others": [u for u in units_all if u["pk"] not in candidate_ids],
            }
        )
    unit_rows.sort(key=lambda row: row["entry"]["confirmed"])  # open decisions first
    return {
        "imp": imp,
        "draft": draft,
        "facts": draft.get("facts", {}),
        "targets": targets,
        "tasks": draft.get("tasks", []),
        "unit_rows": unit_rows,
        "segments": services.highlighted_segments(imp),
        "diff": services.compute_diff(imp) if imp.revision_of_id else None,
        "problems": problems,
        "error": error,
        "editable": imp.status == ImportStatus.REVIEW and can(request.user, imp, CHANGE),
        "kinds": PlanKind.choices,
        "roles": PlanRole.choices,
        "ops": TargetOp.choices,
        "target_kinds": TargetKind.choices,
        "directions": Direction.choices,
        "unconfirmed_exact": sum(
            1
            for e in (draft.get("units") or {}).values()
            if e["status"] in ("exact", "alias") and not e["confirmed"]
        ),
    }


@login_required
def import_review(request, pk):
    imp = _get_import(request.user, pk)
    if imp.status in (ImportStatus.EXTRACTING, ImportStatus.FAILED):
        return redirect("plans:import_status", pk=imp.pk)
    return render(request, "plans/import_review.html", _review_context(request, imp))


def _apply(op: str, imp, post, user):
    kind = post.get("table", "")
    key = post.get("key", "")
    if op == "facts":
        return services.update_facts(imp, post, user)
    if op == "row_update":
        return services.update_row(imp, kind, key, post, user)
    if op == "row_add":
        return services.add_row(imp, kind, post, user, after=post.get("after", ""))
    if op == "row_drop":
        return services.drop_row(imp, kind, key, user)
    if op == "row_split":
        return services.split_row(imp, kind, key, user, second=post.get("second", ""))
    if op == "row_merge":
        return services.merge_with_next(imp, kind, key, user)
    if op == "unit":
        return services.set_unit(imp, post.get("name", ""), post.get("choice", ""), user)
    if op == "units_auto":
        return services.auto_confirm_units(imp, user)
    if op == "role":
        return services.set_options(imp, user, role=post.get("role", ""))
    if op == "confirm_empty":
        return services.set_options(imp, user, confirm_empty=post.get("confirm_empty") == "on")
    raise ValidationError(_("未知的操作"))


@login_required
@require_POST
def import_draft(request, pk):
    """One endpoint for every review edit; htmx gets the re-rendered review body back."""
    imp = _get_import(request.user, pk, CHANGE)
    error = ""
    try:
        _apply(request.POST.get("action", ""), imp, request.POST, request.user)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    imp.refresh_from_db()
    if request.htmx:
        return render(request, "plans/_review_body.html", _review_context(request, imp, error))
    if error:
        messages.error(request, error)
    return redirect("plans:import_review", pk=imp.pk)


@login_required
@require_POST
def import_commit(request, pk):
    imp = _get_import(request.user, pk, CHANGE)
    try:
        plan = services.import_plan(imp, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("plans:import_review", pk=imp.pk)
    messages.success(
        request,
        _("已导入：{tasks}项任务，{targets}项目标").format(
            tasks=plan.tasks.count(), targets=plan.targets.count()
        ),
    )
    return redirect("plans:plan_detail", pk=plan.pk)


@login_required
@require_POST
def import_discard(request, pk):
    imp = _get_import(request.user, pk, CHANGE)
    try:
        services.discard_import(imp, request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.info(request, _("已放弃该导入"))
    return redirect("plans:import_list")


@login_required
def plan_export(request, pk, what, fmt):
    plan = get_scoped_object(get_registration(Plan), request.user, pk)
    if what not in ("tasks", "targets") or fmt not in ("xlsx", "docx"):
        raise Http404(_("没有这种导出"))
    ExportLog.objects.create(
        user=request.user,
        what=f"{plan.title}:{what}"[:200],
        format=fmt,
        rows=plan.tasks.count() if what == "tasks" else plan.targets.count(),
    )
    if fmt == "xlsx":
        body, content_type = exports.as_xlsx(plan, what), XLSX
    else:
        body, content_type = exports.as_docx(plan, what), DOCX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-{what}.{fmt}"'
    return response


# ---------------------------------------------------------------- search and home panel
@search.provider
def search_plans(user, query, limit):
    plans = Plan.objects.for_user(user).filter(title__icontains=query, is_void=False)[:limit]
    return [(p.title, reverse("plans:plan_detail", args=[p.pk]), _("规划计划")) for p in plans]


def home_panel(request):
    """The office's plan imports waiting for review."""
    user = request.user
    if not user.is_office_admin:
        return None
    waiting = list(PlanImport.objects.for_user(user).filter(status=ImportStatus.REVIEW)[:5])
    if not waiting:
        return None
    return {
        "title": _("待审核的规划导入"),
        "template": "plans/_home_panel.html",
        "imports": waiting,
    }
