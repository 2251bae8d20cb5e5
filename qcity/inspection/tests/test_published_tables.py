"""Published 不合格 tables imported as published (issue 11), through the import page.

The tables are composed here in the national layouts of REFERENCE.md §12 (food: 标称生产企业 …
公告号 · 任务来源 · 检验机构; industrial 监督抽查: 受检单位 / 产品名称 / 不合格项目 / 承检机构),
with rows of our own, as .xlsx and as an HTML table in traditional characters."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from qcity.inspection.models import Sample
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin
from qcity.registry.models import Enterprise

pytestmark = pytest.mark.usefixtures("scenario_day")

FOOD_HEADER = ["序号", "标称生产企业名称", "标称生产企业地址", "被抽样单位名称", "被抽样单位地址",
               "食品名称", "规格型号", "商标", "生产日期/批号", "不合格项目║检验结果║标准值", "分类",
               "公告号", "公告日期", "任务来源/项目名称", "检验机构"]  # fmt: skip
NOTICE = ["2026年第7期", "2026-05-20", "市级监督抽检", "示例市食品检验研究院"]
FOOD_ROWS = [
    # 1 empty 分类, sure from the name (…火锅底料), sampled at a hotpot restaurant, purchase date
    [1, "示例市川味调料有限公司", "示例市江北区工业路8号", "示例市江北区老码头火锅店",
     "示例市江北区滨江路12号", "牛油火锅底料", "400g/袋", "川香", "2026-03-02(购进日期)",
     "酸价(以KOH计)║5.6mg/g║≤4mg/g", ""],
    # 2 empty 分类, sure (…花生油), supermarket
    [2, "示例市金穗油脂有限公司", "示例市江南区粮油街3号", "示例市江北区惠民超市",
     "示例市江北区人民路40号", "压榨花生油", "5L/桶", "金穗", "2026/2/10",
     "苯并[a]芘║15.2μg/kg║≤10μg/kg", ""],
    # 3 empty 分类, no category word in the name: to review
    [3, "示例市晨光乳业有限公司", "示例市江南区牧场路1号", "示例市江北区惠民超市",
     "示例市江北区人民路40号", "纯牛奶", "250mL/盒", "晨光", "2026.3.8",
     "蛋白质║2.6g/100g║≥2.9g/100g", ""],
    # 4 empty 分类, only a shared word (芝麻): to review
    [4, "示例市香满园食品厂", "示例市江南区小磨巷5号", "示例市江北区惠民超市",
     "示例市江北区人民路40号", "小磨芝麻香油", "250mL/瓶", "/", "2026年1月20日",
     "酸价(以KOH计)║4.1mg/g║≤3mg/g", ""],
    # 5 labels inside the cell, one typed twice (检验结结果); lost superscript; canteen
    [5, "示例市老味道肉制品有限公司", "示例市江北区屠宰场路2号", "示例市第一中学学生食堂",
     "示例市江北区学府路1号", "酱卤牛肉", "散装", "/", "2026年3月1日（购进）",
     "不合格项目：菌落总数║检验结结果：2.2×102 CFU/g║标准值：≤100 CFU/g", "酱卤肉制品"],
    # 6 result and limit published the wrong way round; sampled at the producer itself
    [6, "示例市丰年面粉厂", "示例市江南区麦香路6号", "示例市丰年面粉厂",
     "示例市江南区麦香路6号", "通用小麦粉", "25kg/袋", "丰年", "2026-02-01",
     "镉(以Cd计)║≤0.1mg/kg║0.16mg/kg", "小麦粉"],
    # 7 producer published without an address ("/"), not in the register
    [7, "示例县李记手工面坊", "/", "示例市江北区惠民超市", "示例市江北区人民路40号", "挂面",
     "500g/袋", "/", "2026/3/12", "铅(以Pb计)║0.52mg/kg║≤0.2mg/kg", "挂面"],
]  # fmt: skip


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def food_file():
    return xlsx(
        [["附件2", None], ["不合格产品信息", None], FOOD_HEADER] + [r + NOTICE for r in FOOD_ROWS]
    )


TRADITIONAL_HTML = """<html><head><meta charset="utf-8"></head><body><table>
<tr><td colspan="12">不合格產品信息</td></tr>
<tr><th>序號</th><th>標稱生產企業名稱</th><th>標稱生產企業地址</th><th>被抽樣單位名稱</th>
<th>被抽樣單位地址</th><th>食品名稱</th><th>生產日期/批號</th>
<th>不合格項目║檢驗結結果║標準值</th><th>分類</th><th>公告號</th><th>任務來源</th><th>檢驗機構</th></tr>
<tr><td>1</td><td>示例市豐收糧油有限公司</td><td>示例市江南區豐收路9號</td><td>示例市江北區順發超市</td>
<td>示例市江北區興業街7號</td><td>壓榨菜籽油</td><td>2026/3/5(購進日期)</td>
<td>苯並[a]芘║12.1μg/kg║≤10μg/kg</td><td></td><td>2026年第8期</td><td>市級監督抽檢</td>
<td>示例市質量檢測中心</td></tr>
</table></body></html>"""

PRODUCT_HEADER = ["序号", "产品名称", "受检单位", "受检单位地址", "规格型号", "生产日期或批号",
                  "不合格项目", "承检机构"]  # fmt: skip
PRODUCT_ROWS = [
    [1, "聚氯乙烯绝缘电线电缆", "示例市远航电缆有限公司", "示例市江南区电缆路1号", "BV 2.5mm²",
     "2026-01-10", "1.导体电阻\n2.绝缘厚度", "示例市产品质量检验所"],
    [2, "移动电源", "示例市畅充电子有限公司", "示例市江北区科技路9号", "10000mAh", "批号A2601",
     "标志和说明", "示例市产品质量检验所"],
]  # fmt: skip


def post(world, client_for, data, filename, kind="food"):
    with admin(world):
        plan = helpers.plan(world, kind=kind)
    client = client_for("market_staff")
    response = client.post(
        f"/inspection/samplingplans/{plan.pk}/import/",
        {"file": SimpleUploadedFile(filename, data), "create_unmatched": "on"},
    )
    samples = {s.product_name: s for s in Sample.objects.filter(plan=plan)}
    return response, response.content.decode(), samples, client


def test_empty_category_matched_from_name_and_unsure_rows_listed_for_review(world, client_for):
    response, page, samples, _ = post(world, client_for, food_file(), "food.xlsx")
    assert response.status_code == 200, page
    # figures: 7 rows read, 5 imported, 2 held for review, nothing refused
    assert "读取 7 行：导入 5 批次，待人工确认类别 2 行，问题 0 个" in page
    assert samples["牛油火锅底料"].category.name == "火锅底料"
    assert samples["压榨花生油"].category.name == "花生油"
    assert "纯牛奶" not in samples and "小磨芝麻香油" not in samples
    review = page.split('id="qcReview"')[1].split("</table>")[0]
    assert "纯牛奶" in review and "小磨芝麻香油" in review and "芝麻油" in review


def test_every_published_field_kept_and_channel_from_place_and_date_label(world, client_for):
    _r, _p, samples, _c = post(world, client_for, food_file(), "food.xlsx")
    hotpot = samples["牛油火锅底料"]
    assert hotpot.sampled_unit_name == "示例市江北区老码头火锅店"
    assert hotpot.sampled_unit_address == "示例市江北区滨江路12号"
    assert hotpot.lab_name == "示例市食品检验研究院" and hotpot.notice_no == "2026年第7期"
    assert hotpot.task_source == "市级监督抽检" and str(hotpot.notice_date) == "2026-05-20"
    # 抽样日期 not published: not invented from the production date, counted by the notice
    assert not hotpot.sampled_on_published and str(hotpot.sampled_on) == "2026-05-20"
    assert hotpot.production_date.isoformat() == "2026-03-02"
    detail = _c.get(f"/inspection/samples/{hotpot.pk}/").content.decode()
    assert "未公布（统计按 2026年5月20日 计）" in detail and "示例市江北区老码头火锅店" in detail
    channels = {name: s.channel for name, s in samples.items()}
    assert channels == {
        "牛油火锅底料": "catering",  # restaurant, purchase date
        "压榨花生油": "circulation",  # supermarket
        "酱卤牛肉": "catering",  # school canteen
        "通用小麦粉": "production",  # sampled at its producer
        "挂面": "circulation",
    }


def test_cell_label_typo_and_swap_are_read_and_hints_shown_to_the_clerk(world, client_for):
    _r, page, samples, client = post(world, client_for, food_file(), "food.xlsx")
    beef = samples["酱卤牛肉"].items.get()
    assert (beef.item, beef.value_text, beef.limit_text, beef.verdict) == (
        "菌落总数", "2.2×102 CFU/g", "≤100 CFU/g", "fail",
    )  # fmt: skip
    flour = samples["通用小麦粉"].items.get()
    assert (flour.value_text, flour.limit_text, flour.verdict) == ("0.16mg/kg", "≤0.1mg/kg", "fail")
    hints = page.split('id="qcHints"')[1].split("</table>")[0]
    assert "检验结果与标准值位置对调" in hints and "火锅底料" in hints


def test_lost_superscript_is_shown_restored_and_kept_as_published(world, client_for):
    _r, _p, samples, client = post(world, client_for, food_file(), "food.xlsx")
    beef = samples["酱卤牛肉"]
    shown = client.get(f"/inspection/samples/{beef.pk}/items/").content.decode()
    assert "2.2×10² CFU/g" in shown and "2.2×102" not in shown
    assert beef.items.get().value_text == "2.2×102 CFU/g"


def test_producer_without_address_registers_unverified_by_name(world, client_for):
    _r, page, samples, _c = post(world, client_for, food_file(), "food.xlsx")
    noodles = samples["挂面"]
    assert noodles.producer.name == "示例县李记手工面坊"
    assert not noodles.producer.verified and noodles.producer.address == ""
    assert "表中无地址，仅按名称登记" in page


def test_traditional_html_with_typed_header_read_as_purchase_and_found_by_simplified_search(
    world, client_for
):
    _r, page, samples, client = post(world, client_for, TRADITIONAL_HTML.encode(), "t.html")
    assert "读取 1 行：导入 1 批次" in page, page
    (s,) = samples.values()
    # published text kept as published
    assert s.product_name == "壓榨菜籽油" and s.sampled_unit_name == "示例市江北區順發超市"
    assert s.lab_name == "示例市質量檢測中心" and s.task_source == "市級監督抽檢"
    assert s.category.name == "菜籽油"  # matched on the simplified name
    assert s.production_date.isoformat() == "2026-03-05" and s.channel == "circulation"
    assert "購進" not in s.batch and s.items.get().value_text == "12.1μg/kg"
    assert "按“不合格项目║检验结果║标准值”识别" in page  # the typed label is reported
    listing = client.get("/inspection/samples/", {"q": "丰收"}).content.decode()
    assert s.number in listing


def test_industrial_table_listing_only_failing_item_names(world, client_for):
    data = xlsx([["2026年电子电器产品质量监督抽查不合格产品"], PRODUCT_HEADER] + PRODUCT_ROWS)
    response, page, samples, _ = post(world, client_for, data, "p.xlsx", kind="product")
    assert response.status_code == 200 and "读取 2 行：导入 2 批次" in page, page
    cable = samples["聚氯乙烯绝缘电线电缆"]
    assert cable.conclusion == "fail" and cable.category.name == "电线电缆"
    assert [i.item for i in cable.items.all()] == ["导体电阻", "绝缘厚度"]
    assert all(i.verdict == "fail" for i in cable.items.all())
    assert cable.sampled_unit_name == "示例市远航电缆有限公司" and cable.channel == "production"
    assert cable.lab_name == "示例市产品质量检验所"
    assert samples["移动电源"].items.get().item == "标志和说明"
    assert Enterprise.objects.filter(name="示例市远航电缆有限公司").count() <= 1


def test_clerk_confirms_a_held_category_and_only_that_row_is_imported(world, client_for):
    from qcity.inspection.models import ResultImport

    _r, page, samples, client = post(world, client_for, food_file(), "food.xlsx")
    plan = next(iter(samples.values())).plan
    run = ResultImport.objects.filter(plan=plan, committed=True).get()
    milk_row = 3 + 3  # title rows 1-2, header row 3, 纯牛奶 is the third data row
    assert f'name="category_{milk_row}"' in page
    response = client.post(
        f"/inspection/samplingplans/{plan.pk}/import/{run.pk}/review/",
        {f"category_{milk_row}": "F050102", f"category_{milk_row + 1}": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "导入 1 批次，待人工确认类别 1 行，问题 0 个，已存在跳过 5 批次" in page
    milk = Sample.objects.get(plan=plan, product_name="纯牛奶")
    assert milk.category.name == "灭菌乳" and milk.conclusion == "fail"
    assert "分类由办事人员确认为“灭菌乳”" in page
    assert not Sample.objects.filter(plan=plan, product_name="小磨芝麻香油").exists()


def test_header_labels_with_typos_spaces_breaks_and_full_width_are_recognised():
    from qcity.inspection import result_tables

    header = ["序 号", "标称生产\n企业名称", "標稱生產企業地址", "被抽样单位 名称", "食品名称",
              "生产日期／批号", "不合格项目｜检验结结果｜标准值", "分\n类", "检验机机构"]  # fmt: skip
    line = [1, "示例市某食品有限公司", "示例市江南区某路1号", "示例市某超市", "白砂糖",
            "2026-01-05", "二氧化硫残留量｜0.05g/kg｜≤0.03g/kg", "", "示例市某检测所"]  # fmt: skip
    res = result_tables.read_table(xlsx([header, line]), "h.xlsx")
    (r,) = res.rows
    assert r["producer_name"] == "示例市某食品有限公司" and r["sampled_unit"] == "示例市某超市"
    assert r["producer_address"] == "示例市江南区某路1号" and r["lab"] == "示例市某检测所"
    assert r["production_date"] == "2026-01-05"
    assert [(i["item"], i["result"], i["limit"], i["verdict"]) for i in r["items"]] == [
        ("二氧化硫残留量", "0.05g/kg", "≤0.03g/kg", "不合格")
    ]
    hints = [e.reason for e in res.errors if e.level == "提示"]
    assert any("检验机机构" in h and "检验机构" in h for h in hints)
