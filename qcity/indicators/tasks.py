"""Background work: recompute computed indicators (queued after source records change, and
nightly) and the daily light snapshot."""

from __future__ import annotations

import datetime

from django.utils import timezone

from qcity.core import jobs

from . import services

DAY = 24 * 3600


@jobs.handler("indicators.recompute")
def recompute_job(job, keys=None, start=None, end=None, periods=None):
    """``periods``: [[start, end], …] (ISO dates); else ``start``–``end`` (default this month)."""
    if periods is None:
        periods = [[start, end]]
    written = 0
    for a, b in periods:
        a = datetime.date.fromisoformat(a) if a else None
        b = datetime.date.fromisoformat(b) if b else None
        for key in keys or [None]:
            written += services.recompute(key, a, b)
    # the month's light row follows the figures at once, so the home page's lights (read from
    # it) and the plan overview (computed live) agree after an import, not only after the night
    if written:
        daily_lights()
    return {"written": written, "periods": len(periods)}


@jobs.periodic(DAY)
def nightly_recompute():
    """This month and the last one (late records still change last month's figures)."""
    this_start, this_end = services.month_bounds(timezone.localdate())
    last_start, last_end = services.month_bounds(this_start - datetime.timedelta(days=1))
    return services.recompute(None, last_start, last_end) + services.recompute(
        None, this_start, this_end
    )


@jobs.periodic(DAY)
def daily_lights():
    """Today's lights, kept as this month's row (one row per target and month)."""
    today = timezone.localdate()
    return services.snapshot_lights(on=today, period_end=services.month_bounds(today)[1])
