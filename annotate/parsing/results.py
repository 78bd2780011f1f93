"""What parsing produces: plain, JSON-friendly dataclasses, ready for the preview API and for bulk inserts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import ImportFileError


@dataclass(frozen=True, slots=True)
class ParsedSegment:
    """One unit of coding.

    ``start``/``end`` are Unicode code-point offsets into :attr:`ParsedTranscript.text`, half-open
    ``[start, end)``; the segment's text is always ``transcript.text[start:end]`` and is never stored twice.
    In a speaker turn the offsets cover what was said, after the speaker label: the document text keeps
    "P07: " as the transcript had it, and the segment starts at the first character after it.
    """

    position: int
    """0-based order of the segment in the document."""
    start: int
    end: int
    speaker: str | None
    codable: bool
    """False for the interviewer's turns when the options exclude them: kept as context, not coded."""
    start_time_ms: int | None = None
    end_time_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "codable": self.codable,
            "start_time_ms": self.start_time_ms,
            "end_time_ms": self.end_time_ms,
        }


@dataclass(slots=True)
class ParsedTranscript:
    """One imported document: its normalised text and its segments."""

    filename: str
    format: str
    """The reader used: "text", "docx", "pdf", "vtt", "srt" or "csv"."""
    sha256: str
    """Hex digest of the raw uploaded bytes (before decoding), for duplicate detection."""
    text: str
    """The normalised text: UTF-8-safe, LF line ends, NFC, no control characters except tab and newline."""
    segments: list[ParsedSegment]
    speakers: list[str]
    """Distinct speaker labels in order of first appearance."""
    warnings: list[str] = field(default_factory=list)
    segmentation: str = "turn"
    """The segmentation actually applied (``"paragraph"`` when turns were asked for but none were found)."""
    encoding: str | None = None
    """The text encoding the bytes were decoded with, for text-based formats; ``None`` for .docx/.pdf."""

    def segment_text(self, segment: ParsedSegment) -> str:
        return self.text[segment.start : segment.end]

    def to_dict(self, *, include_segment_text: bool = True) -> dict[str, Any]:
        """JSON-friendly form. The preview wants each segment's text; a stored job may not."""
        segments = []
        for segment in self.segments:
            item = segment.to_dict()
            if include_segment_text:
                item["text"] = self.text[segment.start : segment.end]
            segments.append(item)
        return {
            "filename": self.filename,
            "format": self.format,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "segmentation": self.segmentation,
            "text": self.text,
            "speakers": list(self.speakers),
            "warnings": list(self.warnings),
            "segments": segments,
        }


@dataclass(frozen=True, slots=True)
class ArchiveMemberResult:
    """The outcome for one file inside a zip batch: a transcript, or the error that file alone caused.

    A bad member does not stop the batch; problems with the archive itself (a zip bomb, a path-traversal
    name, too many members) raise :class:`ImportFileError` before any member is returned.
    """

    filename: str
    """``"<archive name>/<member path>"``."""
    transcript: ParsedTranscript | None = None
    error: ImportFileError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "transcript": self.transcript.to_dict() if self.transcript else None,
            "error": self.error.to_dict() if self.error else None,
        }
