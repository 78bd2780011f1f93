"""The search box's language, as people know it from web search, in pure Python: parsing, the statements
each database's full-text index understands, and the highlighting of matches.

Syntax:

- ``harm reduction``: both words, anywhere in the segment (AND is implicit);
- ``"harm reduction"``: the exact phrase (word order and adjacency; punctuation between words is ignored);
- ``reduc*``: every word starting with ``reduc``;
- ``naloxone OR narcan``: either; OR binds tighter than the implicit AND (``a b OR c`` is a AND (b OR c));
- ``-diversion``, ``-"drug court"``: without it.

Matching ignores case and accents on both sides: "gonzalez" finds "González". A hyphenated or
apostrophised term (``harm-reduction``, ``don't``) is read as the phrase of its words. Words are runs of
letters and digits; combining marks stay inside the word they belong to (so Arabic or Hebrew with vowel
points, and decomposed accents, are one word).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_LENGTH = 500
MAX_TERMS = 30

# Letters with no decomposition that accent folding still maps (as PostgreSQL's unaccent does).
_EXTRA_FOLDS = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ŀ": "l"}


class SearchSyntaxError(ValueError):
    """A query that cannot be searched; the message says what to change."""


@dataclass(frozen=True)
class Term:
    """A word or a phrase (several words, adjacent and in order); ``prefix``: its last word is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Every group must match (AND); a group matches when any of its terms does (OR); no excluded term may."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(t for group in self.groups for t in group)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def words_of(text: str) -> list[str]:
    """The words of ``text``, lower-cased (NFC): runs of letters, digits and combining marks."""
    words, current = [], []
    for char in unicodedata.normalize("NFC", text):
        if _is_word_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return [w.lower() for w in words]


_TOKEN = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')


def parse(text: str) -> SearchQuery:
    """The query in ``text``, or SearchSyntaxError saying what to change."""
    text = (text or "").strip()
    if not text:
        raise SearchSyntaxError("Type something to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchSyntaxError(f"A search is at most {MAX_QUERY_LENGTH} characters; shorten it.")
    if text.count('"') % 2:
        raise SearchSyntaxError('A phrase is missing its closing quotation mark (").')
    # Items: a term (maybe negated) or the OR operator.
    items: list[tuple[str, Term | None]] = []
    for match in _TOKEN.finditer(text):
        negated, phrase, star, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                items.append(("or", None))
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            bare = bare[1:] if negated else bare
            star = "*" if bare.endswith("*") else ""
            phrase = bare.rstrip("*")
        words = tuple(words_of(phrase))
        if not words:
            continue  # punctuation only: nothing to find
        items.append(("not" if negated else "term", Term(words, prefix=bool(star))))
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False
    for kind, term in items:
        if kind == "or":
            if not groups or joining:
                raise SearchSyntaxError("OR goes between two terms to find, e.g. naloxone OR narcan.")
            joining = True
            continue
        assert term is not None  # only "or" carries no term
        if kind == "not":
            if joining:
                raise SearchSyntaxError(
                    "OR joins terms to find; an excluded term (-word) cannot be one of them."
                )
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
            joining = False
        else:
            groups.append([term])
    if joining:
        raise SearchSyntaxError("OR goes between two terms to find, e.g. naloxone OR narcan.")
    if not groups:
        raise SearchSyntaxError(
            "Add at least one word to find: -word only excludes, and punctuation alone finds nothing."
        )
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        raise SearchSyntaxError(f"A search has at most {MAX_TERMS} terms; remove some.")
    return SearchQuery(groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded))


# --- the statements of each backend ------------------------------------------------------------------


def _tsquery_term(term: Term) -> str:
    # Words hold letters, digits and marks only, so quoting them needs no escaping.
    lexemes = [f"'{w}'" for w in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def to_tsquery_text(query: SearchQuery) -> str:
    """The text for PostgreSQL's ``to_tsquery('simple', explore_unaccent(…))``."""
    parts = ["(" + " | ".join(_tsquery_term(t) for t in group) + ")" for group in query.groups]
    parts += [f"!{_tsquery_term(t)}" for t in query.excluded]
    return " & ".join(parts)


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def to_fts5_match(query: SearchQuery) -> str:
    """The MATCH expression for SQLite's FTS5 (its NOT is binary: the finds, then each exclusion)."""
    found = " AND ".join("(" + " OR ".join(_fts5_term(t) for t in group) + ")" for group in query.groups)
    return found + "".join(f" NOT {_fts5_term(t)}" for t in query.excluded)


# --- highlighting ----------------------------------------------------------------------------------------


_FOLDED: dict[str, str] = {}  # each character met so far, folded


def _fold_char(char: str) -> str:
    folded = _FOLDED.get(char)
    if folded is None:
        lowered = char.lower()
        base = _EXTRA_FOLDS.get(lowered)
        if base is None:
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", lowered)
                if not unicodedata.category(c).startswith("M")
            )
        folded = _FOLDED[char] = base.lower()
    return folded


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased and without accents, and for each character of the result the index of the
    character of ``text`` it comes from."""
    if text.isascii():  # one character each, nothing to take off
        return text.lower(), list(range(len(text)))
    parts = [_FOLDED.get(char) or _fold_char(char) for char in text]
    folded = "".join(parts)
    if len(folded) == len(text):  # one character for each: the usual case
        return folded, list(range(len(text)))
    origin: list[int] = []
    for i, base in enumerate(parts):
        origin.extend([i] * len(base))
    return folded, origin


def _fold_word(word: str) -> str:
    return fold(word)[0]


def _pattern(term: Term) -> str:
    words = [re.escape(_fold_word(w)) for w in term.words]
    body = r"[^\w]+".join(words) + (r"\w*" if term.prefix else "")
    return rf"(?<!\w){body}" + ("" if term.prefix else r"(?!\w)")


def highlight(text: str, query: SearchQuery) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each ``(piece, matched)``: the terms to find are marked, accents and case
    ignored; the pieces joined give ``text`` back."""
    if not text:
        return []
    folded, origin = fold(text)
    spans: list[tuple[int, int]] = []
    for term in query.terms:
        for m in re.finditer(_pattern(term), folded):
            if m.end() > m.start():
                end = origin[m.end() - 1] + 1
                while end < len(text) and unicodedata.category(text[end]).startswith("M"):
                    end += 1  # the marks over the last letter belong to the word
                spans.append((origin[m.start()], end))
    return pieces_marked(text, spans)


def pieces_marked(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``text`` cut at ``spans`` (code-point offsets into it, overlapping ones merged), each piece
    ``(piece, inside a span)``; the pieces joined give ``text`` back."""
    spans = sorted((max(0, s), min(len(text), e)) for s, e in spans if e > s)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in merged:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces
