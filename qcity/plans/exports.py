"""The 任务分工表 and the targets table of a plan, as .xlsx and as a 公文-style .docx."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qcity.core.documents import OfficialDocument, xlsx_bytes

from .choices import ResponsibilityRole, TargetOp


def _unit_label(responsibility) -> str:
    unit = responsibility.unit
    if unit is None:
        return responsibility.name_as_written
    return unit.short_name or unit.name


def task_table(plan) -> tuple[list[str], list[list]]:
    headers = [_("序号"), _("重点任务"), _("牵头单位"), _("配合单位"), _("完成时限")]
    rows = []
    tasks = (
        plan.tasks.filter(is_void=False)
        .prefetch_related("responsibilities__unit")
        .order_by("order", "pk")
    )
    for i, task in enumerate(tasks, start=1):
        people = list(task.responsibilities.all())
        lead = [_unit_label(r) for r in people if r.role == ResponsibilityRole.LEAD]
        co = [_unit_label(r) for r in people if r.role == ResponsibilityRole.CO]
        rows.append([i, task.title, "、".join(lead), "、".join(co), task.deadline_text or ""])
    return headers, rows


def target_value(target) -> str:
    value = format(target.value.normalize(), "f")
    if target.op == TargetOp.RANGE and target.value_high is not None:
        high = format(target.value_high.normalize(), "f")
        return f"{value}—{high}{target.unit}"
    signs = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "=", "~": "≈"}
    return f"{signs.get(target.op, '')}{value}{target.unit}"


def target_table(plan) -> tuple[list[str], list[list]]:
    headers = [_("序号"), _("指标"), _("目标值"), _("目标年份"), _("目标类型"), _("比较基数")]
    rows = []
    from .services import plan_level_targets

    for i, target in enumerate(plan_level_targets(plan).order_by("order", "pk"), 1):
        rows.append(
            [
                i,
                target.indicator_text,
                target_value(target),
                target.year or "",
                target.get_kind_display(),
                target.base_text,
            ]
        )
    return headers, rows


def tables(plan, what: str):
    if what == "targets":
        return _("主要目标表"), *target_table(plan)
    return _("重点任务分工表"), *task_table(plan)


def as_xlsx(plan, what: str) -> bytes:
    name, headers, rows = tables(plan, what)
    return xlsx_bytes([(str(name), headers, rows)])


def as_docx(plan, what: str) -> bytes:
    name, headers, rows = tables(plan, what)
    label = _("附件2") if what == "targets" else _("附件1")
    doc = OfficialDocument(f"{plan.title}{name}", landscape=True, attachment_label=str(label))
    doc.table(headers, rows)
    return doc.to_bytes()
