"""State changes of the inspection app (PATTERNS.md 5). Each function is one business action
in one transaction: validate (Chinese messages), write, keep the pass-rate rollup in step,
write the change log and the event timeline, and queue indicator recomputation after commit.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import audit, events, notify, rulebook, services, uploads, workdays
from qcity.core.choices import ChangeAction
from qcity.registry.models import Enterprise, Inspector, ProductCategory

from . import draw as drawlib
from . import result_tables, values
from .choices import AllocationMode, Chain, Conclusion, Stage, TaskStatus
from .models import (
    DisposalCase,
    DrawEntry,
    InspectionRecord,
    PassRateRollup,
    RandomInspectionTask,
    ResultImport,
    Sample,
    SamplingPlan,
    TestItem,
)

CLASSES = ("A", "B", "C", "D")
UNCLASSIFIED = "N"  # label of enterprises without a credit class in a draw


def _today():
    return timezone.localdate()


def _rule_deadline(start: datetime.date, key: str) -> tuple[datetime.date, bool]:
    amount = rulebook.value(key)
    return workdays.deadline(start, int(amount), rulebook.kind_of(key))


def queue_recompute(days=()):
    """Ask the indicators app to recompute pass-rate indicators once this transaction commits,
    for the periods the changed samples count in (``days``: their sampling dates, before and
    after the change); without days, this month."""
    days = sorted({d for d in days if d is not None})

    def run():
        try:
            from qcity.indicators import services as indicator_services
        except Exception:  # the indicators app may not be installed yet
            return
        if hasattr(indicator_services, "queue_recompute"):
            indicator_services.queue_recompute("inspection.sample", days=days or None)

    transaction.on_commit(run)


# =========================================================================== rollup
def _cell(sample) -> dict:
    return {
        "kind": sample.kind,
        "category_code": sample.category_code,
        "region_id": sample.region_id,
        "level": sample.level,
        "sample_type": sample.sample_type,
        "channel": sample.channel,
        "month": sample.sampled_on.replace(day=1),
    }


def _contribution(sample) -> tuple[int, int]:
    if not sample.counted:
        return 0, 0
    return 1, 1 if sample.conclusion == Conclusion.PASS else 0


def rollup_state(sample):
    """The sample's current cell and contribution; take it before changing the sample."""
    return _cell(sample), _contribution(sample)


def _bump(cell: dict, tested: int, qualified: int):
    if not tested and not qualified:
        return
    updated = PassRateRollup.objects.filter(**cell).update(
        tested=F("tested") + tested, qualified=F("qualified") + qualified
    )
    if not updated:
        PassRateRollup.objects.create(**cell, tested=tested, qualified=qualified)


def rollup_move(before, sample):
    """Move the sample's contribution from its old state to its current one."""
    (old_cell, (ot, oq)), (new_cell, (nt, nq)) = before, rollup_state(sample)
    if old_cell == new_cell:
        _bump(new_cell, nt - ot, nq - oq)
    else:
        _bump(old_cell, -ot, -oq)
        _bump(new_cell, nt, nq)


def rebuild_rollup() -> int:
    """Recount every cell from the samples (repair tool; the property test compares to this)."""
    from django.db.models import Count, Q

    with transaction.atomic():
        PassRateRollup.objects.all().delete()
        counted = Sample.objects.filter(
            is_void=False, overturned=False, conclusion__in=[Conclusion.PASS, Conclusion.FAIL]
        )
        rows = (
            counted.annotate(month_=_month_expr())
            .values(
                "kind", "category_code", "region_id", "level", "sample_type", "channel", "month_"
            )
            .annotate(t=Count("pk"), q=Count("pk", filter=Q(conclusion=Conclusion.PASS)))
        )
        cells = [
            PassRateRollup(
                kind=r["kind"],
                category_code=r["category_code"],
                region_id=r["region_id"],
                level=r["level"],
                sample_type=r["sample_type"],
                channel=r["channel"],
                month=r["month_"],
                tested=r["t"],
                qualified=r["q"],
            )
            for r in rows
        ]
        PassRateRollup.objects.bulk_create(cells, batch_size=1000)
    return len(cells)


def _month_expr():
    from django.db.models.functions import TruncMonth

    return TruncMonth("sampled_on")


# =========================================================================== 双随机一公开
def _rule_ratio(cls: str) -> Decimal:
    return Decimal(str(rulebook.value(f"inspection.draw.ratio_{cls.lower()}")))


def create_task(data: dict, user=None):
    data = dict(data)
    if data.get("mode", AllocationMode.RATIO) in (AllocationMode.RATIO, AllocationMode.TOTAL):
        for cls in CLASSES:
            if data.get(f"ratio_{cls.lower()}") in (None, ""):
                data[f"ratio_{cls.lower()}"] = _rule_ratio(cls)
    defaults = {
        "team_size": "inspection.draw.min_team_size",
        "recent_n": "inspection.draw.recent_avoid_n",
        "workload_cap": "inspection.draw.workload_cap",
    }
    for name, key in defaults.items():
        if data.get(name) in (None, ""):
            data[name] = int(rulebook.value(key))
    return services.create_object(RandomInspectionTask, data, user)


def update_task(obj, data: dict, user=None, expected_version=None):
    if obj.status != TaskStatus.DRAFT:
        raise ValidationError(_("承诺已公布的任务不能修改抽取范围和参数；如需调整请新建任务"))
    return services.update_object(obj, data, user, expected_version)


def delete_task(obj, user=None):
    if obj.status != TaskStatus.DRAFT:
        raise ValidationError(_("已公布承诺的抽查任务不能删除，抽取过程须完整留痕"))
    services.delete_object(obj, user)


def refuse_delete_case(obj, user=None):
    raise ValidationError(_("核查处置案件不能删除，只能按环节办结"))


def eligible_enterprises(task):
    qs = Enterprise.objects.filter(region_id__in=task.region.subtree_ids())
    if task.enterprise_type:
        qs = qs.filter(enterprise_type=task.enterprise_type)
    if task.category_id:
        qs = qs.filter(products__category__code__startswith=task.category.code).distinct()
    return qs


def population_of(task) -> tuple[dict[str, list[str]], dict[str, int]]:
    population: dict[str, list[str]] = {}
    pks: dict[str, int] = {}
    for pk, code, cls in eligible_enterprises(task).values_list(
        "pk", "credit_code", "credit_class"
    ):
        draw_id = code or f"QC{pk:08d}"
        population.setdefault(cls or UNCLASSIFIED, []).append(draw_id)
        pks[draw_id] = pk
    return population, pks


def params_of(task) -> dict:
    joint = []
    if task.pk and task.joint_units.exists():
        joint = sorted({task.unit.name, *task.joint_units.values_list("name", flat=True)})
    ratios = counts = total = None
    if task.mode == AllocationMode.COUNT:
        counts = {
            c: getattr(task, f"count_{c.lower()}") or 0
            for c in CLASSES
            if getattr(task, f"count_{c.lower()}")
        }
    else:
        ratios = {
            c: str(getattr(task, f"ratio_{c.lower()}"))
            for c in CLASSES
            if getattr(task, f"ratio_{c.lower()}") is not None
        }
        ratios[UNCLASSIFIED] = str(rulebook.value("inspection.draw.default_ratio"))
        if task.mode == AllocationMode.TOTAL:
            if not task.total:
                raise ValidationError({"total": _("按抽查总数抽取时必须填写抽查总户数")})
            total = task.total
    return {
        "team_size": task.team_size or 2,
        "ratios": ratios,
        "total": total,
        "counts": counts,
        "recent_n": task.recent_n or 0,
        "workload_cap": task.workload_cap,
        "joint_departments": joint,
    }


def draw_params(p: dict) -> drawlib.DrawParams:
    return drawlib.DrawParams(
        team_size=p["team_size"],
        ratios=p["ratios"],
        total=p["total"],
        counts=p["counts"],
        recent_n=p["recent_n"],
        workload_cap=p["workload_cap"],
        joint_departments=tuple(p["joint_departments"]),
    )


def preview(task) -> dict:
    """Numbers per class before the draw: eligible and to be drawn, or the refusal."""
    population, _pks = population_of(task)
    eligible = {c: len(ids) for c, ids in population.items()}
    try:
        p = params_of(task)
        allocation = drawlib.allocate(
            eligible, ratios=p["ratios"], total=p["total"], counts=p["counts"]
        )
        error = ""
    except (drawlib.DrawError, ValidationError) as exc:
        allocation, error = {}, "；".join(getattr(exc, "messages", [str(exc)]))
    rows = [
        (c, eligible.get(c, 0), allocation.get(c, 0)) for c in sorted(set(eligible) | set(CLASSES))
    ]
    return {"rows": rows, "error": error, "total": sum(allocation.values())}


def _inspector_pool(task):
    units = [task.unit_id, *task.joint_units.values_list("pk", flat=True)]
    return Inspector.objects.filter(unit_id__in=units, status="active").select_related("unit")


def commit_task(task, user=None):
    """Publish the commitment (hashes of secret, list, inspectors, constraints, parameters)."""
    with transaction.atomic():
        task = RandomInspectionTask.objects.select_for_update().get(pk=task.pk)
        if task.status != TaskStatus.DRAFT:
            raise ValidationError(_("该任务的承诺已经公布，不能重复公布"))
        population, pks = population_of(task)
        if not population:
            raise ValidationError(_("抽查范围内没有检查对象，无法抽取"))
        inspectors = {i.certificate_no: i.unit.name for i in _inspector_pool(task)}
        inspector_pks = {i.certificate_no: i.pk for i in _inspector_pool(task)}
        from qcity.registry.models import InspectorConflict

        conflicts = [
            [c.inspector.certificate_no, c.enterprise.credit_code or f"QC{c.enterprise_id:08d}"]
            for c in InspectorConflict.objects.filter(
                inspector__in=inspector_pks.values(), enterprise_id__in=pks.values()
            ).select_related("inspector", "enterprise")
        ]
        history: dict[str, list[list[str]]] = {}
        for entry in (
            DrawEntry.objects.filter(enterprise_id__in=pks.values(), task__status=TaskStatus.DRAWN)
            .order_by("task__drawn_at", "pk")
            .prefetch_related("inspectors")
        ):
            history.setdefault(entry.draw_id, []).append(
                sorted(i.certificate_no for i in entry.inspectors.all())
            )
        p = params_of(task)
        params = draw_params(p)
        try:
            params.check()
            drawlib.allocate(
                {c: len(ids) for c, ids in population.items()},
                ratios=p["ratios"],
                total=p["total"],
                counts=p["counts"],
            )
        except drawlib.DrawError as exc:
            raise ValidationError(str(exc)) from None
        if len(inspectors) < params.team_size:
            raise ValidationError(
                _("检查人员名录中只有{n}名在岗人员，少于每户检查人数{m}").format(
                    n=len(inspectors), m=params.team_size
                )
            )
        secret = drawlib.new_secret()
        commitment = drawlib.commit(secret, population, inspectors, params, conflicts, history)
        before = audit.snapshot(task)
        task.secret = secret
        task.snapshot = {
            "population": population,
            "inspectors": inspectors,
            "conflicts": conflicts,
            "history": history,
            "params": p,
            "enterprise_pks": pks,
            "inspector_pks": inspector_pks,
        }
        task.commitment = commitment.as_dict()
        task.committed_at = timezone.now()
        task.status = TaskStatus.COMMITTED
        task.save()
        audit.record(
            task, ChangeAction.UPDATE, before=before, after=audit.snapshot(task), actor=user
        )
        events.emit(task, "commitment", _("公布抽取承诺"), actor=user, **task.commitment)
    return task


def enter_public_value(task, public_value: str, source: str = "", user=None):
    """Enter the public value once; the draw then runs and is published. A second entry or a
    second draw is refused."""
    public_value = (public_value or "").strip()
    if not public_value:
        raise ValidationError({"public_value": _("请填写公开随机数")})
    with transaction.atomic():
        task = RandomInspectionTask.objects.select_for_update().get(pk=task.pk)
        if task.public_value or task.status == TaskStatus.DRAWN:
            events.emit(
                task,
                "public_value_refused",
                _("拒绝再次录入公开随机数"),
                actor=user,
                attempted=public_value,
            )
            raise ValidationError(
                _("公开随机数已于此前录入（{value}），不能再次录入；抽取不能重做").format(
                    value=task.public_value
                )
            )
        if task.status != TaskStatus.COMMITTED:
            raise ValidationError(_("须先公布抽取承诺，再录入公开随机数"))
        snap = task.snapshot
        try:
            result = drawlib.draw(
                task.secret,
                public_value,
                snap["population"],
                snap["inspectors"],
                draw_params(snap["params"]),
                [tuple(c) for c in snap["conflicts"]],
                snap["history"],
            )
        except drawlib.DrawError as exc:
            raise ValidationError(str(exc)) from None
        if result.commitment.as_dict() != task.commitment:
            raise ValidationError(_("抽取输入与已公布的承诺不一致，拒绝抽取"))
        before = audit.snapshot(task)
        task.public_value, task.public_value_source = public_value, (source or "")[:200]
        task.result = result.as_dict()
        task.drawn_at = timezone.now()
        task.status = TaskStatus.DRAWN
        task.save()
        class_of = {e: c for c, ids in snap["population"].items() for e in ids}
        for position, draw_id in enumerate(result.order, start=1):
            entry = DrawEntry.objects.create(
                task=task,
                enterprise_id=snap["enterprise_pks"][draw_id],
                draw_id=draw_id,
                credit_class=class_of[draw_id],
                position=position,
            )
            entry.inspectors.set([snap["inspector_pks"][i] for i in result.teams[draw_id]])
        audit.record(
            task, ChangeAction.UPDATE, before=before, after=audit.snapshot(task), actor=user
        )
        events.emit(
            task,
            "drawn",
            _("录入公开随机数并完成抽取"),
            actor=user,
            public_value=public_value,
            seed=result.seed,
            drawn=len(result.order),
        )
        link = reverse("inspection:randominspectiontask_detail", args=[task.pk])
        notify.add_todo(
            _("录入“{task}”的检查结果").format(task=task.name),
            unit=task.unit,
            link=link,
            due=task.period_end,
            kind="record_inspections",
            obj=task,
        )
    return task


def verify_task(task, public_value: str | None = None) -> drawlib.VerifyReport:
    snap = task.snapshot or {}
    if task.status != TaskStatus.DRAWN:
        return drawlib.VerifyReport([_("该任务尚未抽取")])
    return drawlib.verify(
        task.result,
        task.secret,
        snap["population"],
        snap["inspectors"],
        draw_params(snap["params"]),
        [tuple(c) for c in snap["conflicts"]],
        snap["history"],
        public_value=public_value,
    )


# --------------------------------------------------------------------------- 一公开
def record_inspection(data: dict, user=None):
    entry = data["entry"]
    inspected_on = data["inspected_on"]
    if inspected_on > _today():
        raise ValidationError({"inspected_on": _("检查日期不能晚于今天")})
    if inspected_on < entry.task.drawn_at.date():
        raise ValidationError({"inspected_on": _("检查日期不能早于抽取日期")})
    if InspectionRecord.objects.filter(entry=entry).exists():
        raise ValidationError({"entry": _("该户已录入检查结果")})
    due, estimated = _rule_deadline(inspected_on, "inspection.draw.result_publication_working_days")
    with transaction.atomic():
        record = services.create_object(
            InspectionRecord,
            {
                **data,
                "task": entry.task,
                "enterprise": entry.enterprise,
                "unit": entry.task.unit,
                "publish_due": due,
            },
            user,
        )
        events.emit(record, "recorded", _("录入检查结果"), actor=user, publish_due=due)
        notify.add_todo(
            _("公示抽查结果：{name}").format(name=entry.enterprise.name),
            unit=record.unit,
            link=reverse("inspection:inspectionrecord_detail", args=[record.pk]),
            due=due,
            kind="publish_record",
            obj=record,
        )
    return record


def publish_record(record, user=None):
    if record.is_public:
        raise ValidationError(_("该检查结果已公示"))
    if record.is_void:
        raise ValidationError(_("已作废的记录不能公示"))
    with transaction.atomic():
        before = audit.snapshot(record)
        record.is_public, record.published_at = True, timezone.now()
        record.save(update_fields=["is_public", "published_at", "updated_at"])
        audit.record(
            record, ChangeAction.UPDATE, before=before, after=audit.snapshot(record), actor=user
        )
        events.emit(record, "published", _("公示检查结果"), actor=user)
        notify.close_todos(record)
    return record


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


# --------------------------------------------------------------------------- import
@dataclass
class ImportReport:
    run: ResultImport | None
    errors: list[dict] = field(default_factory=list)
    created: int = 0
    skipped: int = 0
    matches: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


_SUFFIX_RE = re.compile(r"(股份)?有限(责任)?公司|分公司|有限公司|公司|厂$")


def _norm_name(name: str) -> str:
    text = values.normalize(name or "").replace("（", "(").replace("）", ")")
    return _SUFFIX_RE.sub("", re.sub(r"\s+", "", text))


class EnterpriseMatcher:
    """Producer matching: credit code (1.00), name + address (0.95), unique name (0.80),
    unique name without legal-form suffix (0.60); otherwise unmatched."""

    def __init__(self):
        self.by_code, self.by_name_addr, self.by_name, self.by_norm = {}, {}, {}, {}
        for pk, code, name, address in Enterprise.objects.values_list(
            "pk", "credit_code", "name", "address"
        ):
            if code:
                self.by_code[code] = pk
            self.by_name_addr[(name, address)] = pk
            self.by_name.setdefault(name, []).append(pk)
            self.by_norm.setdefault(_norm_name(name), []).append(pk)

    def match(self, code, name, address) -> tuple[int | None, Decimal]:
        if code:
            from qcity.registry import creditcode

            try:
                code = creditcode.validate(code)
            except creditcode.CreditCodeError:
                code = None
            if code and code in self.by_code:
                return self.by_code[code], Decimal("1.00")
        if not name:
            return None, Decimal("0")
        if (name, address or "") in self.by_name_addr:
            return self.by_name_addr[(name, address or "")], Decimal("0.95")
        if len(self.by_name.get(name, [])) == 1:
            return self.by_name[name][0], Decimal("0.80")
        norm = self.by_norm.get(_norm_name(name), [])
        if len(norm) == 1:
            return norm[0], Decimal("0.60")
        return None, Decimal("0")

    def add(self, enterprise):
        self.by_name_addr[(enterprise.name, enterprise.address)] = enterprise.pk
        self.by_name.setdefault(enterprise.name, []).append(enterprise.pk)
        self.by_norm.setdefault(_norm_name(enterprise.name), []).append(enterprise.pk)


class CategoryMatcher:
    def __init__(self, root_code: str):
        self.root = root_code
        self.by_name: dict[str, list[ProductCategory]] = {}
        for cat in ProductCategory.objects.all():
            self.by_name.setdefault(values.normalize(cat.name), []).append(cat)

    def match(self, *names) -> ProductCategory | None:
        for name in names:
            if not name:
                continue
            key = values.normalize(re.sub(r"^[一二三四五六七八九十]+、", "", name))
            cands = self.by_name.get(key, [])
            inside = [c for c in cands if c.code.startswith(self.root)]
            if inside:
                return max(inside, key=lambda c: c.level)
            if cands:
                return None  # a known category outside the plan: reported by the caller
        return None


def _region_for(address: str, default):
    from qcity.core.models import Region

    address = address or ""
    for region in Region.objects.filter(pk__in=default.subtree_ids()).exclude(pk=default.pk):
        if region.name and region.name in address:
            return region
    return default


def _row_key(rec: dict) -> str:
    parts = [
        rec.get("sample_no") or "",
        rec.get("producer_name") or "",
        rec.get("sampled_unit") or "",
        rec.get("product_name") or "",
        rec.get("spec") or "",
        rec.get("production_date") or rec.get("batch") or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


def import_results(plan, filename: str, data: bytes, user=None, create_unmatched: bool = True):
    """Import a lab file or a published result table into ``plan``: all rows or none.

    Refused when the same file was imported before; a row whose sample already exists is
    skipped (idempotent). Each problem is reported with row, column and reason."""
    sha = hashlib.sha256(data).hexdigest()
    previous = ResultImport.objects.filter(sha256=sha, committed=True).first()
    if previous is not None:
        raise ValidationError(
            _("该文件已于{when}导入（{name}），不能重复导入").format(
                when=timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"),
                name=previous.file_name,
            )
        )
    read = result_tables.read_table(data, filename)
    report = ImportReport(run=None)
    for e in read.errors:
        if e.level == "错误":
            report.errors.append({"row": e.row, "column": e.column, "reason": e.reason})
    if not read.rows and not report.errors:
        report.errors.append({"row": 0, "column": "", "reason": _("文件中没有数据行")})
    enterprises = EnterpriseMatcher()
    categories = CategoryMatcher(plan.category.code[:1])
    today = _today()
    prepared = []
    seen_keys = set()
    existing_keys = set()
    for rec in read.rows:
        row = rec["row"]

        def err(column, reason, row=row):
            report.errors.append({"row": row, "column": column, "reason": reason})

        if not rec.get("product_name"):
            err(_("食品名称"), _("缺少样品名称"))
            continue
        category = categories.match(
            rec.get("category"), rec.get("section"), rec.get("product_name")
        )
        if category is None:
            shown = rec.get("category") or rec.get("section") or rec.get("product_name")
            err(
                _("分类"),
                _("未知类别“{c}”，不在计划类别“{p}”的类别树中").format(c=shown, p=plan.category),
            )
            continue
        production_date = (
            datetime.date.fromisoformat(rec["production_date"])
            if rec.get("production_date")
            else None
        )
        if production_date and production_date > today:
            err(_("生产日期/批号"), _("日期“{d}”晚于今天").format(d=production_date))
            continue
        sampled_on = None
        if rec.get("sampled_on"):
            d, _kind, problem = result_tables.parse_date(rec["sampled_on"])
            if d is None:
                err(
                    _("抽样日期"),
                    problem or _("无法识别的抽样日期“{d}”").format(d=rec["sampled_on"]),
                )
                continue
            sampled_on = d
        notice_date = (
            datetime.date.fromisoformat(rec["notice_date"]) if rec.get("notice_date") else None
        )
        if notice_date and notice_date > today:
            err(_("公告日期"), _("日期“{d}”晚于今天").format(d=notice_date))
            continue
        if sampled_on and sampled_on > today:
            err(_("抽样日期"), _("日期“{d}”晚于今天").format(d=sampled_on))
            continue
        sampled_on = sampled_on or notice_date or production_date or plan.period_start
        sampled_on = min(sampled_on, today)
        # conclusion and items
        items = [
            ItemInput(i.get("item") or "", i.get("result") or "", i.get("limit") or "")
            for i in rec.get("items") or []
            if i.get("item") or i.get("result")
        ]
        verdict_text = values.normalize(rec.get("verdict") or "")
        if items:
            conclusion, built, problems = judge_items(items)
            if problems:
                for p in problems:
                    err(_("不合格项目║检验结果║标准值"), p)
                continue
        else:
            built = []
            if "不合格" in verdict_text:
                err(_("不合格项目║检验结果║标准值"), _("结论为不合格但没有不合格项目"))
                continue
            conclusion = Conclusion.PASS
        if "不合格" in verdict_text and conclusion != Conclusion.FAIL:
            err(_("检验结论"), _("表中结论为不合格，但各项目均判定合格"))
            continue
        key = _row_key(rec)
        if key in seen_keys:
            err("", _("与本文件中前面的行是同一样品（重复行）"))
            continue
        seen_keys.add(key)
        number = (rec.get("sample_no") or "").strip() or f"IMP{key[:14].upper()}"
        if (
            Sample.objects.filter(source_key=key).exists()
            or Sample.objects.filter(number=number).exists()
        ):
            existing_keys.add(key)
            report.skipped += 1
            continue
        prepared.append(
            (rec, category, production_date, sampled_on, conclusion, built, key, number)
        )

    with transaction.atomic():
        run = ResultImport.objects.create(
            plan=plan,
            file_name=filename[:255],
            sha256=sha,
            created_by=user,
            rows_total=len(read.rows),
        )
        report.run = run
        if report.errors:
            run.errors, run.rows_skipped = report.errors, report.skipped
            run.save()
            return report
        sid = transaction.savepoint()
        try:
            for (
                rec,
                category,
                production_date,
                sampled_on,
                conclusion,
                built,
                key,
                number,
            ) in prepared:
                producer_pk, confidence = enterprises.match(
                    rec.get("producer_code"), rec.get("producer_name"), rec.get("producer_address")
                )
                region = _region_for(
                    rec.get("sampled_address") or rec.get("producer_address") or "", plan.region
                )
                match_note = {
                    "row": rec["row"],
                    "name": rec.get("producer_name"),
                    "confidence": str(confidence),
                }
                if producer_pk is None and rec.get("producer_name"):
                    if not create_unmatched or not rec.get("producer_address"):
                        report.errors.append(
                            {
                                "row": rec["row"],
                                "column": _("标称生产企业名称"),
                                "reason": _("生产企业“{n}”未能匹配到名录中的市场主体").format(
                                    n=rec.get("producer_name")
                                ),
                            }
                        )
                        continue
                    producer = Enterprise.objects.create(
                        name=rec["producer_name"][:200],
                        address=(rec.get("producer_address") or "")[:300],
                        region=_region_for(rec.get("producer_address") or "", plan.region),
                        verified=False,
                    )
                    enterprises.add(producer)
                    producer_pk = producer.pk
                    match_note["created"] = True
                report.matches.append(match_note)
                sampled_pk, _c = enterprises.match(
                    None, rec.get("sampled_unit"), rec.get("sampled_address")
                )
                sample = Sample.objects.create(
                    number=number[:60],
                    plan=plan,
                    producer_id=producer_pk,
                    sampled_unit_id=sampled_pk,
                    product_name=rec["product_name"][:200],
                    spec=(rec.get("spec") or "")[:100],
                    brand=(rec.get("brand") or "")[:100],
                    category=category,
                    region=region,
                    channel="production" if rec.get("date_kind") != "购进日期" else "circulation",
                    batch=(rec.get("batch") or "")[:60],
                    production_date=production_date,
                    sampled_on=sampled_on,
                    conclusion=conclusion,
                    reported_on=sampled_on,
                    is_public=True,
                    source_key=key,
                    import_run=run,
                    match_confidence=confidence if producer_pk else None,
                    **_sample_fields(plan, category),
                )
                for b in built:
                    b.sample = sample
                TestItem.objects.bulk_create(built)
                _bump(*_flat(rollup_state(sample)))
                if conclusion == Conclusion.FAIL:
                    open_case(sample, user, quiet=True)
                report.created += 1
            if report.errors:
                raise _Rollback
        except _Rollback:
            transaction.savepoint_rollback(sid)
            report.created = 0
            run.errors = report.errors
            run.save()
            return report
        transaction.savepoint_commit(sid)
        run.rows_created, run.rows_skipped = report.created, report.skipped
        run.matches, run.committed = report.matches, bool(report.created)
        run.errors = []
        run.save()
        audit.record(
            run,
            ChangeAction.IMPORT,
            after={"created": report.created, "skipped": report.skipped},
            note=_("导入检验结果 {name}：新增样品 {c} 批次，跳过已存在 {s} 批次").format(
                name=filename, c=report.created, s=report.skipped
            ),
            actor=user,
        )
    queue_recompute([p[3] for p in prepared])  # the sampling dates of the imported rows
    return report


class _Rollback(Exception):
    pass


# --------------------------------------------------------------------------- large files
BULK_SUFFIXES = (".csv", ".xlsx")
RESULT_KINDS = ("xlsx", "xls", "csv", "html")  # lab files and published result tables


def start_bulk_import(plan, uploaded, user=None) -> ResultImport:
    """Check a large result file (format, size, header, not imported before), keep it and
    queue the set-based import as a job. Nothing is written to the samples here."""
    from qcity.core import jobs

    from . import bulk

    if uploaded is None:
        raise ValidationError(_("请选择要导入的文件"))
    data = uploads.read_limited(uploaded, ("csv", "xlsx"))  # the one upload path
    try:
        next(iter(bulk.file_rows(data, uploaded.name)), None)
    except bulk.BulkFileError as exc:
        raise ValidationError(str(exc)) from None
    sha = hashlib.sha256(data).hexdigest()
    previous = ResultImport.objects.filter(sha256=sha, committed=True).first()
    if previous is not None:
        raise ValidationError(
            _("该文件已于{when}导入（{name}），不能重复导入").format(
                when=timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"),
                name=previous.file_name,
            )
        )
    uploaded.seek(0)
    lines = data.count(b"\n") if uploaded.name.lower().endswith(".csv") else 0
    with transaction.atomic():
        run = ResultImport.objects.create(
            plan=plan,
            kind=ResultImport.BULK,
            file=uploaded,
            file_name=uploaded.name[:255],
            sha256=sha,
            created_by=user if user and user.is_authenticated else None,
        )
        run.job = jobs.enqueue("inspection.bulk_import", user=user, total=lines, run_id=run.pk)
        run.save(update_fields=["job"])
    return run


def run_bulk_import(run_id: int, job=None) -> dict:
    """The job: stage, check and write the whole file in one transaction (all or nothing),
    open the disposal cases of the failed samples, and log the run once."""
    from qcity.core import jobs

    from . import bulk

    run = ResultImport.objects.select_related("plan__category").get(pk=run_id)
    user = run.created_by
    with run.file.open("rb") as fh:
        data = fh.read()

    def progress(done):
        if job is not None:
            jobs.progress(job, done, max(done, job.total or 0))

    with transaction.atomic():
        result = bulk.import_csv(
            run.plan, data, user, filename=run.file_name, on_progress=progress, run_id=run.pk
        )
        run.rows_total = result["rows"]
        run.rows_created = result["created"]
        run.errors = result["errors"]
        run.error_count = result["error_count"]
        run.committed = bool(result["created"])
        run.save()
        if run.committed:
            failed = Sample.objects.filter(import_run=run, conclusion=Conclusion.FAIL)
            for sample in failed.select_related("unit"):
                open_case(sample, user, quiet=True)
        audit.record(
            run,
            ChangeAction.IMPORT,
            after={
                "rows": run.rows_total,
                "created": run.rows_created,
                "errors": run.error_count,
            },
            note=(
                _("批量导入检验结果 {name}：{r} 行，新增样品 {c} 批次").format(
                    name=run.file_name, r=run.rows_total, c=run.rows_created
                )
                if run.committed
                else _("批量导入检验结果 {name}：{e} 行有错误，未写入任何数据").format(
                    name=run.file_name, e=run.error_count
                )
            ),
            actor=user,
        )
    if job is not None:
        jobs.progress(job, result["rows"], result["rows"])
    return {"rows": result["rows"], "created": result["created"], "errors": result["error_count"]}


def bulk_error_report(run) -> bytes:
    from qcity.core.documents import xlsx_bytes

    rows = [[e["row"], e.get("column", ""), e["reason"]] for e in run.errors]
    if run.error_count > len(run.errors):
        rows.append(
            [
                "",
                "",
                _("另有 {n} 行错误未列出，请先修正以上问题后重新导入").format(
                    n=run.error_count - len(run.errors)
                ),
            ]
        )
    return xlsx_bytes([(_("错误明细"), [_("行号"), _("列"), _("原因")], rows)])


def bulk_template() -> bytes:
    from qcity.core.documents import xlsx_bytes

    from . import bulk

    notes = [
        [_("抽样编号"), _("必填。一个样品有多个检验项目时，每个项目一行，抽样编号相同")],
        [_("生产企业统一社会信用代码"), _("选填。填写时须为名录中已有的市场主体")],
        [_("类别代码"), _("必填。抽检类别树中的代码，如 F010101")],
        [_("区划代码"), _("必填。6位行政区划代码")],
        [_("抽样环节"), _("必填。生产环节、流通环节、餐饮环节或网络销售")],
        [_("抽样日期"), _("必填。如 2026-03-05、2026/3/5、2026年3月5日，不得晚于今天")],
        [_("检验结果"), _("必填。数值带单位（0.05mg/kg）、检出/未检出或科学计数")],
        [_("标准值"), _("必填。如 ≤0.2mg/kg、不得检出")],
    ]
    return xlsx_bytes(
        [
            (_("检验结果"), bulk.HEADERS, []),
            (_("填写说明"), [_("列名"), _("说明")], notes),
        ]
    )


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
