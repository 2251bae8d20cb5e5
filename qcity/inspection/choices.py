"""Choices of the inspection app, defined once (PATTERNS.md 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.choices import ColouredChoices, colours


class TaskStatus(ColouredChoices):
    DRAFT = "draft", _("草拟")
    COMMITTED = "committed", _("已公布承诺，待公开随机数")
    DRAWN = "drawn", _("已抽取并公开")


colours(TaskStatus, {"draft": "secondary", "committed": "warning", "drawn": "success"})


class AllocationMode(models.TextChoices):
    RATIO = "ratio", _("按信用风险分类比例")
    COUNT = "count", _("按各类户数")
    TOTAL = "total", _("按抽查总数（比例作权重）")


class Outcome(ColouredChoices):
    """Result categories as used by 国家企业信用信息公示系统 for 抽查检查结果."""

    NO_PROBLEM = "no_problem", _("未发现问题")
    FIXED = "fixed", _("发现问题已责令改正")
    PENDING = "pending", _("发现问题待后续处理")
    NOT_OPERATING = "not_operating", _("未发现开展本次抽查涉及的经营活动")
    UNREACHABLE = "unreachable", _("通过登记的住所（经营场所）无法联系")
    REFUSED = "refused", _("不配合检查情节严重")


colours(
    Outcome,
    {
        "no_problem": "success",
        "fixed": "warning",
        "pending": "danger",
        "not_operating": "secondary",
        "unreachable": "secondary",
        "refused": "danger",
    },
)


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


LEVEL_PARAMS = {  # indicator-library wording → levels counted
    "国家级": ["national"],
    "省级以上": ["national", "province"],
    "省级": ["province"],
    "市级以上": ["national", "province", "city"],
    "市级": ["city"],
    "县级": ["county"],
}


class SampleType(models.TextChoices):
    SUPERVISION = "supervision", _("监督抽检")
    EVALUATION = "evaluation", _("评价性抽检")
    RISK = "risk", _("风险监测")


class Channel(models.TextChoices):
    PRODUCTION = "production", _("生产环节")
    CIRCULATION = "circulation", _("流通环节")
    CATERING = "catering", _("餐饮环节")
    ONLINE = "online", _("网络销售")


class Conclusion(ColouredChoices):
    PENDING = "pending", _("待出结论")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    UNKNOWN = "unknown", _("无法判定")


colours(
    Conclusion, {"pending": "secondary", "pass": "success", "fail": "danger", "unknown": "warning"}
)


class Chain(models.TextChoices):
    FOOD = "food", _("食品核查处置")
    PRODUCT = "product", _("产品质量后处理")


class Stage(ColouredChoices):
    # food chain
    NOTICE = "notice", _("待送达检验结果通知书")
    RETEST_WINDOW = "retest_window", _("复检申请期")
    RETESTING = "retesting", _("复检中")
    VERIFY = "verify", _("核查处置：核查")
    RECALL = "recall", _("核查处置：召回/下架")
    RECTIFY = "rectify", _("整改中")
    PENALTY = "penalty", _("立案查处")
    # product chain
    OBJECTION_WINDOW = "objection_window", _("异议期")
    RECHECK = "recheck", _("待复查")
    ANNOUNCED = "announced", _("复查不合格已公告，待再次复查")
    SUSPENDED = "suspended", _("责令停业整顿")
    # both
    OVERTURNED = "overturned", _("复检合格，结论撤销")
    CLOSED = "closed", _("已办结")


colours(
    Stage,
    {
        "notice": "warning",
        "retest_window": "info",
        "retesting": "info",
        "verify": "primary",
        "recall": "primary",
        "rectify": "primary",
        "penalty": "danger",
        "objection_window": "info",
        "recheck": "primary",
        "announced": "danger",
        "suspended": "danger",
        "overturned": "secondary",
        "closed": "success",
    },
)
