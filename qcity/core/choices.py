"""Choices defined once (PATTERNS.md 7): label and colour serve tables, badges, charts, API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ColouredChoices(models.TextChoices):
    """TextChoices whose members carry a Bootstrap colour, set with ``colours(cls, {...})``."""

    @classmethod
    def colour(cls, value) -> str:
        return COLOURS.get(cls, {}).get(value, "secondary")


COLOURS: dict[type, dict[str, str]] = {}


def colours(cls, mapping: dict[str, str]):
    COLOURS[cls] = mapping
    return cls


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县区")
    TOWN = "town", _("乡镇街道")
    ZONE = "zone", _("功能区")  # 开发区/高新区: not administrative, assessed like a district


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("政府部门")
    DISTRICT_GOVERNMENT = "district_gov", _("区县政府")
    ZONE_COMMITTEE = "zone_committee", _("功能区管委会")
    OFFICE = "office", _("议事协调机构办公室")
    PARTY = "party", _("党委部门")
    OUTSIDE = "outside", _("垂直管理或外部单位")
    ENTERPRISE_BODY = "body", _("事业单位或社会组织")


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("质量办管理员")
    UNIT_STAFF = "unit_staff", _("单位工作人员")
    INSPECTOR = "inspector", _("执法检查人员")
    AUDITOR = "auditor", _("只读审计人员")


class ChangeAction(ColouredChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    VOID = "void", _("作废")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    VIEW = "view", _("查看个人信息")  # personal data shown in full (core/personal.py)


colours(
    ChangeAction,
    {
        "create": "success",
        "update": "primary",
        "void": "warning",
        "delete": "danger",
        "import": "info",
        "view": "secondary",
    },
)


class JobStatus(ColouredChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


colours(
    JobStatus, {"queued": "secondary", "running": "info", "done": "success", "failed": "danger"}
)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("全部成功才写入")
    VALID_ONLY = "valid", _("只写入有效行")
