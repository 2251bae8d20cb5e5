import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qcity.assessment import services
from qcity.assessment.models import Assessment, AssessmentFact, Scheme
from qcity.core import audit
from qcity.core.models import ChangeLog, Event
from qcity.core.services import create_object
from qcity.core.testing import RegisteredModelTests

from .conftest import YEAR, subjects


def by_code(rows, code):
    return next(a for a in rows if a.region.code == code)


def item(a, method):
    return a.scores.select_related("item").get(item__method=method)


def test_scores_are_computed_from_data_with_reasons(world, started):
    jb = by_code(started, "990102")
    tasks = item(jb, "task_completion")
    assert "按期销号1项" in tasks.computed_reason and "逾期销号1项" in tasks.computed_reason
    assert tasks.computed_score == Decimal("26.25")  # (1 + 0.5) / 2 of 35
    assert item(jb, "bonus").computed_score == Decimal("3.00")
    jn = by_code(started, "990103")
    assert item(jn, "task_completion").computed_score == Decimal("0.00")
    assert "未销号1项" in item(jn, "task_completion").computed_reason
    assert "一票否决" in item(by_code(started, "990111"), "veto").computed_reason


def test_self_assessment_rules(world, started):
    jb = by_code(started, "990102")
    staff = world.user("district_gov_staff")
    manual = item(jb, "manual")
    with pytest.raises(ValidationError, match="佐证材料"):
        services.self_assess(manual, staff, "8")
    with pytest.raises(ValidationError, match="之间"):
        services.self_assess(manual, staff, "12", evidence_note="总结")
    with pytest.raises(ValidationError, match="数字"):
        services.self_assess(manual, staff, "八分", evidence_note="总结")
    with pytest.raises(PermissionDenied):
        services.self_assess(manual, world.user("other_district_staff"), "8", evidence_note="x")
    services.self_assess(manual, staff, "8", "工作扎实", evidence_note="年度总结")
    manual.refresh_from_db()
    assert manual.self_score == Decimal("8.00")
    services.submit_self(jb, staff)
    with pytest.raises(ValidationError, match="审核"):
        services.self_assess(manual, staff, "9", evidence_note="x")


def _to_review(world, rows, manual="8"):
    """Every subject submits its 自评 and the office scores the manual item (公示 needs it)."""
    office = world.user("office_admin")
    for a in rows:
        services.submit_self(a, office)
        if manual is not None:
            services.review_item(item(a, "manual"), office, manual, "综合评价")
    return office


def test_review_needs_reason_when_changing_score(world, started):
    office = _to_review(world, started)
    jb = by_code(started, "990102")
    manual = item(jb, "manual")
    with pytest.raises(ValidationError, match="理由"):
        services.review_item(manual, office, "7", "")
    services.review_item(manual, office, "7", "工作推进一般")
    with pytest.raises(PermissionDenied):
        services.review_item(manual, world.user("district_gov_staff"), "10", "自己给自己打分")


def test_publicity_refused_when_the_appeal_deadline_is_not_after_it(world, started):
    """B9: an appeal window of 0 working days (rule table) would close the appeal before (or
    as) the results are shown; 公示 is refused with the reason and nothing moves."""
    from qcity.core.models import Rule

    office = _to_review(world, started)
    Rule.objects.filter(key="assessment.appeal_window_days").update(value="0")
    day = datetime.date(YEAR + 1, 1, 12)
    with pytest.raises(ValidationError, match="申诉截止日期.*不晚于公示日期.*不能公示"):
        services.start_publicity(started[0].scheme, office, on=day)
    assert {a.stage for a in Assessment.objects.filter(pk__in=[a.pk for a in started])} == {
        "review"
    }
    assert not Event.objects.filter(
        type="publicity", object_id__in=[str(a.pk) for a in started]
    ).exists()


def test_timeline_shows_publicity_on_its_day_and_the_appeal_deadline_after_it(
    world, started, client_for
):
    """B9: the demo played 公示 20 days back, but the timeline showed it on the build day,
    after the appeal deadline it announced. Each step acted out on a day is on that day."""
    office = _to_review(world, started)
    day = datetime.date(YEAR + 1, 1, 12)
    rows = services.start_publicity(started[0].scheme, office, on=day)
    jb = Assessment.objects.get(pk=by_code(rows, "990102").pk)
    until = jb.publicity_until
    staff = world.user("district_gov_staff")
    appeal = services.file_appeal(jb, staff, "综合评价偏低", item(jb, "manual"), "9", on=day)
    services.decide_appeal(appeal, office, False, "维持原分", on=day + datetime.timedelta(days=1))
    after = until + datetime.timedelta(days=1)
    services.publish(jb.scheme, office, on=after)
    jb.refresh_from_db()
    assert timezone.localdate(jb.published_at) == after
    page = client_for("office_admin").get(reverse("assessment:assessment_detail", args=[jb.pk]))
    text = page.content.decode()
    shown = [
        (datetime.date.fromisoformat(when), label)
        for when, label in re.findall(
            r'<span class="text-muted small">(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}</span> · '
            r"<strong>([^<]*)</strong>",
            text,
        )
    ]
    publicity = next((d, lab) for d, lab in shown if lab.startswith("公示考核结果"))
    assert publicity == (day, f"公示考核结果，申诉截止{until}")
    assert until > publicity[0]
    assert (day, "提出申诉：综合评价偏低") in shown
    assert (day + datetime.timedelta(days=1), "申诉不成立：维持原分") in shown
    assert (after, "发布考核结果：" + f"{jb.grade}级，第{jb.rank}名") in shown


def test_publicity_appeal_publish_and_freeze(world, started):
    office = _to_review(world, started)
    day = datetime.date(YEAR + 1, 1, 12)
    rows = services.start_publicity(started[0].scheme, office, on=day)
    jb = Assessment.objects.get(pk=by_code(rows, "990102").pk)
    until = jb.publicity_until
    assert until > day
    xg = Assessment.objects.get(pk=by_code(rows, "990111").pk)
    assert xg.vetoed and xg.grade == "D" and "一票否决" in xg.result_reason
    staff = world.user("district_gov_staff")
    manual = item(jb, "manual")
    with pytest.raises(ValidationError, match="理由"):
        services.file_appeal(jb, staff, "", manual, on=day)
    with pytest.raises(ValidationError, match="公示期已于"):
        services.file_appeal(jb, staff, "晚了", manual, on=until + datetime.timedelta(days=1))
    appeal = services.file_appeal(jb, staff, "综合评价未计入我区工作", manual, "6", on=day)
    with pytest.raises(ValidationError, match="申诉尚未复核"):
        services.publish(jb.scheme, office, on=until + datetime.timedelta(days=1))
    services.decide_appeal(appeal, office, True, "经复核调整为6分", "6")
    assert item(jb, "manual").final_score == Decimal("6.00")
    with pytest.raises(ValidationError, match="期满后"):
        services.publish(jb.scheme, office, on=until)
    published = services.publish(jb.scheme, office, on=until + datetime.timedelta(days=1))
    assert {a.stage for a in published} == {"published"}
    ranks = sorted((a.rank, a.vetoed) for a in published)
    assert ranks[-1][1] is True  # the vetoed district is ranked last
    jb.refresh_from_db()
    # frozen: nothing changes any more
    before = ChangeLog.objects.count()
    with pytest.raises(ValidationError, match="已发布"):
        services.review_item(item(jb, "manual"), office, "10", "改分")
    with pytest.raises(ValidationError, match="已发布"):
        services.update_assessment(jb, {"note": "改"}, office)
    with pytest.raises(ValidationError, match="已发布"):
        services.file_appeal(jb, staff, "再申诉", on=until)
    assert ChangeLog.objects.count() == before
    # only superseded, with a reason
    with pytest.raises(ValidationError, match="原因"):
        services.supersede(jb, office, " ")
    new = services.supersede(jb, office, "发现任务销号日期录入错误")
    jb.refresh_from_db()
    assert jb.superseded_by == new and jb.supersede_reason == "发现任务销号日期录入错误"
    assert jb.stage == "published" and new.stage == "review"
    assert new.scores.count() == jb.scores.count()
    with pytest.raises(ValidationError):
        services.supersede(jb, office, "再次更正")


def test_publicity_refused_while_self_assessment_open(world, started):
    with pytest.raises(ValidationError, match="未完成自评"):
        services.start_publicity(started[0].scheme, world.user("office_admin"))


def test_same_subject_twice_refused(world, started):
    with pytest.raises(ValidationError, match="重复考核"):
        services.start(started[0].scheme, subjects(world, {"990102"}), world.user("office_admin"))


def test_scheme_points_must_add_up(world):
    with pytest.raises(ValidationError, match="不一致"):
        services.create_scheme(
            {"year": YEAR, "name": "错方案", "total_points": Decimal("90")},
            world.user("office_admin"),
        )
    assert not Scheme.objects.filter(name="错方案").exists()


def test_exports_read_back(world, client_for, started):
    office = _to_review(world, started)
    services.start_publicity(started[0].scheme, office, on=datetime.date(YEAR + 1, 1, 12))
    scheme = started[0].scheme
    response = client_for("office_admin").get(reverse("assessment:results_xlsx", args=[scheme.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    summary = [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]
    assert summary[0][:5] == ["名次", "考核对象", "类型", "总分", "等级"]
    assert {r[1] for r in summary[1:]} == {"江北区", "江南区", "新港区"}
    detail = [[c.value for c in row] for row in wb.worksheets[1].iter_rows()]
    assert any("按期销号" in str(r[7]) for r in detail[1:])
    assert (
        client_for("district_gov_staff")
        .get(reverse("assessment:results_xlsx", args=[scheme.pk]))
        .status_code
        == 403
    )


def test_results_page_and_query_budget(world, client_for, started, django_assert_max_num_queries):
    scheme = started[0].scheme
    client = client_for("office_admin")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("assessment:results", args=[scheme.pk]))
    assert response.status_code == 200 and "江北区" in response.content.decode()
    body = (
        client_for("district_gov_staff")
        .get(reverse("assessment:results", args=[scheme.pk]))
        .content.decode()
    )
    assert "江北区" in body and "江南区" not in body


def test_subject_self_assesses_through_page(world, client_for, started):
    jb = by_code(started, "990102")
    manual = item(jb, "manual")
    client = client_for("district_gov_staff")
    page = client.get(reverse("assessment:assessment_detail", args=[jb.pk])).content.decode()
    assert "保存自评" in page and "按期销号" in page
    client.post(
        reverse("assessment:act", args=[jb.pk, "self"]),
        {"score": manual.pk, "self_score": "9", "evidence_note": "年度总结"},
    )
    manual.refresh_from_db()
    assert manual.self_score == Decimal("9.00")
    assert (
        client_for("other_district_staff")
        .get(reverse("assessment:assessment_detail", args=[jb.pk]))
        .status_code
        == 404
    )


class TestScheme(RegisteredModelTests):
    model = Scheme

    def make(self, world):
        return services.create_scheme(
            {"year": 2032, "name": "2032年度考核方案"}, world.user("office_admin")
        )

    def form_data(self, world):
        return {
            "year": 2033,
            "name": "2033年度考核方案",
            "total_points": "100",
            "grade_a_min": "90",
            "grade_b_min": "80",
            "grade_c_min": "60",
            "grade_labels": "A,B,C,D",
        }


class TestAssessment(RegisteredModelTests):
    model = Assessment
    owner = "district_gov_staff"

    def make(self, world):
        scheme = services.create_scheme(
            {"year": 2034, "name": "2034年度考核方案"}, world.user("office_admin")
        )
        return services.start(scheme, subjects(world, {"990102"}), world.user("office_admin"))[0]

    def form_data(self, world):
        return {}


class TestAssessmentFact(RegisteredModelTests):
    model = AssessmentFact

    def make(self, world):
        return create_object(
            AssessmentFact,
            {
                "year": 2031,
                "kind": "award",
                "region": world.districts[2],
                "points": Decimal("1"),
                "description": "获奖",
            },
        )

    def form_data(self, world):
        return {
            "year": "2031",
            "kind": "deduction",
            "region": world.districts[3].pk,
            "points": "2",
            "description": "被通报",
        }


def test_fact_without_region_or_unit_refused(world):
    with (
        audit.acting_as(world.user("office_admin")),
        pytest.raises(ValidationError, match="区划或单位"),
    ):
        create_object(
            AssessmentFact,
            {"year": 2031, "kind": "award", "points": Decimal("1"), "description": "x"},
        )


def test_correction_reranks_the_other_published_results(world, started):
    office = _to_review(world, started)
    scheme = started[0].scheme
    day = datetime.date(YEAR + 1, 1, 12)
    rows = services.start_publicity(scheme, office, on=day)
    after = rows[0].publicity_until + datetime.timedelta(days=1)
    published = {a.region.code: a for a in services.publish(scheme, office, on=after)}
    jb, jn, xg = published["990102"], published["990103"], published["990111"]
    assert (jb.rank, jn.rank, xg.rank) == (1, 2, 3)
    # 江北's 销号 dates were wrong: its task score drops to zero in the correction
    new = services.supersede(jb, office, "任务销号日期录入错误")
    for s in new.scores.select_related("item").exclude(item__method="veto"):
        services.review_item(s, office, "0", "更正：销号日期录入错误，重新核定")
    corrected = services.start_publicity(scheme, office, on=after)
    assert [a.pk for a in corrected] == [new.pk]
    jn.refresh_from_db()
    new.refresh_from_db()
    assert jn.stage == "published" and jn.rank == 1 and new.rank == 2
    log = ChangeLog.objects.filter(object_id=str(jn.pk), note__contains="名次由第2名调整为第1名")
    assert log.exists()
    assert Event.objects.filter(object_id=str(jn.pk), type="reranked").exists()
    xg.refresh_from_db()
    assert xg.rank == 3  # the vetoed district stays last
    services.publish(scheme, office, on=new.publicity_until + datetime.timedelta(days=1))
    ranks = sorted((a.rank, a.region.code) for a in services.current(scheme))
    assert ranks == [(1, "990103"), (2, "990102"), (3, "990111")]
    # the superseded result stays as published, with its old rank
    jb.refresh_from_db()
    assert jb.stage == "published" and jb.rank == 1 and jb.superseded_by_id == new.pk
