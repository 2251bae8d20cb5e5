"""Sampling: results and judgement, table import with every bad input, both disposal chains,
the overturn, overlaps between levels, statistics and computed indicators."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from qcity.core.models import Todo
from qcity.inspection import computers, dashboard, services
from qcity.inspection.models import DisposalCase, PassRateRollup, ResultImport, Sample, TestItem
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin
from qcity.registry.models import Enterprise

TODAY = timezone.localdate()
SCENARIO_DAY = datetime.date(2026, 6, 30)  # the day the published-table imports play on
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


def row(seq, producer, address, name="通用小麦粉", items="", category="小麦粉", date="2026-03-05"):
    return [
        seq,
        producer,
        address,
        "示例市江北区某超市",
        "示例市江北区人民路2号",
        name,
        "1kg/袋",
        "/",
        date,
        items,
        category,
        "2026年第1期",
        "2026-04-01",
        "市级监督抽检",
        "示例市食品药品检验检测中心",
    ]


def xlsx(rows, merge=None, title=True):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["示例市食品安全监督抽检产品信息"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def known_producer(world):
    return (
        Enterprise.objects.filter(region=world.districts[0], verified=True).order_by("pk").first()
    )


def rollup_total(**lookups):
    cells = PassRateRollup.objects.filter(**lookups)
    return sum(c.tested for c in cells), sum(c.qualified for c in cells)


def direct_total(**lookups):
    qs = Sample.objects.filter(
        is_void=False, overturned=False, conclusion__in=["pass", "fail"], **lookups
    )
    return qs.count(), qs.filter(conclusion="pass").count()


# ---------------------------------------------------------------- results
def test_value_with_no_limit_refused(world):
    with admin(world):
        s = helpers.sample(world)
        with pytest.raises(ValidationError) as exc:
            services.record_result(s, [services.ItemInput("铅(以Pb计)", "0.05mg/kg", "")])
    assert "缺少标准值" in str(exc.value)
    s.refresh_from_db()
    assert s.conclusion == "pending" and not TestItem.objects.filter(sample=s).exists()


def test_future_dates_refused(world):
    with admin(world):
        with pytest.raises(ValidationError) as exc:
            helpers.sample(world, on=TODAY + datetime.timedelta(days=2))
        assert "抽样日期不能晚于今天" in str(exc.value)
        s = helpers.sample(world)
        with pytest.raises(ValidationError):
            services.record_result(s, helpers.PASS, reported_on=TODAY + datetime.timedelta(days=1))


def test_result_updates_rollup_in_same_transaction_and_opens_case(world):
    before = rollup_total(kind="food")
    with admin(world):
        s = helpers.failed_sample(world)
    assert rollup_total(kind="food") == (before[0] + 1, before[1])
    assert s.case.chain == "food" and s.case.stage == "notice"
    assert Todo.objects.filter(object_id=str(s.case.pk), kind="disposal", done_at=None).exists()
    with admin(world):
        p = helpers.sample(world)
        services.record_result(p, [services.ItemInput("菌落总数", "2.2×102CFU/g", "≤1000CFU/g")])
    p.refresh_from_db()
    assert p.conclusion == "pass" and rollup_total(kind="food") == (before[0] + 2, before[1] + 1)


def test_sample_page_prints_form_with_qr(world, client_for):
    with admin(world):
        s = helpers.sample(world)
    response = client_for("market_staff").get(f"/inspection/samples/{s.pk}/form/")
    assert (
        response.status_code == 200
        and "<svg" in response.content.decode()
        and s.number in response.content.decode()
    )


def test_result_entry_page(world, client_for):
    with admin(world):
        s = helpers.sample(world)
    client = client_for("market_staff")
    bad = client.post(f"/inspection/samples/{s.pk}/result/", {"items": "铅 | 0.1mg/kg |"})
    assert bad.status_code == 400 and "缺少标准值" in bad.content.decode()
    ok = client.post(
        f"/inspection/samples/{s.pk}/result/",
        {"items": "铅(以Pb计) | 0.35mg/kg | ≤0.2mg/kg | GB 5009.12"},
    )
    assert ok.status_code == 302
    s.refresh_from_db()
    assert s.conclusion == "fail"


@pytest.mark.usefixtures("scenario_day")
# ---------------------------------------------------------------- import
def test_import_published_table_matches_producers_and_is_idempotent(world):
    known = known_producer(world)
    data = xlsx(
        [
            row(1, known.name, known.address, items="脱氧雪腐镰刀菌烯醇║1320μg/kg║≤1000μg/kg"),
            row(
                2, "示例市江北区新发现面粉厂", "示例市江北区工业路9号", name="挂面", category="挂面"
            ),
            row(3, known.name, known.address, name="大米", category="大米", date="2026.3.6"),
        ]
    )
    with admin(world):
        plan = helpers.plan(world)
        report = services.import_results(plan, "result.xlsx", data)
    assert report.ok, report.errors
    assert report.created == 3
    imported = Sample.objects.filter(import_run=report.run)
    failed = imported.get(conclusion="fail")
    assert (
        failed.producer == known and failed.match_confidence == 1 or failed.match_confidence >= 0.8
    )
    assert failed.case.chain == "food"
    new = Enterprise.objects.get(name="示例市江北区新发现面粉厂")
    assert new.verified is False and new.region == world.districts[0]
    assert any(m.get("created") for m in report.matches)
    # the same file again: refused
    with admin(world), pytest.raises(ValidationError) as exc:
        services.import_results(plan, "result-again.xlsx", data)
    assert "不能重复导入" in str(exc.value)
    # the same samples inside another file: skipped, not duplicated
    with admin(world):
        again = services.import_results(
            plan,
            "other.xlsx",
            xlsx(
                [
                    row(
                        1,
                        known.name,
                        known.address,
                        items="脱氧雪腐镰刀菌烯醇║1320μg/kg║≤1000μg/kg",
                    )
                ],
                title=False,
            ),
        )
    assert again.ok and again.created == 0 and again.skipped == 1


@pytest.mark.usefixtures("scenario_day")
@pytest.mark.parametrize(
    "bad_row,reason",
    [
        (lambda p: row(2, p.name, p.address, category="外星食品", name="外星面"), "未知类别"),
        (
            lambda p: row(
                2, p.name, p.address, date=(SCENARIO_DAY + datetime.timedelta(days=30)).isoformat()
            ),
            "晚于今天",
        ),
        (lambda p: row(2, p.name, p.address, items="铅(以Pb计)║0.5mg/kg║/"), "无法判定"),
        (lambda p: row(2, p.name, p.address, date="2026-13-45"), "日期"),
    ],
)
def test_import_bad_rows_reported_and_nothing_written(world, bad_row, reason):
    known = known_producer(world)
    data = xlsx([row(1, known.name, known.address), bad_row(known)])
    samples, enterprises, cells = Sample.objects.count(), Enterprise.objects.count(), rollup_total()
    with admin(world):
        plan = helpers.plan(world)
        report = services.import_results(plan, "bad.xlsx", data)
    assert not report.ok
    assert any(reason in e["reason"] and e["row"] == 4 for e in report.errors), report.errors
    assert Sample.objects.count() == samples and Enterprise.objects.count() == enterprises
    assert rollup_total() == cells
    assert ResultImport.objects.get(pk=report.run.pk).committed is False


@pytest.mark.usefixtures("scenario_day")
def test_import_shifted_columns_and_merged_cells(world):
    known = known_producer(world)
    shifted = [None] + row(2, known.name, known.address, name="挂面", category="挂面")
    data = xlsx(
        [
            row(1, known.name, known.address, name="大米", category="大米"),
            shifted,
            row(3, known.name, known.address, name="通用小麦粉"),
            row(4, None, None, name="专用小麦粉", category="专用小麦粉"),
        ],
        merge="B5:C6",
    )
    with admin(world):
        report = services.import_results(helpers.plan(world), "quirks.xlsx", data)
    assert report.ok, report.errors
    assert report.created == 4
    merged = Sample.objects.get(import_run=report.run, product_name="专用小麦粉")
    assert merged.producer == known  # merged producer cell copied down


def test_import_page(world, client_for):
    known = known_producer(world)
    with admin(world):
        plan = helpers.plan(world)
    client = client_for("market_staff")
    page = client.post(
        f"/inspection/samplingplans/{plan.pk}/import/",
        {
            "file": SimpleUploadedFile(
                "r.xlsx", xlsx([row(1, known.name, known.address, name="外星面", category="外星")])
            ),
            "create_unmatched": "on",
        },
    )
    assert page.status_code == 400 and "未知类别" in page.content.decode()
    assert (
        client_for("other_district_staff")
        .get(f"/inspection/samplingplans/{plan.pk}/import/")
        .status_code
        == 404
    )


# ---------------------------------------------------------------- disposal chains
def test_food_chain_walked_to_closure(world):
    with admin(world):
        s = helpers.failed_sample(world)
        case = s.case
        served = TODAY - datetime.timedelta(days=20)
        case = services.act(case, "serve_notice", on=served)
        assert case.stage == "retest_window"
        # the 7-working-day window from the rule table
        from qcity.core import workdays

        assert case.due == workdays.deadline(served, 7, "working_days")[0]
        with pytest.raises(ValidationError):  # window still open on the day of service
            services.act(case, "start_verification", on=served)
        with pytest.raises(ValidationError) as exc:  # a late 复检 request
            services.act(case, "request_retest", on=case.due + datetime.timedelta(days=1))
        assert "超过" in str(exc.value)
        case = services.act(case, "start_verification", on=case.due + datetime.timedelta(days=1))
        case = services.act(case, "recall", on=case.due if case.due <= TODAY else TODAY)
        case = services.act(case, "order_rectification")
        case = services.act(case, "file_penalty", penalty_case_no="示市监罚〔2026〕1号")
        with pytest.raises(ValidationError):
            services.act(case, "close")  # evidence required
        case = services.act(case, "close", evidence="处罚决定书及整改报告")
    assert case.stage == "closed" and case.closed_on == TODAY
    assert not Todo.objects.filter(object_id=str(case.pk), kind="disposal", done_at=None).exists()
    types = [e.type for e in __import__("qcity.core.events", fromlist=["timeline"]).timeline(case)]
    assert types[:2] == ["opened", "serve_notice"] and types[-1] == "close"


def test_retest_overturn_withdraws_from_statistics_and_public_list(world, client_for):
    with admin(world):
        s = helpers.failed_sample(world)
    tested, qualified = rollup_total(kind="food")
    anonymous = client_for(None)
    assert s.number in anonymous.get("/public/unqualified/").content.decode()
    with admin(world):
        case = services.act(s.case, "serve_notice", on=TODAY - datetime.timedelta(days=3))
        case = services.act(case, "request_retest", on=TODAY - datetime.timedelta(days=1))
        case = services.act(case, "retest_result", passed=True)
    s.refresh_from_db()
    assert s.overturned and case.stage == "overturned"
    assert rollup_total(kind="food") == (tested - 1, qualified)
    assert s.number not in anonymous.get("/public/unqualified/").content.decode()


def test_product_chain_second_failure(world):
    with admin(world):
        p = helpers.plan(world, kind="product")
        s = helpers.sample(world, the_plan=p, category="P0101")
        services.record_result(
            s,
            [services.ItemInput("绝缘电阻", "0.5MΩ", "≥1MΩ")],
            reported_on=TODAY - datetime.timedelta(days=200),
        )
        case = DisposalCase.objects.get(sample=s)
        assert case.chain == "product"
        served = TODAY - datetime.timedelta(days=190)
        case = services.act(case, "serve_notice", on=served)
        assert case.stage == "objection_window" and case.due == served + datetime.timedelta(days=15)
        with pytest.raises(ValidationError):
            services.act(case, "order_rectification", on=served + datetime.timedelta(days=5))
        rect = served + datetime.timedelta(days=16)
        case = services.act(case, "order_rectification", on=rect)
        assert case.rectification_due == rect + datetime.timedelta(days=60)
        assert case.recheck_due == rect + datetime.timedelta(days=75)
        case = services.act(case, "recheck", on=rect + datetime.timedelta(days=70), passed=False)
        assert case.stage == "announced"
        case = services.act(case, "recheck", on=rect + datetime.timedelta(days=150), passed=False)
        assert case.stage == "suspended"
        case = services.act(case, "close", evidence="停业整顿决定书")
    assert case.stage == "closed"


def test_overdue_scan_flags_todos(world):
    with admin(world):
        s = helpers.failed_sample(world)
    DisposalCase.objects.filter(pk=s.case.pk).update(due=TODAY - datetime.timedelta(days=1))
    services.scan_overdue()
    assert Todo.objects.filter(
        object_id=str(s.case.pk), kind="disposal_overdue", done_at=None
    ).exists()


def test_notices_are_documents(world, client_for):
    with admin(world):
        s = helpers.failed_sample(world)
    client = client_for("market_staff")
    for kind in ("result", "rectify"):
        r = client.get(f"/inspection/disposalcases/{s.case.pk}/notice/{kind}/")
        assert r.status_code == 200 and r.content[:2] == b"PK"


def test_same_enterprise_category_other_level_flagged(world, client_for):
    producer = known_producer(world)
    with admin(world):
        city_plan = helpers.plan(world, level="city")
        county_plan = helpers.plan(
            world, level="county", unit="江北区市场监管局", region=world.districts[0]
        )
        helpers.sample(world, the_plan=city_plan, producer=producer)
        helpers.sample(world, the_plan=county_plan, producer=producer, category="F010102")
    overlaps = services.plan_overlaps(city_plan)
    assert any(o["enterprise"] == producer and o["other_plan"] == county_plan for o in overlaps)
    page = client_for("market_staff").get(f"/inspection/samplingplans/{city_plan.pk}/overlaps/")
    assert producer.name in page.content.decode()


# ---------------------------------------------------------------- statistics
def test_void_updates_rollup(world):
    with admin(world):
        s = helpers.failed_sample(world)
        before = rollup_total(kind="food")
        services.void_sample(s, "录入错误")
    assert rollup_total(kind="food") == (before[0] - 1, before[1])


def test_rollup_matches_direct_count_on_demo(world):
    assert rollup_total() == direct_total()
    by_category = {r["key"]: (r["tested"], r["qualified"]) for r in dashboard.table({}, "category")}
    direct = {r["key"]: (r["t"], r["q"]) for r in dashboard.direct_table({}, "category")}
    assert by_category == direct


def test_food_pass_rate_computer_and_drilldown_lists_counted_samples(world, client_for):
    start, end = TODAY.replace(month=1, day=1), TODAY
    computed = computers.food_pass_rate(
        {"sample_type": "监督抽检", "level": "市级以上"}, world.city, start, end
    )
    first, last = computers.month_bounds(start, end)
    qs = Sample.objects.filter(
        kind="food",
        is_void=False,
        overturned=False,
        conclusion__in=["pass", "fail"],
        sample_type="supervision",
        level__in=["national", "province", "city"],
        sampled_on__gte=first,
        sampled_on__lte=last,
    )
    assert (
        computed.denominator == qs.count()
        and computed.numerator == qs.filter(conclusion="pass").count()
    )
    page = client_for("office_admin").get(computed.url + "&per_page=1000")
    assert page.status_code == 200
    table = page.context["table"]
    assert table.paginator.count == computed.denominator
    from qcity.core.models import Region  # noqa: F401

    assert set(
        Sample.objects.filter(**{k: v for k, v in computed.filter["lookups"].items()}).values_list(
            "pk", flat=True
        )
    ) == set(qs.values_list("pk", flat=True))


def test_computers_registered_under_library_keys():
    import json
    from pathlib import Path

    from qcity.indicators.computed import COMPUTERS

    library = json.loads(
        (Path(__file__).resolve().parents[2] / "indicators" / "library.json").read_text()
    )
    wanted = {
        e["computed_by"]
        for e in library["entries"]
        if (e.get("computed_by") or "").startswith("inspection.")
    }
    mine = {
        "inspection.food_pass_rate",
        "inspection.food_drug_pass_rate",
        "inspection.product_pass_rate",
        "inspection.agri_pass_rate",
    }
    assert mine <= set(COMPUTERS) and mine <= wanted


def test_stats_page_and_query_budget(world, client_for, django_assert_max_num_queries):
    client = client_for("market_staff")
    with django_assert_max_num_queries(20):
        response = client.get("/inspection/stats/", {"kind": "food", "by": "category"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "批次合格率" in text and "echarts.min.js" in text
    with django_assert_max_num_queries(20):
        assert client.get("/inspection/samples/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client_for(None).get("/public/unqualified/").status_code == 200


def test_public_unqualified_masks_address(world, client_for):
    with admin(world):
        s = helpers.failed_sample(world)
    Enterprise.objects.filter(pk=s.producer_id).update(
        legal_representative="欧阳建国", address="示例市江北区幸福路88号3栋201室"
    )
    page = client_for(None).get("/public/unqualified/", {"q": s.producer.name}).content.decode()
    assert s.number in page and s.producer.name in page
    assert "幸福路88号" not in page and "示例市****" in page  # the address, masked
    assert "欧阳建国" not in page and "欧***" not in page  # the representative is not shown
