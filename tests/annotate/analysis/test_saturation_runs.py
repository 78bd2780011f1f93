"""Saturation runs: requested through the API, computed by the task from a snapshot of the codings, stored as
rows. The stored curve must equal the engine's on the same codings."""

import numpy as np
import pytest
from django.db import transaction

from annotate.analysis.models import SaturationRun
from annotate.analysis.services import analysis_schedule_automatic, saturation_run_execute
from annotate.audit.models import AuditEvent
from annotate.coding.models import Coding
from annotate.core.jobs import job_fail
from tests.factories import make_case, make_code, make_document
from workers.stats.saturation import saturation_report

# interview -> codes present (by index into CODES); code 3 appears late.
PLAN = [[0, 1], [0, 2], [1, 2], [0], [0, 1], [1], [3], [2]]
CODES = ["Harm reduction", "Public health", "Racial equity", "Coercive treatment"]


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    owner = users["owner"]
    theme = make_code(project, owner, name="Framing")
    codes = [make_code(project, owner, name=name, parent=theme) for name in CODES]
    for i, present in enumerate(PLAN):
        case = make_case(project, owner, identifier=f"P{i + 1:02d}")
        doc = make_document(
            project, owner, case=case, text=f"Interviewer: Q?\n\nP: answer {i}.\n\nP: more {i}."
        )
        segment = doc.segments.order_by("position").last()
        for code_index in present:
            Coding.objects.create(
                project=project,
                segment=segment,
                code=codes[code_index],
                coder=owner,
                codebook_version=project.codebook.versions.order_by("-number").first(),
            )
    return project, users, codes


def _expected_incidence():
    incidence = np.zeros((len(PLAN), len(CODES)), dtype=bool)
    for i, present in enumerate(PLAN):
        incidence[i, present] = True
    return incidence


def test_requested_run_equals_the_engine_on_the_same_codings(
    study, api_client_for, django_capture_on_commit_callbacks
):
    project, users, _ = study
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{project.id}/analysis/saturation/runs/",
            {"n_orders": 1000, "seed": 7},
            format="json",
        )
    assert response.status_code == 202
    run = SaturationRun.objects.get(pk=response.json()["id"])
    assert run.status == "done", run.error
    expected = saturation_report(
        _expected_incidence(),
        interview_labels=[f"P{i + 1:02d}" for i in range(8)],
        code_labels=[f"Framing > {c}" for c in CODES],
        n_orders=1000,
        seed=7,
    )
    assert (
        run.result["accumulation"]["cumulative"]
        == expected["accumulation"]["cumulative"]
        == [2, 3, 3, 3, 3, 3, 4, 4]
    )
    assert run.result["guest"] == expected["guest"]
    assert run.result["order_effects"] == expected["order_effects"]
    assert run.snapshot["interviews"] == 8
    assert run.snapshot["incidences"] == int(_expected_incidence().sum())
    assert len(run.snapshot["input_hash"]) == 64
    assert AuditEvent.objects.filter(
        project=project, action="saturation_run.create", object_id=str(run.id)
    ).exists()

    detail = client.get(f"/api/v1/projects/{project.id}/analysis/saturation/runs/{run.id}/").json()
    assert detail["result"]["accumulation"]["new_codes"] == [2, 1, 0, 0, 0, 0, 1, 0]
    latest = client.get(f"/api/v1/projects/{project.id}/analysis/saturation/latest/").json()
    assert latest["id"] == run.id


def test_theme_level_collapses_codes_to_their_theme(
    study, api_client_for, django_capture_on_commit_callbacks
):
    project, users, _ = study
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(users["owner"]).post(
            f"/api/v1/projects/{project.id}/analysis/saturation/runs/", {"level": "theme"}, format="json"
        )
    run = SaturationRun.objects.get(pk=response.json()["id"])
    assert run.result["code_labels"] == ["Framing"]
    assert run.result["accumulation"]["cumulative"] == [1] * 8


def test_code_table_figures_and_wording(study, api_client_for, django_capture_on_commit_callbacks):
    project, users, _ = study
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        run_id = client.post(
            f"/api/v1/projects/{project.id}/analysis/saturation/runs/", {}, format="json"
        ).json()["id"]
    base = f"/api/v1/projects/{project.id}/analysis/saturation/runs/{run_id}"
    table = client.get(f"{base}/codes.csv")
    assert table.status_code == 200
    rows = table.content.decode().splitlines()
    assert (
        rows[0] == "code,first_appearance_position,first_appearance_interview,incidence,share_of_interviews"
    )
    assert "Framing > Coercive treatment,7,P07,1,0.1250" in rows
    svg = client.get(f"{base}/figures/accumulation.svg")
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    png = client.get(f"{base}/figures/saturation-points.png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert client.get(f"{base}/figures/pie.png").status_code == 404
    wording = client.get(f"{base}/wording/").json()["text"]
    assert wording.startswith("Using Guest et al.’s (2020) criterion") or "Guest" in wording


def test_bad_parameters_are_a_400_that_says_what_to_fix(study, api_client_for):
    project, users, _ = study
    client = api_client_for(users["owner"])
    url = f"/api/v1/projects/{project.id}/analysis/saturation/runs/"
    response = client.post(url, {"n_orders": 10}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "n_orders must be a whole number from 1,000 to 100,000."
    assert client.post(url, {"threshold": "lots"}, format="json").status_code == 400
    assert (
        client.post(url, {"coder_mode": "coder"}, format="json")
        .json()["detail"]
        .startswith("coder_mode 'coder'")
    )
    assert not SaturationRun.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 202), ("adjudicator", 202), ("coder", 403), ("viewer", 403), ("outsider", 404), (None, 401)],
)
def test_who_may_request_runs(study, api_client_for, role, expected):
    project, users, _ = study
    client = api_client_for(users[role] if role else None)
    response = client.post(f"/api/v1/projects/{project.id}/analysis/saturation/runs/", {}, format="json")
    assert response.status_code == expected


def test_automatic_runs_are_debounced(study):
    project, _, _ = study
    for _ in range(100):
        with transaction.atomic():
            analysis_schedule_automatic(project_id=project.id)
    assert SaturationRun.objects.filter(project=project, automatic=True, status="pending").count() == 1
    (run,) = SaturationRun.objects.filter(project=project, automatic=True)
    (event,) = AuditEvent.objects.filter(
        project=project, object_id=str(run.id), object_type="analysis.saturationrun"
    )
    # Requested and scheduled runs are recorded alike; "automatic" tells them apart.
    assert (event.action, event.actor_id, event.after["automatic"]) == ("saturation_run.create", None, True)


def test_execution_is_idempotent_and_a_failure_is_recorded(study):
    project, _, _ = study
    with transaction.atomic():
        (run, *_) = analysis_schedule_automatic(project_id=project.id)
    saturation_run_execute(run_id=run.id)
    run.refresh_from_db()
    first = (run.status, run.result, run.finished_at)
    saturation_run_execute(run_id=run.id)  # a redelivered message
    run.refresh_from_db()
    assert (run.status, run.result, run.finished_at) == first
    assert run.status == "done"

    job_fail(SaturationRun, run.id, "late failure")  # a finished run stays as it is
    run.refresh_from_db()
    assert run.status == "done"


def test_the_tasks_failure_hook_marks_the_run_failed(study, settings):
    from workers.tasks.analysis import saturation_run_compute

    project, _, _ = study
    run = SaturationRun.objects.create(
        project=project,
        params={
            "level": "code",
            "coder_mode": "union",
            "base_size": 0,
            "run_length": 2,
            "threshold": "1/20",
            "n_orders": 1000,
        },
        seed=1,
    )
    # throw=False: the failure is handled as a worker handles it (with eager propagation Celery re-raises
    # before calling on_failure).
    result = saturation_run_compute.apply(args=[run.id], throw=False)
    assert result.failed()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "base_size" in run.error
