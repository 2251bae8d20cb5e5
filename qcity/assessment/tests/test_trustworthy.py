"""Assessment numbers a bureau can rely on (issue 9), played through the pages the office and a
district liaison use: missing data is never full marks, 公示 waits for every score and shows
everyone the full list, the 考核通报 only after 发布 with its 文号, 细则 editable until the
start, a district judged on its own decomposed target, departments assessed, 催报 names the
units and the office acting for a unit says so."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document

from qcity.assessment import services
from qcity.assessment.choices import Method
from qcity.assessment.models import Assessment, AssessmentFact, Scheme, SchemeItem
from qcity.core import audit
from qcity.core.models import ChangeLog, Event
from qcity.core.services import update_object
from qcity.indicators import services as indicators
from qcity.indicators.status import StatusBoard
from qcity.indicators.tests import helpers

YEAR = 2035  # a year nothing else touches
JB, JN = "990102", "990103"
OTHERS = ["district_gov_staff", "other_district_staff", "inspector", "auditor"]


def _page(response):
    return response.content.decode()


@pytest.fixture
def setup(world):
    """A plan with a city pass-rate target of 98 % (confirmed indicator); 江北区 has figures
    (90 in January, 96 in June), 江南区 none. A scheme: target 60 points, manual 40."""
    office = world.user("office_admin")
    with audit.acting_as(office):
        plan = helpers.plan(world, period_start=YEAR, period_end=YEAR)
        rate = helpers.indicator()
        target = helpers.target(plan, indicator_text="食品抽检合格率", year=YEAR, region=world.city)
    indicators.confirm_link(target, rate, {}, [world.unit("市市场监管局")], office)
    jb = world.districts[0]
    helpers.monthly(world, rate, [Decimal(90)], start=datetime.date(YEAR, 1, 1), region=jb)
    helpers.monthly(world, rate, [Decimal(96)], start=datetime.date(YEAR, 6, 1), region=jb)
    scheme = services.create_scheme(
        {"year": YEAR, "name": f"{YEAR}年度区县质量工作考核方案", "plan": plan},
        office,
        items=[
            ("一", "目标完成情况", Method.HEADER, 0, "", {}),
            ("1", "规划目标完成", Method.TARGET, 60, "", {}),
            ("2", "质量工作综合评价", Method.MANUAL, 40, "", {}),
        ],
    )
    return {"scheme": scheme, "target": target, "plan": plan, "rate": rate}


def _start(client, scheme, *unit_ids):
    return client.post(
        reverse("assessment:scheme_act", args=[scheme.pk, "start"]),
        {"units": list(unit_ids)},
        follow=True,
    )


def _districts(world, client, scheme):
    _start(client, scheme, world.unit("江北区政府").pk, world.unit("江南区政府").pk)
    rows = {a.region.code: a for a in services.current(scheme)}
    return rows[JB], rows[JN]


def _score(a, method):
    return a.scores.select_related("item").get(item__method=method)


def _submit_and_review(client, rows, manual):
    for a, value in zip(rows, manual, strict=True):
        client.post(reverse("assessment:act", args=[a.pk, "submit_self"]))
        client.post(
            reverse("assessment:act", args=[a.pk, "review"]),
            {"score": _score(a, Method.MANUAL).pk, "reviewed_score": value, "review_reason": "评"},
        )


def _set_rule(client, scheme, rule):
    target = scheme.items.get(method=Method.TARGET)
    data = {}
    for i in scheme.items.all():
        data[f"name_{i.pk}"] = i.name
        data[f"points_{i.pk}"] = str(i.points)
        if i.method != Method.HEADER:
            data[f"method_{i.pk}"] = i.method
            data[f"no_data_rule_{i.pk}"] = rule if i.pk == target.pk else i.no_data_rule
    return client.post(reverse("assessment:scheme_items", args=[scheme.pk]), data, follow=True)


# ---------------------------------------------------------------- 1. no-data rule
def test_missing_data_is_not_full_marks_and_does_not_rank_first(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    jb, jn = _districts(world, office, scheme)
    target = _score(jn, Method.TARGET)
    assert target.no_data and target.final_score is None
    assert "不计分，权重由其余各项分摊" in target.computed_reason
    page = _page(office.get(reverse("assessment:assessment_detail", args=[jn.pk])))
    assert "无数据" in page
    assert "保存自评" in page  # the manual item
    response = office.post(
        reverse("assessment:act", args=[jn.pk, "self"]),
        {"score": target.pk, "self_score": "60", "evidence_note": "自报"},
        follow=True,
    )
    assert "无数据，按考核方案规定处理" in _page(response)
    target.refresh_from_db()
    assert target.self_score is None
    _submit_and_review(office, [jb, jn], ["30", "28"])
    response = office.post(
        reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]), follow=True
    )
    jb.refresh_from_db()
    jn.refresh_from_db()
    # 江北: 75 % of the way to 98 → 45 + 30 = 75; 江南: no data, 28 of 40 → 70 of 100
    assert (jb.total, jb.rank) == (Decimal("75.00"), 1)
    assert (jn.total, jn.rank) == (Decimal("70.00"), 2)
    assert "规划目标完成无数据不计分" in jn.result_reason
    page = _page(response)
    assert "以下考核项无数据" in page
    assert "江南区：规划目标完成（无数据，不计分，权重由其余各项分摊）" in page
    assert "江北区：规划目标完成" not in page


def test_explanation_of_a_scaled_total_adds_up_to_the_total_shown(world, client_for, setup):
    """B8: 江南区 has no data for its target, so 28 of 40 is scaled to 70 of 100; its award
    (+3) and its deduction (−2) are named after the 折算 and the explanation ends at the total
    the results page shows (71), not at the scaled 70."""
    scheme, office = setup["scheme"], client_for("office_admin")
    jn_region = world.districts[1]
    with audit.acting_as(world.user("office_admin")):
        for order, (name, method) in enumerate(
            [("加分项", Method.BONUS), ("扣分项", Method.DEDUCTION)], start=10
        ):
            SchemeItem.objects.create(
                scheme=scheme, level=2, name=name, method=method, points=0, order=order
            )
        for kind, points, text in [("award", "3", "获省长质量奖"), ("deduction", "2", "被通报")]:
            AssessmentFact.objects.create(
                year=YEAR, kind=kind, region=jn_region, points=Decimal(points), description=text
            )
    jb, jn = _districts(world, office, scheme)
    _submit_and_review(office, [jb, jn], ["30", "28"])
    page = _page(
        office.post(reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]), follow=True)
    )
    jn.refresh_from_db()
    assert jn.total == Decimal("71.00")
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*江南区(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    shown = Decimal(re.search(r'<td class="text-end">([\d.]+)</td>', row).group(1))
    reason = re.search(r"总分[^<]*评定为\w级", row).group(0)
    assert "折算为70分／100分；加分项+3分；扣分项−2分；合计71分" in reason
    scaled = Decimal(re.search(r"折算为([\d.]+)分", reason).group(1))
    extras = sum(
        Decimal(v) * (1 if sign == "+" else -1)
        for sign, v in re.findall(r"；[^；（）]*?项([+−])([\d.]+)分", reason)
    )
    total = Decimal(re.search(r"合计([\d.]+)分", reason).group(1))
    assert scaled + extras == total == shown


def test_no_data_rule_zero(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    _set_rule(office, scheme, "zero")
    jb, jn = _districts(world, office, scheme)
    _submit_and_review(office, [jb, jn], ["30", "28"])
    office.post(reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]))
    jn.refresh_from_db()
    assert jn.total == Decimal("28.00") and jn.rank == 2
    assert "按方案规定计0分" in _score(jn, Method.TARGET).computed_reason


def test_no_data_rule_office_decides_before_publicity(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    _set_rule(office, scheme, "office")
    jb, jn = _districts(world, office, scheme)
    _submit_and_review(office, [jb, jn], ["30", "28"])
    page = _page(
        office.post(reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]), follow=True)
    )
    assert "以下考核项尚未评分，不能公示：江南区：规划目标完成" in page
    jn.refresh_from_db()
    assert jn.stage == "review"
    office.post(
        reverse("assessment:act", args=[jn.pk, "review"]),
        {
            "score": _score(jn, Method.TARGET).pk,
            "reviewed_score": "40",
            "review_reason": "据省局通报数据认定",
        },
    )
    office.post(reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]))
    jn.refresh_from_db()
    assert jn.stage == "publicity" and jn.total == Decimal("68.00")


# ---------------------------------------------------------------- 2 and 3. 公示
def test_publicity_refused_while_a_manual_item_is_unscored(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    jb, jn = _districts(world, office, scheme)
    for a in (jb, jn):
        office.post(reverse("assessment:act", args=[a.pk, "submit_self"]))
    page = _page(office.get(reverse("assessment:results", args=[scheme.pk])))
    assert "江北区：质量工作综合评价" in page  # the office sees what is still to score
    response = office.post(
        reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]), follow=True
    )
    assert (
        "以下考核项尚未评分，不能公示：江北区：质量工作综合评价；江南区：质量工作综合评价"
        in _page(response)
    )
    assert set(Assessment.objects.filter(scheme=scheme).values_list("stage", flat=True)) == {
        "review"
    }


def test_publicity_shows_every_assessed_unit_the_full_ranked_list(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    jb, jn = _districts(world, office, scheme)
    liaison = client_for("district_gov_staff")  # 江北区政府
    page = _page(liaison.get(reverse("assessment:results", args=[scheme.pk])))
    assert "江北区" in page and "江南区" not in page  # before 公示: only its own row
    _submit_and_review(office, [jb, jn], ["30", "28"])
    office.post(reverse("assessment:scheme_act", args=[scheme.pk, "publicity"]))
    page = _page(liaison.get(reverse("assessment:results", args=[scheme.pk])))
    assert "江北区" in page and "江南区" in page and "70.00" in page and "75.00" in page
    # the per-item page of another district stays private
    assert liaison.get(reverse("assessment:assessment_detail", args=[jn.pk])).status_code == 404
    # a bureau that is not assessed is told so, not that nothing has started
    page = _page(client_for("district_staff").get(reverse("assessment:results", args=[scheme.pk])))
    assert "尚未启动考核" not in page and "不是考核对象" in page


# ---------------------------------------------------------------- 4. 考核通报
def _published(world, client, setup):
    scheme = setup["scheme"]
    jb, jn = _districts(world, client, scheme)
    _submit_and_review(client, [jb, jn], ["30", "28"])
    office = world.user("office_admin")
    day = datetime.date(YEAR + 1, 1, 12)
    rows = services.start_publicity(scheme, office, on=day)
    return rows, rows[0].publicity_until + datetime.timedelta(days=1)


def test_notice_only_after_publication_with_its_number(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    rows, after = _published(world, office, setup)
    notice = reverse("assessment:notice_docx", args=[scheme.pk])
    issue = reverse("assessment:scheme_act", args=[scheme.pk, "notice"])
    response = office.get(notice, follow=True)
    assert "考核结果发布并填写文号印发后，才能生成考核通报" in _page(response)
    page = _page(office.post(issue, {"notice_number": "示质强办〔2036〕3号"}, follow=True))
    assert "考核结果尚未全部发布，不能印发考核通报" in page
    assert Scheme.objects.get(pk=scheme.pk).notice_number == ""
    services.publish(scheme, world.user("office_admin"), on=after)
    page = _page(office.post(issue, {"notice_number": " "}, follow=True))
    assert "请填写考核通报的文号" in page
    office.post(issue, {"notice_number": "示质强办〔2036〕3号"})
    scheme.refresh_from_db()
    assert scheme.notice_number == "示质强办〔2036〕3号" and scheme.notice_issued_at
    response = office.get(notice)
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "示质强办〔2036〕3号" in text and f"关于{YEAR}年度质量工作考核结果的通报" in text
    assert "江南区“规划目标完成”（不计分，权重由其余各项分摊）" in text
    d = scheme.notice_issued_at
    assert f"{d.year}年{d.month}月{d.day}日" in text
    assert not re.search(r"\d{4}年0|月0\d日", text)  # 公文 dates: no leading zeros
    # auditors read the issued notice; nobody but the office issues it
    assert client_for("auditor").get(notice).status_code == 200
    for handle in OTHERS:
        assert client_for(handle).post(issue, {"notice_number": "伪造"}).status_code == 403
    assert client_for(None).post(issue, {"notice_number": "伪造"}).status_code == 302
    assert Scheme.objects.get(pk=scheme.pk).notice_number == "示质强办〔2036〕3号"
    # issued once: a second 印发 under another 文号 is refused and the form is gone
    page = _page(office.post(issue, {"notice_number": "示质强办〔2036〕9号"}, follow=True))
    assert "不能重复印发" in page
    assert Scheme.objects.get(pk=scheme.pk).notice_number == "示质强办〔2036〕3号"
    results = _page(office.get(reverse("assessment:results", args=[scheme.pk])))
    assert 'name="notice_number"' not in results and "已印发：示质强办〔2036〕3号" in results


def test_scoring_fields_of_a_started_scheme_are_fixed(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    _published(world, office, setup)  # started, scored, in publicity
    api = f"/api/assessment/schemes/{scheme.pk}/"
    response = office.patch(api, {"total_points": "50"}, content_type="application/json")
    assert response.status_code == 400 and "不能再修改" in response.content.decode()
    page = _page(
        office.post(
            f"/assessment/schemes/{scheme.pk}/edit/",
            {
                "year": scheme.year,
                "name": scheme.name,
                "total_points": scheme.total_points,
                "grade_a_min": "60",
                "grade_b_min": scheme.grade_b_min,
                "grade_c_min": scheme.grade_c_min,
                "grade_labels": scheme.grade_labels,
                "version": scheme.updated_at.isoformat(),
            },
            follow=True,
        )
    )
    assert "不能再修改" in page
    fresh = Scheme.objects.get(pk=scheme.pk)
    assert (fresh.total_points, fresh.grade_a_min) == (scheme.total_points, scheme.grade_a_min)
    # the name may still be corrected
    response = office.patch(
        api, {"name": "示例市考核方案（更正）"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Scheme.objects.get(pk=scheme.pk).name == "示例市考核方案（更正）"


def test_cn_date():
    assert services.cn_date(datetime.date(2026, 12, 3)) == "2026年12月3日"
    assert services.cn_date(datetime.date(2027, 1, 2)) == "2027年1月2日"


# ---------------------------------------------------------------- 5. 细则
def test_office_edits_items_before_start_only(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    url = reverse("assessment:scheme_items", args=[scheme.pk])
    target = scheme.items.get(method=Method.TARGET)
    manual = scheme.items.get(method=Method.MANUAL)
    assert "修改考核细则" in _page(
        office.get(reverse("assessment:scheme_detail", args=[scheme.pk]))
    )
    form = {
        f"name_{target.pk}": "年度目标完成情况",
        f"points_{target.pk}": "50",
        f"method_{target.pk}": "target_attainment",
        f"no_data_rule_{target.pk}": "zero",
        f"name_{manual.pk}": "质量工作综合评价",
        f"points_{manual.pk}": "40",
        f"method_{manual.pk}": "manual",
        f"no_data_rule_{manual.pk}": "share",
    }
    page = _page(office.post(url, form, follow=True))
    assert "各项分值合计90分，与方案总分100分不一致" in page
    # a 一票否决 item never earns points: giving it some would make the total unreachable
    vetoing = {**form, f"method_{manual.pk}": "veto"}
    page = _page(office.post(url, vetoing, follow=True))
    assert "是一票否决，不占分值，分值应为0" in page
    assert scheme.items.get(pk=manual.pk).method == Method.MANUAL
    form[f"points_{manual.pk}"] = "50"
    # nobody but the office may edit, through the page (the API has no item endpoint)
    for handle in OTHERS:
        assert client_for(handle).get(url).status_code == 403
        assert client_for(handle).post(url, form).status_code == 403
    assert client_for(None).post(url, form).status_code == 302
    target.refresh_from_db()
    assert (target.name, target.points) == ("规划目标完成", Decimal("60.00"))
    office.post(url, form)
    target.refresh_from_db()
    assert (target.name, target.points, target.no_data_rule) == (
        "年度目标完成情况",
        Decimal("50.00"),
        "zero",
    )
    assert ChangeLog.objects.filter(
        object_id=str(target.pk), note__contains="修改考核细则"
    ).exists()
    _districts(world, office, scheme)
    form[f"points_{target.pk}"] = "60"
    form[f"points_{manual.pk}"] = "40"
    page = _page(office.post(url, form, follow=True))
    assert "考核已启动，不能再修改考核细则" in page
    target.refresh_from_db()
    assert target.points == Decimal("50.00")


# ---------------------------------------------------------------- 6. decomposed target
def test_district_is_judged_on_its_decomposed_target(world, client_for, setup):
    office = world.user("office_admin")
    jb_region = world.districts[0]
    indicators.decompose_target(
        setup["target"],
        [jb_region, world.districts[1]],
        baselines={jb_region.name: 90, world.districts[1].name: 90},
        explicit={jb_region.name: 95},
        user=office,
    )
    scheme, client = setup["scheme"], client_for("office_admin")
    jb, jn = _districts(world, client, scheme)
    target = _score(jb, Method.TARGET)
    # 96 against 江北's own 95: reached (against the city's 98 it would be 75 %)
    assert target.computed_score == Decimal("60.00")
    assert "本区" in target.computed_reason and "分解目标95%" in target.computed_reason
    page = _page(client.get(reverse("assessment:assessment_detail", args=[jb.pk])))
    assert "分解目标95%" in page
    # 江南's decomposed target does not stand in for its missing figures
    assert _score(jn, Method.TARGET).no_data


def test_a_figure_from_too_few_samples_does_not_score_a_district(world, client_for, setup):
    from qcity.indicators import services as indicator_services

    jn = world.districts[1]
    # 江南: one month, 28 of 28 samples passed (100 %) — fewer than the rule's minimum
    with helpers.reported_after(datetime.date(YEAR, 3, 31)):
        indicator_services.record_observation(
            indicator=setup["rate"],
            region=jn,
            period_start=datetime.date(YEAR, 3, 1),
            period_end=datetime.date(YEAR, 3, 31),
            period_kind="month",
            value=Decimal(100),
            numerator=28,
            denominator=28,
            unit=world.unit("市市场监管局"),
            user=world.user("office_admin"),
        )
    _jb, jn_row = _districts(world, client_for("office_admin"), setup["scheme"])
    score = _score(jn_row, Method.TARGET)
    assert score.no_data and score.computed_score != Decimal("60.00")
    assert "样本不足，n = 28" in score.computed_reason


# ---------------------------------------------------------------- 7. departments
def test_office_chooses_city_departments_when_starting(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    market, construction = world.unit("市市场监管局"), world.unit("市住建局")
    page = _page(office.get(reverse("assessment:results", args=[scheme.pk])))
    assert "市直部门" in page and f'value="{market.pk}"' in page
    for handle in OTHERS:
        assert _start(client_for(handle), scheme, market.pk).status_code == 403
    assert (
        client_for(None)
        .post(reverse("assessment:scheme_act", args=[scheme.pk, "start"]), {"units": [market.pk]})
        .status_code
        == 302
    )
    assert not Assessment.objects.filter(scheme=scheme).exists()
    page = _page(_start(office, scheme, world.unit("江北区市场监管局").pk))
    assert "所选单位不能作为考核对象" in page
    _start(office, scheme, market.pk, construction.pk)
    rows = Assessment.objects.filter(scheme=scheme)
    assert {(a.unit_id, a.subject_kind, a.region_id) for a in rows} == {
        (market.pk, "department", None),
        (construction.pk, "department", None),
    }
    assert {u.pk for _k, _r, u in services.department_subjects()} >= {market.pk, construction.pk}


# ---------------------------------------------------------------- 8. 催报 and 代为
def test_remind_names_the_units_and_office_acting_is_recorded(world, client_for, setup):
    scheme, office = setup["scheme"], client_for("office_admin")
    jb, jn = _districts(world, office, scheme)
    liaison = client_for("district_gov_staff")
    liaison.post(reverse("assessment:act", args=[jb.pk, "submit_self"]))
    remind = reverse("assessment:scheme_act", args=[scheme.pk, "remind"])
    for handle in OTHERS:
        assert client_for(handle).post(remind).status_code == 403
    assert client_for(None).post(remind).status_code == 302
    assert not Event.objects.filter(type="self_reminded").exists()
    page = _page(office.post(remind, follow=True))
    sent = re.search(r"已向以下单位催报自评：([^<]*)", page).group(1)
    assert "江南区人民政府" in sent and "江北区人民政府" not in sent
    assert Event.objects.filter(object_id=str(jn.pk), type="self_reminded").exists()
    # the office self-assesses and submits for 江南区: recorded as done on its behalf
    manual = _score(jn, Method.MANUAL)
    office.post(
        reverse("assessment:act", args=[jn.pk, "self"]),
        {"score": manual.pk, "self_score": "8", "evidence_note": "年度总结"},
    )
    office.post(reverse("assessment:act", args=[jn.pk, "submit_self"]))
    assert ChangeLog.objects.filter(
        object_id=str(manual.pk), note__contains="质量办代为自评"
    ).exists()
    assert ChangeLog.objects.filter(object_id=str(jn.pk), note="质量办代为提交自评").exists()
    page = _page(office.get(reverse("assessment:assessment_detail", args=[jn.pk])))
    assert "质量办代为提交自评" in page and "质量办代为自评" in page
    # 江北 did it itself: no 代为
    page = _page(liaison.get(reverse("assessment:assessment_detail", args=[jb.pk])))
    assert "提交自评" in page and "代为" not in page


def test_api_cannot_issue_or_edit_for_other_roles(world, client_for, setup):
    scheme = setup["scheme"]
    url = f"/api/assessment/schemes/{scheme.pk}/"
    for handle in OTHERS:
        response = client_for(handle).patch(
            url, {"notice_number": "伪造", "name": "改"}, content_type="application/json"
        )
        assert response.status_code in (403, 404)
    # even the office cannot set a 文号 through the generic API: it is not a writable field
    client_for("office_admin").patch(
        url, {"notice_number": "绕过"}, content_type="application/json"
    )
    scheme.refresh_from_db()
    assert scheme.notice_number == "" and scheme.name == f"{YEAR}年度区县质量工作考核方案"


def test_target_scored_on_the_figure_the_dashboard_uses(world, client_for, setup):
    """The indicator prefers the computed figures: 考核 reads them too (92 in June), not a later
    reported 96, and says which it used."""
    office = world.user("office_admin")
    rate = update_object(setup["rate"], {"prefer": "computed"}, office)
    jb = world.districts[0]
    helpers.monthly(
        world, rate, [Decimal(90)], start=datetime.date(YEAR, 1, 1), region=jb, source="computed"
    )
    helpers.monthly(
        world, rate, [Decimal(92)], start=datetime.date(YEAR, 6, 1), region=jb, source="computed"
    )
    helpers.monthly(world, rate, [Decimal(96)], start=datetime.date(YEAR, 7, 1), region=jb)
    client = client_for("office_admin")
    a, _jn = _districts(world, client, setup["scheme"])
    target = _score(a, Method.TARGET)
    assert target.computed_score == Decimal("15.00")  # (92 − 90) / (98 − 90) of 60
    assert f"实际92%（系统计算数，指标以系统计算数为准，{YEAR}年6月数据" in target.computed_reason


def test_target_scored_on_the_assessed_years_figure_and_the_page_says_which(world, client_for):
    """Figures in two years: the 考核 of a year reads that year's figure — the one the dashboard
    judges the target on at the end of that year — never a later one, never an earlier year's
    stand-in, and the results page says which figure it used."""
    office = world.user("office_admin")
    with audit.acting_as(office):
        plan = helpers.plan(world, period_start=YEAR - 1, period_end=YEAR + 1)
        rate = helpers.indicator(period_kind="month")
        target = helpers.target(plan, indicator_text="食品抽检合格率", year=YEAR + 1)
    indicators.confirm_link(target, rate, {}, [world.unit("市市场监管局")], office)
    jb, jn = world.districts[0], world.districts[1]
    for region, month, value in (
        (jb, datetime.date(YEAR - 1, 1, 1), "90"),
        (jb, datetime.date(YEAR, 6, 1), "96"),
        (jb, datetime.date(YEAR + 1, 3, 1), "97"),  # next year's figure
        (jn, datetime.date(YEAR - 1, 1, 1), "90"),
        (jn, datetime.date(YEAR - 1, 12, 1), "95"),  # nothing in the assessed year
    ):
        helpers.monthly(world, rate, [Decimal(value)], start=month, region=region)
    client = client_for("office_admin")
    scores = {}
    for year in (YEAR, YEAR + 1):
        scheme = services.create_scheme(
            {"year": year, "name": f"{year}年度区县质量工作考核方案", "plan": plan},
            office,
            items=[
                ("1", "规划目标完成", Method.TARGET, 60, "", {}),
                ("2", "质量工作综合评价", Method.MANUAL, 40, "", {}),
            ],
        )
        jb_row, jn_row = _districts(world, client, scheme)
        scores[year] = (_score(jb_row, Method.TARGET), _score(jn_row, Method.TARGET))
    jb_now, jn_now = scores[YEAR]
    # (96 − 90) / (98 − 90) of 60 points; the later 97 is next year's
    assert jb_now.computed_score == Decimal("45.00"), jb_now.computed_reason
    assert (
        f"实际96%（报送数，指标以报送数为准，{YEAR}年6月数据，截至{YEAR}年6月30日）"
        in jb_now.computed_reason
    )
    # 江南 has no figure in the assessed year: not scored on last December's 95
    assert jn_now.no_data and f"无{YEAR}年度数据，最近一期为{YEAR - 1}年12月" in (
        jn_now.computed_reason
    )
    # the next year's 考核 reads the next year's figure: (97 − 90) / 8 = 0.875 → 88 % of 60
    assert scores[YEAR + 1][0].computed_score == Decimal("52.80")
    page = _page(client.get(reverse("assessment:assessment_detail", args=[jb_now.assessment_id])))
    assert f"{YEAR}年6月数据，截至{YEAR}年6月30日" in page


def test_district_rate_scored_on_its_whole_year_not_on_a_perfect_december(world, client_for):
    """A district's monthly pass rates: 485 of 500 in each month to November, then 30 of 30 in
    December. The 考核 of the year scores the year's pooled rate (5365 / 5530 = 97.02 %), the
    figure the dashboard judges at the year end, not December's 100 % alone."""
    office = world.user("office_admin")
    with audit.acting_as(office):
        plan = helpers.plan(world, period_start=YEAR - 1, period_end=YEAR + 1)
        rate = helpers.indicator(period_kind="month")
        target = helpers.target(plan, indicator_text="食品抽检合格率", year=YEAR + 1)
    indicators.confirm_link(target, rate, {}, [world.unit("市市场监管局")], office)
    jb = world.districts[0]
    month = datetime.date(YEAR, 1, 1)
    while month.year == YEAR:
        passed, tested = (30, 30) if month.month == 12 else (485, 500)
        end = indicators.month_bounds(month)[1]
        with helpers.reported_after(end):
            indicators.record_observation(
                indicator=rate,
                region=jb,
                period_start=month,
                period_end=end,
                period_kind="month",
                value=Decimal(passed * 100) / tested,
                numerator=passed,
                denominator=tested,
                unit=world.unit("市市场监管局"),
                user=office,
            )
        month = end + datetime.timedelta(days=1)
    scheme = services.create_scheme(
        {"year": YEAR, "name": f"{YEAR}年度区县质量工作考核方案", "plan": plan},
        office,
        items=[
            ("1", "规划目标完成", Method.TARGET, 60, "", {}),
            ("2", "质量工作综合评价", Method.MANUAL, 40, "", {}),
        ],
    )
    client = client_for("office_admin")
    jb_row, _jn_row = _districts(world, client, scheme)
    score = _score(jb_row, Method.TARGET)
    assert f"实际97.02%（报送数，指标以报送数为准，{YEAR}年数据" in score.computed_reason, (
        score.computed_reason
    )
    assert "实际100%" not in score.computed_reason
    # the dashboard at the year end reads the same figure, labelled 本年累计 with its n
    board = StatusBoard(datetime.date(YEAR, 12, 31))
    line = board.status(target, region_id=jb.pk).figure_line
    assert line == f"{YEAR}年（本年累计） 97.02%，n = 5530"
