"""Who may call what: every project-scoped endpoint × every role → the HTTP status, as one table.

The table is the specification (doccano's ``CRUDMixin``, flattened): members get 2xx or 403 by role, an
authenticated non-member gets 404 for anything inside the project (never 403: a hidden project must look
like a missing one), and an anonymous caller gets 401. Every successful write must also leave its audit
event; every refused request and every read must leave none.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from annotate.audit.models import AuditEvent
from annotate.projects.models import Project
from tests.annotate.world import build_world, members_project, module_transaction

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
NOT_YOUR_CODING = "You can only remove your own codings."
NOT_YOUR_MEMO = "Only a memo's author can edit it."
BLIND = (
    "Coders code blind: every coder's codings can be read once the PI releases them. "
    "Ask for source=mine (your own) or source=final (adjudicated units) instead."
)


def expect(owner: int, adjudicator: int, coder: int, viewer: int, *, outsider: int = 404) -> dict[str, int]:
    return {
        OWNER: owner,
        ADJUDICATOR: adjudicator,
        CODER: coder,
        VIEWER: viewer,
        OUTSIDER: outsider,
        ANONYMOUS: 401,
    }


MEMBERS_READ = expect(200, 200, 200, 200)
OWNER_ONLY = expect(200, 403, 403, 403)
ANALYSTS_READ = expect(200, 200, 403, 403)  # every coder's codings: owners and adjudicators (blind coding)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # formatted with World.ids, plus {own_coding}: the caller's own coding
    expected: dict[str, int]
    body: Any = None
    audit: str | None = None  # the action a successful call writes
    scoped: bool = True  # under /projects/<id>/ (False: the project collection itself)
    refusals: tuple[tuple[str, str], ...] = ()  # (role, detail) refused by the service, not the role check


P = "/api/v1/projects/{p}"
ENDPOINTS = [
    # --- projects -------------------------------------------------------------------------------------
    Endpoint(
        "project-list", "get", "/api/v1/projects/", expect(200, 200, 200, 200, outsider=200), scoped=False
    ),
    Endpoint(
        "project-create",
        "post",
        "/api/v1/projects/",
        expect(201, 201, 201, 201, outsider=201),
        body={"name": "A second study"},
        audit="project.create",
        scoped=False,
    ),
    Endpoint("project-detail", "get", f"{P}/", MEMBERS_READ),
    Endpoint(
        "project-patch",
        "patch",
        f"{P}/",
        OWNER_ONLY,
        body={"name": "Prosecutors and harm reduction"},
        audit="project.update",
    ),
    # --- members --------------------------------------------------------------------------------------
    Endpoint("member-list", "get", f"{P}/members/", MEMBERS_READ),
    Endpoint(
        "member-add",
        "post",
        f"{P}/members/",
        expect(201, 403, 403, 403),
        body={"username": "newcomer", "role": "coder"},
        audit="membership.create",
    ),
    Endpoint(
        "member-patch",
        "patch",
        f"{P}/members/{{viewer_membership}}/",
        OWNER_ONLY,
        body={"role": "coder"},
        audit="membership.update",
    ),
    Endpoint(
        "member-delete",
        "delete",
        f"{P}/members/{{viewer_membership}}/",
        expect(204, 403, 403, 403),
        audit="membership.delete",
    ),
    # --- attributes and cases ---------------------------------------------------------------------------
    Endpoint("attribute-list", "get", f"{P}/attributes/", MEMBERS_READ),
    Endpoint(
        "attribute-create",
        "post",
        f"{P}/attributes/",
        expect(201, 403, 403, 403),
        body={"name": "region", "type": "text"},
        audit="attribute.create",
    ),
    Endpoint("case-list", "get", f"{P}/cases/", MEMBERS_READ),
    Endpoint(
        "case-create",
        "post",
        f"{P}/cases/",
        expect(201, 403, 403, 403),
        body={"identifier": "P03"},
        audit="case.create",
    ),
    Endpoint("case-detail", "get", f"{P}/cases/{{case}}/", MEMBERS_READ),
    Endpoint(
        "case-patch",
        "patch",
        f"{P}/cases/{{case}}/",
        OWNER_ONLY,
        body={"description": "Elected prosecutor, Midwest"},
        audit="case.update",
    ),
    Endpoint(
        "case-delete",
        "delete",
        f"{P}/cases/{{spare_case}}/",
        expect(204, 403, 403, 403),
        audit="case.delete",
    ),
    # --- documents ------------------------------------------------------------------------------------
    Endpoint("document-list", "get", f"{P}/documents/", MEMBERS_READ),
    Endpoint(
        "document-create",
        "post",
        f"{P}/documents/",
        expect(201, 403, 403, 403),
        body=lambda ids: {"case": ids["case"], "title": "Second interview", "text": "P01: Something new."},
        audit="document.create",
    ),
    Endpoint("document-detail", "get", f"{P}/documents/{{doc}}/", MEMBERS_READ),
    Endpoint(
        "document-patch",
        "patch",
        f"{P}/documents/{{doc}}/",
        OWNER_ONLY,
        body={"title": "Interview P01 (re-titled)"},
        audit="document.update",
    ),
    Endpoint(
        "document-delete",
        "delete",
        f"{P}/documents/{{spare_doc}}/",
        expect(204, 403, 403, 403),
        audit="document.delete",
    ),
    Endpoint("segment-list", "get", f"{P}/documents/{{doc}}/segments/", MEMBERS_READ),
    # --- codebook -------------------------------------------------------------------------------------
    Endpoint("codebook", "get", f"{P}/codebook/", MEMBERS_READ),
    Endpoint(
        "code-create",
        "post",
        f"{P}/codebook/codes/",
        expect(201, 403, 403, 403),
        body={"name": "Racial equity", "rationale": "Raised by several participants."},
        audit="code.create",
    ),
    Endpoint("code-detail", "get", f"{P}/codebook/codes/{{code}}/", MEMBERS_READ),
    Endpoint(
        "code-patch",
        "patch",
        f"{P}/codebook/codes/{{code}}/",
        OWNER_ONLY,
        body={"definition": "Reducing the harms of drug use.", "rationale": "Sharper definition."},
        audit="code.update",
    ),
    Endpoint("codebook-versions", "get", f"{P}/codebook/versions/", MEMBERS_READ),
    # --- codings (blind: a coder sees their own, a viewer none) ----------------------------------------
    Endpoint("coding-list", "get", f"{P}/codings/", MEMBERS_READ),
    Endpoint(
        "coding-create",
        "post",
        f"{P}/codings/",
        expect(201, 201, 201, 403),
        body=lambda ids: {"segment": ids["seg2"], "code": ids["code"]},
        audit="coding.create",
    ),
    Endpoint("coding-detail", "get", f"{P}/codings/{{coding}}/", expect(200, 200, 200, 404)),
    # Removing the coder's coding: only its coder may (an owner is refused by the service, 403).
    Endpoint(
        "coding-delete-coders",
        "delete",
        f"{P}/codings/{{coding}}/",
        expect(403, 403, 204, 403),
        audit="coding.delete",
        refusals=((OWNER, NOT_YOUR_CODING), (ADJUDICATOR, NOT_YOUR_CODING)),
    ),
    # Removing one's own coding (the viewer, who cannot code, aims at the coder's).
    Endpoint(
        "coding-delete-own",
        "delete",
        f"{P}/codings/{{own_coding}}/",
        expect(204, 204, 204, 403),
        audit="coding.delete",
    ),
    # --- memos (the coder's project memo; the coder's segment memo is blind) ---------------------------
    Endpoint("memo-list", "get", f"{P}/memos/", MEMBERS_READ),
    Endpoint(
        "memo-create",
        "post",
        f"{P}/memos/",
        expect(201, 201, 201, 403),
        body={"text": "Diversion keeps coming up."},
        audit="memo.create",
    ),
    Endpoint("memo-detail", "get", f"{P}/memos/{{memo}}/", MEMBERS_READ),
    Endpoint("memo-detail-segment", "get", f"{P}/memos/{{segment_memo}}/", expect(200, 200, 200, 404)),
    Endpoint(
        "memo-patch",
        "patch",
        f"{P}/memos/{{memo}}/",
        expect(403, 403, 200, 403),
        body={"text": "Harm reduction means at least three things."},
        audit="memo.update",
        refusals=((OWNER, NOT_YOUR_MEMO), (ADJUDICATOR, NOT_YOUR_MEMO)),
    ),
    Endpoint(
        "memo-delete",
        "delete",
        f"{P}/memos/{{memo}}/",
        expect(204, 403, 204, 403),
        audit="memo.delete",
        refusals=((ADJUDICATOR, "Only a memo's author or a project owner can delete it."),),
    ),
    # --- audit trail ----------------------------------------------------------------------------------
    Endpoint("audit-list", "get", f"{P}/audit/", OWNER_ONLY),
    # --- explore: text for every member; codings as each role may read them (the default source) ------
    Endpoint("search", "get", f"{P}/search/?q=harm", MEMBERS_READ),
    Endpoint("search-by-code", "get", f"{P}/search/?q=harm&code={{code}}", MEMBERS_READ),
    Endpoint("passages", "get", f"{P}/passages/?code={{code}}", MEMBERS_READ),
    Endpoint(
        "passages-every-coder",
        "get",
        f"{P}/passages/?code={{code}}&source=coders",
        expect(200, 200, 403, 403),
        refusals=((CODER, BLIND), (VIEWER, BLIND)),
    ),
    Endpoint("passages-download", "get", f"{P}/passages/export.md?code={{code}}", MEMBERS_READ),
    Endpoint("matrix-code-case", "get", f"{P}/matrices/code-case/", MEMBERS_READ),
    Endpoint("matrix-cooccurrence", "get", f"{P}/matrices/cooccurrence/", MEMBERS_READ),
    Endpoint("kwic", "get", f"{P}/kwic/?q=harm", MEMBERS_READ),
    Endpoint("word-frequencies", "get", f"{P}/words/?code={{code}}", MEMBERS_READ),
    # --- secondary passes: every member reads the links; owners open one -------------------------------
    Endpoint("secondary-pass-list", "get", f"{P}/secondary-passes/", MEMBERS_READ),
    Endpoint(
        "secondary-pass-create",
        "post",
        f"{P}/secondary-passes/",
        expect(201, 403, 403, 403),
        body=lambda ids: {"code": str(ids["code"]), "source": "coders", "name": "Meanings of harm"},
        audit="secondary_pass.create",
    ),
    # --- analysis: agreement on spans ---------------------------------------------------------------------
    Endpoint("span-run-list", "get", f"{P}/analysis/spans/runs/", ANALYSTS_READ),
    Endpoint(
        "span-run-create",
        "post",
        f"{P}/analysis/spans/runs/",
        expect(202, 202, 403, 403),
        body={"n_bootstrap": 0},
        audit="span_agreement_run.create",
    ),
    Endpoint(
        "span-alignment", "get", f"{P}/analysis/spans/alignment/?document={{doc}}&coders=1,2", ANALYSTS_READ
    ),
    # --- analysis: the dashboard's live updates (a 200 here is a stream the test does not read) ----------
    Endpoint("analysis-pulse", "get", f"{P}/analysis/pulse/", ANALYSTS_READ),
    Endpoint("analysis-events", "get", f"{P}/analysis/events/", ANALYSTS_READ),
]

MATRIX = [
    pytest.param(endpoint, role, endpoint.expected[role], id=f"{endpoint.name}-{role}")
    for endpoint in ENDPOINTS
    for role in ALL_ROLES
]


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Built once for the module (about 300 queries); every test runs in a savepoint inside it."""
    with module_transaction(django_db_blocker):
        yield build_world(*members_project())


@pytest.fixture
def world(shared_world, db):
    return shared_world


def _call(world, endpoint: Endpoint, role: str):
    ids = dict(world.ids, own_coding=world.own_coding.get(role, world.ids["coding"]))
    client = APIClient(raise_request_exception=False)
    user = world.user(role)
    if user is not None:
        client.force_authenticate(user=user)
    body = endpoint.body(ids) if callable(endpoint.body) else endpoint.body
    return user, getattr(client, endpoint.method)(endpoint.path.format(**ids), body, format="json")


def test_the_matrix_covers_every_role_of_every_endpoint():
    assert all(set(e.expected) == set(ALL_ROLES) for e in ENDPOINTS)
    assert len({(e.name) for e in ENDPOINTS}) == len(ENDPOINTS), "endpoint names must be unique"


@pytest.mark.parametrize(("endpoint", "role", "status"), MATRIX)
def test_role_endpoint_status(world, endpoint, role, status):
    events_before = AuditEvent.objects.count()
    mine_before = AuditEvent.objects.filter(action=endpoint.audit, actor=world.user(role)).count()

    user, response = _call(world, endpoint, role)

    assert response.status_code == status, (
        f"{endpoint.method.upper()} {endpoint.name} as {role}: expected {status}, "
        f"got {response.status_code} {response.content[:300]!r}"
    )
    if status == 204:
        assert response.content == b""
    if role == ANONYMOUS:
        assert response.json() == {"detail": UNAUTHENTICATED}
    elif role == OUTSIDER and endpoint.scoped:
        assert response.json() == {"detail": HIDDEN}, "a non-member must not learn that the project exists"
    elif status == 403:
        # The role check answers before the view runs; a few refusals come from the service instead.
        assert response.json() == {"detail": dict(endpoint.refusals).get(role, ROLE_DENIED)}

    if endpoint.method == "get" or status >= 400:
        assert AuditEvent.objects.count() == events_before, (
            f"{endpoint.name} as {role} ({status}) must not write to the audit trail"
        )
        return

    # A successful write records exactly one event of its action, by this user, in the right project.
    new = AuditEvent.objects.filter(action=endpoint.audit, actor=user).order_by("-id")
    assert new.count() == mine_before + 1, f"{endpoint.name} as {role} wrote no {endpoint.audit} event"
    event = new.first()
    project_id = response.json()["id"] if endpoint.name == "project-create" else world.project.id
    assert event.project_id == project_id
    verb = endpoint.audit.rsplit(".", 1)[1]
    if verb in ("update", "delete"):
        assert event.before is not None, f"{endpoint.audit} must record the state before the change"
    if verb in ("create", "update"):
        assert event.after is not None, f"{endpoint.audit} must record the state after the change"
    if endpoint.name == "project-create":
        assert Project.objects.filter(pk=project_id, created_by=user).exists()


@pytest.mark.parametrize(
    "path",
    ["/", "/members/", "/cases/", "/documents/", "/codebook/", "/codings/", "/memos/", "/audit/"],
)
def test_a_hidden_project_answers_exactly_like_a_missing_one(world, path):
    client = APIClient()
    client.force_authenticate(user=world.users[OUTSIDER])
    hidden = client.get(f"/api/v1/projects/{world.project.id}{path}")
    missing = client.get(f"/api/v1/projects/{world.project.id + 10_000}{path}")
    assert (
        (hidden.status_code, hidden.json())
        == (missing.status_code, missing.json())
        == (404, {"detail": HIDDEN})
    )


def test_the_project_list_shows_an_outsider_none_of_our_projects(world):
    client = APIClient()
    client.force_authenticate(user=world.users[OUTSIDER])
    response = client.get("/api/v1/projects/")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == []
    client.force_authenticate(user=world.users[VIEWER])
    assert [p["id"] for p in client.get("/api/v1/projects/").json()["results"]] == [world.project.id]


# --- every project-scoped route, including ones the table above does not list ---------------------------


def _project_routes():
    """(route name, URL kwargs, view class) for every named route under /api/v1/projects/<project_id>/."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    def walk(patterns, converters):
        for pattern in patterns:
            found = dict(converters, **getattr(pattern.pattern, "converters", {}))
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, found)
            elif isinstance(pattern, URLPattern) and pattern.name and "project_id" in found:
                view = getattr(pattern.callback, "view_class", None)
                if view is not None:
                    kwargs = {k: 1 if isinstance(c, IntConverter) else "csv" for k, c in found.items()}
                    yield pattern.name, kwargs, view

    return sorted(walk(get_resolver().url_patterns, {}), key=lambda route: route[0])


ROUTE_CALLS = [
    pytest.param(name, kwargs, method, id=f"{name}-{method}")
    for name, kwargs, view in _project_routes()
    for method in ("get", "post", "put", "patch", "delete")
    if hasattr(view, method)
]


def test_the_route_walk_finds_the_tabled_endpoints():
    names = {p.values[0] for p in ROUTE_CALLS}
    assert {"project-detail", "membership-detail", "coding-detail", "memo-detail", "audit-list"} <= names


@pytest.mark.parametrize(("name", "kwargs", "method"), ROUTE_CALLS)
def test_every_project_route_hides_the_project_from_outsiders_and_anonymous_callers(
    world, name, kwargs, method
):
    from django.urls import reverse

    path = reverse(name, kwargs=dict(kwargs, project_id=world.project.id))
    events = AuditEvent.objects.count()
    outsider = APIClient(raise_request_exception=False)
    outsider.force_authenticate(user=world.users[OUTSIDER])
    response = getattr(outsider, method)(path, {}, format="json")
    assert (response.status_code, response.json()) == (404, {"detail": HIDDEN}), f"{method} {path}"
    response = getattr(APIClient(raise_request_exception=False), method)(path, {}, format="json")
    assert (response.status_code, response.json()) == (401, {"detail": UNAUTHENTICATED}), f"{method} {path}"
    assert AuditEvent.objects.count() == events
