"""Saturation over the final (adjudicated) coding, and the PI's choice to share aggregate agreement."""

import numpy as np
import pytest

from annotate.adjudication.services import decision_bulk_apply
from annotate.analysis.models import AgreementRun
from annotate.analysis.services import analysis_run_compute_now
from annotate.audit.models import AuditEvent
from tests.annotate.analysis.test_agreement_runs import coded_study  # noqa: F401 - fixture
from workers.stats.saturation import saturation_report


def test_saturation_over_the_adjudicated_coding(coded_study, api_client_for):  # noqa: F811
    project, users, _ = coded_study
    url = f"/api/v1/projects/{project.id}/analysis/saturation/runs/"
    refused = api_client_for(users["owner"]).post(url, {"coder_mode": "adjudicated"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("There are no adjudicated codings")

    # Accept the unanimous units: rows 0 and 2 of PLAN ({0} and the empty set).
    result = decision_bulk_apply(project_id=project.id, actor=users["owner"], kind="unanimous")
    assert result["units"] == 2
    run = analysis_run_compute_now(
        project=project,
        actor=users["owner"],
        kind="saturation",
        params={"coder_mode": "adjudicated", "seed": 3},
    )
    assert run.status == "done", run.error
    # One interview, whose final coding holds one code (Harm reduction).
    expected = saturation_report(
        np.array([[True]]), interview_labels=["P01"], code_labels=["Policy > Harm reduction"], seed=3
    )
    assert run.result["accumulation"]["cumulative"] == expected["accumulation"]["cumulative"] == [1]
    assert run.result["code_labels"] == ["Policy > Harm reduction"]


@pytest.mark.parametrize(
    ("role", "shared", "expected"),
    [
        ("owner", False, 200),
        ("adjudicator", False, 200),
        ("coder", False, 403),
        ("viewer", False, 403),
        ("coder", True, 200),
        ("viewer", True, 200),
        ("outsider", True, 404),
        (None, True, 401),
    ],
)
def test_coders_see_aggregate_agreement_only_when_shared(coded_study, api_client_for, role, shared, expected):  # noqa: F811
    project, users, _ = coded_study
    analysis_run_compute_now(
        project=project, actor=users["owner"], kind="agreement", params={"n_bootstrap": 50, "seed": 1}
    )
    owner = api_client_for(users["owner"])
    response = owner.patch(
        f"/api/v1/projects/{project.id}/analysis/settings/", {"coders_see_agreement": shared}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"coders_see_agreement": shared}
    assert AuditEvent.objects.filter(project=project, action="analysis_settings.update").count() == int(
        shared
    )

    client = api_client_for(users[role] if role else None)
    summary = client.get(f"/api/v1/projects/{project.id}/analysis/agreement/summary/")
    assert summary.status_code == expected
    if expected == 200:
        body = summary.json()
        run = AgreementRun.objects.get(pk=body["run"], status="done")
        assert body["overall"]["alpha_masi"]["value"] == run.result["overall"]["alpha_masi"]["value"]
        assert len(body["per_code"]) == len(run.result["per_code"])
        text = summary.content.decode()
        for leak in ("prevalence", "n_applied", "pairwise", "coders", "counts", "n_units"):
            assert leak not in text, leak
    if role in ("coder", "viewer"):  # the full runs stay with owners and adjudicators
        assert client.get(f"/api/v1/projects/{project.id}/analysis/agreement/runs/").status_code == 403
        assert (
            client.patch(
                f"/api/v1/projects/{project.id}/analysis/settings/",
                {"coders_see_agreement": True},
                format="json",
            ).status_code
            == 403
        )
