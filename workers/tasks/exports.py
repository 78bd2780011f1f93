"""Exports and REFI-QDA project imports: thin adapters from a job id to the ``annotate.exports`` services.

Idempotent by construction: the services claim the job row with a guarded update, so a redelivered message
finds the job running or finished and returns. Files are written to a ``.part`` name and renamed when
complete; an import runs in one transaction.
"""

from celery import shared_task
from django.conf import settings

from annotate.exports.models import ExportJob, ProjectImportJob
from annotate.exports.qdpx_import import project_import_execute
from annotate.exports.services import export_job_execute

from .base import RunTask


@shared_task(
    base=RunTask,
    job_model=ExportJob,
    name="exports.export_job_run",
    soft_time_limit=getattr(settings, "INTERCODER_EXPORT_SOFT_TIME_LIMIT", 30 * 60),
    time_limit=getattr(settings, "INTERCODER_EXPORT_TIME_LIMIT", 31 * 60),
)
def export_job_run(job_id: int) -> None:

    export_job_execute(job_id=job_id)


@shared_task(
    base=RunTask,
    job_model=ProjectImportJob,
    name="exports.project_import_run",
    soft_time_limit=getattr(settings, "INTERCODER_EXPORT_SOFT_TIME_LIMIT", 30 * 60),
    time_limit=getattr(settings, "INTERCODER_EXPORT_TIME_LIMIT", 31 * 60),
)
def project_import_run(job_id: int) -> None:

    project_import_execute(job_id=job_id)
