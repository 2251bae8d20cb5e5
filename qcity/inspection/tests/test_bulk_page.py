"""The office's large-file import page: upload, job with progress, all or nothing with a
downloadable row error report, one change-log entry per run, disposal cases, recompute."""

import datetime
import io

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from qcity.core.models import ChangeLog, Job
from qcity.inspection import bulk
from qcity.inspection.models import DisposalCase, PassRateRollup, ResultImport, Sample
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin
from qcity.registry.models import Enterprise

TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=40)


def xlsx(rows, header=bulk.HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rollup_tested():
    return sum(PassRateRollup.objects.values_list("tested", flat=True))


def run_logs(run):
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(ResultImport), object_id=str(run.pk)
    )


def test_bulk_page_end_to_end(world, client_for, django_capture_on_commit_callbacks):
    code = Enterprise.objects.exclude(credit_code=None).order_by("pk").first().credit_code
    chinese_day = f"{DAY.year}年{DAY.month}月{DAY.day}日"
    good = [
        ["WB0001", code, "挂面", "F010301", "990102", "流通环节", chinese_day, "铅", "0.05mg/kg", "≤0.2mg/kg"],
        ["WB0002", code, "挂面", "F010301", "990102", "生产环节", DAY.isoformat(), "铅", "0.35mg/kg", "≤0.2mg/kg"],
        ["WB0002", code, "挂面", "F010301", "990102", "生产环节", DAY.isoformat(), "菌落总数", "2.2×102CFU/g", "≤1000CFU/g"],
    ]  # fmt: skip
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    bad = good + [
        ["WB0003", "91110000600037342L", "挂面", "F010301", "990102", "流通", DAY.isoformat(), "铅", "0.1mg/kg", "≤0.2mg/kg"],
        ["WB0004", code, "挂面", "F010301", "999999", "流通", DAY.isoformat(), "铅", "0.1mg/kg", "≤0.2mg/kg"],
        ["WB0005", code, "挂面", "F010301", "990102", "流通", future, "铅", "0.1mg/kg", "≤0.2mg/kg"],
        ["WB0006", code, "挂面", "F010301", "990102", "流通", DAY.isoformat(), "铅", "0.1mg/kg", ""],
        ["WB0007", code, "空调", "P0101", "990102", "流通", DAY.isoformat(), "铅", "0.1mg/kg", "≤0.2mg/kg"],
        ["WB0008", code, "挂面", "F010301", "990102", "流通", "2026-13-45", "铅", "0.1mg/kg", "≤0.2mg/kg"],
    ]  # fmt: skip
    with admin(world):
        plan = helpers.plan(world)
    client = client_for("market_staff")
    url = f"/inspection/samplingplans/{plan.pk}/bulk-import/"
    page = client.get(url)
    assert page.status_code == 200 and "大文件批量导入" in page.content.decode()
    template = client.get(url, {"template": "1"})
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value == "抽样编号"

    # a file with row errors: nothing written, the report lists each row with its reason
    samples, tested = Sample.objects.count(), rollup_tested()
    response = client.post(url, {"file": SimpleUploadedFile("bad.xlsx", xlsx(bad))})
    assert response.status_code == 302
    run = ResultImport.objects.latest("pk")
    assert run.kind == "bulk" and run.job.status == "done" and not run.committed
    assert Sample.objects.count() == samples and rollup_tested() == tested
    reasons = {e["row"]: (e["column"], e["reason"]) for e in run.errors}
    assert reasons == {
        5: ("生产企业统一社会信用代码", "统一社会信用代码校验不通过"),
        6: ("区划代码", "未知区划代码"),
        7: ("抽样日期", "抽样日期晚于今天"),
        8: ("标准值", "缺少标准值"),
        9: ("类别代码", "类别不属于本计划的类别体系"),
        10: ("抽样日期", "抽样日期无法识别"),
    }
    status = client.get(response.url)
    assert "整份文件未写入任何数据" in status.content.decode()
    report = client.get(response.url, {"report": "errors"})
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in sheet[1]] == ["行号", "列", "原因"] and sheet.max_row == 7
    assert run_logs(run).count() == 1

    # the corrected file: written at once, one log entry, case opened, months recomputed
    good_file = xlsx(
        good
    )  # built once: workbooks carry a timestamp, the re-upload must be identical
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("good.xlsx", good_file)})
    run = ResultImport.objects.latest("pk")
    assert run.committed and run.rows_total == 3 and run.rows_created == 2
    assert run.job.status == "done" and run.job.percent == 100
    assert rollup_tested() == tested + 2
    failed = Sample.objects.get(number="WB0002")
    assert failed.conclusion == "fail" and failed.items.count() == 2 and failed.import_run == run
    assert Sample.objects.get(number="WB0001").channel == "circulation"
    assert DisposalCase.objects.filter(sample=failed, stage="notice").exists()
    assert run_logs(run).count() == 1 and "新增样品 2 批次" in run_logs(run).get().note
    recompute = Job.objects.filter(kind="indicators.recompute").latest("pk")
    month = DAY.replace(day=1).isoformat()
    assert any(a <= month <= b for a, b in recompute.params["periods"])
    assert "已写入 2 批次样品" in client.get(response.url).content.decode()

    # the same file again, a wrong header, a wrong format: refused on the page
    again = client.post(url, {"file": SimpleUploadedFile("good.xlsx", good_file)})
    assert again.status_code == 400 and "不能重复导入" in again.content.decode()
    header = client.post(
        url, {"file": SimpleUploadedFile("h.xlsx", xlsx(good, header=["编号", "名称"]))}
    )
    assert header.status_code == 400 and "列名不符" in header.content.decode()
    doc = client.post(url, {"file": SimpleUploadedFile("r.docx", b"PK")})
    assert doc.status_code == 400 and "格式不支持" in doc.content.decode()
    assert client.post(url, {}).status_code == 400


def test_bulk_csv_gbk_and_out_of_scope(world, client_for):
    code = Enterprise.objects.exclude(credit_code=None).order_by("pk").first().credit_code
    text = ",".join(bulk.HEADERS) + "\n"
    text += f"WG0001,{code},挂面,F010301,990102,餐饮环节,{DAY:%Y/%m/%d},铅,0.05mg/kg,≤0.2mg/kg\n"
    with admin(world):
        plan = helpers.plan(world)
    url = f"/inspection/samplingplans/{plan.pk}/bulk-import/"
    assert client_for("other_district_staff").get(url).status_code == 404
    response = client_for("market_staff").post(
        url, {"file": SimpleUploadedFile("g.csv", text.encode("gbk"))}
    )
    assert response.status_code == 302
    s = Sample.objects.get(number="WG0001")
    assert s.channel == "catering" and s.sampled_on == DAY
    run = ResultImport.objects.latest("pk")
    assert (
        client_for("other_district_staff").get(f"/inspection/bulk-imports/{run.pk}/").status_code
        == 404
    )


def test_bulk_same_sample_number_with_different_details_refused(world):
    code = Enterprise.objects.exclude(credit_code=None).order_by("pk").first().credit_code
    text = ",".join(bulk.COLUMNS) + "\n"
    text += f"WI0001,{code},挂面,F010301,990102,circulation,{DAY},铅,0.05mg/kg,≤0.2mg/kg\n"
    text += f"WI0001,{code},挂面,F010302,990102,circulation,{DAY},镉,0.01mg/kg,≤0.1mg/kg\n"
    text += f"WI0002,{code},挂面,F010301,990102,circulation,{DAY},铅\n"
    with admin(world):
        result = bulk.import_csv(helpers.plan(world), text)
    assert result["created"] == 0
    assert [(e["row"], e["reason"]) for e in result["errors"]] == [
        (2, "同一抽样编号的各行样品信息不一致"),
        (3, "同一抽样编号的各行样品信息不一致"),
        (4, "列数不符：应为10列，实为8列"),
    ]
