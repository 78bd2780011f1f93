"""Speaker-turn detection.

A *label* is the speaker's name at the start of a line, followed by a colon: ``Interviewer:``, ``I:``,
``P07:``, ``Participant 7:``, ``Q:``/``A:``, ``José Núñez:``, ``[00:12:03] Name:``, ``NAME (00:12:03):``,
``**Name:**`` (Markdown bold) and ``Sarah (Interviewer):``. A label starts a turn; lines without a label
continue the current turn, so consecutive lines of one speaker form one turn. A second label for the same
speaker starts a new turn (the label stays in the text, so one segment could not span it).

The false-positive rule
-----------------------
A colon after a word at the start of a line is not always a speaker: "Note: the recording stopped here".
With the built-in detection, a candidate label is accepted as a speaker only if

1. it is a *role label* (Interviewer, Interviewee, Int, I, Q, A, R, P, Participant, Respondent, Moderator,
   Facilitator, Researcher, Speaker, Subject, each optionally numbered: "P07", "Speaker 2"), has one in
   parentheses ("Sarah (Interviewer)"), or is one of the interviewer labels/names given in the options; or
2. it carries a timestamp ("[00:12:03] Name:", "NAME (00:12:03):"); or
3. the same label (case-insensitively) starts at least :data:`MIN_LABEL_OCCURRENCES` lines in the document,
   and it is not a common heading word ("Note", "Date", "Example", ...: :data:`NOT_SPEAKERS`); or
4. the reader knows it is a speaker from the file's structure (bold runs in .docx, a speaker column).

Everything else stays part of the turn it is in. Real speakers in an interview speak more than once, so the
recurrence rule costs little; the labels it drops are listed in a warning so that a user can supply a
speaker pattern if we were wrong. A user-supplied pattern (``ImportOptions.speaker_pattern``) replaces
these heuristics entirely: every match is a speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .options import ImportOptions
from .timecodes import parse_timecode_ms

MIN_LABEL_OCCURRENCES = 2
"""How often a label that is neither a role nor timestamped must occur to count as a speaker."""

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# 1-4 words, the first starting with a letter (any script); \u2019 is the typographic apostrophe.
_NAME = r"[^\W\d_][\w'\u2019.\-]*(?:[ \t][\w'\u2019.\-]+){0,3}?"

LABEL_PATTERN = re.compile(
    rf"""
    ^[ \t]*
    (?:[\[(](?P<lead_time>{_TIME})[\])][ \t]*|(?P<bare_time>{_TIME})[ \t]+)?  # [00:12:03] Name:
    (?:\*\*|__)?                                                            # Markdown bold
    (?P<name>{_NAME}(?:[ \t]*\([^()\n:]{{1,40}}\))?)                        # Sarah (Interviewer)
    [ \t]*
    (?:\((?P<paren_time>{_TIME})\)[ \t]*)?                                  # NAME (00:12:03):
    (?:\*\*|__)?
    (?::(?:\*\*|__)?(?=[ \t]|$)|\uff1a(?:\*\*|__)?)  # ":" then a space; CJK text needs none after "："
    """,
    re.MULTILINE | re.VERBOSE,
)
"""The built-in speaker label, matched at line starts (``finditer`` over the whole text: linear)."""

ROLE_LABEL = re.compile(
    r"""(?:interviewer|interviewee|int|i|q|a|r|p|participant|respondent|resp|moderator|mod|facilitator
    |researcher|speaker|subject|s)\.?(?:[ \t]*[-#]?[ \t]*\d{1,4}[a-z]?)?""",
    re.IGNORECASE | re.VERBOSE,
)

NOT_SPEAKERS = frozenset(
    """note notes nb n.b. ps p.s. example examples e.g. eg i.e. ie edit update warning caution tip important
    source sources subject re date time location place duration length transcript transcriber transcribed
    title summary topic see also http https www file recording audio video tags keywords""".split()  # noqa: SIM905
)
"""Words that start lines with a colon in transcripts without being speakers."""

_TRAILING_NUMBER = re.compile(r"[ \t]*[-#]?[ \t]*\d{1,4}[a-z]?$")
_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_WHITESPACE = re.compile(r"\s+")


@dataclass(slots=True)
class CueSpan:
    """Where one subtitle cue's text sits inside a turn, and when it was spoken."""

    start: int
    end: int
    start_time_ms: int
    end_time_ms: int


@dataclass(slots=True)
class Turn:
    """A stretch of the document text said by one speaker (``None``: no speaker, e.g. a title block).

    ``start``/``end`` bound the turn's content (after the label) up to the next label's line; segmentation
    trims whitespace from it.
    """

    speaker: str | None
    start: int
    end: int
    start_time_ms: int | None = None
    end_time_ms: int | None = None
    cues: list[CueSpan] | None = None


@dataclass(slots=True)
class _Candidate:
    line_start: int
    content_start: int
    name: str
    time_ms: int | None


def clean_label(name: str) -> str:
    """Collapse whitespace and strip Markdown emphasis from a label, keeping it as the transcript wrote it."""
    return _WHITESPACE.sub(" ", name).strip(" *_")


def label_key(name: str) -> str:
    return name.casefold()


def is_role_label(name: str) -> bool:
    """A role label ("P07", "Interviewer 2"), or a name with a role in parentheses ("Sarah (Interviewer)")."""
    if ROLE_LABEL.fullmatch(name):
        return True
    return any(ROLE_LABEL.fullmatch(inner.strip()) for inner in _PARENTHESISED.findall(name))


def is_interviewer(speaker: str | None, options: ImportOptions) -> bool:
    """Whether ``speaker`` is the interviewer: a configured label or name, ignoring case, a trailing "."
    and a trailing number ("Interviewer 2", "Int."), or one given in parentheses ("Sarah (Interviewer)")."""
    if not speaker:
        return False
    keys = options.interviewer_keys
    key = speaker.casefold().strip()
    bare = _TRAILING_NUMBER.sub("", key).rstrip(". ")
    if key in keys or bare in keys or key.rstrip(".") in keys:
        return True
    return any(inner.strip().casefold() in keys for inner in _PARENTHESISED.findall(key))


def accepted_label_keys(
    candidates: Iterable[tuple[str, bool]], options: ImportOptions, known: Iterable[str] = ()
) -> set[str]:
    """Apply the false-positive rule to ``(label, has_timestamp)`` candidates; return accepted label keys."""
    counts: Counter[str] = Counter()
    timestamped: set[str] = set()
    for name, has_time in candidates:
        key = label_key(name)
        counts[key] += 1
        if has_time:
            timestamped.add(key)
    accepted = {label_key(name) for name in known}
    for key, count in counts.items():
        if (
            is_role_label(key)
            or key in options.interviewer_keys
            or key in timestamped
            or (count >= MIN_LABEL_OCCURRENCES and key.rstrip(".") not in NOT_SPEAKERS)
        ):
            accepted.add(key)
    return accepted


def detect_turns(
    text: str, options: ImportOptions, warnings: list[str], known_labels: Iterable[str] = ()
) -> list[Turn]:
    """Find the speaker turns in ``text``; an empty list means the document has no detectable speakers.

    Text before the first label (a title, a date line) becomes a turn with no speaker.
    """
    user_pattern = options.compiled_speaker_pattern
    if user_pattern is not None:
        candidates = _user_candidates(text, user_pattern, warnings)
        labels = candidates
    else:
        candidates = _builtin_candidates(text)
        if not candidates:
            return []
        pairs = ((candidate.name, candidate.time_ms is not None) for candidate in candidates)
        accepted = accepted_label_keys(pairs, options, known_labels)
        labels = [c for c in candidates if label_key(c.name) in accepted]
        if labels:
            _warn_about_rejected(text, [c for c in candidates if label_key(c.name) not in accepted], warnings)
    if not labels:
        return []

    turns: list[Turn] = []
    if text[: labels[0].line_start].strip():
        turns.append(Turn(None, 0, labels[0].line_start))
    for index, label in enumerate(labels):
        end = labels[index + 1].line_start if index + 1 < len(labels) else len(text)
        turns.append(Turn(label.name, label.content_start, end, label.time_ms))
    return turns


def _builtin_candidates(text: str) -> list[_Candidate]:
    candidates = []
    for match in LABEL_PATTERN.finditer(text):
        name = clean_label(match["name"])
        # A lowercase first letter is ordinary prose ("so basically: ..."); scripts without case pass.
        if not name or name[0].islower():
            continue
        raw_time = match["lead_time"] or match["bare_time"] or match["paren_time"]
        time_ms = parse_timecode_ms(raw_time) if raw_time else None
        candidates.append(_Candidate(match.start(), match.end(), name, time_ms))
    return candidates


def _user_candidates(text: str, pattern: re.Pattern[str], warnings: list[str]) -> list[_Candidate]:
    candidates = []
    unreadable_times = 0
    for match in pattern.finditer(text):
        name = clean_label(match["speaker"] or "")
        if not name or match.end() == match.start():
            continue
        time_ms = None
        if "time" in pattern.groupindex and match["time"]:
            time_ms = parse_timecode_ms(match["time"])
            unreadable_times += time_ms is None
        candidates.append(_Candidate(match.start(), match.end(), name, time_ms))
    if unreadable_times:
        warnings.append(
            f"{unreadable_times} time(s) captured by the speaker pattern could not be read as hh:mm:ss and "
            "were left out."
        )
    return candidates


def _warn_about_rejected(text: str, rejected: list[_Candidate], warnings: list[str]) -> None:
    if not rejected:
        return
    examples = []
    for candidate in rejected[:3]:
        line = text.count("\n", 0, candidate.line_start) + 1
        examples.append(f"'{candidate.name}:' on line {line}")
    more = f" and {len(rejected) - 3} more" if len(rejected) > 3 else ""
    if len(rejected) == 1:
        reason = "as text, not as a speaker label, because it appears only once or is a common heading"
    else:
        reason = "as text, not as speaker labels, because they appear only once or are common headings"
    warnings.append(
        f"Kept {', '.join(examples)}{more} {reason}. If that is wrong, give a speaker pattern in the import "
        "options."
    )
