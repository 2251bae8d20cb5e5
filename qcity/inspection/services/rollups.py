"""The pass-rate rollup kept in step with every sample change (PassRateRollup)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from ..choices import Conclusion
from ..models import (
    PassRateRollup,
    Sample,
)


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
