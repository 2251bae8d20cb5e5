"""双随机: draw tasks, commitment, public value, draw and verification (docs/draw.md)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import audit, events, notify, rulebook, services
from qcity.core.choices import ChangeAction
from qcity.registry.models import Enterprise, Inspector

from .. import draw as drawlib
from ..choices import AllocationMode, TaskStatus
from ..models import (
    DrawEntry,
    RandomInspectionTask,
)
from .common import CLASSES, UNCLASSIFIED


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
