"""Periodic scans of the inspection app (auto-discovered by core.jobs)."""

from qcity.core import jobs

from . import services


@jobs.periodic(3600)
def scan_overdue_supervision():
    services.scan_overdue()


@jobs.handler("inspection.bulk_import")
def bulk_import(job, run_id):
    return services.run_bulk_import(run_id, job)
