"""The sentence splitter's rules, one test each."""

import pytest

from annotate.parsing.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We met. Then we talked.", ["We met.", "Then we talked."]),
        ("Really? Yes! Okay.", ["Really?", "Yes!", "Okay."]),
        (
            "Dr. Smith met Mrs. Núñez at St. Louis. She agreed.",
            ["Dr. Smith met Mrs. Núñez at St. Louis.", "She agreed."],
        ),
        (
            "He moved to the U.S. The next year he came back.",
            ["He moved to the U.S.", "The next year he came back."],
        ),
        ("The U.S. Attorney declined.", ["The U.S. Attorney declined."]),
        ("Drugs, e.g. Fentanyl, are cut. That is new.", ["Drugs, e.g. Fentanyl, are cut.", "That is new."]),
        ("J. Smith said so. We agreed.", ["J. Smith said so.", "We agreed."]),
        ("See No. 5 on the list.", ["See No. 5 on the list."]),
        ("I said no. Then he left.", ["I said no.", "Then he left."]),
        ("It was 3.5 percent. Low.", ["It was 3.5 percent.", "Low."]),
    ],
)
def test_abbreviations_and_numbers(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ('"Why?" she asked. "Because."', ['"Why?" she asked.', '"Because."']),
        ("She said “no.” We moved on.", ["She said “no.”", "We moved on."]),
        ("(It was late.) We left.", ["(It was late.)", "We left."]),
    ],
)
def test_quotes_and_brackets(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was... I don't know.", ["I was...", "I don't know."]),
        ("Well... um, maybe.", ["Well... um, maybe."]),
        ("It was… Anyway, we left.", ["It was…", "Anyway, we left."]),
        ("Wait...what?", ["Wait...what?"]),
    ],
)
def test_ellipses(text, expected):
    assert sentences(text) == expected


def test_offsets_are_trimmed_and_relative_to_the_whole_text():
    text = "P07:  First one.  Second one.  "
    spans = list(split_sentences(text, 4, len(text)))
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one."]
    assert spans[0][0] == 6
