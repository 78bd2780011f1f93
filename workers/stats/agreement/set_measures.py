"""Agreement on whole code sets: the MASI and Jaccard distances, and Krippendorff's alpha with them.

A rating of multi-code data is a set of codes (possibly empty). :func:`masi_distance` (Passonneau 2006)
and :func:`jaccard_distance` (Jaccard 1912) compare two sets; :func:`set_alpha` is Krippendorff's (2011)
alpha with either distance, computed on bitsets (``_SetData``) with per-pair and leave-one-coder-out
values for the report.
"""

from __future__ import annotations

import math
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


def _unique_rows(x: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], I64]:
    """``np.unique(x, axis=0, return_inverse=True)``, fast when rows are single words."""
    if x.shape[1] == 1:
        u, inv, _ = _unique_inverse(x[:, 0])
        return u[:, None], inv
    u2, inv2 = np.unique(x, axis=0, return_inverse=True)
    return u2, inv2.reshape(-1).astype(np.int64)


def _popcount(x: NDArray[np.uint64]) -> I64:
    out: I64 = np.bitwise_count(x).sum(axis=-1).astype(np.int64)
    return out


def _set_distance(a: NDArray[np.uint64], b: NDArray[np.uint64], distance: str) -> F64:
    """Distance between bitset rows ``a`` and ``b`` (last axis = 64-bit words), broadcasting."""
    inter = _popcount(a & b)
    union = _popcount(a | b)
    jac = np.divide(inter, union, out=np.ones(inter.shape), where=union > 0)
    if distance == "jaccard":
        return np.asarray(1.0 - jac, dtype=np.float64)
    if distance == "masi":
        na, nb = _popcount(a), _popcount(b)
        m = np.where(
            inter == union,
            1.0,
            np.where(inter == np.minimum(na, nb), 2.0 / 3.0, np.where(inter > 0, 1.0 / 3.0, 0.0)),
        )
        return np.asarray(1.0 - jac * m, dtype=np.float64)
    raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")


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

    def expected_numerators(self, selections: Bools, distance: str) -> F64:
        """``sum_{i != j} delta(v_i, v_j)`` over the pooled values selected by each ``(J, units, coders)`` mask.

        MASI and Jaccard depend only on ``(|A|, |B|, |A ∩ B|)``. Counting, for every subset ``T`` of a
        value, the values of each size that contain it gives ``F_ab(j) = sum_{|T|=j} N_a(T) N_b(T)`` =
        ``sum_i C(i, j) X_ab(i)``, where ``X_ab(i)`` counts ordered pairs of values with sizes ``a, b`` and
        intersection ``i``; a binomial inversion recovers ``X``. Cost: ``sum_v 2^|v|`` rows, instead of
        ``V^2`` pairs of distinct sets. Falls back to the pairwise sum for very large sets.
        """
        vals = self.bits.reshape(-1, self.n_words)
        sel = selections.reshape(selections.shape[0], -1)
        used = sel.any(axis=0)
        distinct, inv = _unique_rows(vals[used])
        nv = len(distinct)
        n_sel = sel.shape[0]
        counts = np.zeros((nv, n_sel))
        for j in range(n_sel):
            counts[:, j] = np.bincount(inv[sel[j, used]], minlength=nv)
        if nv == 0:  # nothing pairable selected: every numerator is an empty sum
            return np.zeros(n_sel)
        sizes = _popcount(distinct)
        max_size = int(sizes.max())
        if max_size > 12 or int((np.left_shift(1, sizes)).sum()) > 20_000_000:
            return self._expected_pairwise(distinct, counts, distance)
        # enumerate subsets of every distinct value: rows (subset bits, size of value, size of subset)
        sub_rows: list[NDArray[np.uint64]] = []
        sub_a: list[I64] = []
        sub_j: list[I64] = []
        sub_w: list[F64] = []
        for a in range(max_size + 1):
            idx = np.flatnonzero(sizes == a)
            if not len(idx):
                continue
            # the a set bits of each value, as single-bit words: (n_a, a, n_words)
            single = np.zeros((len(idx), a, self.n_words), dtype=np.uint64)
            rest = distinct[idx].copy()
            for t in range(a):
                low = np.zeros_like(rest)
                for w in range(self.n_words):
                    has = rest[:, w] != 0
                    lowbit = rest[:, w] & (~rest[:, w] + np.uint64(1))
                    take = has & ~(low != 0).any(axis=1)
                    low[take, w] = lowbit[take]
                single[:, t] = low
                rest ^= low
            subsets = ((np.arange(2**a)[:, None] >> np.arange(a)) & 1).astype(np.uint64)  # (2^a, a)
            t_bits = np.einsum("sa,vaw->vsw", subsets, single)  # distinct bits: sum = OR
            sub_rows.append(t_bits.reshape(-1, self.n_words))
            sub_a.append(np.full(len(idx) * 2**a, a, dtype=np.int64))
            sub_j.append(np.tile(subsets.sum(axis=1).astype(np.int64), len(idx)))
            sub_w.append(np.repeat(counts[idx], 2**a, axis=0))
        rows = np.concatenate(sub_rows)
        a_all = np.concatenate(sub_a)
        j_all = np.concatenate(sub_j)
        w_all = np.concatenate(sub_w)
        _, t_id = _unique_rows(rows)
        n_t = int(t_id.max()) + 1
        size_of_t = np.zeros(n_t, dtype=np.int64)
        size_of_t[t_id] = j_all
        na = max_size + 1
        big_n = np.zeros((n_sel, n_t * na))
        for s_ in range(n_sel):
            big_n[s_] = np.bincount(t_id * na + a_all, weights=w_all[:, s_], minlength=n_t * na)
        big_n3 = big_n.reshape(n_sel, n_t, na)
        # F[s, j, a, b] = sum over subsets T of size j of N_a(T) N_b(T)
        f = np.zeros((n_sel, na, na, na))
        for j in range(na):
            nj = big_n3[:, size_of_t == j, :]
            f[:, j] = np.einsum("sta,stb->sab", nj, nj)
        f_int = np.rint(f).astype(np.int64)
        x = np.zeros_like(f_int)
        for i in range(na):
            for j in range(i, na):
                x[:, i] += (-1) ** (j - i) * math.comb(j, i) * f_int[:, j]
        ii, aa, bb = np.meshgrid(np.arange(na), np.arange(na), np.arange(na), indexing="ij")
        delta = _delta_from_sizes(aa, bb, ii, distance)
        return np.asarray((x * delta[None]).sum(axis=(1, 2, 3)), dtype=np.float64)

    def _expected_pairwise(self, distinct: NDArray[np.uint64], counts: F64, distance: str) -> F64:
        nv = len(distinct)
        total = np.zeros(counts.shape[1])
        step = max(1, 2_000_000 // max(1, nv))
        for s in range(0, nv, step):
            dchunk = _set_distance(distinct[s : s + step, None, :], distinct[None, :, :], distance)
            total += ((dchunk @ counts) * counts[s : s + step]).sum(axis=0)
        return total


def _delta_from_sizes(a: I64, b: I64, i: I64, distance: str) -> F64:
    """MASI / Jaccard distance from ``|A|, |B|, |A ∩ B|`` (0 for two empty sets; impossible combos -> 0)."""
    union = a + b - i
    jac = np.divide(i, union, out=np.ones(np.shape(union)), where=union > 0)
    if distance == "jaccard":
        d = 1.0 - jac
    else:
        m = np.where((i == a) & (i == b), 1.0, np.where(i == np.minimum(a, b), 2.0 / 3.0,
                                                       np.where(i > 0, 1.0 / 3.0, 0.0)))  # fmt: skip
        d = 1.0 - jac * m
    possible = (i <= np.minimum(a, b)) & (union >= 0)
    return np.where(possible, d, 0.0)


def _set_alpha_parts(data: _SetData, distance: str) -> dict[str, Any]:
    """Point alphas (all coders, each pair, each leave-one-out) and per-unit D_o terms for the bootstrap."""
    r = data.r
    c = r.n_coders
    d, g, h = data.pair_disagreement(distance)
    rated = r.rated
    m = data.m
    mm1 = np.where(m >= 2, m - 1, 1).astype(np.float64)
    unit_do = 2.0 * d.sum(axis=0) / mm1 * data.pairable  # sum_{i != j} delta / (m_u - 1)
    unit_n = (m * data.pairable).astype(np.float64)
    # selections: all coders (pairable units), each pair (units both rated), leave one coder out
    sels = [rated & data.pairable[:, None]]
    both = (
        np.stack([rated[:, a] & rated[:, b] for a, b in zip(g.tolist(), h.tolist(), strict=True)])
        if len(g)
        else np.zeros((0, r.n_units), dtype=bool)
    )
    for i in range(len(g)):
        s = np.zeros_like(rated)
        s[both[i], g[i]] = True
        s[both[i], h[i]] = True
        sels.append(s)
    loo_do = []
    loo_n = []
    for k in range(c):
        keep = rated.copy()
        keep[:, k] = False
        mk = keep.sum(axis=1)
        sels.append(keep & (mk >= 2)[:, None])
        pair_ok = (g != k) & (h != k)
        loo_do.append(float((2.0 * d[pair_ok].sum(axis=0) / np.where(mk >= 2, mk - 1, 1) * (mk >= 2)).sum()))
        loo_n.append(float(mk[mk >= 2].sum()))
    de_num = data.expected_numerators(np.stack(sels), distance)

    def alpha(do_sum: float, n: float, de_sum: float) -> float | None:
        if n < 2 or de_sum == 0:
            return None
        return float(1.0 - (n - 1) * do_sum / de_sum)

    overall = alpha(float(unit_do.sum()), float(unit_n.sum()), float(de_num[0]))
    pair_alpha = [
        alpha(2.0 * float(d[i].sum()), 2.0 * float(both[i].sum()), float(de_num[1 + i]))
        for i in range(len(g))
    ]
    loo = [alpha(loo_do[k], loo_n[k], float(de_num[1 + len(g) + k])) for k in range(c)]
    n_tot = float(unit_n.sum())
    return {
        "alpha": overall,
        "reason": None if overall is not None else (
            REASON_NO_PAIRABLE if n_tot < 2 else REASON_NO_VARIATION
        ),
        "d_e": float(de_num[0]) / (n_tot * (n_tot - 1)) if n_tot >= 2 else float("nan"),
        "unit_do": unit_do,
        "unit_n": unit_n,
        "pair_alpha": pair_alpha,
        "pair_n": both.sum(axis=1).astype(np.int64),
        "loo": loo,
        "g": g,
        "h": h,
    }  # fmt: skip


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
    parts = _set_alpha_parts(_SetData(ratings), distance)
    return Coefficient(f"alpha_{distance}", parts["alpha"], parts["reason"], *_pc_counts(ratings))
