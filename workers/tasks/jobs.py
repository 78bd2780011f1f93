"""The dispatcher: Celery beat sends this task every ``INTERCODER_JOB_DISPATCH_INTERVAL_S``
(``CELERY_BEAT_SCHEDULE``); it sends the message of every job that needs one
(``annotate.core.jobs.job_dispatch_due``)."""

import logging

from celery import shared_task

from annotate.core.jobs import job_dispatch_due

logger = logging.getLogger(__name__)


@shared_task(name="core.jobs_dispatch", ignore_result=True, acks_late=False)
def jobs_dispatch() -> None:
    sent = job_dispatch_due()
    if any(sent.values()):
        logger.warning("the dispatcher sent jobs whose message or worker was lost: %s", sent)
