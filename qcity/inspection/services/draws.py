"""双随机: draw tasks, commitment, public value, draw and verification (docs/draw.md)."""

from __future__ import annotations

import base64
import hashlib
import os
from decimal import Decimal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
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
    PublicValueEntry,
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


# The secret is sealed at rest until the draw (AES-GCM, key derived from the deployment's
# SECRET_KEY, which lives in the server environment, not in the database): a database dump or
# an unencrypted backup taken before the draw does not reveal it. At the draw it is published,
# so the record then holds it in clear.
_SEALED = "sealed1:"


def _seal_key() -> bytes:
    return hashlib.sha256(b"qcity-draw-secret\x00" + settings.SECRET_KEY.encode()).digest()


def seal_secret(secret: str, task_pk: int) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_seal_key()).encrypt(nonce, bytes.fromhex(secret), f"task:{task_pk}".encode())
    return _SEALED + base64.urlsafe_b64encode(nonce + sealed).decode()


def unsealed_secret(task) -> str:
    """The task's secret in clear (for the draw itself; shown to people only after it)."""
    if not task.secret.startswith(_SEALED):
        return task.secret
    raw = base64.urlsafe_b64decode(task.secret[len(_SEALED) :])
    try:
        plain = AESGCM(_seal_key()).decrypt(raw[:12], raw[12:], f"task:{task.pk}".encode())
    except InvalidTag:
        raise ValidationError(
            _("抽取密钥无法解封（服务器密钥已更换或记录被改动），不能抽取；请新建任务重新公布承诺")
        ) from None
    return plain.hex()


def source_of(task) -> drawlib.PublicSource:
    """The bound public randomness source as committed (docs/draw.md §4)."""
    return drawlib.PublicSource(
        name=task.source_name,
        issue=task.source_issue,
        format=task.source_format,
        available_at=drawlib.utc_text(task.source_available_at),
        committed_at=drawlib.utc_text(task.committed_at),
    )


def _period_ended(task, now) -> bool:
    # today, not the (possibly back-dated) moment: a draw made now for an ended period is late
    return task.period_end < timezone.localdate()


def _moment(at):
    """``at`` lets the demo build a past draw; it may never lie in the future."""
    now = timezone.now()
    if at is None:
        return now.replace(microsecond=0)
    if at > now:
        raise ValidationError(_("时间不能晚于当前时间"))
    return at.replace(microsecond=0)


def commit_task(
    task,
    user=None,
    *,
    source_name: str = "",
    source_issue: str = "",
    source_format: str = "",
    available_at=None,
    at=None,
):
    """Publish the commitment: hashes of secret, list, inspectors, constraints, parameters and
    the public randomness source (name, issue, value format, earliest time it can be known,
    which must be after the commitment time)."""
    now = _moment(at)
    source_name, source_issue = (source_name or "").strip(), (source_issue or "").strip()
    errors = {}
    if not source_name:
        errors["source_name"] = _("请填写公开随机数来源，如中国福利彩票“双色球”")
    if not source_issue:
        errors["source_issue"] = _("请填写将采用的期号")
    if source_format not in drawlib.FORMATS:
        errors["source_format"] = _("请选择公开随机数的值格式")
    elif source_name and not drawlib.source_matches_format(source_format, source_name):
        # a value copied from one lottery cannot be read in another lottery's format: the
        # bound source would be unverifiable
        errors["source_name"] = _("公开随机数来源“{name}”与所选值格式（{source}）不一致").format(
            name=source_name, source=drawlib.FORMATS[source_format].source
        )
    if source_issue and not (source_issue.isascii() and source_issue.isdigit()):
        errors["source_issue"] = _("期号只能由数字组成，如2026141")
    if available_at is None:
        errors["source_available_at"] = _("请填写该期开奖结果的最早可知时间")
    elif available_at <= now:
        errors["source_available_at"] = _(
            "最早可知时间（{at}）必须晚于承诺公布时间（{now}）：承诺公布时已能知道的数值不能作为公开随机数"
        ).format(
            at=timezone.localtime(available_at).strftime("%Y-%m-%d %H:%M"),
            now=timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = RandomInspectionTask.objects.select_for_update().get(pk=task.pk)
        if task.status != TaskStatus.DRAFT:
            raise ValidationError(_("该任务的承诺已经公布，不能重复公布"))
        if _period_ended(task, now):
            raise ValidationError(
                _("该任务的检查期已于{end}结束，不能再抽取").format(end=task.period_end)
            )
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
        task.source_name, task.source_issue = source_name, source_issue
        task.source_format, task.source_available_at = (
            source_format,
            available_at.replace(microsecond=0),
        )
        task.committed_at = now
        source = source_of(task)
        try:
            params.check()
            source.check()
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
        commitment = drawlib.commit(
            secret, population, inspectors, params, conflicts, history, source
        )
        before = audit.snapshot(task)
        task.secret = seal_secret(secret, task.pk)
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
        task.status = TaskStatus.COMMITTED
        task.save()
        # the change log says a secret was generated, never its value (audit.snapshot skips it)
        audit.record(
            task,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(task),
            note=_("已生成抽取密钥（密钥值在抽取前不公开，只公布其SHA-256）"),
            actor=user,
        )
        events.emit(task, "commitment", _("公布抽取承诺"), actor=user, **task.commitment)
    return task


def _keep_entry(task, value, user, now, *, canonical="", accepted=False, reason=""):
    return PublicValueEntry.objects.create(
        task=task,
        entered_at=now,
        value=value[:200],
        canonical=canonical,
        accepted=accepted,
        reason=reason[:500],
        entered_by=user if getattr(user, "pk", None) else None,
    )


def _refusal_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def enter_public_value(task, public_value: str, source: str = "", user=None, *, at=None):
    """Enter the public value once; the draw then runs and is published. Refused before the
    committed earliest time, after the inspection period, when the value does not fit the
    committed format, or when a value was already accepted. Every attempt is kept: a refusal
    is written in its own transaction after the refused one is rolled back."""
    now = _moment(at)
    raw = (public_value or "").strip()
    if not raw:
        raise ValidationError({"public_value": _("请填写公开随机数")})
    try:
        with transaction.atomic():
            task = _draw_with(task, raw, source, user, now)
    except ValidationError as exc:
        with transaction.atomic():
            kept = RandomInspectionTask.objects.get(pk=task.pk)
            if kept.status != TaskStatus.DRAFT:  # only a published commitment has a public trail
                _keep_entry(kept, raw, user, now, reason=_refusal_text(exc))
                events.emit(
                    kept,
                    "public_value_refused",
                    _("拒绝录入公开随机数"),
                    actor=user,
                    attempted=raw,
                    reason=_refusal_text(exc),
                )
        raise
    return task


def _draw_with(task, raw, source, user, now):
    task = RandomInspectionTask.objects.select_for_update().get(pk=task.pk)
    if task.public_value or task.status == TaskStatus.DRAWN:
        raise ValidationError(
            _("公开随机数已于此前录入（{value}），不能再次录入；抽取不能重做").format(
                value=task.public_value
            )
        )
    if task.status != TaskStatus.COMMITTED:
        raise ValidationError(_("须先公布抽取承诺，再录入公开随机数"))
    if _period_ended(task, now):
        raise ValidationError(
            _("该任务的检查期已于{end}结束，不能再抽取").format(end=task.period_end)
        )
    if not task.source_available_at or not task.source_format:
        raise ValidationError(
            _("该承诺没有绑定公开随机数来源（旧版承诺），不能抽取；请新建任务重新公布承诺")
        )
    if now < task.source_available_at:
        raise ValidationError(
            _("{name}第{issue}期的结果最早于{at}才能知道，此前不能录入").format(
                name=task.source_name,
                issue=task.source_issue,
                at=timezone.localtime(task.source_available_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    try:
        canonical = drawlib.canonical_value(task.source_format, raw)
    except drawlib.DrawError as exc:
        raise ValidationError(
            _("公开随机数不符合承诺的格式（{fmt}）：{why}").format(
                fmt=drawlib.FORMATS[task.source_format].label, why=exc
            )
        ) from None
    snap = task.snapshot
    secret = unsealed_secret(task)
    try:
        result = drawlib.draw(
            secret,
            canonical,
            snap["population"],
            snap["inspectors"],
            draw_params(snap["params"]),
            [tuple(c) for c in snap["conflicts"]],
            snap["history"],
            source_of(task),
        )
    except drawlib.DrawError as exc:
        raise ValidationError(str(exc)) from None
    if result.commitment.as_dict() != task.commitment:
        raise ValidationError(_("抽取输入与已公布的承诺不一致，拒绝抽取"))
    before = audit.snapshot(task)
    task.secret = secret  # revealed with the result
    task.public_value, task.public_value_canonical = raw, canonical
    task.public_value_source = (source or "")[:200]
    task.result = result.as_dict()
    task.drawn_at = now
    task.status = TaskStatus.DRAWN
    task.save()
    _keep_entry(task, raw, user, now, canonical=canonical, accepted=True)
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
    audit.record(task, ChangeAction.UPDATE, before=before, after=audit.snapshot(task), actor=user)
    events.emit(
        task,
        "drawn",
        _("录入公开随机数并完成抽取"),
        actor=user,
        public_value=raw,
        canonical=canonical,
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


def published_result(task) -> dict:
    """The draw as the public page shows it, rebuilt from the stored rows (DrawEntry and the
    accepted PublicValueEntry), so verification checks what people see."""
    entries = list(task.entries.order_by("position", "pk").prefetch_related("inspectors"))
    stored = task.result or {}
    population = (task.snapshot or {}).get("population", {})
    class_of = {e: c for c, ids in population.items() for e in ids}
    selected: dict[str, list[str]] = {c: [] for c in sorted(population)}
    for e in sorted(entries, key=lambda x: x.position):
        selected.setdefault(class_of.get(e.draw_id, e.credit_class), []).append(e.draw_id)
    return {
        "commitment": task.commitment or {},
        "public_value": task.public_value_canonical,
        "seed": stored.get("seed", ""),
        "allocation": {c: len(v) for c, v in selected.items()},
        "selected": selected,
        "order": [e.draw_id for e in entries],
        "teams": {e.draw_id: [i.certificate_no for i in e.inspectors.all()] for e in entries},
    }


def verify_task(task, public_value: str | None = None) -> drawlib.VerifyReport:
    """Recompute the draw from the published inputs alone (commitment inputs, the public value
    as published brought to the committed format, population, parameters) and compare it with
    the stored record the public page shows: the entries, their teams, the accepted entry."""
    snap = task.snapshot or {}
    if task.status != TaskStatus.DRAWN:
        return drawlib.VerifyReport([_("该任务尚未抽取")])
    out: list[str] = []
    try:
        source = source_of(task)
        source.check()
    except (drawlib.DrawError, TypeError, AttributeError) as exc:
        return drawlib.VerifyReport([_("公开随机数来源记录不完整：{e}").format(e=exc)])
    if not (task.drawn_at and task.drawn_at >= task.source_available_at > task.committed_at):
        out.append(_("时间顺序不对：承诺须早于最早可知时间，抽取不得早于最早可知时间"))
    accepted = list(task.value_entries.filter(accepted=True))
    if len(accepted) != 1 or accepted[0].value != task.public_value:
        out.append(_("公开随机数录入记录与公布的数值不一致"))
    elif accepted[0].entered_at < task.source_available_at:
        out.append(_("公开随机数的录入时间早于其最早可知时间"))
    try:
        canonical = drawlib.canonical_value(task.source_format, task.public_value)
    except drawlib.DrawError as exc:
        return drawlib.VerifyReport(out + [str(exc)])
    if canonical != task.public_value_canonical:
        out.append(_("公开随机数的规范形式与公布的数值不一致"))
    # the rows the public page lists must be the stored record (a team is a set in the rows;
    # its rank order lives in the record and is checked by the recomputation below)
    shown = published_result(task)
    stored = task.result or {}
    if (
        stored.get("order") != shown["order"]
        or stored.get("selected") != shown["selected"]
        or {e: sorted(t) for e, t in (stored.get("teams") or {}).items()}
        != {e: sorted(t) for e, t in shown["teams"].items()}
    ):
        out.append(_("公示的抽中企业或检查人员与保存的抽取记录不一致"))
    if stored.get("public_value") != canonical:
        out.append(_("抽取记录中的公开随机数与公布的数值不一致"))
    report = drawlib.verify(
        stored,
        task.secret,
        snap["population"],
        snap["inspectors"],
        draw_params(snap["params"]),
        [tuple(c) for c in snap["conflicts"]],
        snap["history"],
        public_value=public_value if public_value is not None else task.public_value,
        source=source,
    )
    return drawlib.VerifyReport(out + report.mismatches)
