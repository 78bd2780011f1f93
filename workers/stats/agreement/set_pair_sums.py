"""The sum of a set distance over every pair of pooled code sets, exact, without visiting every pair.

Krippendorff's expected disagreement for set-valued ratings needs, per selection of pooled values,

.. math:: E = \\sum_{x, y} w(x)\\, w(y)\\, d(x, y)

over the distinct sets ``x, y`` with their multiplicities ``w``. The MASI and Jaccard distances depend only
on the sizes ``a = |x|``, ``b = |y|`` and the size ``i = |x ∩ y|`` of the intersection, so
``E = sum_{a, b, i} X_ab(i) d(a, b, i)`` where ``X_ab(i)`` is the weight of the ordered pairs with those
sizes. ``X`` comes from subset counts: with ``N_a(T)`` the weight of the sets of size ``a`` that contain a
set ``T`` of ``j`` codes, a pair with ``i`` common codes shares ``C(i, j)`` such ``T``, so

.. math:: F_{ab}(j) = \\sum_{|T| = j} N_a(T) N_b(T) = \\sum_i \\binom{i}{j} X_{ab}(i), \\qquad
          X_{ab}(i) = \\sum_{j \\ge i} (-1)^{j - i} \\binom{j}{i} F_{ab}(j)

(binomial inversion, in exact integers). The cost is ``sum_x 2^|x|`` subset rows instead of ``V^2`` pairs
of distinct sets. A set whose ``2^|x|`` subsets would cost more than comparing it with every distinct set
goes to the pairwise path instead (64-bit words per set, vectorised popcounts, blocks of bounded size),
so there is no limit on the number of codes per rating; :func:`_enumeration_limit` picks the switch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from workers.stats.agreement.reliability_data import F64, I64

ROW_COST: Final = 1.0
"""Cost of one enumerated subset row relative to one pairwise distance on one 64-bit word: measured at
about 70 ns and 75 ns on a 2-core AMD EPYC (benchmarks/agreement.py, set alpha workloads)."""

DENSE_CELLS: Final = 2**20
"""Subset enumeration counts into a dense array of up to this many cells instead of sorting."""

PAIR_BLOCK: Final = 4_000_000
"""Pairwise path: at most this many (set, set, word) cells are materialised at once."""


def _popcount(x: NDArray[np.uint64]) -> I64:
    counts = np.bitwise_count(x)
    out: I64 = (counts[..., 0] if x.shape[-1] == 1 else counts.sum(axis=-1)).astype(np.int64)
    return out


_MASI_M: Final = np.array([0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0])


def _delta_from_sizes(a: I64, b: I64, i: I64, distance: str) -> F64:
    """MASI / Jaccard distance from ``|A|, |B|, |A ∩ B|`` (0 for two empty sets; impossible combos -> 0).

    MASI's monotonicity factor is indexed by 3 when ``i = max(a, b)`` (equal sets, two empty sets
    included), else by ``[i > 0] + [i = min(a, b)]``: 0 disjoint, 1/3 overlapping, 2/3 one a proper
    subset of the other.
    """
    a, b, i = np.asarray(a), np.asarray(b), np.asarray(i)
    union = a + b - i
    jac = np.divide(i, union, out=np.ones(np.broadcast(a, b, i).shape), where=union > 0)
    if distance == "jaccard":
        d = 1.0 - jac
    elif distance == "masi":
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        level = np.where(i == hi, 3, (i > 0).astype(np.int64) + (i == lo))
        d = 1.0 - jac * _MASI_M[level]
    else:
        raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")
    possible = (i <= np.minimum(a, b)) & (union >= 0)
    return np.where(possible, d, 0.0)


def _enumeration_limit(sizes: I64, n_words: int) -> int:
    """Largest set size handled by subset enumeration (``-1``: none); larger sets are compared pairwise.

    Minimises ``ROW_COST * sum_{|x| <= t} 2^|x| + n_words * V * #{|x| > t}`` over the sizes present.
    """
    v = len(sizes)
    if v == 0:
        return -1
    us, cnt = np.unique(sizes, return_counts=True)
    rows = np.cumsum(cnt * np.exp2(np.minimum(us, 1000).astype(np.float64)))
    above = v - np.cumsum(cnt)
    cost = ROW_COST * rows + float(n_words) * v * above
    k = int(np.argmin(cost))
    return int(us[k]) if cost[k] <= float(n_words) * v * v else -1


def _set_elements(bits: NDArray[np.uint64], size: int) -> I64:
    """Code indices of each set in ascending order, shape ``(n, size)``; every row has ``size`` codes."""
    n, n_words = bits.shape
    out = np.empty((n, size), dtype=np.int64)
    step = max(1, 2**24 // (64 * n_words))
    for s in range(0, n, step):
        chunk = np.ascontiguousarray(bits[s : s + step], dtype="<u8").view(np.uint8)
        flags = np.unpackbits(chunk, axis=1, bitorder="little")
        out[s : s + step] = np.nonzero(flags)[1].reshape(-1, size)
    return out


def _subset_cells(elems: Sequence[tuple[I64, I64]], j: int, n_used: int, top: int) -> tuple[I64, I64, int]:
    """Every ``j``-subset of every set as a cell ``(subset, size of its set)``: cell ids, set indices, count.

    ``elems`` holds, per size ``a >= j``, the indices of the sets of that size and their codes in
    ascending order, renumbered ``0 .. n_used - 1``. A subset is identified by its rank in the
    combinatorial number system (``sum_t C(e_t, t + 1)`` over its ascending codes ``e_t``), so cells are
    counted with one ``bincount`` and no sort, when the ``C(n_used, j)`` ranks fit in ``DENSE_CELLS``
    (or in eight times the rows); otherwise the ranks present are numbered by sorting them.
    """
    nb = top - j + 1
    n_rank = math.comb(n_used, j)
    table = np.array(
        [[math.comb(e, t) for t in range(j + 1)] for e in range(n_used)], dtype=np.float64
    )  # C(e, t), exact below 2**53
    wide = n_rank >= 2**62
    ranks: list[NDArray[Any]] = []
    size_of: list[I64] = []
    set_of: list[I64] = []
    for idx, e in elems:
        a = e.shape[1]
        combos = np.array(list(itertools.combinations(range(a), j)), dtype=np.int64)  # (C(a, j), j)
        if wide:
            ranks.append(e[:, combos].reshape(-1, j))
        else:
            tab = table.astype(np.int64) if n_rank >= 2**53 else table
            rank = np.zeros((len(idx), len(combos)), dtype=tab.dtype)
            for t in range(j):
                rank += tab[e[:, combos[:, t]], t + 1]
            ranks.append(rank.astype(np.int64).ravel())
        size_of.append(np.full(len(idx) * len(combos), a - j, dtype=np.int64))
        set_of.append(np.repeat(idx, len(combos)))
    rows = sum(len(x) for x in size_of)
    if not wide and n_rank * nb <= max(DENSE_CELLS, 8 * rows):
        return np.concatenate(ranks) * nb + np.concatenate(size_of), np.concatenate(set_of), n_rank * nb
    found = np.unique(np.concatenate(ranks), axis=0 if wide else None, return_inverse=True)
    tid = np.asarray(found[1]).reshape(-1).astype(np.int64)
    return tid * nb + np.concatenate(size_of), np.concatenate(set_of), len(found[0]) * nb


def _gram(n: F64) -> NDArray[Any]:
    """``n.T @ n`` in exact integers (``n`` holds integer counts): int64, or Python ints beyond it."""
    total = float((n.sum(axis=1) ** 2).sum())  # the sum of all entries, an upper bound of each
    if total < 2.0**52:  # every partial sum is an integer below 2**53: BLAS in float64 is exact
        return np.rint(n.T @ n).astype(np.int64)
    ni = np.rint(n).astype(np.int64)
    if total < 2.0**62:
        return np.asarray(ni.T @ ni, dtype=np.int64)
    no = ni.astype(object)
    return np.asarray(no.T @ no, dtype=object)


def intersection_weights(bits: NDArray[np.uint64], weights: F64) -> NDArray[Any]:
    """``X[s, i, a, b]``: weight of the ordered pairs of sets ``(x, y)`` with ``|x| = a``, ``|y| = b`` and
    ``|x ∩ y| = i``, for each column ``s`` of ``weights`` (integer multiplicities), in exact integers.

    Pairs of a set with itself are included. Integer (int64 or Python int) array of shape
    ``(S, t + 1, t + 1, t + 1)``, ``t`` the largest size.
    """
    sizes = _popcount(bits)
    n_sel = weights.shape[1]
    top = int(sizes.max()) if len(sizes) else 0
    na = top + 1
    f = np.zeros((n_sel, na, na, na), dtype=object)  # F[s, j, a, b], Python ints (a few thousand)
    w_size = np.zeros((n_sel, na), dtype=object)
    for a in range(na):
        w_size[:, a] = np.rint(weights[sizes == a].sum(axis=0)).astype(np.int64).astype(object)
    f[:, 0] = w_size[:, :, None] * w_size[:, None, :]
    groups: list[tuple[I64, I64]] = []
    for a in range(1, na):
        idx = np.flatnonzero(sizes == a)
        if len(idx):
            groups.append((idx, _set_elements(bits[idx], a)))
    used = np.unique(np.concatenate([e.ravel() for _, e in groups])) if groups else np.zeros(0, np.int64)
    groups = [(idx, np.searchsorted(used, e).astype(np.int64)) for idx, e in groups]
    for j in range(1, na):
        present = [g for g in groups if g[1].shape[1] >= j]
        if not present:
            break
        cell, set_of, n_cells = _subset_cells(present, j, len(used), top)
        for s in range(n_sel):
            n = np.bincount(cell, weights=weights[set_of, s], minlength=n_cells)
            f[s, j, j:, j:] = _gram(np.asarray(n, dtype=np.float64).reshape(-1, top - j + 1))
    # binomial inversion X[i] = sum_{j >= i} (-1)^(j - i) C(j, i) F[j], exact
    inv = np.array([[(-1) ** (j - i) * math.comb(j, i) for j in range(na)] for i in range(na)], dtype=object)
    f_max = np.array([float(f[:, j].max()) for j in range(na)])  # F >= 0
    bound = float((np.abs(inv.astype(np.float64)) @ f_max).max())
    if bound < 2.0**62:
        return np.asarray(np.einsum("ij,sjab->siab", inv.astype(np.int64), f.astype(np.int64)))
    return np.stack([np.tensordot(inv, f[s], axes=(1, 0)) for s in range(n_sel)])


def _pair_sums(
    xb: NDArray[np.uint64], xw: F64, yb: NDArray[np.uint64], yw: F64, distances: Sequence[str]
) -> F64:
    """``sum_{x, y} xw[x, s] yw[y, s] d(x, y)`` by direct comparison, blocked; shape ``(D, S)``."""
    out = np.zeros((len(distances), xw.shape[1]))
    if not len(xb) or not len(yb):
        return out
    xs, ys = _popcount(xb), _popcount(yb)
    step = max(1, PAIR_BLOCK // (len(yb) * yb.shape[1]))
    for s in range(0, len(xb), step):
        inter = _popcount(xb[s : s + step, None, :] & yb[None, :, :])
        for k, dist in enumerate(distances):
            d = _delta_from_sizes(xs[s : s + step, None], ys[None, :], inter, dist)
            out[k] += ((d @ yw) * xw[s : s + step]).sum(axis=0)
    return out


def pair_distance_sums(
    bits: NDArray[np.uint64],
    weights: F64,
    distances: Sequence[str],
    *,
    enumerate_up_to: int | None = None,
) -> F64:
    """``sum_{x, y} w[x, s] w[y, s] d(x, y)`` over ordered pairs of distinct sets, for every distance and column.

    Parameters
    ----------
    bits : uint64 array, shape (V, n_words)
        Distinct sets as bitsets.
    weights : float array, shape (V, S)
        Integer multiplicity of each set in each of ``S`` selections.
    distances : sequence of {"masi", "jaccard"}
    enumerate_up_to : int, optional
        Sets of at most this many codes go through subset enumeration, larger ones pairwise; by default
        the cheaper split (:func:`_enumeration_limit`). The result does not depend on it.

    Returns
    -------
    float array, shape (len(distances), S)
    """
    out = np.zeros((len(distances), weights.shape[1]))
    if not len(bits):
        return out
    sizes = _popcount(bits)
    limit = _enumeration_limit(sizes, bits.shape[1]) if enumerate_up_to is None else enumerate_up_to
    small = sizes <= limit
    if small.any():
        x = intersection_weights(bits[small], weights[small])
        na = x.shape[1]
        ii, aa, bb = np.meshgrid(np.arange(na), np.arange(na), np.arange(na), indexing="ij")
        for k, dist in enumerate(distances):
            delta = _delta_from_sizes(aa, bb, ii, dist)
            out[k] += np.array([float((x[s] * delta).sum()) for s in range(len(x))])
    if not small.all():
        lb, lw = bits[~small], weights[~small]
        out += 2.0 * _pair_sums(lb, lw, bits[small], weights[small], distances)
        out += _pair_sums(lb, lw, lb, lw, distances)
    return out
