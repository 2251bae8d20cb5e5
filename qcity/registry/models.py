"""Market entities and the reference data supervision draws on: enterprises with their
credit-risk class history, licences, products, product-category trees, inspectors and
testing institutions (ARCHITECTURE.md, registry row)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.models import AuditedModel, UnitOwnedModel
from qcity.core.scopes import Scope

from . import creditcode
from .choices import (
    CategoryKind,
    CreditClass,
    EnterpriseScale,
    EnterpriseType,
    InspectorStatus,
    LicenceKind,
)


class ProductCategory(AuditedModel):
    """A node of a category tree (food sampling 大类→亚类→品种→细类, industrial catalogue).

    Codes are stable and hierarchical: a child's code starts with its parent's code, so a
    subtree is ``code__startswith``."""

    code = models.CharField(_("类别代码"), max_length=20, unique=True)
    name = models.CharField(_("类别名称"), max_length=100)
    kind = models.CharField(_("类别体系"), max_length=10, choices=CategoryKind.choices)
    level = models.PositiveSmallIntegerField(_("层级"), default=1)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    scope = Scope.reference()

    class Meta:
        ordering = ["code"]
        verbose_name = _("产品类别")
        verbose_name_plural = _("产品类别")

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and not self.code.startswith(self.parent.code):
            raise ValidationError({"code": _("下级类别代码必须以上级类别代码开头")})

    @property
    def root_code(self) -> str:
        return self.code[:3]


class Enterprise(AuditedModel):
    """A market entity: identified by its 统一社会信用代码, or known only by name and address
    (unverified). The credit-risk class changes only through ``services.set_credit_class``."""

    name = models.CharField(_("名称"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    verified = models.BooleanField(
        _("身份已核验"), default=False, help_text=_("有有效统一社会信用代码的为已核验")
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    industry = models.CharField(_("所属行业"), max_length=100, blank=True)
    scale = models.CharField(
        _("企业规模"), max_length=12, choices=EnterpriseScale.choices, blank=True
    )
    enterprise_type = models.CharField(
        _("主体类型"),
        max_length=12,
        choices=EnterpriseType.choices,
        default=EnterpriseType.PRODUCER,
    )
    credit_class = models.CharField(
        _("信用风险分类"), max_length=1, choices=CreditClass.choices, blank=True
    )
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    scope = Scope.region("region")

    class Meta:
        ordering = ["name"]
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        indexes = [models.Index(fields=["region", "credit_class"])]

    def __str__(self):
        return self.name

    def clean(self):
        if self.credit_code:
            try:
                self.credit_code = creditcode.validate(self.credit_code)
            except creditcode.CreditCodeError as exc:
                raise ValidationError({"credit_code": exc.message}) from None
            self.verified = True
        else:
            self.credit_code = None
            self.verified = False
            if not (self.address or "").strip():
                raise ValidationError(
                    {"address": _("没有统一社会信用代码的市场主体必须填写住所（按名称和住所识别）")}
                )

    @property
    def draw_id(self) -> str:
        """The id used in published draws: the credit code, else an internal id."""
        return self.credit_code or f"QC{self.pk:08d}"


class CreditClassChange(models.Model):
    """History of credit-risk classes (who, when, why), so past draws stay re-checkable."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("市场主体"),
        on_delete=models.CASCADE,
        related_name="class_changes",
    )
    old_class = models.CharField(_("原分类"), max_length=1, blank=True)
    new_class = models.CharField(_("新分类"), max_length=1, choices=CreditClass.choices)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        "core.User",
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作来源"), max_length=100, blank=True)
    reason = models.CharField(_("原因"), max_length=500)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("信用风险分类变更")
        verbose_name_plural = _("信用风险分类变更")

    def __str__(self):
        return f"{self.enterprise_id}: {self.old_class or '-'} → {self.new_class}"


LICENCE_PATTERNS = {
    LicenceKind.FOOD_PRODUCTION: (r"^SC\d{14}$", _("食品生产许可证编号应为SC加14位数字")),
    LicenceKind.FOOD_BUSINESS: (r"^JY\d{14}$", _("食品经营许可证编号应为JY加14位数字")),
    LicenceKind.INDUSTRIAL: (
        r"^XK\d{2}-\d{3}-\d{5}$",
        _("工业产品生产许可证编号应为 XK + 2位 - 3位 - 5位数字，如 XK13-014-00123"),
    ),
}


class Licence(AuditedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("市场主体"), on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField(_("许可证类别"), max_length=4, choices=LicenceKind.choices)
    number = models.CharField(_("许可证编号"), max_length=30, unique=True)
    scope_text = models.CharField(_("许可范围"), max_length=300, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期至"))

    scope = Scope.region("enterprise__region")

    class Meta:
        ordering = ["number"]
        verbose_name = _("许可证")
        verbose_name_plural = _("许可证")

    def __str__(self):
        return self.number

    def clean(self):
        self.number = (self.number or "").strip().upper()
        pattern = LICENCE_PATTERNS.get(self.kind)
        if pattern and not re.match(pattern[0], self.number):
            raise ValidationError({"number": pattern[1]})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("有效期至不能早于有效期起")})


class Product(AuditedModel):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("生产企业"), on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(_("产品名称"), max_length=200)
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("产品类别"), on_delete=models.PROTECT, related_name="+"
    )
    brand = models.CharField(_("商标"), max_length=100, blank=True)
    spec = models.CharField(_("规格型号"), max_length=100, blank=True)

    scope = Scope.region("enterprise__region")

    class Meta:
        ordering = ["name"]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")

    def __str__(self):
        return self.name


class Inspector(UnitOwnedModel):
    """An enforcement inspector (执法检查人员名录库): a user with the inspector role."""

    user = models.OneToOneField(
        "core.User", verbose_name=_("用户账号"), on_delete=models.PROTECT, related_name="inspector"
    )
    certificate_no = models.CharField(_("执法证号"), max_length=40, unique=True)
    qualifications = models.CharField(_("执法领域与资质"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InspectorStatus.choices, default=InspectorStatus.ACTIVE
    )

    class Meta:
        ordering = ["certificate_no"]
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员")

    def __str__(self):
        return f"{self.user}（{self.certificate_no}）"

    def clean(self):
        from qcity.core.choices import Role
        from qcity.core.models import RoleAssignment

        if self.user_id and self.unit_id:
            if not RoleAssignment.objects.filter(
                user_id=self.user_id, role=Role.INSPECTOR, unit_id=self.unit_id
            ).exists():
                raise ValidationError(
                    {"user": _("该用户在所选单位没有“执法检查人员”角色，不能列入检查人员名录")}
                )


class InspectorConflict(AuditedModel):
    """A declared conflict of interest (回避): the inspector is never paired with the enterprise."""

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("市场主体"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("回避事由"), max_length=300)

    scope = Scope.owned("inspector__unit")

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        constraints = [
            models.UniqueConstraint(fields=["inspector", "enterprise"], name="unique_conflict")
        ]

    def __str__(self):
        return f"{self.inspector} ↔ {self.enterprise}"


class TestingInstitution(AuditedModel):
    __test__ = False  # not a pytest class
    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    cma_no = models.CharField(_("CMA资质认定证书编号"), max_length=40, blank=True)
    cnas_no = models.CharField(_("CNAS认可编号"), max_length=40, blank=True)
    scope_text = models.TextField(_("检验能力范围"), blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    scope = Scope.reference()

    class Meta:
        ordering = ["name"]
        verbose_name = _("承检机构")
        verbose_name_plural = _("承检机构")

    def __str__(self):
        return self.name

    def clean(self):
        if self.cnas_no and not re.match(r"^CNAS ?L\d{4,5}$", self.cnas_no.strip()):
            raise ValidationError({"cnas_no": _("CNAS认可编号格式应为“CNAS L1234”")})
        if self.cma_no and not re.match(r"^\d{12}$", self.cma_no.strip()):
            raise ValidationError({"cma_no": _("CMA证书编号应为12位数字")})
