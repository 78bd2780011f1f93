"""Entry points for one file: bytes in, :class:`ParsedTranscript` out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import BinaryIO

from .errors import ImportFileError
from .normalise import normalise_text
from .options import MB, ImportOptions
from .readers import (
    ExtractedDocument,
    read_csv_transcript,
    read_docx,
    read_pdf,
    read_plain_text,
    read_subtitles,
)
from .results import ParsedTranscript
from .segmentation import build_segments
from .speakers import detect_turns

Reader = Callable[[bytes, str, ImportOptions], ExtractedDocument]

FORMAT_BY_EXTENSION: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".docx": "docx",
    ".pdf": "pdf",
    ".vtt": "vtt",
    ".srt": "srt",
    ".csv": "csv",
}
ARCHIVE_EXTENSIONS = frozenset({".zip"})
SUPPORTED_EXTENSIONS = frozenset(FORMAT_BY_EXTENSION) | ARCHIVE_EXTENSIONS

_READERS: dict[str, Reader] = {
    "text": read_plain_text,
    "docx": read_docx,
    "pdf": read_pdf,
    "vtt": lambda data, filename, options: read_subtitles(data, filename, options, "vtt"),
    "srt": lambda data, filename, options: read_subtitles(data, filename, options, "srt"),
    "csv": read_csv_transcript,
}

_ADVICE_BY_EXTENSION = {
    ".doc": "Open it in Word and save it as .docx.",
    ".rtf": "Open it in a word processor and save it as .docx or .txt.",
    ".odt": "Open it in LibreOffice and save it as .docx.",
    ".pages": "Export it from Pages as .docx.",
    ".xlsx": "Save the sheet as .csv.",
    ".sbv": "Convert it to .srt or .vtt.",
}


def extension_of(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.casefold()


def is_archive(filename: str) -> bool:
    """Whether ``filename`` is a batch to open with :func:`~.archives.iter_archive`."""
    return extension_of(filename) in ARCHIVE_EXTENSIONS


def detect_format(filename: str) -> str:
    """The reader for ``filename``, chosen by extension: "text", "docx", "pdf", "vtt", "srt" or "csv"."""
    extension = extension_of(filename)
    if extension in FORMAT_BY_EXTENSION:
        return FORMAT_BY_EXTENSION[extension]
    if extension in ARCHIVE_EXTENSIONS:
        raise ImportFileError("A .zip file holds several transcripts: import it as a batch.", filename)
    supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    advice = _ADVICE_BY_EXTENSION.get(extension, "")
    kind = f"'{extension}' files" if extension else "files without an extension"
    message = f"Intercoder cannot import {kind}. {advice} Supported types: {supported}."
    raise ImportFileError(message.replace("  ", " "), filename)


def read_limited(source: bytes | BinaryIO, filename: str, max_bytes: int, what: str = "file") -> bytes:
    """Read an upload, refusing it once it passes ``max_bytes`` (without reading the rest)."""
    data = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = f"{len(data) / MB:.1f} MB" if isinstance(source, bytes) else f"over {max_bytes / MB:g} MB"
        raise ImportFileError(
            f"This {what} is {size}; the limit is {max_bytes / MB:g} MB. Split the transcript into smaller "
            "files, or save it without embedded images.",
            filename,
        )
    return data


def parse_file(
    source: bytes | BinaryIO, filename: str, options: ImportOptions | None = None
) -> ParsedTranscript:
    """Parse one uploaded transcript file (not a .zip: see :func:`~.archives.iter_archive`).

    ``source`` is the raw bytes or a binary file object (read up to the size limit). Raises
    :class:`ImportFileError` with a message for the user when the file cannot become a transcript.
    """
    options = options or ImportOptions()
    fmt = detect_format(filename)
    data = read_limited(source, filename, options.limits.max_file_bytes)
    return parse_bytes(data, filename, fmt, options)


def parse_bytes(data: bytes, filename: str, fmt: str, options: ImportOptions) -> ParsedTranscript:
    """Parse ``data`` with the reader for ``fmt`` (the size limit already checked)."""
    if not data:
        raise ImportFileError("The file is empty. Check that you chose the right file.", filename)
    extracted = _READERS[fmt](data, filename, options)
    return _transcript(extracted, filename, fmt, hashlib.sha256(data).hexdigest(), options)


def parse_text(
    text: str, filename: str = "pasted.txt", options: ImportOptions | None = None
) -> ParsedTranscript:
    """Parse text that is already a ``str`` (pasted into a form); ``sha256`` is of its UTF-8 encoding."""
    options = options or ImportOptions()
    normalised = normalise_text(text)
    if not normalised.strip():
        raise ImportFileError("There is no text to import.", filename)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _transcript(ExtractedDocument(normalised, encoding=None), filename, "text", digest, options)


def _transcript(
    extracted: ExtractedDocument, filename: str, fmt: str, digest: str, options: ImportOptions
) -> ParsedTranscript:
    warnings = list(extracted.warnings)
    turns = extracted.turns
    if turns is None:
        turns = detect_turns(extracted.text, options, warnings, extracted.known_labels)
    segments, speakers, segmentation = build_segments(extracted.text, turns, options, filename, warnings)
    return ParsedTranscript(
        filename=filename,
        format=fmt,
        sha256=digest,
        text=extracted.text,
        segments=segments,
        speakers=speakers,
        warnings=warnings,
        segmentation=segmentation.value,
        encoding=extracted.encoding,
    )
