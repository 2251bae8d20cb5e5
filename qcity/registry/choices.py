"""Choices of the registry app, defined once (PATTERNS.md 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.choices import ColouredChoices, colours


class CreditClass(ColouredChoices):
    A = "A", _("A类（信用风险低）")
    B = "B", _("B类（信用风险一般）")
    C = "C", _("C类（信用风险较高）")
    D = "D", _("D类（信用风险高）")


colours(CreditClass, {"A": "success", "B": "primary", "C": "warning", "D": "danger"})


class EnterpriseScale(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")
    INDIVIDUAL = "individual", _("个体工商户")


class EnterpriseType(models.TextChoices):
    PRODUCER = "producer", _("生产企业")
    DISTRIBUTOR = "distributor", _("流通企业")
    CATERING = "catering", _("餐饮服务单位")
    ONLINE = "online", _("网络经营者")
    OTHER = "other", _("其他")


class LicenceKind(models.TextChoices):
    FOOD_PRODUCTION = "sc", _("食品生产许可证（SC）")
    INDUSTRIAL = "xk", _("工业产品生产许可证")
    FOOD_BUSINESS = "jy", _("食品经营许可证（JY）")


class CategoryKind(models.TextChoices):
    FOOD = "food", _("食品")
    PRODUCT = "product", _("工业产品")


class InspectorStatus(ColouredChoices):
    ACTIVE = "active", _("在岗")
    SUSPENDED = "suspended", _("暂停抽取")
    LEFT = "left", _("已调离")


colours(InspectorStatus, {"active": "success", "suspended": "warning", "left": "secondary"})
