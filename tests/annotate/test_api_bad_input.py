"""Bad input gets a 4xx whose JSON ``detail`` says what is wrong, never a 500: malformed JSON, wrong types,
missing fields, ids in the body that are not in this project, non-integer or out-of-range ids in the URL,
and offsets outside the text or the segment."""

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from annotate.audit.models import AuditEvent
from annotate.codebook.services import code_update
from tests.annotate.test_api_role_matrix import ENDPOINTS
from tests.annotate.world import TRANSCRIPT, build_world, members_project, module_transaction
from tests.factories import ProjectFactory, UserFactory, make_code, make_document

RAW = object()  # marks a body sent as raw bytes rather than encoded as JSON


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """Built once for the module; every test runs in a savepoint inside it."""
    with module_transaction(django_db_blocker):
        yield _build()


@pytest.fixture
def world(shared_world, db):
    return shared_world


def _build():
    world = build_world(*members_project())
    stranger = UserFactory(username="stranger")  # the owner is no member of the stranger's project
    elsewhere = ProjectFactory(creator=stranger, name="Another study")
    foreign_document = make_document(elsewhere, stranger, text="P09: Elsewhere entirely.")
    world.ids.update(
        foreign_project=elsewhere.id,
        foreign_case=foreign_document.case_id,
        foreign_segment=foreign_document.segments.first().id,
        foreign_code=make_code(elsewhere, stranger, name="Elsewhere").id,
        huge=10**20,
    )
    return world


@pytest.fixture
def owner_client(world):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user=world.users["owner"])
    return client


def send(client, method: str, path: str, body: Any = None, content_type: str | None = None):
    if content_type is not None:
        return getattr(client, method)(path, body, content_type=content_type)
    return getattr(client, method)(path, body, format="json")


def assert_explained(response, status: int, detail: str):
    assert response.status_code < 500, f"a server error for bad input: {response.content[:300]!r}"
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.content!r}"
    )
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert isinstance(body.get("detail"), str), body
    assert re.search(detail, body["detail"]), f"{body['detail']!r} does not say {detail!r}"


P = "/api/v1/projects/{p}"
SEG1_END = TRANSCRIPT.index("\n\nP01: And")  # segment 1 of the transcript is [19, 39)

# fmt: off
CASES = [
    # --- malformed bodies ---------------------------------------------------------------------------
    ("malformed-json", "post", f"{P}/cases/", '{"identifier": ', "application/json", 400, r"^JSON parse error"),
    ("malformed-json-patch", "patch", f"{P}/", "{name: 'x'}", "application/json", 400, r"^JSON parse error"),
    ("json-null", "post", f"{P}/cases/", "null", "application/json", 400, r"No data provided"),
    ("json-list", "post", f"{P}/memos/", [1, 2], None, 400, r"Expected a dictionary, but got list"),
    ("json-string", "post", f"{P}/codings/", '"segment"', "application/json", 400, r"Expected a dictionary, but got str"),
    ("form-encoded", "post", f"{P}/memos/", "text=hi", "application/x-www-form-urlencoded", 415, r"Unsupported media type"),
    # --- missing fields -----------------------------------------------------------------------------
    ("missing-name", "post", "/api/v1/projects/", {}, None, 400, r"name: This field is required"),
    ("missing-identifier", "post", f"{P}/cases/", {"description": "x"}, None, 400, r"identifier: This field is required"),
    ("missing-case-and-text", "post", f"{P}/documents/", {"title": "x"}, None, 400, r"case: This field is required.*text: This field is required"),
    ("missing-code", "post", f"{P}/codings/", {"segment": "{seg1}"}, None, 400, r"code: This field is required"),
    ("missing-role", "post", f"{P}/members/", {"username": "newcomer"}, None, 400, r"role: This field is required"),
    ("missing-type", "post", f"{P}/attributes/", {"name": "region"}, None, 400, r"type: This field is required"),
    ("missing-text", "post", f"{P}/memos/", {"segment": "{seg1}"}, None, 400, r"text: This field is required"),
    ("missing-code-name", "post", f"{P}/codebook/codes/", {"rationale": "x"}, None, 400, r"name: This field is required"),
    ("half-a-span", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{code}", "span_start": 20}, None, 400, r"Give both span_start and span_end, or neither"),
    # --- wrong types --------------------------------------------------------------------------------
    ("segment-not-int", "post", f"{P}/codings/", {"segment": "abc", "code": "{code}"}, None, 400, r"segment: A valid integer is required"),
    ("segment-float", "post", f"{P}/codings/", {"segment": 1.5, "code": "{code}"}, None, 400, r"segment: A valid integer is required"),
    ("segment-list", "post", f"{P}/codings/", {"segment": ["{seg1}"], "code": "{code}"}, None, 400, r"segment: A valid integer is required"),
    ("order-not-int", "patch", f"{P}/documents/{{doc}}/", {"analysis_order": "first"}, None, 400, r"analysis_order: A valid integer is required"),
    ("date-not-date", "patch", f"{P}/documents/{{doc}}/", {"interview_date": "yesterday"}, None, 400, r"interview_date: Date has wrong format"),
    ("attributes-not-dict", "post", f"{P}/cases/", {"identifier": "P09", "attributes": "x"}, None, 400, r"attributes: Expected a dictionary"),
    ("attribute-unknown", "post", f"{P}/cases/", {"identifier": "P09", "attributes": {"region": "x"}}, None, 400, r"Unknown attribute\(s\): region; define them first"),
    ("bool-not-bool", "patch", f"{P}/codebook/codes/{{code}}/", {"is_active": "maybe", "rationale": "x"}, None, 400, r"is_active: Must be a valid boolean"),
    ("text-not-string", "post", f"{P}/memos/", {"text": {"a": 1}}, None, 400, r"text: Not a valid string"),
    ("role-unknown", "post", f"{P}/members/", {"username": "newcomer", "role": "boss"}, None, 400, r'role: "boss" is not a valid choice'),
    ("type-unknown", "post", f"{P}/attributes/", {"name": "mood", "type": "colour"}, None, 400, r'type: "colour" is not a valid choice'),
    ("colour-not-hex", "post", f"{P}/codebook/codes/", {"name": "Diversion", "colour": "red", "rationale": "x"}, None, 400, r"Colour 'red' is not a hex colour"),
    ("blank-name", "post", "/api/v1/projects/", {"name": "   "}, None, 400, r"name: This field may not be blank"),
    ("name-too-long", "post", "/api/v1/projects/", {"name": "x" * 201}, None, 400, r"name: Ensure this field has no more than 200 characters"),
    ("null-character", "post", f"{P}/memos/", {"text": "a\x00b"}, None, 400, r"text: Null characters are not allowed"),
    ("memo-two-targets", "post", f"{P}/memos/", {"text": "x", "segment": "{seg1}", "code": "{code}"}, None, 400, r"A memo is about one thing"),
    ("code-own-parent", "patch", f"{P}/codebook/codes/{{code}}/", {"parent": "{code}", "rationale": "x"}, None, 400, r"cannot be moved under itself"),
    ("unknown-user", "post", f"{P}/members/", {"username": "ghost", "role": "coder"}, None, 400, r"No user is called 'ghost'"),
    # --- ids in the body that are not in this project ------------------------------------------------
    ("foreign-case", "post", f"{P}/documents/", {"case": "{foreign_case}", "title": "x", "text": "P01: new."}, None, 404, r"^Case not found in this project\.$"),
    ("unknown-case", "patch", f"{P}/documents/{{doc}}/", {"case": "{huge}"}, None, 404, r"^Case not found in this project\.$"),
    ("foreign-segment", "post", f"{P}/codings/", {"segment": "{foreign_segment}", "code": "{code}"}, None, 404, r"^Segment not found in this project\.$"),
    ("foreign-code", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{foreign_code}"}, None, 404, r"^Code not found in this project's codebook\.$"),
    ("foreign-parent", "post", f"{P}/codebook/codes/", {"name": "x", "parent": "{foreign_code}", "rationale": "x"}, None, 404, r"^Code not found in this project's codebook\.$"),
    ("foreign-memo-case", "post", f"{P}/memos/", {"text": "x", "case": "{foreign_case}"}, None, 404, r"^Case not found in this project\.$"),
    ("huge-segment", "post", f"{P}/memos/", {"text": "x", "segment": "{huge}"}, None, 404, r"^Segment not found in this project\.$"),
    # --- ids in the URL -------------------------------------------------------------------------------
    ("huge-project", "get", "/api/v1/projects/{huge}/", None, None, 404, r"^Project not found\.$"),
    ("foreign-project", "get", "/api/v1/projects/{foreign_project}/cases/", None, None, 404, r"^Project not found\.$"),
    ("huge-coding", "get", f"{P}/codings/{{huge}}/", None, None, 404, r"^Coding not found\.$"),
    ("huge-membership", "patch", f"{P}/members/{{huge}}/", {"role": "coder"}, None, 404, r"^Membership not found\.$"),
    ("foreign-code-url", "get", f"{P}/codebook/codes/{{foreign_code}}/", None, None, 404, r"^Code not found in this project's codebook\.$"),
    ("huge-memo", "delete", f"{P}/memos/{{huge}}/", None, None, 404, r"^Memo not found\.$"),
    # --- query parameters -----------------------------------------------------------------------------
    ("filter-not-int", "get", f"{P}/codings/?coder=abc", None, None, 400, r"coder: A valid integer is required"),
    ("memo-filter-not-int", "get", f"{P}/memos/?segment=first", None, None, 400, r"segment: A valid integer is required"),
    ("since-not-datetime", "get", f"{P}/audit/?since=garbage", None, None, 400, r"since: Datetime has wrong format"),
    ("page-not-int", "get", f"{P}/documents/?page=abc", None, None, 400, r"page: Must be a whole number of at least 1\."),
    ("page-size-null", "get", f"{P}/documents/?page_size=null", None, None, 400, r"page_size: Must be a whole number of at least 1\."),
    ("page-size-too-big", "get", f"{P}/cases/?page_size=501", None, None, 400, r"page_size: Must be at most 500\."),
    ("filter-empty", "get", f"{P}/memos/?segment=", None, None, 400, r"segment: A valid integer is required"),
    ("order-as-text", "patch", f"{P}/documents/{{doc}}/", {"analysis_order": "3"}, None, 400, r"analysis_order: A valid integer is required"),
    ("memo-text-as-number", "post", f"{P}/memos/", {"text": 5}, None, 400, r"text: Not a valid string"),
    ("bool-as-text", "patch", f"{P}/codebook/codes/{{code}}/", {"is_active": "true", "rationale": "x"}, None, 400, r"is_active: Must be a valid boolean"),
    ("page-beyond", "get", f"{P}/cases/?page=99", None, None, 404, r"^Invalid page\.$"),
    # --- offsets --------------------------------------------------------------------------------------
    ("segment-beyond-text", "post", f"{P}/documents/", {"case": "{case}", "title": "x", "text": "P01: new.", "segments": [{"start": 0, "end": 99}]}, None, 400, re.escape("Segment 0 has offsets [0, 99) outside the text (length 9).")),
    ("segment-negative", "post", f"{P}/documents/", {"case": "{case}", "title": "x", "text": "P01: new.", "segments": [{"start": -1, "end": 3}]}, None, 400, r"start: Ensure this value is greater than or equal to 0"),
    ("segments-overlap", "post", f"{P}/documents/", {
            "case": "{case}", "title": "x", "text": "P01: new.", "segments": [{"start": 0, "end": 5}, {"start": 4, "end": 9}], }, None, 400, r"Segment 1 overlaps the segment before it"),
    ("segments-not-list", "post", f"{P}/documents/", {"case": "{case}", "title": "x", "text": "P01: new.", "segments": {"start": 0}}, None, 400, r"segments: .*Expected a list"),
    ("order-zero", "post", f"{P}/documents/", {"case": "{case}", "title": "x", "text": "P01: new.", "analysis_order": 0}, None, 400, r"analysis_order: Ensure this value is greater than or equal to 1"),
    ("order-huge", "patch", f"{P}/documents/{{doc}}/", {"analysis_order": 10**12}, None, 400, r"analysis_order: Ensure this value is less than or equal to 2147483647"),
    ("span-before-segment", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{code2}", "span_start": 0, "span_end": 5}, None, 400, re.escape("The span [0, 5) must lie inside its segment [19, 39)")),
    ("span-past-segment", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{code2}", "span_start": 20, "span_end": SEG1_END + 1}, None, 400, re.escape(f"The span [20, {SEG1_END + 1}) must lie inside its segment")),
    ("span-huge", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{code2}", "span_start": 20, "span_end": 10**20}, None, 400, r"must lie inside its segment"),
    ("span-backwards", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{code2}", "span_start": 30, "span_end": 25}, None, 400, r"must lie inside its segment .* and not be empty"),
    ("span-negative", "post", f"{P}/codings/", {"segment": "{seg1}", "code": "{code2}", "span_start": -1, "span_end": 25}, None, 400, r"span_start: Ensure this value is greater than or equal to 0"),
    # --- conflicts --------------------------------------------------------------------------------------
    ("duplicate-case", "post", f"{P}/cases/", {"identifier": "P01"}, None, 409, r"The project already has a case 'P01'"),
    ("duplicate-document", "post", f"{P}/documents/", {"case": "{case}", "title": "Again", "text": TRANSCRIPT}, None, 409, r"This transcript is already in the project \(as 'Interview P01'\)"),
    ("duplicate-member", "post", f"{P}/members/", {"username": "coder", "role": "viewer"}, None, 409, r"coder is already a member"),
    ("duplicate-code", "post", f"{P}/codebook/codes/", {"name": "Harm reduction", "rationale": "x"}, None, 409, r"A code called 'Harm reduction' already exists at the top level"),
    ("coded-document", "delete", f"{P}/documents/{{doc}}/", None, None, 409, r"This transcript has codings; it cannot be deleted"),
    ("case-with-documents", "delete", f"{P}/cases/{{case}}/", None, None, 409, r"This case has transcripts"),
    ("last-owner", "delete", f"{P}/members/{{owner_membership}}/", None, None, 400, r"A project needs at least one owner"),
]
# fmt: on


def fill(value: Any, ids: dict) -> Any:
    """Substitute ``"{name}"`` placeholders in a body, keeping ints as ints."""
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "detail"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_input_is_explained(world, owner_client, method, path, body, content_type, status, detail):
    ids = dict(world.ids, owner_membership=world.project.memberships.get(role="owner").id)
    events = AuditEvent.objects.count()
    body = body if content_type is not None else fill(body, ids)
    response = send(owner_client, method, path.format(**ids), body, content_type)
    assert_explained(response, status, detail)
    assert AuditEvent.objects.count() == events, "a refused request must not reach the audit trail"


def test_the_cases_have_unique_names():
    assert len({case[0] for case in CASES}) == len(CASES)


def test_a_deactivated_code_cannot_be_applied_through_the_api(world, owner_client):
    code = world.project.codebook.codes.get(pk=world.ids["code"])
    code_update(code=code, actor=world.users["owner"], data={"is_active": False}, rationale="Merged.")
    response = send(
        owner_client,
        "post",
        f"/api/v1/projects/{world.project.id}/codings/",
        {"segment": world.ids["seg2"], "code": code.id},
    )
    assert_explained(
        response, 400, r"The code 'Harm reduction' is deactivated; it can no longer be applied\."
    )


NON_INTEGER_URLS = [
    "/api/v1/projects/abc/",
    "/api/v1/projects/1.5/cases/",
    "/api/v1/projects/{p}/cases/abc/",
    "/api/v1/projects/{p}/documents/-1/",
    "/api/v1/projects/{p}/codings/0x10/",
]


@pytest.mark.parametrize("path", NON_INTEGER_URLS)
def test_a_non_integer_id_in_the_url_is_not_found(world, owner_client, path):
    response = owner_client.get(path.format(**world.ids))
    assert response.status_code == 404


# <int:...> URL patterns reject these before DRF runs; the JSON handler404 (annotate/urls.py) answers.
@pytest.mark.parametrize("path", NON_INTEGER_URLS)
def test_a_non_integer_id_in_the_url_is_explained_in_json(world, owner_client, path):
    assert_explained(owner_client.get(path.format(**world.ids)), 404, r"[Nn]ot found")


# --- every write endpoint, garbage in every field ----------------------------------------------------------

GARBAGE = {
    "null": None,
    "nested": {"a": [1, {"b": 2}]},
    "list": ["x", 1],
    "huge-int": 10**30,
    "negative": -1,
    "bool": True,
    "nul-char": "\x00",
    "long-text": "x" * 100_000,
}
WRITES = [e for e in ENDPOINTS if e.method in ("post", "patch") and e.body is not None]


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.name for e in WRITES])
def test_garbage_in_any_field_is_a_4xx_or_harmless(world, owner_client, endpoint):
    """The valid body of each write in the role matrix, with one field at a time replaced by garbage.
    Some garbage is acceptable (a bool is a fine name, "True"); what must never happen is a 500."""
    ids = dict(world.ids, own_coding=world.own_coding["owner"])
    valid = endpoint.body(ids) if callable(endpoint.body) else dict(endpoint.body)
    refused = 0
    for field in valid:
        for kind, garbage in GARBAGE.items():
            response = send(
                owner_client, endpoint.method, endpoint.path.format(**ids), dict(valid, **{field: garbage})
            )
            assert response.status_code < 500, f"{endpoint.name} {field}={kind}: {response.content[:300]!r}"
            if response.status_code >= 400:
                refused += 1
                detail = response.json().get("detail")
                assert isinstance(detail, str), f"{endpoint.name} {field}={kind}: {response.json()}"
                assert detail, f"{endpoint.name} {field}={kind}: an empty detail"
    assert refused > 0, f"{endpoint.name} accepted every kind of garbage in every field"
