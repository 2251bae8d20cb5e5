"""考核 scoring rules: one test (or more) per rule."""

from datetime import date
from decimal import Decimal

import pytest

from qcity.assessment.rules import RULES
from qcity.assessment.scoring import (
    GradeBands,
    TaskOutcome,
    Veto,
    assess,
    attainment_linear,
    attainment_table,
    bonus,
    deductions,
    rank,
    report_timeliness,
    task_completion,
)


def test_rule_keys_are_prefixed_and_sourced():
    for r in RULES:
        assert r.key.startswith("assessment."), r.key
        assert r.source and r.name


# ---------------------------------------------------------------- attainment


def test_linear_attainment_partial():
    # baseline 96, target 98, actual 97.5 → 75% of 10 points = 7.5
    item = attainment_linear("食品抽检合格率", 10, actual=97.5, baseline=96, target=98, unit="%")
    assert item.score == Decimal("7.50")
    assert "完成进度75%" in item.reason and "得7.5分（满分10分）" in item.reason


def test_linear_attainment_cap_and_floor():
    over = attainment_linear("x", 10, actual=99, baseline=96, target=98)
    assert over.score == Decimal("10.00") and "按上限100%计" in over.reason
    under = attainment_linear("x", 10, actual=95, baseline=96, target=98)
    assert under.score == Decimal("0.00") and "按下限0%计" in under.reason
    floored = attainment_linear("x", 10, actual=95, baseline=96, target=98, floor_percent=20)
    assert floored.score == Decimal("2.00")
    bonus_cap = attainment_linear("x", 10, actual=99, baseline=96, target=98, cap_percent=120)
    assert bonus_cap.score == Decimal("12.00")


def test_linear_attainment_down_direction():
    # 化肥使用量 from 100 to 90; actual 95 → half way
    item = attainment_linear("化肥使用量", 6, actual=95, baseline=100, target=90, direction="down")
    assert item.score == Decimal("3.00")


def test_linear_attainment_when_baseline_equals_target():
    assert attainment_linear("x", 5, actual=100, baseline=100, target=100).score == Decimal("5.00")
    assert attainment_linear("x", 5, actual=99, baseline=100, target=100).score == Decimal("0.00")


def test_thresholds_table_partial_credit():
    table = [(98.5, 1), (98, 0.8), (97, 0.5)]
    assert attainment_table("x", 10, actual=98.6, table=table).score == Decimal("10.00")
    mid = attainment_table("x", 10, actual=98.2, table=table, unit="%")
    assert mid.score == Decimal("8.00") and "达到98%档" in mid.reason
    low = attainment_table("x", 10, actual=96, table=table, unit="%")
    assert low.score == Decimal("0.00") and "低于最低档97%" in low.reason
    down = attainment_table("x", 4, actual=1.5, table=[(1, 1), (2, 0.5)], direction="down")
    assert down.score == Decimal("2.00")


# ---------------------------------------------------------------- tasks


DL = date(2024, 6, 30)


def test_task_completion_on_time_late_and_open():
    tasks = [
        TaskOutcome("任务一", "lead", DL, date(2024, 6, 1)),  # on time: 1 × 1
        TaskOutcome("任务二", "lead", DL, date(2024, 7, 10)),  # late: 1 × 0.5
        TaskOutcome("任务三", "lead", DL, None),  # open: 0
        TaskOutcome("任务四", "co", DL, date(2024, 6, 30)),  # on time (on the day): 0.5 × 1
    ]
    # earned 1 + 0.5 + 0 + 0.5 = 2 of weight 3.5 → 20 × 2 / 3.5 = 11.428… → 11.43
    item = task_completion("重点任务", 20, tasks)
    assert item.score == Decimal("11.43")
    assert "牵头任务3项（按期销号1项、逾期销号1项、未销号1项）" in item.reason
    assert "配合任务1项（按期销号1项）" in item.reason


def test_task_weights_and_overdue_credit_are_parameters():
    tasks = [TaskOutcome("a", "lead", DL, date(2024, 8, 1)), TaskOutcome("b", "co", DL, None)]
    item = task_completion("x", 10, tasks, overdue_credit_percent=80, lead_weight=2, co_weight=1)
    # earned 2 × 0.8 = 1.6 of 3 → 5.33
    assert item.score == Decimal("5.33")


def test_no_tasks_full_or_zero():
    assert task_completion("x", 10, []).score == Decimal("10.00")
    assert task_completion("x", 10, [], empty_full=False).score == Decimal("0.00")


# ---------------------------------------------------------------- reports, bonus, deductions


def test_report_timeliness_deductions_with_floor():
    assert report_timeliness("报送", 5).score == Decimal("5.00")
    item = report_timeliness("报送", 5, late=1, missed=1)  # 1 + 2
    assert item.score == Decimal("2.00") and "迟报1次" in item.reason and "漏报1次" in item.reason
    floor = report_timeliness("报送", 5, late=2, missed=3)  # 2 + 6 > 5
    assert floor.score == Decimal("0.00") and "扣至0分为止" in floor.reason


def test_bonus_capped():
    item = bonus([("获中国质量奖", 3), ("国家级试点", 2.5)])
    assert item.score == Decimal("5.00") and "超过上限按5分计" in item.reason
    assert bonus([("a", 1)], cap=3).score == Decimal("1.00")


def test_deductions_are_negative():
    item = deductions([("信息报送不实", 2), ("督办逾期", 1.5)])
    assert item.score == Decimal("-3.50") and item.kind == "deduction"


# ---------------------------------------------------------------- total, grade, veto, ranking


def test_default_grades():
    bands = GradeBands.default()
    assert [bands.grade(s) for s in (100, 90, 89.99, 80, 79.5, 60, 59.99, 0)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]


def test_configurable_labels_and_thresholds():
    bands = GradeBands([("优秀", Decimal(95)), ("合格", Decimal(70)), ("不合格", Decimal(0))])
    assert bands.grade(96) == "优秀" and bands.grade(94) == "合格" and bands.grade(10) == "不合格"
    assert (
        assess(
            "某区", [attainment_linear("x", 100, actual=50, baseline=0, target=100)], bands=bands
        ).grade
        == "不合格"
    )


def test_assess_totals_and_never_negative():
    items = [
        attainment_linear("目标", 60, actual=98, baseline=96, target=98),
        task_completion("任务", 30, [TaskOutcome("a", "lead", DL, DL)]),
        report_timeliness("报送", 10, late=1),
        bonus([("奖项", 2)]),
        deductions([("通报批评", 3)]),
    ]
    r = assess("鼓楼区", items)
    assert r.total == Decimal("98.00") and r.grade == "A"
    assert "总分98分，评定为A级" == r.reason
    assert assess("x", [deductions([("重大问题", 10)])]).total == Decimal("0.00")


def test_veto_forces_lowest_grade():
    items = [attainment_linear("目标", 100, actual=98, baseline=96, target=98)]
    r = assess("台江区", items, vetoes=[Veto("发生区域性食品安全事件")])
    assert r.total == Decimal("100.00") and r.grade == "D"
    assert "一票否决" in r.reason and "区域性食品安全事件" in r.reason
    labelled = GradeBands([("优秀", Decimal(90)), ("不合格", Decimal(0))])
    assert assess("x", items, vetoes=[Veto("v")], bands=labelled).grade == "不合格"


def _result(name, total, veto=False):
    return assess(
        name,
        [attainment_linear("x", 100, actual=total, baseline=0, target=100)],
        vetoes=[Veto("事故")] if veto else None,
    )


def test_ranking_with_ties_competition_and_dense():
    results = [_result("甲", 92), _result("乙", 88), _result("丙", 92), _result("丁", 70)]
    ranked = rank(results)
    assert [(k, r.subject) for k, r in ranked] == [(1, "丙"), (1, "甲"), (3, "乙"), (4, "丁")]
    dense = rank(results, method="dense")
    assert [k for k, _ in dense] == [1, 1, 2, 3]


def test_vetoed_subjects_rank_last():
    ranked = rank([_result("甲", 99, veto=True), _result("乙", 70)])
    assert [r.subject for _, r in ranked] == ["乙", "甲"]


def test_unknown_rank_method():
    with pytest.raises(ValueError):
        rank([], method="olympic")
