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
        ({"kind": "matrix", "params": {"source": "x"}}, "'source' is final_else_raw (per unit"),
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


# --- the preview: what an export will hold, before it runs -------------------------------------------------


@pytest.mark.parametrize("released", [False, True], ids=["before-release", "after-release"])
@pytest.mark.parametrize("role", list(MATRIX), ids=[str(r) for r in MATRIX])
def test_the_preview_is_refused_exactly_as_the_export_and_writes_nothing(
    role, released, study, api_client_for
):
    if released:
        Project.objects.filter(pk=study.project.pk).update(codings_released_at=timezone.now())
    client = api_client_for(study.users[role])
    events = AuditEvent.objects.count()
    got = [
        client.post(
            url(study.project.id) + "preview", {"kind": kind, "params": params}, format="json"
        ).status_code
        for kind, params in KINDS
    ]
    assert got == [200 if status == OK else status for status in MATRIX[role][int(released)]]
    assert not ExportJob.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # The study: three coded units; one decided (its final coding: one code); two undecided ones with
        # one coding each; the decided one has two coders' codings.
        ("raw", {"codings_from_coders": 4, "codings_final": 0, "units": 3, "units_left_out": 0}),
        ("final", {"codings_from_coders": 0, "codings_final": 1, "units": 1, "units_left_out": 2}),
        ("final_else_raw", {"codings_from_coders": 2, "codings_final": 1, "units": 3, "units_decided": 1}),
    ],
)
def test_the_preview_counts_what_each_source_holds(source, expected, study, api_client_for):
    response = api_client_for(study.users[Role.OWNER]).post(
        url(study.project.id) + "preview", {"kind": "quotations", "params": {"source": source}}, format="json"
    )
    assert response.status_code == 200, response.content
    contents = response.json()["contents"]
    assert {key: contents[key] for key in expected} == expected
    if source == "final":
        assert "2 coded units have no final coding yet and are not in this export." in contents["summary"]
    else:
        assert "not in this export" not in contents["summary"]


def test_a_viewer_previews_the_final_coding_by_default(study, api_client_for):
    Project.objects.filter(pk=study.project.pk).update(codings_released_at=timezone.now())
    response = api_client_for(study.users[Role.VIEWER]).post(
        url(study.project.id) + "preview", {"kind": "matrix"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["params"]["source"] == "final"
