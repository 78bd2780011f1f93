"""End to end with a real Celery worker on Redis: three coders code a double-coded study through the API;
completing units schedules automatic (debounced) agreement and saturation runs, the worker computes them,
and their results equal the engines run directly on the same codings."""

import time

import numpy as np
import pytest
from rest_framework.test import APIClient

from annotate.analysis.models import AgreementRun, SaturationRun
from annotate.assignments.services import assignment_plan_apply
from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document
from workers.stats.agreement import MultiCodeRatings, agreement_report
from workers.stats.saturation import saturation_report

# interview -> turn -> coder -> codes (indices into CODES)
STUDY = [
    [[{0}, {0}, {0}], [{1}, {1}, {2}]],
    [[{0, 1}, {0}, {0, 1}], [set(), set(), {3}]],
    [[{2}, {2}, {2}], [{1}, {0}, {1}]],
]
CODES = ["Harm reduction", "Diversion", "Coercive treatment", "Racial equity"]

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def _wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting for the worker")


def test_coding_through_the_api_produces_automatic_runs_equal_to_the_engines(celery_worker, settings):
    settings.INTERCODER_ANALYSIS_DEBOUNCE_S = 1.0
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    coders = [UserFactory(username=name) for name in ("ana", "ben", "chioma")]
    for coder in coders:
        project.add_member(coder, Role.CODER)
    theme = make_code(project, owner, name="Policy")
    codes = [make_code(project, owner, name=name, parent=theme) for name in CODES]
    documents = []
    for i, turns in enumerate(STUDY):
        text = "\n\n".join(f"P{i}: turn {j} of interview {i}." for j in range(len(turns)))
        documents.append(
            make_document(project, owner, case=make_case(project, owner, f"P{i + 1:02d}"), text=text)
        )
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "document", "coders": [{"user": c.pk} for c in coders], "overlap": 3},
    )

    clients = [APIClient() for _ in coders]
    for client, coder in zip(clients, coders, strict=True):
        client.force_authenticate(coder)
    base = f"/api/v1/projects/{project.id}"
    for document, turns in zip(documents, STUDY, strict=True):  # interview by interview
        segments = list(document.segments.order_by("position"))
        for segment, row in zip(segments, turns, strict=True):
            for client, applied in zip(clients, row, strict=True):
                body = {"version": 0, "codings": [{"code": codes[k].id} for k in sorted(applied)]}
                response = client.put(f"{base}/segments/{segment.id}/codings/", body, format="json")
                assert response.status_code == 200, response.content
                assert client.post(f"{base}/assignments/{segment.id}/done/").status_code == 200

    # The last completion leaves one pending automatic run of each kind; the worker computes it.
    agreement = _wait_for(
        lambda: (
            AgreementRun.objects.filter(project=project, automatic=True, status="done")
            .order_by("-finished_at")
            .first()
        )
    )
    saturation = _wait_for(
        lambda: (
            SaturationRun.objects.filter(project=project, automatic=True, status="done")
            .order_by("-finished_at")
            .first()
        )
    )
    _wait_for(
        lambda: (
            not AgreementRun.objects.filter(project=project, status__in=["pending", "running"]).exists()
            and not SaturationRun.objects.filter(project=project, status__in=["pending", "running"]).exists()
        )
    )
    agreement = AgreementRun.objects.filter(project=project, status="done").order_by("-finished_at").first()
    saturation = SaturationRun.objects.filter(project=project, status="done").order_by("-finished_at").first()
    assert AgreementRun.objects.filter(project=project).count() <= 4  # debounced: not one per completed unit

    units = [row for turns in STUDY for row in turns]
    shifted = [[{k + 1 for k in s} for s in row] for row in units]  # index 0 is the theme "Policy"
    expected = agreement_report(
        MultiCodeRatings.from_sets(shifted, n_codes=len(CODES) + 1),
        code_labels=["Policy", *(f"Policy > {c}" for c in CODES)],
        coder_labels=["ana", "ben", "chioma"],
        n_bootstrap=1000,
        seed=agreement.seed,
    )
    assert agreement.result["overall"]["alpha_masi"]["value"] == pytest.approx(
        expected["overall"]["alpha_masi"]["value"], abs=1e-12
    )
    assert agreement.result["per_code"] == expected["per_code"]

    incidence = np.zeros((len(STUDY), len(CODES)), dtype=bool)
    for i, turns in enumerate(STUDY):
        for row in turns:
            for applied in row:
                incidence[i, sorted(applied)] = True
    expected_curve = saturation_report(incidence, n_orders=1000, seed=saturation.seed)["accumulation"]
    assert saturation.result["accumulation"]["cumulative"] == expected_curve["cumulative"] == [3, 4, 4]
    assert saturation.snapshot["interviews"] == 3


def test_a_requested_span_run_is_computed_by_the_worker_and_equals_the_engine(celery_worker):
    from annotate.analysis.models import SpanAgreementRun
    from tests.annotate.analysis.span_study import build_span_study, expected_report, two_coders

    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    coders = two_coders(project)
    documents, _ = build_span_study(project, owner, coders)
    client = APIClient()
    client.force_authenticate(owner)
    response = client.post(
        f"/api/v1/projects/{project.id}/analysis/spans/runs/", {"n_bootstrap": 300, "seed": 8}, format="json"
    )
    assert response.status_code == 202, response.content
    run = _wait_for(
        lambda: SpanAgreementRun.objects.filter(
            pk=response.json()["id"], status__in=["done", "failed"]
        ).first()
    )
    assert run.status == "done", run.error
    assert run.progress == 100
    assert run.started_at is not None
    _, expected = expected_report(documents, coders, seed=8, n_resamples=300)
    assert run.result["overall"]["u_alpha"] == expected["overall"]["u_alpha"]
    assert run.result["overall"]["cu_alpha"] == expected["overall"]["cu_alpha"]
    assert [row["k_u_alpha"] for row in run.result["per_code"]] == [
        row["k_u_alpha"] for row in expected["per_code"]
    ]
