"""PUT …/segments/{id}/codings: replace-the-set with a version, offsets in either unit, who may code."""

import pytest
from rest_framework.test import APIClient

from annotate.audit.models import AuditEvent
from annotate.codebook.services import code_update
from annotate.coding.models import Coding
from annotate.coding.offsets import codepoint_to_utf16, utf16_to_codepoint
from annotate.coding_loop.done import assignment_done
from annotate.coding_loop.queue import queue_next
from annotate.core.exceptions import ApplicationError
from tests.annotate.assignments.study import apply_plan, build_study
from tests.annotate.db import actions_since, audit_mark, audit_since
from tests.factories import make_case, make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    study = build_study(n_documents=3)
    apply_plan(study)
    return study


def client(user):
    c = APIClient(raise_request_exception=False)
    c.force_authenticate(user=user)
    return c


def url(study, segment_id):
    return f"/api/v1/projects/{study.project.id}/segments/{segment_id}/codings/"


def held(study, who="coder"):
    return queue_next(project_id=study.project.id, user=study.users[who])


def put(study, who, segment_id, codings, version, **extra):
    return client(study.users[who]).put(
        url(study, segment_id), {"version": version, "codings": codings, **extra}, format="json"
    )


def test_put_replaces_the_set_and_bumps_the_version(study):
    unit = held(study)
    harm, diversion, treatment = (c.pk for c in study.codes)
    mark = audit_mark()
    first = put(study, "coder", unit.segment_id, [{"code": harm}, {"code": diversion}], 0)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["version"], body["changed"], body["offset_unit"]) == (1, True, "codepoint")
    assert sorted(c["code"] for c in body["codings"]) == [harm, diversion]
    second = put(study, "coder", unit.segment_id, [{"code": diversion}, {"code": treatment}], 1)
    assert second.json()["version"] == 2
    assert sorted(
        Coding.objects.filter(segment_id=unit.segment_id).values_list("code_id", flat=True)
    ) == sorted([diversion, treatment])
    events = audit_since(mark)
    assert [e.action for e in events] == ["coding.create", "coding.create", "coding.delete", "coding.create"]
    assert events[2].before["code"] == harm
    assert events[3].after["code"] == treatment


def test_a_stale_version_gets_409_and_changes_nothing(study):
    unit = held(study)
    harm, diversion, _ = (c.pk for c in study.codes)
    put(study, "coder", unit.segment_id, [{"code": harm}], 0)
    mark = audit_mark()
    stale = put(study, "coder", unit.segment_id, [{"code": diversion}], 0)
    assert stale.status_code == 409
    assert stale.json()["version"] == 1
    assert "changed since you loaded them" in stale.json()["detail"]
    assert actions_since(mark) == []
    assert list(Coding.objects.filter(segment_id=unit.segment_id).values_list("code_id", flat=True)) == [harm]


def test_the_same_request_twice_changes_nothing_the_second_time(study):
    unit = held(study)
    body = [{"code": study.codes[0].pk}]
    assert put(study, "coder", unit.segment_id, body, 0).json()["changed"] is True
    mark = audit_mark()
    again = put(study, "coder", unit.segment_id, body, 0)
    assert again.status_code == 200
    assert (again.json()["changed"], again.json()["version"]) == (False, 1)
    assert actions_since(mark) == []


def test_get_returns_the_callers_own_set_and_version(study):
    unit = held(study)
    put(study, "coder", unit.segment_id, [{"code": study.codes[0].pk}], 0)
    body = client(study.users["coder"]).get(url(study, unit.segment_id)).json()
    assert (body["version"], [c["code"] for c in body["codings"]]) == (1, [study.codes[0].pk])


@pytest.mark.parametrize(
    ("codings", "message"),
    [
        ([{"code": 999_999}], "not in this project's codebook"),
        ([{"code": "x"}], "Invalid input"),
        ([{"code": 1, "span_start": 3}], "both span_start and span_end"),
    ],
)
def test_bad_input_is_a_400_with_a_detail(study, codings, message):
    unit = held(study)
    response = put(study, "coder", unit.segment_id, codings, 0, offset_unit="codepoint")
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]


def test_spans_must_name_their_unit_and_lie_inside_the_segment(study):
    unit = held(study)
    seg = unit.segment
    code = study.codes[0].pk
    unnamed = put(
        study,
        "coder",
        seg.pk,
        [{"code": code, "span_start": seg.start_offset, "span_end": seg.end_offset}],
        0,
    )
    assert unnamed.status_code == 400
    assert "offset_unit" in unnamed.json()["detail"]
    outside = put(
        study, "coder", seg.pk, [{"code": code, "span_start": 0, "span_end": 2}], 0, offset_unit="codepoint"
    )
    assert outside.status_code == 400
    assert "must lie inside its segment" in outside.json()["detail"]


def test_only_active_codes_can_be_applied_and_a_deactivated_one_stays_visible(study):
    unit = held(study)
    harm, diversion, _ = study.codes
    put(study, "coder", unit.segment_id, [{"code": harm.pk}], 0)
    code_update(code=harm, actor=study.users["owner"], data={"is_active": False}, rationale="Merged away.")
    body = client(study.users["coder"]).get(url(study, unit.segment_id)).json()
    assert body["codings"][0]["code_active"] is False
    # Keeping it is fine; adding another deactivated code is not.
    kept = put(study, "coder", unit.segment_id, [{"code": harm.pk}, {"code": diversion.pk}], 1)
    assert kept.status_code == 200, kept.content
    code_update(code=diversion, actor=study.users["owner"], data={"is_active": False}, rationale="Too.")
    other = held(study, "coder2")
    refused = put(study, "coder2", other.segment_id, [{"code": diversion.pk}], 0)
    assert refused.status_code == 400
    assert "deactivated" in refused.json()["detail"]


def test_coding_needs_an_assignment_except_for_owners(study):
    not_mine = held(study, "coder2")
    code = study.codes[0].pk
    refused = put(study, "coder", not_mine.segment_id, [{"code": code}], 0)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This unit is not assigned to you."
    assert put(study, "adjudicator", not_mine.segment_id, [{"code": code}], 0).status_code == 403
    assert put(study, "owner", not_mine.segment_id, [{"code": code}], 0).status_code == 200
    assert put(study, "viewer", not_mine.segment_id, [{"code": code}], 0).status_code == 403
    assert put(study, "outsider", not_mine.segment_id, [{"code": code}], 0).status_code == 404


def test_a_done_unit_answers_409_until_reopened(study):
    unit = held(study)
    assignment_done(project_id=study.project.id, user=study.users["coder"], segment_id=unit.segment_id)
    response = put(study, "coder", unit.segment_id, [{"code": study.codes[0].pk}], 0)
    assert response.status_code == 409
    assert "reopen" in response.json()["detail"]


def test_the_version_does_not_reveal_a_colleagues_activity():
    study = build_study(n_documents=2)
    apply_plan(study, overlap=3, sample_fraction=1.0)
    unit = held(study, "coder")
    assert held(study, "coder2").segment_id == unit.segment_id
    for version in range(3):
        assert (
            put(study, "coder2", unit.segment_id, [{"code": study.codes[version].pk}], version).status_code
            == 200
        )
    mine = client(study.users["coder"]).get(url(study, unit.segment_id)).json()
    assert (mine["version"], mine["codings"]) == (0, [])
    assert put(study, "coder", unit.segment_id, [{"code": study.codes[0].pk}], 0).json()["version"] == 1


# --- offsets -----------------------------------------------------------------------------------------

EMOJI_TEXT = "P01: Harm 🙂 reduction, café́ and 👩‍👩‍👧 families.\n\nP01: More."


def test_offset_conversion_counts_astral_characters_twice_in_utf16():
    smile = EMOJI_TEXT.index("🙂")
    assert codepoint_to_utf16(EMOJI_TEXT, smile + 1) == smile + 2
    assert utf16_to_codepoint(EMOJI_TEXT, smile + 2) == smile + 1
    # A combining mark is one code point and one UTF-16 unit.
    mark = EMOJI_TEXT.index("\u0301")
    assert codepoint_to_utf16(EMOJI_TEXT, mark + 1) - codepoint_to_utf16(EMOJI_TEXT, mark) == 1
    with pytest.raises(ApplicationError, match="inside a character"):
        utf16_to_codepoint(EMOJI_TEXT, smile + 1)
    for i in range(len(EMOJI_TEXT) + 1):
        assert utf16_to_codepoint(EMOJI_TEXT, codepoint_to_utf16(EMOJI_TEXT, i)) == i


def test_spans_in_utf16_are_stored_as_code_points_and_returned_in_the_unit_asked():
    study = build_study(n_documents=1)
    owner = study.users["owner"]
    document = make_document(
        study.project,
        owner,
        case=make_case(study.project, owner, identifier="E1"),
        text=EMOJI_TEXT,
        title="Emoji",
    )
    segment = document.segments.order_by("position").first()
    family = EMOJI_TEXT.index("👩")
    end = EMOJI_TEXT.index(" families")
    u16 = (codepoint_to_utf16(EMOJI_TEXT, family), codepoint_to_utf16(EMOJI_TEXT, end))
    assert u16[1] - u16[0] == 8
    assert end - family == 5
    response = put(
        study,
        "owner",
        segment.pk,
        [{"code": study.codes[0].pk, "span_start": u16[0], "span_end": u16[1]}],
        0,
        offset_unit="utf16",
    )
    assert response.status_code == 200, response.content
    assert response.json()["offset_unit"] == "utf16"
    assert (response.json()["codings"][0]["span_start"], response.json()["codings"][0]["span_end"]) == u16
    coding = Coding.objects.get(segment=segment)
    assert EMOJI_TEXT[coding.span_start : coding.span_end] == "👩‍👩‍👧"
    as_cp = client(owner).get(url(study, segment.pk), {"offset_unit": "codepoint"}).json()
    assert (as_cp["codings"][0]["span_start"], as_cp["codings"][0]["span_end"]) == (family, end)
    inside = put(
        study,
        "owner",
        segment.pk,
        [{"code": study.codes[1].pk, "span_start": u16[0] + 1, "span_end": u16[1]}],
        1,
        offset_unit="utf16",
    )
    assert inside.status_code == 400
    assert "surrogate pair" in inside.json()["detail"]
    assert AuditEvent.objects.filter(action="coding.create", object_id=str(coding.pk)).count() == 1


@pytest.mark.parametrize("where", ["missing", "another project"])
def test_put_on_a_segment_outside_the_project_is_404_and_changes_nothing(study, where):
    from annotate.coding.models import SegmentCodingVersion
    from tests.factories import ProjectFactory, UserFactory

    if where == "missing":
        segment_id = 10**9
    else:
        other = ProjectFactory(creator=UserFactory())
        segment_id = make_document(other, other.created_by).segments.first().pk
    mark = audit_mark()
    response = put(study, "coder", segment_id, [{"code": study.codes[0].pk}], 0)
    assert response.status_code == 404
    assert response.json()["detail"] == "Segment not found in this project."
    assert not SegmentCodingVersion.objects.filter(segment_id=segment_id).exists()
    assert not Coding.objects.filter(segment_id=segment_id).exists()
    assert audit_since(mark) == []


_WELL_FORMED = [
    {"version": 0, "codings": []},
    {"version": 3, "codings": [{"code": 5}, {"code": 6, "span_start": 0, "span_end": 4}]},
    {"version": 1, "offset_unit": "utf16", "codings": [{"code": 5, "span_start": 2, "span_end": 9}]},
    {
        "version": 1,
        "offset_unit": "codepoint",
        "codings": [{"code": 5, "span_start": None, "span_end": None}],
    },
]


@pytest.mark.parametrize("body", _WELL_FORMED)
def test_the_usual_put_bodies_are_read_directly(body):
    from annotate.coding_loop.apis import _plain_set_request

    assert _plain_set_request(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        *_WELL_FORMED,
        # What the direct reading leaves to the serializers (which accept some and refuse others):
        {"version": "2", "codings": [{"code": 5}]},
        {"version": True, "codings": []},
        {"version": -1, "codings": []},
        {"version": 0, "codings": [{"code": "5"}]},
        {"version": 0, "codings": [{"code": 5, "span_start": 3}]},
        {"version": 0, "codings": [{"code": 5, "span_start": -1, "span_end": 2}]},
        {"version": 0, "codings": [{"code": 5, "span_start": 0, "span_end": 0}]},
        {"version": 0, "codings": [{"code": 5, "memo": "x"}]},
        {"version": 0, "codings": [{"code": 5}] * 501},
        {"version": 0, "offset_unit": None, "codings": []},
        {"version": 0, "offset_unit": "bytes", "codings": []},
        {"version": 0, "codings": "5"},
        {"version": 0, "codings": [5]},
        {"version": 0, "codings": [], "extra": 1},
        {"codings": []},
        [],
    ],
)
def test_the_direct_reading_of_a_put_agrees_with_the_serializers(body):
    """``_plain_set_request`` reads the usual body without the serializers; whatever it accepts, the
    serializers accept too, with the same result, and it leaves everything else to them."""
    from rest_framework.exceptions import ValidationError

    from annotate.coding_loop.apis import SegmentCodingSetApi, _plain_set_request

    plain = _plain_set_request(body)
    try:
        data = SegmentCodingSetApi.InputSerializer(data=body)
        data.is_valid(raise_exception=True)
        items = SegmentCodingSetApi.CodingInputSerializer(data=data.validated_data["codings"], many=True)
        items.is_valid(raise_exception=True)
        expected = (
            data.validated_data["version"],
            data.validated_data.get("offset_unit"),
            items.validated_data,
        )
    except ValidationError:
        expected = None
    if plain is not None:
        assert expected is not None, "the direct reading accepted what the serializers refuse"
        assert plain == (expected[0], expected[1], [dict(item) for item in expected[2]])
    else:
        assert body not in _WELL_FORMED
