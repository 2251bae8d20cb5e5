from django.utils.translation import gettext_lazy as _

from . import capabilities, services
from .choices import Role
from .models import Holiday, OrgUnit, OrgUnitName, Region, RoleAssignment, User
from .registry import Column, register

BASIC = _("基础数据")

register(
    Region,
    fields=["code", "name", "level", "parent", "is_assessed"],
    list_display=["name", "code", "level", "parent", "is_assessed"],
    filter_fields=["level", "is_assessed"],
    search_fields=["name", "code"],
    menu_group=BASIC,
    import_columns=[
        Column(_("区划代码"), "code", required=True, help=_("GB/T 2260 六位代码")),
        Column(_("名称"), "name", required=True),
        Column(_("层级"), "level", required=True, help=_("province/city/county/town/zone")),
        Column(_("上级区划代码"), "parent", lookup="code"),
    ],
    import_key=["code"],
    select_related=["parent"],
)
register(
    OrgUnit,
    fields=[
        "name",
        "short_name",
        "kind",
        "region",
        "parent",
        "is_active",
        "dissolved_on",
        "successor",
        "contact_phone",
    ],
    list_display=["name", "kind", "region", "is_active", "contact_phone"],
    filter_fields=["kind", "region", "is_active"],
    search_fields=["name", "short_name", "names__name"],
    menu_group=BASIC,
    create=services.create_unit,
    masked={"contact_phone": "phone"},
    import_columns=[
        Column(_("单位名称"), "name", required=True),
        Column(_("简称"), "short_name"),
        Column(
            _("单位类型"),
            "kind",
            required=True,
            help=_("department/district_gov/zone_committee/office/party/outside/body"),
        ),
        Column(_("区划代码"), "region", required=True, lookup="code"),
        Column(_("上级单位"), "parent", lookup="name"),
    ],
    import_key=["region", "name"],
    select_related=["region"],
    detail_template="core/orgunit_detail.html",
)
register(
    OrgUnitName,
    fields=["unit", "name", "kind", "valid_from", "valid_to", "note"],
    list_display=["name", "unit", "kind", "valid_from", "valid_to"],
    filter_fields=["kind"],
    search_fields=["name", "unit__name"],
    menu_group=BASIC,
    create=services.create_unit_name,
    update=services.update_unit_name,
    select_related=["unit"],
)
register(
    Holiday,
    fields=["date", "kind", "name"],
    list_display=["date", "kind", "name"],
    filter_fields=["kind"],
    search_fields=["name"],
    menu_group=_("系统设置"),
    import_columns=[
        Column(_("日期"), "date", required=True, help=_("YYYY-MM-DD")),
        Column(_("类型"), "kind", required=True, help=_("holiday=法定节假日，workday=调休上班日")),
        Column(_("名称"), "name"),
    ],
    import_key=["date"],
)

SYSTEM = _("系统设置")


def update_user(obj, data, user=None, expected_version=None):
    """Deactivating the last active office administrator is refused."""
    if obj.is_active and data.get("is_active") is False:
        capabilities.keep_an_office_admin(user=obj)
    return services.update_object(obj, data, user, expected_version)


def update_role(obj, data, user=None, expected_version=None):
    """Taking the office-administrator role from the last holder is refused."""
    if obj.role == Role.OFFICE_ADMIN and (
        data.get("role", obj.role) != Role.OFFICE_ADMIN or data.get("user", obj.user) != obj.user
    ):
        capabilities.keep_an_office_admin(assignment=obj)
    return services.update_object(obj, data, user, expected_version)


def delete_role(obj, user=None):
    if obj.role == Role.OFFICE_ADMIN:
        capabilities.keep_an_office_admin(assignment=obj)
    services.delete_object(obj, user)


register(
    User,
    fields=["username", "display_name", "phone", "email", "is_active"],
    list_display=["username", "display_name", "phone", "is_active", "last_login"],
    filter_fields=["is_active"],
    search_fields=["username", "display_name"],
    menu_group=SYSTEM,
    create=services.create_user,
    update=update_user,
    masked={"phone": "phone"},
    detail_template="core/user_detail.html",
    can_delete=False,
)
register(
    RoleAssignment,
    fields=["user", "role", "unit", "is_liaison"],
    list_display=["user", "role", "unit", "is_liaison"],
    filter_fields=["role", "is_liaison"],
    search_fields=["user__username", "user__display_name", "unit__name"],
    menu_group=SYSTEM,
    update=update_role,
    delete=delete_role,
    select_related=["user", "unit"],
    import_columns=[
        Column(_("用户名"), "user", required=True, lookup="username"),
        Column(
            _("角色"), "role", required=True, help=_("office_admin/unit_staff/inspector/auditor")
        ),
        Column(_("单位名称"), "unit", lookup="name"),
    ],
    import_key=["user", "role", "unit"],
)
