"""Sampling plans, samples and their results (judging test items)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qcity.core import audit, events, services
from qcity.core.choices import ChangeAction

from .. import values
from ..choices import Conclusion
from ..models import (
    Sample,
    SamplingPlan,
    TestItem,
)
from .common import _today, queue_recompute
from .disposal import open_case
from .rollups import _bump, rollup_move, rollup_state


# =========================================================================== sampling
def create_plan(data: dict, user=None):
    return services.create_object(SamplingPlan, data, user)


def plan_overlaps(plan) -> list[dict]:
    """Same enterprise + category sampled by another level in an overlapping period."""
    mine = Sample.objects.filter(plan=plan, is_void=False)
    out = []
    others = Sample.objects.filter(
        is_void=False,
        plan__period_start__lte=plan.period_end,
        plan__period_end__gte=plan.period_start,
    ).exclude(plan__level=plan.level)
    seen = set()
    for s in mine.select_related("producer"):
        if not s.producer_id:
            continue
        same = others.filter(
            producer_id=s.producer_id, category_code__startswith=s.category_code[:3]
        )
        for o in same.select_related("plan")[:5]:
            key = (s.producer_id, o.plan_id)
            if key in seen:
                continue
            seen.add(key)
            out.append({"enterprise": s.producer, "sample": s, "other": o, "other_plan": o.plan})
    return out


def _sample_fields(plan, category) -> dict:
    return {
        "unit": plan.unit,
        "kind": category.kind,
        "level": plan.level,
        "sample_type": plan.sample_type,
        "category_code": category.code,
    }


def create_sample(data: dict, user=None):
    plan, category = data["plan"], data["category"]
    sampled_on = data.get("sampled_on")
    if sampled_on and sampled_on > _today():
        raise ValidationError({"sampled_on": _("抽样日期不能晚于今天")})
    if data.get("production_date") and sampled_on and data["production_date"] > sampled_on:
        raise ValidationError({"production_date": _("生产日期不能晚于抽样日期")})
    if category.kind != plan.category.kind:
        raise ValidationError(
            {"category": _("样品类别“{c}”与抽检计划的类别体系不一致").format(c=category)}
        )
    with transaction.atomic():
        sample = services.create_object(Sample, {**data, **_sample_fields(plan, category)}, user)
        _bump(*_flat(rollup_state(sample)))
    return sample


def _flat(state):
    cell, (t, q) = state
    return cell, t, q


def update_sample(obj, data: dict, user=None, expected_version=None):
    with transaction.atomic():
        current = Sample.objects.select_for_update().get(pk=obj.pk)
        before = rollup_state(current)
        category = data.get("category", obj.category)
        plan = data.get("plan", obj.plan)
        data = {**data, **_sample_fields(plan, category)}
        sample = services.update_object(obj, data, user, expected_version)
        rollup_move(before, sample)
    queue_recompute([before[0]["month"], sample.sampled_on])
    return sample


def void_sample(obj, reason: str, user=None):
    with transaction.atomic():
        current = Sample.objects.select_for_update().get(pk=obj.pk)
        before = rollup_state(current)
        sample = services.void_object(obj, reason, user)
        rollup_move(before, sample)
        events.emit(sample, "voided", _("作废样品"), actor=user, reason=reason)
    queue_recompute([sample.sampled_on])
    return sample


@dataclass
class ItemInput:
    item: str
    value: str
    limit: str = ""
    method: str = ""


def judge_items(items: list[ItemInput]) -> tuple[str, list[TestItem], list[str]]:
    """(conclusion, unsaved TestItems, problems). A value that cannot be judged (no limit,
    unparsed text) is a problem: the result is refused, never guessed."""
    built, problems, verdicts = [], [], []
    for it in items:
        if not (it.item or "").strip():
            problems.append(_("检验项目名称为空"))
            continue
        judgement = values.judge(it.value, it.limit or None)
        measured = values.parse_value(it.value)
        verdict = {
            values.PASS: Conclusion.PASS,
            values.FAIL: Conclusion.FAIL,
        }.get(judgement.verdict, Conclusion.UNKNOWN)
        if verdict == Conclusion.UNKNOWN:
            why = "；".join(judgement.reasons) or _("无法判定")
            if not (it.limit or "").strip():
                why = _("缺少标准值")
            problems.append(
                _("检验项目“{item}”（结果“{value}”）无法判定：{why}").format(
                    item=it.item, value=it.value, why=why
                )
            )
        verdicts.append(verdict)
        number = measured.value if measured.value is not None else None
        built.append(
            TestItem(
                item=it.item.strip()[:200],
                method_standard=(it.method or "")[:200],
                value_text=str(it.value)[:100],
                value_number=number if number is None or abs(number) < Decimal("1e13") else None,
                unit=(measured.unit or "")[:30],
                limit_text=(it.limit or "")[:100],
                verdict=verdict,
                reasons="；".join(judgement.reasons)[:300],
            )
        )
    if Conclusion.FAIL in verdicts:
        conclusion = Conclusion.FAIL
    elif verdicts and all(v == Conclusion.PASS for v in verdicts):
        conclusion = Conclusion.PASS
    else:
        conclusion = Conclusion.UNKNOWN
    return conclusion, built, problems


def record_result(sample, items: list[ItemInput], user=None, reported_on=None, lab=None):
    """Enter the lab result: judge each item, set the conclusion, update the rollup in the
    same transaction and open the disposal case for a fail."""
    reported_on = reported_on or _today()
    if reported_on > _today():
        raise ValidationError({"reported_on": _("报告日期不能晚于今天")})
    if not items:
        raise ValidationError(_("请至少填写一个检验项目"))
    conclusion, built, problems = judge_items(items)
    if problems and conclusion != Conclusion.FAIL:
        raise ValidationError(problems)
    with transaction.atomic():
        current = Sample.objects.select_for_update().get(pk=sample.pk)
        if current.conclusion != Conclusion.PENDING:
            raise ValidationError(_("该样品已有检验结论，不能重复录入；如需更正请作废后重新登记"))
        if current.is_void:
            raise ValidationError(_("已作废的样品不能录入结果"))
        before_rollup = rollup_state(current)
        before = audit.snapshot(current)
        for b in built:
            b.sample = current
        TestItem.objects.bulk_create(built)
        current.conclusion, current.reported_on = conclusion, reported_on
        current.is_public = True
        if lab is not None:
            current.lab = lab
        current.save()
        rollup_move(before_rollup, current)
        audit.record(
            current, ChangeAction.UPDATE, before=before, after=audit.snapshot(current), actor=user
        )
        events.emit(
            current,
            "result",
            _("录入检验结论：{c}").format(c=current.get_conclusion_display()),
            actor=user,
        )
        if conclusion == Conclusion.FAIL:
            open_case(current, user)
    queue_recompute([current.sampled_on])
    sample.refresh_from_db()
    return sample
