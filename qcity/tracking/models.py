"""督查督办: the assignment of a task to its units, its periodic progress reports with the
co-units' inputs, extension requests, the 提醒 → 催办 → 督办 ladder and the light history.

Every state change goes through ``tracking.services``; the timeline (core Event rows) records
who did what and when.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.models import AuditedModel, OrgUnit, User, VoidableModel
from qcity.core.scopes import VIEW, Scope, ScopedManager, ScopedQuerySet
from qcity.plans.choices import TaskSource

from .choices import (
    AssignmentState,
    ExtensionStatus,
    FollowUpKind,
    FollowUpSubject,
    Light,
    NoticeStatus,
    ReportCycle,
    ReportStatus,
)


class AssignmentQuerySet(ScopedQuerySet):
    def for_user(self, user, action: str = VIEW):
        """The involving scope, and units do not see an item before the office has 交办 it
        (待交办 drafts are the office's own working records; auditors read them)."""
        qs = super().for_user(user, action)
        if user is None or not user.is_authenticated:
            return qs
        if not (user.is_office_admin or (user.is_auditor and action == VIEW)):
            qs = qs.exclude(state="draft")
        return qs


class Assignment(AuditedModel, VoidableModel):
    task = models.OneToOneField(
        "plans.Task",
        verbose_name=_("规划任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignment",
    )
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("规划计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    title = models.CharField(_("事项"), max_length=500)
    source = models.CharField(
        _("任务来源"), max_length=12, choices=TaskSource.choices, default=TaskSource.PLAN
    )
    source_note = models.CharField(_("来源说明"), max_length=300, blank=True)
    lead_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.CharField(_("牵头领导"), max_length=50, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    completion_standard = models.TextField(_("完成标准"), blank=True)
    deadline = models.DateField(_("完成时限"))
    original_deadline = models.DateField(_("原定时限"))
    cycle = models.CharField(
        _("报送周期"), max_length=12, choices=ReportCycle.choices, default=ReportCycle.MONTHLY
    )
    report_day = models.PositiveSmallIntegerField(_("报送日"), default=5)
    milestones = models.JSONField(_("节点安排"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.DRAFT
    )
    state_before_suspension = models.CharField(max_length=16, blank=True)
    state_reason = models.CharField(_("状态说明"), max_length=500, blank=True)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    signed_on = models.DateField(_("签收日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    close_evidence = models.TextField(_("销号佐证"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices, default=Light.GREY)
    light_reason = models.CharField(_("亮灯说明"), max_length=300, blank=True)

    scope = Scope.involving("lead_unit", "co_units__unit")
    objects = ScopedManager.from_queryset(AssignmentQuerySet)()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")

    def __str__(self):
        return self.title

    @property
    def state_colour(self):
        return AssignmentState.colour(self.state)

    @property
    def light_colour(self):
        return Light.colour(self.light)


class AssignmentCoUnit(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="co_units")
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("配合单位"), on_delete=models.PROTECT, related_name="+"
    )
    duty = models.TextField(_("分工内容"), blank=True)

    class Meta:
        verbose_name = _("配合单位")
        verbose_name_plural = _("配合单位")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "unit"], name="tracking_unique_co_unit")
        ]

    def __str__(self):
        return str(self.unit)


class ProgressReport(AuditedModel):
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("督办事项"), on_delete=models.CASCADE, related_name="reports"
    )
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    due_date = models.DateField(_("报送期限"))
    done = models.TextField(_("本期完成情况"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    support_needed = models.TextField(_("需协调事项"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(_("迟报"), default=False)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    indicator_values = models.JSONField(_("报送的指标值"), default=list, blank=True)

    scope = Scope.involving("assignment__lead_unit", "assignment__co_units__unit")

    class Meta:
        ordering = ["assignment", "-period_start"]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period_start"], name="tracking_unique_report_period"
            )
        ]

    def __str__(self):
        return f"{self.assignment} {self.period_start:%Y-%m-%d}—{self.period_end:%Y-%m-%d}"

    @property
    def status_colour(self):
        return ReportStatus.colour(self.status)


class CoUnitInput(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="inputs")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("配合单位"), on_delete=models.PROTECT)
    text = models.TextField(_("配合单位意见"))
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now=True)

    class Meta:
        ordering = ["submitted_at"]
        verbose_name = _("配合单位意见")
        verbose_name_plural = _("配合单位意见")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "unit"], name="tracking_unique_input_per_unit"
            )
        ]

    def __str__(self):
        return f"{self.unit}: {self.text[:30]}"


class ExtensionRequest(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("延期理由"))
    progress_note = models.TextField(_("目前进展"), blank=True)
    current_deadline = models.DateField(_("原完成时限"))
    new_deadline = models.DateField(_("申请延至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self):
        return f"{self.assignment} → {self.new_deadline}"

    @property
    def status_colour(self):
        return ExtensionStatus.colour(self.status)


class FollowUp(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(_("类别"), max_length=10, choices=FollowUpKind.choices)
    subject = models.CharField(_("事由"), max_length=10, choices=FollowUpSubject.choices)
    period_start = models.DateField(_("报告期起"), null=True, blank=True)
    due_date = models.DateField(_("所催期限"))
    issued_on = models.DateField(_("发出日期"))
    message = models.TextField(_("内容"))
    reason = models.TextField(_("督办事由"), blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    number = models.CharField(_("通知单编号"), max_length=40, blank=True)
    answer_deadline = models.DateField(_("答复期限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_by = models.ForeignKey(
        User,
        verbose_name=_("答复录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_for = models.ForeignKey(
        OrgUnit,
        verbose_name=_("答复单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on_behalf = models.BooleanField(_("质量办代为回复"), default=False)
    answer_basis = models.CharField(_("代为回复依据"), max_length=300, blank=True)
    status = models.CharField(
        _("签发状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("催督办记录")
        verbose_name_plural = _("催督办记录")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"],
                condition=models.Q(kind="supervise"),
                name="tracking_unique_supervise_number",
            )
        ]

    def __str__(self):
        return self.number or f"{self.get_kind_display()} {self.assignment}"

    @property
    def kind_colour(self):
        return FollowUpKind.colour(self.kind)

    @property
    def is_draft(self):
        return self.status == NoticeStatus.DRAFT

    @property
    def status_colour(self):
        return NoticeStatus.colour(self.status)


class LightSnapshot(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="lights")
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices)
    expected_percent = models.PositiveSmallIntegerField(_("序时进度（%）"))
    actual_percent = models.PositiveSmallIntegerField(_("实际进度（%）"))
    explanation = models.CharField(_("说明"), max_length=300)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment", "period_start"]
        verbose_name = _("亮灯记录")
        verbose_name_plural = _("亮灯记录")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period_start"], name="tracking_unique_light_period"
            )
        ]

    def __str__(self):
        return f"{self.assignment} {self.period_start} {self.get_light_display()}"

    @property
    def light_colour(self):
        return Light.colour(self.light)
