from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.choices import ColouredChoices, colours


class Method(models.TextChoices):
    HEADER = "header", _("分类（不计分）")
    TARGET = "target_attainment", _("目标完成")
    TASKS = "task_completion", _("任务完成")
    TIMELINESS = "report_timeliness", _("报送及时性")
    BONUS = "bonus", _("加分项")
    DEDUCTION = "deduction", _("扣分项")
    VETO = "veto", _("一票否决")
    MANUAL = "manual", _("评审打分")


class NoDataRule(models.TextChoices):
    SHARE = "share", _("不计分，权重由其余各项分摊")
    ZERO = "zero", _("按零分计")
    OFFICE = "office", _("由质量办认定")


class Level(models.IntegerChoices):
    ONE = 1, _("一级指标")
    TWO = 2, _("二级指标")
    THREE = 3, _("三级指标")


class SubjectKind(models.TextChoices):
    DISTRICT = "district", _("区县")
    ZONE = "zone", _("开发区、高新区")
    DEPARTMENT = "department", _("市直部门")


class Stage(ColouredChoices):
    SELF = "self", _("自评")
    REVIEW = "review", _("审核")
    PUBLICITY = "publicity", _("公示")
    APPEAL = "appeal", _("申诉")
    PUBLISHED = "published", _("已发布")


colours(
    Stage,
    {
        "self": "secondary",
        "review": "info",
        "publicity": "warning",
        "appeal": "danger",
        "published": "success",
    },
)


class FactKind(models.TextChoices):
    AWARD = "award", _("获奖及加分事项")
    DEDUCTION = "deduction", _("扣分事项")
    INCIDENT = "incident", _("重大质量安全事件（一票否决）")


class AppealStatus(ColouredChoices):
    PENDING = "pending", _("待复核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


colours(AppealStatus, {"pending": "warning", "upheld": "success", "rejected": "secondary"})
