"""What every Intercoder job task shares: its message is acknowledged only when it has run and is
redelivered if its worker is lost; transient errors are retried by the same task (which takes its own
row back, ``annotate.core.jobs.job_claim``); the job's lease is renewed while it runs; attempts are
bounded; and a failure is recorded on the job's row with the reason."""

from celery import Task

from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import MAX_ATTEMPTS, TRANSIENT_ERRORS, job_fail, job_lease_kept


class RunTask(Task):
    """Base for tasks whose first argument is the id of a BackgroundJob row of ``job_model``."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True  # bounded: each redelivery is a claim, and claims are (MAX_ATTEMPTS)
    autoretry_for = TRANSIENT_ERRORS
    dont_autoretry_for = (ApplicationError, ValueError)
    retry_backoff = True
    retry_jitter = True
    max_retries = MAX_ATTEMPTS - 1
    job_model = None  # set by each task

    def __call__(self, *args, **kwargs):
        if self.job_model is None or not args or self.request.is_eager or not self.request.id:
            return super().__call__(*args, **kwargs)
        with job_lease_kept(self.job_model, args[0], self.request.id):
            return super().__call__(*args, **kwargs)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if self.job_model is not None and args:
            job_fail(self.job_model, args[0], f"{type(exc).__name__}: {exc}")
