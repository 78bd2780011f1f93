"""One test group per file format, on small real files (see tests/data/import/make_fixtures.py)."""

from pathlib import Path

import pytest

from annotate.parsing import ImportFileError, ImportOptions, Segmentation, detect_format, parse_file

DATA = Path(__file__).resolve().parents[2] / "data" / "import"


def spoken(transcript) -> list[tuple[str | None, str]]:
    return [(s.speaker, transcript.segment_text(s)) for s in transcript.segments]


def test_plain_text_and_markdown():
    data = b"**Interviewer:** Hi.\n**P07:** Hello, *really*.\n"
    transcript = parse_file(data, "notes.md")
    assert transcript.format == "text"
    assert spoken(transcript) == [("Interviewer", "Hi."), ("P07", "Hello, *really*.")]


class TestDocx:
    def test_paragraphs_bold_labels_and_tables(self):
        transcript = parse_file((DATA / "interview.docx").read_bytes(), "interview.docx")
        assert transcript.format == "docx"
        assert transcript.encoding is None
        assert transcript.speakers == ["Interviewer", "P07", "Zoë Núñez"]
        assert spoken(transcript) == [
            (None, "Interview P07 — 12 March 2022"),
            (None, "Recorded on Zoom. Names are pseudonyms."),
            ("Interviewer", "Thank you for joining. How did harm reduction come up in your office?"),
            ("P07", "It came up through the overdose numbers. We saw them double."),
            ("Interviewer", "And the community?"),
            ("P07", "Mixed. Some people were angry."),
            # A bold word opening a paragraph once ("Never") is emphasis, not a speaker.
            ("Zoë Núñez", "I ran the diversion programme.\n\nNever did we think it would work so fast."),
            # The table: its header row is skipped, each row becomes "Speaker: text".
            ("Interviewer", "What changed in 2021?"),
            ("P07", "We stopped charging possession."),
        ]

    def test_bold_label_without_colon_gets_one(self):
        text = parse_file((DATA / "interview.docx").read_bytes(), "interview.docx").text
        assert "\n\nP07: It came up" in text


class TestPdf:
    def test_text_layer(self):
        transcript = parse_file((DATA / "interview.pdf").read_bytes(), "interview.pdf")
        assert transcript.format == "pdf"
        assert spoken(transcript) == [
            ("Interviewer", "What does harm reduction mean to you?"),
            ("P07", "Meeting people where they are."),
            ("José Núñez", "We started in 2019."),
            ("Interviewer", "Thank you."),
            ("José Núñez", "You are welcome."),
        ]


VTT = """WEBVTT

NOTE recorded on Zoom

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>What does harm reduction
mean to you?

2
00:00:04.500 --> 00:00:08.000
<v.loud Zoë Núñez>Meeting people where they are. Really.

3
00:00:08.000 --> 00:00:09.250 align:start
<v Zoë Núñez>Naloxone &amp; syringes.

4
00:00:10.000 --> 00:00:11.000
<v Interviewer>Thanks.
"""


class TestSubtitles:
    def test_vtt_voices_turns_and_times(self):
        transcript = parse_file(VTT.encode(), "call.vtt")
        assert transcript.format == "vtt"
        assert transcript.text == (
            "Interviewer: What does harm reduction mean to you?\n\n"
            "Zoë Núñez: Meeting people where they are. Really. Naloxone & syringes.\n\n"
            "Interviewer: Thanks."
        )
        assert [(s.speaker, s.start_time_ms, s.end_time_ms) for s in transcript.segments] == [
            ("Interviewer", 1000, 4000),
            ("Zoë Núñez", 4500, 9250),
            ("Interviewer", 10000, 11000),
        ]

    def test_vtt_sentences_keep_the_times_of_their_cues(self):
        transcript = parse_file(VTT.encode(), "call.vtt", ImportOptions(segmentation=Segmentation.SENTENCE))
        zoe = [(transcript.segment_text(s), s.start_time_ms, s.end_time_ms) for s in transcript.segments[1:4]]
        assert zoe == [
            ("Meeting people where they are.", 4500, 8000),
            ("Really.", 4500, 8000),
            ("Naloxone & syringes.", 8000, 9250),
        ]

    def test_srt_with_inline_names(self):
        srt = (
            "1\r\n00:00:01,000 --> 00:00:04,000\r\nInterviewer: Hello there.\r\n\r\n"
            "2\r\n00:00:04,500 --> 00:00:08,000\r\nP07: Hi.\r\nStill me.\r\n\r\n"
            "3\r\n00:00:08,000 --> 00:00:09,000\r\nInterviewer: Bye.\r\n"
        )
        transcript = parse_file(srt.encode(), "call.srt")
        assert spoken(transcript) == [
            ("Interviewer", "Hello there."),
            ("P07", "Hi. Still me."),
            ("Interviewer", "Bye."),
        ]
        assert transcript.segments[1].start_time_ms == 4500

    def test_cues_without_speakers_are_one_segment_each(self):
        srt = "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00:02,000 --> 00:00:03,000\nWorld.\n"
        transcript = parse_file(srt.encode(), "auto.srt")
        assert [(transcript.segment_text(s), s.start_time_ms) for s in transcript.segments] == [
            ("Hello.", 1000),
            ("World.", 2000),
        ]
        assert transcript.segmentation == "paragraph"


class TestCsv:
    def test_speaker_text_and_timestamp_columns(self):
        data = b'Speaker,Text,Timestamp\nInterviewer,Hello,00:00:01\nP07,"Hi, there\nfriend",1:02\n,,\n'
        transcript = parse_file(data, "rows.csv")
        assert transcript.text == "Interviewer: Hello\n\nP07: Hi, there\nfriend"
        assert [(s.speaker, s.start_time_ms) for s in transcript.segments] == [
            ("Interviewer", 1000),
            ("P07", 62000),
        ]

    def test_semicolons_and_configured_column_names(self):
        data = "who;said\nInterviewer;Hello\nP07;Olá\n".encode("utf-8-sig")
        options = ImportOptions(csv_speaker_column="Who", csv_text_column="said")
        assert spoken(parse_file(data, "rows.csv", options)) == [("Interviewer", "Hello"), ("P07", "Olá")]

    def test_bad_timestamp_names_row_and_column(self):
        data = b"speaker,text,timestamp\nI,Hello,00:00:01\nP07,Hi,soon\n"
        with pytest.raises(ImportFileError, match=r"Row 3, column 'timestamp': 'soon' is not a time"):
            parse_file(data, "rows.csv")


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("a.TXT", "text"),
        ("a.md", "text"),
        ("b.docx", "docx"),
        ("c.pdf", "pdf"),
        ("d.vtt", "vtt"),
        ("e.srt", "srt"),
    ],
)
def test_format_is_chosen_by_extension(filename, fmt):
    assert detect_format(filename) == fmt
