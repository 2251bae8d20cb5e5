"""Capabilities, not just scopes (issue 10): the role × workflow-action matrix. The generic
``test_capability_matrix`` covers create / change / delete; this one covers each workflow
action of ``capabilities.TABLE`` for 督查督办 (``tracking.assignment``) and 目标责任考核
(``assessment.assessment``).

For each actor and action the object is put, through the services, in a state where the
action is possible and inside the scope of the actor's own unit (the lead unit of the item,
the assessed unit, or the assessing department of the item being scored), so that the table
alone decides. The actor then POSTs the action on the real page (these actions have no API
endpoint; the API offers only create / change / delete). A cell the table grants must change
the state; a cell it refuses must answer 403 or 404 and leave the state, the change log and
the timeline untouched."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from qcity.assessment import services as assessment_services
from qcity.assessment.choices import AppealStatus, Stage
from qcity.assessment.models import Appeal, Assessment, ItemScore, SchemeItem
from qcity.core import audit, capabilities
from qcity.core.models import ChangeLog, Event
from qcity.tracking import services as tracking_services
from qcity.tracking.choices import AssignmentState, FollowUpKind, ReportStatus
from qcity.tracking.demo import evidence
from qcity.tracking.models import Assignment, ExtensionRequest, FollowUp, ProgressReport

S = AssignmentState

# the demo user of each actor, and the unit whose item, assessment or scored item it acts on
ACTOR_USERS = {
    capabilities.OFFICE: ("office_admin", "市市场监管局"),
    capabilities.AUDITOR: ("auditor", "市市场监管局"),
    capabilities.DISTRICT_GOV: ("district_gov_staff", "江北区政府"),
    capabilities.CITY_DEPT: ("construction_staff", "市住建局"),
    capabilities.MARKET: ("market_staff", "市市场监管局"),
    capabilities.INSPECTOR: ("inspector", "市市场监管局"),  # an inspector of that bureau
}


@pytest.fixture(autouse=True)
def _setup_as_office(world, settings, tmp_path):
    """Test data is made through services by the office (requests carry their own actor)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with audit.acting_as(world.user("office_admin")):
        yield


def _granted(model_label, action, actor) -> bool:
    return actor in capabilities.TABLE[model_label][action]


# ---------------------------------------------------------------- 督查督办
class TrackingCase:
    """One tracking action: ``setup`` puts an item led by ``unit`` in the state the action
    needs; ``post`` sends the actor's request(s); ``changed`` says whether the state moved."""

    def __init__(self, world, unit):
        self.world, self.office = world, world.user("office_admin")
        self.today = tracking_services.today()
        item = tracking_services.create_assignment(
            {
                "title": "工作流能力表测试事项",
                "source": "meeting",
                "lead_unit": unit,
                "deadline": self.today + datetime.timedelta(days=200),
            },
            self.office,
        )
        self.item = tracking_services.assign(item, self.office)

    def url(self, action):
        return f"/tracking/assignments/{self.item.pk}/act/{action}/"

    def signed(self):
        self.item = tracking_services.sign(self.item, self.office)

    def close_requested(self):
        self.signed()
        self.item = tracking_services.request_close(
            self.item, self.office, "已完成", [evidence("完成情况.pdf")]
        )

    def state(self):
        return Assignment.objects.get(pk=self.item.pk).state


def _tracking_sign(case):
    return [(case.url("sign"), {})], lambda: case.state() == S.SIGNED


def _tracking_return(case):
    return [
        (case.url("return"), {"reason": "不属于本单位职责"})
    ], lambda: case.state() == S.RETURNED


def _tracking_report(case):
    """报送进展: open the period's report (a draft the office opened stands in for one the
    unit opens) and submit it."""
    case.signed()
    report = tracking_services.open_report(case.item, case.office)
    submit = {
        "op": "submit",
        "version": str(report.version),
        "done": "完成了本期工作",
        "percent": "40",
    }
    return [
        (case.url("report"), {}),
        (f"/tracking/reports/{report.pk}/", submit),
    ], lambda: ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def _tracking_request_close(case):
    case.signed()
    data = {"evidence": "工作已全部完成", "files": evidence("验收材料.pdf")}
    return [(case.url("request_close"), data)], lambda: case.state() == S.CLOSE_REQUESTED


def _tracking_request_extension(case):
    case.signed()
    data = {
        "reason": "需要协调上级部门",
        "new_deadline": (case.item.deadline + datetime.timedelta(days=60)).isoformat(),
        "progress_note": "已完成一半",
    }
    return [(case.url("request_extension"), data)], lambda: ExtensionRequest.objects.filter(
        assignment=case.item
    ).exists()


def _tracking_answer_followup(case):
    case.signed()
    notice = tracking_services.issue_followup(
        case.item, FollowUpKind.SUPERVISE, "deadline", case.item.deadline, user=case.office
    )
    data = {
        "followup": str(notice.pk),
        "answer": "已按要求推进",
        "on_behalf": "1",  # the office answers only as 代为回复; a unit answers as itself
        "basis": "牵头单位书面答复",
    }
    return [
        (case.url("answer_followup"), data)
    ], lambda: FollowUp.objects.get(pk=notice.pk).answered_at is not None


def _tracking_assign(case):
    """交办 again an item its lead unit returned (the unit can see it, unlike a draft)."""
    case.item = tracking_services.return_assignment(case.item, case.office, "不属于本单位")
    return [(case.url("assign"), {})], lambda: case.state() == S.ASSIGNED


def _tracking_verify_close(case):
    case.close_requested()
    return [(case.url("verify_close"), {})], lambda: case.state() in (S.CLOSED, S.CLOSED_LATE)


def _tracking_rework(case):
    case.close_requested()
    return [(case.url("rework"), {"comment": "佐证不足"})], lambda: case.state() == S.IN_PROGRESS


def _tracking_accept_report(case):
    case.signed()
    report = tracking_services.open_report(case.item, case.office)
    report = tracking_services.save_report(report, {"done": "完成了本期工作"}, case.office, None)
    tracking_services.submit_report(report, case.office)
    data = {"report": str(report.pk), "comment": "同意"}
    return [
        (case.url("accept_report"), data)
    ], lambda: ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def _tracking_decide_extension(case):
    case.signed()
    ext = tracking_services.request_extension(
        case.item, case.office, "需要协调", case.item.deadline + datetime.timedelta(days=30)
    )
    data = {"extension": str(ext.pk), "grant": "1", "comment": "同意"}
    return [
        (case.url("decide_extension"), data)
    ], lambda: ExtensionRequest.objects.get(pk=ext.pk).decided_at is not None


def _tracking_supervise(case):
    case.signed()
    return [(case.url("supervise"), {})], lambda: FollowUp.objects.filter(
        assignment=case.item, kind=FollowUpKind.SUPERVISE
    ).exists()


TRACKING_ACTIONS = {
    "sign": _tracking_sign,
    "return": _tracking_return,
    "report": _tracking_report,
    "request_close": _tracking_request_close,
    "request_extension": _tracking_request_extension,
    "answer_followup": _tracking_answer_followup,
    "assign": _tracking_assign,
    "verify_close": _tracking_verify_close,
    "rework": _tracking_rework,
    "accept_report": _tracking_accept_report,
    "decide_extension": _tracking_decide_extension,
    "supervise": _tracking_supervise,
}


# ---------------------------------------------------------------- 目标责任考核
YEAR = 2033  # a year no demo data touches
OTHER_SUBJECT = "江南区政府"  # the subject whose item an assessing department scores


class AssessmentCase:
    """One assessment of ``subject`` on a one-item scheme (评审打分, 100 points)."""

    def __init__(self, world, subject, assessing_unit=None):
        self.world, self.office = world, world.user("office_admin")
        scheme = assessment_services.create_scheme(
            {"year": YEAR, "name": f"{YEAR}年度工作流能力表测试方案", "total_points": Decimal(100)},
            self.office,
            items=[
                ("一", "质量工作", "header", "0", "", {}),
                ("1", "质量工作成效", "manual", "100", "按评审打分", {}),
            ],
        )
        if assessing_unit is not None:  # no service names the 考核部门 of an item yet
            SchemeItem.objects.filter(scheme=scheme, method="manual").update(
                assessing_unit=assessing_unit
            )
        chosen = [s for s in assessment_services.candidate_subjects() if s[2] == subject]
        assert chosen, f"{subject} is not an assessment subject"
        (self.assessment,) = assessment_services.start(scheme, chosen, self.office)
        self.row = ItemScore.objects.get(assessment=self.assessment, item__method="manual")

    def url(self, action):
        return f"/assessment/assessments/{self.assessment.pk}/act/{action}/"

    def in_review(self):
        assessment_services.self_assess(self.row, self.office, "80", evidence_note="见工作总结")
        assessment_services.submit_self(self.assessment, self.office)

    def in_publicity(self):
        self.in_review()
        self.row.refresh_from_db()
        assessment_services.review_item(self.row, self.office, "80", "评审")
        assessment_services.start_publicity(self.assessment.scheme, self.office)

    def stage(self):
        return Assessment.objects.get(pk=self.assessment.pk).stage


def _assessment_self_assess(case):
    """自评 an item and 提交自评."""
    row = case.row
    data = {"score": str(row.pk), "self_score": "90", "evidence_note": "见工作总结"}
    return (
        [(case.url("self"), data), (case.url("submit_self"), {})],
        lambda: (
            ItemScore.objects.get(pk=row.pk).self_score == Decimal(90)
            and case.stage() == Stage.REVIEW
        ),
    )


def _assessment_appeal(case):
    case.in_publicity()
    data = {"reason": "评审得分偏低", "score": str(case.row.pk), "requested_score": "95"}
    return (
        [(case.url("appeal"), data)],
        lambda: (
            Appeal.objects.filter(assessment=case.assessment).exists()
            and case.stage() == Stage.APPEAL
        ),
    )


def _assessment_review(case):
    case.in_review()
    row = case.row
    data = {"score": str(row.pk), "reviewed_score": "85", "review_reason": "评审意见"}
    return [
        (case.url("review"), data)
    ], lambda: ItemScore.objects.get(pk=row.pk).reviewed_score == Decimal(85)


def _assessment_decide_appeal(case):
    case.in_publicity()
    case.row.refresh_from_db()
    appeal = assessment_services.file_appeal(
        case.assessment, case.office, "评审得分偏低", case.row, "95"
    )
    data = {"appeal": str(appeal.pk), "upheld": "1", "reason": "申诉成立", "new_score": "95"}
    return [
        (case.url("decide"), data)
    ], lambda: Appeal.objects.get(pk=appeal.pk).status == AppealStatus.UPHELD


ASSESSMENT_ACTIONS = {
    "self_assess": _assessment_self_assess,
    "appeal": _assessment_appeal,
    "review": _assessment_review,
    "decide_appeal": _assessment_decide_appeal,
}


def _assessment_case(world, action, unit):
    if action == "review":  # scoring is for the item's assessing department, not the subject
        return AssessmentCase(world, world.unit(OTHER_SUBJECT), assessing_unit=unit)
    return AssessmentCase(world, unit)


# ---------------------------------------------------------------- the matrix
CELLS = [
    pytest.param("tracking.assignment", action, actor, id=f"tracking.{action}-{actor}")
    for action in TRACKING_ACTIONS
    for actor in capabilities.ACTORS
] + [
    pytest.param("assessment.assessment", action, actor, id=f"assessment.{action}-{actor}")
    for action in ASSESSMENT_ACTIONS
    for actor in capabilities.ACTORS
]


def test_the_matrix_covers_every_workflow_action_of_the_table():
    for model_label, actions in (
        ("tracking.assignment", TRACKING_ACTIONS),
        ("assessment.assessment", ASSESSMENT_ACTIONS),
    ):
        workflow = set(capabilities.TABLE[model_label]) - {"create", "change", "delete"}
        assert workflow == set(actions), model_label


@pytest.mark.parametrize("model_label, action, actor", CELLS)
def test_workflow_action_follows_the_capability_table(
    world, client_for, model_label, action, actor
):
    handle, unit_name = ACTOR_USERS[actor]
    want = _granted(model_label, action, actor)
    _run_cell(world, client_for, model_label, action, actor, handle, unit_name, want)


# the units' cells again, on an item of another unit of the same kind: refused
OTHER_UNIT = {
    capabilities.DISTRICT_GOV: "江南区政府",
    capabilities.CITY_DEPT: "市农业农村局",
    capabilities.MARKET: "江北区市场监管局",
}
OUT_OF_SCOPE_CELLS = [
    pytest.param(model_label, action, actor, id=f"{model_label.split('.')[0]}.{action}-{actor}")
    for model_label, actions in (
        ("tracking.assignment", TRACKING_ACTIONS),
        ("assessment.assessment", ASSESSMENT_ACTIONS),
    )
    for action in actions
    for actor in OTHER_UNIT
    if _granted(model_label, action, actor)
]


@pytest.mark.parametrize("model_label, action, actor", OUT_OF_SCOPE_CELLS)
def test_workflow_action_for_another_unit_is_refused(world, client_for, model_label, action, actor):
    handle, _own = ACTOR_USERS[actor]
    other = OTHER_UNIT[actor]
    if model_label == "assessment.assessment" and actor == capabilities.MARKET:
        other = "市住建局"  # a district bureau is no assessment subject: another department
    _run_cell(world, client_for, model_label, action, actor, handle, other, False)


def _run_cell(world, client_for, model_label, action, actor, handle, unit_name, want):
    """Set the object up for ``unit_name``, POST the action as ``handle``, and check that
    the state moved exactly when ``want``; a refusal writes no change log or timeline row."""
    unit = world.unit(unit_name)
    (role,) = world.user(handle).role_assignments.select_related("unit")
    assert capabilities.actor_of(role.role, role.unit) == actor, "the demo user changed"
    if model_label == "tracking.assignment":
        posts, changed = TRACKING_ACTIONS[action](TrackingCase(world, unit))
    else:
        posts, changed = ASSESSMENT_ACTIONS[action](_assessment_case(world, action, unit))
    assert not changed(), "the set-up already did what the action does"
    logs, events = ChangeLog.objects.count(), Event.objects.count()
    client = client_for(handle)
    answers = []
    for url, data in posts:
        response = client.post(url, data)
        said = [str(m) for m in get_messages(response.wsgi_request)]
        answers.append(f"POST {url} → {response.status_code} {said}")
        if want:
            assert response.status_code == 302, answers
            assert not any("无权" in m for m in said), answers
        else:
            assert response.status_code in (403, 404), (
                f"{actor} may not {action} here by the table: " + "; ".join(answers)
            )
    if want:
        assert changed(), f"{actor} may {action} by the table, nothing happened: {answers}"
    else:
        assert not changed(), f"{actor} may not {action} here, the state changed: {answers}"
        assert ChangeLog.objects.count() == logs, f"a refused {action} wrote the change log"
        assert Event.objects.count() == events, f"a refused {action} wrote the timeline"


def test_assessing_department_opens_another_subjects_assessment_to_score_only_its_item(
    world, client_for
):
    office = world.user("office_admin")
    scheme = assessment_services.create_scheme(
        {"year": YEAR, "name": f"{YEAR}年度考核部门测试方案", "total_points": Decimal(100)},
        office,
        items=[
            ("1", "市场监管工作评审", "manual", "60", "", {}),
            ("2", "建设工程质量评审", "manual", "40", "", {}),
        ],
    )
    SchemeItem.objects.filter(scheme=scheme, number="1").update(
        assessing_unit=world.unit("市市场监管局")
    )
    SchemeItem.objects.filter(scheme=scheme, number="2").update(
        assessing_unit=world.unit("市住建局")
    )
    subject = [
        s for s in assessment_services.district_subjects() if s[2].short_name == "江南区政府"
    ]
    (a,) = assessment_services.start(scheme, subject, office)
    assessment_services.submit_self(a, office)
    page = client_for("market_staff").get(f"/assessment/assessments/{a.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "市场监管工作评审" in body and f"/assessment/assessments/{a.pk}/act/review/" in body
    assert "建设工程质量评审" not in body  # the other department's item stays out of sight
    # a department that scores nothing in it still gets 404
    assert (
        client_for("agriculture_staff").get(f"/assessment/assessments/{a.pk}/").status_code == 404
    )
