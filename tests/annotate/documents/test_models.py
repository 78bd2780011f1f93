"""What the database refuses for documents and segments, whatever the services do: a text whose stored
length is wrong, a bad digest, a changed text, an empty or overlapping-position segment, and a segment that
points beyond its text (a statement-level trigger, so bulk inserts and updates are checked too)."""

import hashlib

import pytest

from annotate.cases.models import Case
from annotate.documents.models import Document, Segment
from tests.annotate.db import constraints_immediate, rejected
from tests.factories import ProjectFactory, UserFactory

TEXT = "P01: We reduce harm.\n\nP01: Café 👍."  # non-ASCII on purpose: lengths are code points


@pytest.fixture
def project(db):
    constraints_immediate()
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.fixture
def case(project):
    return Case.objects.create(project=project, identifier="P01")


def document_fields(project, case, text=TEXT, **overrides):
    fields = {
        "project": project,
        "case": case,
        "title": "Interview P01",
        "text": text,
        "text_length": len(text),
        "source_format": "txt",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "analysis_order": 1,
        "created_by": project.created_by,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def document(project, case):
    return Document.objects.create(**document_fields(project, case))


def test_a_valid_document_is_stored(document):
    stored = Document.objects.get(pk=document.pk)
    assert stored.text_length == len(TEXT) < len(TEXT.encode())


@pytest.mark.parametrize(
    "text_length",
    [len(TEXT) + 1, len(TEXT) - 1, len(TEXT.encode()), 0],
    ids=["one-more", "one-less", "utf8-bytes", "zero"],
)
def test_text_length_must_equal_the_texts_length_in_code_points(project, case, text_length):
    with rejected("document_text_length_exact"):
        Document.objects.create(**document_fields(project, case, text_length=text_length))


@pytest.mark.parametrize(
    "sha256",
    ["A" * 64, "a" * 63, "g" * 64, "", " " + "a" * 63, "0x" + "a" * 62],
    ids=["uppercase", "short", "not-hex", "empty", "space", "prefixed"],  # longer: varchar(64) refuses
)
def test_sha256_is_64_lowercase_hex_digits(project, case, sha256):
    with rejected("document_sha256_hex"):
        Document.objects.create(**document_fields(project, case, sha256=sha256))


def test_analysis_order_starts_at_one(project, case):
    with rejected("document_analysis_order_positive"):
        Document.objects.create(**document_fields(project, case, analysis_order=0))


def test_source_format_is_known(project, case):
    with rejected("document_format_valid"):
        Document.objects.create(**document_fields(project, case, source_format="rtf"))


def test_the_same_text_is_not_imported_twice_into_a_project(project, case, document):
    with rejected("document_unique_content_in_project"):
        Document.objects.create(**document_fields(project, case, title="Copy"))
    other = ProjectFactory(creator=project.created_by)
    other_case = Case.objects.create(project=other, identifier="P01")
    Document.objects.create(**document_fields(other, other_case))  # another project may hold it


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"text": TEXT + "!", "text_length": len(TEXT) + 1}, id="text-and-length"),
        pytest.param({"text": TEXT.replace("harm", "HARM")}, id="same-length"),
    ],
)
def test_the_text_is_immutable(document, change):
    with rejected("the text is immutable"):
        Document.objects.filter(pk=document.pk).update(**change)
    for field, value in change.items():
        setattr(document, field, value)
    with rejected("the text is immutable"):
        document.save()
    assert Document.objects.get(pk=document.pk).text == TEXT


def test_metadata_of_a_document_may_change(document):
    Document.objects.filter(pk=document.pk).update(title="Interview P01, second sitting", analysis_order=2)


# --- segments -------------------------------------------------------------------------------------


def segment(document, position=0, start=0, end=20, **fields):
    return Segment(document=document, position=position, start_offset=start, end_offset=end, **fields)


def test_a_segment_may_end_exactly_at_the_end_of_the_text(document):
    segment(document, start=22, end=len(TEXT)).save()


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 5)], ids=["empty", "backwards"])
def test_a_segment_is_not_empty(document, start, end):
    with rejected("segment_not_empty"):
        segment(document, start=start, end=end).save()


def test_a_segment_position_is_unique_in_its_document(document):
    segment(document, position=0, start=0, end=20).save()
    with rejected("segment_position_unique_in_document"):
        segment(document, position=0, start=22, end=30).save()


def test_segment_times_are_ordered(document):
    with rejected("segment_times_ordered"):
        segment(document, start_time_ms=5_000, end_time_ms=4_999).save()


def test_a_segment_cannot_end_beyond_the_text(document):
    with rejected(rf"segment 0 of document {document.pk} ends at {len(TEXT) + 1}, beyond the text"):
        segment(document, start=22, end=len(TEXT) + 1).save()


def test_a_bulk_insert_with_one_segment_beyond_the_text_stores_none(document):
    batch = [
        segment(document, position=0, start=0, end=20),
        segment(document, position=1, start=22, end=len(TEXT)),
        segment(document, position=2, start=22, end=len(TEXT) + 5),
    ]
    with rejected(r"segment 2 .* beyond the text"):
        Segment.objects.bulk_create(batch)
    assert not Segment.objects.filter(document=document).exists()


def test_an_update_cannot_move_a_segment_beyond_the_text(document):
    stored = Segment.objects.bulk_create(
        [segment(document, position=0, start=0, end=20), segment(document, position=1, start=22, end=30)]
    )
    with rejected("beyond the text"):
        Segment.objects.filter(document=document).update(end_offset=len(TEXT) + 1)
    stored[1].end_offset = 1_000
    with rejected("beyond the text"):
        stored[1].save()
    assert sorted(Segment.objects.filter(document=document).values_list("end_offset", flat=True)) == [20, 30]
