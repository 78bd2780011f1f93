"""A retrieval written out for the write-up: Markdown (quotations under their case, each with its
citation) and CSV (one row per passage), streamed a batch of passages at a time.

A citation names the case, the transcript, the segment as the reader numbers it (¶ position + 1) and the
time where the transcript has one: "P03, Interview P03, ¶12, 00:12:05". The quotation is the coded spans
of the passage (joined by " […] "), or the whole segment when a code is on the whole segment.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from .passages import Retrieval, retrieval_iter
from .scope import SOURCE_WORDS


def clock(ms: int | None) -> str:
    if ms is None:
        return ""
    s = ms // 1000
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def citation(passage: dict[str, Any]) -> str:
    parts = [passage["case"]["identifier"], passage["document"]["title"], f"¶{passage['segment_number']}"]
    return ", ".join(
        [*parts, clock(passage["start_time_ms"])] if passage["start_time_ms"] is not None else parts
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
    yield f"# Passages: {retrieval.title}\n\n"
    yield (
        f"From {SOURCE_WORDS[retrieval.source.name]}. Generated {timezone.now():%Y-%m-%d %H:%M} UTC. "
        "Each quotation is cited by case, transcript, segment (¶, as the reader numbers it) and time.\n"
    )
    case = None
    for passage in retrieval_iter(retrieval):
        if passage["case"]["identifier"] != case:
            case = passage["case"]["identifier"]
            yield f"\n## {case}\n"
        speaker = f"**{_md(passage['speaker'])}:** " if passage["speaker"] else ""
        yield f"\n> {speaker}{_md(quotation(passage))}\n>\n> — {citation(passage)} · {_md(_codes(passage))}\n"


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


def retrieval_csv(retrieval: Retrieval) -> Iterator[str]:
    """UTF-8 with a byte-order mark (spreadsheets then read accents right), CRLF, as the exports."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()
    for p in retrieval_iter(retrieval):
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
                citation(p),
            ]
        )
        yield flush()


def retrieval_docx(retrieval: Retrieval, path) -> int:
    """The passages as a Word document at ``path``: a heading per case, each quotation as a quote
    paragraph with its citation and codes below it. Returns the number of passages written. python-docx
    builds the document in memory, one paragraph per passage, so its size grows with the retrieval (a
    10,000-passage document is a few tens of megabytes)."""
    import docx  # a heavy import only downloads need

    document = docx.Document()
    document.add_heading(f"Passages: {retrieval.title}", level=1)
    document.add_paragraph(
        f"From {SOURCE_WORDS[retrieval.source.name]}. Generated {timezone.now():%Y-%m-%d %H:%M} UTC. Each "
        "quotation is cited by case, transcript, segment (¶, as the reader numbers it) and time."
    )
    case, written = None, 0
    for passage in retrieval_iter(retrieval):
        if passage["case"]["identifier"] != case:
            case = passage["case"]["identifier"]
            document.add_heading(case, level=2)
        quote = document.add_paragraph(style="Quote")
        if passage["speaker"]:
            quote.add_run(f"{passage['speaker']}: ").bold = True
        quote.add_run(quotation(passage))
        document.add_paragraph(f"— {citation(passage)} · {_codes(passage)}")
        written += 1
    document.save(path)
    return written
