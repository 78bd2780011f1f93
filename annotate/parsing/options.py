"""Import options: one frozen dataclass shared by the preview and the real import.

The preview API builds an :class:`ImportOptions` from the user's choices (``ImportOptions.from_dict``), shows
the result, and the import job is given the very same options (``to_dict()`` is JSON, so it can be stored
on the job row), so what the user previewed is what gets stored.
"""

from __future__ import annotations

import codecs
import enum
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Any

from .errors import ImportFileError

MB = 1024 * 1024


class Segmentation(enum.StrEnum):
    """How a transcript is cut into the units coders code."""

    TURN = "turn"
    """One segment per speaker turn (default). Falls back to paragraphs when no speakers are found."""
    PARAGRAPH = "paragraph"
    """One segment per paragraph (blank-line separated; one per line if the document has no blank lines)."""
    SENTENCE = "sentence"
    """One segment per sentence, never crossing a paragraph or a speaker turn."""
    FIXED = "fixed"
    """Chunks of at most ``fixed_size`` characters, broken at whitespace, never crossing a speaker turn."""


@dataclass(frozen=True)
class ImportLimits:
    """Resource limits. Each protects the server from one kind of upload that would exhaust it.

    The defaults are sized for interview studies: a 2-hour interview is ~20,000 words (~120 KB of text,
    ~1 MB as .docx), so 25 MB per file leaves a wide margin; a batch of 2,000 transcripts fits easily in
    500 MB unpacked.
    """

    max_file_bytes: int = 25 * MB
    """Largest single file (an upload, or one member of a zip, counting its unpacked size)."""
    max_archive_bytes: int = 200 * MB
    """Largest .zip upload (compressed size)."""
    max_zip_members: int = 2_000
    """Most entries a zip may hold, counting directories and skipped system files too (bounds the work)."""
    max_unpacked_bytes: int = 500 * MB
    """Most bytes a zip may unpack to in total (declared sizes checked first, actual bytes counted too)."""
    max_compression_ratio: int = 200
    """Highest unpacked/packed ratio for a zip member larger than ``compression_ratio_floor_bytes``.
    Transcripts compress 3-10x; zip bombs compress 1,000x."""
    compression_ratio_floor_bytes: int = 1 * MB
    """Members smaller than this are not ratio-checked: a tiny file cannot exhaust anything."""
    max_segments: int = 20_000
    """Most segments one document may produce (a 2-hour interview by sentence is ~2,000)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ImportFileError(f"The import limit {item.name} must be a positive whole number.")


DEFAULT_INTERVIEWER_LABELS: tuple[str, ...] = ("Interviewer", "I", "Q", "Int")


@dataclass(frozen=True)
class ImportOptions:
    """Everything the user can choose about how files are turned into transcripts and segments."""

    segmentation: Segmentation = Segmentation.TURN
    encoding: str | None = None
    """Encoding of plain-text files that are not UTF-8/UTF-16. ``None`` = UTF-8 or a BOM; never guessed."""
    speaker_pattern: str | None = None
    """A regular expression matched at the start of each line, with a named group ``(?P<speaker>...)`` and
    optionally ``(?P<time>...)``. When given, it replaces the built-in speaker-label detection."""
    interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWER_LABELS
    """Speaker labels that mean "the interviewer" (compared case-insensitively, ignoring a trailing number:
    "Interviewer 2" is an interviewer)."""
    interviewer_speakers: tuple[str, ...] = ()
    """Named people who were interviewing, e.g. ``("Sarah",)``, in addition to ``interviewer_labels``."""
    exclude_interviewer: bool = False
    """Keep the interviewer's turns in the text and as segments, but mark them ``codable=False``.
    Off by default so that nothing is withheld from coding unless the team asks for it."""
    fixed_size: int = 1_000
    """Characters per segment for ``Segmentation.FIXED``."""
    csv_speaker_column: str = "speaker"
    csv_text_column: str = "text"
    csv_timestamp_column: str = "timestamp"
    """Optional column: used when present, ignored when absent."""
    limits: ImportLimits = field(default_factory=ImportLimits)

    def __post_init__(self) -> None:
        # Coerce the JSON-ish forms an API hands over, so the rest of the package can trust the types.
        try:
            object.__setattr__(self, "segmentation", Segmentation(self.segmentation))
        except ValueError:
            choices = ", ".join(repr(s.value) for s in Segmentation)
            raise ImportFileError(
                f"Unknown segmentation {self.segmentation!r}. Choose one of {choices}."
            ) from None
        object.__setattr__(self, "interviewer_labels", tuple(self.interviewer_labels))
        object.__setattr__(self, "interviewer_speakers", tuple(self.interviewer_speakers))
        if isinstance(self.fixed_size, bool) or not isinstance(self.fixed_size, int) or self.fixed_size < 20:
            raise ImportFileError("The fixed segment size must be a whole number of at least 20 characters.")
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ImportFileError(
                    f"Unknown text encoding {self.encoding!r}. Use a standard name such as 'utf-8', "
                    "'windows-1252' or 'latin-1', or leave it empty for UTF-8."
                ) from None
        for name in ("csv_speaker_column", "csv_text_column", "csv_timestamp_column"):
            if not str(getattr(self, name)).strip():
                raise ImportFileError(f"The CSV column name {name.removeprefix('csv_')} cannot be empty.")
        if self.speaker_pattern is not None:
            self.compiled_speaker_pattern  # noqa: B018 - validate eagerly, so a bad pattern fails at preview

    @cached_property
    def compiled_speaker_pattern(self) -> re.Pattern[str] | None:
        """The user's speaker pattern, anchored at line starts; ``None`` means built-in detection."""
        if not self.speaker_pattern:
            return None
        try:
            # ^ is implied: a speaker label is at the start of a line. MULTILINE makes ^ mean that.
            pattern = re.compile(f"^(?:{self.speaker_pattern})", re.MULTILINE)
        except re.error as exc:
            raise ImportFileError(
                f"The speaker pattern is not a valid regular expression ({exc.msg} at position {exc.pos}). "
                "Check brackets and escape special characters such as ( ) [ ] . with a backslash."
            ) from None
        if "speaker" not in pattern.groupindex:
            raise ImportFileError(
                "The speaker pattern needs a named group for the speaker's name, written (?P<speaker>...), "
                r"for example (?P<speaker>[A-Z][a-z]+):"
            )
        unknown = set(pattern.groupindex) - {"speaker", "time"}
        if unknown:
            raise ImportFileError(
                f"The speaker pattern has named groups {', '.join(sorted(unknown))} that are not used; "
                "only (?P<speaker>...) and (?P<time>...) are understood. Use (?:...) for other groups."
            )
        return pattern

    @cached_property
    def interviewer_keys(self) -> frozenset[str]:
        """Case-folded labels and names that identify the interviewer."""
        labels = self.interviewer_labels + self.interviewer_speakers
        return frozenset(label.strip().casefold() for label in labels)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportOptions:
        """Build options from JSON (an API request, a stored job). Unknown keys are an error, not ignored,
        so a typo in a client does not silently fall back to a default."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ImportFileError(f"Unknown import option(s): {', '.join(unknown)}.")
        values = dict(data)
        if isinstance(values.get("limits"), Mapping):
            limit_names = {item.name for item in fields(ImportLimits)}
            bad = sorted(set(values["limits"]) - limit_names)
            if bad:
                raise ImportFileError(f"Unknown import limit(s): {', '.join(bad)}.")
            values["limits"] = ImportLimits(**values["limits"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form; ``ImportOptions.from_dict(options.to_dict()) == options``."""
        data = asdict(self)
        data["segmentation"] = self.segmentation.value
        data["interviewer_labels"] = list(self.interviewer_labels)
        data["interviewer_speakers"] = list(self.interviewer_speakers)
        return data
