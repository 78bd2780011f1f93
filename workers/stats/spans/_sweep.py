"""Vectorised interval arithmetic on one axis: coverage integrals and unions of intervals.

Positions are int64 *keys*. Documents are laid end to end on one axis (a span never crosses a document's
end), and a per-code question shifts code ``c`` to ``c * stride`` with ``stride`` above the total length,
so one sorted array answers every document and code at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]


class Coverage:
    """The step function "how many of these intervals cover x", and its integral from the left.

    ``integral(q)`` is the covered length (with multiplicity) left of ``q``; with ``indicator=True`` each
    position counts once however many intervals cover it (the length of the union).
    """

    def __init__(self, starts: I64, ends: I64, *, indicator: bool = False, disjoint: bool = False) -> None:
        if disjoint:  # sorted, non-overlapping intervals: the events are already in order
            self.pos = np.column_stack([starts, ends]).ravel()
            count = np.tile([1.0, 0.0], starts.shape[0])
        else:
            # Events as keys 2·position + (1 for an end): sorting the keys' values (much faster than an
            # argsort) puts a position's starts before its ends, as a stable argsort of starts ++ ends did.
            keys = np.sort(np.concatenate([2 * starts, 2 * ends + 1]))
            self.pos = keys >> 1
            count = np.cumsum(1.0 - 2.0 * (keys & 1))
        if indicator:
            count = np.minimum(count, 1.0)
        self.count = count
        gaps = np.diff(self.pos).astype(np.float64)
        self.cum = np.concatenate([[0.0], np.cumsum(gaps * count[:-1])])
        self.on = np.minimum(count, 1.0)
        self.cum_on = np.concatenate([[0.0], np.cumsum(gaps * self.on[:-1])])

    def both(self, starts: I64, ends: I64) -> tuple[F64, F64]:
        """Covered length with multiplicity, and length of the union, inside each ``[start, end)``."""
        out = []
        for q in (starts, ends):
            idx = np.searchsorted(self.pos, q, side="right") - 1
            safe = np.maximum(idx, 0)
            dx = q - self.pos[safe] if self.pos.shape[0] else np.zeros(q.shape)
            if self.pos.shape[0] == 0:
                out.append((np.zeros(q.shape), np.zeros(q.shape)))
                continue
            ok = idx >= 0
            out.append(
                (
                    np.where(ok, self.cum[safe] + self.count[safe] * dx, 0.0),
                    np.where(ok, self.cum_on[safe] + self.on[safe] * dx, 0.0),
                )
            )
        return out[1][0] - out[0][0], out[1][1] - out[0][1]

    def integral(self, q: I64) -> F64:
        if self.pos.shape[0] == 0:
            return np.zeros(q.shape, dtype=np.float64)
        idx = np.searchsorted(self.pos, q, side="right") - 1
        safe = np.maximum(idx, 0)
        val = self.cum[safe] + self.count[safe] * (q - self.pos[safe])
        return np.where(idx >= 0, val, 0.0)

    def over(self, starts: I64, ends: I64) -> F64:
        """Covered length inside each ``[start, end)``."""
        return self.integral(ends) - self.integral(starts)


def union_intervals(group: I64, starts: I64, ends: I64) -> tuple[I64, I64, I64]:
    """Merge the intervals of each group into disjoint runs (touching intervals join one run).

    Returns ``(group, start, end)`` of the runs, sorted by group then start.
    """
    if starts.shape[0] == 0:
        return group[:0], starts[:0], ends[:0]
    order = np.lexsort((starts, group))
    g, s, e = group[order], starts[order], ends[order]
    first = np.concatenate([[True], g[1:] != g[:-1]])
    gid = np.cumsum(first) - 1
    span = int(e.max()) - int(s.min()) + 1
    base = int(s.min())
    shifted = (e - base) + gid * span
    run_max = np.maximum.accumulate(shifted) - gid * span + base
    prev = np.concatenate([[base - 1], run_max[:-1]])
    new = first | (s > prev)
    comp = np.cumsum(new) - 1
    heads = np.flatnonzero(new)
    comp_end = np.full(heads.shape[0], np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(comp_end, comp, e)
    return g[heads], s[heads], comp_end


def sum_by(index: I64, weights: F64 | I64, size: int) -> F64:
    """``out[k] = sum(weights[index == k])`` for ``k < size``."""
    out = np.bincount(index, weights=np.asarray(weights, dtype=np.float64), minlength=size)[:size]
    return out.astype(np.float64, copy=False)
