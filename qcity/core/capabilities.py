"""What each role may do, per model and per workflow action: the one capability table
(issue 10, "Capabilities, not just scopes"; docs/permissions.md is generated from it).

Reading is governed by the model's scope (``scopes.py``). Writing needs both: a cell of
``TABLE`` granting the action to one of the user's roles, and the object inside the scope of
the *unit held in that role* (a user who is unit staff of one bureau and inspector of another
signs only for the first). A cell's limit names what further narrows the scope:

- ``ALL``: everything (the office).
- ``SCOPE``: the model's own scope change rule — own unit, lead unit, or region of the unit.
- ``ANSWERABLE``: the unit answers for the indicator (its reporting unit or a unit under it,
  or a unit named on a confirmed target link), and the figure's region lies in the unit's
  region.
- ``ASSESSING``: the unit is the assessing unit of the item being scored (checked by
  ``assessment.services.may_review``).

Actors are the roles of ``choices.Role``; unit staff are told apart by the kind of unit they
act for (``actor_of``): district governments and zone committees, market-supervision bureaus
(市/区市场监督管理局 and units under them), and other city departments. The pages, the API,
the menus and the buttons all ask ``allows``/``may_create``/``unit_ids``; nothing else holds
a copy of these rules.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .choices import Role, UnitKind

# ---------------------------------------------------------------- actors
OFFICE = "office_admin"
AUDITOR = "auditor"
DISTRICT_GOV = "district_gov"
CITY_DEPT = "city_department"
MARKET = "market_bureau"
INSPECTOR = "inspector"
ACTORS = [OFFICE, AUDITOR, DISTRICT_GOV, CITY_DEPT, MARKET, INSPECTOR]
ACTOR_LABELS = {
    OFFICE: _l("质量办管理员"),
    AUDITOR: _l("只读审计人员"),
    DISTRICT_GOV: _l("区县政府（管委会）联络员"),
    CITY_DEPT: _l("市直部门联络员"),
    MARKET: _l("市场监管局联络员"),
    INSPECTOR: _l("执法检查人员"),
}

# ---------------------------------------------------------------- limits
ALL, SCOPE, ANSWERABLE, ASSESSING = "all", "scope", "answerable", "assessing"
LIMIT_LABELS = {
    ALL: _l("全部"),
    SCOPE: _l("本单位范围"),
    ANSWERABLE: _l("责任指标、本区划"),
    ASSESSING: _l("本单位承担评分的细则项"),
}

# ---------------------------------------------------------------- actions
CREATE, CHANGE, DELETE = "create", "change", "delete"  # delete = void for records of legal weight
ACTION_LABELS = {
    CREATE: _l("新建"),
    CHANGE: _l("修改"),
    DELETE: _l("作废/删除"),
    # tracking
    "sign": _l("签收"),
    "return": _l("退回"),
    "report": _l("报送进展"),
    "request_close": _l("申请销号"),
    "request_extension": _l("申请延期"),
    "answer_followup": _l("答复督办"),
    "assign": _l("交办"),
    "verify_close": _l("销号"),
    "rework": _l("销号退回"),
    "accept_report": _l("审核进展报告"),
    "decide_extension": _l("审批延期"),
    "supervise": _l("督办"),
    # assessment
    "self_assess": _l("自评"),
    "appeal": _l("申诉"),
    "review": _l("评分"),
    "decide_appeal": _l("申诉裁定"),
}

_office = {OFFICE: ALL}
_units = {OFFICE: ALL, DISTRICT_GOV: SCOPE, CITY_DEPT: SCOPE, MARKET: SCOPE}
_registering = {OFFICE: ALL, MARKET: SCOPE}  # the market-supervision bureau of the region
_enforcing = {OFFICE: ALL, MARKET: SCOPE, CITY_DEPT: SCOPE}  # units with enforcement staff
_field_work = {**_enforcing, INSPECTOR: SCOPE}  # inspections and samples, also inspectors
_answerable = {OFFICE: ALL, DISTRICT_GOV: ANSWERABLE, CITY_DEPT: ANSWERABLE, MARKET: ANSWERABLE}


def _crud(create, change=None, delete=None) -> dict:
    return {
        CREATE: create,
        CHANGE: create if change is None else change,
        DELETE: create if delete is None else delete,
    }


OFFICE_ONLY = _crud(_office)

# model label → action → actor → limit. A missing actor may not; a missing action is refused.
TABLE: dict[str, dict[str, dict[str, str]]] = {
    # core: reference data and accounts are the office's
    "core.region": OFFICE_ONLY,
    "core.orgunit": OFFICE_ONLY,
    "core.orgunitname": OFFICE_ONLY,
    "core.holiday": OFFICE_ONLY,
    "core.user": OFFICE_ONLY,
    "core.roleassignment": OFFICE_ONLY,
    # plans: written by the office (imports and reviews)
    "plans.plan": OFFICE_ONLY,
    "plans.section": OFFICE_ONLY,
    "plans.task": OFFICE_ONLY,
    "plans.responsibility": OFFICE_ONLY,
    "plans.target": OFFICE_ONLY,
    "plans.planimport": OFFICE_ONLY,
    # indicators: the library is the office's; figures come from the answerable units
    "indicators.indicator": OFFICE_ONLY,
    "indicators.targetlink": OFFICE_ONLY,
    "indicators.decomposition": OFFICE_ONLY,
    "indicators.observation": _crud(_answerable),
    # tracking: the office hands out and closes; the lead unit's liaison acts for the unit
    "tracking.assignment": {
        CREATE: _office,
        CHANGE: _units,
        DELETE: _office,
        "sign": _units,
        "return": _units,
        "report": _units,
        "request_close": _units,
        "request_extension": _units,
        "answer_followup": _units,
        "assign": _office,
        "verify_close": _office,
        "rework": _office,
        "accept_report": _office,
        "decide_extension": _office,
        "supervise": _office,
    },
    # assessment: the office runs the scheme; the assessed unit self-assesses and appeals
    "assessment.scheme": OFFICE_ONLY,
    "assessment.assessmentfact": OFFICE_ONLY,
    "assessment.assessment": {
        CREATE: _office,
        CHANGE: _units,
        DELETE: _office,
        "self_assess": _units,
        "appeal": _units,
        "review": {OFFICE: ALL, DISTRICT_GOV: ASSESSING, CITY_DEPT: ASSESSING, MARKET: ASSESSING},
        "decide_appeal": _office,
    },
    # registry: only the registering authority (market supervision of the region) edits it
    "registry.enterprise": _crud(_registering),
    "registry.licence": _crud(_registering),
    "registry.product": _crud(_registering),
    "registry.productcategory": OFFICE_ONLY,
    "registry.testinginstitution": OFFICE_ONLY,
    "registry.inspector": _crud(_enforcing),
    "registry.inspectorconflict": _crud(_enforcing),
    # inspection: bureaus plan and decide; inspectors record inspections and samples
    "inspection.inspectionitemlist": _crud(_enforcing),
    "inspection.randominspectiontask": _crud(_enforcing),
    "inspection.samplingplan": _crud(_enforcing),
    "inspection.inspectionrecord": _crud(_field_work, delete=_enforcing),
    "inspection.sample": _crud(_field_work, delete=_enforcing),
    "inspection.disposalcase": _crud(_office, change=_enforcing),
}


# ---------------------------------------------------------------- who is who
def is_market_bureau(unit) -> bool:
    """A market-supervision bureau (市/区市场监督管理局) or a unit under one."""
    seen = set()
    while unit is not None and unit.pk not in seen:
        if "市场监督管理" in unit.name or (unit.short_name or "").endswith("市场监管局"):
            return True
        seen.add(unit.pk)
        unit = unit.parent
    return False


def actor_of(role: str, unit) -> str:
    if role == Role.OFFICE_ADMIN:
        return OFFICE
    if role == Role.AUDITOR:
        return AUDITOR
    if role == Role.INSPECTOR:
        return INSPECTOR
    if unit is None:
        return ""
    if unit.kind in (UnitKind.DISTRICT_GOVERNMENT, UnitKind.ZONE_COMMITTEE):
        return DISTRICT_GOV
    if is_market_bureau(unit):
        return MARKET
    return CITY_DEPT


def label(model) -> str:
    if isinstance(model, str):
        return model
    return model._meta.label_lower


def _acts(user) -> list[tuple[str, object]]:
    """(actor, unit) for each role the user holds, cached on the user."""
    if not hasattr(user, "_capability_acts"):
        acts = []
        if user.is_superuser:
            acts.append((OFFICE, None))
        for ra in user.role_assignments.select_related("unit", "unit__parent"):
            acts.append((actor_of(ra.role, ra.unit), ra.unit))
        user._capability_acts = acts
    return user._capability_acts


def cell(model, action: str) -> dict[str, str]:
    rules = TABLE.get(label(model))
    if rules is None:  # unregistered helper rows (draw entries, reports): as their parent's units
        return _units
    if action not in rules and action not in (CREATE, CHANGE, DELETE):
        action = CHANGE
    return rules.get(action, {})


def grants(user, model, action: str) -> list[tuple[str, object, str]]:
    """(actor, unit, limit) of each of the user's roles the table allows the action."""
    if user is None or not user.is_authenticated:
        return []
    rules = cell(model, action)
    return [(actor, unit, rules[actor]) for actor, unit in _acts(user) if actor in rules]


def has_all(user, model, action: str) -> bool:
    return any(limit == ALL for _actor, _unit, limit in grants(user, model, action))


def unit_ids(user, model, action: str) -> set[int]:
    """The units the user may act for in this action on this model (scope-limited cells)."""
    return {unit.pk for _a, unit, limit in grants(user, model, action) if unit is not None}


def may_create(user, model) -> bool:
    """Offered 新建/导入 at all (the service then checks the unit the record belongs to)."""
    return bool(grants(user, model, CREATE))


def allows(user, obj, action: str) -> bool:
    """May the user do ``action`` on ``obj``: a granting role, and the object in its scope."""
    from .scopes import can

    if not grants(user, type(obj), action):
        return False
    return can(user, obj, action)


def require(user, obj, action: str):
    if not allows(user, obj, action):
        raise PermissionDenied(_("您无权执行该操作"))


# ---------------------------------------------------------------- named limits
def answerable_unit_ids(indicator) -> set[int]:
    """Units answerable for an indicator: its reporting unit and the units under it (a district
    bureau under the city bureau), and the units named on its confirmed target links."""
    from .models import OrgUnit

    ids = set()
    if indicator.reporting_unit_id:
        ids = {indicator.reporting_unit_id}
        ids |= set(
            OrgUnit.objects.filter(parent_id=indicator.reporting_unit_id).values_list(
                "pk", flat=True
            )
        )
    for link in indicator.links.filter(state="confirmed").prefetch_related("units"):
        ids |= {u.pk for u in link.units.all()}
    return ids


def may_report_figure(user, indicator, region, unit) -> bool:
    """Observation writes: the office; else the unit is the user's, answerable for the
    indicator, and the figure's region is the unit's region or beneath it."""
    from .models import Region

    if has_all(user, "indicators.observation", CREATE):
        return True
    if unit is None or unit.pk not in unit_ids(user, "indicators.observation", CREATE):
        return False
    if indicator is None or unit.pk not in answerable_unit_ids(indicator):
        return False
    if region is None:
        return False
    return region.pk in Region.objects.get(pk=unit.region_id).subtree_ids()


# ---------------------------------------------------------------- the last office administrator
def _other_office_admins(exclude_user=None, exclude_assignment=None) -> bool:
    from .models import RoleAssignment, User

    admins = RoleAssignment.objects.filter(role=Role.OFFICE_ADMIN, user__is_active=True)
    if exclude_assignment is not None:
        admins = admins.exclude(pk=exclude_assignment.pk)
    if exclude_user is not None:
        admins = admins.exclude(user=exclude_user)
    supers = User.objects.filter(is_superuser=True, is_active=True)
    if exclude_user is not None:
        supers = supers.exclude(pk=exclude_user.pk)
    return admins.exists() or supers.exists()


LAST_ADMIN_MESSAGE = _l(
    "这是最后一名质量办管理员，不能删除、停用或取消其管理员角色；请先为另一名用户分配质量办管理员角色"
)


def keep_an_office_admin(*, user=None, assignment=None):
    """Refuse a change that would leave no active office administrator."""
    if not _other_office_admins(exclude_user=user, exclude_assignment=assignment):
        raise ValidationError(str(LAST_ADMIN_MESSAGE))


# ---------------------------------------------------------------- the readable table
def markdown() -> str:
    """docs/permissions.md, generated from TABLE (a test checks the file matches)."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        lines = [
            "# 权限表（能力表）",
            "",
            "本文件由 `qcity/core/capabilities.py` 的 `TABLE` 生成"
            "（`capabilities.markdown()`），`test_capabilities.py` 核对两者一致；改权限请改代码。",
            "",
            "读取范围由各模型的 scope 决定（本单位、牵头/参与单位、本区划及下级、全体可读）；"
            "写入另需本表授权，且对象须在授予该权限的那个角色所属单位的范围内。"
            "只读审计人员可查看全部，不能做任何修改。",
            "",
            "限定：" + "；".join(f"{k} = {v}" for k, v in LIMIT_LABELS.items()) + "。",
            "",
            "| 模型 | 操作 | " + " | ".join(str(ACTOR_LABELS[a]) for a in ACTORS) + " |",
            "|---|---|" + "---|" * len(ACTORS),
        ]
        for model_label, actions in TABLE.items():
            name = apps.get_model(model_label)._meta.verbose_name
            for action, rules in actions.items():
                cells = [str(LIMIT_LABELS[rules[a]]) if a in rules else "—" for a in ACTORS]
                lines.append(
                    f"| {name}（{model_label}） | {ACTION_LABELS.get(action, action)} | "
                    + " | ".join(cells)
                    + " |"
                )
        lines.append("")
    return "\n".join(lines)
