import io

import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from qcity.core.models import ChangeLog, Holiday, ImportRun, OrgUnit

HEADER = ["单位名称", "简称", "单位类型", "区划代码", "上级单位"]


def _upload(client, name, content, mode="all"):
    return client.post(
        "/core/orgunits/import/", {"file": SimpleUploadedFile(name, content), "mode": mode}
    )


def _csv(rows, encoding="utf-8"):
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    return text.encode(encoding)


ROWS_OK = [
    ["示例市导入甲局", "导入甲局", "department", "990100", ""],
    ["江北区导入乙局", "导入乙局", "department", "990102", "示例市导入甲局"],
]


def test_template_downloads_with_the_import_columns(world, client_for):
    response = client_for("office_admin").get("/core/orgunits/import/template/")
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == [
        "单位名称*",
        "简称",
        "单位类型*",
        "区划代码*",
        "上级单位",
    ]


def test_gbk_csv_import_creates_rows_with_one_log_entry(world, client_for):
    before = ChangeLog.objects.count()
    response = _upload(client_for("office_admin"), "units.csv", _csv(ROWS_OK[:1], "gbk"))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.job.status == "done"
    assert run.rows_created == 1 and OrgUnit.objects.filter(name="示例市导入甲局").exists()
    assert ChangeLog.objects.count() == before + 1  # one entry for the job, not one per row
    assert ChangeLog.objects.first().action == "import"


def test_rerun_does_not_duplicate_and_updates_changed_rows(world, client_for):
    client = client_for("office_admin")
    _upload(client, "units.csv", _csv(ROWS_OK))
    _upload(client, "units.csv", _csv(ROWS_OK))
    assert OrgUnit.objects.filter(name__contains="导入").count() == 2
    second = ImportRun.objects.first()
    assert second.rows_unchanged == 2 and second.rows_created == 0
    changed = [["示例市导入甲局", "甲局新简称", "department", "990100", ""]]
    _upload(client, "units.csv", _csv(changed))
    third = ImportRun.objects.first()
    assert third.rows_updated == 1
    log = ChangeLog.objects.filter(action="update", object_repr="示例市导入甲局").get()
    assert log.before["short_name"] == "导入甲局" and log.after["short_name"] == "甲局新简称"


def test_all_or_nothing_writes_nothing_when_a_row_fails(world, client_for):
    rows = [*ROWS_OK, ["坏行", "", "no-such-kind", "990100", ""]]
    _upload(client_for("office_admin"), "units.csv", _csv(rows), mode="all")
    run = ImportRun.objects.get()
    assert not OrgUnit.objects.filter(name__contains="导入").exists()
    assert run.errors[0]["row"] == 4 and run.errors[0]["column"] == "单位类型"
    assert not run.committed


def test_valid_rows_only_mode_writes_whole_rows(world, client_for):
    rows = [ROWS_OK[0], ["坏行", "", "department", "000000", ""]]
    _upload(client_for("office_admin"), "units.csv", _csv(rows), mode="valid")
    run = ImportRun.objects.get()
    assert run.rows_created == 1 and run.rows_failed == 1
    assert not OrgUnit.objects.filter(name="坏行").exists()


def test_error_report_downloads(world, client_for):
    client = client_for("office_admin")
    _upload(client, "units.csv", _csv([["", "", "department", "990100", ""]]))
    run = ImportRun.objects.get()
    wb = load_workbook(io.BytesIO(client.get(f"/core/imports/{run.pk}/?report=errors").content))
    assert [c.value for c in wb.worksheets[0][2]] == [2, "单位名称", "必填项为空"]


def test_xlsx_and_xls_are_read(world, client_for):
    client = client_for("office_admin")
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "类型", "名称"])
    ws.append(["2032-01-01", "holiday", "元旦"])
    buffer = io.BytesIO()
    wb.save(buffer)
    client.post(
        "/core/holidays/import/",
        {"file": SimpleUploadedFile("h.xlsx", buffer.getvalue()), "mode": "all"},
    )
    book = xlwt.Workbook()
    sheet = book.add_sheet("s")
    for col, value in enumerate(["日期", "类型", "名称"]):
        sheet.write(0, col, value)
    for col, value in enumerate(["2032-10-01", "holiday", "国庆节"]):
        sheet.write(1, col, value)
    buffer = io.BytesIO()
    book.save(buffer)
    client.post(
        "/core/holidays/import/",
        {"file": SimpleUploadedFile("h.xls", buffer.getvalue()), "mode": "all"},
    )
    assert set(Holiday.objects.filter(date__year=2032).values_list("name", flat=True)) == {
        "元旦",
        "国庆节",
    }


def test_malformed_files_get_a_chinese_message_and_write_nothing(world, client_for):
    client = client_for("office_admin")
    for name, content, phrase in [
        ("units.xlsx", b"this is not a workbook", "文件已损坏"),
        ("units.pdf", b"%PDF-1.4", "格式不支持"),
        ("units.csv", "单位,名称\n".encode(), "缺少必填列"),
        ("units.csv", b"\xff\xfe\x00garbage\x81\x82", "无法识别"),
    ]:
        response = _upload(client, name, content)
        assert response.status_code == 400 and phrase in response.content.decode(), name
    assert not ImportRun.objects.exists()


def test_staff_cannot_import_reference_data(world, client_for):
    response = _upload(client_for("market_staff"), "units.csv", _csv(ROWS_OK))
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
