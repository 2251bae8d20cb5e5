"""Core models: regions and units with dated names, users and roles, the audit trail,
business-event timeline, rules, working-day calendar, jobs, imports, messages and to-dos.

Base classes (PATTERNS.md 2): ``TimeStampedModel`` → ``AuditedModel`` (change-log tab) →
``UnitOwnedModel`` (belongs to an OrgUnit; default manager knows the user's scope), with
``VoidableModel`` for records of legal weight (voided with a reason, never deleted).
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ChangeAction, DayKind, ImportMode, JobStatus, RegionLevel, Role, UnitKind
from .scopes import Scope, ScopedManager, ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditedModel(TimeStampedModel):
    """A model whose changes are written to the change log by the services."""

    audited = True
    objects = ScopedManager()

    class Meta:
        abstract = True


class VoidableModel(models.Model):
    is_void = models.BooleanField(_("已作废"), default=False, db_index=True)
    void_reason = models.CharField(_("作废原因"), max_length=500, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        abstract = True


class UnitOwnedModel(AuditedModel):
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    scope = Scope.owned("unit")

    class Meta:
        abstract = True


# ---------------------------------------------------------------- regions and units
class Region(AuditedModel):
    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(
                r"^\d{6}([A-Z0-9]{0,6})$", _("区划代码应为6位数字（GB/T 2260），功能区可附加后缀")
            )
        ],
        help_text=_("GB/T 2260 六位代码；开发区、高新区使用所在市代码加字母后缀"),
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_assessed = models.BooleanField(_("参与考核"), default=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("上级区划不能形成循环")})
            ancestor = ancestor.parent

    def subtree_ids(self) -> list[int]:
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(
                Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


class OrgUnit(AuditedModel):
    name = models.CharField(_("现用名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(
        _("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("现存"), default=True)
    dissolved_on = models.DateField(_("撤并日期"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("并入单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("机构改革中被合并时，指向承接其职责的单位"),
    )
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unique_unit_name_per_region")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        for field in ("parent", "successor"):
            seen, node = set(), getattr(self, field)
            while node is not None:
                if (self.pk is not None and node.pk == self.pk) or node.pk in seen:
                    raise ValidationError({field: _("单位关系不能形成循环")})
                seen.add(node.pk)
                node = getattr(node, field)

    def current(self) -> OrgUnit:
        """Follow mergers to the unit that carries this one's duties today."""
        node, seen = self, set()
        while node.successor_id and node.pk not in seen:
            seen.add(node.pk)
            node = node.successor
        return node


class NameKind(models.TextChoices):
    OFFICIAL = "official", _("正式名称")
    ALIAS = "alias", _("简称或别名")
    FORMER = "former", _("曾用名")


class OrgUnitName(AuditedModel):
    """A name a unit was or is known by, valid over a dated interval (open ends allowed)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(
        _("类型"), max_length=12, choices=NameKind.choices, default=NameKind.ALIAS
    )
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["name", "valid_from"]
        verbose_name = _("单位名称")
        verbose_name_plural = _("单位名称")

    def __str__(self):
        return self.name

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("停用日期不能早于启用日期")})


class NearMissPair(TimeStampedModel):
    """Two names that look alike but are different units: never matched automatically."""

    left = models.CharField(_("名称甲"), max_length=200)
    right = models.CharField(_("名称乙"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("易混名称对")
        verbose_name_plural = _("易混名称对")
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="unique_near_miss_pair")
        ]

    def __str__(self):
        return f"{self.left} ≠ {self.right}"


# ---------------------------------------------------------------- users and roles
class UserManager(DjangoUserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=True)
    failed_logins = models.PositiveIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    objects = UserManager()
    scope = Scope.office()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    @property
    def roles(self) -> set[str]:
        if not hasattr(self, "_roles_cache"):
            self._roles_cache = set(self.role_assignments.values_list("role", flat=True))
        return self._roles_cache

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_office_admin(self) -> bool:
        return self.is_superuser or Role.OFFICE_ADMIN in self.roles

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    def unit_ids(self) -> set[int]:
        if not hasattr(self, "_unit_ids_cache"):
            self._unit_ids_cache = set(
                self.role_assignments.exclude(unit=None).values_list("unit_id", flat=True)
            )
        return self._unit_ids_cache


class RoleAssignment(TimeStampedModel):
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE
    )
    is_liaison = models.BooleanField(_("联络员"), default=False)

    objects = ScopedManager()
    scope = Scope.office()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_assignment")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit or '-'}"

    def clean(self):
        if self.role in (Role.UNIT_STAFF, Role.INSPECTOR) and not self.unit_id:
            raise ValidationError({"unit": _("单位工作人员和执法检查人员必须指定单位")})


# ---------------------------------------------------------------- audit and timeline
class ChangeLog(models.Model):
    """Read-only record of one create/update/void/delete/import (PATTERNS.md 3)."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作来源"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, db_index=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("change-log rows are read-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("change-log rows are read-only")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Event(models.Model):
    """A business event on a workflow object's timeline (PATTERNS.md 4)."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    target = GenericForeignKey("content_type", "object_id")
    type = models.CharField(_("事件"), max_length=60)
    label = models.CharField(_("事件名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)

    class Meta:
        ordering = ["time", "pk"]
        verbose_name = _("业务事件")
        verbose_name_plural = _("业务事件")
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]

    def __str__(self):
        return self.label


def attachment_path(instance, filename):
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class Attachment(TimeStampedModel):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, db_index=True)
    target = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- rules and calendar
class Rule(TimeStampedModel):
    """A statutory or configurable time limit or threshold, editable by the office."""

    key = models.CharField(_("规则键"), max_length=120, unique=True)
    name = models.CharField(_("规则名称"), max_length=200)
    value = models.CharField(_("取值"), max_length=200)
    kind = models.CharField(_("取值类型"), max_length=20)
    source = models.CharField(_("依据"), max_length=500)
    confidence = models.CharField(_("可信度"), max_length=2)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    app = models.CharField(_("所属模块"), max_length=40)

    class Meta:
        ordering = ["app", "key"]
        verbose_name = _("规则")
        verbose_name_plural = _("规则")

    def __str__(self):
        return f"{self.name} = {self.value}"


class RuleHistory(models.Model):
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="history")
    value = models.CharField(_("取值"), max_length=200)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    changed_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("修改原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("规则修改记录")
        verbose_name_plural = _("规则修改记录")

    def __str__(self):
        return f"{self.rule_id}: {self.value}"


class Holiday(AuditedModel):
    """One day that differs from the Monday–Friday pattern: a holiday or a 调休 working day."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


# ---------------------------------------------------------------- jobs and imports
class Job(TimeStampedModel):
    kind = models.CharField(_("任务类型"), max_length=80)
    params = models.JSONField(_("参数"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveIntegerField(_("进度"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run_after = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return (
            int(100 * self.progress / self.total)
            if self.total
            else (100 if self.status == JobStatus.DONE else 0)
        )


def import_path(instance, filename):
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class ImportRun(TimeStampedModel):
    importer = models.CharField(_("导入类型"), max_length=80)
    file = models.FileField(_("文件"), upload_to=import_path)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    mode = models.CharField(
        _("导入方式"), max_length=8, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    job = models.OneToOneField(Job, null=True, on_delete=models.SET_NULL, related_name="import_run")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_created = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rows_failed = models.PositiveIntegerField(_("出错"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    committed = models.BooleanField(_("已写入"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")

    def __str__(self):
        return f"{self.importer} {self.file_name}"


# ---------------------------------------------------------------- messages and to-dos
class Message(TimeStampedModel):
    recipient = models.ForeignKey(
        User, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="messages"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")

    def __str__(self):
        return self.title


class Todo(TimeStampedModel):
    """A to-do for a user, or for every user of a unit (a 待办 of the unit)."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="todos"
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="todos"
    )
    title = models.CharField(_("事项"), max_length=200)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    due = models.DateField(_("期限"), null=True, blank=True)
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due", "-created_at"]
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")

    def __str__(self):
        return self.title


class NotificationLog(TimeStampedModel):
    channel = models.CharField(_("渠道"), max_length=20)
    recipient = models.CharField(_("接收人"), max_length=200)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")

    # ---------------------------------------------------------------- security logs

    def __str__(self):
        return self.subject


class LoginLog(models.Model):
    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    username = models.CharField(_("用户名"), max_length=150)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    success = models.BooleanField(_("成功"))
    reason = models.CharField(_("说明"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    channel = models.CharField(_("登录方式"), max_length=10, default="form", blank=True)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("登录日志")
        verbose_name_plural = _("登录日志")

    def __str__(self):
        return f"{self.username} {self.time:%Y-%m-%d %H:%M}"


class ExportLog(models.Model):
    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(_("导出内容"), max_length=200)
    format = models.CharField(_("格式"), max_length=10)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    filters = models.CharField(_("筛选条件"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("导出日志")
        verbose_name_plural = _("导出日志")

    def __str__(self):
        return f"{self.what} {self.format}"


class SiteFlag(models.Model):
    """Facts about this database itself, such as 'this is a demo database'."""

    key = models.CharField(max_length=60, unique=True)
    value = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("站点标记")
        verbose_name_plural = _("站点标记")

    def __str__(self):
        return f"{self.key}={self.value}"


class ApiToken(models.Model):
    """An API token (qcity/core/tokens.py): only its SHA-256 digest is stored; it expires after
    an absolute lifetime and after an idle period, and is revoked on password change or reset,
    role change and deactivation."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")

    def __str__(self):
        return f"{self.prefix}…"
