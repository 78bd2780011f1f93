"""Search through the API on PostgreSQL: the index the triggers keep, the query language, filters, the
grouping by case, pages, and bad input."""

import pytest

from annotate.documents.services import document_delete
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
    document_delete(document=extra, actor=study.users["owner"])
    assert get(study, "another").json()["segments"] == 0
    assert SegmentSearch.objects.filter(project=study.project).count() == 9


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
