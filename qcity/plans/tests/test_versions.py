"""A revised plan: diff against the version it replaces, stable lineage for kept rows."""

import pytest
from django.core.exceptions import ValidationError

from qcity.plans import services
from qcity.plans.demo import city_plan, dated_text

from .test_import import _media, confirm_all, reviewed  # noqa: F401


def revised_text():
    text = dated_text("shili_plan.txt")
    text = text.replace("食品抽检合格率稳定在98.5%以上", "食品抽检合格率稳定在99%以上")
    text = text.replace("药品抽检合格率达到99%以上。", "。")  # target removed
    text = text.replace(
        "公众对公共服务质量的满意度达到85分以上。",
        "公众对公共服务质量的满意度达到85分以上，计量器具强制检定率达到100%。",
    )
    # task 9 reworded (kept), task 12 removed, a new task 15 added
    text = text.replace("提高医疗卫生服务质量。", "全面提高医疗卫生服务质量。")
    start = text.index("  12.加强知识产权保护运用")
    end = text.index("（四）完善质量基础设施")
    text = text[:start] + text[end:]
    text = text.replace(
        "三、保障措施",
        "  15.开展质量基础设施一站式服务。在各区县设立服务站点。（牵头单位：市市场监管局）\n\n三、保障措施",
    )
    text = text.replace("市应急局）", "市应急局、市公安局）")  # task 1 gains a co-unit
    return text


def test_revision_diff_and_lineage(world):
    admin = world.user("office_admin")
    old = city_plan()
    old_tasks = {t.number: t for t in old.tasks.all()}
    old_food = services.plan_level_targets(old).get(indicator_text="食品抽检合格率")
    imp = reviewed(world, content=revised_text(), name="plan-v2.txt", revision_of=old)
    diff = services.compute_diff(imp)
    tasks, targets = diff["tasks"], diff["targets"]
    assert [r["title"] for r in tasks["added"]] == ["开展质量基础设施一站式服务"]
    assert [t.title for t in tasks["removed"]] == ["加强知识产权保护运用"]
    changed = {m["row"]["number"]: m["changes"] for m in tasks["changed"]}
    assert any(label == "任务" for label, *_ in changed["9."])
    assert any(label == "配合单位" for label, *_ in changed["1."])
    assert len(tasks["kept"]) == 11
    assert [r["indicator"] for r in targets["added"]] == ["计量器具强制检定率"]
    assert [t.indicator_text for t in targets["removed"]] == ["药品抽检合格率"]
    food = next(m for m in targets["changed"] if m["row"]["indicator"] == "食品抽检合格率")
    assert ("目标值", "98.5", "99") in food["changes"]

    services.update_facts(imp, {"title": old.title}, admin)
    new = services.import_plan(confirm_all(imp, world), admin)
    old.refresh_from_db()
    assert not old.is_current and new.is_current
    assert new.previous_version == old and new.version == old.version + 1
    assert new.aligned_to == old.aligned_to is not None
    assert new.tasks.get(number="9.").lineage == old_tasks["9."].lineage
    assert new.tasks.get(number="1.").lineage == old_tasks["1."].lineage
    assert new.tasks.get(number="15.").lineage not in {t.lineage for t in old_tasks.values()}
    new_food = services.plan_level_targets(new).get(indicator_text="食品抽检合格率")
    assert new_food.lineage == old_food.lineage and new_food.value == 99


def test_review_page_shows_diff(world, client_for):
    old = city_plan()
    imp = reviewed(world, content=revised_text(), name="plan-v2.txt", revision_of=old)
    page = client_for("office_admin").get(f"/plans/imports/{imp.pk}/review/").content.decode()
    assert "与第1版相比" in page and "开展质量基础设施一站式服务" in page
    assert "加强知识产权保护运用" in page


def test_only_the_current_version_can_be_revised(world):
    admin = world.user("office_admin")
    old = city_plan()
    imp = reviewed(world, content=revised_text(), name="plan-v2.txt", revision_of=old)
    services.import_plan(confirm_all(imp, world), admin)
    old.refresh_from_db()
    with pytest.raises(ValidationError, match="现行版本"):
        reviewed(world, content=revised_text() + "\n", name="plan-v3.txt", revision_of=old)
