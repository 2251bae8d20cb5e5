"""The 任务分工表 and targets table as .xlsx and as a 公文 .docx read back."""

import io

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from qcity.plans.demo import city_plan as plan
from qcity.plans.demo import plan_years


def test_task_table_docx_layout(world, client_for):
    response = client_for("market_staff").get(f"/plans/plans/{plan().pk}/export/tasks.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    assert doc.paragraphs[0].text == "附件1"
    assert plan().title in doc.paragraphs[1].text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "重点任务",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    header_pr = table.rows[0]._tr.trPr
    assert header_pr is not None and header_pr.find(qn("w:tblHeader")) is not None
    food_row = next(r for r in table.rows if r.cells[1].text == "守牢食品安全底线")
    assert food_row.cells[2].text == "市市场监管局"
    assert food_row.cells[3].text == "市农业农村局、市教育局、市公安局"
    assert food_row.cells[4].text == f"{plan_years()[0] + 1}年底前"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml


def test_target_table_xlsx_and_docx(world, client_for):
    client = client_for("office_admin")
    response = client.get(f"/plans/plans/{plan().pk}/export/targets.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "指标", "目标值")
    values = {r[1]: r[2] for r in rows[1:]}
    assert values["食品抽检合格率"] == "≥98.5%"
    assert values["制造业质量竞争力指数"] == "≈86"
    assert any("—" in v for v in values.values())  # the range target 2—3个
    docx = client.get(f"/plans/plans/{plan().pk}/export/targets.docx")
    doc = Document(io.BytesIO(docx.content))
    assert doc.paragraphs[0].text == "附件2"


def test_tasks_xlsx_and_unknown_export(world, client_for):
    client = client_for("office_admin")
    response = client.get(f"/plans/plans/{plan().pk}/export/tasks.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "重点任务", "牵头单位", "配合单位", "完成时限")
    assert len(rows) - 1 == plan().tasks.count()
    assert client.get(f"/plans/plans/{plan().pk}/export/tasks.pdf").status_code == 404
    assert client_for(None).get(f"/plans/plans/{plan().pk}/export/tasks.xlsx").status_code == 302
