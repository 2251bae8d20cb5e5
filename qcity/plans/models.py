"""Plans and what they set: sections, tasks with their responsible units, numeric targets, and
the import drafts a reviewer works on before anything becomes a Plan.

Tasks and targets carry a ``lineage`` id that stays the same across versions of a plan, so
progress attached to a task survives a revised plan (ARCHITECTURE.md, plans).
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.models import AuditedModel, OrgUnit, Region, VoidableModel
from qcity.core.scopes import Scope, ScopedManager

from .choices import (
    Direction,
    ImportStatus,
    PlanKind,
    PlanRole,
    ResponsibilityRole,
    TargetKind,
    TargetOp,
    TaskSource,
)


class Plan(AuditedModel, VoidableModel):
    title = models.CharField(_("标题"), max_length=300)
    kind = models.CharField(
        _("文件类型"), max_length=10, choices=PlanKind.choices, default=PlanKind.PLAN
    )
    role = models.CharField(
        _("用途"), max_length=10, choices=PlanRole.choices, default=PlanRole.OURS
    )
    is_draft = models.BooleanField(_("征求意见稿"), default=False)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    issuers = models.ManyToManyField(
        OrgUnit, verbose_name=_("发文单位"), blank=True, related_name="issued_plans"
    )
    issuers_text = models.CharField(_("发文单位（原文）"), max_length=300, blank=True)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    signed_date = models.DateField(_("成文日期"), null=True, blank=True)
    posted_date = models.DateField(_("发布日期"), null=True, blank=True)
    period_start = models.PositiveSmallIntegerField(_("起始年份"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("截止年份"), null=True, blank=True)
    default_year = models.PositiveSmallIntegerField(_("默认目标年份"), null=True, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous_version = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    is_current = models.BooleanField(_("现行版本"), default=True)
    aligned_to = models.ForeignKey(
        "self",
        verbose_name=_("对标上级规划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aligned_plans",
    )

    scope = Scope.reference()

    class Meta:
        ordering = ["-posted_date", "-pk"]
        verbose_name = _("规划计划")
        verbose_name_plural = _("规划计划")

    def __str__(self):
        return self.title


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    number = models.CharField(_("编号"), max_length=20, blank=True)
    title = models.CharField(_("标题"), max_length=500)
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    role = models.CharField(
        _("类别"), max_length=12, default="work"
    )  # work / goal / safeguard / preface
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    order = models.PositiveIntegerField(default=0)

    objects = ScopedManager()
    scope = Scope.reference()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("章节")
        verbose_name_plural = _("章节")

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class Task(AuditedModel, VoidableModel):
    plan = models.ForeignKey(
        Plan, verbose_name=_("规划计划"), on_delete=models.PROTECT, related_name="tasks"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("章节"), null=True, blank=True, on_delete=models.SET_NULL
    )
    lineage = models.UUIDField(_("任务标识"), default=uuid.uuid4, db_index=True, editable=False)
    number = models.CharField(_("编号"), max_length=20, blank=True)
    parent_number = models.CharField(_("上级编号"), max_length=20, blank=True)
    title = models.CharField(_("任务"), max_length=500)
    body = models.TextField(_("任务内容"), blank=True)
    source = models.CharField(
        _("任务来源"), max_length=12, choices=TaskSource.choices, default=TaskSource.PLAN
    )
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    order = models.PositiveIntegerField(default=0)

    scope = Scope.involving("lead_unit", "responsibilities__unit")

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")

    def __str__(self):
        return f"{self.number} {self.title}".strip()


class Responsibility(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="responsibilities")
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    name_as_written = models.CharField(_("原文名称"), max_length=200)
    role = models.CharField(
        _("角色"), max_length=4, choices=ResponsibilityRole.choices, default=ResponsibilityRole.LEAD
    )
    duty = models.TextField(_("分工内容"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager()
    scope = Scope.involving("task__lead_unit", "unit")

    class Meta:
        ordering = ["task", "order"]
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任分工")

    def __str__(self):
        return f"{self.name_as_written}（{self.get_role_display()}）"


class Target(AuditedModel, VoidableModel):
    plan = models.ForeignKey(
        Plan, verbose_name=_("规划计划"), on_delete=models.PROTECT, related_name="targets"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("所属任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    section = models.ForeignKey(
        Section, verbose_name=_("章节"), null=True, blank=True, on_delete=models.SET_NULL
    )
    lineage = models.UUIDField(_("目标标识"), default=uuid.uuid4, db_index=True, editable=False)
    indicator_text = models.CharField(_("指标（原文）"), max_length=300)
    op = models.CharField(
        _("比较方式"), max_length=6, choices=TargetOp.choices, default=TargetOp.GE
    )
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4)
    value_high = models.DecimalField(
        _("目标值上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    kind = models.CharField(
        _("目标类型"), max_length=12, choices=TargetKind.choices, default=TargetKind.LEVEL
    )
    direction = models.CharField(
        _("方向"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    base_text = models.CharField(_("比较基数（原文）"), max_length=50, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    text = models.TextField(_("原文"), blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    scope = Scope.reference()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")

    def __str__(self):
        return (
            f"{self.indicator_text} {self.get_op_display()} {self.value.normalize():f}{self.unit}"
        )


class PlanImport(AuditedModel):
    """An uploaded plan document, its extraction and the reviewer's draft; nothing becomes a
    Plan until the reviewer imports it, and the import succeeds whole or not at all."""

    file = models.FileField(_("文件"), upload_to="plan-imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.EXTRACTING
    )
    role = models.CharField(
        _("用途"), max_length=10, choices=PlanRole.choices, default=PlanRole.OURS
    )
    revision_of = models.ForeignKey(
        Plan,
        verbose_name=_("修订的规划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
    )
    extraction = models.JSONField(_("识别结果"), null=True, blank=True)
    draft = models.JSONField(_("审核稿"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("导入后的规划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    created_by = models.ForeignKey(
        "core.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope.office()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("规划导入")
        verbose_name_plural = _("规划导入")

    def __str__(self):
        return self.file_name
