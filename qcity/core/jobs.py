"""Background work as a job row plus a runner (PATTERNS.md 13).

``enqueue(kind, **params)`` writes a Job after the surrounding transaction commits (ids only in
params); ``qcity runjobs`` runs queued jobs and a periodic tick. With ``QCITY_JOBS_INLINE``
(tests, the single-process demo) a job runs right after commit in the same process.
Handlers register with ``@handler("kind")``; periodic work with ``@periodic(seconds)``.
"""

from __future__ import annotations

import logging
import time
import traceback

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .choices import JobStatus

log = logging.getLogger("qcity.jobs")
HANDLERS: dict[str, callable] = {}
PERIODIC: list[tuple[int, callable]] = []


def handler(kind: str):
    def wrap(func):
        HANDLERS[kind] = func
        return func

    return wrap


def periodic(seconds: int):
    def wrap(func):
        PERIODIC.append((seconds, func))
        return func

    return wrap


def enqueue(kind: str, user=None, total: int = 0, **params):
    from .models import Job

    job = Job.objects.create(
        kind=kind,
        params=params,
        created_by=user if user and user.is_authenticated else None,
        total=total,
    )
    if settings.QCITY_JOBS_INLINE == "immediate":  # tests: their transaction never commits
        run(job.pk)
        job.refresh_from_db()
    elif settings.QCITY_JOBS_INLINE:
        transaction.on_commit(lambda: run(job.pk))
    return job


def progress(job, done: int, total: int | None = None):
    from .models import Job

    fields = {"progress": done}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


def run(job_id: int):
    from .models import Job

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            return job
        job.status, job.started_at = JobStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    func = HANDLERS.get(job.kind)
    try:
        if func is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        with audit.acting_as(job.created_by, label=f"job:{job.kind}"):
            result = func(job, **job.params)
        job.status, job.result = JobStatus.DONE, result
    except Exception as exc:  # a failed job is recorded, never lost
        log.exception("job %s failed", job.pk)
        job.status, job.error = JobStatus.FAILED, f"{exc}\n{traceback.format_exc()[-4000:]}"
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])
    return job


def run_pending(limit: int = 100) -> int:
    from .models import Job

    ids = list(
        Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for job_id in ids:
        run(job_id)
    return len(ids)


def tick(now: float | None = None, last_run: dict | None = None) -> int:
    """Run periodic functions that are due; returns how many ran."""
    now = now if now is not None else time.monotonic()
    last_run = last_run if last_run is not None else {}
    ran = 0
    for seconds, func in PERIODIC:
        key = f"{func.__module__}.{func.__qualname__}"
        if now - last_run.get(key, -1e18) >= seconds:
            with audit.acting_as(None, label=f"periodic:{func.__name__}"):
                func()
            last_run[key] = now
            ran += 1
    return ran
