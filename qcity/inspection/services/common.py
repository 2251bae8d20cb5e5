"""Shared helpers of the inspection services: today, rule deadlines, recompute queue."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from qcity.core import rulebook, workdays

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
