"""Speaker-turn detection: label styles, non-ASCII names, the false-positive rule, user patterns."""

import pytest

from annotate.parsing import ImportFileError, ImportOptions, parse_text
from annotate.parsing.segmentation import NO_SPEAKERS_WARNING


def turns(text: str, **options) -> list[tuple[str | None, str]]:
    transcript = parse_text(text, options=ImportOptions(**options))
    return [(segment.speaker, transcript.segment_text(segment)) for segment in transcript.segments]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("Interviewer: Hi.\nRespondent: Hello.", ["Interviewer", "Respondent"]),
        ("I: Hi.\nR: Hello.", ["I", "R"]),
        ("Q: Why?\nA: Because.", ["Q", "A"]),
        ("Int: Hi.\nP07: Hello.", ["Int", "P07"]),
        ("Interviewer: Hi.\nParticipant 7: Hello.", ["Interviewer", "Participant 7"]),
        ("Speaker 1: Hi.\nSpeaker 2: Hello.", ["Speaker 1", "Speaker 2"]),
        ("[00:12:03] Maria: Hi.\n[00:12:09] Tom: Hello.", ["Maria", "Tom"]),
        ("MARIA (00:12:03): Hi.\nTOM (00:12:09): Hello.", ["MARIA", "TOM"]),
        ("**Interviewer:** Hi.\n**P07:** Hello.", ["Interviewer", "P07"]),
        ("Sarah (Interviewer): Hi.\nP07: Hello.", ["Sarah (Interviewer)", "P07"]),
        ("张伟：你好。\n李娜：你好。\n张伟：再见。\n李娜：再见。", ["张伟", "李娜"]),
    ],
)
def test_label_styles(text, speakers):
    assert parse_text(text).speakers == speakers


def test_non_ascii_names_recur_and_are_accepted():
    text = "José Núñez: Hola.\nZoë: Hi.\nJosé Núñez: Bueno.\nZoë: Bye."
    assert turns(text) == [
        ("José Núñez", "Hola."),
        ("Zoë", "Hi."),
        ("José Núñez", "Bueno."),
        ("Zoë", "Bye."),
    ]


def test_consecutive_lines_of_one_speaker_form_one_turn():
    text = "Interviewer: Tell me.\nP07: First line\nsecond line\n\nthird paragraph\nInterviewer: Thanks."
    assert turns(text) == [
        ("Interviewer", "Tell me."),
        ("P07", "First line\nsecond line\n\nthird paragraph"),
        ("Interviewer", "Thanks."),
    ]


def test_segment_offsets_cover_the_spoken_text_after_the_label():
    transcript = parse_text("Interviewer:   Hi there.\nP07: Hello.\n")
    first = transcript.segments[0]
    assert transcript.text.startswith("Interviewer:   Hi there.")  # the document keeps the label
    assert (first.start, first.end) == (15, 24)
    assert transcript.segment_text(first) == "Hi there."


def test_note_inside_a_turn_is_not_a_speaker():
    text = (
        "Interviewer: How did it start?\n"
        "P07: With the numbers.\n"
        "Note: this is my own note, not a speaker.\n"
        "They doubled.\n"
        "Interviewer: And then?\n"
        "P07: We acted.\n"
    )
    transcript = parse_text(text)
    assert transcript.speakers == ["Interviewer", "P07"]
    assert transcript.segment_text(transcript.segments[1]) == (
        "With the numbers.\nNote: this is my own note, not a speaker.\nThey doubled."
    )
    assert transcript.warnings == [
        "Kept 'Note:' on line 3 as text, not as a speaker label, because it appears only once or is a common "
        "heading. If that is wrong, give a speaker pattern in the import options."
    ]


def test_recurring_heading_words_are_still_not_speakers():
    text = "Interviewer: Hi.\nP07: Hi.\nNote: one.\nInterviewer: Next.\nP07: Ok.\nNote: two.\n"
    assert parse_text(text).speakers == ["Interviewer", "P07"]


def test_lowercase_prose_with_a_colon_is_not_a_speaker():
    assert parse_text("I: Hi.\nR: so basically: yes\nso basically: no\n").speakers == ["I", "R"]


def test_text_before_the_first_label_is_kept_without_a_speaker():
    assert turns("Interview 7, March 2022\n\nInterviewer: Hi.\nP07: Hello.") == [
        (None, "Interview 7, March 2022"),
        ("Interviewer", "Hi."),
        ("P07", "Hello."),
    ]


def test_timestamps_in_labels_are_kept():
    transcript = parse_text("[00:12:03] Q: Why?\n[01:02:03.5] A: Because.")
    assert [(s.start_time_ms, s.end_time_ms) for s in transcript.segments] == [
        (723_000, None),
        (3_723_500, None),
    ]


def test_no_speakers_falls_back_to_paragraphs_with_a_warning():
    transcript = parse_text("First paragraph.\nStill first.\n\nSecond paragraph.")
    assert transcript.segmentation == "paragraph"
    assert transcript.warnings == [NO_SPEAKERS_WARNING]
    assert [transcript.segment_text(s) for s in transcript.segments] == [
        "First paragraph.\nStill first.",
        "Second paragraph.",
    ]
    assert all(s.speaker is None and s.codable for s in transcript.segments)


def test_user_pattern_with_speaker_and_time_groups():
    text = "<Maria @ 0:05> Hello.\n<Tom @ 0:09> Hi.\nmore from Tom\n"
    pattern = r"<(?P<speaker>\w+) @ (?P<time>[\d:]+)>"
    transcript = parse_text(text, options=ImportOptions(speaker_pattern=pattern))
    assert [(s.speaker, s.start_time_ms, transcript.segment_text(s)) for s in transcript.segments] == [
        ("Maria", 5_000, "Hello."),
        ("Tom", 9_000, "Hi.\nmore from Tom"),
    ]


def test_user_pattern_accepts_single_occurrences():
    text = "NOTE> Hello.\nTom> Hi.\n"
    assert parse_text(text, options=ImportOptions(speaker_pattern=r"(?P<speaker>\w+)>")).speakers == [
        "NOTE",
        "Tom",
    ]


def test_bad_user_pattern_is_rejected_with_a_clear_message():
    with pytest.raises(
        ImportFileError, match=r"not a valid regular expression \(missing \), unterminated subpattern"
    ):
        ImportOptions(speaker_pattern=r"(?P<speaker>\w+:")
    with pytest.raises(
        ImportFileError, match=r"needs a named group for the speaker's name, written \(\?P<speaker>"
    ):
        ImportOptions(speaker_pattern=r"(\w+):")
    with pytest.raises(ImportFileError, match="named groups name that are not used"):
        ImportOptions(speaker_pattern=r"(?P<speaker>\w+) (?P<name>\w+):")


class TestInterviewer:
    text = "Interviewer: Q1?\nP07: A1.\nInt.: Q2?\nInterviewer 2: Q3?\nSarah: Q4?\nSarah: Q5?\nP07: A2."

    def test_interviewer_turns_are_kept_but_not_codable(self):
        transcript = parse_text(self.text, options=ImportOptions(exclude_interviewer=True))
        codable = {s.speaker: s.codable for s in transcript.segments}
        assert codable == {
            "Interviewer": False,
            "P07": True,
            "Int.": False,
            "Interviewer 2": False,
            "Sarah": True,
        }
        assert len(transcript.segments) == 7  # all kept as context

    def test_a_user_named_speaker_is_an_interviewer(self):
        options = ImportOptions(exclude_interviewer=True, interviewer_speakers=("Sarah",))
        transcript = parse_text(self.text, options=options)
        assert [s.speaker for s in transcript.segments if s.codable] == ["P07", "P07"]

    def test_everything_is_codable_by_default(self):
        assert all(s.codable for s in parse_text(self.text).segments)

    def test_q_and_a(self):
        transcript = parse_text("Q: Why?\nA: Because.", options=ImportOptions(exclude_interviewer=True))
        assert [s.codable for s in transcript.segments] == [False, True]
