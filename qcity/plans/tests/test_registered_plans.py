"""Generic page/API/permission tests for every registered plans model (PATTERNS.md 9)."""

from decimal import Decimal

from qcity.core.services import create_object
from qcity.core.testing import RegisteredModelTests
from qcity.plans.demo import city_plan
from qcity.plans.models import Plan, Responsibility, Section, Target, Task


class TestPlan(RegisteredModelTests):
    model = Plan

    def make(self, world):
        return create_object(Plan, {"title": "示例市质量工作要点（测试）", "kind": "工作要点"})

    def form_data(self, world):
        return {"title": "示例市质量提升行动方案（测试）", "kind": "行动方案", "role": "ours"}


class TestTask(RegisteredModelTests):
    model = Task

    def make(self, world):
        return create_object(
            Task,
            {
                "plan": city_plan(),
                "number": "99.",
                "title": "开展计量器具专项检查",
                "lead_unit": world.unit("市市场监管局"),
            },
        )

    def form_data(self, world):
        return {
            "plan": city_plan().pk,
            "number": "98.",
            "title": "开展电梯安全隐患排查",
            "lead_unit": world.unit("市市场监管局").pk,
            "source": "instruction",
        }


class TestTarget(RegisteredModelTests):
    model = Target

    def make(self, world):
        return create_object(
            Target,
            {
                "plan": city_plan(),
                "indicator_text": "计量器具检定合格率",
                "op": ">=",
                "value": Decimal("97"),
                "unit": "%",
                "year": 2027,
            },
        )

    def form_data(self, world):
        return {
            "plan": city_plan().pk,
            "indicator_text": "特种设备定期检验率",
            "op": ">=",
            "value": "99",
            "unit": "%",
            "year": "2026",
            "kind": "level",
            "direction": "up",
        }


class TestSection(RegisteredModelTests):
    model = Section

    def make(self, world):
        return create_object(Section, {"plan": city_plan(), "number": "五、", "title": "附则"})

    def form_data(self, world):  # sections are written by the import only
        return {}


class TestResponsibility(RegisteredModelTests):
    model = Responsibility

    def make(self, world):
        task = create_object(
            Task,
            {
                "plan": city_plan(),
                "title": "开展质量月活动",
                "lead_unit": world.unit("市市场监管局"),
            },
        )
        return create_object(
            Responsibility,
            {
                "task": task,
                "unit": world.unit("市市场监管局"),
                "name_as_written": "市市场监管局",
                "role": "lead",
            },
        )

    def form_data(self, world):
        return {}
