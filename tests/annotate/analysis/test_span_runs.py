"""Span agreement runs: the stored result equals the span engine run on the same spans, built here from the
study's tuples rather than by the selector; parameters are checked; the alignment view reads both coders'
spans; only owners and adjudicators see any of it (coders code blind)."""

import pytest

from annotate.analysis.models import SpanAgreementRun
from annotate.analysis.services import span_agreement_run_execute
from annotate.audit.models import AuditEvent
from annotate.coding.models import Coding
from annotate.documents.models import Document
from tests.annotate.analysis.span_study import build_span_study, expected_report, two_coders

BASE = "/api/v1/projects/{}/analysis/spans"


@pytest.fixture
def span_study(project_with_members):
    project, users = project_with_members
    coders = two_coders(project)
    documents, codes = build_span_study(project, users["owner"], coders)
    return project, users, coders, documents, codes


def test_requested_run_equals_the_engine(span_study, api_client_for, django_capture_on_commit_callbacks):
    project, users, coders, documents, _ = span_study
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE.format(project.id)}/runs/", {"n_bootstrap": 200, "seed": 5}, format="json"
        )
    assert response.status_code == 202, response.content
    run = SpanAgreementRun.objects.get(pk=response.json()["id"])
    assert run.status == "done", run.error
    assert run.progress == 100
    labels, expected = expected_report(documents, coders, seed=5, n_resamples=200)
    assert run.result["overall"]["u_alpha"] == expected["overall"]["u_alpha"]
    assert run.result["overall"]["cu_alpha"] == expected["overall"]["cu_alpha"]
    assert run.result["overall"]["Cu_alpha"] == expected["overall"]["Cu_alpha"]
    assert [row["code"] for row in run.result["per_code"]] == labels
    for got, want in zip(run.result["per_code"], expected["per_code"], strict=True):
        assert got["binary_u_alpha"] == want["binary_u_alpha"]
        assert got["k_u_alpha"] == want["k_u_alpha"]
    assert [row["title"] for row in run.result["per_document"]] == ["Spans 1", "Spans 2"]
    for got, want in zip(run.result["per_document"], expected["per_document"], strict=True):
        assert got["u_alpha"] == want["u_alpha"]
    counts = run.result["overall"]["u_alpha"]["counts"]
    assert counts["units_per_coder"] == [3, 3]
    assert counts["continuum_length"] == sum(len(d.text) for d in documents)
    assert 0 < counts["coded_share"] < 1
    # The theme was never applied: undefined, with its reason, never 0 or NaN.
    assert run.result["per_code"][0]["binary_u_alpha"]["value"] is None
    assert run.result["per_code"][0]["binary_u_alpha"]["reason"] == "code never used"
    assert run.result["gamma"] is None
    assert [c["username"] for c in run.result["coders"]] == ["ana", "ben"]
    assert run.snapshot["spans"] == 6
    assert run.snapshot["documents"] == 2
    assert AuditEvent.objects.filter(action="span_agreement_run.create", object_id=str(run.id)).count() == 1
    detail = client.get(f"{BASE.format(project.id)}/runs/{run.id}/").json()
    assert detail["result"]["overall"]["u_alpha"]["value"] == expected["overall"]["u_alpha"]["value"]
    assert client.get(f"{BASE.format(project.id)}/latest/").json()["id"] == run.id
    assert client.get(f"{BASE.format(project.id)}/runs/").json()["results"][0]["id"] == run.id


def test_measures_choose_what_is_computed_and_gamma_is_per_document(
    span_study, api_client_for, django_capture_on_commit_callbacks
):
    project, users, *_ = span_study
    client = api_client_for(users["adjudicator"])
    with django_capture_on_commit_callbacks(execute=True):
        body = {"measures": ["u_alpha", "gamma"], "n_bootstrap": 0, "seed": 3}
        run_id = client.post(f"{BASE.format(project.id)}/runs/", body, format="json").json()["id"]
    run = SpanAgreementRun.objects.get(pk=run_id)
    assert run.status == "done", run.error
    assert "cu_alpha" not in run.result["overall"]
    assert "Cu_alpha" not in run.result["overall"]
    assert run.result["overall"]["u_alpha"]["ci"] is None
    gamma = run.result["gamma"]
    assert [g["title"] for g in gamma["per_document"]] == ["Spans 1", "Spans 2"]
    assert gamma["per_document"][0]["value"] is not None
    assert gamma["per_document"][0]["value"] <= 1
    assert gamma["pooled"]["value"] is not None
    assert gamma["seed"] == 3


def test_a_document_not_finished_by_every_coder_is_left_out(span_study, django_capture_on_commit_callbacks):
    project, users, coders, documents, _codes = span_study
    from annotate.assignments.models import Assignment

    Assignment.objects.filter(segment__document=documents[1], coder=coders[1]).update(
        status="assigned", done_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        from annotate.analysis.services import span_agreement_run_request

        run = span_agreement_run_request(project=project, actor=users["owner"], params={"n_bootstrap": 0})
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert [row["title"] for row in run.result["per_document"]] == ["Spans 1"]
    assert run.result["excluded_documents"] == [
        {"document": "Spans 2", "reason": "coding not finished by every chosen coder"}
    ]


def test_overlapping_spans_of_one_coder_and_code_fail_the_run_with_a_reason(span_study):
    project, _users, coders, documents, codes = span_study
    segment = documents[0].segments.order_by("position").first()
    at = segment.start_offset
    first = Coding.objects.get(coder=coders[0], segment=segment, code=codes["Harm reduction"])
    Coding.objects.create(
        project=project, segment=segment, code=first.code, coder=coders[0],
        codebook_version=first.codebook_version, span_start=at + 25, span_end=at + 40,
    )  # fmt: skip
    run = SpanAgreementRun.objects.create(project=project, params={"n_bootstrap": 0}, seed=1)
    with pytest.raises(Exception, match="overlap"):
        span_agreement_run_execute(run_id=run.id)


def test_bad_parameters_say_what_to_fix(span_study, api_client_for):
    project, users, coders, *_ = span_study
    url = f"{BASE.format(project.id)}/runs/"
    client = api_client_for(users["owner"])
    response = client.post(url, {"measures": ["kappa"]}, format="json")
    assert response.status_code == 400
    assert "kappa" in str(response.json())
    response = client.post(url, {"coders": [coders[0].pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("coders: choose at least two coders")
    response = client.post(url, {"codes": [999999]}, format="json")
    assert response.json()["detail"] == "codes: no such id(s) in this project: 999999."
    response = client.post(url, {"n_bootstrap": -1}, format="json")
    assert response.status_code == 400
    assert not SpanAgreementRun.objects.exists()
    assert not AuditEvent.objects.filter(action="span_agreement_run.create").exists()


def test_alignment_gives_both_coders_spans_on_the_text(span_study, api_client_for):
    project, users, coders, documents, _ = span_study
    client = api_client_for(users["owner"])
    ids = f"{coders[0].pk},{coders[1].pk}"
    response = client.get(
        f"{BASE.format(project.id)}/alignment/", {"document": documents[0].id, "coders": ids}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["text"] == documents[0].text
    assert body["document"]["length"] == len(documents[0].text)
    ana, ben = body["tracks"]
    assert (ana["username"], ben["username"]) == ("ana", "ben")
    assert [s["label"] for s in ana["spans"]] == ["Policy > Harm reduction", "Policy > Diversion"]
    assert ana["spans"][0]["text"] == " needle exchange"
    assert all(s["text"] == body["text"][s["start"] : s["end"]] for s in ana["spans"] + ben["spans"])
    assert len(ben["spans"]) == 3
    bad = client.get(f"{BASE.format(project.id)}/alignment/", {"document": documents[0].id, "coders": "a,b"})
    assert bad.status_code == 400
    other = Document.objects.exclude(project=project).first()
    missing = client.get(
        f"{BASE.format(project.id)}/alignment/", {"document": (other.id if other else 10**9), "coders": ids}
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("adjudicator", 200), ("coder", 403), ("viewer", 403), ("outsider", 404), (None, 401)],
)
def test_who_may_read_span_runs_and_alignments(span_study, api_client_for, role, expected):
    project, users, coders, documents, _ = span_study
    client = api_client_for(users[role] if role else None)
    assert client.get(f"{BASE.format(project.id)}/runs/").status_code == expected
    query = {"document": documents[0].id, "coders": f"{coders[0].pk},{coders[1].pk}"}
    assert client.get(f"{BASE.format(project.id)}/alignment/", query).status_code == expected
