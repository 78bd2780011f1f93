"""Document services: a transcript and its segments are created together with one audit event, or not
at all; duplicates and offsets outside the text are refused before anything is written."""

import hashlib
import re
from unittest import mock

import pytest

from annotate.coding.services import coding_create
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Document, Segment
from annotate.documents.services import (
    SegmentSpec,
    document_create,
    document_delete,
    document_update,
    segmentation_digest,
)
from annotate.memos.services import memo_create
from tests.annotate.db import audit_mark, audit_since
from tests.factories import ProjectFactory, UserFactory, make_case, make_code

TEXT = "Interviewer: How?\n\nP01: We reduce harm.\n\nP01: And we divert people."


@pytest.fixture
def project(db):
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.fixture
def owner(project):
    return project.created_by


@pytest.fixture
def case(project, owner):
    return make_case(project, owner, identifier="P01")


def create(project, owner, case, text=TEXT, **kwargs):
    kwargs.setdefault("title", "Interview P01")
    return document_create(project=project, actor=owner, case=case, text=text, **kwargs)


def nothing_written(project, mark):
    assert not Document.objects.filter(project=project).exists()
    assert not Segment.objects.exists()
    assert audit_since(mark) == []


def test_document_create_stores_paragraph_segments_and_one_event(project, owner, case):
    mark = audit_mark()
    document = create(project, owner, case)
    spans = list(document.segments.order_by("position").values_list("start_offset", "end_offset"))
    assert spans == [(0, 17), (19, 39), (41, 67)]
    assert [TEXT[a:b] for a, b in spans] == TEXT.split("\n\n")
    assert document.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert (document.text_length, document.analysis_order) == (len(TEXT), 1)
    (event,) = audit_since(mark)
    assert (event.action, event.object_id, event.before) == ("document.create", str(document.id), None)
    expected_specs = [SegmentSpec(start=a, end=b) for a, b in spans]
    assert event.after["segments"] == {
        "count": 3,
        "codable": 3,
        "digest": segmentation_digest(expected_specs),
    }
    assert event.after["case"] == case.id


def test_analysis_order_defaults_to_the_next_position(project, owner, case):
    create(project, owner, case, analysis_order=5)
    assert create(project, owner, case, text="P01: Later.").analysis_order == 6


@pytest.mark.parametrize(
    "text",
    [TEXT, TEXT.replace("\n", "\r\n")],
    ids=["identical", "same-text-with-CRLF"],
)
def test_a_duplicate_transcript_is_refused(project, owner, case, text):
    first = create(project, owner, case)
    mark = audit_mark()
    with pytest.raises(ApplicationError) as refused:
        create(project, owner, case, text=text, title="Copy")
    assert refused.value.message == "This transcript is already in the project (as 'Interview P01')."
    assert refused.value.status == 409
    assert list(Document.objects.filter(project=project)) == [first]
    assert audit_since(mark) == []


def test_the_same_transcript_may_be_in_two_projects(project, owner, case):
    create(project, owner, case)
    other = ProjectFactory(creator=owner)
    create(other, owner, make_case(other, owner))


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([SegmentSpec(0, len(TEXT) + 1)], f"Segment 0 has offsets [0, {len(TEXT) + 1}) outside the text"),
        ([SegmentSpec(-1, 5)], "Segment 0 has offsets [-1, 5) outside the text"),
        ([SegmentSpec(0, 10), SegmentSpec(5, 5)], "Segment 1 has offsets [5, 5) outside the text"),
        ([SegmentSpec(0, 10), SegmentSpec(12, 8)], "Segment 1 has offsets [12, 8) outside the text"),
        ([SegmentSpec(0, 20), SegmentSpec(19, 30)], "Segment 1 overlaps the segment before it"),
        ([SegmentSpec(20, 30), SegmentSpec(0, 10)], "Segment 1 overlaps the segment before it"),
        ([], "The transcript has no segments."),
    ],
    ids=["beyond-end", "negative", "empty", "backwards", "overlap", "out-of-order", "none"],
)
def test_bad_offsets_are_refused_before_anything_is_written(project, owner, case, specs, message):
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=re.escape(message)):
        create(project, owner, case, segments=specs, normalise=False)
    nothing_written(project, mark)


def test_segments_may_cover_the_whole_text(project, owner, case):
    document = create(
        project, owner, case, segments=[SegmentSpec(0, len(TEXT), speaker="P01")], normalise=False
    )
    assert document.segments.get().text == TEXT


@pytest.mark.parametrize(
    ("text", "message"), [("", "The transcript is empty"), (" \n\n ", "The transcript is empty")]
)
def test_an_empty_transcript_is_refused(project, owner, case, text, message):
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=message):
        create(project, owner, case, text=text)
    nothing_written(project, mark)


def test_a_case_from_another_project_is_refused(project, owner):
    other = ProjectFactory(creator=owner)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=r"^That case belongs to another project\.$"):
        create(project, owner, make_case(other, owner))
    assert not Document.objects.exists()
    assert [e.action for e in audit_since(mark)] == ["case.create"]  # the other project's case, only


def test_when_the_event_cannot_be_written_no_document_or_segment_remains(project, owner, case):
    mark = audit_mark()
    with (
        mock.patch("annotate.audit.services._append", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        create(project, owner, case)
    nothing_written(project, mark)


def test_document_update_records_before_and_after(project, owner, case):
    document = create(project, owner, case)
    other_case = make_case(project, owner, identifier="P02")
    mark = audit_mark()
    document_update(document=document, actor=owner, data={"title": "P02 interview", "case": other_case})
    (event,) = audit_since(mark)
    assert event.action == "document.update"
    assert (event.before["title"], event.before["case"]) == ("Interview P01", case.id)
    assert (event.after["title"], event.after["case"]) == ("P02 interview", other_case.id)
    assert event.after["sha256"] == event.before["sha256"]


def test_document_update_refuses_a_case_from_another_project(project, owner, case):
    document = create(project, owner, case)
    other = ProjectFactory(creator=owner)
    foreign = make_case(other, owner)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=r"^That case belongs to another project\.$"):
        document_update(document=document, actor=owner, data={"case": foreign, "title": "Moved"})
    document.refresh_from_db()
    assert (document.case_id, document.title) == (case.id, "Interview P01")
    assert audit_since(mark) == []


def test_document_update_that_changes_nothing_records_nothing(project, owner, case):
    document = create(project, owner, case)
    mark = audit_mark()
    document_update(document=document, actor=owner, data={"title": "Interview P01"})
    assert audit_since(mark) == []


def test_document_delete_removes_the_segments_and_records_them(project, owner, case):
    document = create(project, owner, case)
    mark = audit_mark()
    document_delete(document=document, actor=owner, reason="Consent withdrawn.")
    (event,) = audit_since(mark)
    assert (event.action, event.reason, event.after) == ("document.delete", "Consent withdrawn.", None)
    assert event.before["segments"] == {"count": 3}
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not Segment.objects.filter(document_id=document.pk).exists()


def test_a_coded_transcript_cannot_be_deleted(project, owner, case):
    document = create(project, owner, case)
    code = make_code(project, owner)
    coding_create(project_id=project.id, coder=owner, segment=document.segments.last(), code=code)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="This transcript has codings") as refused:
        document_delete(document=document, actor=owner)
    assert refused.value.status == 409
    assert document.segments.count() == 3
    assert audit_since(mark) == []


def test_a_transcript_with_segment_memos_cannot_be_deleted(project, owner, case):
    document = create(project, owner, case)
    memo_create(project_id=project.id, author=owner, text="Note", segment=document.segments.first())
    with pytest.raises(ApplicationError, match="has memos on its segments"):
        document_delete(document=document, actor=owner)
    assert Document.objects.filter(pk=document.pk).exists()
