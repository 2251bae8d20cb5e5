"""Test data built through the services."""

import datetime
import itertools

from django.utils import timezone

from qcity.core import audit
from qcity.inspection import services
from qcity.registry.models import Enterprise, ProductCategory

_seq = itertools.count(1)


def admin(world):
    return audit.acting_as(world.user("office_admin"))


def plan(
    world, level="city", sample_type="supervision", kind="food", unit="市市场监管局", region=None
):
    today = timezone.localdate()
    return services.create_plan(
        {
            "name": f"测试计划{next(_seq)}",
            "unit": world.unit(unit),
            "level": level,
            "sample_type": sample_type,
            "category": ProductCategory.objects.get(code="F01" if kind == "food" else "P01"),
            "region": region or world.city,
            "period_start": today.replace(month=1, day=1),
            "period_end": today.replace(month=12, day=31),
        }
    )


def sample(
    world,
    the_plan=None,
    category="F010101",
    district=0,
    channel="circulation",
    on=None,
    producer=None,
):
    the_plan = the_plan or plan(world)
    producer = (
        producer
        or Enterprise.objects.filter(region=world.districts[district], verified=True).first()
    )
    return services.create_sample(
        {
            "number": f"T{next(_seq):08d}",
            "plan": the_plan,
            "producer": producer,
            "product_name": "测试样品",
            "category": ProductCategory.objects.get(code=category),
            "region": world.districts[district],
            "channel": channel,
            "sampled_on": on or timezone.localdate() - datetime.timedelta(days=30),
        }
    )


FAIL = [services.ItemInput("铅(以Pb计)", "0.35mg/kg", "≤0.2mg/kg")]
PASS = [services.ItemInput("铅(以Pb计)", "0.05mg/kg", "≤0.2mg/kg")]


def failed_sample(world, **kw):
    s = sample(world, **kw)
    services.record_result(s, FAIL, reported_on=timezone.localdate() - datetime.timedelta(days=25))
    s.refresh_from_db()
    return s
