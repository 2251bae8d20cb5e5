"""Unit forms, target rules and facts on small texts written for these tests."""

from __future__ import annotations

from qcity.plans.extraction import extract_text
from qcity.plans.extraction.units import find_unit_groups, merge_units


def _units(s: str):
    return merge_units(find_unit_groups(s))


def test_unit_forms():
    assert _units("推进某事。（牵头单位：市发展改革委）")[0] == ["市发展改革委"]
    assert _units("推进某事。(责任单位:市财政局、市税务局)")[0] == ["市财政局", "市税务局"]
    assert _units("推进某事。（市教育局、市体育局负责）")[0] == ["市教育局", "市体育局"]
    units, lead, co = _units("推进某事。牵头单位：市商务局；配合单位：市公安局、市交通运输局")
    assert (
        units == ["市商务局", "市公安局", "市交通运输局"]
        and lead == ["市商务局"]
        and co == ["市公安局", "市交通运输局"]
    )
    units, lead, co = _units("推进某事（市卫生健康委牵头，市医保局、市民政局配合）")
    assert lead == ["市卫生健康委"] and co == ["市医保局", "市民政局"]
    # nested brackets kept whole, repeats and abbreviated repeats removed, half-width too
    units, _, _ = _units(
        "甲。(责任单位:市委组织部(市委人才办)、市人社局)乙。(市人社局、人社局、市财政局负责)"
    )
    assert units == ["市委组织部(市委人才办)", "市人社局", "市财政局"]
    assert _units("（市场监管局等部门按职责分工负责）")[0] == ["市场监管局"]
    assert _units("（各区人民政府、市直有关部门负责）")[0] == ["各区人民政府", "市直有关部门"]
    # brackets that are not units
    assert _units("争创中国质量奖（含提名奖）2家")[0] == []


PLAN = """示例市推进标准化建设实施方案

一、工作目标
到2027年，全市主导制定国际标准2项以上，团体标准和企业标准分别达到80项和600项，“领跑者”企业达到30家。
绿色食品、有机农产品认证面积均达到5万亩以上。2024年，全市已发布地方标准46项。
实施“1+2+N”标准体系，开通12345热线，推广ISO9001体系，建成5G基站，落实示政〔2023〕12号文件。

二、主要任务
（一）强化标准引领。地方标准制修订周期压缩到12个月以内，标准化示范项目新增3—5个，单位GDP能耗比2023年下降4%。（牵头单位：市市场监管局；配合单位：市工业和信息化局）
（二）推动质量提升。年内新创建省级质量标杆企业两家，重点产品抽检合格率保持在96%左右，力争品牌价值翻一番。（市工业和信息化局牵头，各区政府配合）
"""


def test_targets_rules():
    ex = extract_text(PLAN)
    got = {
        (
            t.indicator,
            t.op,
            tuple(t.value) if isinstance(t.value, list) else t.value,
            t.unit,
            t.year,
            t.kind,
        )
        for t in ex.targets
    }
    print(sorted(got, key=str))
    vals = [t.value for t in ex.targets]
    assert 46 not in vals  # a fact about the past
    assert not any(
        v in (1, 12345, 9001, 5, 2023, 12) and t.unit == ""
        for t, v in zip(ex.targets, vals, strict=True)
    )
    by_unit = {
        (t.value if not isinstance(t.value, list) else tuple(t.value), t.unit): t
        for t in ex.targets
    }
    assert by_unit[(2, "项")].op == ">=" and by_unit[(2, "项")].year == 2027
    assert by_unit[(80, "项")].indicator.startswith("团体标准")
    assert by_unit[(600, "项")]
    two = [t for t in ex.targets if t.value == 5 and t.unit == "万亩"]
    assert len(two) == 2  # shared value → one target per indicator
    assert by_unit[(12, "个月")].op == "<=" and by_unit[(12, "个月")].direction == "down"
    assert by_unit[((3, 5), "个")].op == "range"
    ch = by_unit[(4, "%")]
    assert ch.kind == "change" and ch.base == "2023年" and ch.direction == "down"
    assert by_unit[(2, "家")].kind == "new"  # Chinese numeral after a verb
    assert by_unit[(96, "%")].op == "~"
    dbl = by_unit[(2, "倍")]
    assert dbl.kind == "change"
    assert all(t.year == 2027 for t in ex.targets)


def test_tasks_and_facts():
    ex = extract_text(PLAN, name="p.txt")
    assert [t.number for t in ex.tasks] == ["（一）", "（二）"] or [t.number for t in ex.tasks] == [
        "(一)",
        "(二)",
    ]
    assert ex.tasks[0].units == ["市市场监管局", "市工业和信息化局"]
    assert ex.tasks[1].lead_units == ["市工业和信息化局"] and ex.tasks[1].co_units == ["各区政府"]
    assert ex.facts.region == "示例市" and ex.facts.kind == "实施方案"
    assert ex.facts.default_year == 2027
    d = ex.to_json()
    assert {"doc", "title", "region", "targets", "tasks", "facts", "sections"} <= set(d)
    assert d["targets"][0]["span"][1] > d["targets"][0]["span"][0]


def test_notice_without_targets():
    from .conftest import DATA

    ex = extract_text((DATA / "notice_c.txt").read_text(encoding="utf-8"))
    assert ex.targets == []
    assert ex.facts.doc_number == "示市监质〔2024〕31号"
    assert ex.facts.signed_date == "2024-08-20"


def test_draft_and_annual_year():
    ex = extract_text(
        "2026年示例市质量工作要点（征求意见稿）\n一、重点工作\n（一）抓好抽检。全年完成抽检3000批次，合格率达到 %。（市市场监管局负责）\n"
    )
    assert ex.facts.draft and ex.facts.kind == "工作要点" and ex.facts.default_year == 2026
    assert [(t.value, t.year) for t in ex.targets] == [
        (3000, 2026)
    ]  # the blank "达到 %" is not a target
    assert ex.tasks[0].deadline == "" and ex.tasks[0].units == ["市市场监管局"]
