"""The adjudication API: who may call what (owner, adjudicator, coder, viewer, outsider, anonymous), what
the adjudicator sees of a unit, bad input (always 4xx with a detail, never a 500, nothing written), and
blind coding after adjudication."""

import json

import pytest
from rest_framework.test import APIClient

from annotate.adjudication.models import AdjudicationSettings, Decision
from annotate.audit.models import AuditEvent
from annotate.coding.models import Coding

from .world import code, label, make_study

pytestmark = pytest.mark.django_db

ROLES = ("owner", "adjudicator", "coder", "viewer", "outsider", "anonymous")


@pytest.fixture
def world():
    """As in the service tests: document 1 has a unanimous unit (a), a disagreement (b) and a unit only
    coder has finished (c); document 2 a span disagreement (d) and a unanimous empty set (e). coder3 is
    a coder of the project but not of the plan. coder2 writes a memo on b."""
    from annotate.memos.services import memo_create

    study = make_study()
    harm, diversion, treatment = study.codes
    a, b, c = study.codable(study.documents[0])
    d, e, _ = study.codable(study.documents[1])
    code(study, "coder", a, harm)
    code(study, "coder2", a, harm)
    code(study, "coder", b, harm)
    code(study, "coder2", b, diversion)
    code(study, "coder", c, treatment)
    code(study, "coder", d, (harm, 0, 5))
    code(study, "coder2", d, (harm, 0, 6), treatment)
    code(study, "coder", e)
    code(study, "coder2", e)
    memo_create(
        project_id=study.project.id, author=study.users["coder2"], text="Diversion, surely.", segment=b
    )
    study.seg = {"a": a, "b": b, "c": c, "d": d, "e": e}
    study.base = f"/api/v1/projects/{study.project.id}/adjudication"
    return study


def client(study, role):
    c = APIClient(raise_request_exception=False)
    if role != "anonymous":
        c.force_authenticate(user=study.users[role])
    return c


def call(study, role, method, path, body=None):
    c = client(study, role)
    url = f"{study.base}/{path}"
    if method == "get":
        return c.get(url, body or {})
    return getattr(c, method)(url, body or {}, format="json")


def statuses(study, method, path, body=None, roles=ROLES):
    return {role: call(study, role, method, path, body).status_code for role in roles}


def expect(owner, adjudicator, coder, viewer):
    return {
        "owner": owner,
        "adjudicator": adjudicator,
        "coder": coder,
        "viewer": viewer,
        "outsider": 404,
        "anonymous": 401,
    }


ANALYSTS_ONLY = expect(200, 200, 403, 403)


# --- the role matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("queue/", ANALYSTS_ONLY),
        ("queue/?kind=unanimous", ANALYSTS_ONLY),
        ("units/{b}/", ANALYSTS_ONLY),
        ("final/", expect(200, 200, 200, 200)),
        ("coder-agreement/", expect(200, 200, 200, 403)),
        ("settings/", expect(200, 403, 403, 403)),
    ],
)
def test_reads_by_role_write_nothing(world, path, expected):
    mark = AuditEvent.objects.count()
    assert statuses(world, "get", path.format(b=world.seg["b"].pk)) == expected
    assert AuditEvent.objects.count() == mark


def test_deciding_by_role(world):
    b, d = world.seg["b"], world.seg["d"]
    body = {"method": "union", "rationale": "Both apply."}
    refused = statuses(
        world, "post", f"units/{b.pk}/decide", body, roles=("coder", "viewer", "outsider", "anonymous")
    )
    assert refused == {"coder": 403, "viewer": 403, "outsider": 404, "anonymous": 401}
    assert not Decision.objects.exists()
    assert call(world, "owner", "post", f"units/{b.pk}/decide", body).status_code == 201
    response = call(world, "adjudicator", "post", f"units/{d.pk}/decide", body)
    assert response.status_code == 201, response.json()
    assert response.json()["provenance"] == "adjudicated"
    assert Decision.objects.count() == 2
    assert AuditEvent.objects.filter(action="adjudication.decision.create").count() == 2


def test_bulk_by_role(world):
    body = {"kind": "unanimous"}
    for path in ("bulk/preview", "bulk/apply"):
        refused = statuses(world, "post", path, body, roles=("coder", "viewer", "outsider", "anonymous"))
        assert refused == {"coder": 403, "viewer": 403, "outsider": 404, "anonymous": 401}
    assert not Decision.objects.exists()
    preview = call(world, "adjudicator", "post", "bulk/preview", body)
    assert preview.status_code == 200
    applied = call(world, "owner", "post", "bulk/apply", body)
    assert applied.status_code == 201
    assert applied.json() == preview.json()
    assert applied.json()["units"] == 2
    assert Decision.objects.count() == 2
    assert call(world, "adjudicator", "post", "bulk/apply", {"kind": "single_coded"}).json()["units"] == 0


def test_settings_are_for_owners_and_audited(world):
    body = {"hide_coder_names": True}
    refused = statuses(
        world, "patch", "settings/", body, roles=("adjudicator", "coder", "viewer", "outsider", "anonymous")
    )
    assert refused == {"adjudicator": 403, "coder": 403, "viewer": 403, "outsider": 404, "anonymous": 401}
    assert not AdjudicationSettings.objects.exists()
    response = call(world, "owner", "patch", "settings/", body)
    assert response.json() == {"hide_coder_names": True, "adjudicator_may_adjudicate_own_units": False}
    assert AuditEvent.objects.filter(action="adjudication.settings.update").count() == 1
    assert call(world, "owner", "get", "settings/").json()["hide_coder_names"] is True


# --- what the adjudicator sees -------------------------------------------------------------------------


def test_the_unit_view_shows_the_versions_side_by_side_with_the_codebook_and_memos(world):
    harm, diversion, _ = world.codes
    b = world.seg["b"]
    body = call(world, "adjudicator", "get", f"units/{b.pk}/").json()
    assert body["ready"] is True
    assert body["kind"] == "disagreement"
    assert body["segment"]["text"] == "P01: We divert people, mostly 1."
    by_name = {c["username"]: c for c in body["coders"]}
    assert by_name["coder"]["label"] == f"Coder {label(world, b, 'coder')}"
    assert [x["code_id"] for x in by_name["coder"]["codings"]] == [harm.pk]
    assert [x["code_id"] for x in by_name["coder2"]["codings"]] == [diversion.pk]
    assert sorted(c["id"] for c in body["codes"]) == sorted([harm.pk, diversion.pk])
    assert set(body["codes"][0]) >= {"definition", "inclusion", "exclusion", "path"}
    assert body["disputed_codes"] == sorted([harm.pk, diversion.pk])
    assert [m["text"] for m in body["memos"]] == ["Diversion, surely."]
    assert body["memos"][0]["author"]["username"] == "coder2"
    assert body["decisions"] == []


def test_hidden_names_show_coders_as_letters_and_decisions_name_them_by_letter(world):
    AdjudicationSettings.objects.create(project=world.project, hide_coder_names=True)
    d = world.seg["d"]
    body = call(world, "adjudicator", "get", f"units/{d.pk}/").json()
    assert [c["label"] for c in body["coders"]] == ["Coder A", "Coder B"]
    assert all(c["user_id"] is None and c["username"] is None for c in body["coders"])
    assert body["memos"] == []
    dumped = json.dumps(body)
    assert '"coder"' not in dumped
    assert '"coder2"' not in dumped
    # By id is refused while names are hidden; by letter works.
    by_id = call(
        world,
        "adjudicator",
        "post",
        f"units/{d.pk}/decide",
        {"method": "accept_coder", "coder": str(world.users["coder"].pk)},
    )
    assert by_id.status_code == 400
    assert "is not one of this unit's coders" in by_id.json()["detail"]
    letter = label(world, d, "coder2")
    ok = call(
        world, "adjudicator", "post", f"units/{d.pk}/decide", {"method": "accept_coder", "coder": letter}
    )
    assert ok.status_code == 201, ok.json()
    decision = call(world, "adjudicator", "get", f"units/{d.pk}/").json()["decisions"][0]
    assert decision["accepted_coder"] == decision["agreed_with"][0] == f"Coder {letter}"


def test_the_queue_api_with_filters(world):
    _harm, diversion, _ = world.codes
    s = world.seg

    def segments(**params):
        response = call(world, "adjudicator", "get", "queue/", params)
        assert response.status_code == 200, response.json()
        return [u["segment_id"] for u in response.json()["results"]]

    assert segments() == [s["b"].pk, s["d"].pk]
    assert segments(kind="unanimous") == [s["a"].pk, s["e"].pk]
    assert segments(document=world.documents[1].pk) == [s["d"].pk]
    assert segments(code=diversion.pk) == [s["b"].pk]
    assert segments(coders=f"{world.users['coder'].pk},{world.users['coder2'].pk}") == [s["b"].pk, s["d"].pk]


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("get", "queue/", {"kind": "everything"}, 400, "Invalid input"),
        ("get", "queue/", {"coders": "1"}, 400, "Invalid input"),
        ("get", "queue/", {"document": "x"}, 400, "Invalid input"),
        ("get", "units/999999/", None, 404, "not a unit"),
        ("post", "units/999999/decide", {"method": "union"}, 404, "not a unit"),
        ("post", "units/{b}/decide", {}, 400, "Invalid input"),
        ("post", "units/{b}/decide", {"method": "vote"}, 400, "Invalid input"),
        ("post", "units/{b}/decide", {"method": "union"}, 400, "give a rationale"),
        ("post", "units/{b}/decide", {"method": "custom", "rationale": "x"}, 400, "needs the final set"),
        (
            "post",
            "units/{b}/decide",
            {"method": "custom", "codings": [{"code": 1, "span_start": 3}]},
            400,
            "both span_start and span_end",
        ),
        ("post", "units/{b}/decide", {"method": "custom", "codings": "harm"}, 400, "Invalid input"),
        (
            "post",
            "units/{b}/decide",
            {"method": "union", "rationale": "x", "coder": "A"},
            400,
            "only with method 'accept_coder'",
        ),
        (
            "post",
            "units/{b}/decide",
            {"method": "union", "rationale": "x", "supersedes": 12345},
            409,
            "has none",
        ),
        ("post", "units/{c}/decide", {"method": "union", "rationale": "x"}, 409, "not ready"),
        ("post", "bulk/preview", {"kind": "majority"}, 400, "needs m"),
        ("post", "bulk/apply", {"kind": "majority", "m": "two"}, 400, "Invalid input"),
        ("post", "bulk/apply", {"kind": "unanimous", "m": 2}, 400, "m applies only"),
        ("get", "final/", {"document": "-1"}, 400, "Invalid input"),
        ("patch", "settings/", {"hide_coder_names": "perhaps"}, 400, "Invalid input"),
    ],
)
def test_bad_input_is_a_4xx_with_a_detail_and_writes_nothing(world, method, path, body, status, detail):
    mark = AuditEvent.objects.count()
    role = "owner"
    response = call(world, role, method, path.format(b=world.seg["b"].pk, c=world.seg["c"].pk), body)
    assert response.status_code == status, response.content
    assert detail in response.json()["detail"]
    assert AuditEvent.objects.count() == mark
    assert not Decision.objects.exists()


def test_a_malformed_json_body_is_a_400(world):
    c = client(world, "owner")
    response = c.post(
        f"{world.base}/units/{world.seg['b'].pk}/decide", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


# --- blind coding after adjudication -------------------------------------------------------------------


def test_after_adjudication_a_coder_sees_the_final_coding_of_their_unit_but_not_colleagues_raw_codings(world):
    _harm, diversion, _treatment = world.codes
    b, d = world.seg["b"], world.seg["d"]
    assert (
        call(
            world,
            "adjudicator",
            "post",
            f"units/{b.pk}/decide",
            {"method": "accept_coder", "coder": label(world, b, "coder2")},
        ).status_code
        == 201
    )

    def final(role, **params):
        response = call(world, role, "get", "final/", params)
        assert response.status_code == 200
        return [(r["segment_id"], r["code_id"], r["provenance"]) for r in response.json()["results"]]

    assert final("coder") == [(b.pk, diversion.pk, "adjudicated")]
    assert final("coder", document=world.documents[1].pk) == []
    assert final("viewer") == [(b.pk, diversion.pk, "adjudicated")]
    assert final("coder3") == []  # a coder never assigned the unit

    codings = client(world, "coder").get(f"/api/v1/projects/{world.project.id}/codings/", {"page_size": 500})
    visible = {r["id"] for r in codings.json()["results"]}
    colleague_on_d = set(
        Coding.objects.filter(coder=world.users["coder2"], segment=d).values_list("id", flat=True)
    )
    assert colleague_on_d
    assert not (visible & colleague_on_d)
    own = set(Coding.objects.filter(coder=world.users["coder"]).values_list("id", flat=True))
    assert own <= visible


# --- where a unit is: queue items and the unit's neighbouring turns ----------------------------------------


def test_queue_items_say_where_they_are_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from annotate.adjudication.selectors import excerpt

    with django_assert_max_num_queries(12):
        response = call(world, "owner", "get", "queue/")
    assert response.status_code == 200
    items = response.json()["results"]
    assert [item["segment_id"] for item in items] == [world.seg["b"].id, world.seg["d"].id]
    for item in items:
        segment = world.seg["b"] if item["segment_id"] == world.seg["b"].id else world.seg["d"]
        text = segment.document.text[segment.start_offset : segment.end_offset]
        assert item["where"] == {
            "document_title": segment.document.title,
            "case": segment.document.case.identifier,
            "segment_number": segment.position + 1,
            "speaker": segment.speaker,
            "excerpt": excerpt(text),
        }


def test_an_excerpt_is_cut_at_a_word_with_an_ellipsis():
    from annotate.adjudication.selectors import excerpt

    long = (
        "Harm reduction, plainly: naloxone in every patrol car, and syringe services at every clinic we run."
    )
    cut = excerpt(long, 40)
    assert cut.endswith("…")
    assert len(cut) <= 41
    assert long.startswith(cut[:-1])
    assert long[len(cut) - 1] == " "  # the cut falls between words
    assert excerpt("Short  and\nspaced.") == "Short and spaced."


def test_the_unit_view_has_its_neighbouring_turns_and_says_which_decisions_need_a_rationale(world):
    b = world.seg["b"]
    body = call(world, "adjudicator", "get", f"units/{b.id}/").json()
    assert body["segment"]["segment_number"] == b.position + 1
    assert body["segment"]["case"] == b.document.case.identifier
    around = b.document.segments.filter(position__range=(b.position - 2, b.position + 2)).exclude(pk=b.pk)
    assert [n["id"] for n in body["neighbours"]] == list(
        around.order_by("position").values_list("id", flat=True)
    )
    assert any(not n["codable"] for n in body["neighbours"])  # the interviewer's turns are there, as context
    assert all(n["before"] == (n["segment_number"] <= b.position) for n in body["neighbours"])
    # Harm against diversion: the union and the intersection are nobody's set, so each needs a rationale.
    assert body["rationale_required"] == {"accept_coder": False, "union": True, "intersection": True}
    # Coders agreeing on nothing ("e"): every decision equals someone's set.
    e = call(world, "adjudicator", "get", f"units/{world.seg['e'].id}/").json()
    assert e["rationale_required"] == {"accept_coder": False, "union": False, "intersection": False}
