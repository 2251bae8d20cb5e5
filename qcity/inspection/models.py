"""双随机一公开 tasks and their verifiable draws, inspection records, sampling plans, samples
and test items, the two disposal chains, and pre-aggregated pass-rate counts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.models import AuditedModel, UnitOwnedModel, VoidableModel
from qcity.core.scopes import Scope
from qcity.registry.choices import EnterpriseType

from .choices import (
    AllocationMode,
    Chain,
    Channel,
    Conclusion,
    Level,
    Outcome,
    SampleType,
    Stage,
    TaskStatus,
)


def rules_path(instance, filename):
    return f"inspection/rules/{filename}"


class InspectionItemList(UnitOwnedModel):
    """A department's 抽查事项清单 with its 抽查细则 attached."""

    name = models.CharField(_("清单名称"), max_length=200)
    year = models.PositiveIntegerField(_("年度"))
    items = models.TextField(_("抽查事项"), help_text=_("每行一项：抽查事项名称（检查依据）"))
    rules_file = models.FileField(_("抽查细则"), upload_to=rules_path, blank=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("抽查事项清单")
        verbose_name_plural = _("抽查事项清单")

    def __str__(self):
        return self.name

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


class RandomInspectionTask(UnitOwnedModel):
    """A 双随机 task: scope, allocation, the published commitment, the public value and the
    draw. The secret stays hidden until the draw; a second draw is refused."""

    name = models.CharField(_("任务名称"), max_length=200)
    item_list = models.ForeignKey(
        InspectionItemList,
        verbose_name=_("抽查事项清单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    joint_units = models.ManyToManyField(
        "core.OrgUnit",
        verbose_name=_("联合检查部门"),
        blank=True,
        related_name="+",
        help_text=_("联合抽查时，每户检查组须包含每个部门至少一名检查人员"),
    )
    region = models.ForeignKey(
        "core.Region", verbose_name=_("抽查区域"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "registry.ProductCategory",
        verbose_name=_("产品类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("只抽取有该类别（含下级）产品的企业；留空为不限"),
    )
    enterprise_type = models.CharField(
        _("主体类型"), max_length=12, choices=EnterpriseType.choices, blank=True
    )
    period_start = models.DateField(_("检查期起"))
    period_end = models.DateField(_("检查期止"))
    mode = models.CharField(
        _("抽取方式"), max_length=8, choices=AllocationMode.choices, default=AllocationMode.RATIO
    )
    ratio_a = models.DecimalField(
        _("A类比例(%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ratio_b = models.DecimalField(
        _("B类比例(%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ratio_c = models.DecimalField(
        _("C类比例(%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ratio_d = models.DecimalField(
        _("D类比例(%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    count_a = models.PositiveIntegerField(_("A类户数"), null=True, blank=True)
    count_b = models.PositiveIntegerField(_("B类户数"), null=True, blank=True)
    count_c = models.PositiveIntegerField(_("C类户数"), null=True, blank=True)
    count_d = models.PositiveIntegerField(_("D类户数"), null=True, blank=True)
    total = models.PositiveIntegerField(_("抽查总户数"), null=True, blank=True)
    team_size = models.PositiveSmallIntegerField(_("每户检查人数"), null=True, blank=True)
    recent_n = models.PositiveSmallIntegerField(_("回避最近检查次数"), null=True, blank=True)
    workload_cap = models.PositiveIntegerField(_("每人最多检查户数"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.DRAFT
    )
    secret = models.CharField(_("密钥"), max_length=128, blank=True, editable=False)
    snapshot = models.JSONField(_("抽取输入"), null=True, blank=True, editable=False)
    commitment = models.JSONField(_("承诺"), null=True, blank=True, editable=False)
    committed_at = models.DateTimeField(_("承诺公布时间"), null=True, blank=True, editable=False)
    # The public randomness source, bound by the commitment (docs/draw.md §4): which result of
    # which issue, in which canonical format, and from when it can be known.
    source_name = models.CharField(_("公开随机数来源"), max_length=100, blank=True, editable=False)
    source_issue = models.CharField(_("期号"), max_length=40, blank=True, editable=False)
    source_format = models.CharField(_("值格式"), max_length=20, blank=True, editable=False)
    source_available_at = models.DateTimeField(
        _("最早可知时间"), null=True, blank=True, editable=False
    )
    public_value = models.CharField(_("公开随机数"), max_length=200, blank=True, editable=False)
    public_value_canonical = models.CharField(
        _("公开随机数（规范形式）"), max_length=100, blank=True, editable=False
    )
    public_value_source = models.CharField(
        _("公开随机数来源"), max_length=200, blank=True, editable=False
    )
    result = models.JSONField(_("抽取结果"), null=True, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("双随机抽查任务")
        verbose_name_plural = _("双随机抽查任务")

    def __str__(self):
        return self.name

    def clean(self):
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("检查期止不能早于检查期起")})


class PublicValueEntry(models.Model):
    """Every attempt to enter the public value, accepted or refused, with its time and reason.
    Written in its own transaction so a refusal leaves its trace (shown on the public page)."""

    task = models.ForeignKey(
        RandomInspectionTask,
        verbose_name=_("任务"),
        on_delete=models.PROTECT,
        related_name="value_entries",
    )
    entered_at = models.DateTimeField(_("录入时间"))
    value = models.CharField(_("录入值"), max_length=200)
    canonical = models.CharField(_("规范形式"), max_length=100, blank=True)
    accepted = models.BooleanField(_("已采用"), default=False)
    reason = models.CharField(_("拒绝原因"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["task", "entered_at", "pk"]
        verbose_name = _("公开随机数录入记录")
        verbose_name_plural = _("公开随机数录入记录")

    def __str__(self):
        return f"{self.task} · {self.value}"


class DrawEntry(AuditedModel):
    """One drawn enterprise with its inspector team (written once, by the draw)."""

    task = models.ForeignKey(
        RandomInspectionTask,
        verbose_name=_("任务"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    draw_id = models.CharField(_("抽取标识"), max_length=40)
    credit_class = models.CharField(_("信用风险分类"), max_length=1)
    position = models.PositiveIntegerField(_("配对顺序"))
    inspectors = models.ManyToManyField(
        "registry.Inspector", verbose_name=_("检查人员"), related_name="draw_entries"
    )

    scope = Scope.owned("task__unit")

    class Meta:
        ordering = ["task", "position"]
        verbose_name = _("抽取结果")
        verbose_name_plural = _("抽取结果")
        constraints = [
            models.UniqueConstraint(fields=["task", "enterprise"], name="unique_draw_entry")
        ]

    def __str__(self):
        return f"{self.task} · {self.enterprise}"


class InspectionRecord(UnitOwnedModel, VoidableModel):
    """Findings and outcome of one drawn inspection (一公开)."""

    entry = models.OneToOneField(
        DrawEntry, verbose_name=_("抽取结果"), on_delete=models.PROTECT, related_name="record"
    )
    task = models.ForeignKey(
        RandomInspectionTask,
        verbose_name=_("任务"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspected_on = models.DateField(_("检查日期"))
    findings = models.TextField(_("检查情况"))
    outcome = models.CharField(_("检查结果"), max_length=16, choices=Outcome.choices)
    publish_due = models.DateField(_("应公示日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    is_public = models.BooleanField(_("已公示"), default=False)

    class Meta:
        ordering = ["-inspected_on"]
        verbose_name = _("抽查检查记录")
        verbose_name_plural = _("抽查检查记录")

    def __str__(self):
        return f"{self.enterprise} {self.inspected_on}"


class SamplingPlan(UnitOwnedModel):
    name = models.CharField(_("计划名称"), max_length=200)
    level = models.CharField(_("组织层级"), max_length=10, choices=Level.choices)
    sample_type = models.CharField(_("抽检类型"), max_length=12, choices=SampleType.choices)
    category = models.ForeignKey(
        "registry.ProductCategory",
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "core.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("计划期起"))
    period_end = models.DateField(_("计划期止"))
    planned_batches = models.PositiveIntegerField(_("计划批次"), default=0)

    class Meta:
        ordering = ["-period_start", "name"]
        verbose_name = _("抽检计划")
        verbose_name_plural = _("抽检计划")

    def __str__(self):
        return self.name

    def clean(self):
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("计划期止不能早于计划期起")})


def bulk_path(instance, filename):
    return f"inspection/bulk/{filename}"


class ResultImport(models.Model):
    """One imported result file (lab file or published table, or a large file through the
    set-based importer run as a job): refused when imported twice."""

    TABLE, BULK = "table", "bulk"

    plan = models.ForeignKey(
        SamplingPlan, verbose_name=_("抽检计划"), on_delete=models.PROTECT, related_name="imports"
    )
    kind = models.CharField(
        _("导入方式"),
        max_length=8,
        choices=[(TABLE, _("公布表格逐行导入")), (BULK, _("大文件批量导入"))],
        default=TABLE,
    )
    file = models.FileField(_("文件"), upload_to=bulk_path, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error_count = models.PositiveIntegerField(_("出错行数"), default=0)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "core.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_created = models.PositiveIntegerField(_("新增样品"), default=0)
    rows_skipped = models.PositiveIntegerField(_("已存在而跳过"), default=0)
    errors = models.JSONField(_("问题明细"), default=list, blank=True)
    matches = models.JSONField(_("企业匹配"), default=list, blank=True)
    committed = models.BooleanField(_("已写入"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("结果导入")
        verbose_name_plural = _("结果导入")

    def __str__(self):
        return self.file_name


class Sample(UnitOwnedModel, VoidableModel):
    number = models.CharField(_("抽样编号"), max_length=60, unique=True)
    plan = models.ForeignKey(
        SamplingPlan, verbose_name=_("抽检计划"), on_delete=models.PROTECT, related_name="samples"
    )
    kind = models.CharField(_("类别体系"), max_length=10, editable=False)
    level = models.CharField(_("组织层级"), max_length=10, choices=Level.choices, editable=False)
    sample_type = models.CharField(
        _("抽检类型"), max_length=12, choices=SampleType.choices, editable=False
    )
    producer = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("标称生产企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sampled_unit = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("被抽样单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product_name = models.CharField(_("样品名称"), max_length=200)
    spec = models.CharField(_("规格型号"), max_length=100, blank=True)
    brand = models.CharField(_("商标"), max_length=100, blank=True)
    category = models.ForeignKey(
        "registry.ProductCategory",
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category_code = models.CharField(_("类别代码"), max_length=20, editable=False, db_index=True)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("抽样环节"), max_length=12, choices=Channel.choices)
    batch = models.CharField(_("生产日期/批号"), max_length=60, blank=True)
    production_date = models.DateField(_("生产日期"), null=True, blank=True)
    sampler = models.CharField(_("抽样人员"), max_length=100, blank=True)
    sampled_on = models.DateField(_("抽样日期"))
    lab = models.ForeignKey(
        "registry.TestingInstitution",
        verbose_name=_("检验机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    conclusion = models.CharField(
        _("检验结论"), max_length=10, choices=Conclusion.choices, default=Conclusion.PENDING
    )
    reported_on = models.DateField(_("报告日期"), null=True, blank=True)
    overturned = models.BooleanField(_("复检推翻原结论"), default=False)
    is_public = models.BooleanField(_("已公布"), default=False)
    source_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    import_run = models.ForeignKey(
        ResultImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples"
    )
    match_confidence = models.DecimalField(
        _("生产企业匹配置信度"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    # Published-table fields, kept as published (issue 11): the sampled place may not be in the
    # register, the lab may not be a registered institution, and the announcement identifies
    # the row for anyone checking it against the bureau's website.
    sampled_unit_name = models.CharField(
        _("被抽样单位名称"), max_length=200, blank=True, db_default=""
    )
    sampled_unit_address = models.CharField(
        _("被抽样单位地址"), max_length=300, blank=True, db_default=""
    )
    lab_name = models.CharField(_("检验机构（公布）"), max_length=200, blank=True, db_default="")
    notice_no = models.CharField(_("公告号"), max_length=100, blank=True, db_default="")
    notice_date = models.DateField(_("公告日期"), null=True, blank=True)
    task_source = models.CharField(
        _("任务来源/项目名称"), max_length=200, blank=True, db_default=""
    )
    # False when the table did not publish a 抽样日期: sampled_on then holds the announcement
    # date (the period the statistics count it in) and pages show the date as not published.
    sampled_on_published = models.BooleanField(_("抽样日期已公布"), default=True, db_default=True)
    published_row = models.JSONField(
        _("公布原文"), default=dict, blank=True, editable=False, db_default={}
    )
    search_text = models.TextField(_("检索文本（简体）"), blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["-sampled_on", "-pk"]
        verbose_name = _("样品")
        verbose_name_plural = _("样品")
        indexes = [
            models.Index(fields=["kind", "sampled_on"]),
            models.Index(fields=["conclusion", "is_void", "overturned"]),
        ]

    def __str__(self):
        return f"{self.number} {self.product_name}"

    @property
    def counted(self) -> bool:
        """In the statistics: a definite result, not voided, not overturned by 复检."""
        return (
            not self.is_void
            and not self.overturned
            and self.conclusion in (Conclusion.PASS, Conclusion.FAIL)
        )


class TestItem(models.Model):
    __test__ = False  # not a pytest class

    sample = models.ForeignKey(
        Sample, verbose_name=_("样品"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.CharField(_("检验项目"), max_length=200)
    method_standard = models.CharField(_("检验方法"), max_length=200, blank=True)
    value_text = models.CharField(_("检验结果"), max_length=100)
    value_number = models.DecimalField(
        _("检验结果（数值）"), max_digits=24, decimal_places=10, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    limit_text = models.CharField(_("标准值"), max_length=100, blank=True)
    verdict = models.CharField(_("单项判定"), max_length=10, choices=Conclusion.choices)
    reasons = models.CharField(_("判定说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["sample", "pk"]
        verbose_name = _("检验项目")
        verbose_name_plural = _("检验项目")

    def __str__(self):
        return self.item

    @property
    def value_display(self) -> str:
        """The result as published, with a superscript lost in conversion restored."""
        from .values import display

        return display(self.value_text)

    @property
    def limit_display(self) -> str:
        from .values import display

        return display(self.limit_text)


class DisposalCase(UnitOwnedModel):
    """后处理 of one failed sample: the food 核查处置 chain or the product chain, each with
    the clocks of the rule table."""

    sample = models.OneToOneField(
        Sample, verbose_name=_("样品"), on_delete=models.PROTECT, related_name="case"
    )
    chain = models.CharField(_("处置链"), max_length=10, choices=Chain.choices)
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    opened_on = models.DateField(_("立项日期"))
    due = models.DateField(_("本环节期限"), null=True, blank=True)
    notice_served_on = models.DateField(_("结果送达日期"), null=True, blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    recheck_due = models.DateField(_("复查期限"), null=True, blank=True)
    disposal_due = models.DateField(_("核查处置完成期限"), null=True, blank=True)
    penalty_case_no = models.CharField(_("立案号"), max_length=60, blank=True)
    evidence = models.TextField(_("办结证据"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    estimated = models.BooleanField(_("期限为估算"), default=False)

    class Meta:
        ordering = ["due", "-opened_on"]
        verbose_name = _("核查处置")
        verbose_name_plural = _("核查处置")

    def __str__(self):
        return f"{self.get_chain_display()} · {self.sample.number}"

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.CLOSED, Stage.OVERTURNED)


class PassRateRollup(models.Model):
    """Pre-aggregated counts, updated in the same transaction as results, overturns, voids."""

    kind = models.CharField(max_length=10)
    category_code = models.CharField(max_length=20)
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10)
    sample_type = models.CharField(max_length=12)
    channel = models.CharField(max_length=12)
    month = models.DateField()
    tested = models.IntegerField(default=0)
    qualified = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("合格率汇总")
        verbose_name_plural = _("合格率汇总")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "category_code",
                    "region",
                    "level",
                    "sample_type",
                    "channel",
                    "month",
                ],
                name="unique_rollup_cell",
            )
        ]
        indexes = [models.Index(fields=["kind", "month"])]

    def __str__(self):
        return f"{self.category_code} {self.month} {self.qualified}/{self.tested}"
