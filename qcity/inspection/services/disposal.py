"""核查处置: disposal cases, their chains, steps, deadlines and the overdue scan.

Every step follows the legal order of its chain (REFERENCE.md §4, §5); each number and each
list comes from the rule table (``inspection/rules.py``), whose source field is shown on the
case page beside the step.

Food chain, 《食品安全抽样检验管理办法》(SAMR Order 15) and 食品安全法:
- the fail result is served on the business (``inspection.food.fail_notice_working_days``);
- 复检 may be requested within 7 WD of receiving it (食品安全法 Art 88,
  ``inspection.food.retest_request_working_days``), once: the 复检 result is final (Art 88);
- 复检 is refused when a microbiological item failed or the backup sample is past its shelf
  life or its retention period (Order 15 Art 33 and Art 25; ``inspection.food.
  retest_excluded_items``, ``inspection.food.backup_retention_fail_months``), so such a
  request can never overturn the result;
- sealing, suspending sale and recall are due at once on receiving the result and are not
  suspended by a pending 复检 or objection (Art 39, ``inspection.food.risk_control_days``):
  召回/下架 can be ordered in the 复检 window and during the 复检;
- 核查处置 is completed within ``inspection.food.disposal_days``.

Product chain, 《产品质量监督抽查管理暂行办法》(SAMR Order 18) and 产品质量法:
- the result is served (``inspection.product.fail_notice_working_days``, a local default: the
  Order's day count was not found); objection / 复检 within 15 days (产品质量法 Art 15,
  ``inspection.product.objection_days``), once;
- the business stops production and sale of the same product at once (Art 45,
  ``inspection.product.stop_sale_days``), also while an objection is pending;
- rectification ordered with 60 days (Art 46), 复查 within 75 days of the order (Art 47); a
  failed 复查 is announced by the province and the second 复查 is taken 60-90 days after the
  announcement, never earlier (Art 48): a case cannot close on a second 复查 a day after the
  announcement; a failed second 复查 leads to 停业整顿 (Art 48, 产品质量法 Art 17); sales resume
  only after a passed 复查 (Art 49), so a product case in rectification closes by its 复查,
  never by a bare 办结.

Both chains: every step's date is on or after the previous step's date (or the opening
date) and not after today.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qcity.core import audit, events, notify, rulebook
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


def _notice_rule(chain) -> str:
    if chain == Chain.FOOD:
        return "inspection.food.fail_notice_working_days"
    return "inspection.product.fail_notice_working_days"


def open_case(sample, user=None, quiet: bool = False):
    """Open the disposal case of a failed sample with the first clock of its chain."""
    if hasattr(sample, "case") and DisposalCase.objects.filter(sample=sample).exists():
        return sample.case
    start = sample.reported_on or _today()
    chain = Chain.FOOD if sample.kind == "food" else Chain.PRODUCT
    due, est = _rule_deadline(start, _notice_rule(chain))
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
    # due at once on the fail result, not after the 复检 window (Order 15 Art 39, Order 18
    # Art 45): it is open in the windows and during the 复检, and moves the stage only from 核查
    "recall": (
        (Chain.FOOD, Chain.PRODUCT),
        (
            Stage.RETEST_WINDOW,
            Stage.RETESTING,
            Stage.VERIFY,
            Stage.OBJECTION_WINDOW,
            Stage.RECTIFY,
        ),
        None,
        _("责令召回、下架（停止生产、销售）"),
    ),
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


# ------------------------------------------------------------------ the case's history
def steps_taken(case) -> list[tuple[str, datetime.date]]:
    """The chain steps taken so far, in order, with their dates (from the case's timeline,
    where ``act`` writes each step with its date)."""
    taken = []
    for event in events.timeline(case).filter(type__in=list(TRANSITIONS)):
        on = event.params.get("on")
        try:
            taken.append((event.type, datetime.date.fromisoformat(on)))
        except (TypeError, ValueError):
            continue
    return taken


def _previous_step(case, taken) -> tuple[str, datetime.date]:
    """The label and date every new step must not precede: the latest step, else the opening."""
    label, last = _("立项"), case.opened_on
    for action, on in taken:
        if on >= last:
            label, last = TRANSITIONS[action][3], on
    return label, last


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for dd in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=dd)
        except ValueError:
            continue
    raise ValueError(day)


def rule_source(key: str) -> str:
    """The legal source of a rule as the rule table holds it (the office may have edited it)."""
    row = rulebook._row(key)
    if row is not None:
        return row.source
    for spec in rulebook.declared_rules():
        if spec.key == key:
            return spec.source
    return ""


def rule_name(key: str) -> str:
    row = rulebook._row(key)
    if row is not None:
        return row.name
    return next((s.name for s in rulebook.declared_rules() if s.key == key), key)


def microbiological_items(sample) -> list[str]:
    """The failing items of ``sample`` that are microbiological (not eligible for 复检)."""
    words = [
        w.strip()
        for w in str(rulebook.value("inspection.food.retest_excluded_items", "")).split(",")
        if w.strip()
    ]
    return [
        item.item
        for item in sample.items.all()
        if item.verdict == Conclusion.FAIL and any(w in item.item for w in words)
    ]


def retest_refusal(case, on: datetime.date, shelf_life_end=None) -> str:
    """Why a 复检 may not be accepted on ``on`` (empty if it may), with its legal source."""
    if any(action == "request_retest" for action, _on in steps_taken(case)):
        key = (
            "inspection.food.retest_request_working_days"
            if case.chain == Chain.FOOD
            else "inspection.product.objection_days"
        )
        return _("复检（异议）只能申请一次，复检结论为最终结论（{src}）").format(
            src=rule_source(key)
        )
    if case.chain != Chain.FOOD:
        return ""
    micro = microbiological_items(case.sample)
    if micro:
        return _("不合格项目“{items}”为微生物指标，不予复检（{src}）").format(
            items="、".join(micro), src=rule_source("inspection.food.retest_excluded_items")
        )
    if shelf_life_end and on > shelf_life_end:
        return _("复检备份样品已于{end}超过保质期，不予复检（{src}）").format(
            end=shelf_life_end, src=rule_source("inspection.food.retest_excluded_items")
        )
    reported = case.sample.reported_on or case.opened_on
    kept_until = _add_months(
        reported, int(rulebook.value("inspection.food.backup_retention_fail_months"))
    )
    if on > kept_until:
        return _("复检备份样品保存期已于{end}届满，不予复检（{src}）").format(
            end=kept_until, src=rule_source("inspection.food.backup_retention_fail_months")
        )
    return ""


def _check_date(case, on: datetime.date, taken, action: str = "") -> None:
    today = _today()
    if on > today:
        raise ValidationError(
            {"on": _("办理日期{on}晚于今天{today}，不能预先办理").format(on=on, today=today)}
        )
    if action == "request_retest" and case.notice_served_on:
        # the 复检 (异议) window runs from the notice alongside the recall/stop-sale order: a
        # recall recorded later than the request does not make the request out of order
        label, last = TRANSITIONS["serve_notice"][3], case.notice_served_on
    else:
        label, last = _previous_step(case, taken)
    if on < last:
        raise ValidationError(
            {
                "on": _("办理日期{on}早于上一环节“{step}”的日期{last}，环节须依次办理").format(
                    on=on, step=label, last=last
                )
            }
        )


def _parse_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({"shelf_life_end": _("日期格式应为YYYY-MM-DD")}) from exc


def act(case, action: str, user=None, on: datetime.date | None = None, **data):
    """One step of a disposal chain; the clocks come from the rule table."""
    if action not in TRANSITIONS:
        raise ValidationError(_("未知的处置操作"))
    chains, froms, to, label = TRANSITIONS[action]
    on = on or _today()
    with transaction.atomic():
        case = DisposalCase.objects.select_for_update().select_related("sample").get(pk=case.pk)
        if case.chain not in chains or case.stage not in froms:
            raise ValidationError(
                _("当前环节“{stage}”不能执行“{action}”").format(
                    stage=case.get_stage_display(), action=label
                )
            )
        taken = steps_taken(case)
        _check_date(case, on, taken, action)
        done = {a for a, _d in taken}
        before = audit.snapshot(case)
        todo = ""
        if action == "serve_notice":
            case.notice_served_on = on
            if case.chain == Chain.FOOD:
                case.stage = Stage.RETEST_WINDOW
                case.due, est = _rule_deadline(on, "inspection.food.retest_request_working_days")
                todo = _("责令召回、下架；复检申请期届满后启动核查：{s}")
            else:
                case.stage = Stage.OBJECTION_WINDOW
                case.due, est = _rule_deadline(on, "inspection.product.objection_days")
                todo = _("责令停止生产、销售；异议期届满后责令整改：{s}")
            case.estimated = case.estimated or est
        elif action == "request_retest":
            if case.due and on > case.due:
                raise ValidationError(
                    _("申请日期{on}已超过复检（异议）申请期限{due}，不予受理").format(
                        on=on, due=case.due
                    )
                )
            refusal = retest_refusal(case, on, _parse_date(data.get("shelf_life_end")))
            if refusal:
                raise ValidationError(refusal)
            case.stage = Stage.RETESTING
            if case.chain == Chain.FOOD:
                case.due, _e = _rule_deadline(on, "inspection.food.retest_lab_working_days")
            else:
                case.due, _e = _rule_deadline(on, "inspection.product.retest_days")
            todo = _("确定复检机构并录入复检结果：{s}")
        elif action == "retest_result":
            passed = data.get("passed")
            if passed is None:
                raise ValidationError(_("请选择复检结论"))
            if passed:
                # a case opened before this rule (or by import) must not overturn either
                refusal = case.chain == Chain.FOOD and microbiological_items(case.sample)
                if refusal:
                    raise ValidationError(
                        _(
                            "不合格项目“{items}”为微生物指标，不予复检，不能撤销原结论（{src}）"
                        ).format(
                            items="、".join(refusal),
                            src=rule_source("inspection.food.retest_excluded_items"),
                        )
                    )
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
            if "recall" in done:
                raise ValidationError(_("已责令召回、下架（停止生产、销售），不能重复办理"))
            if case.stage == Stage.VERIFY:
                case.stage = Stage.RECALL
            todo = _("监督召回、下架：{s}")
        elif action == "order_rectification":
            if case.chain == Chain.PRODUCT:
                if (
                    case.stage == Stage.OBJECTION_WINDOW
                    and "retest_result" not in done
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
            if case.stage == Stage.ANNOUNCED:
                announced = max(d for a, d in taken if a == "recheck")
                earliest, _e = _rule_deadline(
                    announced, "inspection.product.second_recheck_min_days"
                )
                if on < earliest:
                    raise ValidationError(
                        {
                            "on": _(
                                "公告日{announced}后再次复查不得早于{earliest}，"
                                "办理日期{on}过早（{src}）"
                            ).format(
                                announced=announced,
                                earliest=earliest,
                                on=on,
                                src=rule_source("inspection.product.second_recheck_min_days"),
                            )
                        }
                    )
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
            if case.chain == Chain.PRODUCT and case.stage == Stage.RECTIFY:
                # sales resume only after a passed 复查, which closes the case itself (Art 49)
                raise ValidationError(
                    _("产品整改后须经复查合格方可办结，请录入复查结果（{src}）").format(
                        src=rule_source("inspection.product.recheck_days")
                    )
                )
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


# ------------------------------------------------------------------ the result notice
def _period(key: str) -> str:
    from qcity.core.rulespec import ValueKind

    amount = rulebook.value(key)
    unit = _("个工作日") if rulebook.kind_of(key) == ValueKind.WORKING_DAYS else _("日")
    return f"{amount}{unit}"


def notice_paragraphs(case) -> list[str]:
    """The obligations and rights told in the 检验结果通知书, from the rule table: risk control
    at once, and the 复检 (异议) period, or why there is no 复检."""
    if case.chain == Chain.FOOD:
        paragraphs = [
            _(
                "你单位应当立即采取封存不合格食品、暂停生产经营不合格食品、通知相关生产经营者和消费者、"
                "召回已上市销售的不合格食品等风险控制措施，复检和异议期间不得停止履行（依据：{src}）。"
            ).format(src=rule_source("inspection.food.risk_control_days"))
        ]
        micro = microbiological_items(case.sample)
        if micro:
            paragraphs.append(
                _("不合格项目“{items}”为微生物指标，依法不予复检（依据：{src}）。").format(
                    items="、".join(micro),
                    src=rule_source("inspection.food.retest_excluded_items"),
                )
            )
        else:
            paragraphs.append(
                _(
                    "如对检验结论有异议，可自收到本通知书之日起{period}内，向我局或其上级市场监督管理部门"
                    "提出书面复检申请，逾期未提出的，不予受理（依据：{src}）。"
                ).format(
                    period=_period("inspection.food.retest_request_working_days"),
                    src=rule_source("inspection.food.retest_request_working_days"),
                )
            )
        return paragraphs
    return [
        _("你单位应当立即停止生产、销售同一产品，异议期间不得停止履行（依据：{src}）。").format(
            src=rule_source("inspection.product.stop_sale_days")
        ),
        _(
            "如对检验结果有异议，可自收到本通知书之日起{period}内，向我局或其上级市场监督管理部门"
            "提出书面异议（依据：{src}）。"
        ).format(
            period=_period("inspection.product.objection_days"),
            src=rule_source("inspection.product.objection_days"),
        ),
    ]


# ------------------------------------------------------------------ the page's step guide
_RECALL_RULE = {
    Chain.FOOD: "inspection.food.risk_control_days",
    Chain.PRODUCT: "inspection.product.stop_sale_days",
}

# action -> chain -> (precondition, deadline rule)
STEP_GUIDE = {
    "serve_notice": {
        chain: (gettext_lazy("检验结论为不合格"), _notice_rule(chain))
        for chain in (Chain.FOOD, Chain.PRODUCT)
    },
    "request_retest": {
        Chain.FOOD: (
            gettext_lazy("收到检验结论；非微生物指标；备份样品在保质期和保存期内；只能申请一次"),
            "inspection.food.retest_request_working_days",
        ),
        Chain.PRODUCT: (
            gettext_lazy("收到检验结果；只能申请一次"),
            "inspection.product.objection_days",
        ),
    },
    "retest_result": {
        Chain.FOOD: (
            gettext_lazy("已受理复检申请"),
            "inspection.food.retest_lab_working_days",
        ),
        Chain.PRODUCT: (
            gettext_lazy("已受理异议"),
            "inspection.product.retest_days",
        ),
    },
    "start_verification": {
        Chain.FOOD: (
            gettext_lazy("复检申请期届满且未申请复检"),
            "inspection.food.disposal_days",
        ),
    },
    "recall": {
        Chain.FOOD: (
            gettext_lazy("收到不合格结论即应办理，复检期间不停止"),
            _RECALL_RULE[Chain.FOOD],
        ),
        Chain.PRODUCT: (
            gettext_lazy("收到不合格结果即应办理，异议期间不停止"),
            _RECALL_RULE[Chain.PRODUCT],
        ),
    },
    "order_rectification": {
        Chain.FOOD: (
            gettext_lazy("已启动核查或复检维持原结论"),
            "inspection.food.disposal_days",
        ),
        Chain.PRODUCT: (
            gettext_lazy("异议期届满或复检维持原结论"),
            "inspection.product.rectification_days",
        ),
    },
    "file_penalty": {
        Chain.FOOD: (
            gettext_lazy("核查发现违法行为"),
            "inspection.food.disposal_days",
        ),
    },
    "recheck": {
        Chain.PRODUCT: (
            gettext_lazy("已责令整改"),
            "inspection.product.recheck_days",
        ),
    },
    "close": {
        chain: (
            gettext_lazy("已整改、立案查处或停业整顿，并有处置证据"),
            "inspection.food.disposal_days" if chain == Chain.FOOD else "",
        )
        for chain in (Chain.FOOD, Chain.PRODUCT)
    },
}


def step_guide(case) -> list[dict]:
    """The steps open at the case's stage: precondition, deadline and legal source of each,
    for the case page."""
    rows = []
    if not case.is_open:
        return rows
    taken = steps_taken(case)
    done = {a for a, _d in taken}
    for action, (chains, froms, _to, label) in TRANSITIONS.items():
        if case.chain not in chains or case.stage not in froms:
            continue
        if action == "recall" and "recall" in done:
            continue
        if action == "request_retest" and "request_retest" in done:
            continue
        if action == "close" and case.chain == Chain.PRODUCT and case.stage == Stage.RECTIFY:
            continue
        precondition, key = STEP_GUIDE[action][case.chain]
        due = None
        if action == "request_retest" and case.chain == Chain.FOOD:
            micro = microbiological_items(case.sample)
            if micro:
                # refused by the service whatever the date: shown as refused with its reason,
                # never offered in the action menu
                rows.append(
                    {
                        "action": action,
                        "label": _("不予复检"),
                        "precondition": _("不合格项目“{items}”为微生物指标，不予复检").format(
                            items="、".join(micro)
                        ),
                        "rule": rule_name("inspection.food.retest_excluded_items"),
                        "due": None,
                        "source": rule_source("inspection.food.retest_excluded_items"),
                        "refused": True,
                    }
                )
                continue
        if action == "recall" and case.notice_served_on:
            due, _e = _rule_deadline(case.notice_served_on, key)
        elif action == "recheck" and case.stage == Stage.ANNOUNCED:
            key = "inspection.product.second_recheck_max_days"
            due = case.due
            precondition = _("复查不合格已公告；再次复查须在公告后{lo}至{hi}日内").format(
                lo=rulebook.value("inspection.product.second_recheck_min_days"),
                hi=rulebook.value(key),
            )
        elif action in ("serve_notice", "request_retest", "retest_result", "recheck"):
            due = case.due
        elif key == "inspection.food.disposal_days":
            due = case.disposal_due
        rows.append(
            {
                "action": action,
                "label": label,
                "precondition": str(precondition),
                "rule": rule_name(key) if key else "",
                "due": due,
                "source": rule_source(key) if key else "",
            }
        )
    return rows


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
    # 召回/下架 (停止生产、销售) is due at once on serving the result, whatever the stage
    from qcity.core.models import Event

    recalled = set(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(DisposalCase), type="recall"
        ).values_list("object_id", flat=True)
    )
    for case in (
        DisposalCase.objects.filter(notice_served_on__isnull=False)
        .exclude(stage__in=[Stage.CLOSED, Stage.OVERTURNED])
        .select_related("sample", "unit")
    ):
        if str(case.pk) in recalled:
            continue
        due, _e = _rule_deadline(case.notice_served_on, _RECALL_RULE[case.chain])
        if due < today:
            notify.add_todo(
                _("已逾期：未责令召回、下架（停止生产、销售）（{s}，期限{due}）").format(
                    s=case.sample, due=due
                ),
                unit=case.unit,
                link=reverse("inspection:disposalcase_detail", args=[case.pk]),
                due=due,
                kind="recall_overdue",
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
