"""The transcript import task: a thin adapter from the job id to ``import_job_process``.

Idempotent by construction: the service claims the ImportJob row with a guarded update, so a message
delivered twice (``acks_late``, a lost worker) imports the files once; the second delivery finds the job
running or finished and returns. Only the job id travels through the broker; the uploaded bytes wait in
``MEDIA_ROOT/<job.upload_dir>/`` and the service deletes them when the job ends.
"""

from celery import shared_task
from django.conf import settings

from annotate.documents.imports import import_job_process
from annotate.documents.models import ImportJob

from .base import RunTask


@shared_task(
    base=RunTask,
    job_model=ImportJob,
    name="imports.import_job_run",
    acks_late=True,
    # A 2,000-file batch is minutes of work: a longer bound than the global task limits (settings).
    soft_time_limit=settings.INTERCODER_IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.INTERCODER_IMPORT_TIME_LIMIT,
)
def import_job_run(job_id: int) -> None:

    import_job_process(job_id=job_id)
