"""Span data: what coders marked inside documents, as flat integer arrays.

A **continuum** is one document's text; positions are Unicode code points (Python ``str`` indices) and a
span is half-open, ``[start, end)``, with ``0 <= start < end <= length``. Every listed coder is taken to
have coded every listed document: a coder with no span of a code in a document found nothing to mark
there (the uncoded text is that coder's *gap*), which is how the unitizing coefficients read it. Callers
pass only documents whose coding every listed coder has finished.

One coder may mark overlapping spans with *different* codes; two spans of one coder with the *same* code
may not overlap (they may touch), because the unitizing coefficients measure one segmentation of the
continuum per code and coder. :func:`span_data` refuses them with a message naming both spans.

Browsers count offsets in UTF-16 code units; :func:`code_point_offsets` converts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]


class SpanDataError(ValueError):
    """Span data that the coefficients cannot be computed from; the message says what to fix."""


@dataclass(frozen=True)
class SpanData:
    """Spans of ``n_coders`` coders over ``len(doc_lengths)`` documents, with codes ``0 .. n_codes-1``.

    The span arrays (``doc``, ``coder``, ``code``, ``start``, ``end``) are parallel and sorted by
    ``(doc, coder, code, start)``. Build one with :func:`span_data`, which checks every invariant.
    """

    doc_lengths: I64
    n_coders: int
    n_codes: int
    doc: I64
    coder: I64
    code: I64
    start: I64
    end: I64

    @property
    def n_docs(self) -> int:
        return int(self.doc_lengths.shape[0])

    @property
    def n_spans(self) -> int:
        return int(self.start.shape[0])

    @property
    def doc_offsets(self) -> I64:
        """Where each document starts on the concatenated continuum of all documents."""
        return np.concatenate([[0], np.cumsum(self.doc_lengths)[:-1]]).astype(np.int64)

    def cell_keys(self) -> tuple[I64, I64]:
        """Start and end keys ordered by (document, code, position): one coder's spans, in the stored order,
        have increasing keys, and spans of different documents or codes never meet."""
        base = (self.doc * self.n_codes + self.code) * (int(self.doc_lengths.max(initial=0)) + 1)
        return base + self.start, base + self.end

    def global_start(self) -> I64:
        return self.start + self.doc_offsets[self.doc]

    def global_end(self) -> I64:
        return self.end + self.doc_offsets[self.doc]

    def select_docs(self, docs: Sequence[int]) -> SpanData:
        """The documents ``docs`` (in that order, repeats allowed), renumbered ``0 .. len(docs)-1``."""
        docs_arr = np.asarray(docs, dtype=np.int64)
        parts = []
        for new, old in enumerate(docs_arr):
            idx = np.flatnonzero(self.doc == old)
            parts.append((np.full(idx.shape[0], new, dtype=np.int64), idx))
        new_doc = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        idx = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        return SpanData(
            self.doc_lengths[docs_arr],
            self.n_coders,
            self.n_codes,
            new_doc,
            self.coder[idx],
            self.code[idx],
            self.start[idx],
            self.end[idx],
        )

    def relabel(self, mapping: Sequence[int] | I64, n_codes: int) -> SpanData:
        """Codes mapped through ``mapping`` (code -> new code); strictly overlapping spans of one coder that
        now share a code are merged into their union (touching spans stay separate units)."""
        new_code = np.asarray(mapping, dtype=np.int64)[self.code]
        return _merge_overlaps(self, new_code, n_codes)


def _merge_overlaps(data: SpanData, code: I64, n_codes: int) -> SpanData:
    width = int(data.doc_lengths.max(initial=0)) + 1
    order = np.argsort(
        ((data.doc * data.n_coders + data.coder) * n_codes + code) * width + data.start, kind="stable"
    )
    doc, coder, code, start, end = (
        data.doc[order],
        data.coder[order],
        code[order],
        data.start[order],
        data.end[order],
    )
    if start.shape[0] == 0:
        return SpanData(data.doc_lengths, data.n_coders, n_codes, doc, coder, code, start, end)
    group = np.concatenate(
        [[True], (doc[1:] != doc[:-1]) | (coder[1:] != coder[:-1]) | (code[1:] != code[:-1])]
    )
    # Running maximum of the ends within each group: offset each group far apart so one accumulate serves all.
    gid = np.cumsum(group) - 1
    big = int(data.doc_lengths.max(initial=0)) + 1
    shifted = end + gid * big
    run_max = np.maximum.accumulate(shifted) - gid * big
    prev_max = np.concatenate([[-1], run_max[:-1]])
    new_component = group | (start >= prev_max)
    comp = np.cumsum(new_component) - 1
    first = np.flatnonzero(new_component)
    comp_end = np.zeros(first.shape[0], dtype=np.int64)
    np.maximum.at(comp_end, comp, end)
    return SpanData(
        data.doc_lengths,
        data.n_coders,
        n_codes,
        doc[first],
        coder[first],
        code[first],
        start[first],
        comp_end,
    )


def span_data(
    doc_lengths: Sequence[int] | I64,
    spans: Iterable[tuple[int, int, int, int, int]],
    *,
    n_coders: int,
    n_codes: int,
) -> SpanData:
    """Check and pack span data.

    Parameters
    ----------
    doc_lengths
        Length of each document in code points (``len(text)`` of a Python ``str``).
    spans
        ``(doc, coder, code, start, end)`` tuples; ``doc``, ``coder`` and ``code`` are 0-based indices.
    n_coders, n_codes
        Number of coders (every one of them coded every document) and of codes in the codebook.

    Raises
    ------
    SpanDataError
        On an index out of range, an empty or out-of-bounds span, or two overlapping spans of one coder with
        the same code in one document.

    Examples
    --------
    >>> d = span_data([10], [(0, 0, 0, 2, 5), (0, 1, 0, 3, 6)], n_coders=2, n_codes=1)
    >>> d.n_spans, int(d.doc_lengths.sum())
    (2, 10)
    """
    lengths = np.asarray(doc_lengths, dtype=np.int64).reshape(-1)
    if (lengths < 0).any():
        raise SpanDataError("document lengths must be 0 or more")
    if n_coders < 1 or n_codes < 1:
        raise SpanDataError("n_coders and n_codes must be at least 1")
    rows = np.asarray(list(spans), dtype=np.int64).reshape(-1, 5)
    doc, coder, code, start, end = (rows[:, k].copy() for k in range(5))
    if ((doc < 0) | (doc >= lengths.shape[0])).any():
        raise SpanDataError(f"a span names a document outside 0..{lengths.shape[0] - 1}")
    if ((coder < 0) | (coder >= n_coders)).any():
        raise SpanDataError(f"a span names a coder outside 0..{n_coders - 1}")
    if ((code < 0) | (code >= n_codes)).any():
        raise SpanDataError(f"a span names a code outside 0..{n_codes - 1}")
    bad = np.flatnonzero((start < 0) | (end <= start) | (end > lengths[doc]))
    if bad.size:
        i = int(bad[0])
        raise SpanDataError(
            f"span [{start[i]}, {end[i]}) of coder {coder[i]} in document {doc[i]} is empty or outside the "
            f"document (length {lengths[doc[i]]}); spans are half-open [start, end) with start < end"
        )
    order = np.lexsort((start, code, coder, doc))
    doc, coder, code, start, end = doc[order], coder[order], code[order], start[order], end[order]
    same = (doc[1:] == doc[:-1]) & (coder[1:] == coder[:-1]) & (code[1:] == code[:-1])
    clash = np.flatnonzero(same & (start[1:] < end[:-1]))
    if clash.size:
        i = int(clash[0])
        raise SpanDataError(
            f"coder {coder[i]} marked overlapping spans [{start[i]}, {end[i]}) and [{start[i + 1]}, "
            f"{end[i + 1]}) with the same code {code[i]} in document {doc[i]}; merge them or give one "
            "another code (spans of one coder and code may touch but not overlap)"
        )
    return SpanData(lengths, int(n_coders), int(n_codes), doc, coder, code, start, end)


def code_point_offsets(text: str, utf16_offsets: Sequence[int]) -> list[int]:
    """Convert offsets counted in UTF-16 code units (JavaScript strings) to code points.

    An astral character (outside the Basic Multilingual Plane, e.g. most emoji) is one code point but two
    UTF-16 units; combining marks are code points of their own in both. An offset that falls between the
    two halves of a surrogate pair is refused.

    >>> code_point_offsets("a\\U0001F600b", [0, 1, 3, 4])
    [0, 1, 2, 3]
    """
    boundaries = np.cumsum([0] + [2 if ord(ch) > 0xFFFF else 1 for ch in text])
    out = np.searchsorted(boundaries, np.asarray(utf16_offsets, dtype=np.int64))
    result = [int(v) for v in out]
    for off, cp in zip(utf16_offsets, result, strict=True):
        if cp >= boundaries.shape[0] or boundaries[cp] != off:
            raise SpanDataError(
                f"UTF-16 offset {off} is outside the text or splits a surrogate pair (text of "
                f"{int(boundaries[-1])} UTF-16 units)"
            )
    return result
