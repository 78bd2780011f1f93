"""A retrieval written out for the write-up: Markdown (quotations under their case, each with its
citation) and CSV (one row per passage), streamed a batch of passages at a time.

A citation names the case, the transcript, the segment as the reader numbers it (¶ position + 1) and the
time where the transcript has one: "P03, Interview P03, ¶12, 00:12:05". In a secondary pass it also gives
the segment's number in the parent project's transcript it was copied from: "…, ¶2, ¶12 in the parent". The quotation is the coded spans
of the passage (joined by " […] "), or the whole segment when a code is on the whole segment.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.utils import timezone

from .passages import Retrieval, retrieval_iter
from .scope import SOURCE_WORDS
from .signals import passage_origin_wanted


@dataclass(frozen=True)
class Origin:
    """Where a project's segments were copied from: ``sentence`` for the head of a write-up, and each
    segment's source as (segment id, number as the source's reader shows it)."""

    sentence: str
    sources: Mapping[int, tuple[int, int]]


def origin_of(project_id: int) -> Origin | None:
    for _, answer in passage_origin_wanted.send(sender=Origin, project_id=project_id):
        if isinstance(answer, Origin):
            return answer
    return None


def clock(ms: int | None) -> str:
    if ms is None:
        return ""
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def citation(passage: dict[str, Any], origin: Origin | None = None) -> str:
    parts = [passage["case"]["identifier"], passage["document"]["title"], f"¶{passage['segment_number']}"]
    source = origin.sources.get(passage["segment"]) if origin is not None else None
    if source is not None:
        parts.append(f"¶{source[1]} in the parent")
    return ", ".join(
        [*parts, clock(passage["start_time_ms"])] if passage["start_time_ms"] is not None else parts
    )


def _head(retrieval: Retrieval, origin: Origin | None) -> str:
    return (
        f"From {SOURCE_WORDS[retrieval.source.name]}. Generated {timezone.now():%Y-%m-%d %H:%M} UTC. Each "
        "quotation is cited by case, transcript, segment (¶, as the reader numbers it) and time."
        + (f" {origin.sentence}" if origin is not None else "")
    )


def quotation(passage: dict[str, Any]) -> str:
    if passage["whole_segment"]:
        return "".join(text for text, _ in passage["pieces"])
    return " […] ".join(text for text, coded in passage["pieces"] if coded)


def _codes(passage: dict[str, Any]) -> str:
    return "; ".join(sorted({c["code_path"] for c in passage["codings"]}))


def _who(passage: dict[str, Any]) -> str:
    return ", ".join(sorted({who for c in passage["codings"] for who in c["by"]}))


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def retrieval_markdown(retrieval: Retrieval) -> Iterator[str]:
    origin = origin_of(retrieval.membership.project_id)
    yield f"# Passages: {retrieval.title}\n\n"
    yield _head(retrieval, origin) + "\n"
    case = None
    for passage in retrieval_iter(retrieval):
        if passage["case"]["identifier"] != case:
            case = passage["case"]["identifier"]
            yield f"\n## {case}\n"
        speaker = f"**{_md(passage['speaker'])}:** " if passage["speaker"] else ""
        cite = citation(passage, origin)
        yield f"\n> {speaker}{_md(quotation(passage))}\n>\n> — {cite} · {_md(_codes(passage))}\n"


CSV_COLUMNS = [
    "case",
    "document",
    "segment_number",
    "speaker",
    "role",
    "start_time",
    "codes",
    "coded_by",
    "quotation",
    "segment_text",
    "before",
    "after",
    "citation",
]
# In a secondary pass: the parent segment each passage was copied from.
ORIGIN_COLUMNS = ["source_segment_id", "source_segment_number"]


def retrieval_csv(retrieval: Retrieval) -> Iterator[str]:
    """UTF-8 with a byte-order mark (spreadsheets then read accents right), CRLF, as the exports."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    origin = origin_of(retrieval.membership.project_id)
    writer.writerow([*CSV_COLUMNS, *(ORIGIN_COLUMNS if origin is not None else [])])
    yield "\ufeff" + flush()
    for p in retrieval_iter(retrieval):
        source = origin.sources.get(p["segment"], (None, None)) if origin is not None else ()
        writer.writerow(
            [
                p["case"]["identifier"],
                p["document"]["title"],
                p["segment_number"],
                p["speaker"],
                p["role"],
                clock(p["start_time_ms"]),
                _codes(p),
                _who(p),
                quotation(p),
                "".join(text for text, _ in p["pieces"]),
                p["before"]["text"] if p["before"] else "",
                p["after"]["text"] if p["after"] else "",
                citation(p, origin),
                *source,
            ]
        )
        yield flush()


_MARKER = "@@passages@@"
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RUN_BREAKS = re.compile("([\t\r\n])")


def _docx_run(text: str, *, bold: bool = False) -> str:
    """A run as python-docx writes one (``add_run``): a tab is ``w:tab``, each CR or LF a ``w:br``.
    Characters XML cannot hold (control characters) are left out."""
    inner = []
    for part in _RUN_BREAKS.split(_XML_UNSAFE.sub("", text)):
        if part == "\t":
            inner.append("<w:tab/>")
        elif part in ("\r", "\n"):
            inner.append("<w:br/>")
        elif part:
            inner.append(f'<w:t xml:space="preserve">{xml_escape(part)}</w:t>')
    return "<w:r>" + ("<w:rPr><w:b/></w:rPr>" if bold else "") + "".join(inner) + "</w:r>"


def _docx_paragraph(*runs: str, style: str | None = None) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{properties}{''.join(runs)}</w:p>"


def retrieval_docx(retrieval: Retrieval, path) -> int:
    """The passages as a Word document at ``path`` (a path or a binary file): a heading per case, each
    quotation as a quote paragraph with its citation and codes below it. Returns the number of passages
    written. Streamed: python-docx makes the document's frame (styles, settings, the title), and the
    passages are written into its body as XML, a batch at a time, so memory stays flat however many
    passages there are (python-docx holds the whole document, and inserts each paragraph in time
    proportional to those before it)."""
    import docx  # a heavy import only downloads need

    origin = origin_of(retrieval.membership.project_id)
    frame = docx.Document()
    frame.add_heading(f"Passages: {retrieval.title}", level=1)
    frame.add_paragraph(_head(retrieval, origin))
    frame.add_paragraph(_MARKER)
    template = io.BytesIO()
    frame.save(template)
    written = 0
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, source.read(item))
                continue
            body = source.read(item).decode("utf-8")
            at = body.index(_MARKER)
            start, end = body.rindex("<w:p>", 0, at), body.index("</w:p>", at) + len("</w:p>")
            with out.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(body[:start].encode())
                case = None
                for passage in retrieval_iter(retrieval):
                    parts = []
                    if passage["case"]["identifier"] != case:
                        case = passage["case"]["identifier"]
                        parts.append(_docx_paragraph(_docx_run(case), style="Heading2"))
                    speaker = [_docx_run(f"{passage['speaker']}: ", bold=True)] if passage["speaker"] else []
                    parts.append(_docx_paragraph(*speaker, _docx_run(quotation(passage)), style="Quote"))
                    parts.append(
                        _docx_paragraph(_docx_run(f"— {citation(passage, origin)} · {_codes(passage)}"))
                    )
                    stream.write("".join(parts).encode())
                    written += 1
                stream.write(body[end:].encode())
    return written
