"""一公开: inspection records and their publication."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qcity.core import audit, events, notify, services
from qcity.core.choices import ChangeAction

from ..models import (
    InspectionRecord,
)
from .common import _rule_deadline, _today


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
