"""The import pages as each role sees them, the htmx review edits, and query budgets."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qcity.core.models import ChangeLog
from qcity.plans.choices import ImportStatus
from qcity.plans.demo import city_plan
from qcity.plans.models import Plan, PlanImport

from .test_import import SMALL_PLAN, _media, reviewed  # noqa: F401


@pytest.mark.parametrize("handle", ["market_staff", "district_staff", "inspector", "multi_role"])
def test_unit_staff_cannot_see_imports(world, client_for, handle):
    imp = reviewed(world)
    client = client_for(handle)
    for url in (
        "/plans/imports/",
        "/plans/imports/new/",
        f"/plans/imports/{imp.pk}/",
        f"/plans/imports/{imp.pk}/review/",
    ):
        assert client.get(url).status_code == 404, url
    before = ChangeLog.objects.count()
    response = client.post(f"/plans/imports/{imp.pk}/import/")
    assert response.status_code == 404
    assert (
        client.post(f"/plans/imports/{imp.pk}/draft/", {"action": "units_auto"}).status_code == 404
    )
    assert ChangeLog.objects.count() == before
    imp.refresh_from_db()
    assert imp.status == ImportStatus.REVIEW


def test_auditor_reads_but_cannot_change(world, client_for):
    imp = reviewed(world)
    client = client_for("auditor")
    assert client.get("/plans/imports/").status_code == 200
    page = client.get(f"/plans/imports/{imp.pk}/review/")
    assert page.status_code == 200 and "导入为规划" not in page.content.decode()
    assert client.get("/plans/imports/new/").status_code == 403
    assert client.post(f"/plans/imports/{imp.pk}/import/").status_code == 403
    assert (
        client.post(f"/plans/imports/{imp.pk}/draft/", {"action": "units_auto"}).status_code == 403
    )
    imp.refresh_from_db()
    assert imp.status == ImportStatus.REVIEW


def test_anonymous_is_sent_to_login(client_for):
    response = client_for(None).get("/plans/imports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_upload_page_to_status_to_review(world, client_for):
    client = client_for("office_admin")
    assert client.get("/plans/imports/new/").status_code == 200
    response = client.post(
        "/plans/imports/new/",
        {"file": SimpleUploadedFile("plan.txt", SMALL_PLAN.encode()), "role": "ours"},
    )
    imp = PlanImport.objects.get(file_name="plan.txt")
    assert response.status_code == 302 and response["Location"] == f"/plans/imports/{imp.pk}/"
    status = client.get(f"/plans/imports/{imp.pk}/")
    assert "继续审核" in status.content.decode()
    polled = client.get(f"/plans/imports/{imp.pk}/", HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == f"/plans/imports/{imp.pk}/review/"
    review = client.get(f"/plans/imports/{imp.pk}/review/").content.decode()
    assert re.search(r'<mark class="target">[^<]*食品抽检合格率达到98%</mark>', review)
    assert '<mark class="unit">市市场监管局</mark>' in review
    assert "尚未确认" in review


def test_status_page_polls_while_extracting(world, client_for):
    imp = reviewed(world)
    PlanImport.objects.filter(pk=imp.pk).update(status=ImportStatus.EXTRACTING)
    page = client_for("office_admin").get(f"/plans/imports/{imp.pk}/", HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body and "正在识别" in body


def test_upload_errors_are_shown_in_chinese(world, client_for, settings):
    client = client_for("office_admin")
    response = client.post(
        "/plans/imports/new/", {"file": SimpleUploadedFile("a.wps", b"abc"), "role": "ours"}
    )
    assert response.status_code == 400 and "格式不支持" in response.content.decode()
    settings.QCITY_MAX_UPLOAD_MB = 0
    response = client.post(
        "/plans/imports/new/", {"file": SimpleUploadedFile("a.txt", b"abc"), "role": "ours"}
    )
    assert response.status_code == 400 and "上限" in response.content.decode()
    assert not PlanImport.objects.filter(file_name__startswith="a.").exists()


def test_htmx_review_edits_and_import(world, client_for):
    imp = reviewed(world)
    client = client_for("office_admin")
    url = f"/plans/imports/{imp.pk}/draft/"
    key = imp.draft["tasks"][0]["key"]
    page = client.post(
        url,
        {
            "action": "row_update",
            "table": "task",
            "key": key,
            "title": "开展质量提升行动",
            "lead": "市市场监管局",
            "co": "市工信局、市经贸协作中心",
            "number": "1.",
            "deadline_text": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200 and 'id="reviewBody"' in page.content.decode()
    bad = client.post(
        url,
        {
            "action": "row_update",
            "table": "target",
            "key": imp.draft["targets"][0]["key"],
            "value": "abc",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "不是数字" in bad.content.decode()
    client.post(url, {"action": "units_auto"}, HTTP_HX_REQUEST="true")
    refused = client.post(f"/plans/imports/{imp.pk}/import/", follow=True)
    assert "尚未确认" in refused.content.decode()  # 市经贸协作中心 is not registered
    imp.refresh_from_db()
    for name, entry in imp.draft["units"].items():
        if not entry["confirmed"]:
            client.post(
                url, {"action": "unit", "name": name, "choice": "new"}, HTTP_HX_REQUEST="true"
            )
    client.post(url, {"action": "role", "role": "ours"}, HTTP_HX_REQUEST="true")
    response = client.post(f"/plans/imports/{imp.pk}/import/")
    plan = Plan.objects.get(imports=imp)
    assert response["Location"] == f"/plans/plans/{plan.pk}/"
    assert plan.tasks.filter(title="开展质量提升行动").exists()


def test_query_budgets(world, client_for, django_assert_max_num_queries):
    for i in range(3):
        reviewed(world, content=SMALL_PLAN + "\n" * (i + 1), name=f"p{i}.txt")
    client = client_for("office_admin")
    plan = city_plan()
    imp = PlanImport.objects.get(plan=plan)
    for url, budget in (
        ("/plans/imports/", 12),
        (f"/plans/imports/{imp.pk}/review/", 20),
        ("/plans/plans/", 15),
        (f"/plans/tasks/?plan={plan.pk}", 20),
        (f"/plans/targets/?plan={plan.pk}&year={plan.period_end}", 20),
        (f"/plans/plans/{plan.pk}/", 15),
    ):
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


def test_task_list_filters(world, client_for):
    plan = city_plan()
    client = client_for("construction_staff")
    unit = world.unit("市住建局")
    page = client.get(f"/plans/tasks/?plan={plan.pk}&lead_unit={unit.pk}").content.decode()
    assert "加强建设工程质量管理" in page and "守牢食品安全底线" not in page
    api = client.get("/api/plans/tasks/", {"lead_unit": unit.pk}).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert rows and all(r["lead_unit"] == unit.pk for r in rows)
    sections = client.get("/api/plans/sections/", {"plan": plan.pk})
    assert sections.status_code == 200
    # unit staff see only the tasks their unit takes part in
    visible = client.get("/api/plans/responsibilities/").json()
    rows = visible["results"] if isinstance(visible, dict) else visible
    assert rows
