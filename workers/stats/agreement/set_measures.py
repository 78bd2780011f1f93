"""Agreement on whole code sets: the MASI and Jaccard distances, and Krippendorff's alpha with them.

A rating of multi-code data is a set of codes (possibly empty). :func:`masi_distance` (Passonneau 2006)
and :func:`jaccard_distance` (Jaccard 1912) compare two sets; :func:`set_alpha` is Krippendorff's (2011)
alpha with either distance, computed on bitsets (``_SetData``) with per-pair and leave-one-coder-out
values for the report; its expected disagreement is summed exactly over all pairs of distinct sets by
:mod:`workers.stats.agreement.set_pair_sums`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from workers.stats.agreement.reliability_data import (
    F64,
    I64,
    Bools,
    MultiCodeRatings,
    _pairs,
    _pc_counts,
    _unique_inverse,
)
from workers.stats.agreement.results import REASON_NO_PAIRABLE, REASON_NO_VARIATION, Coefficient
from workers.stats.agreement.set_pair_sums import _delta_from_sizes, _popcount, pair_distance_sums


def _unique_rows(x: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], I64]:
    """``np.unique(x, axis=0, return_inverse=True)``, fast when rows are single words."""
    if x.shape[1] == 1:
        u, inv, _ = _unique_inverse(x[:, 0])
        return u[:, None], inv
    u2, inv2 = np.unique(x, axis=0, return_inverse=True)
    return u2, inv2.reshape(-1).astype(np.int64)


def _set_distance(a: NDArray[np.uint64], b: NDArray[np.uint64], distance: str) -> F64:
    """Distance between bitset rows ``a`` and ``b`` (last axis = 64-bit words), broadcasting."""
    if distance not in ("masi", "jaccard"):
        raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")
    return _delta_from_sizes(_popcount(a), _popcount(b), _popcount(a & b), distance)


def _as_bits(s: set[int] | frozenset[int], n_words: int) -> NDArray[np.uint64]:
    out = np.zeros(n_words, dtype=np.uint64)
    for k in s:
        out[k // 64] |= np.uint64(1) << np.uint64(k % 64)
    return out


def masi_distance(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """MASI distance between two code sets (Passonneau 2006).

    .. math:: d = 1 - J \\cdot M, \\quad J = \\frac{|A \\cap B|}{|A \\cup B|}, \\quad
              M = 1 \\text{ if } A = B,\\ 2/3 \\text{ if } A \\subset B \\text{ or } B \\subset A,\\
              1/3 \\text{ if they overlap otherwise},\\ 0 \\text{ if disjoint}

    ``d(∅, ∅) = 0``.

    Parameters
    ----------
    a, b : set of int
        Code indices.

    Returns
    -------
    float

    Notes
    -----
    Reference: Passonneau, R. (2006), "Measuring agreement on set-valued items (MASI) for semantic and
    pragmatic annotation", LREC 2006.

    Examples
    --------
    >>> round(masi_distance({1, 2}, {1, 2, 3}), 4)  # J = 2/3, M = 2/3
    0.5556
    >>> masi_distance(set(), set())
    0.0
    """
    n_words = max([1, *((k // 64) + 1 for k in (*a, *b))])
    return float(_set_distance(_as_bits(a, n_words), _as_bits(b, n_words), "masi"))


def jaccard_distance(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """Jaccard distance ``1 - |A ∩ B| / |A ∪ B|`` between two code sets, with ``d(∅, ∅) = 0``.

    Parameters
    ----------
    a, b : set of int
        Code indices.

    Returns
    -------
    float

    Notes
    -----
    Reference: Jaccard, P. (1912), New Phytologist 11, 37-50; as a distance for alpha in Passonneau (2006).

    Examples
    --------
    >>> jaccard_distance({1, 2}, {2, 3})
    0.6666666666666667
    """
    n_words = max([1, *((k // 64) + 1 for k in (*a, *b))])
    return float(_set_distance(_as_bits(a, n_words), _as_bits(b, n_words), "jaccard"))


class _SetData:
    """Bitsets of every rating and the per-unit / per-pair observed disagreements."""

    def __init__(self, r: MultiCodeRatings) -> None:
        self.r = r
        n_words = (r.n_codes + 63) // 64
        bits = np.zeros((r.n_units, r.n_coders, n_words), dtype=np.uint64)
        key = (r.coding_unit * r.n_coders + r.coding_coder) * r.n_codes + r.coding_code  # unique, sorted
        code = key % r.n_codes
        uc = key // r.n_codes
        flat = bits.reshape(-1, n_words)
        np.add.at(
            flat,
            (uc, code // 64),
            np.left_shift(np.uint64(1), (code % 64).astype(np.uint64)),
        )
        self.bits = bits
        self.n_words = n_words
        rated = r.rated
        self.m = rated.sum(axis=1)
        self.pairable = self.m >= 2

    def pair_disagreement(self, distance: str) -> tuple[F64, I64, I64]:
        """``(n_pairs, n_units)`` distances (0 where the pair did not both rate), and the pairs."""
        g, h = _pairs(self.r.n_coders)
        d = np.zeros((len(g), self.r.n_units))
        for i, (a, b) in enumerate(zip(g.tolist(), h.tolist(), strict=True)):
            both = self.r.rated[:, a] & self.r.rated[:, b]
            d[i, both] = _set_distance(self.bits[both, a], self.bits[both, b], distance)
        return d, g, h

    def expected_numerators(self, selections: Bools, distances: Sequence[str]) -> F64:
        """``sum_{i != j} delta(v_i, v_j)`` over the pooled values selected by each ``(J, units, coders)`` mask.

        Shape ``(len(distances), J)``. Exact, from the distinct sets and their counts per selection
        (:func:`~workers.stats.agreement.set_pair_sums.pair_distance_sums`: subset counts for sets with
        few codes, direct comparison of bitsets for sets with many); a value paired with itself adds 0.
        """
        vals = self.bits.reshape(-1, self.n_words)
        sel = selections.reshape(selections.shape[0], -1)
        used = sel.any(axis=0)
        distinct, inv = _unique_rows(vals[used])
        nv = len(distinct)
        counts = np.zeros((nv, sel.shape[0]))
        for j in range(sel.shape[0]):
            counts[:, j] = np.bincount(inv[sel[j, used]], minlength=nv)
        return pair_distance_sums(distinct, counts, distances)


def _set_alpha_parts(
    data: _SetData, distances: Sequence[str], *, detail: bool = True
) -> dict[str, dict[str, Any]]:
    """Per distance: point alphas (all coders; with ``detail`` each pair and each leave-one-out) and the
    per-unit D_o terms for the bootstrap."""
    r = data.r
    c = r.n_coders
    rated = r.rated
    m = data.m
    mm1 = np.where(m >= 2, m - 1, 1).astype(np.float64)
    unit_n = (m * data.pairable).astype(np.float64)
    g, h = _pairs(c)
    # selections: all coders (pairable units), each pair (units both rated), leave one coder out
    sels = [rated & data.pairable[:, None]]
    both = (
        np.stack([rated[:, a] & rated[:, b] for a, b in zip(g.tolist(), h.tolist(), strict=True)])
        if len(g)
        else np.zeros((0, r.n_units), dtype=bool)
    )
    loo_mk = []
    if detail:
        for i in range(len(g)):
            s = np.zeros_like(rated)
            s[both[i], g[i]] = True
            s[both[i], h[i]] = True
            sels.append(s)
        for k in range(c):
            keep = rated.copy()
            keep[:, k] = False
            mk = keep.sum(axis=1)
            loo_mk.append(mk)
            sels.append(keep & (mk >= 2)[:, None])
    de_all = data.expected_numerators(np.stack(sels), distances)

    def alpha(do_sum: float, n: float, de_sum: float) -> float | None:
        if n < 2 or de_sum == 0:
            return None
        return float(1.0 - (n - 1) * do_sum / de_sum)

    out: dict[str, dict[str, Any]] = {}
    n_tot = float(unit_n.sum())
    for dist, de_num in zip(distances, de_all, strict=True):
        d, _, _ = data.pair_disagreement(dist)
        unit_do = 2.0 * d.sum(axis=0) / mm1 * data.pairable  # sum_{i != j} delta / (m_u - 1)
        overall = alpha(float(unit_do.sum()), n_tot, float(de_num[0]))
        parts: dict[str, Any] = {
            "alpha": overall,
            "reason": None if overall is not None else (
                REASON_NO_PAIRABLE if n_tot < 2 else REASON_NO_VARIATION
            ),
            "d_e": float(de_num[0]) / (n_tot * (n_tot - 1)) if n_tot >= 2 else float("nan"),
            "unit_do": unit_do,
            "unit_n": unit_n,
            "pair_n": both.sum(axis=1).astype(np.int64),
            "g": g,
            "h": h,
        }  # fmt: skip
        if detail:
            parts["pair_alpha"] = [
                alpha(2.0 * float(d[i].sum()), 2.0 * float(both[i].sum()), float(de_num[1 + i]))
                for i in range(len(g))
            ]
            loo = []
            for k, mk in enumerate(loo_mk):
                pair_ok = (g != k) & (h != k)
                do_k = float((2.0 * d[pair_ok].sum(axis=0) / np.where(mk >= 2, mk - 1, 1) * (mk >= 2)).sum())
                loo.append(alpha(do_k, float(mk[mk >= 2].sum()), float(de_num[1 + len(g) + k])))
            parts["loo"] = loo
        out[dist] = parts
    return out


def set_alpha(ratings: MultiCodeRatings, *, distance: Literal["masi", "jaccard"] = "masi") -> Coefficient:
    """Krippendorff's alpha on whole code sets with the MASI or Jaccard distance.

    .. math:: \\alpha = 1 - (n - 1) \\frac{\\sum_u \\frac{1}{m_u - 1}\\sum_{i \\ne j \\in u} d(S_i, S_j)}
              {\\sum_{i \\ne j} d(S_i, S_j)}

    where the denominator runs over all ordered pairs of the ``n`` pairable values (sets) pooled across
    units, and ``d`` is :func:`masi_distance` or :func:`jaccard_distance` (``d(∅, ∅) = 0``).

    Parameters
    ----------
    ratings : MultiCodeRatings
        The multi-code ratings; an empty set is a rating, a missing rating is not.
    distance : {"masi", "jaccard"}
        Set distance.

    Returns
    -------
    Coefficient
        Undefined without pairable units or when every pairable rating is the same set.

    Notes
    -----
    Missing data: units with fewer than two ratings are dropped. References: Krippendorff (2011);
    Passonneau, R. (2006), LREC 2006.

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0}], [{0, 1}, {0}], [set(), set()], [{1}, {1}]], n_codes=2)
    >>> round(set_alpha(r, distance="jaccard").value, 4)  # 1 - (1/8) / (41/56)
    0.8293
    """
    if distance not in ("masi", "jaccard"):
        raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")
    parts = _set_alpha_parts(_SetData(ratings), [distance], detail=False)[distance]
    return Coefficient(f"alpha_{distance}", parts["alpha"], parts["reason"], *_pc_counts(ratings))
