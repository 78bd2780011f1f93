"""Who may call which codebook endpoint: every endpoint × every role → the HTTP status, as one table.

Members read the codebook, its versions and diffs, and export it; only owners change it (create, edit,
move, deactivate, merge, split, import, decide on proposals); coders, adjudicators and owners may propose
codes; a coder sees their own proposals and an owner all. An authenticated non-member gets 404 (the
project must look missing), an anonymous caller 401. Every successful write leaves its audit event; every
refusal leaves none, and so does every read except an export (exports are part of the record).
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotate.audit.models import AuditEvent
from annotate.codebook.proposals import code_proposal_create
from annotate.codebook.selectors import codebook_get
from annotate.projects.models import Role
from tests.annotate.db import audit_mark, audit_since
from tests.factories import make_code, make_document

OWNER, ADJUDICATOR, CODER, VIEWER, OUTSIDER, ANONYMOUS = (
    "owner",
    "adjudicator",
    "coder",
    "viewer",
    "outsider",
    "anonymous",
)
ALL_ROLES = (OWNER, ADJUDICATOR, CODER, VIEWER, OUTSIDER, ANONYMOUS)
ROLE_DENIED = "Your role in this project does not allow this."
HIDDEN = "Project not found."
UNAUTHENTICATED = "Authentication credentials were not provided."


def expect(owner: int, adjudicator: int, coder: int, viewer: int) -> dict[str, int]:
    return {
        OWNER: owner,
        ADJUDICATOR: adjudicator,
        CODER: coder,
        VIEWER: viewer,
        OUTSIDER: 404,
        ANONYMOUS: 401,
    }


MEMBERS_READ = expect(200, 200, 200, 200)
OWNER_ONLY = expect(200, 403, 403, 403)
OWNER_CREATES = expect(201, 403, 403, 403)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # formatted with the ids of the fixture
    expected: dict[str, int]
    body: Any = None  # a dict, or a function of the ids
    audit: str | None = None  # the action a successful call writes
    multipart: bool = False


def csv_upload(_ids):
    return {
        "file": SimpleUploadedFile("codebook.csv", b"path,definition\nStigma,Shame about drug use.\n"),
        "rationale": "From the pilot.",
    }


def qdc_upload(_ids):
    content = (
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Stigma" isCodable="true"/>'
        b"</Codes></CodeBook>"
    )
    return {"file": SimpleUploadedFile("codebook.qdc", content), "rationale": "From the pilot."}


P = "/api/v1/projects/{p}/codebook"
ENDPOINTS = [
    Endpoint("codebook", "get", f"{P}/", MEMBERS_READ),
    Endpoint(
        "code-create",
        "post",
        f"{P}/codes/",
        OWNER_CREATES,
        body={
            "name": "Racial equity",
            "definition": "Equity by race.",
            "colour": "#112233",
            "rationale": "New.",
        },
        audit="code.create",
    ),
    Endpoint("code-detail", "get", f"{P}/codes/{{harm}}/", MEMBERS_READ),
    Endpoint(
        "code-edit",
        "patch",
        f"{P}/codes/{{harm}}/",
        OWNER_ONLY,
        body={"inclusion": "Naloxone.", "atypical_example": "P09.", "rationale": "Sharper."},
        audit="code.update",
    ),
    Endpoint(
        "code-move",
        "patch",
        f"{P}/codes/{{police}}/",
        OWNER_ONLY,
        body=lambda ids: {"parent": ids["health"], "rationale": "Belongs under health."},
        audit="code.move",
    ),
    Endpoint(
        "code-deactivate",
        "patch",
        f"{P}/codes/{{police}}/",
        OWNER_ONLY,
        body={"is_active": False, "rationale": "Not used."},
        audit="code.deactivate",
    ),
    Endpoint(
        "code-merge",
        "post",
        f"{P}/codes/{{police}}/merge",
        OWNER_ONLY,
        body=lambda ids: {"target": ids["health"], "rationale": "Same idea."},
        audit="code.merge",
    ),
    Endpoint(
        "code-split",
        "post",
        f"{P}/codes/{{harm}}/split",
        OWNER_CREATES,
        body={"new_codes": [{"name": "To users"}, {"name": "To others"}], "rationale": "Two kinds."},
        audit="code.split",
    ),
    Endpoint("version-list", "get", f"{P}/versions/", MEMBERS_READ),
    Endpoint("version-detail", "get", f"{P}/versions/2/", MEMBERS_READ),
    Endpoint("version-diff", "get", f"{P}/versions/1/diff/3", MEMBERS_READ),
    Endpoint("proposal-list", "get", f"{P}/proposals/", MEMBERS_READ),
    Endpoint(
        "proposal-create",
        "post",
        f"{P}/proposals/",
        expect(201, 201, 201, 403),
        body=lambda ids: {"name": "Drug checking", "definition": "Testing drugs.", "segment": ids["segment"]},
        audit="code_proposal.create",
    ),
    # The coder's own proposal: the coder and the owner see it; to everyone else it does not exist.
    Endpoint("proposal-detail", "get", f"{P}/proposals/{{proposal}}/", expect(200, 404, 200, 404)),
    Endpoint(
        "proposal-decide",
        "post",
        f"{P}/proposals/{{proposal}}/decide",
        OWNER_ONLY,
        body={"decision": "reject", "note": "Too rare so far."},
        audit="code_proposal.reject",
    ),
    Endpoint("export-csv", "get", f"{P}/export/csv", MEMBERS_READ, audit="codebook.export"),
    Endpoint("export-qdc", "get", f"{P}/export/qdc", MEMBERS_READ, audit="codebook.export"),
    Endpoint(
        "import-csv",
        "post",
        f"{P}/import/csv",
        OWNER_CREATES,
        body=csv_upload,
        audit="codebook.import",
        multipart=True,
    ),
    Endpoint(
        "import-qdc",
        "post",
        f"{P}/import/qdc",
        OWNER_CREATES,
        body=qdc_upload,
        audit="codebook.import",
        multipart=True,
    ),
]
MATRIX = [
    pytest.param(endpoint, role, endpoint.expected[role], id=f"{endpoint.name}-{role}")
    for endpoint in ENDPOINTS
    for role in ALL_ROLES
]


@pytest.fixture
def setup(project_with_members):
    project, users = project_with_members
    owner = users[Role.OWNER]
    segment = make_document(project, owner).segments.order_by("position")[1]
    harm = make_code(project, owner, name="Harm reduction")
    health = make_code(project, owner, name="Public health")
    police = make_code(project, owner, name="Police")
    proposal = code_proposal_create(
        codebook=codebook_get(project_id=project.id),
        actor=users[Role.CODER],
        name="Naloxone in jails",
        definition="Overdose prevention at release.",
        segment=segment,
    )
    users = {str(role): user for role, user in users.items()}
    ids = {
        "p": project.id,
        "segment": segment.id,
        "harm": harm.id,
        "health": health.id,
        "police": police.id,
        "proposal": proposal.id,
    }
    return project, users, ids


def _call(setup, endpoint: Endpoint, role: str):
    _, users, ids = setup
    client = APIClient(raise_request_exception=False)
    user = users.get(role) if role != ANONYMOUS else None
    if user is not None:
        client.force_authenticate(user=user)
    body = endpoint.body(ids) if callable(endpoint.body) else endpoint.body
    response = getattr(client, endpoint.method)(
        endpoint.path.format(**ids), body, format="multipart" if endpoint.multipart else "json"
    )
    return user, response


def test_the_matrix_covers_every_role_of_every_endpoint_and_every_route():
    from annotate.codebook.urls import urlpatterns

    assert all(set(e.expected) == set(ALL_ROLES) for e in ENDPOINTS)
    assert len({e.name for e in ENDPOINTS}) == len(ENDPOINTS)
    named_routes = {p.name for p in urlpatterns if p.name}
    covered = {
        "codebook": "codebook",
        "code-list": "code-create",
        "code-detail": "code-detail",
        "code-merge": "code-merge",
        "code-split": "code-split",
        "codebook-version-list": "version-list",
        "codebook-version-detail": "version-detail",
        "codebook-version-diff": "version-diff",
        "code-proposal-list": "proposal-list",
        "code-proposal-detail": "proposal-detail",
        "code-proposal-decide": "proposal-decide",
        "codebook-export": "export-csv",
        "codebook-import": "import-csv",
    }
    assert named_routes == set(covered), "a new codebook route needs its rows in this matrix"


@pytest.mark.parametrize(("endpoint", "role", "status"), MATRIX)
def test_role_endpoint_status(setup, endpoint, role, status):
    project = setup[0]
    mark = audit_mark()

    user, response = _call(setup, endpoint, role)

    assert response.status_code == status, (
        f"{endpoint.method.upper()} {endpoint.name} as {role}: expected {status}, "
        f"got {response.status_code} {response.content[:300]!r}"
    )
    if role == ANONYMOUS:
        assert response.json() == {"detail": UNAUTHENTICATED}
    elif role == OUTSIDER:
        assert response.json() == {"detail": HIDDEN}, "a non-member must not learn that the project exists"
    elif status == 403:
        assert response.json() == {"detail": ROLE_DENIED}
    elif status == 404:
        assert response.json() == {"detail": "Proposal not found."}

    written = audit_since(mark)
    if status >= 400 or endpoint.audit is None:
        assert written == [], f"{endpoint.name} as {role} must not write the audit trail"
        return
    mine = [
        e for e in written if (e.action, e.actor_id, e.project_id) == (endpoint.audit, user.pk, project.id)
    ]
    assert len(mine) == 1, f"{endpoint.name} as {role} must write exactly one {endpoint.audit} event"


def test_a_coder_lists_only_their_own_proposals_and_an_owner_all(setup):
    project, users, _ = setup
    code_proposal_create(
        codebook=codebook_get(project_id=project.id),
        actor=users[ADJUDICATOR],
        name="Fentanyl test strips",
        definition="Strips that detect fentanyl.",
    )

    def names(role):
        client = APIClient()
        client.force_authenticate(user=users[role])
        response = client.get(f"/api/v1/projects/{project.id}/codebook/proposals/")
        assert response.status_code == 200
        return sorted(p["name"] for p in response.json()["results"])

    assert names(OWNER) == ["Fentanyl test strips", "Naloxone in jails"]
    assert names(CODER) == ["Naloxone in jails"]
    assert names(ADJUDICATOR) == ["Fentanyl test strips"]
    assert names(VIEWER) == []


def test_an_owner_accepts_a_proposal_through_the_api(setup):
    project, users, ids = setup
    client = APIClient()
    client.force_authenticate(user=users[OWNER])
    response = client.post(
        f"/api/v1/projects/{project.id}/codebook/proposals/{ids['proposal']}/decide",
        {"decision": "accept", "note": "Seen in three interviews."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decided_by"], body["decision_note"]) == (
        "accepted",
        "owner",
        "Seen in three interviews.",
    )
    code = client.get(f"/api/v1/projects/{project.id}/codebook/codes/{body['code']}/").json()
    assert (code["name"], code["definition"]) == ("Naloxone in jails", "Overdose prevention at release.")
    again = client.post(
        f"/api/v1/projects/{project.id}/codebook/proposals/{ids['proposal']}/decide",
        {"decision": "reject", "note": "Changed my mind."},
        format="json",
    )
    assert again.status_code == 409
    assert again.json() == {"detail": "This proposal has already been decided (accepted)."}


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        (
            "codes/{police}/merge",
            {"target": 999999},
            400,
            "Invalid input: rationale: This field is required.",
        ),
        (
            "codes/{police}/merge",
            {"target": 999999, "rationale": "x"},
            404,
            "Code not found in this project's codebook.",
        ),
        ("codes/{police}/split", {"new_codes": [], "rationale": "x"}, 400, None),
        (
            "codes/{police}/split",
            {"new_codes": [{"name": "A", "colour": "blue"}], "rationale": "x"},
            400,
            None,
        ),
        ("codes/{police}/split", {"new_codes": [{"definition": "No name."}], "rationale": "x"}, 400, None),
        ("proposals/{proposal}/decide", {"decision": "merge", "note": "x"}, 400, None),
        ("proposals/{proposal}/decide", {"decision": "maybe", "note": "x"}, 400, None),
        (
            "proposals/",
            {"name": "X", "definition": "Y", "segment": 999999},
            404,
            "Segment not found in this project.",
        ),
    ],
)
def test_bad_requests_are_4xx_with_a_detail_and_write_nothing(setup, path, body, status, detail):
    project, users, ids = setup
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user=users[OWNER])
    events = AuditEvent.objects.count()
    response = client.post(
        f"/api/v1/projects/{project.id}/codebook/{path.format(**ids)}", body, format="json"
    )
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    if detail is not None:
        assert response.json()["detail"] == detail
    assert AuditEvent.objects.count() == events
