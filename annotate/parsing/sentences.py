"""A small, linear, rule-based sentence splitter for interview transcripts.

Why not NLTK's Punkt or spaCy: they need model data at run time and are slow on 8M words; transcripts need
only a handful of rules, each tested in ``test_parsing_sentences.py``:

* A sentence ends at ``.``, ``!``, ``?`` or an ellipsis (``...``/``…``), plus any closing quotes or brackets
  (``He said "Stop." Then`` ends after the quote), followed by whitespace and a character that is not a
  lowercase letter. So ``"Why?" she asked`` and ``Well... um`` do not split.
* Titles never end a sentence: ``Dr. Smith``, ``Mrs. Núñez``, ``St. Louis``; nor do ``e.g.``, ``i.e.``,
  ``vs.``, ``cf.``, nor ``No.``/``Fig.``/``p.`` before a number.
* Dotted acronyms (``U.S.``, ``a.m.``), single initials (``J. Smith``) and company/name suffixes (``Inc.``,
  ``Jr.``, ``etc.``) end a sentence only when the next word is a common sentence opener ("The", "I", "We",
  "But"...): ``in the U.S. The next year`` splits, ``the U.S. Attorney`` does not.
* After an ellipsis, a capitalised word starts a new sentence (``I was... I don't know.`` is two).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_BOUNDARY = re.compile(r"""([.!?\u2026]+)(["'\u201d\u2019\u00bb)\]]*)\s+""")  # \u2026 is "…"
_WORD_BEFORE = re.compile(r"[\w.'\u2019\-]+$")
_WORD_AFTER = re.compile(r"""["'\u201c\u2018\u00ab(\[]*([\w'\u2019]+)""")
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_INITIAL = re.compile(r"[^\W\d_]")

_TITLES = frozenset(
    "Dr Mr Mrs Ms Mx Prof St Rev Gen Sen Rep Gov Hon Capt Lt Col Sgt Fr Messrs Mme Mlle Sr Sra Srta".split()  # noqa: SIM905
)
_NEVER_FINAL = frozenset("e.g i.e eg ie vs v cf viz approx ca".split())  # noqa: SIM905
_BEFORE_NUMBER = frozenset("No Nos no nos Fig fig Vol vol p pp Art art Sec sec".split())  # noqa: SIM905
_SUFFIXES = frozenset("Inc Ltd Co Corp Jr etc al".split())  # noqa: SIM905
SENTENCE_OPENERS = frozenset(
    """The A An I I'm I've I'd I'll He She It It's We They You This That These Those There Then But And So
    Or If In On At As When What Why How Who Where My Our Their His Her Its Your No Yes Well Now After Before
    Because Also However Yeah Okay OK Right Not One Some Many Most All For To With Oh Um Uh""".split()  # noqa: SIM905
)

_LOOKBEHIND = 40  # characters to look back for the word before a period; words are shorter than this


def split_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` offsets of the sentences in ``text[start:end]``, trimmed of whitespace."""
    position = start
    for match in _BOUNDARY.finditer(text, start, end):
        following = match.end()
        if following >= end or not _ends_sentence(text, match, following):
            continue
        sentence_end = match.end(2)
        if sentence_end > position:
            yield _trimmed(text, position, sentence_end)
        position = following
    if position < end and text[position:end].strip():
        yield _trimmed(text, position, end)


def _ends_sentence(text: str, match: re.Match[str], following: int) -> bool:
    next_char = text[following]
    if next_char.islower():
        return False
    punctuation = match[1]
    if punctuation != ".":
        # "?", "!", an ellipsis, or "?!": the next character is not lowercase, so a new sentence starts.
        return True
    before = _WORD_BEFORE.search(text, max(0, match.start() - _LOOKBEHIND), match.start())
    word = before[0] if before else ""
    if not word:
        return True
    if word in _TITLES or word.casefold() in _NEVER_FINAL:
        return False
    if word in _BEFORE_NUMBER and next_char.isdigit():
        return False
    if word in _SUFFIXES or _DOTTED_ACRONYM.fullmatch(word) or (_INITIAL.fullmatch(word) and word.isupper()):
        after = _WORD_AFTER.match(text, following)
        return after is not None and after[1] in SENTENCE_OPENERS
    return True


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    left = chunk.lstrip()
    start += len(chunk) - len(left)
    return start, start + len(left.rstrip())
