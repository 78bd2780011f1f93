"""Every bad input the issue lists raises ImportFileError with a message that says what to fix."""

import io
import zipfile
from pathlib import Path

import pytest

from annotate.parsing import ImportFileError, ImportLimits, ImportOptions, iter_archive, parse_file

DATA = Path(__file__).resolve().parents[2] / "data" / "import"


def error_for(data: bytes, filename: str, options: ImportOptions | None = None) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        parse_file(data, filename, options)
    assert info.value.filename == filename
    return info.value


@pytest.mark.parametrize("filename", ["empty.txt", "empty.docx", "empty.pdf", "empty.vtt", "empty.csv"])
def test_empty_file(filename):
    assert error_for(b"", filename).message == "The file is empty. Check that you chose the right file."


def test_whitespace_only_file():
    assert error_for(b" \r\n\t\n", "blank.txt").message == (
        "The file has no text in it. Check that you chose the right file."
    )


def test_binary_file_with_a_text_extension():
    error = error_for(bytes(range(256)) * 4, "recording.txt")
    assert error.message.startswith("This file is not plain text: it contains binary data.")
    assert "save it as UTF-8 text" in error.message


def test_known_binary_format_with_a_text_extension_is_named():
    error = error_for((DATA / "interview.pdf").read_bytes(), "interview.txt")
    assert (
        error.message
        == "This file is not plain text: it looks like a PDF document; upload it with a .pdf extension."
    )


def test_undecodable_bytes():
    error = error_for("Interviewer: hi\nP07: caf\xe9\n".encode("latin-1"), "p07.txt")
    assert error.message.startswith(
        "The file cannot be read as utf-8 text: byte 0xe9 on line 2 is not valid utf-8. Save the file as UTF-8"
    )
    assert str(error).startswith("p07.txt: The file cannot be read")


def test_docx_that_is_not_a_zip():
    error = error_for(b"Interviewer: this is really a text file", "interview.docx")
    assert error.message.startswith("This file is not a Word .docx document (a .docx is a zip package")
    assert "save it as .docx" in error.message


def test_docx_that_is_a_zip_but_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    error = error_for(buffer.getvalue(), "interview.docx")
    assert error.message.startswith("This .docx file is damaged or is not a Word document")


def test_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("P01.txt", b"Interviewer: hi\n" + b" " * (20 * 1024 * 1024))
    with pytest.raises(
        ImportFileError, match=r"'P01\.txt' is compressed [\d,]+ times, far more than any real"
    ) as info:
        iter_archive(buffer.getvalue(), "batch.zip")
    assert info.value.filename == "batch.zip"
    assert "'zip bombs'" in info.value.message


def test_path_traversal_name_inside_a_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("P01.txt", "Interviewer: hi")
        archive.writestr("../evil.txt", "Interviewer: hi")
    with pytest.raises(ImportFileError, match=r"the entry '\.\./evil\.txt' points outside the archive"):
        iter_archive(buffer.getvalue(), "batch.zip")


def test_pdf_without_text():
    error = error_for((DATA / "scanned.pdf").read_bytes(), "scanned.pdf")
    assert error.message.startswith("This PDF has no text layer: it looks like a scanned image")
    assert "Run text recognition (OCR) on it first" in error.message


def test_damaged_pdf():
    error = error_for(b"%PDF-1.4\nthis is not really a pdf", "broken.pdf")
    assert error.message.startswith("This PDF is damaged and its text cannot be read")


def test_csv_without_speaker_and_text_columns():
    error = error_for(b"name,utterance\nI,Hello\n", "rows.csv")
    assert error.message == (
        "The CSV file needs columns named 'speaker' and 'text', but its first row has 'name', 'utterance'. "
        "Rename the columns in the file, or tell the import which columns to use."
    )


def test_vtt_with_broken_timestamps():
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello.\n\n00:00:0x.000 --> 00:00:05.000\nLost?\n"
    error = error_for(vtt, "call.vtt")
    assert error.message == (
        "Line 6 has a cue timing that cannot be read: '00:00:0x.000 --> 00:00:05.000'. Timings must look like "
        "00:01:02.500 --> 00:01:05.000. Correct that line and upload the file again."
    )


def test_vtt_with_one_cue_whose_arrow_is_broken_names_that_line():
    """webvtt-py drops such a cue and its text without a word; the import refuses the file instead."""
    vtt = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ana>Kept.\n\n"
        b"00:00:05.000 -> 00:00:08.000\n<v Ana>Would be lost.\n\n00:00:09.000 --> 00:00:12.000\n<v Ben>Kept.\n"
    )
    assert error_for(vtt, "call.vtt").message.startswith(
        "Line 6 has a cue timing that cannot be read: '00:00:05.000 -> 00:00:08.000'."
    )


def test_vtt_whose_timings_are_all_broken_names_the_first_line_not_no_captions():
    vtt = b"WEBVTT\n\n00:00:01.000 -> 00:00:04.000\nFirst.\n\n00:00:05.000 - 00:00:08.000\nSecond.\n"
    assert error_for(vtt, "call.vtt").message.startswith("Line 3 has a cue timing that cannot be read")


def test_vtt_cue_text_that_mentions_a_time_is_text():
    parsed = parse_file(b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nAt 00:01.000 she left.\n", "a.vtt")
    assert parsed.text == "At 00:01.000 she left."


def test_vtt_without_header():
    error = error_for(b"00:00:01.000 --> 00:00:04.000\nHello.\n", "call.vtt")
    assert error.message.startswith("This is not a WebVTT file: its first line must be WEBVTT.")


def test_srt_with_broken_timestamps():
    srt = b"1\n00:00:01,000 --> 00:00:04,000\nHi.\n\n2\n00:00:04 --> 00:00:05,000\nHo.\n"
    assert error_for(srt, "call.srt").message.startswith("Line 6 has a cue timing that cannot be read")


def test_file_over_the_size_limit():
    options = ImportOptions(limits=ImportLimits(max_file_bytes=1024 * 1024))
    error = error_for(b"Interviewer: hi\n" * 70_000, "huge.txt", options)
    assert error.message == (
        "This file is 1.1 MB; the limit is 1 MB. Split the transcript into smaller files, or save it without "
        "embedded images."
    )


def test_file_object_over_the_limit_is_not_read_to_the_end():
    options = ImportOptions(limits=ImportLimits(max_file_bytes=1024 * 1024))
    source = io.BytesIO(b"x" * (3 * 1024 * 1024))
    with pytest.raises(ImportFileError, match=r"This file is over 1 MB; the limit is 1 MB\."):
        parse_file(source, "huge.txt", options)
    assert source.tell() == 1024 * 1024 + 1


def test_unsupported_extension():
    error = error_for(b"whatever", "interview.doc")
    assert error.message.startswith(
        "Intercoder cannot import '.doc' files. Open it in Word and save it as .docx."
    )


def test_zip_given_to_parse_file():
    assert (
        error_for(b"PK", "batch.zip").message
        == "A .zip file holds several transcripts: import it as a batch."
    )


def test_error_to_dict():
    error = ImportFileError("Bad.", "a.txt", problems=["one"])
    assert error.to_dict() == {"filename": "a.txt", "message": "Bad.", "problems": ["one"]}


def test_srt_cue_without_its_number_is_refused_not_merged_into_the_one_before():
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nHi\n\nx\n00:00:03,000 --> 00:00:04,000\nHo\n"
    assert error_for(srt, "call.srt").message.startswith(
        "Line 5 should be the number of the cue whose timing is on line 6, but it is 'x'."
    )


def test_csv_row_with_more_cells_than_the_header_is_refused_naming_the_row():
    data = b"speaker,text\nI,Hello\nP01,Fine, thanks\n"
    assert error_for(data, "call.csv").message.startswith(
        "Row 3 has 3 cells but the header has 2, so 'thanks' belongs to no column and would be lost."
    )
