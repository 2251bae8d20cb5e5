"""Background work of 督查督办: the daily escalation scan (提醒 → 催办 → 督办) and lights."""

from qcity.core import jobs


@jobs.periodic(3600)
def escalation_scan():
    from . import services

    return services.scan()


@jobs.handler("tracking.scan")
def scan_job(job, on=None):
    import datetime

    from . import services

    return services.scan(datetime.date.fromisoformat(on) if on else None)
