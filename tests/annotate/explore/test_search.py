"""Search through the API on PostgreSQL: the index the triggers keep, the query language, filters, the
grouping by case, pages, and bad input."""

import pytest

from annotate.documents.models import Segment
from annotate.documents.services import document_delete, document_update
from annotate.explore.models import SegmentSearch
from tests.annotate.explore.conftest import api_get
from tests.factories import make_document

pytestmark = pytest.mark.django_db


def get(study, q, user="owner", **params):
    return api_get(study, "search/", user, q=q, **params)


def hits(response):
    return [(r["case"]["identifier"], r["segment_number"]) for r in response.json()["results"]]


def test_the_index_follows_the_segments(study):
    segments = sum(d.segments.count() for d in study.documents.values())
    assert SegmentSearch.objects.filter(project=study.project).count() == segments == 9
    extra = make_document(study.project, study.users["owner"], case=study.cases["P01"], text="Another talk.")
    assert get(study, "another").json()["segments"] == 1
    indexed, segments = index_rows(study.project)
    assert indexed == segments
    assert len(indexed) == 10
    document_delete(document=extra, actor=study.users["owner"])
    assert get(study, "another").json()["segments"] == 0
    assert SegmentSearch.objects.filter(project=study.project).count() == 9
    assert not SegmentSearch.objects.filter(document_id=extra.pk).exists()


def index_rows(project):
    """What the index holds of each segment beside its text, and what it should hold."""
    indexed = {
        row.segment_id: (row.document_id, row.case_id, row.analysis_order, row.position, row.codable)
        for row in SegmentSearch.objects.filter(project=project)
    }
    segments = {
        s.id: (s.document_id, s.document.case_id, s.document.analysis_order, s.position, s.codable)
        for s in Segment.objects.filter(document__project=project).select_related("document")
    }
    return indexed, segments


def test_the_index_follows_a_resegmented_transcript(study):
    document = study.documents["P01"]
    first, second = study.segment("P01", 1), study.segment("P01", 2)
    # The turns change places (through a free position: positions are unique in a transcript), and
    # the second is cut short: "We fund naloxone" without "in every precinct".
    Segment.objects.filter(pk=first.pk).update(position=99)
    Segment.objects.filter(pk=second.pk).update(position=1, end_offset=second.start_offset + 16)
    Segment.objects.filter(pk=first.pk).update(position=2)
    indexed, segments = index_rows(study.project)
    assert indexed == segments
    assert hits(get(study, "precinct")) == []
    assert hits(get(study, "naloxone")) == [("P01", 2), ("P03", 3)]
    assert hits(get(study, "gonzalez")) == [("P01", 3)]
    # A turn turned to context leaves the participants' search.
    Segment.objects.filter(pk=first.pk).update(codable=False)
    assert hits(get(study, "gonzalez", role="participant")) == []
    assert hits(get(study, "gonzalez", role="interviewer")) == [("P01", 3)]
    assert index_rows(study.project)[0] == index_rows(study.project)[1]
    assert document.segments.count() == 3


def test_the_index_follows_a_transcript_to_another_case_and_order(study):
    owner = study.users["owner"]
    # P01's interview is filed under P03: its matches are P03's now, for the counts and the filters.
    document_update(document=study.documents["P01"], actor=owner, data={"case": study.cases["P03"]})
    body = get(study, '"harm reduction"').json()
    assert [(c["identifier"], c["segments"]) for c in body["cases"]] == [("P02", 1), ("P03", 3)]
    assert hits(get(study, "gonzalez", case=study.cases["P03"].id)) == [("P03", 2)]
    assert hits(get(study, "gonzalez", case=study.cases["P01"].id)) == []
    diversion = get(study, "gonzalez", attribute=f"{study.policy.id}:diversion").json()
    assert diversion["segments"] == 1
    # Within a case, transcripts come in analysis order: moving P01's first puts its turns first.
    before = [r["segment"] for r in get(study, "harm", case=study.cases["P03"].id).json()["results"]]
    p03_order = study.documents["P03"].analysis_order
    document_update(document=study.documents["P01"], actor=owner, data={"analysis_order": p03_order + 1})
    document_update(document=study.documents["P03"], actor=owner, data={"analysis_order": 1})
    after = [r["segment"] for r in get(study, "harm", case=study.cases["P03"].id).json()["results"]]
    p01 = {s.pk for s in study.documents["P01"].segments.all()}
    assert [s in p01 for s in before] == [True, True, False]
    assert [s in p01 for s in after] == [False, True, True]
    indexed, segments = index_rows(study.project)
    assert indexed == segments


def test_a_phrase_is_counted_by_case_with_highlights(study):
    body = get(study, '"harm reduction"').json()
    # "harm-reduction" is the phrase too; "reducing harm" is not.
    assert hits(get(study, '"harm reduction"')) == [("P01", 1), ("P01", 2), ("P02", 2), ("P03", 2)]
    assert (body["cases_matched"], body["cases_total"]) == (3, 3)
    assert body["cases"] == [
        {"id": study.cases["P01"].id, "identifier": "P01", "segments": 2},
        {"id": study.cases["P02"].id, "identifier": "P02", "segments": 1},
        {"id": study.cases["P03"].id, "identifier": "P03", "segments": 1},
    ]
    first = body["results"][0]
    assert first["speaker"] == "Interviewer"
    assert first["role"] == "interviewer"
    assert [p for p, hit in first["pieces"] if hit] == ["harm reduction"]
    assert "".join(p for p, _ in first["pieces"]) == "Do you talk about harm reduction?"


def test_the_query_language(study):
    assert hits(get(study, "gonzalez")) == [("P01", 2)]  # accents folded
    assert hits(get(study, "NALOX*")) == [("P01", 3), ("P03", 3)]
    assert hits(get(study, "diversion OR treatment")) == [("P02", 1), ("P02", 2), ("P03", 1), ("P03", 2)]
    assert hits(get(study, "harm -reduction")) == [("P02", 3)]
    assert hits(get(study, "harm reduction -policy")) == [("P01", 1), ("P02", 2), ("P03", 2)]
    assert hits(get(study, "שלום")) == [("P03", 3)]


def test_filters_role_attribute_document_and_code(study):
    participant = get(study, '"harm reduction"', role="participant").json()
    assert [(r["case"]["identifier"], r["segment_number"]) for r in participant["results"]] == [
        ("P01", 2),
        ("P02", 2),
        ("P03", 2),
    ]
    diversion = get(study, '"harm reduction"', attribute=f"{study.policy.id}:diversion").json()
    assert (diversion["cases_matched"], diversion["cases_total"]) == (2, 2)
    assert hits(get(study, "harm", document=study.documents["P02"].id)) == [("P02", 2), ("P02", 3)]
    named = get(study, "harm", code=study.codes["theme"].id, source="coders")
    assert hits(named) == [("P01", 2), ("P02", 2)]  # the theme stands for its codes


def test_coders_filter_by_their_own_codings_only(study):
    # coder2 applied "Named" on P02; coder's own codings hold none there.
    assert hits(get(study, "harm", user="coder", code=study.codes["named"].id)) == [("P01", 2)]
    assert hits(get(study, "harm", user="coder2", code=study.codes["named"].id)) == [("P02", 2)]
    refused = get(study, "harm", user="coder", code=study.codes["named"].id, source="coders")
    assert refused.status_code == 403
    assert "Coders code blind" in refused.json()["detail"]


def test_pages(study):
    first = get(study, "p*", page_size=2).json()
    assert first["pages"] == -(-first["segments"] // 2)
    assert len(first["results"]) == 2
    last = get(study, "p*", page_size=2, page=first["pages"]).json()
    assert last["results"]
    assert get(study, "p*", page_size=2, page=first["pages"] + 1).status_code == 404


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": ""}, 400, "Type something to search for."),
        ({"q": "-harm"}, 400, "Add at least one word to find"),
        ({"q": "harm", "role": "judge"}, 400, "role"),
        ({"q": "harm", "attribute": "policy"}, 400, "attribute id"),
        ({"q": "harm", "page_size": 1000}, 400, "page_size"),
        ({"q": "harm", "code": 999999}, 404, "Code 999999 not found in this project."),
        ({"q": "harm", "document": 999999}, 404, "Document not found in this project."),
    ],
)
def test_bad_input_is_refused_with_a_message(study, params, status, message):
    q = params.pop("q")
    response = get(study, q, **params)
    assert response.status_code == status
    assert message in str(response.json())


@pytest.mark.parametrize(
    ("user", "status"), [("viewer", 200), ("coder", 200), ("outsider", 404), (None, 401)]
)
def test_every_member_may_search_text(study, user, status):
    assert get(study, "harm", user=user).status_code == status


def test_a_search_leaves_the_planner_settings_as_they_were(study):
    # The search reads through index bitmaps only; the test's own transaction goes on after it.
    from django.db import connection

    assert get(study, "harm").json()["segments"] == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
        assert cursor.fetchone() == ("on", "on")
