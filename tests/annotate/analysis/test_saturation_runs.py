"""Saturation runs: requested through the API, computed by the task from a snapshot of the codings, stored as
rows. The stored curve must equal the engine's on the same codings."""

import numpy as np
import pytest
from django.db import transaction

from annotate.analysis.models import SaturationRun
from annotate.analysis.services import analysis_schedule_automatic, saturation_run_execute
from annotate.assignments.services import assignment_plan_apply
from annotate.audit.models import AuditEvent
from annotate.coding.services import coding_create
from annotate.coding_loop.done import assignment_done
from annotate.core.jobs import job_fail
from annotate.documents.models import Document
from annotate.projects.models import Role
from tests.factories import make_case, make_code, make_document
from workers.stats.saturation import saturation_report

# interview -> codes present (by index into CODES); code 3 appears late.
PLAN = [[0, 1], [0, 2], [1, 2], [0], [0, 1], [1], [3], [2]]
CODES = ["Harm reduction", "Public health", "Racial equity", "Coercive treatment"]


def _plan_and_code(project, owner, coder, documents, codes, plan, *, finish=None):
    """One coder codes every document (a whole-document plan, overlap 1): the codes of ``plan`` on the last
    segment, then "done" on every codable segment of the documents whose index is in ``finish``."""
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "document", "coders": [{"user": coder.pk}], "overlap": 1},
    )
    for i, (doc, present) in enumerate(zip(documents, plan, strict=True)):
        segments = list(doc.segments.filter(codable=True).order_by("position"))
        for code_index in present:
            coding_create(project_id=project.id, coder=coder, segment=segments[-1], code=codes[code_index])
        if finish is None or i in finish:
            for segment in segments:
                assignment_done(project_id=project.id, user=coder, segment_id=segment.id)


def _documents(project, owner, n):
    return [
        make_document(
            project,
            owner,
            case=make_case(project, owner, identifier=f"P{i + 1:02d}"),
            text=f"Interviewer: Q?\n\nP: answer {i}.\n\nP: more {i}.",
        )
        for i in range(n)
    ]


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    owner = users["owner"]
    theme = make_code(project, owner, name="Framing")
    codes = [make_code(project, owner, name=name, parent=theme) for name in CODES]
    _plan_and_code(project, owner, users[Role.CODER], _documents(project, owner, len(PLAN)), codes, PLAN)
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
    assert not SaturationRun.objects.filter(automatic=False).exists()


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
        analysis_schedule_automatic(project_id=project.id)
    run = SaturationRun.objects.get(project=project, automatic=True, status="pending")
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


def _post(client, project, payload):
    return client.post(f"/api/v1/projects/{project.id}/analysis/saturation/runs/", payload, format="json")


def test_only_interviews_whose_coding_is_complete_enter_and_the_rest_are_recorded(
    project_with_members, api_client_for, django_capture_on_commit_callbacks
):
    project, users = project_with_members
    owner, coder = users["owner"], users[Role.CODER]
    codes = [make_code(project, owner, name=name) for name in CODES]
    documents = _documents(project, owner, 8)
    # interviews 7 and 8 are assigned but not finished: with them in, runs of 2 would see no new code
    _plan_and_code(project, owner, coder, documents, codes, [*PLAN[:6], [], []], finish=set(range(6)))
    first_of_p08 = documents[7].segments.filter(codable=True).order_by("position").first()
    assignment_done(project_id=project.id, user=coder, segment_id=first_of_p08.id)  # 1 of its 3 segments
    make_document(project, owner, case=make_case(project, owner, identifier="P09"), text="P: later.")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api_client_for(owner), project, {"seed": 5, "coder_mode": "union"})
    run = SaturationRun.objects.get(pk=response.json()["id"])
    assert run.status == "done", run.error
    expected = saturation_report(
        _expected_incidence()[:6, :3], interview_labels=[f"P{i + 1:02d}" for i in range(6)],
        code_labels=CODES[:3], seed=5, order_by="sequence",
        excluded_interviews=[
            {"interview": "P07", "reason": "not coded yet"},
            {"interview": "P08", "reason": "coding in progress: 1 of 3 coder assignments done"},
            {"interview": "P09", "reason": "not coded yet"},  # added after the plan, which took it in
        ],
    )  # fmt: skip
    assert run.result["order_used"] == [f"P{i + 1:02d}" for i in range(6)]
    assert run.result["excluded_interviews"] == expected["excluded_interviews"]
    assert run.result["guest"] == expected["guest"]
    assert run.result["accumulation"]["cumulative"] == [2, 3, 3, 3, 3, 3]
    assert run.snapshot["interviews"] == 6
    assert run.snapshot["interviews_excluded"] == 3
    assert any(w["code"] == "interviews_excluded" for w in run.result["warnings"])

    # one coder's view: the same coder finished the same six
    with django_capture_on_commit_callbacks(execute=True):
        mine = _post(api_client_for(owner), project, {"coder_mode": "coder", "coder": coder.pk, "seed": 5})
    run = SaturationRun.objects.get(pk=mine.json()["id"])
    assert run.result["n_interviews"] == 6
    assert [e["reason"] for e in run.result["excluded_interviews"]] == [
        "this coder has finished 0 of 3 segments",
        "this coder has finished 1 of 3 segments",
        "this coder has finished 0 of 1 segments",
    ]


def test_the_sequence_orders_interviews_and_the_run_says_so(
    study, api_client_for, django_capture_on_commit_callbacks
):
    project, users, _ = study
    docs = list(Document.objects.filter(project=project).order_by("analysis_order"))
    # the PI moves the last interview to the front; the conducted dates say the opposite order
    for position, doc in enumerate([docs[-1], *docs[:-1]], start=1):
        Document.objects.filter(pk=doc.pk).update(
            analysis_order=position, interview_date=f"2024-01-{30 - position:02d}"
        )
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _post(client, project, {"seed": 1}).json()["id"]
    run = SaturationRun.objects.get(pk=run_id)
    assert run.result["order_by"] == "sequence"
    assert run.params["order_by"] == "auto"
    assert run.result["order_used"] == ["P08", *(f"P{i:02d}" for i in range(1, 8))]
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _post(client, project, {"seed": 1, "order_by": "conducted"}).json()["id"]
    run = SaturationRun.objects.get(pk=run_id)
    assert run.result["order_by"] == "conducted"
    assert run.result["order_used"] == [f"P{i:02d}" for i in range(7, 0, -1)] + ["P08"]


def test_a_duplicate_sequence_number_is_a_400_naming_the_interviews(study, api_client_for):
    project, users, _ = study
    Document.objects.filter(project=project, case__identifier__in=["P03", "P05"]).update(analysis_order=3)
    response = _post(api_client_for(users["owner"]), project, {})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("Interviews share an analysis order number (3 on P03, P05).")
    assert "order_by 'conducted'" in detail
    assert not SaturationRun.objects.filter(automatic=False).exists()
    # the conducted order does not read the sequence, so it runs
    assert _post(api_client_for(users["owner"]), project, {"order_by": "conducted"}).status_code == 202


def test_fugard_potts_parameters_reach_the_result(study, api_client_for, django_capture_on_commit_callbacks):
    project, users, _ = study
    client = api_client_for(users["owner"])
    payload = {"planning_prevalence": 0.1, "planning_power": 0.8, "planning_min_occurrences": 2, "seed": 1}
    with django_capture_on_commit_callbacks(execute=True):
        run_id = _post(client, project, payload).json()["id"]
    run = SaturationRun.objects.get(pk=run_id)
    fp = run.result["planning"]["fugard_potts"]
    # P(X >= 2), X ~ Bin(n, 0.1): n = 28 gives 0.7747, n = 29 gives 0.8011
    assert (fp["prevalence"], fp["power"], fp["min_occurrences"], fp["n_for_prevalence"]) == (0.1, 0.8, 2, 29)
    assert fp["power_at_n_for_prevalence"] == pytest.approx(1 - 0.9**29 - 29 * 0.1 * 0.9**28, abs=1e-12)
    for bad, message in (
        ({"planning_prevalence": 0.1}, "needs both planning_prevalence and planning_power"),
        ({"planning_prevalence": 10, "planning_power": 0.8}, "planning_prevalence must be a fraction"),
        ({"planning_prevalence": 0.1, "planning_power": 1}, "planning_power must be a fraction"),
    ):
        response = _post(client, project, bad)
        assert response.status_code == 400
        assert message in response.json()["detail"]
