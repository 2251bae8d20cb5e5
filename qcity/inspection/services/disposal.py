"""核查处置: disposal cases, their chains, steps, deadlines and the overdue scan."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from qcity.core import audit, events, notify
from qcity.core.choices import ChangeAction

from ..choices import Chain, Conclusion, Stage
from ..models import (
    DisposalCase,
    InspectionRecord,
    Sample,
)
from .common import _rule_deadline, _today, queue_recompute
from .rollups import rollup_move, rollup_state


# =========================================================================== disposal
def _case_todo(case, title):
    notify.close_todos(case)
    if case.is_open:
        notify.add_todo(
            title,
            unit=case.unit,
            link=reverse("inspection:disposalcase_detail", args=[case.pk]),
            due=case.due,
            kind="disposal",
            obj=case,
        )


def open_case(sample, user=None, quiet: bool = False):
    """Open the disposal case of a failed sample with the first clock of its chain."""
    if hasattr(sample, "case") and DisposalCase.objects.filter(sample=sample).exists():
        return sample.case
    start = sample.reported_on or _today()
    chain = Chain.FOOD if sample.kind == "food" else Chain.PRODUCT
    due, est = _rule_deadline(start, "inspection.food.fail_notice_working_days")
    disposal_due = None
    if chain == Chain.FOOD:
        disposal_due, _e = _rule_deadline(start, "inspection.food.disposal_days")
    case = DisposalCase.objects.create(
        sample=sample,
        unit=sample.unit,
        chain=chain,
        stage=Stage.NOTICE,
        opened_on=start,
        due=due,
        disposal_due=disposal_due,
        estimated=est,
    )
    if not quiet:
        audit.record(case, ChangeAction.CREATE, after=audit.snapshot(case), actor=user)
    events.emit(case, "opened", _("不合格样品，启动核查处置"), actor=user, due=due)
    _case_todo(case, _("送达检验结果通知书：{s}").format(s=sample))
    return case


TRANSITIONS = {
    # action: (chains, from stages, to stage, label)
    "serve_notice": ((Chain.FOOD, Chain.PRODUCT), (Stage.NOTICE,), None, _("送达检验结果通知书")),
    "request_retest": (
        (Chain.FOOD, Chain.PRODUCT),
        (Stage.RETEST_WINDOW, Stage.OBJECTION_WINDOW),
        Stage.RETESTING,
        _("受理复检（异议）申请"),
    ),
    "retest_result": ((Chain.FOOD, Chain.PRODUCT), (Stage.RETESTING,), None, _("录入复检结果")),
    "start_verification": ((Chain.FOOD,), (Stage.RETEST_WINDOW,), Stage.VERIFY, _("启动核查")),
    "recall": ((Chain.FOOD,), (Stage.VERIFY,), Stage.RECALL, _("责令召回、下架")),
    "order_rectification": (
        (Chain.FOOD, Chain.PRODUCT),
        (Stage.RECALL, Stage.VERIFY, Stage.OBJECTION_WINDOW),
        Stage.RECTIFY,
        _("责令整改"),
    ),
    "file_penalty": (
        (Chain.FOOD,),
        (Stage.RECTIFY, Stage.VERIFY, Stage.RECALL),
        Stage.PENALTY,
        _("立案查处"),
    ),
    "recheck": (
        (Chain.PRODUCT,),
        (Stage.RECTIFY, Stage.RECHECK, Stage.ANNOUNCED),
        None,
        _("录入复查结果"),
    ),
    "close": (
        (Chain.FOOD, Chain.PRODUCT),
        (Stage.RECTIFY, Stage.PENALTY, Stage.SUSPENDED),
        Stage.CLOSED,
        _("办结"),
    ),
}


def act(case, action: str, user=None, on: datetime.date | None = None, **data):
    """One step of a disposal chain; the clocks come from the rule table."""
    if action not in TRANSITIONS:
        raise ValidationError(_("未知的处置操作"))
    chains, froms, to, label = TRANSITIONS[action]
    on = on or _today()
    if on > _today():
        raise ValidationError({"on": _("办理日期不能晚于今天")})
    with transaction.atomic():
        case = DisposalCase.objects.select_for_update().select_related("sample").get(pk=case.pk)
        if case.chain not in chains or case.stage not in froms:
            raise ValidationError(
                _("当前环节“{stage}”不能执行“{action}”").format(
                    stage=case.get_stage_display(), action=label
                )
            )
        before = audit.snapshot(case)
        todo = ""
        if action == "serve_notice":
            case.notice_served_on = on
            if case.chain == Chain.FOOD:
                case.stage = Stage.RETEST_WINDOW
                case.due, est = _rule_deadline(on, "inspection.food.retest_request_working_days")
                todo = _("复检申请期届满后启动核查：{s}")
            else:
                case.stage = Stage.OBJECTION_WINDOW
                case.due, est = _rule_deadline(on, "inspection.product.objection_days")
                todo = _("异议期届满后责令整改：{s}")
            case.estimated = case.estimated or est
        elif action == "request_retest":
            if case.due and on > case.due:
                raise ValidationError(
                    _("申请日期{on}已超过复检（异议）申请期限{due}，不予受理").format(
                        on=on, due=case.due
                    )
                )
            case.stage = Stage.RETESTING
            case.due, _e = _rule_deadline(on, "inspection.food.retest_lab_working_days")
            todo = _("确定复检机构并录入复检结果：{s}")
        elif action == "retest_result":
            passed = data.get("passed")
            if passed is None:
                raise ValidationError(_("请选择复检结论"))
            if passed:
                overturn(case.sample, user, _("复检合格，原不合格结论撤销"))
                case.stage, case.due, case.closed_on = Stage.OVERTURNED, None, on
            elif case.chain == Chain.FOOD:
                case.stage, case.due = Stage.VERIFY, case.disposal_due
                todo = _("核查处置：{s}")
            else:
                case.stage = Stage.OBJECTION_WINDOW
                case.due = on
                todo = _("复检维持原结论，责令整改：{s}")
        elif action == "start_verification":
            if case.due and on <= case.due:
                raise ValidationError(
                    _("复检申请期尚未届满（至{due}），不能启动核查").format(due=case.due)
                )
            case.stage, case.due = Stage.VERIFY, case.disposal_due
            todo = _("核查处置：{s}")
        elif action == "recall":
            case.stage = Stage.RECALL
            todo = _("监督召回、下架：{s}")
        elif action == "order_rectification":
            if case.chain == Chain.PRODUCT:
                if (
                    case.stage == Stage.OBJECTION_WINDOW
                    and case.due
                    and on <= case.due
                    and not data.get("waived")
                ):
                    raise ValidationError(
                        _("异议期尚未届满（至{due}），不能责令整改").format(due=case.due)
                    )
                case.rectification_due, _e = _rule_deadline(
                    on, "inspection.product.rectification_days"
                )
                case.recheck_due, _e = _rule_deadline(on, "inspection.product.recheck_days")
                case.due = case.recheck_due
                todo = _("整改期满后复查：{s}")
            else:
                case.due = case.disposal_due
                todo = _("督促整改并办结：{s}")
            case.stage = Stage.RECTIFY
        elif action == "file_penalty":
            number = (data.get("penalty_case_no") or "").strip()
            if not number:
                raise ValidationError({"penalty_case_no": _("请填写立案号")})
            case.penalty_case_no, case.stage = number[:60], Stage.PENALTY
            todo = _("办结立案查处：{s}")
        elif action == "recheck":
            passed = data.get("passed")
            if passed is None:
                raise ValidationError(_("请选择复查结论"))
            if passed:
                case.stage, case.closed_on, case.due = Stage.CLOSED, on, None
                case.evidence = (data.get("evidence") or _("复查合格")).strip()
            elif case.stage == Stage.ANNOUNCED:
                case.stage, case.due = Stage.SUSPENDED, None
                events.emit(
                    case,
                    "second_failure",
                    _("再次复查不合格：责令停业整顿，情节严重的吊销营业执照"),
                    actor=user,
                )
                todo = _("督促停业整顿并办结：{s}")
            else:
                case.stage = Stage.ANNOUNCED
                earliest, _e = _rule_deadline(on, "inspection.product.second_recheck_min_days")
                case.due, _e = _rule_deadline(on, "inspection.product.second_recheck_max_days")
                case.recheck_due = case.due
                events.emit(
                    case,
                    "announced",
                    _("复查不合格，由省级市场监管部门公告"),
                    actor=user,
                    earliest=earliest,
                )
                todo = _("公告后再次复查：{s}")
        elif action == "close":
            evidence = (data.get("evidence") or "").strip()
            if not evidence:
                raise ValidationError(
                    {"evidence": _("办结必须填写处置证据（整改报告、处罚决定书文号等）")}
                )
            case.evidence, case.stage, case.closed_on, case.due = evidence, Stage.CLOSED, on, None
        elif to is not None:
            case.stage = to
        case.save()
        audit.record(
            case, ChangeAction.UPDATE, before=before, after=audit.snapshot(case), actor=user
        )
        events.emit(
            case,
            action,
            label,
            actor=user,
            on=on,
            **{k: v for k, v in data.items() if k != "passed"},
            passed=data.get("passed"),
        )
        _case_todo(case, (todo or _("核查处置：{s}")).format(s=case.sample))
    return case


def overturn(sample, user=None, note: str = ""):
    """A 复检 overturned the result: withdraw it from statistics and the public list."""
    with transaction.atomic():
        current = Sample.objects.select_for_update().get(pk=sample.pk)
        if current.overturned:
            raise ValidationError(_("该样品的结论已被撤销"))
        if current.conclusion != Conclusion.FAIL:
            raise ValidationError(_("只有不合格结论可以因复检被撤销"))
        before_rollup = rollup_state(current)
        before = audit.snapshot(current)
        current.overturned, current.is_public = True, False
        current.save(update_fields=["overturned", "is_public", "updated_at"])
        rollup_move(before_rollup, current)
        audit.record(
            current,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(current),
            note=note,
            actor=user,
        )
        events.emit(
            current, "overturned", _("复检推翻原结论，已从统计和公开名单中撤回"), actor=user
        )
    queue_recompute([current.sampled_on])
    return current


def scan_overdue(today: datetime.date | None = None) -> int:
    """Overdue disposal steps and unpublished inspection results become flagged 待办."""
    today = today or _today()
    flagged = 0
    for case in (
        DisposalCase.objects.filter(due__lt=today)
        .exclude(stage__in=[Stage.CLOSED, Stage.OVERTURNED])
        .select_related("sample", "unit")
    ):
        notify.add_todo(
            _("已逾期：{stage}（{s}，期限{due}）").format(
                stage=case.get_stage_display(), s=case.sample, due=case.due
            ),
            unit=case.unit,
            link=reverse("inspection:disposalcase_detail", args=[case.pk]),
            due=case.due,
            kind="disposal_overdue",
            obj=case,
        )
        flagged += 1
    for record in InspectionRecord.objects.filter(
        is_public=False, is_void=False, publish_due__lt=today
    ).select_related("enterprise", "unit"):
        notify.add_todo(
            _("已逾期未公示抽查结果：{name}").format(name=record.enterprise.name),
            unit=record.unit,
            link=reverse("inspection:inspectionrecord_detail", args=[record.pk]),
            due=record.publish_due,
            kind="publish_overdue",
            obj=record,
        )
        flagged += 1
    return flagged


def refuse_delete_case(obj, user=None):
    raise ValidationError(_("核查处置案件不能删除，只能按环节办结"))
