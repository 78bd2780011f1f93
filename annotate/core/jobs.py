"""Life cycle of a BackgroundJob row, shared by every kind of run (see ``annotate.core.models``).

pending ──claim──> running ──finish──> done
                          └──fail────> failed

``job_claim`` is a guarded UPDATE: only one worker can move a row from pending to running, so a Celery
message delivered twice (acks_late, worker lost) runs the job once. Tasks enqueue with ``enqueue_on_commit``
so a worker never looks for a row that is not committed yet (or was rolled back).

A worker that dies mid-job (killed, out of memory, machine lost) leaves its row ``running``. Once the row
is older than its task's hard time limit (``job_stale_after``) no live worker can still hold it, so the
broker's redelivery of the unacknowledged message (or ``manage.py jobs_requeue``) claims it again, up to
``MAX_ATTEMPTS`` times; after that the job is marked failed. Every job is idempotent, so a re-run is safe.
"""

import datetime as dt
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import BackgroundJob, JobStatus

MAX_ATTEMPTS = 3
STALE_GRACE_S = 60


def job_tasks() -> dict[type[BackgroundJob], Any]:
    """Each kind of job and the Celery task that runs it (tasks name their ``job_model``). The app registers
    the tasks when it is finalised (``annotate.celery``), which reading ``tasks`` does."""
    return {
        model: task
        for task in current_app.tasks.values()
        if (model := getattr(task, "job_model", None)) is not None
    }


def job_stale_after(model: type[BackgroundJob]) -> dt.timedelta:
    """How long a job of this kind can run: its task's hard time limit, plus a grace for the worker to
    record the failure. A row running for longer has lost its worker."""
    task = job_tasks().get(model)
    limit = (task.time_limit if task is not None else None) or current_app.conf.task_time_limit or 3600
    return dt.timedelta(seconds=limit + STALE_GRACE_S)


def job_claim(model: type[BackgroundJob], job_id: int):
    """Move the job from pending to running and return it, or return None if someone else has it. A
    running row whose worker was lost (``job_stale_after``) is claimed again, or failed once it has had
    ``MAX_ATTEMPTS``."""
    now = timezone.now()
    stale = Q(status=JobStatus.RUNNING, started_at__lt=now - job_stale_after(model))
    claimed = (
        model._default_manager.filter(pk=job_id)
        .filter(Q(status=JobStatus.PENDING) | (stale & Q(attempts__lt=MAX_ATTEMPTS)))
        .update(status=JobStatus.RUNNING, started_at=now, progress=0, attempts=F("attempts") + 1)
    )
    if claimed:
        return model._default_manager.get(pk=job_id)
    model._default_manager.filter(stale, pk=job_id, attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED,
        error=f"The worker running this job stopped {MAX_ATTEMPTS} times before it finished; "
        "request it again, and tell your administrator if it keeps failing.",
        finished_at=now,
    )
    return None


def job_requeue_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send again every job whose message may be lost: pending for longer than
    ``INTERCODER_JOB_REQUEUE_AFTER_S``, or running past ``job_stale_after``. A duplicate message is
    harmless (``job_claim``). Returns how many of each kind were sent."""
    now = now or timezone.now()
    pending_before = now - dt.timedelta(seconds=settings.INTERCODER_JOB_REQUEUE_AFTER_S)
    sent = {}
    for model, task in job_tasks().items():
        due = model._default_manager.filter(
            Q(status=JobStatus.PENDING, created_at__lt=pending_before)
            | Q(status=JobStatus.RUNNING, started_at__lt=now - job_stale_after(model))
        ).values_list("pk", flat=True)
        ids = list(due)
        for job_id in ids:
            task.apply_async(args=[job_id])
        sent[model._meta.label] = len(ids)
    return sent


def job_progress(model: type[BackgroundJob], job_id: int, percent: int) -> None:
    model._default_manager.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress=max(0, min(100, int(percent)))
    )


def job_finish(
    model: type[BackgroundJob], job_id: int, result: Any, *, status: str = JobStatus.DONE, **fields: Any
) -> None:
    """Record a running job as finished: ``done``, or ``partial`` when some of its parts failed (the
    reason in ``error``)."""
    model._default_manager.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=status, progress=100, result=result, finished_at=timezone.now(), **fields
    )


def job_fail(model: type[BackgroundJob], job_id: int, error: str) -> None:
    """Record the failure of a job that is pending or running (a finished job stays as it is)."""
    model._default_manager.filter(pk=job_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, error=error[:10_000], finished_at=timezone.now()
    )


def enqueue_on_commit(task_name: str, *args: Any, countdown: float | None = None) -> None:
    """Send the task named ``task_name`` with ``args`` once the surrounding transaction commits (never for a
    rolled-back row), after ``countdown`` seconds. By name: the tasks (``workers.tasks``) import the
    services, so the services never import the tasks."""
    transaction.on_commit(
        # Celery takes a list of args and countdown=None (no delay); celery-types asks for a tuple and a float.
        lambda: current_app.tasks[task_name].apply_async(args=list(args), countdown=countdown or None)  # type: ignore[arg-type]
    )


def tasks_run_inline() -> bool:
    """True when Celery runs tasks in the caller (eager mode: the test settings)."""
    return bool(current_app.conf.task_always_eager)
