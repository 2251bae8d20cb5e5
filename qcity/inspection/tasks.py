"""Periodic scans of the inspection app (auto-discovered by core.jobs)."""

from qcity.core import jobs

from . import services


@jobs.periodic(3600)
def scan_overdue_supervision():
    services.scan_overdue()
