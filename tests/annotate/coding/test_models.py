"""What the database refuses for codings, whatever the services do: half a span, an empty span, a span
outside its segment, a coding filed under another project, and a second identical coding."""

import pytest

from annotate.codebook.selectors import codebook_current_version, codebook_get
from annotate.coding.models import Coding
from annotate.projects.models import Role
from tests.annotate.db import constraints_immediate, rejected
from tests.factories import ProjectFactory, UserFactory, make_code, make_document

TEXT = "Interviewer: How?\n\nP01: We reduce harm.\n\nP01: And we divert people."


@pytest.fixture
def study(db):
    constraints_immediate()
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    coder = UserFactory(username="coder")
    project.add_member(coder, Role.CODER)
    document = make_document(project, owner, text=TEXT)
    segment = document.segments.get(position=1)  # "P01: We reduce harm." at [19, 39)
    code = make_code(project, owner, name="Harm reduction")
    other_code = make_code(project, owner, name="Diversion")
    return {
        "project": project,
        "owner": owner,
        "coder": coder,
        "segment": segment,
        "code": code,
        "other_code": other_code,
        "version": codebook_current_version(codebook=codebook_get(project_id=project.id)),
    }


def coding(study, **overrides) -> Coding:
    fields = {
        "project": study["project"],
        "segment": study["segment"],
        "code": study["code"],
        "coder": study["coder"],
        "codebook_version": study["version"],
    }
    fields.update(overrides)
    return Coding(**fields)


def test_the_segment_is_where_the_fixture_says(study):
    assert (study["segment"].start_offset, study["segment"].end_offset) == (19, 39)


@pytest.mark.parametrize(
    "span",
    [
        pytest.param({"span_start": 20}, id="start-only"),
        pytest.param({"span_end": 30}, id="end-only"),
        pytest.param({"span_start": 25, "span_end": 25}, id="empty"),
        pytest.param({"span_start": 30, "span_end": 25}, id="backwards"),
    ],
)
def test_a_span_has_both_ends_and_is_not_empty(study, span):
    with rejected("coding_span_both_or_neither_and_not_empty"):
        coding(study, **span).save()


@pytest.mark.parametrize(
    ("start", "end"), [(19, 39), (20, 30), (38, 39)], ids=["whole-segment", "inside", "last-character"]
)
def test_a_span_inside_its_segment_is_accepted(study, start, end):
    stored = coding(study, span_start=start, span_end=end)
    stored.save()
    assert Coding.objects.filter(pk=stored.pk).values_list("span_start", "span_end").get() == (start, end)


@pytest.mark.parametrize(
    ("start", "end"),
    [(18, 30), (20, 40), (0, 5), (41, 50)],
    ids=["before", "after", "other-segment", "beyond"],
)
def test_a_span_outside_its_segment_is_refused(study, start, end):
    with rejected(rf"span \[{start}, {end}\) outside its segment \[19, 39\)"):
        coding(study, span_start=start, span_end=end).save()


def test_an_update_cannot_move_a_span_out_of_its_segment(study):
    stored = coding(study, span_start=20, span_end=30)
    stored.save()
    with rejected(r"span \[20, 45\) outside its segment"):
        Coding.objects.filter(pk=stored.pk).update(span_end=45)
    with rejected("outside its segment"):
        Coding.objects.filter(pk=stored.pk).update(segment=study["segment"].document.segments.get(position=0))
    assert Coding.objects.filter(pk=stored.pk, span_end=30).exists()


def test_a_bulk_insert_with_one_bad_span_stores_none(study):
    with rejected(r"span \[30, 50\)"):
        Coding.objects.bulk_create(
            [coding(study, span_start=20, span_end=25), coding(study, span_start=30, span_end=50)]
        )
    assert not Coding.objects.exists()


def test_a_coding_belongs_to_its_segments_project(study):
    other = ProjectFactory(creator=study["owner"])
    with rejected(r"span \[<NULL>, <NULL>\) .* or wrong project"):
        coding(study, project=other).save()
    stored = coding(study)
    stored.save()
    with rejected("wrong project"):
        Coding.objects.filter(pk=stored.pk).update(project=other)


def test_one_segment_level_coding_per_coder_segment_and_code(study):
    coding(study).save()
    with rejected("coding_one_segment_level_per_coder_code"):
        coding(study).save()
    coding(study, coder=study["owner"]).save()  # another coder may apply the same code
    coding(study, code=study["other_code"]).save()
    coding(study, span_start=20, span_end=25).save()  # a span beside the segment-level coding


def test_one_coding_per_coder_code_and_span(study):
    coding(study, span_start=20, span_end=25).save()
    with rejected("coding_one_per_coder_code_span"):
        coding(study, span_start=20, span_end=25).save()
    coding(study, span_start=20, span_end=26).save()  # a different span is a different coding
    coding(study, coder=study["owner"], span_start=20, span_end=25).save()
