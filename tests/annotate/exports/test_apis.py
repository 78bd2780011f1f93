"""The export API: the role × kind matrix, hidden projects, the download, and bad input (never a 500)."""

import pytest
from django.utils import timezone

from annotate.audit.models import AuditEvent
from annotate.core.models import JobStatus
from annotate.exports.models import ExportJob
from annotate.projects.models import Project, Role

pytestmark = pytest.mark.django_db

KINDS = [
    ("codings", {"which": "raw"}),
    ("codings", {"which": "final"}),
    ("matrix", {"source": "final"}),
    ("quotations", {"source": "raw"}),
    ("qdpx", {}),
    ("qdc", {}),
    ("analysis_report", {}),
    ("audit", {}),
]
# Expected status per role: before release / after release.
OK, NO, HIDDEN = 202, 403, 404
MATRIX = {
    Role.OWNER: ([OK] * 8, [OK] * 8),
    Role.ADJUDICATOR: ([OK] * 8, [OK] * 8),
    Role.CODER: ([OK, NO, NO, NO, NO, OK, NO, NO], [OK, OK, OK, OK, NO, OK, NO, NO]),
    Role.VIEWER: ([NO, NO, NO, NO, NO, OK, NO, NO], [NO, OK, OK, NO, NO, OK, NO, NO]),
    "outsider": ([HIDDEN] * 8, [HIDDEN] * 8),
}


def url(project_id, *rest):
    return f"/api/v1/projects/{project_id}/exports/" + "".join(f"{r}/" for r in rest)


@pytest.mark.parametrize("released", [False, True], ids=["before-release", "after-release"])
@pytest.mark.parametrize("role", list(MATRIX), ids=[str(r) for r in MATRIX])
def test_role_matrix(role, released, study, api_client_for, django_capture_on_commit_callbacks):
    if released:
        Project.objects.filter(pk=study.project.pk).update(codings_released_at=timezone.now())
    client = api_client_for(study.users[role])
    expected = MATRIX[role][int(released)]
    got = []
    for kind, params in KINDS:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(study.project.id), {"kind": kind, "params": params}, format="json")
        got.append(response.status_code)
        if response.status_code == OK:
            job = ExportJob.objects.get(pk=response.json()["id"])
            assert job.status == JobStatus.DONE, (kind, job.error)
    assert got == expected


def test_anonymous_is_refused(study, api_client_for):
    response = api_client_for(None).post(url(study.project.id), {"kind": "qdc"}, format="json")
    assert response.status_code in (401, 403)
    assert not ExportJob.objects.exists()


def test_download_streams_the_file_and_is_audited(study, api_client_for, django_capture_on_commit_callbacks):
    owner = study.users[Role.OWNER]
    client = api_client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post(
            url(study.project.id), {"kind": "codings", "format": "csv"}, format="json"
        ).json()["id"]
    detail = client.get(url(study.project.id, job_id)).json()
    assert detail["status"] == "done"
    assert detail["download_url"].endswith(f"/exports/{job_id}/download")
    response = client.get(detail["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("project,document_id,document")
    assert AuditEvent.objects.filter(action="export.download", object_id=str(job_id)).count() == 1


def test_others_cannot_download_a_coders_export(study, api_client_for, django_capture_on_commit_callbacks):
    coder = study.users[Role.CODER]
    with django_capture_on_commit_callbacks(execute=True):
        job_id = (
            api_client_for(coder)
            .post(url(study.project.id), {"kind": "codings", "params": {"which": "raw"}}, format="json")
            .json()["id"]
        )
    path = f"/api/v1/projects/{study.project.id}/exports/{job_id}/download"
    assert api_client_for(coder).get(path).status_code == 200
    assert api_client_for(study.users[Role.VIEWER]).get(path).status_code == 404
    assert api_client_for(study.users["outsider"]).get(path).status_code == 404
    assert api_client_for(study.users[Role.OWNER]).get(path).status_code == 200
    # The viewer's list does not show it either.
    assert api_client_for(study.users[Role.VIEWER]).get(url(study.project.id)).json()["count"] == 0


def test_download_before_done_is_409(study, api_client_for):
    owner = study.users[Role.OWNER]
    response = api_client_for(owner).post(url(study.project.id), {"kind": "qdc"}, format="json")  # not run
    path = f"/api/v1/projects/{study.project.id}/exports/{response.json()['id']}/download"
    assert api_client_for(owner).get(path).status_code == 409


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "pdf"}, "Invalid input"),
        ({"kind": "codings", "format": "qdpx"}, "is written as csv, xlsx, jsonl"),
        ({"kind": "codings", "params": {"which": "everything"}}, "'which' is raw"),
        ({"kind": "matrix", "params": {"source": "x"}}, "'source' is raw, final, or auto"),
        ({"kind": "quotations", "params": {"code": 999999}}, "not in this project's codebook"),
    ],
)
def test_bad_requests_are_400(body, message, study, api_client_for):
    response = api_client_for(study.users[Role.OWNER]).post(url(study.project.id), body, format="json")
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="export.request").exists()


def test_export_of_a_hidden_project_is_404(study, api_client_for):
    outsider = study.users["outsider"]
    assert api_client_for(outsider).get(url(study.project.id)).status_code == 404
    assert api_client_for(outsider).get(url(999999)).status_code == 404
