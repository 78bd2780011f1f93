"""Blind coding as a role x endpoint matrix: before release a coder sees only their own codings, memos,
assignments and progress on a double-coded unit; nothing (list, detail, filter, count, progress, version)
reveals a colleague's codes. After release, or once a unit is adjudicated, they may."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from annotate.assignments.models import Unit
from annotate.audit.models import AuditEvent
from annotate.coding.rules import CodingSpec
from annotate.coding_loop.codings import coding_set_replace
from annotate.coding_loop.queue import queue_next
from annotate.memos.services import memo_create
from tests.annotate.assignments.study import apply_plan, build_study

pytestmark = pytest.mark.django_db

ROLES = ["owner", "adjudicator", "coder", "coder2", "viewer"]


@pytest.fixture
def world():
    """Two transcripts, both double-coded by coder and coder2 (k = 2, everything sampled). Each coder
    codes the first unit differently; coder2 also writes a segment memo."""
    study = build_study(n_documents=2, coders=2)
    apply_plan(
        study,
        coders=[{"user": study.users[c].pk, "weight": 1} for c in ("coder", "coder2")],
        overlap=2,
        sample_fraction=1.0,
    )
    unit = queue_next(project_id=study.project.id, user=study.users["coder"])
    assert queue_next(project_id=study.project.id, user=study.users["coder2"]).segment_id == unit.segment_id
    harm, diversion, treatment = study.codes
    mine = coding_set_replace(
        project_id=study.project.id,
        coder=study.users["coder"],
        segment=unit.segment,
        codings=[CodingSpec(harm.pk)],
        version=0,
    ).codings
    theirs = coding_set_replace(
        project_id=study.project.id,
        coder=study.users["coder2"],
        segment=unit.segment,
        codings=[CodingSpec(diversion.pk), CodingSpec(treatment.pk)],
        version=0,
    ).codings
    memo = memo_create(
        project_id=study.project.id, author=study.users["coder2"], text="Unsure.", segment=unit.segment
    )
    return {
        "study": study,
        "segment": unit.segment,
        "mine": mine,
        "theirs": theirs,
        "memo": memo,
        "unit_id": unit.unit_id,
    }


def client(user):
    c = APIClient(raise_request_exception=False)
    c.force_authenticate(user=user)
    return c


def base(world):
    return f"/api/v1/projects/{world['study'].project.id}"


def ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return sorted(r["id"] for r in body["results"])


def visible_codings(world, role):
    return ids(client(world["study"].users[role]).get(f"{base(world)}/codings/", {"page_size": 500}))


MINE, THEIRS = "mine", "theirs"
EXPECTED_BEFORE = {
    "owner": {MINE, THEIRS},
    "adjudicator": {MINE, THEIRS},
    "coder": {MINE},
    "coder2": {THEIRS},
    "viewer": set(),
}


def expected_ids(world, names):
    return sorted(c.pk for name in names for c in world[name])


@pytest.mark.parametrize("role", ROLES)
def test_coding_list_before_release(world, role):
    assert visible_codings(world, role) == expected_ids(world, EXPECTED_BEFORE[role])


@pytest.mark.parametrize("role", ROLES)
def test_coding_list_after_release_shows_everything(world, role):
    response = client(world["study"].users["owner"]).post(f"{base(world)}/release/")
    assert response.status_code == 200
    assert response.json()["codings_released_at"]
    assert visible_codings(world, role) == expected_ids(world, {MINE, THEIRS})


@pytest.mark.parametrize("role", ["coder", "viewer"])
def test_an_adjudicated_unit_is_visible_to_all(world, role):
    Unit.objects.filter(pk=world["unit_id"]).update(adjudicated_at=timezone.now())
    assert visible_codings(world, role) == expected_ids(world, {MINE, THEIRS})


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(lambda w: {"coder": w["study"].users["coder2"].pk}, id="coder=colleague"),
        pytest.param(lambda w: {"code": w["study"].codes[1].pk}, id="code-only-the-colleague-used"),
        pytest.param(lambda w: {"segment": w["segment"].pk}, id="segment"),
        pytest.param(lambda w: {"document": w["segment"].document_id}, id="document"),
    ],
)
def test_no_filter_or_count_reveals_a_colleagues_codes(world, params):
    response = client(world["study"].users["coder"]).get(f"{base(world)}/codings/", params(world))
    assert set(ids(response)) <= {c.pk for c in world["mine"]}


def test_a_colleagues_coding_looks_missing(world):
    theirs = world["theirs"][0].pk
    hidden = client(world["study"].users["coder"]).get(f"{base(world)}/codings/{theirs}/")
    missing = client(world["study"].users["coder"]).get(f"{base(world)}/codings/{theirs + 100000}/")
    assert (
        (hidden.status_code, hidden.json())
        == (missing.status_code, missing.json())
        == (404, {"detail": "Coding not found."})
    )


def test_the_unit_view_and_set_endpoint_show_only_ones_own(world):
    coder = client(world["study"].users["coder"])
    seg = world["segment"].pk
    unit = coder.get(f"{base(world)}/assignments/{seg}/").json()
    assert [c["code"] for c in unit["codings"]["items"]] == [world["study"].codes[0].pk]
    assert unit["codings"]["version"] == 1
    assert "planned_coders" not in str(unit)
    assert "coder2" not in str(unit)
    own = coder.get(f"{base(world)}/segments/{seg}/codings/").json()
    assert [c["code"] for c in own["codings"]] == [world["study"].codes[0].pk]
    nxt = coder.get(f"{base(world)}/queue/next/").json()
    assert [c["code"] for c in nxt["unit"]["codings"]["items"]] == [world["study"].codes[0].pk]


def test_progress_shows_a_coder_only_their_own(world):
    body = client(world["study"].users["coder"]).get(f"{base(world)}/progress/").json()
    assert [row["username"] for row in body["per_coder"]] == ["coder"]
    assert "double_coded" not in body
    full = client(world["study"].users["owner"]).get(f"{base(world)}/progress/").json()
    assert [row["username"] for row in full["per_coder"]] == ["coder", "coder2"]
    assert full["double_coded"] == {"units": 6, "complete": 0, "pending": 6}
    assert client(world["study"].users["viewer"]).get(f"{base(world)}/progress/").status_code == 403


def test_memos_on_the_unit_stay_blind(world):
    response = client(world["study"].users["coder"]).get(
        f"{base(world)}/memos/", {"segment": world["segment"].pk}
    )
    assert world["memo"].pk not in ids(response)
    owner = client(world["study"].users["owner"]).get(
        f"{base(world)}/memos/", {"segment": world["segment"].pk}
    )
    assert world["memo"].pk in ids(owner)


def test_a_coder_cannot_list_a_colleagues_assignments_or_read_the_plan(world):
    coder = client(world["study"].users["coder"])
    other = coder.get(f"{base(world)}/assignments/", {"coder": world["study"].users["coder2"].pk})
    assert other.json()["count"] == 0
    assert coder.get(f"{base(world)}/assignment-plan/").status_code == 403
    as_adjudicator = client(world["study"].users["adjudicator"]).get(
        f"{base(world)}/assignments/", {"coder": world["study"].users["coder2"].pk}
    )
    assert as_adjudicator.json()["count"] == 6


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("adjudicator", 403),
        ("coder", 403),
        ("viewer", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_release_is_for_owners_and_audited_once(world, role, status):
    users = world["study"].users
    c = APIClient(raise_request_exception=False)
    if role != "anonymous":
        c.force_authenticate(user=users[role])
    events = AuditEvent.objects.filter(action="project.release").count()
    assert c.post(f"{base(world)}/release/").status_code == status
    assert c.post(f"{base(world)}/release/").status_code == status
    assert AuditEvent.objects.filter(action="project.release").count() == events + (1 if status == 200 else 0)


ENDPOINTS = [
    # name, method, path, {role: status}
    ("plan-get", "get", "/assignment-plan/", {"owner": 200, "adjudicator": 200, "coder": 403, "viewer": 403}),
    (
        "plan-preview",
        "post",
        "/assignment-plan/preview/",
        {"owner": 200, "adjudicator": 403, "coder": 403, "viewer": 403},
    ),
    ("queue-next", "get", "/queue/next/", {"owner": 200, "adjudicator": 200, "coder": 200, "viewer": 403}),
    ("assignments", "get", "/assignments/", {"owner": 200, "adjudicator": 200, "coder": 200, "viewer": 403}),
    ("progress", "get", "/progress/", {"owner": 200, "adjudicator": 200, "coder": 200, "viewer": 403}),
    (
        "set-get",
        "get",
        "/segments/{seg}/codings/",
        {"owner": 200, "adjudicator": 200, "coder": 200, "viewer": 403},
    ),
]


@pytest.mark.parametrize(("name", "method", "path", "expected"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
@pytest.mark.parametrize("role", ["owner", "adjudicator", "coder", "viewer", "outsider", "anonymous"])
def test_role_matrix(world, name, method, path, expected, role):
    users = world["study"].users
    c = APIClient(raise_request_exception=False)
    if role != "anonymous":
        c.force_authenticate(user=users[role])
    body = {
        "unit_type": "document",
        "coders": [{"user": users[c].pk} for c in ("coder", "coder2")],
        "overlap": 2,
        "sample_fraction": 1.0,
        "seed": 7,
    }
    response = getattr(c, method)(base(world) + path.format(seg=world["segment"].pk), body, format="json")
    want = {"outsider": 404, "anonymous": 401}.get(role) or expected[role]
    assert response.status_code == want, response.content
    assert "detail" in response.json() or response.status_code == 200
