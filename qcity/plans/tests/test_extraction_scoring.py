"""The project's scorer (qcity/plans/extraction/scoring.py) on hand-made cases from the corpus
schema's scoring rules. Its agreement with the corpus's reference scorer is checked by the
corpus tests in test_extraction_seeds.py."""

from __future__ import annotations

import json

import pytest

from qcity.plans.extraction import scoring


def _t(indicator, value, unit="%", year=2025, op=">=", kind="level"):
    return {
        "indicator": indicator,
        "value": value,
        "unit": unit,
        "year": year,
        "op": op,
        "kind": kind,
    }


def _k(number, title, units=(), parent=None):
    task = {"number": number, "title": title, "units": list(units)}
    if parent is not None:
        task["parent"] = parent
    return task


def _score(tmp_path, gold_docs: dict, pred_docs: dict) -> dict:
    for name, docs in (("gold", gold_docs), ("pred", pred_docs)):
        (tmp_path / name).mkdir()
        for stem, d in docs.items():
            (tmp_path / name / f"{stem}.json").write_text(json.dumps(d, ensure_ascii=False))
    return scoring.score(tmp_path / "pred", tmp_path / "gold")[1]


def test_normalisation():
    assert scoring.number_key("（十七）") == scoring.number_key("(十七)") == "十七"
    assert scoring.number_key("一、") == "一"
    assert scoring.number_key("１．") == scoring.number_key("1、") == "1"
    assert scoring.name_key("全市“食品”抽检合格率（％）") == "食品抽检合格率%"
    assert scoring.unit_key("家（次）") == "家次"
    assert scoring.similarity("全市食品抽检合格率", "食品抽检合格率") == 1.0
    assert scoring.similarity("", "食品") == 0.0


@pytest.mark.parametrize(
    "gold, pred, matches",
    [
        (_t("食品抽检合格率", 98.5), _t("全市食品抽检合格率", 98.5), True),
        (_t("食品抽检合格率", 98.5), _t("食品抽检合格率", 98.0), False),  # value
        (_t("检验检测机构", 1800, "家"), _t("检验检测机构", 1800, "家以上"), True),  # prefix
        (_t("检验检测机构", 1800, "家"), _t("检验检测机构", 1800, "个"), False),  # unit
        (_t("食品抽检合格率", 98.5), _t("食品抽检合格率", 98.5, year=2026), False),
        (_t("食品抽检合格率", 98.5, year=None), _t("食品抽检合格率", 98.5, year=2026), True),
        (_t("食品抽检合格率", 98.5), _t("森林覆盖率", 98.5), False),  # names too far apart
        (_t("品牌", [3, 5], "个", op="range"), _t("品牌", [3.0, 5.0], "个", op="range"), True),
        (_t("品牌", [3, 5], "个", op="range"), _t("品牌", 3, "个"), False),
    ],
)
def test_target_matching_rules(gold, pred, matches):
    assert bool(scoring.match_targets([gold], [pred])) is matches


def test_each_target_used_once_closest_first():
    gold = [_t("食品抽检合格率", 98), _t("药品抽检合格率", 98)]
    pred = [_t("药品抽检合格率", 98), _t("食品抽检合格率", 98)]
    pairs = scoring.match_targets(gold, pred)
    assert [(g["indicator"], p["indicator"]) for g, p in pairs] == [
        ("药品抽检合格率", "药品抽检合格率"),
        ("食品抽检合格率", "食品抽检合格率"),
    ]
    assert len(scoring.match_targets(gold[:1], pred + pred)) == 1


def test_task_matching_folds_numbers_and_checks_parents():
    gold = [_k("(一)", "提升工业产品质量", parent="二"), _k("(一)", "强化标准引领", parent="三")]
    pred = [_k("一、", "强化标准引领", parent="（三）"), _k("（一）", "提升工业产品质量")]
    pairs = scoring.match_tasks(gold, pred)
    assert [(g["title"], p["title"]) for g, p in pairs] == [
        ("提升工业产品质量", "提升工业产品质量"),
        ("强化标准引领", "强化标准引领"),
    ]
    assert scoring.match_tasks(gold[:1], [_k("(一)", "提升工业产品质量", parent="三")]) == []
    assert scoring.match_tasks(gold[:1], [_k("(二)", "提升工业产品质量")]) == []


def test_summary_figures(tmp_path):
    gold = {
        "a": {
            "targets": [
                _t("食品抽检合格率", 98.5),
                _t("单位GDP能耗", 3, "%", op="<=", kind="change"),
                _t("鲁班奖", 15, "个", kind="cumulative"),
            ],
            "tasks": [
                _k("(一)", "提升工业产品质量", ["市市场监管局", "市工信局"]),
                _k("(二)", "强化标准引领", ["市发改委"]),
                _k("(三)", "加强组织领导"),
            ],
        },
        "b": {
            "targets": [_t("药品抽检合格率", 99)],
            "tasks": [_k("1.", "抓好药品安全", ["市药监局"])],
        },
    }
    pred = {
        "a": {
            "targets": [
                _t("全市食品抽检合格率", 98.5),
                _t("单位GDP能耗", 3, "%", op=">=", kind="change"),
                _t("文号", 234, ""),
            ],
            "tasks": [
                _k("（一）", "提升工业产品质量", ["市工信局", "市市场监管局", "某某局"]),
                _k("（三）", "加强组织领导"),
            ],
        },
        # b has no prediction: everything in it is missed
    }
    s = _score(tmp_path, gold, pred)
    assert s == {
        "targets_precision": round(2 / 3, 4),
        "targets_recall": 0.5,
        "targets_f1": round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4),
        "op_accuracy": 0.5,
        "op_accuracy_not_ge": 0.0,
        "kind_accuracy": 1.0,
        "tasks_recall": 0.5,
        "tasks_precision": 1.0,
        # units: 2 right, 1 extra; missed: 市发改委 and 市药监局 (tasks not found)
        "units_f1": round(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5), 4),
        "lead_accuracy": 0.0,  # 3 gold tasks name units; the found one has the wrong lead
        "gold_targets": 4,
        "gold_tasks": 4,
    }


def test_empty_gold_and_prediction(tmp_path):
    s = _score(tmp_path, {"a": {"targets": [], "tasks": []}}, {"a": {}})
    assert s["targets_f1"] == s["targets_precision"] == s["targets_recall"] == 1.0
    assert s["tasks_recall"] == s["tasks_precision"] == s["lead_accuracy"] == 1.0


def test_command_line(tmp_path, capsys):
    _score(tmp_path, {"a": {"targets": [_t("食品抽检合格率", 98.5)]}}, {"a": {}})
    assert scoring.main([str(tmp_path / "pred"), str(tmp_path / "gold"), "--json"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last)["targets_recall"] == 0.0
    assert scoring.main([str(tmp_path / "pred")]) == 2
