"""Generic page/permission tests for every registered inspection model (PATTERNS.md 9)."""

import datetime

from django.utils import timezone

from qcity.core.services import create_object
from qcity.core.testing import RegisteredModelTests
from qcity.inspection import services
from qcity.inspection.models import (
    DisposalCase,
    InspectionItemList,
    InspectionRecord,
    RandomInspectionTask,
    Sample,
    SamplingPlan,
)
from qcity.inspection.tests import helpers
from qcity.inspection.tests.test_draws import commit
from qcity.registry.models import ProductCategory


def drawn_task(world, district=2):
    task = services.create_task(
        {
            "name": "测试抽查任务",
            "unit": world.unit("市市场监管局"),
            "region": world.districts[district],
            "period_start": timezone.localdate() - datetime.timedelta(days=10),
            "period_end": timezone.localdate() + datetime.timedelta(days=60),
            "mode": "count",
            "count_b": 2,
        }
    )
    commit(task)
    return services.enter_public_value(task, "12345")


class TestInspectionItemList(RegisteredModelTests):
    model = InspectionItemList

    def make(self, world):
        return create_object(
            InspectionItemList,
            {
                "unit": world.unit("市市场监管局"),
                "name": "测试清单",
                "year": 2026,
                "items": "企业公示信息检查",
            },
        )

    def form_data(self, world):
        return {
            "unit": world.unit("市市场监管局").pk,
            "name": "新清单",
            "year": 2026,
            "items": "计量检查",
        }


class TestRandomInspectionTask(RegisteredModelTests):
    model = RandomInspectionTask

    def make(self, world):
        return services.create_task(
            {
                "name": "草拟任务",
                "unit": world.unit("市市场监管局"),
                "region": world.city,
                "period_start": datetime.date(2026, 1, 1),
                "period_end": datetime.date(2026, 12, 31),
                "mode": "ratio",
            }
        )

    def form_data(self, world):
        return {
            "name": "页面新建任务",
            "unit": world.unit("市市场监管局").pk,
            "region": world.city.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "mode": "ratio",
        }


class TestInspectionRecord(RegisteredModelTests):
    model = InspectionRecord

    def make(self, world):
        task = drawn_task(world)
        return services.record_inspection(
            {
                "entry": task.entries.first(),
                "inspected_on": timezone.localdate(),
                "findings": "未发现问题",
                "outcome": "no_problem",
            }
        )

    def form_data(self, world):
        from qcity.inspection.models import DrawEntry

        entry = DrawEntry.objects.filter(record__isnull=True, task__status="drawn").first()
        return {
            "entry": entry.pk,
            "inspected_on": timezone.localdate().isoformat(),
            "findings": "现场检查未发现问题",
            "outcome": "no_problem",
        }


class TestSamplingPlan(RegisteredModelTests):
    model = SamplingPlan

    def make(self, world):
        return helpers.plan(world)

    def form_data(self, world):
        return {
            "name": "页面新建计划",
            "unit": world.unit("市市场监管局").pk,
            "level": "city",
            "sample_type": "supervision",
            "category": ProductCategory.objects.get(code="F01").pk,
            "region": world.city.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "planned_batches": 10,
        }


class TestSample(RegisteredModelTests):
    model = Sample

    def make(self, world):
        return helpers.sample(world)

    def form_data(self, world):
        return {
            "number": "PAGE0001",
            "plan": SamplingPlan.objects.filter(
                unit=world.unit("市市场监管局"), category__kind="food"
            )
            .first()
            .pk,
            "product_name": "挂面",
            "category": ProductCategory.objects.get(code="F010301").pk,
            "region": world.districts[0].pk,
            "channel": "circulation",
            "sampled_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        }


class TestDisposalCase(RegisteredModelTests):
    model = DisposalCase

    def make(self, world):
        return helpers.failed_sample(world).case

    def form_data(self, world):
        return {}
