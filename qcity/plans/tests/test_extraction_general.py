"""General rules found on plans from other places; small texts written for these tests."""

from __future__ import annotations

from qcity.plans.extraction import extract_text
from qcity.plans.extraction.clean import normalize


def _targets(text: str):
    return [t.to_json() for t in extract_text(text).targets]


def _one(text: str, value):
    hits = [t for t in _targets(text) if t["value"] == value]
    assert len(hits) == 1, _targets(text)
    return hits[0]


def test_traditional_output_as_written():
    text = (
        "松原縣推進計量發展的實施方案\n一、主要任務\n"
        "（一）強化計量檢測。到2027年，計量器具檢定覆蓋率達到95%。（縣市場監管局、縣財政局負責）\n"
        "（二）培養計量人才。每年培訓計量人員200人次。（縣人力資源社會保障局負責）\n"
    )
    d = extract_text(text).to_json()
    t = next(x for x in d["targets"] if x["value"] == 95)
    assert t["indicator"] == "計量器具檢定覆蓋率"
    assert t["indicator_simplified"] == "计量器具检定覆盖率"
    assert t["unit"] == "%" and "覆蓋率" in t["text"]
    k = d["tasks"][0]
    assert k["title"] == "強化計量檢測" and k["title_simplified"] == "强化计量检测"
    assert k["units"] == ["縣市場監管局", "縣財政局"]
    assert k["units_simplified"] == ["县市场监管局", "县财政局"]
    assert d["title"].startswith("松原縣")


def test_pinyin_gloss_removed_with_offsets():
    c = normalize("提升產品品质(pǐn zhì)與服務質(zhì)量水平")
    assert c.raw == "提升产品品质与服务质量水平"
    assert c.display == "提升產品品质與服務質量水平"
    # the character after a removed gloss maps to its place in the original
    assert c.to_original(c.raw.index("与")) == "提升產品品质(pǐn zhì)與".index("與")
    tasks = extract_text("一、重点任务\n（一）改善服务品质(pǐn zhì)。做好某项工作。\n").tasks
    assert tasks[0].title == "改善服务品质"


def test_sections_under_chapters_are_tasks():
    text = (
        "某市质量发展规划\n第一章 总体要求\n第一节 发展目标\n到2025年，某某率达到90%。\n"
        "第二章 提升产业质量\n第一节 做强制造业\n加快技术改造。（牵头单位：市工信局）\n"
        "第二节 做优服务业\n推进标准化。（牵头单位：市商务局）\n"
        "第三章 夯实基础\n第一节 完善计量\n建设计量中心。（牵头单位：市市场监管局）\n"
    )
    tasks = extract_text(text).tasks
    got = [(t.parent, t.number, t.title) for t in tasks]
    assert got == [
        ("第二章", "第一节", "做强制造业"),
        ("第二章", "第二节", "做优服务业"),
        ("第三章", "第一节", "完善计量"),
    ]


def test_goal_list_name_colon_value():
    text = (
        "某市“十四五”质量规划\n一、发展目标\n到2025年，质量水平明显提升。\n"
        "专栏 主要指标\n1. 绿色工厂总数：突破40家\n2. 每万人口品牌拥有量：约3.5件\n"
        "② 质量奖获奖企业：新增2—4家\n"
    )
    a = _one(text, 40)
    assert (a["indicator"], a["op"], a["unit"], a["year"]) == ("绿色工厂总数", ">", "家", 2025)
    b = _one(text, 3.5)
    assert (b["indicator"], b["op"], b["kind"]) == ("每万人口品牌拥有量", "~", "level")
    c = _one(text, [2, 4])
    assert c["indicator"] == "质量奖获奖企业" and c["kind"] == "new"


def test_second_goal_in_one_clause():
    text = "一、目标\n到2026年，全市高新技术企业累计达到300家，比2023年翻一番。\n"
    t = _one(text, 2)
    assert (t["indicator"], t["unit"], t["kind"]) == ("高新技术企业", "倍", "change")
    assert _one(text, 300)["kind"] == "cumulative"


def test_shared_head_noun_carried_to_elliptic_item():
    text = "一、目标\n到2026年，创建国家级生态农场示范基地5个、省级18个。\n"
    t = _one(text, 18)
    assert t["indicator"] == "省级生态农场示范基地"
    text = "一、目标\n到2026年，新增省级以上名牌产品9个、市级20个，比2023年增加一倍。\n"
    assert _one(text, 20)["indicator"] == "市级名牌产品"
    assert _one(text, 2)["kind"] == "change"


def test_line_broken_before_number():
    text = "一、目标\n到2025年，全市规模以上企业质量管理体系认证率达到\n85%，继续保持领先。\n"
    t = _one(text, 85)
    assert t["indicator"] == "规模以上企业质量管理体系认证率" and t["unit"] == "%"
    # a numbered line is still a heading, and a lone number is still a page number
    c = normalize("某某工作取得进展\n2.加强某项工作\n12\n")
    assert "\n2.加强" in c.text and "12" not in c.text


def test_document_counting_itself_is_not_a_target():
    text = (
        "一、重点任务\n围绕四个方面，确定15项重点任务，提出9条具体措施，分为三个阶段推进。\n"
        "力争培育龙头企业6家。\n"
    )
    assert [t["value"] for t in _targets(text)] == [6]


def test_heading_pointing_to_annex_table_is_not_a_task():
    from qcity.plans.extraction.model import Table

    text = (
        "一、主要目标\n到2026年，某某率达到90%。\n二、重点任务\n"
        "围绕三个方面部署工作，具体分工详见附件。\n三、保障措施\n（一）加强领导。统筹推进。\n"
    )
    table = Table(
        rows=[
            ["序号", "重点任务", "牵头单位", "配合单位"],
            ["1", "提升产品质量", "区工信局", "区市场监管局"],
            ["2", "培育区域品牌", "区市场监管局", ""],
        ]
    )
    tasks = extract_text(text, tables=[table]).tasks
    assert [t.title for t in tasks] == ["提升产品质量", "培育区域品牌"]


def test_kind_approximate_and_yearly_flows():
    base = "一、目标\n到2026年，"
    assert _one(base + "全市检测机构数量保持在900家左右。\n", 900)["kind"] == "cumulative"
    assert _one(base + "每年实施技改项目30个左右。\n", 30)["kind"] == "new"
    assert _one(base + "每年监督抽查产品不少于800批次。\n", 800)["kind"] == "new"
    assert _one(base + "推出精品线路12条。\n", 12)["kind"] == "new"
    assert _one(base + "年出具检验报告不少于5万张。\n", 5)["kind"] == "new"
    t = _one(base + "每年培训质量专员约200人。\n", 200)
    assert (t["op"], t["kind"]) == ("~", "new")


def test_plan_period_sets_document_year():
    text = "某市质量提升三年行动方案（2024—2026年）\n一、目标\n到2025年，某某覆盖率达到60%。\n"
    assert _one(text, 60)["year"] == 2025


def test_workplan_with_unit_lines_below_items():
    text = (
        "2027年某省质量强省工作要点\n一、夯实基础\n"
        "（一）推进计量建设。新建社会公用计量标准20项。\n"
        "牵头单位：省市场监管局  配合单位：省工业和信息化厅、省能源局\n"
        "（二）强化食品抽检。食品安全抽检不少于5批次/千人。\n"
        "牵头单位：省市场监管局\n"
    )
    ex = extract_text(text)
    assert [t.units for t in ex.tasks] == [
        ["省市场监管局", "省工业和信息化厅", "省能源局"],
        ["省市场监管局"],
    ]
    t = _one(text, 5)
    assert (t["unit"], t["kind"], t["year"]) == ("批次/千人", "level", 2027)
    assert _one(text, 20)["year"] == 2027


def test_plain_text_indicator_table():
    text = (
        "某市“十四五”质量发展规划\n第一章 发展目标\n到2025年，质量水平明显提升。\n"
        "指标名称\t单位\t2020年基期\t2025年目标\t属性\n"
        "产品质量合格率\t%\t92.5\t95\t预期性\n"
        "注册商标总量\t万件\t4.1\t7\t预期性\n"
        "事故死亡人数\t人\t0.06\t0.05以下\t约束性\n"
    )
    got = {(t["indicator"], t["op"], t["value"], t["unit"], t["year"]) for t in _targets(text)}
    assert got == {
        ("产品质量合格率", ">=", 95, "%", 2025),
        ("注册商标总量", ">=", 7, "万件", 2025),
        ("事故死亡人数", "<=", 0.05, "人", 2025),
    }
