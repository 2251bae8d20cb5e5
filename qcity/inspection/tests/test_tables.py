"""One small generated file per quirk of REFERENCE.md §12, and a test for each."""

import datetime as dt
import io

import openpyxl
import pytest

from qcity.inspection import result_tables as T
from qcity.inspection.tests.biff import write_xls

HEADER = [
    "序号",
    "标称生产企业名称",
    "标称生产企业地址",
    "被抽样单位名称",
    "被抽样单位地址",
    "食品名称",
    "规格型号",
    "商标",
    "生产日期/批号",
    "不合格项目║检验结果║标准值",
    "分类",
    "公告号",
    "公告日期",
    "任务来源/项目名称",
    "检验机构",
]


def row(seq, name="挂面", date="2021-04-15", items="", producer="某某面业有限公司"):
    return [
        seq,
        producer,
        "浙江省杭州市",
        "某超市",
        "杭州市西湖区",
        name,
        "500g/袋",
        "/",
        date,
        items,
        "粮食加工品",
        "2021年第5号",
        "2021-06-01",
        "市抽检",
        "杭州市食品药品检验研究院",
    ]


def xlsx_bytes(rows, merges=(), sheet="不合格产品信息"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    text = "\n".join(",".join(f'"{"" if v is None else v}"' for v in r) for r in rows)
    return text.encode(encoding)


def errors_for(res, rownum):
    return [e for e in res.errors if e.row == rownum]


# ------------------------------------------------------------------ title rows above the header


def test_title_rows_above_header():
    data = xlsx_bytes(
        [
            ["附件2"],
            ["食品安全监督抽检不合格产品信息"],
            ["（声明：以下信息仅指本次抽检标称的生产企业相关产品）"],
            HEADER,
            row(1, items="铅(以Pb计)║0.8mg/kg║≤0.5mg/kg"),
        ],
        merges=["A2:O2"],
    )
    res = T.read_table(data, "a.xlsx")
    assert len(res.rows) == 1
    r = res.rows[0]
    assert r["row"] == 5 and r["product_name"] == "挂面" and r["seq"] == "1"
    assert r["items"][0]["verdict"] == "不合格"
    assert res.layout == "food"


# ------------------------------------------------------------------ header synonyms


def test_header_synonyms_and_broken_header_cells():
    header = [
        "抽样编号",
        "序号",
        "标识生产企业名称",
        "标识生产企业地址",
        "被抽检单位名称",
        "被抽检单位地址",
        "样品名称",
        "规格",
        "品牌",
        "生产日期",
        "不合格项目║检验结果║标准值",
        "食品类别",
        "公告号",
        "公告日期",
        "任务来源",
        "检验机构",
    ]
    header[2] = "标识生产\n企业名称"
    data = csv_bytes(
        [
            header,
            [
                "DC21330100001",
                "1",
                "甲公司",
                "地址1",
                "乙店",
                "地址2",
                "米粉",
                "1kg",
                "/",
                "2021.4.20",
                "",
                "",
                "",
                "",
                "",
                "丙检测",
            ],
        ]
    )
    res = T.read_table(data, "b.csv")
    r = res.rows[0]
    assert r["sample_no"] == "DC21330100001"
    assert r["producer_name"] == "甲公司" and r["sampled_unit"] == "乙店"
    assert r["product_name"] == "米粉" and r["spec"] == "1kg" and r["brand"] is None
    assert r["production_date"] == "2021-04-20" and r["lab"] == "丙检测"


def test_traditional_header_html():
    html = """<html><body><table>
    <tr><td>序號</td><td>標稱生產企業名稱</td><td>被抽樣單位名稱</td><td>食品名稱</td><td>生產日期/批號</td>
    <td>不合格項目║檢驗結果║標準值</td><td>檢驗機構</td></tr>
    <tr><td>1</td><td>某食品廠</td><td>某商行</td><td>豆腐乾</td><td>2021/3/2</td>
    <td>苯甲酸及其鈉鹽(以苯甲酸計)║0.79g/kg║不得檢出</td><td>某檢驗所</td></tr></table></body></html>"""
    res = T.read_table(html.encode("utf-8"), "c.html")
    r = res.rows[0]
    assert r["producer_name"] == "某食品廠"  # names keep the publisher's characters
    assert r["production_date"] == "2021-03-02"
    assert r["items"][0]["result"] == "0.79g/kg" and r["items"][0]["verdict"] == "不合格"


# ------------------------------------------------------------------ merged cells


def test_merged_cells_xlsx():
    data = xlsx_bytes(
        [["食品抽检信息"], HEADER, row(1, name="挂面"), row(2, name="米粉", producer=None)],
        merges=["A1:O1", "B3:B4"],
    )
    res = T.read_table(data, "d.xlsx")
    assert [r["producer_name"] for r in res.rows] == ["某某面业有限公司", "某某面业有限公司"]


def test_merged_cells_and_dates_xls():
    r1 = row(1.0, date=dt.date(2021, 4, 15))
    r2 = row(2.0, name="米粉", producer=None, date="(购进)2019/5/21")
    data = write_xls(
        {"Sheet1": [["关于5批次食品不合格情况的通告"] + [None] * 14, HEADER, r1, r2]},
        {"Sheet1": [(0, 0, 0, 14), (2, 3, 1, 1)]},
    )
    res = T.read_table(data, "e.xls")
    assert [r["row"] for r in res.rows] == [3, 4]
    assert res.rows[0]["seq"] == "1" and res.rows[0]["production_date"] == "2021-04-15"
    assert res.rows[1]["producer_name"] == "某某面业有限公司"
    assert res.rows[1]["production_date"] == "2019-05-21" and res.rows[1]["date_kind"] == "购进日期"


def test_html_rowspan_colspan():
    html = """<table>
    <tr><td colspan="5">不合格产品信息</td></tr>
    <tr><th rowspan="2">序号</th><th rowspan="2">被抽样单位名称</th><th rowspan="2">食品名称</th>
        <th colspan="3">不合格项目信息</th></tr>
    <tr><th>项目名称</th><th>检验结果</th><th>标准值</th></tr>
    <tr><td>1</td><td rowspan="2">某超市</td><td>鸡蛋</td><td>恩诺沙星</td><td>35μg/kg</td><td>不得检出</td></tr>
    <tr><td>2</td><td>鸭蛋</td><td>氟苯尼考</td><td>12.1μg/kg<br>8μg/kg</td><td>不得检出<br>≤10μg/kg</td></tr>
    </table>"""
    res = T.read_table(html.encode(), "f.htm")
    assert [r["sampled_unit"] for r in res.rows] == ["某超市", "某超市"]
    assert res.rows[0]["items"][0] == {
        "item": "恩诺沙星",
        "result": "35μg/kg",
        "limit": "不得检出",
        "verdict": "不合格",
        "reasons": ["检出35μg/kg，标准要求不得检出"],
    }
    assert len(res.rows[1]["items"]) == 2
    assert any("行数不一致" in e.reason for e in errors_for(res, 5))


# ------------------------------------------------------------------ shifted columns


def test_shifted_columns():
    good = row(1)
    right = [""] + row(2, name="米粉")  # an extra empty cell at the front
    left = row(3, name="面包")[1:]  # the 序号 cell is missing
    res = T.read_table(csv_bytes([HEADER, good, right, left]), "g.csv")
    names = [r["product_name"] for r in res.rows]
    assert names == ["挂面", "米粉", "面包"]
    assert res.rows[1]["production_date"] == "2021-04-15"
    assert any("右移1列" in e.reason and e.level == "提示" for e in errors_for(res, 3))
    assert any("左移1列" in e.reason for e in errors_for(res, 4))
    assert not errors_for(res, 2)


# ------------------------------------------------------------------ notes, sections, blank rows


def test_notes_sections_blank_and_repeated_header_rows():
    data = xlsx_bytes(
        [
            HEADER,
            ["一、粮食加工品"],
            row(1),
            [None] * 15,
            ["二、饮料"],
            row(2, name="茶饮料"),
            HEADER,
            row(3, name="果汁"),
            ["注：抽检结果仅对所抽样品负责。"] + [None] * 14,
            ["合计", None, None],
        ],
        merges=["A9:O9"],
    )
    res = T.read_table(data, "h.xlsx")
    assert [(r["product_name"], r["section"]) for r in res.rows] == [
        ("挂面", "一、粮食加工品"),
        ("茶饮料", "二、饮料"),
        ("果汁", "二、饮料"),
    ]
    assert [n[1] for n in res.notes] == ["注：抽检结果仅对所抽样品负责。", "合计"]
    assert not res.errors


# ------------------------------------------------------------------ full-width characters, "/"


def test_fullwidth_and_slash_empty():
    r = row("１", date="２０２１－０４－１５", producer="杭州某某（集团）有限公司", items="／")
    r[7] = "／"
    res = T.read_table(csv_bytes([HEADER, r]), "i.csv")
    out = res.rows[0]
    assert out["seq"] == "1" and out["production_date"] == "2021-04-15"
    assert out["brand"] is None and out["items"] == []
    assert out["producer_name"] == "杭州某某（集团）有限公司"


# ------------------------------------------------------------------ dates in several formats


@pytest.mark.parametrize(
    ("text", "date", "kind"),
    [
        ("2021-04-15", "2021-04-15", "生产日期"),
        ("2019/5/21", "2019-05-21", "生产日期"),
        ("2019.4.20", "2019-04-20", "生产日期"),
        ("2021年4月15日", "2021-04-15", "生产日期"),
        ("20210415", "2021-04-15", "生产日期"),
        ("2021-04-15(购进日期)", "2021-04-15", "购进日期"),
        ("2019/5/21（购进）", "2019-05-21", "购进日期"),
        ("加工日期:2020-12-01", "2020-12-01", "加工日期"),
        ("2021-04-15 00:00:00", "2021-04-15", "生产日期"),
        ("A20B3", None, "批号"),
    ],
)
def test_date_formats(text, date, kind):
    res = T.read_table(csv_bytes([HEADER, row(1, date=text)]), "j.csv")
    r = res.rows[0]
    assert (r["production_date"], r["date_kind"]) == (date, kind)
    assert not res.errors
    if kind == "批号":
        assert r["batch"] == text


def test_bad_date_reported():
    res = T.read_table(csv_bytes([HEADER, row(1, date="2021-13-45")]), "k.csv")
    assert res.rows[0]["production_date"] is None
    e = errors_for(res, 2)[0]
    assert e.column == "生产日期/批号" and "无法识别的日期" in e.reason and e.level == "错误"


# ------------------------------------------------------------------ the combined items cell


@pytest.mark.parametrize("sep", ["║", "‖", "丨", "|"])
def test_combined_cell_separators(sep):
    res = T.read_table(
        csv_bytes([HEADER, row(1, items=f"铅(以Pb计){sep}0.8mg/kg{sep}≤0.5mg/kg")]), "l.csv"
    )
    it = res.rows[0]["items"][0]
    assert (it["item"], it["result"], it["limit"], it["verdict"]) == (
        "铅(以Pb计)",
        "0.8mg/kg",
        "≤0.5mg/kg",
        "不合格",
    )


def test_limit_before_result_from_header():
    header = list(HEADER)
    header[9] = "不合格项目║标准值║检验结果"
    res = T.read_table(
        csv_bytes([header, row(1, items="二氧化硫残留量║≤0.1g/kg║0.25g/kg")]), "m.csv"
    )
    it = res.rows[0]["items"][0]
    assert (it["result"], it["limit"], it["verdict"]) == ("0.25g/kg", "≤0.1g/kg", "不合格")


def test_limit_before_result_detected_from_content():
    res = T.read_table(
        csv_bytes([HEADER, row(1, items="二氧化硫残留量║≤0.1g/kg║0.25g/kg")]), "n.csv"
    )
    it = res.rows[0]["items"][0]
    assert (it["result"], it["limit"]) == ("0.25g/kg", "≤0.1g/kg")
    assert any("对调" in e.reason for e in errors_for(res, 2))


def test_labels_inside_cell_and_several_items():
    cell = "不合格项目：菌落总数║检验结果：2.2×102 CFU/g║标准值：≤100 CFU/g\n不合格项目 大肠菌群║标准值 ≤10 CFU/g║检验结果 43 CFU/g"
    res = T.read_table(csv_bytes([HEADER, row(1, items=cell)]), "o.csv")
    items = res.rows[0]["items"]
    assert [(i["item"], i["result"], i["limit"]) for i in items] == [
        ("菌落总数", "2.2×102 CFU/g", "≤100 CFU/g"),
        ("大肠菌群", "43 CFU/g", "≤10 CFU/g"),
    ]
    assert [i["verdict"] for i in items] == ["不合格", "不合格"]  # 2.2×10² > 100 (superscript lost)


# ------------------------------------------------------------------ encodings and layouts


def test_gbk_csv():
    res = T.read_table(csv_bytes([HEADER, row(1, name="酱油")], encoding="gbk"), "p.csv")
    assert res.rows[0]["product_name"] == "酱油"


def test_utf8_bom_csv():
    res = T.read_table(b"\xef\xbb\xbf" + csv_bytes([HEADER, row(1, name="醋")]), "q.csv")
    assert res.rows[0]["product_name"] == "醋" and res.rows[0]["seq"] == "1"


def test_industrial_layout():
    header = [
        "序号",
        "产品名称",
        "受检单位",
        "受检单位地址",
        "规格型号",
        "生产日期或批号",
        "不合格项目",
        "承检机构",
    ]
    data = xlsx_bytes(
        [
            ["2023年电线电缆产品质量监督抽查结果"],
            header,
            [
                1,
                "聚氯乙烯绝缘电缆",
                "某电缆厂",
                "某地",
                "BV 2.5mm²",
                "2023-03-01",
                "导体电阻\n绝缘厚度",
                "某质检院",
            ],
        ],
        merges=["A1:H1"],
    )
    res = T.read_table(data, "r.xlsx")
    r = res.rows[0]
    assert res.layout == "product"
    assert r["sampled_unit"] == "某电缆厂" and r["lab"] == "某质检院"
    assert [i["item"] for i in r["items"]] == ["导体电阻", "绝缘厚度"]
    # the column says 不合格项目 and lists names only (the usual industrial form): each listed
    # item is a published failure, not a value to judge
    assert all(i["verdict"] == "不合格" for i in r["items"])


def test_no_header():
    res = T.read_table(csv_bytes([["a", "b"], ["1", "2"]]), "s.csv")
    assert res.rows == [] and "未找到表头" in res.errors[0].reason


def test_separate_columns_multiline_with_numbers_as_floats():
    header = ["序号", "抽样编号", "食品名称", "被抽样单位名称", "不合格项目", "检验结果", "标准值"]
    data = xlsx_bytes(
        [
            header,
            [
                1.0,
                21330100123456.0,
                "猪肉",
                "某市场",
                "克伦特罗\n沙丁胺醇",
                "0.8μg/kg\n未检出",
                "不得检出\n不得检出",
            ],
        ]
    )
    r = T.read_table(data, "t.xlsx").rows[0]
    assert r["seq"] == "1" and r["sample_no"] == "21330100123456"
    assert [(i["item"], i["verdict"]) for i in r["items"]] == [
        ("克伦特罗", "不合格"),
        ("沙丁胺醇", "合格"),
    ]


def test_html_saved_as_xls_in_gbk():
    html = "<meta charset=gbk><table><tr><td>序号</td><td>食品名称</td><td>被抽样单位名称</td><td>检验机构</td></tr>"
    html += "<tr><td>1</td><td>月饼</td><td>某店</td><td>某所</td></tr></table>"
    res = T.read_table(html.encode("gbk"), "download.xls")
    assert res.rows[0]["product_name"] == "月饼" and res.rows[0]["row"] == 2
