"""A job whose worker dies is not lost: a stale running row is claimed again (up to MAX_ATTEMPTS), and
``jobs_requeue`` sends again the jobs whose message may be lost."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from annotate.core.jobs import MAX_ATTEMPTS, job_claim, job_stale_after
from annotate.core.models import JobStatus
from annotate.exports.models import ExportJob
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = UserFactory()
    project = ProjectFactory(creator=owner)
    return ExportJob.objects.create(project=project, created_by=owner, kind="audit", format="csv", params={})


def started(job, *, ago: dt.timedelta, attempts: int = 1) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now() - ago, attempts=attempts, progress=40
    )


def test_the_stale_limit_is_the_tasks_hard_time_limit_and_a_grace():
    from workers.tasks.exports import export_job_run

    assert job_stale_after(ExportJob) == dt.timedelta(seconds=export_job_run.time_limit + 60)


def test_a_running_job_is_not_claimed_while_its_worker_may_be_alive(job):
    started(job, ago=job_stale_after(ExportJob) - dt.timedelta(seconds=5))
    assert job_claim(ExportJob, job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (JobStatus.RUNNING, 1, 40)


def test_a_job_whose_worker_was_lost_is_claimed_again(job):
    started(job, ago=job_stale_after(ExportJob) + dt.timedelta(seconds=5))
    claimed = job_claim(ExportJob, job.pk)
    assert claimed is not None
    assert (claimed.status, claimed.attempts, claimed.progress) == (JobStatus.RUNNING, 2, 0)
    assert timezone.now() - claimed.started_at < dt.timedelta(seconds=5)
    assert job_claim(ExportJob, job.pk) is None  # and only once


def test_after_its_last_attempt_a_lost_job_is_failed_with_a_reason(job):
    started(job, ago=job_stale_after(ExportJob) + dt.timedelta(seconds=5), attempts=MAX_ATTEMPTS)
    assert job_claim(ExportJob, job.pk) is None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert f"stopped {MAX_ATTEMPTS} times" in job.error


def test_requeue_sends_lost_and_long_pending_jobs_and_leaves_the_rest(job, settings):
    owner, project = job.created_by, job.project
    lost = job
    started(lost, ago=job_stale_after(ExportJob) + dt.timedelta(minutes=1))
    waiting = ExportJob.objects.create(
        project=project, created_by=owner, kind="audit", format="csv", params={}
    )
    ExportJob.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.INTERCODER_JOB_REQUEUE_AFTER_S + 60)
    )
    fresh = ExportJob.objects.create(project=project, created_by=owner, kind="audit", format="csv", params={})
    busy = ExportJob.objects.create(project=project, created_by=owner, kind="audit", format="csv", params={})
    started(busy, ago=dt.timedelta(minutes=1))

    call_command("jobs_requeue")  # tasks run inline in the tests (eager mode)

    statuses = {j.pk: j.status for j in ExportJob.objects.all()}
    assert statuses[lost.pk] == JobStatus.DONE
    assert statuses[waiting.pk] == JobStatus.DONE
    assert statuses[fresh.pk] == JobStatus.PENDING
    assert statuses[busy.pk] == JobStatus.RUNNING


def test_every_kind_of_job_is_stale_before_the_broker_redelivers_its_message(settings):
    """Redis redelivers an unacknowledged message after its visibility timeout (one hour unless the
    transport options say otherwise). The redelivery must find the dead worker's row stale, or the job
    would never run again."""
    from annotate.core.jobs import job_tasks

    visibility = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}).get(
        "visibility_timeout", 3600
    )
    kinds = job_tasks()
    assert {m._meta.model_name for m in kinds} >= {"importjob", "exportjob", "saturationrun", "agreementrun"}
    for model in kinds:
        assert job_stale_after(model) < dt.timedelta(seconds=visibility), model
