from django.db import models
from django.utils.translation import gettext_lazy as _

from qcity.core.choices import ColouredChoices, colours


class AssignmentState(ColouredChoices):
    DRAFT = "draft", _("待交办")
    ASSIGNED = "assigned", _("已交办")
    RETURNED = "returned", _("已退回")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSE_REQUESTED = "close_requested", _("申请销号")
    CLOSED = "closed", _("已销号")
    CLOSED_LATE = "closed_late", _("逾期销号")
    SUSPENDED = "suspended", _("挂起")
    TERMINATED = "terminated", _("中止")


colours(
    AssignmentState,
    {
        "draft": "secondary",
        "assigned": "info",
        "returned": "danger",
        "signed": "primary",
        "in_progress": "primary",
        "close_requested": "warning",
        "closed": "success",
        "closed_late": "warning",
        "suspended": "dark",
        "terminated": "dark",
    },
)

ACTIVE_STATES = ("assigned", "signed", "in_progress", "close_requested")
FINISHED_STATES = ("closed", "closed_late", "terminated")


class ReportCycle(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")


class ReportStatus(ColouredChoices):
    DRAFT = "draft", _("填报中")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核通过")


colours(
    ReportStatus,
    {"draft": "secondary", "submitted": "info", "returned": "danger", "accepted": "success"},
)


class ExtensionStatus(ColouredChoices):
    PENDING = "pending", _("待审批")
    GRANTED = "granted", _("已批准")
    REFUSED = "refused", _("未批准")


colours(ExtensionStatus, {"pending": "warning", "granted": "success", "refused": "danger"})


class FollowUpKind(ColouredChoices):
    REMINDER = "reminder", _("提醒")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")


colours(FollowUpKind, {"reminder": "info", "urge": "warning", "supervise": "danger"})


class NoticeStatus(ColouredChoices):
    """A 督办通知单 the overdue scan drafts waits for the office to review and issue it."""

    DRAFT = "draft", _("待签发")
    ISSUED = "issued", _("已发出")
    WITHDRAWN = "withdrawn", _("已撤销")


colours(NoticeStatus, {"draft": "secondary", "issued": "danger", "withdrawn": "dark"})


class FollowUpSubject(models.TextChoices):
    REPORT = "report", _("进展报送")
    DEADLINE = "deadline", _("完成时限")


class Light(ColouredChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    GREY = "grey", _("灰灯")


colours(Light, {"green": "success", "yellow": "warning", "red": "danger", "grey": "secondary"})
