"""What every Intercoder task shares: retry only transient errors, bounded time, and a failure hook that
records the failure on the run's row."""

import redis
from celery import Task
from django.db import InterfaceError, OperationalError

from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import job_fail

TRANSIENT_ERRORS = (OperationalError, InterfaceError, redis.ConnectionError)


class RunTask(Task):
    """Base for tasks whose first argument is the id of a BackgroundJob row of ``job_model``."""

    abstract = True
    acks_late = True
    autoretry_for = TRANSIENT_ERRORS
    dont_autoretry_for = (ApplicationError, ValueError)
    retry_backoff = True
    retry_jitter = True
    max_retries = 5
    job_model = None  # set by each task

    def on_failure(self, exc, task_id, args, kwargs, einfo):

        if self.job_model is not None and args:
            job_fail(self.job_model, args[0], f"{type(exc).__name__}: {exc}")
