"""Segmentation choices, limits, and the offset invariants (including a property test)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.parsing import ImportFileError, ImportLimits, ImportOptions, Segmentation, parse_text

TRANSCRIPT = (
    "Interviewer: How did it start? Tell me.\n"
    "P07: With the numbers. They doubled.\n\n"
    "Then the board met.\n"
    "Interviewer: Thanks.\n"
)


def texts(segmentation: Segmentation, **options) -> list[tuple[str | None, str]]:
    transcript = parse_text(TRANSCRIPT, options=ImportOptions(segmentation=segmentation, **options))
    assert transcript.segmentation == segmentation.value
    return [(s.speaker, transcript.segment_text(s)) for s in transcript.segments]


def test_turn_segmentation_is_the_default():
    assert texts(Segmentation.TURN) == [
        ("Interviewer", "How did it start? Tell me."),
        ("P07", "With the numbers. They doubled.\n\nThen the board met."),
        ("Interviewer", "Thanks."),
    ]


def test_paragraphs_never_cross_turns():
    assert texts(Segmentation.PARAGRAPH) == [
        ("Interviewer", "How did it start? Tell me."),
        ("P07", "With the numbers. They doubled."),
        ("P07", "Then the board met."),
        ("Interviewer", "Thanks."),
    ]


def test_sentences_inherit_the_speaker():
    assert texts(Segmentation.SENTENCE) == [
        ("Interviewer", "How did it start?"),
        ("Interviewer", "Tell me."),
        ("P07", "With the numbers."),
        ("P07", "They doubled."),
        ("P07", "Then the board met."),
        ("Interviewer", "Thanks."),
    ]


def test_fixed_size_breaks_at_whitespace_within_turns():
    assert texts(Segmentation.FIXED, fixed_size=20) == [
        ("Interviewer", "How did it start?"),
        ("Interviewer", "Tell me."),
        ("P07", "With the numbers."),
        ("P07", "They doubled.\n\nThen"),
        ("P07", "the board met."),
        ("Interviewer", "Thanks."),
    ]


def test_fixed_size_cuts_a_word_longer_than_the_size():
    transcript = parse_text("x" * 50 + " end", options=ImportOptions(segmentation="fixed", fixed_size=20))
    assert [transcript.segment_text(s) for s in transcript.segments] == [
        "x" * 20,
        "x" * 20,
        "x" * 10 + " end",
    ]


def test_fixed_size_must_be_sensible():
    with pytest.raises(ImportFileError, match="at least 20 characters"):
        ImportOptions(segmentation="fixed", fixed_size=0)


def test_paragraphs_are_lines_when_a_document_has_no_blank_lines():
    transcript = parse_text("One line.\nAnother line.\n", options=ImportOptions(segmentation="paragraph"))
    assert [transcript.segment_text(s) for s in transcript.segments] == ["One line.", "Another line."]


def test_segment_limit():
    options = ImportOptions(segmentation="sentence", limits=ImportLimits(max_segments=3))
    with pytest.raises(ImportFileError, match=r"gives more than 3 segments\. Choose a larger unit"):
        parse_text("One. Two. Three. Four.", options=options)


def test_positions_are_consecutive_and_to_dict_is_json_friendly():
    import json

    transcript = parse_text(TRANSCRIPT, options=ImportOptions(segmentation="sentence"))
    assert [s.position for s in transcript.segments] == list(range(len(transcript.segments)))
    data = json.loads(json.dumps(transcript.to_dict()))
    assert data["segments"][0] == {
        "position": 0,
        "start": 13,
        "end": 30,
        "speaker": "Interviewer",
        "codable": True,
        "start_time_ms": None,
        "end_time_ms": None,
        "text": "How did it start?",
    }
    assert "text" not in transcript.to_dict(include_segment_text=False)["segments"][0]


# --- property test ------------------------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "hello",
        "Dr.",
        "U.S.",
        "naïve",
        "José",
        "Zoë",
        "e\u0301",
        "👩‍🔬",
        "🇺🇸",
        "n\u0303",
        "...",
        "“quoted.”",
        "ok?",
    ]
)
SEPARATORS = st.sampled_from(
    [" ", "  ", "\r\n", "\n", "\r", "\n\n", "\r\n\r\n", "\t", ". ", "\x00", "\u2028"]
)
LABELS = st.sampled_from(["", "", "Interviewer: ", "P07: ", "Zoë: ", "[00:01:02] Q: ", "Note: "])
LINES = st.tuples(LABELS, st.lists(st.tuples(WORDS, SEPARATORS), max_size=12)).map(
    lambda line: line[0] + "".join(word + sep for word, sep in line[1])
)
DOCUMENTS = st.lists(LINES, min_size=1, max_size=15).map("\r\n".join)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.sampled_from(list(Segmentation)), st.integers(min_value=20, max_value=60))
def test_segments_are_exact_ordered_and_disjoint(document, segmentation, size):
    if not document.strip(" \r\n\t\x00\u2028"):
        return
    options = ImportOptions(segmentation=segmentation, fixed_size=size)
    transcript = parse_text(document, options=options)
    text = transcript.text
    previous_end = 0
    for position, segment in enumerate(transcript.segments):
        piece = text[segment.start : segment.end]
        assert segment.position == position
        assert previous_end <= segment.start < segment.end <= len(text)
        assert piece == transcript.segment_text(segment) == transcript.to_dict()["segments"][position]["text"]
        assert piece == piece.strip()
        if segmentation is Segmentation.FIXED:
            assert len(piece) <= size
        previous_end = segment.end
    assert "\r" not in text
    assert "\x00" not in text
