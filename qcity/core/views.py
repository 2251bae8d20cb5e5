"""Generic pages for every registered model, and the platform's own pages.

Views parse input, check permission through the scoped queryset and call services; they never
change state themselves (PATTERNS.md 5, 6). For htmx requests the list view returns only the
table fragment (PATTERNS.md 8).
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from . import (
    audit,
    capabilities,
    events,
    importer,
    notify,
    personal,
    rulebook,
    search,
    uploads,
    workdays,
)
from .audit_views import readable_changes
from .choices import ImportMode
from .context_processors import counted
from .documents import cell_value, xlsx_bytes
from .generic import filterset_for, form_for, plain_decimal, plain_json, table_for
from .models import ExportLog, ImportRun, Job, Message, Rule, User
from .registry import REGISTRY
from .scopes import CHANGE, VIEW, can
from .services import ConflictError
from .templatetags.qcity_dates import marked_estimate


def get_scoped_object(registration, user, pk, action=VIEW):
    """404 when the object is outside the user's view scope, 403 when visible but not changeable."""
    try:
        obj = registration.queryset(user, VIEW).get(pk=pk)
    except (registration.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(_("记录不存在或您无权查看"))
    if action != VIEW and not can(user, obj, action):
        raise PermissionDenied(_("您无权修改该记录"))
    return obj


def _require_login(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('core:login')}?next={request.get_full_path()}")
    return None


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class RegistryViews:
    """The page set of one registration; ``urls()`` gives its URL patterns."""

    def __init__(self, registration):
        self.r = registration

    # -- list and export
    def list(self, request):
        if (response := _require_login(request)) is not None:
            return response
        r = self.r
        queryset = r.queryset(request.user, VIEW)
        filterset = filterset_for(r)(request.GET or None, queryset=queryset, user=request.user)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        export = request.GET.get("export")
        table = table_for(r)(rows)
        if export in ("xlsx", "csv"):
            return self._export(request, table, export)
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        context = {
            "registration": r,
            "table": table,
            "filter": filterset,
            "can_create": r.create is not None and _may_create(request.user, r),
            "can_import": bool(r.import_columns) and _may_create(request.user, r),
        }
        if request.htmx:
            return render(request, "core/_table.html", context)
        return render(request, "core/list.html", context)

    def _export(self, request, table, fmt):
        values = list(table.as_values())
        header, rows = values[0], values[1:]
        ExportLog.objects.create(
            user=request.user,
            what=str(self.r.verbose_name_plural),
            format=fmt,
            rows=len(rows),
            filters=request.GET.urlencode()[:1000],
        )
        stamp = timezone.localtime().strftime("%Y%m%d%H%M")
        name = f"{self.r.model_name}-{stamp}.{fmt}"
        if fmt == "csv":
            buffer = io.StringIO()
            buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
            writer = csv.writer(buffer)
            writer.writerow([cell_value(h) for h in header])
            writer.writerows([[cell_value(v) for v in row] for row in rows])
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                xlsx_bytes([(str(self.r.verbose_name_plural), header, rows)]),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    # -- detail with tabs
    def detail(self, request, pk):
        if (response := _require_login(request)) is not None:
            return response
        obj = get_scoped_object(self.r, request.user, pk)
        tab = request.GET.get("tab", "fields")
        # personal data is masked; one who may see it in full asks for it, and that is logged
        can_reveal = tab == "fields" and any(n in self.r.masked for n in self.r.detail_fields)
        can_reveal = can_reveal and personal.may_see_personal(request.user, self.r.model, obj)
        reveal = can_reveal and request.GET.get("reveal") == "1"
        fields = []
        years = None  # the holiday years, read once and only when a deadline is shown
        for name in self.r.detail_fields:
            field = self.r.model._meta.get_field(name)
            value = getattr(obj, f"get_{name}_display")() if field.choices else getattr(obj, name)
            if isinstance(field, models.BooleanField):
                value = _("是") if value else _("否")
            elif isinstance(field, models.DecimalField):
                value = plain_decimal(value)
            elif isinstance(field, models.JSONField):
                value = plain_json(value)
            elif workdays.is_deadline_field(name) and value:
                if years is None:
                    years = workdays.covered_years()
                if getattr(obj, "estimated", False) or workdays.is_estimated(value, years):
                    value = marked_estimate(date_format(value), value)
            if field.many_to_many:
                value = "、".join(str(v) for v in value.all())
            if name in self.r.masked and not reveal:
                value = personal.mask(self.r.masked[name], value)
            fields.append((field.verbose_name, value))
        if reveal:
            personal.log_full_view(request.user, obj, _("详情页"))
        context = {
            "registration": self.r,
            "object": obj,
            "fields": fields,
            "tab": tab,
            "changes": readable_changes(audit.history(obj)[:200]) if tab == "changes" else None,
            "timeline": events.timeline(obj) if tab == "timeline" else None,
            "can_change": can(request.user, obj, CHANGE),
            "can_remove": (self.r.void is not None or self.r.delete is not None)
            and can(request.user, obj, capabilities.DELETE),
            "can_reveal": can_reveal and not reveal,
        }
        return render(request, self.r.detail_template or "core/detail.html", context)

    # -- create and edit
    def create(self, request):
        if (response := _require_login(request)) is not None:
            return response
        if self.r.create is None or not _may_create(request.user, self.r):
            raise PermissionDenied(_("您无权新建该类记录"))
        form = form_for(self.r)(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                obj = self.r.create(form.service_data(), request.user)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存"))
                return redirect(f"{self.r.url_prefix}_detail", pk=obj.pk)
        return render(
            request, "core/form.html", {"registration": self.r, "form": form, "object": None}
        )

    def edit(self, request, pk):
        if (response := _require_login(request)) is not None:
            return response
        obj = get_scoped_object(self.r, request.user, pk, CHANGE)
        form = form_for(self.r)(
            request.POST or None, request.FILES or None, instance=obj, user=request.user
        )
        if request.method == "GET" and getattr(form, "shows_personal_in_full", False):
            personal.log_full_view(request.user, obj, _("编辑表单"))
        if request.method == "POST" and form.is_valid():
            try:
                self.r.update(
                    obj,
                    form.service_data(),
                    request.user,
                    expected_version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                _apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存"))
                return redirect(f"{self.r.url_prefix}_detail", pk=obj.pk)
        return render(
            request, "core/form.html", {"registration": self.r, "form": form, "object": obj}
        )

    def remove(self, request, pk):
        """Void (with a reason) a record of legal weight, or delete another."""
        if (response := _require_login(request)) is not None:
            return response
        obj = get_scoped_object(self.r, request.user, pk, capabilities.DELETE)
        if self.r.void is None and self.r.delete is None:
            raise PermissionDenied(_("该类记录不能删除"))
        error = ""
        if request.method == "POST":
            try:
                if self.r.void is not None:
                    self.r.void(obj, request.POST.get("reason", ""), request.user)
                    messages.success(request, _("已作废"))
                    return redirect(f"{self.r.url_prefix}_detail", pk=obj.pk)
                self.r.delete(obj, request.user)
                messages.success(request, _("已删除"))
                return redirect(f"{self.r.url_prefix}_list")
            except ValidationError as exc:
                error = "；".join(exc.messages)
            except Exception as exc:  # protected foreign keys and the like
                from django.db.models import ProtectedError

                if isinstance(exc, ProtectedError):
                    error = _("该记录仍被其他记录引用，不能删除")
                else:
                    raise
        return render(
            request,
            "core/confirm_remove.html",
            {"registration": self.r, "object": obj, "error": error},
        )

    # -- import
    def import_(self, request):
        if (response := _require_login(request)) is not None:
            return response
        if not self.r.import_columns or not _may_create(request.user, self.r):
            raise PermissionDenied(_("您无权导入该类记录"))
        error, run = "", None
        if request.method == "POST":
            uploaded = request.FILES.get("file")
            mode = request.POST.get("mode", ImportMode.ALL_OR_NOTHING)
            if uploaded is None:
                error = _("请选择要导入的文件")
            elif mode not in ImportMode.values:
                error = _("未知的导入方式")
            else:
                try:
                    run = importer.start(self.r, uploaded, mode, request.user)
                except importer.ImportFileError as exc:
                    error = str(exc)
                else:
                    return redirect("core:importrun_status", pk=run.pk)
        runs = ImportRun.objects.filter(
            importer=f"{self.r.app_label}.{self.r.model_name}", created_by=request.user
        )[:10]
        return render(
            request,
            "core/import.html",
            {
                "registration": self.r,
                "error": error,
                "runs": runs,
                "modes": ImportMode.choices,
                "columns": self.r.import_columns,
                "limit_mb": uploads.limit_mb(),
            },
            status=400 if error else 200,
        )

    def import_template(self, request):
        if (response := _require_login(request)) is not None:
            return response
        response = HttpResponse(
            importer.template(self.r),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.r.model_name}-template.xlsx"'
        )
        return response

    def urls(self):
        r, p = self.r, self.r.slug
        return [
            path(f"{p}/", self.list, name=f"{r.model_name}_list"),
            path(f"{p}/new/", self.create, name=f"{r.model_name}_create"),
            path(f"{p}/import/", self.import_, name=f"{r.model_name}_import"),
            path(
                f"{p}/import/template/",
                self.import_template,
                name=f"{r.model_name}_import_template",
            ),
            path(f"{p}/<int:pk>/", self.detail, name=f"{r.model_name}_detail"),
            path(f"{p}/<int:pk>/edit/", self.edit, name=f"{r.model_name}_edit"),
            path(f"{p}/<int:pk>/remove/", self.remove, name=f"{r.model_name}_remove"),
        ]


def _may_create(user, registration) -> bool:
    """Offered 新建/导入 when the capability table grants one of the user's roles creation."""
    return capabilities.may_create(user, registration.model)


def registry_urls(app_label: str):
    patterns = []
    for registration in REGISTRY.values():
        if registration.app_label == app_label:
            patterns += RegistryViews(registration).urls()
    return patterns


# ---------------------------------------------------------------- accounts: see accounts.py


# ---------------------------------------------------------------- home, search, inbox
HOME_PANELS = []  # later modules append callables (request) -> dict(title, template, context)


@login_required
def home(request):
    todos = notify.todos_for(request.user).order_by("due", "-created_at")
    panels = [panel(request) for panel in HOME_PANELS]
    covered_years = workdays.covered_years()
    context = {
        "todos": todos[:20],
        "todo_count": counted(request, "todos", todos.count),
        "overdue_count": todos.filter(due__lt=timezone.localdate()).count(),
        "unread": counted(
            request,
            "unread",
            Message.objects.filter(recipient=request.user, read_at=None).count,
        ),
        "panels": [p for p in panels if p],
        "assignments": request.user.role_assignments.select_related("unit"),
        "covered_years": covered_years,
        "calendar_missing": (
            workdays.missing_years(timezone.localdate(), covered_years)
            if request.user.is_office_admin
            else []
        ),
    }
    return render(request, "core/home.html", context)


@login_required
def search_view(request):
    query = request.GET.get("q", "")
    hits = search.search(request.user, query)
    if request.htmx:
        return render(request, "core/_search_results.html", {"hits": hits, "query": query})
    return render(request, "core/search.html", {"hits": hits, "query": query})


@login_required
def inbox(request):
    items = Message.objects.filter(recipient=request.user)[:100]
    return render(request, "core/inbox.html", {"items": items})


@login_required
@require_POST
def message_read(request, pk):
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return redirect(message.link or "core:inbox")


@login_required
def importrun_status(request, pk):
    run = get_object_or_404(ImportRun, pk=pk, created_by=request.user)
    if request.GET.get("report") == "errors":
        response = HttpResponse(
            importer.error_report(run),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.xlsx"'
        return response
    template = "core/_importrun.html" if request.htmx else "core/importrun.html"
    return render(request, template, {"run": run, "job": run.job})


@login_required
def job_status(request, pk):
    job = get_object_or_404(Job, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_office_admin:
        raise Http404
    return JsonResponse(
        {"status": job.status, "progress": job.progress, "total": job.total, "percent": job.percent}
    )


# ---------------------------------------------------------------- rules
@login_required
def rule_list(request):
    rules = Rule.objects.all()
    return render(
        request, "core/rules.html", {"rules": rules, "can_edit": request.user.is_office_admin}
    )


@login_required
def rule_edit(request, pk):
    rule = get_object_or_404(Rule, pk=pk)
    if not request.user.is_office_admin:
        raise PermissionDenied(_("只有质量办管理员可以修改规则"))
    error = ""
    if request.method == "POST":
        try:
            rulebook.change(
                rule,
                request.POST.get("value", "").strip(),
                request.user,
                request.POST.get("reason", ""),
                request.POST.get("effective_from") or None,
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("规则已修改"))
            return redirect("core:rule_list")
    return render(
        request,
        "core/rule_edit.html",
        {"rule": rule, "error": error, "history": rule.history.all()[:50]},
        status=400 if error else 200,
    )


@login_required
@require_POST
def user_reset_password(request, pk):
    from .registry import get
    from .services import reset_password

    account = get_scoped_object(get(User), request.user, pk, CHANGE)
    temporary = reset_password(account, request.user)
    messages.warning(
        request,
        _(
            "已为 {user} 生成临时密码：{password}（只显示这一次，请当面或通过安全渠道告知本人；首次登录须修改）"
        ).format(user=account.username, password=temporary),
    )
    return redirect("core:user_detail", pk=account.pk)


def public_home(request):
    from . import public

    return render(request, "core/public_home.html", {"sections": public.sections()})
