"""Cutting a document's turns into segments.

Segments never cross a speaker turn, whatever the segmentation: a sentence or a fixed-size chunk inherits
its turn's speaker (and ``codable`` flag). A segment's offsets are trimmed of surrounding whitespace, and
whitespace-only pieces produce no segment.

Paragraphs are blocks separated by blank lines; a document with no blank line at all (common for
transcripts written one turn per line) is split at every line instead.

Times: a turn made of subtitle cues gives each segment the start of the cue it starts in and the end of the
cue it ends in. A turn whose label carried a time ("[00:12:03] P07:") gives that time to its first
segment only, as the later sentences of the turn did not start then.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from .errors import ImportFileError
from .options import ImportOptions, Segmentation
from .results import ParsedSegment
from .sentences import split_sentences
from .speakers import Turn, is_interviewer

_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_LINE_BREAK = re.compile(r"\n")

NO_SPEAKERS_WARNING = (
    "No speaker labels were found, so the transcript was split into paragraphs instead of speaker turns. "
    "If the transcript marks speakers in another way, give a speaker pattern in the import options."
)


def build_segments(
    text: str, turns: list[Turn], options: ImportOptions, filename: str | None, warnings: list[str]
) -> tuple[list[ParsedSegment], list[str], Segmentation]:
    """Return ``(segments, speakers, segmentation applied)`` for ``text`` cut into ``turns``.

    An empty ``turns`` list means no speakers were detected: the whole text is one speaker-less unit, and
    turn segmentation falls back to paragraphs with a warning.
    """
    segmentation = options.segmentation
    if not any(turn.speaker for turn in turns):
        if segmentation is Segmentation.TURN:
            segmentation = Segmentation.PARAGRAPH
            warnings.append(NO_SPEAKERS_WARNING)
        if not turns:
            turns = [Turn(None, 0, len(text))]
    paragraph_break = _BLANK_LINES if _BLANK_LINES.search(text) else _LINE_BREAK

    segments: list[ParsedSegment] = []
    speakers: dict[str, None] = {}  # insertion-ordered set
    limit = options.limits.max_segments
    for turn in turns:
        if turn.speaker is not None:
            speakers.setdefault(turn.speaker, None)
        codable = not (options.exclude_interviewer and is_interviewer(turn.speaker, options))
        # A speaker-less block in turn mode (a title, a subtitle cue without a voice) is split by paragraph.
        turn_segmentation = (
            Segmentation.PARAGRAPH
            if segmentation is Segmentation.TURN and turn.speaker is None
            else segmentation
        )
        cue_starts = [cue.start for cue in turn.cues] if turn.cues else None
        for index, (start, end) in enumerate(_spans(text, turn, turn_segmentation, paragraph_break, options)):
            if len(segments) >= limit:
                raise ImportFileError(
                    f"This document gives more than {limit:,} segments. Choose a larger unit (speaker turns "
                    "or paragraphs instead of sentences), or split the document into several files.",
                    filename,
                )
            start_ms, end_ms = _times(turn, cue_starts, start, end, first=index == 0)
            segments.append(ParsedSegment(len(segments), start, end, turn.speaker, codable, start_ms, end_ms))
    return segments, list(speakers), segmentation


def _spans(
    text: str,
    turn: Turn,
    segmentation: Segmentation,
    paragraph_break: re.Pattern[str],
    options: ImportOptions,
) -> Iterator[tuple[int, int]]:
    if segmentation is Segmentation.TURN:
        span = trim(text, turn.start, turn.end)
        if span:
            yield span
    elif segmentation is Segmentation.PARAGRAPH:
        yield from paragraphs(text, turn.start, turn.end, paragraph_break)
    elif segmentation is Segmentation.SENTENCE:
        for para_start, para_end in paragraphs(text, turn.start, turn.end, paragraph_break):
            yield from split_sentences(text, para_start, para_end)
    else:
        yield from fixed_size_chunks(text, turn.start, turn.end, options.fixed_size)


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` without surrounding whitespace, or ``None`` if only whitespace is left."""
    chunk = text[start:end]
    left = chunk.lstrip()
    if not left:
        return None
    start += len(chunk) - len(left)
    return start, start + len(left.rstrip())


def paragraphs(
    text: str, start: int, end: int, paragraph_break: re.Pattern[str]
) -> Iterator[tuple[int, int]]:
    """Trimmed, non-empty paragraphs of ``text[start:end]``."""
    position = start
    for match in paragraph_break.finditer(text, start, end):
        span = trim(text, position, match.start())
        if span:
            yield span
        position = match.end()
    span = trim(text, position, end)
    if span:
        yield span


def fixed_size_chunks(text: str, start: int, end: int, size: int) -> Iterator[tuple[int, int]]:
    """Chunks of at most ``size`` characters, cut at the last whitespace inside the window.

    A single "word" longer than ``size`` (a URL) is cut at ``size``. Each window is scanned once with
    ``str.rfind``, so the whole is linear in the text length.
    """
    span = trim(text, start, end)
    if span is None:
        return
    position, end = span
    while position < end:
        if end - position <= size:
            yield position, end
            return
        window_end = position + size
        if text[window_end].isspace():
            cut = window_end
        else:
            cut = max(text.rfind(sep, position, window_end) for sep in (" ", "\n", "\t"))
            if cut <= position:
                cut = window_end
        chunk = trim(text, position, cut)
        if chunk:
            yield chunk
        position = cut
        while position < end and text[position].isspace():
            position += 1


def _times(
    turn: Turn, cue_starts: list[int] | None, start: int, end: int, *, first: bool
) -> tuple[int | None, int | None]:
    if turn.cues and cue_starts:
        first_cue = turn.cues[max(bisect.bisect_right(cue_starts, start) - 1, 0)]
        last_cue = turn.cues[max(bisect.bisect_left(cue_starts, end) - 1, 0)]
        return first_cue.start_time_ms, last_cue.end_time_ms
    if first:
        return turn.start_time_ms, turn.end_time_ms
    return None, None
