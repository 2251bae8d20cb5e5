"""Indicators, the links from plan targets to them, district decompositions, observations
(reported, imported or computed, with revisions kept) and the per-period light history.

ARCHITECTURE.md: a Target reads its Indicator's Observations and never knows which module
produced them; computed observations come from the registry in ``computed.py``.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.models import AuditedModel, UnitOwnedModel, VoidableModel
from qcity.core.scopes import Scope

from .choices import Aggregation, Direction, Light, LinkState, PeriodKind, Prefer, Source, Status


def params_key(params: dict | None) -> str:
    """Canonical text of a variant's parameters (the lookup key of its observations)."""
    return json.dumps(params or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class Indicator(AuditedModel):
    key = models.CharField(_("指标代码"), max_length=80, unique=True)
    name = models.CharField(_("指标名称"), max_length=200)
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)
    definition = models.TextField(_("定义"), blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    direction = models.CharField(
        _("方向"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    bound_min = models.DecimalField(
        _("下限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    bound_max = models.DecimalField(
        _("上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    aggregation = models.CharField(
        _("区域汇总方式"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    reporting_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("报送单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    computed_by = models.CharField(_("计算函数"), max_length=80, blank=True)
    parameters = models.JSONField(_("变体参数"), default=dict, blank=True)
    prefer = models.CharField(
        _("目标采用的数据"), max_length=10, choices=Prefer.choices, default=Prefer.REPORTED
    )
    # The grain of the indicator's reported and imported figures: one series, one grain.
    period_kind = models.CharField(
        _("报送周期"),
        max_length=8,
        choices=[(k, label) for k, label in PeriodKind.choices if k != PeriodKind.CUSTOM],
        blank=True,
        help_text=_("留空表示未规定；规定后只接受该周期的数据"),
    )
    cumulative = models.BooleanField(
        _("累计值"), default=False, help_text=_("数据为年初至本期末的累计值，而非当期值")
    )

    scope = Scope.reference()

    class Meta:
        ordering = ["key"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标库")

    def __str__(self):
        return self.name

    def computation(self, params: dict | None = None) -> tuple[str, str]:
        """(state, reason) of the system computation of a variant (``computed.check``)."""
        from . import computed

        return computed.check(self.computed_by, params)

    @property
    def computation_note(self) -> str:
        """Why the overall variant is not computed (未接入系统计算 …), or ""."""
        return self.computation()[1]

    @property
    def population(self) -> str:
        """What the system computation of the overall variant counts, or ""."""
        from . import computed

        state, _reason = self.computation()
        return computed.get(self.computed_by).population({}) if state == computed.OK else ""

    @property
    def grain_label(self) -> str:
        """月度当期值, 季度累计值 … or "" when no grain is set."""
        if not self.period_kind:
            return ""
        text = _("{kind}累计值") if self.cumulative else _("{kind}当期值")
        return text.format(kind=PeriodKind(self.period_kind).label)

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        return (
            None if self.bound_min is None else float(self.bound_min),
            None if self.bound_max is None else float(self.bound_max),
        )


class TargetLink(AuditedModel):
    target = models.OneToOneField(
        "plans.Target", verbose_name=_("目标"), on_delete=models.CASCADE, related_name="link"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
    )
    params = models.JSONField(_("变体参数"), default=dict, blank=True)
    units = models.ManyToManyField(
        "core.OrgUnit", verbose_name=_("责任单位"), blank=True, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=LinkState.choices, default=LinkState.PROPOSED
    )
    proposed_score = models.DecimalField(
        _("匹配得分"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    proposals = models.JSONField(_("匹配建议"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["target__plan", "target__order"]
        verbose_name = _("目标指标关联")
        verbose_name_plural = _("目标指标关联")

    def __str__(self):
        return f"{self.target.indicator_text} → {self.indicator or '-'}"

    @property
    def params_key(self) -> str:
        return params_key(self.params)

    @property
    def params_json(self) -> str:
        return json.dumps(self.params or {}, ensure_ascii=False)

    @property
    def params_label(self) -> str:
        """The variant in Chinese words ("产品类别：水产品；环节：产地"), "" for none."""
        from .params import variant_label

        return variant_label(self.params, empty="")


class Decomposition(AuditedModel):
    """One district's share of a city target for one year (指标分解)."""

    target = models.ForeignKey(
        "plans.Target",
        verbose_name=_("市级目标"),
        on_delete=models.CASCADE,
        related_name="decompositions",
    )
    region = models.ForeignKey(
        "core.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("年度目标值"), max_digits=18, decimal_places=4)
    baseline = models.DecimalField(
        _("基期值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    district_target = models.ForeignKey(
        "plans.Target",
        verbose_name=_("区县目标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decomposed_from",
    )

    scope = Scope.reference()

    class Meta:
        ordering = ["target", "region__code", "year"]
        verbose_name = _("指标分解")
        verbose_name_plural = _("指标分解")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "region", "year"], name="indicators_unique_decomposition_year"
            )
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.value.normalize():f}"


def evidence_path(instance, filename):
    return f"observations/{instance.period_start:%Y/%m}/{filename}"


class Observation(UnitOwnedModel, VoidableModel):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="observations"
    )
    params = models.JSONField(_("变体参数"), default=dict, blank=True)
    params_key = models.CharField(max_length=300, default="{}", editable=False)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    period_kind = models.CharField(
        _("周期类型"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    numerator = models.DecimalField(
        _("分子"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("分母"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.REPORTED
    )
    filter = models.JSONField(_("计算口径"), default=dict, blank=True)
    url = models.CharField(_("明细链接"), max_length=500, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveIntegerField(_("修订次数"), default=1)
    is_current = models.BooleanField(_("现行值"), default=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("替代的旧值"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )

    scope = Scope.owned("unit")

    class Meta:
        ordering = ["indicator", "region", "-period_end", "-revision"]
        verbose_name = _("指标观测值")
        verbose_name_plural = _("指标观测值")
        indexes = [
            models.Index(
                fields=["indicator", "params_key", "region", "is_current", "period_end"],
                name="obs_series",
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.region} {self.period_start:%Y-%m}～{self.period_end:%Y-%m}"

    @classmethod
    def for_series(cls, indicator, key: str, region):
        """Current figures of one variant in one region, oldest first."""
        return cls.objects.filter(
            indicator=indicator, params_key=key, region=region, is_current=True, is_void=False
        ).order_by("period_end", "pk")

    def save(self, *args, **kwargs):
        self.params_key = params_key(self.params)
        super().save(*args, **kwargs)


class LightSnapshot(models.Model):
    """A target's status at the end of one period, kept for the light history (亮灯记录)."""

    target = models.ForeignKey(
        "plans.Target", verbose_name=_("目标"), on_delete=models.CASCADE, related_name="lights"
    )
    period_end = models.DateField(_("期末日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    light = models.CharField(_("灯色"), max_length=8, choices=Light.choices)
    lag_points = models.FloatField(_("落后序时进度（百分点）"), null=True, blank=True)
    current = models.FloatField(_("当前值"), null=True, blank=True)
    explanation = models.TextField(_("说明"), blank=True)
    taken_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        ordering = ["target", "period_end"]
        verbose_name = _("亮灯记录")
        verbose_name_plural = _("亮灯记录")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "period_end"], name="indicators_unique_light_period"
            )
        ]

    def __str__(self):
        return f"{self.target_id} {self.period_end} {self.light}"
