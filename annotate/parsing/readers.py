"""One reader per file format. Each turns raw bytes into an :class:`ExtractedDocument`: the normalised
document text, plus the speaker turns when the format itself says who spoke (subtitles, CSV).

Readers of free text (.txt/.md, .docx, .pdf) leave ``turns`` as ``None``, and speaker labels are then
detected in the text (:mod:`.speakers`). Readers of structured formats build the text themselves, as
``"Speaker: what was said"`` blocks separated by blank lines, so that the document reads like any other
transcript and its segments still start after the label.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import ImportFileError
from .normalise import TextBuilder, decode_bytes, normalise_text
from .options import ImportOptions
from .speakers import (
    LABEL_PATTERN,
    CueSpan,
    Turn,
    accepted_label_keys,
    clean_label,
    label_key,
)
from .tabular import cell, open_csv
from .timecodes import parse_timecode_ms
from .zipsafety import open_checked_zip

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

TURN_SEPARATOR = "\n\n"


@dataclass(slots=True)
class ExtractedDocument:
    text: str
    turns: list[Turn] | None = None
    """``None``: detect speakers in ``text``. A list (even empty) is final."""
    known_labels: set[str] = field(default_factory=set)
    """Labels the file's structure marks as speakers (bold runs in .docx), accepted even if used once."""
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None


def _require_text(text: str, filename: str, what: str = "The file") -> None:
    if not text.strip():
        raise ImportFileError(f"{what} has no text in it. Check that you chose the right file.", filename)


# --- plain text ---------------------------------------------------------------------------------------------


def read_plain_text(data: bytes, filename: str, options: ImportOptions) -> ExtractedDocument:
    """.txt and .md: the text as written (Markdown syntax is kept; ``**Name:**`` labels are recognised)."""
    raw, encoding = decode_bytes(data, filename, options.encoding)
    text = normalise_text(raw)
    _require_text(text, filename)
    return ExtractedDocument(text, encoding=encoding)


# --- Word ---------------------------------------------------------------------------------------------------

_COLONS = (":", "\uff1a")  # ASCII and full-width (CJK) colons
_BOLD_LABEL = re.compile(r"[^\W\d_][\w'\u2019.\- ]{0,38}(?:\([^()\n:]{1,30}\))?[ \t]*[:\uff1a]?")
_TABLE_LABEL = re.compile(r"[^\W\d_][\w'\u2019.\- ]{0,38}(?:\([^()\n:]{1,30}\))?[:\uff1a]?")
_TABLE_HEADER_WORDS = frozenset(
    "speaker name who text transcript utterance content time timestamp start end turn".split()  # noqa: SIM905
)


def read_docx(data: bytes, filename: str, options: ImportOptions) -> ExtractedDocument:
    """.docx: body paragraphs and tables in document order (headers, footers, footnotes and text boxes are
    left out). Paragraphs are separated by a blank line.

    Speaker labels: a paragraph that starts with a bold run such as **Interviewer:** or **P07** gives a
    speaker label. A bold label without a colon gets one ("P07: ..."), but only when that label recurs or
    is a role label, so that a paragraph opening with a bold word is not turned into a speaker. Tables are
    read row by row: a row "Speaker | Text" becomes "Speaker: Text", and "00:12:03 | Speaker | Text" becomes
    "[00:12:03] Speaker: Text"; other rows are joined with tabs.
    """
    # Imported lazily: python-docx (and lxml) are only needed when a .docx arrives.
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if not data.startswith(b"PK"):
        raise ImportFileError(
            "This file is not a Word .docx document (a .docx is a zip package, and this is not one). If it "
            "is an older .doc file, open it in Word and save it as .docx; otherwise upload it as .txt.",
            filename,
        )
    # python-docx decompresses the parts itself: check the container the way we check zip batches first.
    open_checked_zip(io.BytesIO(data), filename, options.limits, what="Word document").close()
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFileError(
            "This .docx file is damaged or is not a Word document, so it cannot be opened "
            f"({type(exc).__name__}). Open it in Word, save it again as .docx and upload the new file.",
            filename,
        ) from None
    except Exception as exc:  # lxml and zipfile raise many types on corrupt parts; all mean the same
        raise ImportFileError(
            f"This .docx file could not be read ({type(exc).__name__}). Open it in Word, save it again as "
            ".docx and upload the new file.",
            filename,
        ) from None

    blocks: list[tuple[str, str | None]] = []  # (text, bold label without a colon, if any)
    table_labels: set[str] = set()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row_text, label in _table_rows(item):
                blocks.append((row_text, None))
                if label:
                    table_labels.add(label)
        else:
            blocks.append(_paragraph(item))

    bold_labels = [label for _, label in blocks if label]
    colon_less_accepted = accepted_label_keys(((label, False) for label in bold_labels), options)
    builder = TextBuilder()
    known_labels = set(table_labels)
    for text, bold_label in blocks:
        if not text.strip():
            continue
        if bold_label:
            rest = text[len(bold_label) :]
            label = clean_label(bold_label.rstrip(" \t").rstrip("".join(_COLONS)))
            if rest.lstrip(" \t").startswith(_COLONS) or bold_label.rstrip().endswith(_COLONS):
                known_labels.add(label)
            elif label_key(label) in colon_less_accepted:
                text = f"{label}: " + rest.lstrip(" \t")
                known_labels.add(label)
        if len(builder):
            builder.append(TURN_SEPARATOR, normalise=False)
        builder.append(text)
    text = builder.build()
    _require_text(text, filename, "The Word document")
    return ExtractedDocument(text, known_labels=known_labels)


def _paragraph(paragraph: Paragraph) -> tuple[str, str | None]:
    text = paragraph.text
    bold = []
    for run in paragraph.runs:
        if not run.text:
            continue
        if not _is_bold(run):
            break
        bold.append(run.text)
    else:
        return text, None  # the whole paragraph is bold (a heading), or it has no runs
    prefix = "".join(bold)
    stripped = prefix.strip()
    if not stripped or not text.startswith(prefix) or not _BOLD_LABEL.fullmatch(stripped):
        return text, None
    return text, prefix


def _is_bold(run: Run) -> bool:
    if run.bold is not None:
        return bool(run.bold)
    style = run.style
    return bool(style is not None and style.font.bold)


def _table_rows(table: Table) -> list[tuple[str, str | None]]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for table_cell in row.cells:
            if table_cell._tc is previous:  # a merged cell is repeated once per grid column it spans
                continue
            previous = table_cell._tc
            cells.append(table_cell.text.strip())
        filled = [value for value in cells if value]
        if not filled or all(value.casefold().rstrip(":") in _TABLE_HEADER_WORDS for value in filled):
            continue
        rows.append(_table_row_text(filled))
    return rows


def _table_row_text(cells: list[str]) -> tuple[str, str | None]:
    def label_like(value: str) -> bool:
        return "\n" not in value and _TABLE_LABEL.fullmatch(value) is not None

    if len(cells) >= 3 and parse_timecode_ms(cells[0]) is not None and label_like(cells[1]):
        label = cells[1].rstrip("".join(_COLONS))
        return f"[{cells[0].strip('[]()')}] {label}: {' '.join(cells[2:])}", label
    if len(cells) >= 3 and label_like(cells[0]) and parse_timecode_ms(cells[1]) is not None:
        label = cells[0].rstrip("".join(_COLONS))
        return f"{label} ({cells[1].strip('[]()')}): {' '.join(cells[2:])}", label
    if len(cells) == 2 and label_like(cells[0]):
        label = cells[0].rstrip("".join(_COLONS))
        return f"{label}: {cells[1]}", label
    return "\t".join(cells), None


# --- PDF ----------------------------------------------------------------------------------------------------


def read_pdf(data: bytes, filename: str, options: ImportOptions) -> ExtractedDocument:
    """.pdf: the text layer, page by page (pages joined by a line break, as a turn often runs across a page
    break). Scanned PDFs have no text layer and are refused with advice to run OCR first."""
    from pypdf import PdfReader  # imported when a .pdf arrives: most imports never need it

    if not data.startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise ImportFileError(
            "This file is not a PDF document (it does not start with %PDF). Check the file and its "
            "extension.",
            filename,
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFileError(
                "This PDF is password-protected. Remove the password (print it to a new PDF) and upload it "
                "again.",
                filename,
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportFileError:
        raise
    except Exception as exc:  # pypdf raises a wide range of types on damaged files (PdfReadError, ...)
        raise ImportFileError(
            f"This PDF is damaged and its text cannot be read ({type(exc).__name__}). Save or export it "
            "again as PDF, or upload the transcript as .docx or .txt.",
            filename,
        ) from None
    texts = [normalise_text(page) for page in pages]
    empty_pages = sum(1 for page in texts if not page.strip())
    text = "\n".join(page.strip("\n") for page in texts if page.strip())
    if not text.strip():
        raise ImportFileError(
            "This PDF has no text layer: it looks like a scanned image, and Intercoder cannot read images. "
            "Run text recognition (OCR) on it first, for example with 'ocrmypdf', or upload the transcript "
            "as .docx or .txt.",
            filename,
        )
    warnings = []
    if empty_pages:
        warnings.append(
            f"{empty_pages} of {len(texts)} pages of this PDF have no text (scanned pages?); their content "
            "is missing from the transcript."
        )
    return ExtractedDocument(text, warnings=warnings)


# --- subtitles (WebVTT, SubRip) -----------------------------------------------------------------------------

_TIMESTAMP = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING_LINE = re.compile(rf"[ \t]*{_TIMESTAMP}[ \t]+-->[ \t]+{_TIMESTAMP}(?:[ \t].*)?")
# A line that means to be a timing line: an arrow, or a timestamp followed by another on the same line.
_TIMING_LIKE = re.compile(rf"-->|^[ \t]*{_TIMESTAMP}\b.*?{_TIMESTAMP}")


@dataclass(slots=True)
class _Cue:
    speaker: str | None
    text: str
    start_ms: int
    end_ms: int


def read_subtitles(data: bytes, filename: str, options: ImportOptions, fmt: str) -> ExtractedDocument:
    """.vtt / .srt: cue texts (tags stripped, entities decoded), turns from ``<v Name>`` voice tags or a
    "Name: " at the start of a cue. Consecutive cues of one speaker form one turn; cues without a speaker
    are one paragraph each. The document text leaves out the header, cue numbers and timings, which are
    kept as each segment's ``start_time_ms``/``end_time_ms`` instead.
    """
    # Imported when captions arrive: most imports never need webvtt-py.
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    raw, encoding = decode_bytes(data, filename, options.encoding)
    source = normalise_text(raw)
    _require_text(source, filename)
    _check_timing_lines(source, filename, fmt)
    try:
        if fmt == "vtt":
            captions = webvtt.from_string(source).captions
        else:
            captions = webvtt.WebVTT.from_buffer(io.StringIO(source), format="srt").captions
    except MalformedFileError:
        if fmt == "vtt":
            message = (
                "This is not a WebVTT file: its first line must be WEBVTT. Check the file and its extension."
            )
        else:
            message = (
                "This is not an SRT subtitle file: it should start with a cue number (1), then a timing line "
                "such as 00:00:01,000 --> 00:00:04,000. Check the file and its extension."
            )
        raise ImportFileError(message, filename) from None
    except (MalformedCaptionError, ValueError) as exc:
        raise ImportFileError(
            f"A cue timing in this subtitle file cannot be read ({exc}). Timings must look like "
            "00:01:02.500 --> 00:01:05.000.",
            filename,
        ) from None

    cues = []
    for caption in captions:
        # Line breaks inside a cue are only for display; the words run on.
        spoken = " ".join(html.unescape(caption.text).split())
        if spoken:
            start_ms = caption.start_time.in_milliseconds()
            end_ms = caption.end_time.in_milliseconds()
            cues.append(_Cue(clean_label(caption.voice) if caption.voice else None, spoken, start_ms, end_ms))
    if not cues:
        raise ImportFileError("This subtitle file has no captions with text in them.", filename)
    _speakers_from_inline_labels(cues, options)
    text, turns = _turns_from_cues(cues)
    return ExtractedDocument(text, turns=turns, encoding=encoding)


def _check_timing_lines(source: str, filename: str, fmt: str) -> None:
    # webvtt-py quietly skips a cue whose timing it cannot read ("00:01.000 -> 00:02.000"), and its text
    # with it; a transcript with silently missing passages is worse than an error, so every line that looks
    # like a timing line (an arrow, or two timestamps) must be a well-formed one.
    lines = source.split("\n")
    for line_number, line in enumerate(lines, start=1):
        if fmt == "srt" and _TIMING_LINE.fullmatch(line):
            # SubRip: number, timing, text. Without its number the parser reads the cue into the one
            # before it, timing line and all.
            before = lines[line_number - 2].strip() if line_number > 1 else ""
            if not before.isdigit():
                raise ImportFileError(
                    f"Line {line_number - 1 if line_number > 1 else 1} should be the number of the cue "
                    f"whose timing is on line {line_number}, but it is '{before[:60]}'. Number every cue "
                    "(1, 2, 3…) on the line before its timing, after a blank line.",
                    filename,
                )
        if _TIMING_LIKE.search(line) and not _TIMING_LINE.fullmatch(line):
            example = "00:01:02.500 --> 00:01:05.000" if fmt == "vtt" else "00:01:02,500 --> 00:01:05,000"
            raise ImportFileError(
                f"Line {line_number} has a cue timing that cannot be read: '{line.strip()[:80]}'. Timings "
                f"must look like {example}. Correct that line and upload the file again.",
                filename,
            )


def _speakers_from_inline_labels(cues: list[_Cue], options: ImportOptions) -> None:
    """Recording tools (Zoom, Teams) often write "Name: text" inside cues instead of voice tags."""
    candidates = []
    for index, cue in enumerate(cues):
        if cue.speaker is None:
            match = LABEL_PATTERN.match(cue.text)
            if match and not match["name"][0].islower():
                candidates.append((index, clean_label(match["name"]), match.end()))
    if not candidates:
        return
    accepted = accepted_label_keys(((name, False) for _, name, _ in candidates), options)
    for index, name, label_end in candidates:
        if label_key(name) in accepted:
            cue = cues[index]
            cue.speaker = name
            cue.text = cue.text[label_end:].strip()


def _turns_from_cues(cues: list[_Cue]) -> tuple[str, list[Turn]]:
    builder = TextBuilder()
    turns: list[Turn] = []
    index = 0
    while index < len(cues):
        speaker = cues[index].speaker
        group = [cues[index]]
        index += 1
        while speaker is not None and index < len(cues) and cues[index].speaker == speaker:
            group.append(cues[index])
            index += 1
        if len(builder):
            builder.append(TURN_SEPARATOR, normalise=False)
        if speaker is not None:
            builder.append(f"{speaker}: ")
        spans = []
        for position, cue in enumerate(group):
            if position:
                builder.append(" ", normalise=False)
            start, end = builder.append(cue.text)
            spans.append(CueSpan(start, end, cue.start_ms, cue.end_ms))
        turns.append(
            Turn(speaker, spans[0].start, spans[-1].end, spans[0].start_time_ms, spans[-1].end_time_ms, spans)
        )
    return builder.build(), turns


# --- CSV transcripts ----------------------------------------------------------------------------------------


def read_csv_transcript(data: bytes, filename: str, options: ImportOptions) -> ExtractedDocument:
    """.csv with one row per utterance: speaker and text columns, and optionally a timestamp column (column
    names from the options). Each row is one turn; rows with no text are skipped."""
    raw, encoding = decode_bytes(data, filename, options.encoding)
    source = normalise_text(raw)
    _require_text(source, filename)
    speaker_column = options.csv_speaker_column
    text_column = options.csv_text_column
    header, columns, rows = open_csv(
        source, [speaker_column, text_column], filename, field_limit=options.limits.max_file_bytes
    )
    speaker_index = columns[speaker_column.strip().casefold()]
    text_index = columns[text_column.strip().casefold()]
    time_index = columns.get(options.csv_timestamp_column.strip().casefold())

    builder = TextBuilder()
    turns: list[Turn] = []
    skipped = 0
    for row_number, row in rows:
        extra = [value for value in row[len(header) :] if value.strip()]
        if extra:
            # Usually a comma inside unquoted text: the rest of the answer would be lost, so refuse.
            raise ImportFileError(
                f"Row {row_number} has {len(row)} cells but the header has {len(header)}, so "
                f"'{extra[0].strip()[:60]}' belongs to no column and would be lost. Put quotes around text "
                "that contains the delimiter, or remove the extra cells.",
                filename,
            )
        spoken = cell(row, text_index)
        if not spoken:
            skipped += 1
            continue
        time_ms = None
        raw_time = cell(row, time_index)
        if raw_time:
            time_ms = parse_timecode_ms(raw_time)
            if time_ms is None:
                raise ImportFileError(
                    f"Row {row_number}, column '{options.csv_timestamp_column}': '{raw_time}' is not a time. "
                    "Write times as hh:mm:ss, mm:ss or seconds, or leave the cell empty.",
                    filename,
                )
        speaker = clean_label(cell(row, speaker_index)) or None
        if len(builder):
            builder.append(TURN_SEPARATOR, normalise=False)
        if speaker:
            builder.append(f"{speaker}: ")
        start, end = builder.append(spoken)
        turns.append(Turn(speaker, start, end, time_ms))
    text = builder.build()
    if not turns:
        raise ImportFileError(f"The CSV file has no rows with text in the '{text_column}' column.", filename)
    warnings = [f"Skipped {skipped} row(s) with an empty '{text_column}' cell."] if skipped else []
    return ExtractedDocument(text, turns=turns, warnings=warnings, encoding=encoding)
