"""The plans part of the demo world: the city's 质量强市 implementation plan (ours) and the
province's plan it aligns to (reference), imported through the same services a reviewer
uses: upload → extraction → confirm exact/alias unit names → import. Idempotent.

Later demos (indicators, tracking) find the city plan by ``CITY_PLAN_TITLE``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File

from qcity.core import services as core_services

from . import services
from .choices import ImportStatus, PlanRole
from .models import Plan, PlanImport

DATA = Path(__file__).resolve().parent / "demo_data"
CITY_PLAN_TITLE = "示例市质量强市建设实施方案（2024—2027年）"
PROVINCE_PLAN_TITLE = "示例省质量强省建设纲要实施方案（2024—2027年）"


def build(world, size):
    admin = world.user("office_admin")
    province = _import("shili_province_plan.txt", PlanRole.REFERENCE, PROVINCE_PLAN_TITLE, admin)
    city = _import("shili_plan.txt", PlanRole.OURS, CITY_PLAN_TITLE, admin)
    if city.aligned_to_id is None:
        core_services.update_object(city, {"aligned_to": province}, admin)
    return city


def _import(file_name: str, role: str, title: str, user) -> Plan:
    plan = Plan.objects.filter(title=title, is_current=True, is_void=False).first()
    if plan is not None:
        return plan
    with (DATA / file_name).open("rb") as handle:
        imp, _created = services.start_import(File(handle, name=file_name), user, role=role)
    if imp.status == ImportStatus.EXTRACTING:  # jobs are not run inline outside tests
        services.run_extraction(imp.pk)
        imp = PlanImport.objects.get(pk=imp.pk)
    if imp.status != ImportStatus.REVIEW:
        raise RuntimeError(f"demo plan {file_name}: {imp.status} {imp.error}")
    services.update_facts(imp, {"title": title, "is_draft": ""}, user)
    services.auto_confirm_units(imp, user)
    return services.import_plan(imp, user)
