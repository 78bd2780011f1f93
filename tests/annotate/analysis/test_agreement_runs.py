"""Agreement runs: the stored result equals the engine's on the same codings, built here independently
of the selector, so the data plumbing (done assignments, empty ratings, missing ratings) is what is tested."""

import pytest
from django.db import transaction

from annotate.analysis.models import AgreementRun
from annotate.analysis.services import agreement_run_execute, analysis_schedule_automatic
from annotate.assignments.services import assignment_plan_apply
from annotate.audit.models import AuditEvent
from annotate.coding.services import coding_create
from annotate.coding_loop.done import assignment_done
from annotate.projects.models import Role
from tests.factories import UserFactory, make_case, make_code, make_document
from workers.stats.agreement import MultiCodeRatings, agreement_report

# For each codable segment, each coder's codes (indices into CODES); None = the coder did not finish it.
CODES = ["Harm reduction", "Diversion", "Coercive treatment"]
PLAN = [
    [{0}, {0}, {0}],
    [{1}, {1}, {2}],
    [set(), set(), set()],
    [{0, 1}, {0}, {0, 1}],
    [{2}, {2}, None],
    [{1}, {0}, {1}],
]


@pytest.fixture
def coded_study(project_with_members):
    project, users = project_with_members
    owner = users["owner"]
    coders = [users[Role.CODER], UserFactory(username="ben"), UserFactory(username="chioma")]
    for extra in coders[1:]:
        project.add_member(extra, Role.CODER)
    theme = make_code(project, owner, name="Policy")
    codes = [make_code(project, owner, name=name, parent=theme) for name in CODES]
    text = "\n\n".join(f"P01: answer number {i}." for i in range(len(PLAN)))
    document = make_document(project, owner, case=make_case(project, owner, "P01"), text=text)
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "document", "coders": [{"user": c.pk} for c in coders], "overlap": 3},
    )
    segments = list(document.segments.order_by("position"))
    for segment, row in zip(segments, PLAN, strict=True):
        for coder, codes_applied in zip(coders, row, strict=True):
            if codes_applied is None:
                continue
            for k in sorted(codes_applied):
                coding_create(project_id=project.id, coder=coder, segment=segment, code=codes[k])
            assignment_done(project_id=project.id, user=coder, segment_id=segment.id)
    return project, users, coders


def _expected(seed: int, n_bootstrap: int):
    # Every code of the codebook is reported, the theme "Policy" (created first, never applied) included.
    shifted = [[None if s is None else {k + 1 for k in s} for s in row] for row in PLAN]
    ratings = MultiCodeRatings.from_sets(shifted, n_codes=len(CODES) + 1)
    return agreement_report(
        ratings,
        code_labels=["Policy", *(f"Policy > {c}" for c in CODES)],
        coder_labels=["coder", "ben", "chioma"],
        n_bootstrap=n_bootstrap,
        seed=seed,
    )


def test_requested_run_equals_the_engine(coded_study, api_client_for, django_capture_on_commit_callbacks):
    project, users, _ = coded_study
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{project.id}/analysis/agreement/runs/",
            {"n_bootstrap": 200, "seed": 11},
            format="json",
        )
    assert response.status_code == 202
    run = AgreementRun.objects.get(pk=response.json()["id"])
    assert run.status == "done", run.error
    expected = _expected(11, 200)
    assert run.result["overall"] == expected["overall"]
    assert run.result["per_code"] == expected["per_code"]
    assert run.result["counts"]["n_pairable_units"] == 6
    assert run.snapshot["ratings"] == 17
    assert run.snapshot["pairable_units"] == 6
    assert (
        AuditEvent.objects.filter(
            project=project, action="agreement_run.create", object_id=str(run.id)
        ).count()
        == 1
    )
    drift = run.result["drift"]
    assert len(drift["by_window"]) == 1
    assert drift["by_window"][0]["overall"]["alpha_masi"]["value"] == pytest.approx(
        expected["overall"]["alpha_masi"]["value"]
    )

    table = client.get(f"/api/v1/projects/{project.id}/analysis/agreement/runs/{run.id}/codes.csv")
    assert table.status_code == 200
    lines = table.content.decode().splitlines()
    assert lines[0].startswith("code,n_applied,prevalence,pairable_units,coders,")
    assert lines[1].startswith("Policy,0,")  # the theme: never applied, its coefficients undefined
    assert "code never used" in lines[1]
    assert lines[2].startswith("Policy > Harm reduction,")
    assert len(lines) == 2 + len(CODES)


def test_theme_level_and_code_subset(coded_study, api_client_for, django_capture_on_commit_callbacks):
    project, users, _ = coded_study
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        run_id = client.post(
            f"/api/v1/projects/{project.id}/analysis/agreement/runs/",
            {"level": "theme", "n_bootstrap": 0},
            format="json",
        ).json()["id"]
    run = AgreementRun.objects.get(pk=run_id)
    assert [row["code"] for row in run.result["per_code"]] == ["Policy"]
    # Theme view: a rating contains the theme when it contains any of its codes.
    themed = [[None if s is None else ({0} if s else set()) for s in row] for row in PLAN]
    expected = agreement_report(
        MultiCodeRatings.from_sets(themed, n_codes=1),
        code_labels=["Policy"],
        coder_labels=["coder", "ben", "chioma"],
        n_bootstrap=0,
        seed=run.seed,
    )
    assert run.result["per_code"] == expected["per_code"]


def test_bad_parameters_say_what_to_fix(coded_study, api_client_for):
    project, users, _ = coded_study
    url = f"/api/v1/projects/{project.id}/analysis/agreement/runs/"
    client = api_client_for(users["owner"])
    response = client.post(url, {"measures": ["telepathy"]}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Unknown measure(s) telepathy; choose from")
    response = client.post(url, {"coders": [999999]}, format="json")
    assert response.json()["detail"] == "coders: no such id(s) in this project: 999999."
    assert not AgreementRun.objects.filter(
        automatic=False
    ).exists()  # (completing units scheduled an automatic one)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("adjudicator", 200), ("coder", 403), ("viewer", 403), ("outsider", 404), (None, 401)],
)
def test_who_may_read_runs(coded_study, api_client_for, role, expected):
    project, users, _ = coded_study
    client = api_client_for(users[role] if role else None)
    assert client.get(f"/api/v1/projects/{project.id}/analysis/agreement/runs/").status_code == expected


def test_automatic_agreement_run_is_debounced_and_idempotent(coded_study):
    project, _, _ = coded_study
    for _ in range(50):
        with transaction.atomic():
            analysis_schedule_automatic(project_id=project.id)
    pending = AgreementRun.objects.filter(project=project, automatic=True, status="pending")
    assert pending.count() == 1
    run = pending.get()
    agreement_run_execute(run_id=run.id)
    run.refresh_from_db()
    result = run.result
    agreement_run_execute(run_id=run.id)
    run.refresh_from_db()
    assert run.status == "done"
    assert run.result == result


def test_code_table_csv_guards_formula_like_code_names(
    coded_study, api_client_for, django_capture_on_commit_callbacks
):
    from annotate.codebook.models import Code
    from annotate.codebook.services import code_update

    project, users, _ = coded_study
    theme = Code.objects.get(codebook__project=project, name="Policy")
    code_update(code=theme, actor=users["owner"], data={"name": "=Policy"}, rationale="Tested.")
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/projects/{project.id}/analysis/agreement/runs/", {"n_bootstrap": 0}, format="json"
        )
    run_id = response.json()["id"]
    table = client.get(f"/api/v1/projects/{project.id}/analysis/agreement/runs/{run_id}/codes.csv")
    names = [line.split(",")[0] for line in table.content.decode().splitlines()[1:]]
    assert names[:2] == ["'=Policy", "'=Policy > Harm reduction"]


def test_drift_figure_draws_agreement_by_window_and_version(
    coded_study, api_client_for, django_capture_on_commit_callbacks
):
    project, users, _ = coded_study
    client = api_client_for(users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        run_id = client.post(
            f"/api/v1/projects/{project.id}/analysis/agreement/runs/", {"n_bootstrap": 0}, format="json"
        ).json()["id"]
    base = f"/api/v1/projects/{project.id}/analysis/agreement/runs/{run_id}/figures"
    svg = client.get(f"{base}/drift.svg")
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b'id="alpha_by_window' in svg.content
    assert b'id="alpha_by_version' in svg.content
    assert client.get(f"{base}/drift.png").content.startswith(b"\x89PNG")
    assert client.get(f"{base}/nothing.svg").status_code == 404
    assert api_client_for(users[Role.CODER]).get(f"{base}/drift.svg").status_code == 403
