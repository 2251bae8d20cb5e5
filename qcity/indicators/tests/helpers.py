"""Data for the indicators tests, made through services (PATTERNS.md 12)."""

import contextlib
import datetime
import itertools
from decimal import Decimal

import time_machine
from django.utils import timezone

from qcity.core.services import create_object
from qcity.indicators import services
from qcity.indicators.models import Indicator

_seq = itertools.count(1)


def _reported_by_the_market_bureau(data):
    """Figures for a test indicator come from the city market bureau unless a test names another
    unit: only the answerable unit may report them (core/capabilities.may_report_figure)."""
    from qcity.core.models import OrgUnit

    if "reporting_unit" not in data:
        data["reporting_unit"] = OrgUnit.objects.filter(short_name="市市场监管局").first()
    return data


def indicator(**fields):
    n = next(_seq)
    data = {
        "key": f"test_rate_{n}",
        "name": f"测试合格率{n}",
        "unit": "%",
        "direction": "up",
        "bound_min": Decimal(0),
        "bound_max": Decimal(100),
        "aggregation": "weighted_rate",
        "parameters": {"sample_type": ["监督抽检", "风险监测"]},
    }
    data.update(fields)
    return create_object(Indicator, _reported_by_the_market_bureau(data))


def count_indicator(**fields):
    n = next(_seq)
    data = {
        "key": f"test_count_{n}",
        "name": f"测试企业数{n}",
        "unit": "家",
        "direction": "up",
        "bound_min": Decimal(0),
        "aggregation": "sum",
    }
    data.update(fields)
    return create_object(Indicator, _reported_by_the_market_bureau(data))


def plan(world, **fields):
    from qcity.plans.models import Plan

    n = next(_seq)
    data = {
        "title": f"测试实施方案{n}",
        "region": world.city,
        "period_start": 2024,
        "period_end": 2026,
    }
    data.update(fields)
    return create_object(Plan, data)


def target(the_plan, **fields):
    from qcity.plans.models import Target

    data = {
        "plan": the_plan,
        "indicator_text": "测试合格率",
        "op": ">=",
        "value": Decimal("98"),
        "unit": "%",
        "year": 2026,
        "kind": "level",
        "direction": "up",
    }
    data.update(fields)
    return create_object(Target, data)


def reported_after(end: datetime.date, source="reported"):
    """A figure is reported only once its period has ended: a test that uses a year still to
    come records it as on the day after the period's end (nothing happens for a past period)."""
    if source == "computed" or end < timezone.localdate():
        return contextlib.nullcontext()
    from qcity.conftest import frozen_start

    return time_machine.travel(frozen_start(end + datetime.timedelta(days=1)), tick=True)


def monthly(
    world,
    ind,
    values,
    *,
    start=datetime.date(2024, 1, 1),
    unit=None,
    region=None,
    source="reported",
    params=None,
    step=1,
):
    """Record one value per month (or per ``step`` months) from ``start``."""
    unit = unit or world.unit("市市场监管局")
    out = []
    d = start
    for value in values:
        end = services.month_bounds(d)[1]
        with reported_after(end, source):
            recorded = services.record_observation(
                indicator=ind,
                region=region or world.city,
                period_start=d,
                period_end=end,
                period_kind="month",
                value=value,
                unit=unit,
                user=world.user("office_admin"),
                source=source,
                params=params,
            )
        out.append(recorded)
        for _ in range(step):
            d = (d + datetime.timedelta(days=32)).replace(day=1)
    return out
