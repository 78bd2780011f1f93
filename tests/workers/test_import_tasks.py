"""The import task: a thin, idempotent adapter (sync tests), and a real Celery worker on Redis importing a
zip uploaded through the API (``-m worker``)."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.core.models import JobStatus
from annotate.documents.imports import Upload, import_job_create, import_options_build
from annotate.documents.models import Document, ImportJob
from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory
from workers.tasks.base import RunTask
from workers.tasks.imports import import_job_run

TXT = b"Interviewer: How did it start?\n\nP01: With the overdose numbers."


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def job(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(creator=UserFactory(username="pi"))
    with django_capture_on_commit_callbacks(execute=False):
        return import_job_create(
            project=project,
            actor=project.created_by,
            uploads=[Upload(name="P01.txt", file=io.BytesIO(TXT), size=len(TXT))],
            options=import_options_build({}),
        )


def test_task_is_configured_as_a_bounded_idempotent_run_task(settings):
    assert isinstance(import_job_run, RunTask)
    assert import_job_run.job_model is ImportJob
    assert import_job_run.acks_late is True
    assert import_job_run.soft_time_limit == settings.INTERCODER_IMPORT_SOFT_TIME_LIMIT
    assert import_job_run.time_limit > import_job_run.soft_time_limit


def test_task_runs_the_job_and_a_redelivery_does_nothing(job):
    import_job_run.apply(args=[job.id])
    job.refresh_from_db()
    assert (job.status, job.files_imported, job.attempts) == (JobStatus.DONE, 1, 1)
    import_job_run.apply(args=[job.id])  # the same message again (acks_late, worker lost)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    assert Document.objects.count() == 1


def test_failure_hook_records_the_error_on_the_row(job):
    import_job_run.on_failure(RuntimeError("boom"), "task-id", (job.id,), {}, None)
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "RuntimeError: boom")


@pytest.mark.worker
def test_real_worker_imports_a_zip_uploaded_through_the_api(celery_worker, api_client_for):
    from django.conf import settings as live

    owner = UserFactory(username="worker-pi")
    project = ProjectFactory(creator=owner)
    project.add_member(UserFactory(username="worker-coder"), Role.CODER)
    batch = make_zip(
        {
            "P01_interview.txt": TXT,
            "P02.vtt": b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Hi.\n\n"
            b"00:00:04.000 --> 00:00:06.000\n<v P02>Hello.\n",
            "P03.docx": b"not a zip",
        }
    )
    client = api_client_for(owner)
    response = client.post(
        f"/api/v1/projects/{project.id}/imports/",
        {"files": [SimpleUploadedFile("batch.zip", batch)]},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/projects/{project.id}/imports/{job_id}/").json()
        if job["status"] in ("done", "partial", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "partial", job  # one of the three files failed
    assert (job["files_imported"], job["files_failed"], job["progress"]) == (2, 1, 100)
    titles = sorted(Document.objects.filter(project=project).values_list("title", flat=True))
    assert titles == ["P01_interview", "P02"]
    assert job["report"][2]["message"].startswith("This file is not a Word .docx document")
    upload_dir = ImportJob.objects.get(pk=job_id).upload_dir
    assert not (live.MEDIA_ROOT / upload_dir).exists()
