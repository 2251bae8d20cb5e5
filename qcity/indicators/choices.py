from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.choices import colours


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")


class Aggregation(models.TextChoices):
    SUM = "sum", _("求和")
    WEIGHTED_RATE = "weighted_rate", _("按分子分母加权")
    LATEST = "latest", _("取最新值")
    MEAN = "mean", _("平均")


class Prefer(models.TextChoices):
    REPORTED = "reported", _("以上报数为准")
    COMPUTED = "computed", _("以系统计算数为准")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")
    CUSTOM = "custom", _("自定义")


class Source(models.TextChoices):
    REPORTED = "reported", _("填报")
    IMPORTED = "imported", _("导入")
    COMPUTED = "computed", _("系统计算")


colours(Source, {"reported": "primary", "imported": "info", "computed": "success"})


class LinkState(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    UNMATCHED = "unmatched", _("无匹配建议")


colours(LinkState, {"proposed": "warning", "confirmed": "success", "unmatched": "secondary"})


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    GREY = "grey", _("灰灯")


colours(Light, {"green": "success", "yellow": "warning", "red": "danger", "grey": "secondary"})


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("已达成")
    ON_TRACK = "on_track", _("进度正常")
    AT_RISK = "at_risk", _("存在风险")
    BEHIND = "behind", _("严重滞后")
    INSUFFICIENT = "insufficient", _("数据不足")


colours(
    Status,
    {
        "achieved": "success",
        "on_track": "success",
        "at_risk": "warning",
        "behind": "danger",
        "insufficient": "secondary",
    },
)
