"""The quarterly sampling analysis report: numbers from the rollup equal a direct count, the
comparisons, failing items and repeat-failing enterprises, exports and bad input."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from qcity.inspection import quarterly, services, stats
from qcity.inspection.models import Sample
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin

TODAY = timezone.localdate()


def this_quarter():
    return quarterly.Quarter.containing(TODAY - datetime.timedelta(days=30))


def direct(quarter, kind="food", **lookups):
    qs = Sample.objects.filter(
        kind=kind,
        is_void=False,
        overturned=False,
        conclusion__in=["pass", "fail"],
        sampled_on__gte=quarter.first_month,
        sampled_on__lte=quarter.last_day,
        **lookups,
    )
    return qs


def test_quarter_arithmetic_and_bad_input():
    q = quarterly.Quarter(2026, 1)
    assert q.previous() == quarterly.Quarter(2025, 4) and q.year_before() == quarterly.Quarter(
        2025, 1
    )
    assert q.last_day == datetime.date(2026, 3, 31) and q.label() == "2026年第1季度"
    today = datetime.date(2026, 5, 10)
    assert quarterly.parse_quarter("2026", "2", today) == quarterly.Quarter(2026, 2)
    for year, number, message in [
        ("2026", "5", "季度应为 1 至 4"),
        ("abc", "1", "应为数字"),
        ("1999", "1", "年度应在"),
        ("2026", "3", "尚未开始"),
    ]:
        with pytest.raises(ValidationError) as exc:
            quarterly.parse_quarter(year, number, today)
        assert message in str(exc.value)


def test_numbers_match_a_direct_count_with_wilson_intervals(world):
    quarter = this_quarter()
    with admin(world):
        # two failures of one producer this quarter: a repeat failure
        producer = helpers.failed_sample(world).producer
        helpers.failed_sample(world, producer=producer, channel="production")
    report = quarterly.build(quarter, "food")
    qs = direct(quarter)
    cur = report.current
    assert cur["tested"] == qs.count() and cur["qualified"] == qs.filter(conclusion="pass").count()
    low, high = stats.wilson(cur["qualified"], cur["tested"])
    assert (cur["low"], cur["high"]) == (round(100 * low, 2), round(100 * high, 2))
    prev = direct(quarter.previous())
    # the demo world has samples in the previous quarter, so the change is computed
    assert report.overall[1]["tested"] == prev.count() > 0
    assert report.overall[2]["tested"] == direct(quarter.year_before()).count()
    assert report.overall[1]["change"] == round(cur["rate"] - report.overall[1]["rate"], 2)
    # every dimension against a GROUP BY over the samples
    keys = {
        "category": Substr("category_code", 1, 3),
        "channel": "channel",
        "sample_type": "sample_type",
        "region": "region_id",
        "level": "level",
    }
    for dimension, key in keys.items():
        rows = qs.values(k=key) if not isinstance(key, str) else qs.values(k=key_field(key))
        expected = {
            r["k"]: (r["t"], r["q"])
            for r in rows.annotate(t=Count("pk"), q=Count("pk", filter=Q(conclusion="pass")))
        }
        got = {r["key"]: (r["tested"], r["qualified"]) for r in report.tables[dimension]}
        assert got == expected, dimension
    # the failing enterprise with two failures is a repeat failure
    mine = next(e for e in report.enterprises if e["id"] == producer.pk)
    assert mine["failed"] >= 2 and mine["repeat"]
    assert report.top_items[0]["batches"] >= 2
    assert "铅(以Pb计)" in {i["item"] for i in report.top_items}
    # the summary states these numbers
    assert f"共抽检食品{cur['tested']}批次" in report.summary
    assert f"不合格{cur['failed']}批次" in report.summary
    assert "重复不合格" in report.summary


def key_field(name):
    from django.db.models import F

    return F(name)


def test_region_and_level_filters(world):
    quarter = this_quarter()
    district = world.districts[0]
    report = quarterly.build(quarter, "food", district, "city")
    qs = direct(quarter, region_id__in=district.subtree_ids(), level="city")
    assert report.current["tested"] == qs.count()
    assert {r["key"] for r in report.tables["level"]} <= {"city"}
    assert district.name in report.title()
    with pytest.raises(ValidationError):
        quarterly.build(quarter, "food", None, "galaxy")


def test_empty_quarter_says_so(world):
    report = quarterly.build(quarterly.Quarter(2001, 1), "food")
    assert report.current["tested"] == 0 and report.current["rate"] is None
    assert "没有已出结论" in report.summary


def test_page_exports_and_query_budget(world, client_for, django_assert_max_num_queries):
    quarter = this_quarter()
    with admin(world):
        helpers.failed_sample(world)
    client = client_for("office_admin")
    params = {"year": quarter.year, "quarter": quarter.number, "kind": "food"}
    with django_assert_max_num_queries(15):
        page = client.get("/inspection/stats/quarterly/", params)
    assert page.status_code == 200
    text = page.content.decode()
    assert "季度抽检分析报告" in text and "上年同期" in text and "按食品大类" in text
    assert page.context["report"].summary in text
    with django_assert_max_num_queries(15):
        sheet = client.get("/inspection/stats/quarterly/", {**params, "format": "xlsx"})
    wb = load_workbook(io.BytesIO(sheet.content))
    assert wb.sheetnames == [
        "分析摘要",
        "总体情况",
        "按食品大类",
        "按抽样环节",
        "按抽检类型",
        "按区域",
        "按组织层级",
        "不合格项目",
        "不合格企业",
    ]
    assert wb["总体情况"]["B2"].value == page.context["report"].current["tested"]
    word = client.get("/inspection/stats/quarterly/", {**params, "format": "docx"})
    assert word.status_code == 200 and word.content[:2] == b"PK"
    doc = Document(io.BytesIO(word.content))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "抽检分析报告" in body and "二、按食品大类" in body and len(doc.tables) >= 3


@pytest.mark.parametrize(
    "params,message",
    [
        ({"year": "2026", "quarter": "9"}, "季度应为 1 至 4"),
        ({"year": str(TODAY.year + 1), "quarter": "1"}, "年度应在"),
        ({"region": "x"}, "未知区域"),
    ],
)
def test_page_bad_input(world, client_for, params, message):
    page = client_for("market_staff").get("/inspection/stats/quarterly/", params)
    assert page.status_code == 400 and message in page.content.decode()


def test_overturned_sample_leaves_the_report(world):
    quarter = this_quarter()
    with admin(world):
        s = helpers.failed_sample(world)
    before = quarterly.build(quarter, "food").current
    with admin(world):
        case = services.act(s.case, "serve_notice", on=TODAY - datetime.timedelta(days=3))
        case = services.act(case, "request_retest", on=TODAY - datetime.timedelta(days=1))
        services.act(case, "retest_result", passed=True)
    after = quarterly.build(quarter, "food").current
    assert (after["tested"], after["failed"]) == (before["tested"] - 1, before["failed"] - 1)
