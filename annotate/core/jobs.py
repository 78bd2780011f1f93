"""Life cycle of a BackgroundJob row, shared by every kind of run (see ``annotate.core.models``).

pending ──claim──> running ──finish──> done
                          └──fail────> failed

The row is the outbox. A write commits its rows and its job row in one transaction; the job's message is
sent after the commit (``enqueue_on_commit``), so a worker never looks for a row that is not committed
(or was rolled back), and a broker that is down then never fails the request: the send is logged and the
row stays pending with no ``dispatched_at``. The dispatcher (``job_dispatch_due``, run by Celery beat every
``INTERCODER_JOB_DISPATCH_INTERVAL_S``) sends every job whose message was never sent, or was sent long
enough ago that it must be lost, and every running job whose lease has run out.

``job_claim`` is a guarded UPDATE. A pending row is claimed by the first message to reach a worker; the
claim records the task's id (``claimed_by``) and a heartbeat, which the task's worker renews while it runs
(``job_lease_kept``) and whenever it writes progress. A running row is claimed again by the same task
(its own retry after a transient error, or the broker's redelivery after its worker was lost: both keep
the task id) or by anyone once its heartbeat is older than ``INTERCODER_JOB_LEASE_S`` (its worker is
gone). Each claim counts an attempt; after ``MAX_ATTEMPTS`` the job is failed with the reason. Every job
is idempotent, so a re-run is safe, and a duplicate message finds the row held and does nothing.
"""

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from celery import current_app, current_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import BackgroundJob, JobStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Errors that pass: the task retries them (``workers.tasks.base.RunTask``) and its retry takes its own
# running row back. A service leaves its job running (not failed) when one of these stops it.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, redis.ConnectionError)
# A job committed this recently may still be having its message sent by the request that made it.
UNSENT_GRACE_S = 5
# A message not taken up since it was sent is sent again after RESEND_AFTER_S, then after waits that
# double (the job's age), at most this long apart: a long queue is not flooded with copies.
RESEND_BACKOFF_CAP_S = 15 * 60
# Sending a message: a broker that refuses connections is given up on in well under a second.
SEND_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def job_tasks() -> dict[type[BackgroundJob], Any]:
    """Each kind of job and the Celery task that runs it (tasks name their ``job_model``). The app registers
    the tasks when it is finalised (``annotate.celery``), which reading ``tasks`` does."""
    return {
        model: task
        for task in current_app.tasks.values()
        if (model := getattr(task, "job_model", None)) is not None
    }


def job_lease() -> dt.timedelta:
    """How long a running job is held without a heartbeat before another worker may take it."""
    return dt.timedelta(seconds=settings.INTERCODER_JOB_LEASE_S)


def _lease_over(now: dt.datetime) -> Q:
    expired = now - job_lease()
    return Q(status=JobStatus.RUNNING) & (
        Q(heartbeat_at__lt=expired) | Q(heartbeat_at__isnull=True, started_at__lt=expired)
    )


def current_claimer() -> str:
    """The id of the Celery task running this code, or "" outside a task."""
    task = current_task
    request_id = getattr(getattr(task, "request", None), "id", None) if task is not None else None
    return str(request_id or "")


def job_claim(model: type[BackgroundJob], job_id: int, *, claimer: str | None = None):
    """Move the job to running for ``claimer`` (default: the current task) and return it, or return None
    if another task holds it or it has finished. Claimable: a pending job; a running job this task
    already holds (its retry, or its message redelivered after its worker was lost); a running job whose
    lease ran out. After ``MAX_ATTEMPTS`` claims the job is failed instead, with the reason."""
    claimer = current_claimer() if claimer is None else claimer
    now = timezone.now()
    claimable = Q(status=JobStatus.PENDING) | _lease_over(now)
    if claimer:
        claimable |= Q(status=JobStatus.RUNNING, claimed_by=claimer)
    rows = model._default_manager.filter(claimable, pk=job_id)
    claimed = rows.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        claimed_by=claimer,
        progress=0,
        attempts=F("attempts") + 1,
    )
    if claimed:
        return model._default_manager.get(pk=job_id)
    rows.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED,
        error=f"The job was started {MAX_ATTEMPTS} times and did not finish: its worker stopped or lost "
        "the database each time. Request it again, and tell your administrator if it keeps failing.",
        finished_at=now,
    )
    return None


def job_heartbeat(model: type[BackgroundJob], job_id: int, claimer: str) -> int:
    """Renew the lease of the job ``claimer`` holds; 0 if it no longer holds it."""
    return model._default_manager.filter(pk=job_id, status=JobStatus.RUNNING, claimed_by=claimer).update(
        heartbeat_at=timezone.now()
    )


@contextmanager
def job_lease_kept(model: type[BackgroundJob], job_id: int, claimer: str) -> Iterator[None]:
    """Renew the lease of the job every ``INTERCODER_JOB_HEARTBEAT_S`` while the block runs (a thread
    with its own database connection), so a long step without progress writes keeps its job."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.INTERCODER_JOB_HEARTBEAT_S):
                try:
                    close_old_connections()
                    job_heartbeat(model, job_id, claimer)
                except Exception:  # a missed beat is retried; the lease is several beats
                    logger.warning("heartbeat of %s %s failed", model._meta.label, job_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def job_progress(model: type[BackgroundJob], job_id: int, percent: int) -> None:
    model._default_manager.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress=max(0, min(100, int(percent))), heartbeat_at=timezone.now()
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


def job_send(model: type[BackgroundJob], task: Any, job_id: int, *, countdown: float | None = None) -> bool:
    """Send the job's message and record when it is due (``dispatched_at``). A broker that cannot take it
    is logged and False returned: the row stays as it was and the dispatcher sends it later. In eager mode
    (the tests) the task runs here and its errors propagate as they would from a call."""
    if tasks_run_inline():
        task.apply_async(args=[job_id], countdown=countdown or None)
    else:
        try:
            task.apply_async(
                args=[job_id], countdown=countdown or None, retry=True, retry_policy=SEND_RETRY_POLICY
            )
        except Exception:  # any broker failure: the row is the outbox
            logger.warning(
                "could not send %s %s; the dispatcher will send it", model._meta.label, job_id, exc_info=True
            )
            return False
    due = timezone.now() + dt.timedelta(seconds=countdown or 0)
    try:
        model._default_manager.filter(pk=job_id).update(dispatched_at=due)
    except Exception:  # the message is out; without the mark it is only sent once more
        logger.warning("could not mark %s %s as sent", model._meta.label, job_id, exc_info=True)
    return True


def _resend_due(now: dt.datetime, created_at: dt.datetime, dispatched_at: dt.datetime | None) -> bool:
    if dispatched_at is None:
        return created_at < now - dt.timedelta(seconds=UNSENT_GRACE_S)
    wait = max(
        dt.timedelta(seconds=settings.INTERCODER_JOB_RESEND_AFTER_S),
        min(dispatched_at - created_at, dt.timedelta(seconds=RESEND_BACKOFF_CAP_S)),
    )
    return now - dispatched_at >= wait


def job_dispatch_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The dispatcher: send the message of every job that needs one. A pending job whose message was
    never sent (``dispatched_at`` empty, after ``UNSENT_GRACE_S``) or not taken up
    ``INTERCODER_JOB_RESEND_AFTER_S`` after it was due (then after doubling waits, see
    ``_resend_due``), and a running job whose lease ran out (its worker is gone; the message goes to a
    live worker, which claims it or fails it after ``MAX_ATTEMPTS``). A duplicate message is harmless
    (``job_claim``). Returns how many of each kind were sent."""
    now = now or timezone.now()
    sent = {}
    for model, task in job_tasks().items():
        rows = model._default_manager.filter(Q(status=JobStatus.PENDING) | _lease_over(now)).values_list(
            "pk", "created_at", "dispatched_at"
        )
        due = [
            job_id
            for job_id, created_at, dispatched_at in rows
            if _resend_due(now, created_at, dispatched_at)
        ]
        sent[model._meta.label] = sum(job_send(model, task, job_id) for job_id in due)
    return sent


def enqueue_on_commit(task_name: str, *args: Any, countdown: float | None = None) -> None:
    """Send the task named ``task_name`` for the job whose id is ``args[0]`` once the surrounding
    transaction commits (never for a rolled-back row), after ``countdown`` seconds. A failed send leaves
    the job to the dispatcher and never fails the caller. By name: the tasks (``workers.tasks``) import
    the services, so the services never import the tasks."""
    (job_id,) = args

    def send() -> None:
        task = current_app.tasks[task_name]
        job_send(getattr(task, "job_model"), task, job_id, countdown=countdown)  # noqa: B009 (set by tasks)

    transaction.on_commit(send)


def tasks_run_inline() -> bool:
    """True when Celery runs tasks in the caller (eager mode: the test settings)."""
    return bool(current_app.conf.task_always_eager)
