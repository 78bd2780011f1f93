"""Blind coding through the API, as the read rules stand now (annotate/coding/selectors.py and
annotate/memos/selectors.py): a coder sees only their own codings and their own segment memos; owners and
adjudicators see everyone's; viewers see no codings. No filter, detail URL or count may reveal a
colleague's coding to a coder."""

import pytest
from rest_framework.test import APIClient

from annotate.audit.models import AuditEvent
from annotate.coding.models import Coding
from annotate.coding.services import coding_create
from annotate.memos.services import memo_create
from annotate.projects.models import Role
from tests.annotate.world import assign_everything
from tests.factories import UserFactory, make_case, make_code, make_document

TEXT = "Interviewer: How?\n\nP01: We reduce harm.\n\nP01: And we divert people."


@pytest.fixture
def study(project_with_members):
    """Two coders who coded the same segment (a double-coded unit), plus an adjudicator and an owner."""
    project, users = project_with_members
    owner = users[Role.OWNER]
    users["coder2"] = UserFactory(username="coder2")
    project.add_member(users["coder2"], Role.CODER)
    case = make_case(project, owner, identifier="P01")
    document = make_document(project, owner, case=case, text=TEXT)
    _, seg1, seg2 = document.segments.order_by("position")
    harm = make_code(project, owner, name="Harm reduction")
    health = make_code(project, owner, name="Public health")
    assign_everything(project, owner, [users["coder"], users["coder2"], users[Role.ADJUDICATOR]])

    def code(who, segment, code_, span=None):
        return coding_create(project_id=project.id, coder=users[who], segment=segment, code=code_, span=span)[
            0
        ]

    codings = {
        "coder": [
            code("coder", seg1, harm),
            code("coder", seg2, harm, span=(seg2.start_offset, seg2.end_offset)),
        ],
        "coder2": [code("coder2", seg1, harm), code("coder2", seg1, health)],
        "adjudicator": [code("adjudicator", seg1, harm)],
        "owner": [code("owner", seg2, health)],
    }

    def memo(who, **target):
        return memo_create(project_id=project.id, author=users[who], text=f"{who}'s note", **target)

    memos = {
        "coder_segment": memo("coder", segment=seg1),
        "coder2_segment": memo("coder2", segment=seg1),
        "owner_segment": memo("owner", segment=seg2),
        "coder2_project": memo("coder2"),
        "coder2_code": memo("coder2", code=harm),
        "coder2_case": memo("coder2", case=case),
    }
    return {
        "project": project,
        "users": users,
        "document": document,
        "seg1": seg1,
        "seg2": seg2,
        "harm": harm,
        "health": health,
        "codings": codings,
        "memos": memos,
    }


def client_for(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user=user)
    return client


def coding_ids(study, *who):
    return sorted(c.id for w in who for c in study["codings"][w])


def listed(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]), "the count must not reveal hidden rows"
    return sorted(row["id"] for row in body["results"])


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("owner", ("coder", "coder2", "adjudicator", "owner")),
        ("adjudicator", ("coder", "coder2", "adjudicator", "owner")),
        ("coder", ("coder",)),
        ("coder2", ("coder2",)),
        ("viewer", ()),
    ],
)
def test_each_role_sees_exactly_these_codings(study, role, visible):
    response = client_for(study["users"][role]).get(f"/api/v1/projects/{study['project'].id}/codings/")
    assert listed(response) == coding_ids(study, *visible), f"{role} must see the codings of {visible} only"


@pytest.mark.parametrize(
    "filter_",
    [
        pytest.param(lambda s: {"coder": s["users"]["coder2"].id}, id="coder=colleague"),
        pytest.param(lambda s: {"coder": s["users"]["adjudicator"].id}, id="coder=adjudicator"),
        pytest.param(lambda s: {"code": s["health"].id}, id="code-only-a-colleague-used"),
        pytest.param(
            lambda s: {"segment": s["seg1"].id, "coder": s["users"]["coder2"].id}, id="segment+coder"
        ),
    ],
)
def test_filters_never_reveal_a_colleagues_codings_to_a_coder(study, filter_):
    params = filter_(study)
    url = f"/api/v1/projects/{study['project'].id}/codings/"
    as_coder = client_for(study["users"]["coder"]).get(url, params)
    assert listed(as_coder) == [], f"a coder filtering by {params} must see nothing of others"
    as_owner = client_for(study["users"]["owner"]).get(url, params)
    assert listed(as_owner) != [], f"the filter {params} does match codings (for the owner)"


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        pytest.param(
            lambda s: {"segment": s["seg1"].id}, lambda s: [s["codings"]["coder"][0].id], id="segment"
        ),
        pytest.param(
            lambda s: {"document": s["document"].id}, lambda s: coding_ids(s, "coder"), id="document"
        ),
        pytest.param(lambda s: {"code": s["harm"].id}, lambda s: coding_ids(s, "coder"), id="code"),
        pytest.param(
            lambda s: {"coder": s["users"]["coder"].id}, lambda s: coding_ids(s, "coder"), id="coder=self"
        ),
    ],
)
def test_filters_narrow_a_coders_own_codings(study, filter_, expected):
    response = client_for(study["users"]["coder"]).get(
        f"/api/v1/projects/{study['project'].id}/codings/", filter_(study)
    )
    assert listed(response) == sorted(expected(study))


def test_a_colleagues_coding_looks_missing_to_a_coder(study):
    colleague_coding = study["codings"]["coder2"][0]
    base = f"/api/v1/projects/{study['project'].id}/codings"
    coder = client_for(study["users"]["coder"])
    hidden = coder.get(f"{base}/{colleague_coding.id}/")
    missing = coder.get(f"{base}/{colleague_coding.id + 10_000}/")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    assert hidden.json() == {"detail": "Coding not found."}
    assert client_for(study["users"]["adjudicator"]).get(f"{base}/{colleague_coding.id}/").status_code == 200
    assert client_for(study["users"]["viewer"]).get(f"{base}/{colleague_coding.id}/").status_code == 404


def test_a_coder_cannot_delete_a_colleagues_coding(study):
    colleague_coding = study["codings"]["coder2"][0]
    events = AuditEvent.objects.count()
    response = client_for(study["users"]["coder"]).delete(
        f"/api/v1/projects/{study['project'].id}/codings/{colleague_coding.id}/"
    )
    assert response.status_code == 404
    assert Coding.objects.filter(pk=colleague_coding.pk).exists()
    assert AuditEvent.objects.count() == events


def test_applying_a_code_a_colleague_applied_creates_the_coders_own(study):
    """The idempotency shortcut must be per coder: a 200 "already there" would reveal the colleague's."""
    response = client_for(study["users"]["coder"]).post(
        f"/api/v1/projects/{study['project'].id}/codings/",
        {"segment": study["seg1"].id, "code": study["health"].id},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["coder"] == study["users"]["coder"].id
    assert response.json()["id"] not in coding_ids(study, "coder2")


SHARED_MEMOS = ("coder2_project", "coder2_code", "coder2_case")


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("owner", ("coder_segment", "coder2_segment", "owner_segment", *SHARED_MEMOS)),
        ("adjudicator", ("coder_segment", "coder2_segment", "owner_segment", *SHARED_MEMOS)),
        ("coder", ("coder_segment", *SHARED_MEMOS)),
        ("coder2", ("coder2_segment", *SHARED_MEMOS)),
        ("viewer", SHARED_MEMOS),
    ],
)
def test_each_role_sees_exactly_these_memos(study, role, visible):
    response = client_for(study["users"][role]).get(f"/api/v1/projects/{study['project'].id}/memos/")
    assert listed(response) == sorted(study["memos"][name].id for name in visible)


def test_a_segment_filter_shows_a_coder_only_their_own_memo_on_it(study):
    response = client_for(study["users"]["coder"]).get(
        f"/api/v1/projects/{study['project'].id}/memos/", {"segment": study["seg1"].id}
    )
    assert listed(response) == [study["memos"]["coder_segment"].id]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_colleagues_segment_memo_looks_missing_to_a_coder(study, method):
    memo = study["memos"]["coder2_segment"]
    response = getattr(client_for(study["users"]["coder"]), method)(
        f"/api/v1/projects/{study['project'].id}/memos/{memo.id}/", {"text": "overwritten"}, format="json"
    )
    assert (response.status_code, response.json()) == (404, {"detail": "Memo not found."})
    memo.refresh_from_db()
    assert memo.text == "coder2's note"
