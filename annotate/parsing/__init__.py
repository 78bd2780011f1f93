"""Import parsing: uploaded transcript files in, normalised text and segments out.

Pure Python (no Django, no database), so it can run in a web request (the preview) and in a Celery worker
(the import) alike, and be tested on its own. The flow for one file::

    bytes ──reader (per format)──> normalised text [+ turns, for subtitles/CSV]
          ──speakers.detect_turns──> turns ──segmentation.build_segments──> ParsedTranscript

Public API:

* :func:`parse_file` — one file (.txt/.md, .docx, .pdf, .vtt, .srt, .csv) → :class:`ParsedTranscript`.
* :func:`iter_archive` — a .zip batch → an iterator of :class:`ArchiveMemberResult`, one member at a time.
* :func:`parse_text` — already-decoded text (pasted) → :class:`ParsedTranscript`.
* :func:`parse_case_attributes` — a case-attribute CSV → :class:`CaseAttributeTable`.
* :class:`ImportOptions` (with :class:`Segmentation`, :class:`ImportLimits`) — the user's choices, shared by
  preview and import.
* :class:`ImportFileError` — the only exception; its message tells the user what to fix.

Module map: ``options`` (choices and limits), ``errors``, ``results`` (output dataclasses), ``normalise``
(decoding, text normalisation), ``readers`` (one function per format), ``speakers`` (label detection and
the false-positive rule), ``segmentation``/``sentences`` (cutting turns into segments), ``archives`` and
``zipsafety`` (zip batches, bomb and traversal checks), ``tabular`` (CSV headers), ``attributes`` (case
attributes), ``timecodes`` (hh:mm:ss), ``transcripts`` (the single-file entry points).
"""

from .archives import iter_archive
from .attributes import (
    AttributeType,
    AttributeValue,
    CaseAttributes,
    CaseAttributeTable,
    parse_case_attributes,
)
from .errors import ImportFileError
from .normalise import decode_bytes, normalise_text
from .options import ImportLimits, ImportOptions, Segmentation
from .results import ArchiveMemberResult, ParsedSegment, ParsedTranscript
from .transcripts import SUPPORTED_EXTENSIONS, detect_format, is_archive, parse_file, parse_text

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ArchiveMemberResult",
    "AttributeType",
    "AttributeValue",
    "CaseAttributeTable",
    "CaseAttributes",
    "ImportFileError",
    "ImportLimits",
    "ImportOptions",
    "ParsedSegment",
    "ParsedTranscript",
    "Segmentation",
    "decode_bytes",
    "detect_format",
    "is_archive",
    "iter_archive",
    "normalise_text",
    "parse_case_attributes",
    "parse_file",
    "parse_text",
]
