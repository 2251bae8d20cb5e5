"""Background work of the plans app: extracting an uploaded plan document."""

from qcity.core import jobs

from . import services


@jobs.handler("plans.extract")
def extract(job, import_id: int):
    return services.run_extraction(import_id)
