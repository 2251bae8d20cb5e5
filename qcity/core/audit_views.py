"""Audit pages for the office and the read-only auditor (issue 10, "Audit pages"; 等保
GB/T 22239-2019 8.1.4.3 安全审计: audit records can be reviewed by the audit administrator).

Three lists over the security logs the platform already writes:

- 登录日志 (``LoginLog``): every login attempt, by form or API token, with the outcome;
- 导出日志 (``ExportLog``): every .xlsx/.csv export with its filters and row count;
- 变更记录 (``ChangeLog``): every create/update/void/delete/import across all models,
  including the rows of deleted objects (their id, name and who deleted them stay).

Only office administrators and auditors may open them; other logged-in users get 403. The pages
show who did what and when, and which fields changed, not the field values (personal data in
before/after values stays out of a list that spans every model).
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from .choices import ChangeAction
from .generic import SearchFilterSet, field_label, model_field
from .models import ChangeLog, ExportLog, LoginLog, User

QCITY_APP_PREFIX = "qcity."


def may_view_audit(user) -> bool:
    """The office and the auditor review the audit trail (the capability lives here only)."""
    return bool(user.is_authenticated and (user.is_office_admin or user.is_auditor))


def audit_links(user) -> list[tuple[str, str]]:
    """Menu entries (url name, label) for the navigation; empty for everyone else."""
    if not may_view_audit(user):
        return []
    return [
        ("core:audit_changes", gettext("变更记录")),
        ("core:audit_logins", gettext("登录日志")),
        ("core:audit_exports", gettext("导出日志")),
    ]


# ---------------------------------------------------------------- filters
def _model_choices():
    from django.apps import apps

    labels = {a.label for a in apps.get_app_configs() if a.name.startswith(QCITY_APP_PREFIX)}
    types = ContentType.objects.filter(app_label__in=labels)
    choices = []
    for ct in types:
        model = ct.model_class()
        if model is not None:
            choices.append((ct.pk, f"{model._meta.verbose_name}（{ct.app_label}.{ct.model}）"))
    return sorted(choices, key=lambda c: c[1])


class _DatedFilterSet(SearchFilterSet):
    date_from = django_filters.DateFilter(
        field_name="time", lookup_expr="date__gte", label=_("起始日期")
    )
    date_to = django_filters.DateFilter(
        field_name="time", lookup_expr="date__lte", label=_("截止日期")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.form.fields[name].widget.input_type = "date"


class ChangeLogFilterSet(_DatedFilterSet):
    actor = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("username"), label=_("操作人")
    )
    content_type = django_filters.ChoiceFilter(choices=_model_choices, label=_("对象类型"))
    object_id = django_filters.CharFilter(label=_("对象编号"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices, label=_("操作"))
    request_id = django_filters.CharFilter(label=_("请求编号"))
    search_fields = ["object_repr", "note", "actor_label"]

    class Meta:
        model = ChangeLog
        fields = ["q", "actor", "content_type", "object_id", "action", "request_id"]


class LoginLogFilterSet(_DatedFilterSet):
    user = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("username"), label=_("用户")
    )
    success = django_filters.BooleanFilter(label=_("成功"))
    ip = django_filters.CharFilter(label=_("IP地址"))
    search_fields = ["username", "reason", "user_agent"]

    class Meta:
        model = LoginLog
        fields = ["q", "user", "success", "ip"]


class ExportLogFilterSet(_DatedFilterSet):
    user = django_filters.ModelChoiceFilter(
        queryset=User.objects.order_by("username"), label=_("用户")
    )
    format = django_filters.ChoiceFilter(
        choices=[("xlsx", "xlsx"), ("csv", "csv")], label=_("格式")
    )
    search_fields = ["what", "filters"]

    class Meta:
        model = ExportLog
        fields = ["q", "user", "format"]


# ---------------------------------------------------------------- tables
TABLE_META = {
    "attrs": {"class": "table table-sm table-hover align-middle qc-table"},
    "empty_text": _("没有符合条件的记录"),
    "per_page": 50,
}


class ChangeLogTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("时间"))
    actor = tables.Column(empty_values=(), verbose_name=_("操作人"), orderable=False)
    action = tables.Column(verbose_name=_("操作"))
    content_type = tables.Column(verbose_name=_("对象类型"), orderable=False)
    object_id = tables.Column(verbose_name=_("对象编号"))
    object_repr = tables.Column(verbose_name=_("对象"))
    fields = tables.Column(empty_values=(), verbose_name=_("变化的字段"), orderable=False)
    request_id = tables.Column(verbose_name=_("请求编号"))

    class Meta:
        model = ChangeLog
        fields = ["time", "actor", "action", "content_type", "object_id", "object_repr"]
        sequence = [*fields, "fields", "request_id"]
        attrs = TABLE_META["attrs"]
        empty_text = TABLE_META["empty_text"]
        per_page = TABLE_META["per_page"]
        order_by = ("-time",)

    def render_actor(self, record):
        return str(record.actor) if record.actor_id else (record.actor_label or "—")

    def render_action(self, record):
        return format_html(
            '<span class="badge text-bg-{}">{}</span>',
            ChangeAction.colour(record.action),
            record.get_action_display(),
        )

    def render_content_type(self, record):
        model = record.content_type.model_class()
        return model._meta.verbose_name if model is not None else record.content_type.model

    def render_fields(self, record):
        model = record.content_type.model_class()
        names = [field_label(model, name) for name, _before, _after in record.changed_fields()]
        text = "、".join(names[:12]) + ("…" if len(names) > 12 else "")
        if record.note:
            text = f"{text}（{record.note}）" if text else record.note
        return text or "—"


def _value_text(field, value) -> str:
    """A logged value as a person reads it: choices by label, 是/否, — for nothing, structured
    data as compact text (never Python's repr with None and quotes)."""
    import json

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    choices = dict(getattr(field, "choices", None) or [])
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 80 else text[:79] + "…"
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def readable_changes(changes) -> list[dict]:
    """Change-log rows for a detail page's 变更记录 tab: each changed field by its Chinese name,
    with its old and new values as people read them."""
    rows = []
    for change in changes:
        model = change.content_type.model_class()
        fields = []
        for name, before, after in change.changed_fields():
            field = model_field(model, name)
            old, new = _value_text(field, before), _value_text(field, after)
            if old != new:  # None → "" is no change a reader can see
                fields.append((field_label(model, name), old, new))
        rows.append({"change": change, "fields": fields})
    return rows


LOGIN_CHANNELS = {"form": _("登录页面"), "token": _("API令牌申请")}
LOGIN_REASONS = {
    "bad_credentials": _("用户名或密码错误"),
    "locked": _("账号已临时锁定"),
    "throttled": _("尝试过于频繁，已限流"),
}


class LoginLogTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("时间"))
    user = tables.Column(verbose_name=_("账号"))
    success = tables.BooleanColumn(verbose_name=_("成功"), yesno=("✓", "✗"))
    channel = tables.Column(verbose_name=_("登录方式"))
    reason = tables.Column(verbose_name=_("说明"))

    class Meta:
        model = LoginLog
        fields = ["time", "username", "user", "channel", "success", "reason", "ip", "user_agent"]
        attrs = TABLE_META["attrs"]
        empty_text = TABLE_META["empty_text"]
        per_page = TABLE_META["per_page"]

    def render_channel(self, value):
        return LOGIN_CHANNELS.get(value, value)

    def render_reason(self, value):
        return LOGIN_REASONS.get(value, value)


class ExportLogTable(tables.Table):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name=_("时间"))
    user = tables.Column(verbose_name=_("用户"))

    class Meta:
        model = ExportLog
        fields = ["time", "user", "what", "format", "rows", "filters"]
        attrs = TABLE_META["attrs"]
        empty_text = TABLE_META["empty_text"]
        per_page = TABLE_META["per_page"]


# ---------------------------------------------------------------- views
def _audit_list(request, title, queryset, filterset_class, table_class):
    if not may_view_audit(request.user):
        raise PermissionDenied(gettext("只有质量办管理员和审计人员可以查看审计日志"))
    filterset = filterset_class(request.GET or None, queryset=queryset, user=request.user)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    table = table_class(rows)
    RequestConfig(request, paginate={"per_page": TABLE_META["per_page"]}).configure(table)
    context = {"title": title, "table": table, "filter": filterset}
    if request.htmx:
        return render(request, "core/_table.html", context)
    return render(request, "core/audit_log.html", context)


@login_required
def change_log(request):
    queryset = ChangeLog.objects.select_related("actor", "content_type")
    return _audit_list(request, gettext("变更记录"), queryset, ChangeLogFilterSet, ChangeLogTable)


@login_required
def login_log(request):
    queryset = LoginLog.objects.select_related("user")
    return _audit_list(request, gettext("登录日志"), queryset, LoginLogFilterSet, LoginLogTable)


@login_required
def export_log(request):
    queryset = ExportLog.objects.select_related("user")
    return _audit_list(request, gettext("导出日志"), queryset, ExportLogFilterSet, ExportLogTable)
