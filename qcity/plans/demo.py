"""The plans part of the demo world: the city's 质量强市 implementation plan (ours) and the
province's plan it aligns to (reference), imported through the same services a reviewer
uses: upload → extraction → confirm exact/alias unit names → import. Idempotent.

The plan is current on the day the demo is built: the texts in ``demo_data`` are written for
2024—2027 and every year in them moves by the same offset so that the plan runs from two years
before the build year to the year after it (built in 2029: 2027—2030). Two years of history
give the trends and forecasts something to stand on; a year ahead keeps the end target open.
Later demos (indicators, tracking) find the city plan with ``city_plan()``.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from qcity.core import services as core_services

from . import services
from .choices import ImportStatus, PlanRole
from .models import Plan, PlanImport

DATA = Path(__file__).resolve().parent / "demo_data"
CITY_PLAN_NAME = "示例市质量强市建设实施方案"
PROVINCE_PLAN_NAME = "示例省质量强省建设纲要实施方案"
WRITTEN_FIRST_YEAR = 2024  # the first year of the plan as the texts in demo_data are written
# a year as the demo texts write it: in a title range, a document number or before 年
YEAR = re.compile(r"(?<!\d)(20[2-3]\d)(?=年|—|〕)")


def plan_years(today: datetime.date | None = None) -> tuple[int, int]:
    """First and last year of the demo plans when built on ``today``."""
    year = (today or timezone.localdate()).year
    return year - 2, year + 1


def plan_title(name: str, today: datetime.date | None = None) -> str:
    first, last = plan_years(today)
    return f"{name}（{first}—{last}年）"


def city_plan() -> Plan | None:
    """The demo city plan as stored (whatever day it was built)."""
    return _current(CITY_PLAN_NAME)


def province_plan() -> Plan | None:
    return _current(PROVINCE_PLAN_NAME)


def _current(name: str) -> Plan | None:
    return (
        Plan.objects.filter(title__startswith=name, is_current=True, is_void=False)
        .order_by("-pk")
        .first()
    )


def dated_text(file_name: str, today: datetime.date | None = None) -> str:
    """A demo plan text with its years moved so the plan is current on ``today``."""
    shift = plan_years(today)[0] - WRITTEN_FIRST_YEAR
    text = (DATA / file_name).read_text(encoding="utf-8")
    return YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)


def build(world, size):
    admin = world.user("office_admin")
    province = _import("shili_province_plan.txt", PlanRole.REFERENCE, PROVINCE_PLAN_NAME, admin)
    city = _import("shili_plan.txt", PlanRole.OURS, CITY_PLAN_NAME, admin)
    if city.aligned_to_id is None:
        core_services.update_object(city, {"aligned_to": province}, admin)
    return city


def _import(file_name: str, role: str, name: str, user) -> Plan:
    plan = _current(name)
    if plan is not None:
        return plan
    upload = ContentFile(dated_text(file_name).encode("utf-8"), name=file_name)
    imp, _created = services.start_import(upload, user, role=role)
    title = plan_title(name)
    if imp.status == ImportStatus.EXTRACTING:  # jobs are not run inline outside tests
        services.run_extraction(imp.pk)
        imp = PlanImport.objects.get(pk=imp.pk)
    if imp.status != ImportStatus.REVIEW:
        raise RuntimeError(f"demo plan {file_name}: {imp.status} {imp.error}")
    services.update_facts(imp, {"title": title, "is_draft": ""}, user)
    services.auto_confirm_units(imp, user)
    return services.import_plan(imp, user)
