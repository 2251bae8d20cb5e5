from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.choices import colours


class PlanKind(models.TextChoices):
    PLAN = "规划", _("规划")
    IMPLEMENTATION = "实施方案", _("实施方案")
    OPINIONS = "实施意见", _("实施意见")
    WORK_POINTS = "工作要点", _("工作要点")
    ACTION = "行动方案", _("行动方案")
    OTHER = "其他", _("其他")


class PlanRole(models.TextChoices):
    OURS = "ours", _("本级组织实施")
    REFERENCE = "reference", _("上级参照（只对标目标）")


class TaskSource(models.TextChoices):
    PLAN = "plan", _("规划计划")
    INSTRUCTION = "instruction", _("领导批示")
    MEETING = "meeting", _("会议议定")
    HIGHER = "higher", _("上级交办")


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    CO = "co", _("配合单位")


class TargetOp(models.TextChoices):
    GE = ">=", _("不低于")
    GT = ">", _("高于")
    LE = "<=", _("不高于")
    LT = "<", _("低于")
    EQ = "=", _("等于")
    ABOUT = "~", _("左右")
    RANGE = "range", _("区间")


class TargetKind(models.TextChoices):
    LEVEL = "level", _("水平值")
    CUMULATIVE = "cumulative", _("累计值")
    NEW = "new", _("新增值")
    CHANGE = "change", _("变化幅度")


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")


class ImportStatus(models.TextChoices):
    EXTRACTING = "extracting", _("识别中")
    REVIEW = "review", _("待审核")
    IMPORTED = "imported", _("已导入")
    FAILED = "failed", _("识别失败")
    DISCARDED = "discarded", _("已放弃")


colours(
    ImportStatus,
    {
        "extracting": "info",
        "review": "warning",
        "imported": "success",
        "failed": "danger",
        "discarded": "secondary",
    },
)
