"""The search language, without a database: parsing, each backend's statement, highlighting."""

import pytest

from annotate.explore.query import (
    SearchSyntaxError,
    Term,
    fold,
    highlight,
    parse,
    to_fts5_match,
    to_tsquery_text,
)


def marked(pieces):
    return [text for text, hit in pieces if hit]


def test_words_phrases_prefixes_or_and_exclusions():
    q = parse('harm "public health" reduc* naloxone OR narcan -diversion -"drug court"')
    assert q.groups == (
        (Term(("harm",)),),
        (Term(("public", "health")),),
        (Term(("reduc",), prefix=True),),
        (Term(("naloxone",)), Term(("narcan",))),
    )
    assert q.excluded == (Term(("diversion",)), Term(("drug", "court")))
    assert to_tsquery_text(q) == (
        "(('harm')) & (('public' <-> 'health')) & (('reduc':*)) & (('naloxone') | ('narcan'))"
        " & !('diversion') & !('drug' <-> 'court')"
    )
    assert to_fts5_match(q) == (
        '("harm") AND ("public health") AND ("reduc"*) AND ("naloxone" OR "narcan")'
        ' NOT "diversion" NOT "drug court"'
    )


def test_a_hyphenated_term_is_the_phrase_of_its_words_and_case_is_folded():
    assert parse("Harm-Reduction").groups == ((Term(("harm", "reduction")),),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type something to search for."),
        ("   ", "Type something to search for."),
        ("-drugs", "Add at least one word to find"),
        ("!!! ???", "Add at least one word to find"),
        ('"harm reduction', "missing its closing quotation mark"),
        ("OR harm", "OR goes between two terms"),
        ("harm OR", "OR goes between two terms"),
        ("harm OR -drugs", "an excluded term"),
        ("x" * 501, "at most 500 characters"),
        (" ".join(["w"] * 31), "at most 30 terms"),
    ],
)
def test_queries_that_cannot_be_searched_say_what_to_change(text, message):
    with pytest.raises(SearchSyntaxError, match=message):
        parse(text)


def test_highlighting_ignores_accents_and_case_and_keeps_the_text():
    text = "González said harm-reduction; Harm Reductions differ."
    pieces = highlight(text, parse('gonzalez "harm reduction" reduction*'))
    assert "".join(p for p, _ in pieces) == text
    assert marked(pieces) == ["González", "harm-reduction", "Reductions"]


def test_highlighting_right_to_left_and_combining_marks():
    hebrew = "אמר שָׁלוֹם לכולם"  # with vowel points (combining marks)
    assert marked(highlight(hebrew, parse("שלום"))) == ["שָׁלוֹם"]
    decomposed = "Jose\u0301 spoke"  # e + combining acute, not normalised
    assert marked(highlight(decomposed, parse("José"))) == ["Jose\u0301"]


def test_fold_maps_every_folded_character_to_its_origin():
    folded, origin = fold("Straße Ø")
    assert folded == "strasse o"
    assert origin == [0, 1, 2, 3, 4, 4, 5, 6, 7]
