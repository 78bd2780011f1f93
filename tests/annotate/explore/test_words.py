"""Keyword in context and word frequencies through the API."""

import pytest

from annotate.explore.words import stop_words, tokens
from tests.annotate.explore.conftest import api_get

pytestmark = pytest.mark.django_db


def get(study, path, user="owner", **params):
    return api_get(study, path, user, **params)


def test_the_tokenizer_and_the_stop_words():
    assert tokens("We don't say harm-reduction; González said “naloxone”.") == [
        "we", "do", "n't", "say", "harm-reduction", "gonzález", "said", "naloxone",
    ]  # fmt: skip
    assert {"we", "do", "n't", "the"} <= stop_words("english")
    assert "naloxone" not in stop_words("en")


def test_keyword_in_context_lines(study):
    body = get(study, "kwic/", q="naloxone").json()
    assert body["segments"] == 2
    lines = [
        (x["case"]["identifier"], x["segment_number"], x["left"], x["keyword"], x["right"])
        for x in body["lines"]
    ]
    assert lines == [
        ("P01", 3, "We fund ", "naloxone", " in every precinct."),
        ("P03", 3, "שלום עולם: ", "naloxone", " saves lives."),
    ]  # fmt: skip
    both = get(study, "kwic/", q="harm OR naloxone", case=study.cases["P01"].id).json()
    assert [x["keyword"] for x in both["lines"]] == ["harm", "Harm", "naloxone"]


def test_word_frequencies_of_a_code_a_case_and_all(study):
    theme = get(study, "words/", code=study.codes["theme"].id, source="coders").json()
    assert theme["segments"] == 4
    words = {w["word"]: (w["count"], w["segments"]) for w in theme["words"]}
    assert words["naloxone"] == (2, 2)
    assert "we" not in words
    assert "and" not in words
    kept = get(study, "words/", code=study.codes["theme"].id, source="coders", stop_words="keep").json()
    assert {w["word"] for w in kept["words"]} >= {"we", "and"}
    p02 = get(study, "words/", case=study.cases["P02"].id).json()
    assert {w["word"]: w["count"] for w in p02["words"]}["diversion"] == 2
    participant = get(study, "words/", case=study.cases["P02"].id, role="participant").json()
    assert {w["word"]: w["count"] for w in participant["words"]}["diversion"] == 1
    assert get(study, "words/", limit=3).json()["words"][0]["word"] == "harm"


def test_bad_requests_and_blindness(study):
    response = get(study, "words/", language="klingon")
    assert response.status_code == 400
    assert "No stop-word list for 'klingon'" in response.json()["detail"]
    assert get(study, "kwic/", q="").status_code == 400
    assert (
        get(study, "words/", user="coder", code=study.codes["theme"].id, source="coders").status_code == 403
    )
    assert get(study, "kwic/", user="outsider", q="harm").status_code == 404
