"""目标责任考核: schemes as scoring tables, one assessment per subject and year with its
item scores (computed from data, self-assessed with evidence, reviewed), appeals, and the
facts (awards, deductions, major incidents) that bonus, deduction and veto items read.

A published assessment is frozen: it is never changed, only superseded by a new one with a
recorded reason.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.models import AuditedModel, OrgUnit, Region, User
from qcity.core.scopes import Scope

from .choices import AppealStatus, FactKind, Level, Method, NoDataRule, Stage, SubjectKind


class Scheme(AuditedModel):
    year = models.PositiveSmallIntegerField(_("考核年度"))
    name = models.CharField(_("方案名称"), max_length=200)
    total_points = models.DecimalField(
        _("总分"), max_digits=6, decimal_places=2, default=Decimal("100")
    )
    grade_a_min = models.DecimalField(
        _("A级最低分"), max_digits=6, decimal_places=2, default=Decimal("90")
    )
    grade_b_min = models.DecimalField(
        _("B级最低分"), max_digits=6, decimal_places=2, default=Decimal("80")
    )
    grade_c_min = models.DecimalField(
        _("C级最低分"), max_digits=6, decimal_places=2, default=Decimal("60")
    )
    grade_labels = models.CharField(_("等级名称（由高到低）"), max_length=60, default="A,B,C,D")
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("对应规划计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    notice_number = models.CharField(_("考核通报文号"), max_length=60, blank=True)
    notice_issued_at = models.DateField(_("考核通报印发日期"), null=True, blank=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self):
        return self.name


class SchemeItem(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, default=1)
    number = models.CharField(_("编号"), max_length=20, blank=True)
    name = models.CharField(_("考核指标"), max_length=200)
    key_points = models.TextField(_("考核要点"), blank=True)
    method = models.CharField(_("评分方法"), max_length=20, choices=Method.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=Decimal("0"))
    evidence_required = models.BooleanField(_("须提供佐证材料"), default=False)
    assessing_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("考核部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    params = models.JSONField(_("评分参数"), default=dict, blank=True)
    no_data_rule = models.CharField(
        _("无数据时"), max_length=10, choices=NoDataRule.choices, default=NoDataRule.SHARE
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "order", "pk"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")

    def __str__(self):
        return f"{self.number} {self.name}".strip()


class Assessment(AuditedModel):
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="assessments"
    )
    subject_kind = models.CharField(_("考核对象类型"), max_length=12, choices=SubjectKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices, default=Stage.SELF)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=10, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    result_reason = models.TextField(_("结果说明"), blank=True)
    publicity_until = models.DateField(_("公示截止"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("更正后的考核"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    supersede_reason = models.TextField(_("更正原因"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    scope = Scope.owned("unit")

    class Meta:
        ordering = ["scheme", "rank", "region__code", "pk"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")

    def __str__(self):
        return f"{self.scheme.year}年 {self.subject_label}"

    @property
    def subject_label(self) -> str:
        return str(self.region) if self.region_id else str(self.unit)

    @property
    def is_frozen(self) -> bool:
        return self.stage == Stage.PUBLISHED or self.superseded_by_id is not None

    @property
    def stage_colour(self):
        return Stage.colour(self.stage)


class ItemScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(SchemeItem, on_delete=models.PROTECT, related_name="+")
    computed_score = models.DecimalField(_("系统计算得分"), max_digits=7, decimal_places=2)
    computed_reason = models.TextField(_("计算依据"))
    no_data = models.BooleanField(_("无数据"), default=False)
    self_score = models.DecimalField(
        _("自评得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    self_note = models.TextField(_("自评说明"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/evidence/%Y/", blank=True)
    evidence_note = models.TextField(_("佐证材料说明"), blank=True)
    reviewed_score = models.DecimalField(
        _("审核得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    review_reason = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "item__order", "item__pk"]
        verbose_name = _("逐项得分")
        verbose_name_plural = _("逐项得分")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="assessment_unique_item")
        ]

    def __str__(self):
        return f"{self.item}: {self.final_score}"

    @property
    def is_missing(self) -> bool:
        """No data and no score: shown as 无数据, left out of the total (share rule) or
        waiting for the office's decision (office rule)."""
        if not self.no_data or self.item.no_data_rule == NoDataRule.ZERO:
            return False
        return self.item.no_data_rule == NoDataRule.SHARE or self.reviewed_score is None

    @property
    def is_unscored(self) -> bool:
        """A score somebody still has to give: a manual item without a review score, or an
        item without data whose rule leaves it to the office."""
        if self.reviewed_score is not None:
            return False
        if self.item.method == Method.MANUAL:
            return True
        return self.no_data and self.item.no_data_rule == NoDataRule.OFFICE

    @property
    def final_score(self):
        if self.is_missing:
            return None
        return self.reviewed_score if self.reviewed_score is not None else self.computed_score

    @property
    def final_reason(self) -> str:
        return self.review_reason if self.reviewed_score is not None else self.computed_reason


class Appeal(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="appeals")
    item_score = models.ForeignKey(
        ItemScore, null=True, blank=True, on_delete=models.CASCADE, related_name="appeals"
    )
    reason = models.TextField(_("申诉理由"))
    requested_score = models.DecimalField(
        _("申请得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    filed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decision_reason = models.TextField(_("复核意见"), blank=True)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        ordering = ["filed_at"]
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")

    def __str__(self):
        return f"{self.assessment}: {self.reason[:30]}"

    @property
    def status_colour(self):
        return AppealStatus.colour(self.status)


class AssessmentFact(AuditedModel):
    """A recorded fact an item reads: an award (加分), a deduction, or a major quality-safety
    incident (一票否决), for a region or a unit in a year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=10, choices=FactKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=Decimal("0"))
    description = models.CharField(_("事项"), max_length=300)
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    source = models.CharField(_("依据或文号"), max_length=200, blank=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["-year", "kind", "pk"]
        verbose_name = _("考核事项记录")
        verbose_name_plural = _("考核事项记录")

    def __str__(self):
        return self.description

    def clean(self):
        from django.core.exceptions import ValidationError

        if not self.region_id and not self.unit_id:
            raise ValidationError(_("请指定该事项所属的区划或单位"))
        if self.points is not None and self.points < 0:
            raise ValidationError({"points": _("分值不能为负数，扣分事项请选择“扣分事项”类别")})
