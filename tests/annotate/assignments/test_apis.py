"""The coder's queue through the HTTP API: what ``queue/next`` and a held unit's view carry."""

import datetime as dt

import pytest
from django.utils import timezone

from annotate.assignments.models import Unit
from annotate.cases.services import attribute_define, case_update
from annotate.coding.rules import CodingSpec
from annotate.coding_loop.codings import coding_set_replace

from .study import apply_plan, build_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    study = build_study(n_documents=2, coders=1)
    owner = study.users["owner"]
    attribute_define(project=study.project, actor=owner, name="years", type="number")
    attribute_define(project=study.project, actor=owner, name="interviewed", type="date")
    case = study.documents[0].case
    case_update(
        case=case,
        actor=owner,
        data={"attributes": {"region": "North", "years": 6, "interviewed": "2026-03-01"}},
    )
    apply_plan(study)
    return study


def test_next_gives_the_unit_with_its_context_codes_and_progress(study, api_client_for):
    coder = study.users["coder"]
    document = study.documents[0]
    first = study.codable(document)[0]  # position 1; 0 and 2 are the interviewer's turns
    coding_set_replace(
        project_id=study.project.id,
        coder=coder,
        segment=first,
        codings=[
            CodingSpec(study.codes[1].pk),
            CodingSpec(study.codes[0].pk, span=(first.start_offset + 4, first.end_offset)),
        ],
        version=0,
    )
    client = api_client_for(coder)
    body = client.get(f"/api/v1/projects/{study.project.id}/queue/next/").json()
    unit = body["unit"]
    text = document.text
    assert unit["segment"] == {
        "id": first.pk,
        "position": 1,
        "speaker": "P01",
        "start_offset": first.start_offset,
        "end_offset": first.end_offset,
        "text": text[first.start_offset : first.end_offset],
    }
    assert unit["segment"]["text"] == "P01: We reduce harm in county 1."
    segments = {s.position: s for s in document.segments.all()}
    assert unit["neighbours"] == [
        {
            "id": segments[p].pk,
            "position": p,
            "speaker": segments[p].speaker,
            "start_offset": segments[p].start_offset,
            "end_offset": segments[p].end_offset,
            "codable": segments[p].codable,
            "text": text[segments[p].start_offset : segments[p].end_offset],
            "before": p < 1,
        }
        for p in (0, 2, 3)
    ]
    assert unit["neighbours"][0]["codable"] is False
    assert unit["document"] == {
        "id": document.pk,
        "title": "Interview P01",
        "case": {
            "id": document.case_id,
            "identifier": "P01",
            "attributes": {"region": "North", "years": 6.0, "interviewed": "2026-03-01"},
        },
    }
    assert unit["assignment"]["status"] == "assigned"
    assert unit["assignment"]["adjudicated"] is False
    version = study.project.codebook.versions.order_by("-number").first()
    assert unit["codebook_version"]["id"] == version.pk
    assert unit["codebook_version"]["number"] == version.number
    assert dt.datetime.fromisoformat(unit["codebook_version"]["created_at"]) == version.created_at
    codings = unit["codings"]
    assert codings["version"] == 1
    assert codings["offset_unit"] == "codepoint"
    assert sorted(
        (c["code"], c["code_name"], c["code_active"], c["span_start"]) for c in codings["items"]
    ) == sorted(
        [
            (study.codes[1].pk, "Diversion", True, None),
            (study.codes[0].pk, "Harm", True, first.start_offset + 4),
        ]
    )
    assert body["progress"] == {"assigned": 6, "done": 0, "remaining": 6}
    # The unit's own view (jump to a held unit) is the same, and says when it has been adjudicated.
    Unit.objects.filter(segment=first).update(adjudicated_at=timezone.now())
    detail = client.get(f"/api/v1/projects/{study.project.id}/assignments/{first.pk}/").json()
    assert detail["assignment"]["adjudicated"] is True
    assert detail["segment"] == unit["segment"]
    assert detail["neighbours"] == unit["neighbours"]


def test_next_when_nothing_is_left_says_so_with_the_progress(study, api_client_for):
    coder = study.users["coder"]
    client = api_client_for(coder)
    for _ in range(6):
        unit = client.get(f"/api/v1/projects/{study.project.id}/queue/next/").json()["unit"]
        response = client.post(
            f"/api/v1/projects/{study.project.id}/assignments/{unit['segment']['id']}/done/"
        )
        assert response.status_code == 200, response.json()
    body = client.get(f"/api/v1/projects/{study.project.id}/queue/next/").json()
    assert body == {"unit": None, "progress": {"assigned": 6, "done": 6, "remaining": 0}}


def test_the_loops_direct_outputs_are_what_their_documented_serializers_give(study):
    """The coding loop's views build their bodies directly (``unit_output``, ``set_coding_output``,
    ``assignment_state_output``); the serializers stay as the OpenAPI schema. Both must render the same."""
    import json

    from rest_framework.renderers import JSONRenderer

    from annotate.assignments.selectors import assignment_held_get
    from annotate.coding_loop.apis import (
        AssignmentStateOutputSerializer,
        SetCodingOutputSerializer,
        UnitOutputSerializer,
        assignment_state_output,
        set_coding_output,
        unit_output,
    )
    from annotate.coding_loop.done import assignment_done
    from annotate.coding_loop.unit import unit_context

    def rendered(data):
        return json.loads(JSONRenderer().render(data))

    coder = study.users["coder"]
    first = study.codable(study.documents[0])[0]
    result = coding_set_replace(
        project_id=study.project.id,
        coder=coder,
        segment=first,
        codings=[
            CodingSpec(study.codes[1].pk),
            CodingSpec(study.codes[0].pk, span=(first.start_offset, first.end_offset)),
        ],
        version=0,
    )
    assignment = assignment_held_get(project_id=study.project.id, user=coder, segment_id=first.pk)
    context = unit_context(assignment=assignment, user=coder)
    assert len(context["codings"]["items"]) == 2
    assert rendered(unit_output(context)) == rendered(UnitOutputSerializer(context).data)
    for coding in context["codings"]["items"]:
        assert rendered(set_coding_output(coding)) == rendered(SetCodingOutputSerializer(coding).data)
    assert result.changed
    done = assignment_done(project_id=study.project.id, user=coder, segment_id=first.pk)
    assert done.done_at is not None
    assert rendered(assignment_state_output(done)) == rendered(AssignmentStateOutputSerializer(done).data)
