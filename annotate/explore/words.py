"""Words in their contexts: keyword-in-context (KWIC) lines for a search, and word frequencies over the
segments of a code, a case or an attribute value.

Tokens come from NLTK's rule-based word tokenizer (Treebank conventions, improved: "don't" is "do" +
"n't"; it needs no downloaded model), kept when they hold a letter or digit and lower-cased. Stop words
are the maintained lists of the ``stop-words`` package, in the language asked (English by default).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from django.db.models import QuerySet
from nltk.tokenize import NLTKWordTokenizer
from stop_words import AVAILABLE_LANGUAGES, LANGUAGE_MAPPING, get_stop_words

from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Segment

from .query import SearchQuery, highlight
from .scope import segment_rows

KWIC_WIDTH = 60  # characters of context on each side
MAX_SEGMENTS = 20_000  # the most segments one frequency count reads
_TOKENIZER = NLTKWordTokenizer()
_WORDLIKE = re.compile(r"\w")


def tokens(text: str) -> list[str]:
    """The words of ``text``, lower-cased, punctuation left out."""
    return [t.lower() for t in _TOKENIZER.tokenize(text) if _WORDLIKE.search(t)]


@cache
def stop_words(language: str) -> frozenset[str]:
    """The stop words of ``language`` (a name, "english", or a code, "en"); ApplicationError for others."""
    code = LANGUAGE_MAPPING.get(language, language)
    if code not in LANGUAGE_MAPPING.values() and language not in AVAILABLE_LANGUAGES:
        raise ApplicationError(
            f"No stop-word list for {language!r}; use one of {', '.join(AVAILABLE_LANGUAGES)}."
        )
    words = set(get_stop_words(code))
    # The lists spell contractions whole ("don't"); the tokenizer splits them ("do", "n't").
    return frozenset(words | {t for w in words for t in tokens(w)})


def word_frequencies(
    segments: QuerySet[Segment], *, language: str = "english", limit: int = 50, keep_stop_words: bool = False
) -> dict[str, Any]:
    """``{words: [{word, count, segments}], tokens, segments, stop_words_left_out}``: the ``limit`` most
    frequent words in ``segments``, each with how many segments use it."""
    stop = frozenset() if keep_stop_words else stop_words(language)
    counts: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    total = seen = 0
    ids = list(segments.values_list("id", flat=True)[: MAX_SEGMENTS + 1])
    if len(ids) > MAX_SEGMENTS:
        raise ApplicationError(f"Count words over at most {MAX_SEGMENTS:,} segments: narrow the filters.")
    for start in range(0, len(ids), 500):
        for row in segment_rows(Segment.objects.filter(pk__in=ids[start : start + 500])):
            words = tokens(row["text"])
            total += len(words)
            seen += 1
            kept = [w for w in words if w not in stop]
            counts.update(kept)
            spread.update(set(kept))
    return {
        "words": [{"word": w, "count": n, "segments": spread[w]} for w, n in counts.most_common(limit)],
        "tokens": total,
        "segments": seen,
        "language": language,
        "stop_words_left_out": not keep_stop_words,
    }


def kwic_lines(
    rows: list[dict[str, Any]], query: SearchQuery, width: int = KWIC_WIDTH
) -> list[dict[str, Any]]:
    """One line per match in each segment row: ``left``, ``keyword``, ``right`` (``width`` characters of
    context, cut at a space where one is near), with the row's case, transcript and segment."""
    lines = []
    for row in rows:
        text = row["text"]
        at = 0
        for piece, matched in highlight(text, query):
            if matched:
                left = text[max(0, at - width) : at]
                right = text[at + len(piece) : at + len(piece) + width]
                if at - width > 0 and " " in left:
                    left = "…" + left[left.index(" ") + 1 :]
                if at + len(piece) + width < len(text) and " " in right:
                    right = right[: right.rindex(" ")] + "…"
                lines.append(
                    {
                        "segment": row["segment"],
                        "document": row["document"],
                        "case": row["case"],
                        "segment_number": row["segment_number"],
                        "speaker": row["speaker"],
                        "left": left,
                        "keyword": piece,
                        "right": right,
                    }
                )
            at += len(piece)
    return lines
