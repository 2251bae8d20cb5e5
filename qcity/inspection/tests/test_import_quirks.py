"""One file per quirk of REFERENCE.md §12, each through the real import path
(``services.import_results``): the samples and test items written, or the row errors."""

import datetime
import io

import pytest
from openpyxl import Workbook

from qcity.inspection import services
from qcity.inspection.models import Sample
from qcity.inspection.tests import helpers
from qcity.inspection.tests.biff import write_xls
from qcity.inspection.tests.helpers import admin
from qcity.inspection.tests.test_sampling import HEADER, known_producer, row

TODAY = datetime.date(2026, 6, 30)  # the scenario day (conftest.SCENARIO_DAY) the tests play on

pytestmark = pytest.mark.usefixtures("scenario_day")


def xlsx(rows, merges=()):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv(rows, encoding="utf-8"):
    text = "\n".join(",".join(f'"{"" if v is None else v}"' for v in r) for r in rows)
    return text.encode(encoding)


def run(world, data, filename):
    with admin(world):
        report = services.import_results(helpers.plan(world), filename, data)
    samples = list(Sample.objects.filter(import_run=report.run).order_by("pk"))
    return report, samples


def ok(report, samples, n):
    assert report.ok, report.errors
    assert report.created == n and len(samples) == n
    return samples


def test_title_rows_above_header(world):
    p = known_producer(world)
    data = xlsx(
        [["附件2"], ["食品安全监督抽检产品信息"], ["（声明：仅对所抽样品负责）"], HEADER]
        + [row(1, p.name, p.address, items="铅(以Pb计)║0.8mg/kg║≤0.5mg/kg")],
        merges=["A2:O2"],
    )
    (s,) = ok(*run(world, data, "title.xlsx"), 1)
    assert s.conclusion == "fail" and s.producer == p
    assert [(i.item, i.value_text, i.limit_text) for i in s.items.all()] == [
        ("铅(以Pb计)", "0.8mg/kg", "≤0.5mg/kg")
    ]


def test_header_synonyms(world):
    p = known_producer(world)
    header = ["抽样编号", "序号", "标识生产\n企业名称", "标识生产企业地址", "被抽检单位名称",
              "被抽检单位地址", "样品名称", "规格", "品牌", "生产日期", "不合格项目║检验结果║标准值",
              "食品类别", "公告号", "公告日期", "任务来源", "检验机构"]  # fmt: skip
    line = ["DC26990100001", "1", p.name, p.address, "某超市", "示例市江北区人民路2号", "挂面",
            "1kg", "/", "2026.1.20", "", "挂面", "", "", "", "某检测所"]  # fmt: skip
    (s,) = ok(*run(world, csv([header, line]), "syn.csv"), 1)
    assert s.number == "DC26990100001" and s.product_name == "挂面" and s.producer == p
    assert s.category.name == "挂面" and s.production_date == datetime.date(2026, 1, 20)


def test_merged_cells_xls(world):
    p = known_producer(world)
    r1 = row(1.0, p.name, p.address, name="大米", category="大米")
    r2 = row(2.0, None, None, name="挂面", category="挂面", date="(购进)2026/2/3")
    data = write_xls(
        {"Sheet1": [["关于食品抽检情况的通告"] + [None] * 14, HEADER, r1, r2]},
        {"Sheet1": [(0, 0, 0, 14), (2, 3, 1, 2)]},
    )
    a, b = ok(*run(world, data, "merged.xls"), 2)
    assert a.producer == b.producer == p
    assert b.production_date == datetime.date(2026, 2, 3) and b.channel == "circulation"


def test_shifted_columns(world):
    p = known_producer(world)
    data = csv([HEADER, row(1, p.name, p.address), [""] + row(2, p.name, p.address, name="挂面",
               category="挂面"), row(3, p.name, p.address, name="大米", category="大米")[1:]])  # fmt: skip
    samples = ok(*run(world, data, "shift.csv"), 3)
    assert [s.product_name for s in samples] == ["通用小麦粉", "挂面", "大米"]
    assert all(s.production_date == datetime.date(2026, 3, 5) for s in samples)


def test_notes_sections_blank_and_repeated_header_rows(world):
    p = known_producer(world)
    data = xlsx(
        [HEADER, ["一、粮食加工品"], row(1, p.name, p.address), [None] * 15,
         row(2, p.name, p.address, name="挂面", category=""), HEADER,
         row(3, p.name, p.address, name="大米", category="大米"),
         ["注：抽检结果仅对所抽样品负责。"] + [None] * 14, ["合计", None, None]],
        merges=["A9:O9"],
    )  # fmt: skip
    samples = ok(*run(world, data, "notes.xlsx"), 3)
    # no 分类 cell on row 2: the section row "一、粮食加工品" gives the category
    assert [s.category.name for s in samples] == ["小麦粉", "粮食加工品", "大米"]


def test_fullwidth_characters_and_slash(world):
    p = known_producer(world)
    r = row("１", p.name, p.address, date="２０２６－０３－０５", items="／")
    r[7] = "／"
    (s,) = ok(*run(world, csv([HEADER, r]), "full.csv"), 1)
    assert s.production_date == datetime.date(2026, 3, 5) and s.brand == ""
    assert s.conclusion == "pass" and not s.items.exists()


@pytest.mark.parametrize(
    ("text", "day", "channel"),
    [
        # the row's place is a supermarket (test_sampling.row): 流通环节 whatever the date label
        ("2026-01-15", datetime.date(2026, 1, 15), "circulation"),
        ("2026/1/15", datetime.date(2026, 1, 15), "circulation"),
        ("2026.1.15", datetime.date(2026, 1, 15), "circulation"),
        ("2026年1月15日", datetime.date(2026, 1, 15), "circulation"),
        ("2026-01-15(购进日期)", datetime.date(2026, 1, 15), "circulation"),
        ("2026/1/15（购进）", datetime.date(2026, 1, 15), "circulation"),
    ],
)
def test_dates_in_several_formats(world, text, day, channel):
    p = known_producer(world)
    (s,) = ok(*run(world, csv([HEADER, row(1, p.name, p.address, date=text)]), "d.csv"), 1)
    assert s.production_date == day and s.channel == channel


def test_bad_and_future_dates_are_row_errors(world):
    p = known_producer(world)
    future = (TODAY + datetime.timedelta(days=5)).isoformat()
    data = csv([HEADER, row(1, p.name, p.address, date="2026-13-45"),
                row(2, p.name, p.address, name="挂面", category="挂面", date=future)])  # fmt: skip
    report, samples = run(world, data, "bad-dates.csv")
    assert not report.ok and samples == []
    assert {e["row"] for e in report.errors} == {2, 3}
    assert any("日期" in e["reason"] for e in report.errors if e["row"] == 2)
    assert any("晚于今天" in e["reason"] for e in report.errors if e["row"] == 3)


def test_html_table_in_traditional_characters(world):
    p = known_producer(world)
    html = f"""<html><body><table>
    <tr><td colspan="7">不合格產品信息</td></tr>
    <tr><td>序號</td><td>標稱生產企業名稱</td><td>標稱生產企業地址</td><td>食品名稱</td>
    <td>生產日期/批號</td><td>不合格項目║檢驗結果║標準值</td><td>分類</td></tr>
    <tr><td>1</td><td>{p.name}</td><td>{p.address}</td><td>大米</td><td>2026/3/2</td>
    <td>鎘(以Cd計)║0.35mg/kg║≤0.2mg/kg</td><td>大米</td></tr></table></body></html>"""
    (s,) = ok(*run(world, html.encode("utf-8"), "t.html"), 1)
    assert s.conclusion == "fail" and s.production_date == datetime.date(2026, 3, 2)
    assert s.items.get().value_text == "0.35mg/kg"


def test_gbk_csv(world):
    p = known_producer(world)
    (s,) = ok(*run(world, csv([HEADER, row(1, p.name, p.address, name="挂面", category="挂面")],
                              encoding="gbk"), "gbk.csv"), 1)  # fmt: skip
    assert s.product_name == "挂面" and s.producer == p


@pytest.mark.parametrize("sep", ["‖", "丨", "|"])
def test_combined_cell_separators(world, sep):
    p = known_producer(world)
    items = f"铅(以Pb计){sep}0.8mg/kg{sep}≤0.5mg/kg"
    (s,) = ok(*run(world, csv([HEADER, row(1, p.name, p.address, items=items)]), "sep.csv"), 1)
    assert s.conclusion == "fail" and s.items.get().limit_text == "≤0.5mg/kg"


def test_limit_before_result_labels_several_items_and_lost_superscript(world):
    p = known_producer(world)
    cell = (
        "不合格项目：菌落总数║检验结果：2.2×102 CFU/g║标准值：≤100 CFU/g\n"
        "不合格项目 大肠菌群║标准值 ≤10 CFU/g║检验结果 43 CFU/g"
    )
    (s,) = ok(*run(world, csv([HEADER, row(1, p.name, p.address, items=cell)]), "cell.csv"), 1)
    items = list(s.items.all())
    assert [(i.item, i.value_text, i.limit_text, i.verdict) for i in items] == [
        ("菌落总数", "2.2×102 CFU/g", "≤100 CFU/g", "fail"),
        ("大肠菌群", "43 CFU/g", "≤10 CFU/g", "fail"),
    ]
    assert s.conclusion == "fail" and s.case.chain == "food"


def test_value_without_limit_and_unknown_category_are_row_errors(world):
    p = known_producer(world)
    data = xlsx([HEADER, row(1, p.name, p.address), row(2, p.name, p.address, items="铅║0.5mg/kg║/"),
                 row(3, p.name, p.address, name="外星面", category="外星食品")])  # fmt: skip
    report, samples = run(world, data, "rows.xlsx")
    assert samples == [] and not report.ok
    by_row = {e["row"]: e["reason"] for e in report.errors}
    assert set(by_row) == {3, 4}
    assert "未知类别“外星食品”" in by_row[4]
