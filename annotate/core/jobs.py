"""Life cycle of a BackgroundJob row, shared by every kind of run (see ``annotate.core.models``).

pending ──claim──> running ──finish──> done
                          └──fail────> failed

``job_claim`` is a guarded UPDATE: only one worker can move a row from pending to running, so a Celery
message delivered twice (acks_late, worker lost) runs the job once. Tasks enqueue with ``enqueue_on_commit``
so a worker never looks for a row that is not committed yet (or was rolled back).
"""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import BackgroundJob, JobStatus


def job_claim(model: type[BackgroundJob], job_id: int):
    """Move the job from pending to running and return it, or return None if someone else has it."""
    claimed = model.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    return model.objects.get(pk=job_id) if claimed else None


def job_progress(model: type[BackgroundJob], job_id: int, percent: int) -> None:
    model.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(progress=max(0, min(100, int(percent))))


def job_finish(model: type[BackgroundJob], job_id: int, result: Any, **fields: Any) -> None:
    model.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, progress=100, result=result, finished_at=timezone.now(), **fields
    )


def job_fail(model: type[BackgroundJob], job_id: int, error: str) -> None:
    """Record the failure of a job that is pending or running (a finished job stays as it is)."""
    model.objects.filter(pk=job_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, error=error[:10_000], finished_at=timezone.now()
    )


def enqueue_on_commit(task, *args: Any) -> None:
    """Send ``task`` with ``args`` once the surrounding transaction commits (never for a rolled-back row)."""
    transaction.on_commit(lambda: task.delay(*args))
