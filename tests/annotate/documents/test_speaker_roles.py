"""Saying who interviewed, after the import: the speakers' turns become context or codable, the
assignment plan follows, and no coding or submitted unit is ever hidden (409 instead)."""

import pytest

from annotate.assignments.models import Assignment, Unit
from annotate.audit.models import AuditEvent
from annotate.coding.rules import CodingSpec
from annotate.coding_loop.codings import coding_set_replace
from annotate.coding_loop.done import assignment_done
from annotate.coding_loop.queue import queue_next
from annotate.documents.models import Segment
from tests.annotate.assignments.study import apply_plan, build_study
from tests.annotate.db import actions_since, audit_mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    study = build_study(n_documents=2)
    apply_plan(study)
    return study


def put(client, study, document, interviewers):
    return client.put(
        f"/api/v1/projects/{study.project.id}/documents/{document.id}/speakers/",
        {"interviewers": interviewers},
        format="json",
    )


def state(document):
    return list(document.segments.order_by("position").values_list("speaker", "codable"))


def test_the_interviewer_turns_become_codable_and_join_the_plan(study, api_client_for):
    document = study.documents[0]
    owner = api_client_for(study.users["owner"])
    speakers = owner.get(f"/api/v1/projects/{study.project.id}/documents/{document.id}/speakers/").json()
    assert speakers == [
        {"speaker": "Interviewer", "turns": 2, "codable": 0, "codings": 0},
        {"speaker": "P01", "turns": 3, "codable": 3, "codings": 0},
    ]
    units = Unit.objects.filter(document=document).count()
    mark = audit_mark()
    response = put(owner, study, document, [])
    assert response.status_code == 200, response.json()
    assert response.json()["turns_to_codable"] == 2
    assert response.json()["units_added"] == 2
    assert all(codable for _, codable in state(document))
    assert Unit.objects.filter(document=document).count() == units + 2
    # A whole-transcript plan: the turns that joined go to the coder who holds the transcript.
    holders = set(Assignment.objects.filter(segment__document=document).values_list("coder_id", flat=True))
    assert len(holders) == 1
    assert actions_since(mark) == ["assignment_plan.extend", "document.speaker_roles"]
    event = AuditEvent.objects.get(action="document.speaker_roles")
    assert event.before == {"interviewers": ["Interviewer"]}
    assert event.after["interviewers"] == []


def test_turns_that_become_context_leave_the_plan_when_nobody_has_coded_them(study, api_client_for):
    document = study.documents[1]
    response = put(api_client_for(study.users["owner"]), study, document, ["Interviewer", "P02"])
    assert response.status_code == 200, response.json()
    assert response.json()["units_withdrawn"] == 3
    assert not any(codable for _, codable in state(document))
    assert not Unit.objects.filter(document=document).exists()
    assert not Assignment.objects.filter(segment__document=document).exists()


def test_a_coding_or_a_submitted_unit_is_never_hidden_as_context(study, api_client_for):
    document = study.documents[0]
    coder = Assignment.objects.filter(segment__document=document).first().coder
    unit = queue_next(project_id=study.project.id, user=coder)
    assert unit.segment.document_id == document.id
    owner = api_client_for(study.users["owner"])
    before, events = state(document), AuditEvent.objects.count()

    assignment_done(project_id=study.project.id, user=coder, segment_id=unit.segment_id)
    response = put(owner, study, document, ["Interviewer", "P01"])
    assert response.status_code == 409
    assert "submitted 1 of these turns" in response.json()["detail"]

    other = Segment.objects.filter(document=document, codable=True).exclude(pk=unit.segment_id).first()
    coding_set_replace(
        project_id=study.project.id,
        coder=Assignment.objects.get(segment=other).coder,
        segment=other,
        codings=[CodingSpec(study.codes[0].pk)],
        version=0,
    )
    response = put(owner, study, document, ["Interviewer", "P01"])
    assert response.status_code == 409
    assert response.json()["detail"].startswith("1 coding(s) on 1 turn(s) of Interviewer, P01")
    assert state(document) == before
    assert AuditEvent.objects.count() == events + 2  # the done and the coding, nothing from the refusals


def test_unknown_speakers_and_other_roles_are_refused(study, api_client_for):
    document = study.documents[0]
    response = put(api_client_for(study.users["owner"]), study, document, ["Moderator"])
    assert response.status_code == 400
    assert "No turn of 'Moderator'" in response.json()["detail"]
    assert put(api_client_for(study.users["coder"]), study, document, []).status_code == 403
    assert put(api_client_for(study.users["outsider"]), study, document, []).status_code == 404
