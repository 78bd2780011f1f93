"""The job life cycle without a worker: the lease (a task takes back its own row, anyone takes a row whose
heartbeat stopped, attempts are bounded), the outbox (a send that fails never fails the write and leaves
the row to the dispatcher) and what the dispatcher sends."""

import datetime as dt
import logging

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from annotate.core.jobs import (
    MAX_ATTEMPTS,
    UNSENT_GRACE_S,
    enqueue_on_commit,
    job_claim,
    job_dispatch_due,
    job_heartbeat,
    job_progress,
)
from annotate.core.models import JobStatus
from annotate.exports.models import ExportJob
from tests.conftest import app_broker
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there


@pytest.fixture
def new_job(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = UserFactory()
    project = ProjectFactory(creator=owner)

    def make(**fields) -> ExportJob:
        job = ExportJob.objects.create(
            project=project, created_by=owner, kind="audit", format="csv", params={}
        )
        if fields:
            ExportJob.objects.filter(pk=job.pk).update(**fields)
            job.refresh_from_db()
        return job

    return make


@pytest.fixture
def job(new_job):
    return new_job()


def ago(seconds: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def held(job, *, by="task-a", beat_ago=0.0, attempts=1) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        claimed_by=by,
        started_at=ago(beat_ago),
        heartbeat_at=ago(beat_ago),
        attempts=attempts,
        progress=40,
    )


def test_a_claim_records_the_task_and_a_heartbeat(job):
    claimed = job_claim(ExportJob, job.pk, claimer="task-a")
    assert (claimed.status, claimed.claimed_by, claimed.attempts) == (JobStatus.RUNNING, "task-a", 1)
    assert timezone.now() - claimed.heartbeat_at < dt.timedelta(seconds=5)


def test_a_running_job_is_not_claimed_by_another_task_while_its_heartbeat_is_fresh(job, settings):
    held(job, beat_ago=settings.INTERCODER_JOB_LEASE_S - 5)
    assert job_claim(ExportJob, job.pk, claimer="task-b") is None
    assert job_claim(ExportJob, job.pk, claimer="") is None
    job.refresh_from_db()
    assert (job.status, job.claimed_by, job.attempts, job.progress) == (JobStatus.RUNNING, "task-a", 1, 40)


def test_the_retry_of_the_same_task_takes_its_own_row_back(job):
    """After a database blip the task's retry (same task id) finds its row running: it takes it back."""
    held(job, by="task-a", beat_ago=0)
    claimed = job_claim(ExportJob, job.pk, claimer="task-a")
    assert claimed is not None
    assert (claimed.status, claimed.claimed_by, claimed.attempts, claimed.progress) == (
        JobStatus.RUNNING,
        "task-a",
        2,
        0,
    )


def test_a_job_whose_heartbeat_stopped_is_claimed_by_another_task_once(job, settings):
    held(job, beat_ago=settings.INTERCODER_JOB_LEASE_S + 5)
    claimed = job_claim(ExportJob, job.pk, claimer="task-b")
    assert (claimed.claimed_by, claimed.attempts) == ("task-b", 2)
    assert job_claim(ExportJob, job.pk, claimer="task-c") is None  # and only once


def test_a_heartbeat_or_progress_renews_the_lease_of_its_holder_only(job, settings):
    held(job, beat_ago=settings.INTERCODER_JOB_LEASE_S + 5)
    assert job_heartbeat(ExportJob, job.pk, "task-other") == 0
    assert job_heartbeat(ExportJob, job.pk, "task-a") == 1
    assert job_claim(ExportJob, job.pk, claimer="task-b") is None
    held(job, beat_ago=settings.INTERCODER_JOB_LEASE_S + 5)
    job_progress(ExportJob, job.pk, 50)
    assert job_claim(ExportJob, job.pk, claimer="task-b") is None


def test_after_its_last_attempt_a_job_is_failed_with_the_reason(job, settings):
    held(job, beat_ago=settings.INTERCODER_JOB_LEASE_S + 5, attempts=MAX_ATTEMPTS)
    assert job_claim(ExportJob, job.pk, claimer="task-b") is None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert f"started {MAX_ATTEMPTS} times" in job.error
    assert job.finished_at is not None


def test_a_finished_job_is_never_claimed(job):
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, claimed_by="task-a")
    assert job_claim(ExportJob, job.pk, claimer="task-a") is None


def test_a_send_the_broker_refuses_never_fails_the_write_and_leaves_the_job_unsent(
    job, django_capture_on_commit_callbacks, caplog
):
    from annotate.celery import app

    app.conf.task_always_eager = False
    try:
        with (
            app_broker(UNREACHABLE_BROKER),
            caplog.at_level(logging.WARNING, logger="annotate.core.jobs"),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            enqueue_on_commit("exports.export_job_run", job.pk)
    finally:
        app.conf.task_always_eager = True
    job.refresh_from_db()
    assert (job.status, job.dispatched_at) == (JobStatus.PENDING, None)
    assert "the dispatcher will send it" in caplog.text


def test_a_sent_message_is_marked_with_when_it_is_due(job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit("exports.export_job_run", job.pk)  # eager: runs here
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert timezone.now() - job.dispatched_at < dt.timedelta(seconds=5)


def test_the_dispatcher_sends_unsent_lost_and_abandoned_jobs_and_leaves_the_rest(new_job, settings):
    lease, resend = settings.INTERCODER_JOB_LEASE_S, settings.INTERCODER_JOB_RESEND_AFTER_S
    unsent = new_job(created_at=ago(UNSENT_GRACE_S + 1))
    lost = new_job(created_at=ago(resend + 10), dispatched_at=ago(resend + 1))
    abandoned = new_job(created_at=ago(600), dispatched_at=ago(600))
    held(abandoned, by="task-dead", beat_ago=lease + 5)
    being_sent = new_job()  # its request is sending it right now
    queued = new_job(created_at=ago(resend - 5), dispatched_at=ago(resend - 10))
    running = new_job(created_at=ago(600), dispatched_at=ago(600))
    held(running, beat_ago=1)
    # Sent twice already, the last time after a long wait: the next resend waits as long again.
    backed_off = new_job(created_at=ago(10 * resend), dispatched_at=ago(2 * resend))

    sent = job_dispatch_due()  # tasks run inline in the tests (eager mode)

    assert sent["exports.ExportJob"] == 3
    statuses = {j.pk: j.status for j in ExportJob.objects.all()}
    assert statuses[unsent.pk] == statuses[lost.pk] == statuses[abandoned.pk] == JobStatus.DONE
    assert statuses[being_sent.pk] == statuses[queued.pk] == statuses[backed_off.pk] == JobStatus.PENDING
    assert statuses[running.pk] == JobStatus.RUNNING
    assert ExportJob.objects.get(pk=abandoned.pk).attempts == 2


def test_the_dispatcher_keeps_a_job_unsent_while_the_broker_is_down(new_job):
    from annotate.celery import app

    unsent = new_job(created_at=ago(UNSENT_GRACE_S + 1))
    app.conf.task_always_eager = False
    try:
        with app_broker(UNREACHABLE_BROKER):
            assert job_dispatch_due()["exports.ExportJob"] == 0
    finally:
        app.conf.task_always_eager = True
    unsent.refresh_from_db()
    assert (unsent.status, unsent.dispatched_at) == (JobStatus.PENDING, None)


def test_jobs_requeue_runs_the_dispatcher_once(new_job):
    unsent = new_job(created_at=ago(UNSENT_GRACE_S + 1))
    call_command("jobs_requeue")
    unsent.refresh_from_db()
    assert unsent.status == JobStatus.DONE


def test_every_job_task_is_acked_late_requeued_if_its_worker_is_lost_and_bounded():
    from annotate.core.jobs import job_tasks

    kinds = job_tasks()
    assert {m._meta.model_name for m in kinds} >= {"importjob", "exportjob", "saturationrun", "agreementrun"}
    for task in kinds.values():
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True), task.name
        assert task.max_retries == MAX_ATTEMPTS - 1, task.name


def test_every_kind_of_job_ends_before_the_broker_redelivers_its_message(settings):
    """Redis redelivers an unacknowledged message after its visibility timeout (one hour unless the
    transport options say otherwise), with its task id: the holder's own id, which takes the row back.
    So no task may still be running then: every hard time limit is shorter."""
    from annotate.core.jobs import job_tasks

    visibility = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}).get(
        "visibility_timeout", 3600
    )
    for task in job_tasks().values():
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < visibility, task.name


def test_beat_runs_the_dispatcher_at_the_configured_pace(settings):
    (entry,) = settings.CELERY_BEAT_SCHEDULE.values()
    assert entry["task"] == "core.jobs_dispatch"
    assert entry["schedule"] == settings.INTERCODER_JOB_DISPATCH_INTERVAL_S <= 15
    assert settings.INTERCODER_JOB_HEARTBEAT_S * 3 <= settings.INTERCODER_JOB_LEASE_S
