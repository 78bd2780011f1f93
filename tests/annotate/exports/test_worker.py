"""One export through a real Celery worker: the request commits the job and its audit event, the worker
(a separate process on Redis) writes the file, and the API serves it."""

import time
from pathlib import Path

import pytest

from annotate.core.models import JobStatus
from annotate.exports.models import ExportJob
from annotate.projects.models import Role
from annotate.settings.base import MEDIA_ROOT as WORKER_MEDIA_ROOT

pytestmark = pytest.mark.slow


def test_export_runs_in_a_real_worker(celery_worker, study, api_client_for, settings):
    client = api_client_for(study.users[Role.OWNER])
    response = client.post(
        f"/api/v1/projects/{study.project.id}/exports/", {"kind": "codings", "format": "jsonl"}, format="json"
    )
    assert response.status_code == 202
    job_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.2)
    # The worker process has its own MEDIA_ROOT (the settings default), not this test's temporary one.
    written = Path(WORKER_MEDIA_ROOT) / job.file_path
    try:
        assert job.status == JobStatus.DONE, job.error
        assert job.row_count == 5
        assert written.is_file()
        assert len(written.read_text(encoding="utf-8").splitlines()) == 5
    finally:
        written.unlink(missing_ok=True)
