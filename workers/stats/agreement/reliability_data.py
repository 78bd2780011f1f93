"""Reliability data: the rating matrices the coefficients read, their checks, and multi-code ratings.

* **Single-label ratings.** An integer array of shape ``(n_units, n_coders)`` whose cells hold a category
  index ``0 .. q-1`` or :data:`MISSING` (``-1``) when that coder gave no rating, checked by
  :func:`_check_ratings`. ``q`` (``n_categories``) is the size of the codebook, unused categories
  included.
* **Counts.** A units x categories matrix ``n_uk``, how many coders put unit ``u`` in category ``k``,
  checked by :func:`_check_counts`.
* **Multi-code ratings.** A *set* of codes per rating, possibly empty: :class:`MultiCodeRatings`.

Also the sort-based array helpers (unique values, coder pairs) the statistics share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]
Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None

RatingsLike = NDArray[np.integer[Any]] | Sequence[Sequence[int]]


MISSING: Final = -1
"""Sentinel for "this coder gave no rating for this unit" in a rating matrix."""


def _check_ratings(ratings: NDArray[np.integer[Any]] | Sequence[Sequence[int]], n_categories: int) -> I64:
    v = np.asarray(ratings)
    if v.ndim != 2:
        raise ValueError(f"ratings must be a 2-D array (units x coders), got {v.ndim} dimension(s)")
    if v.dtype.kind not in "iu":
        raise ValueError(f"ratings must be integer-coded categories, got dtype {v.dtype}")
    if n_categories < 1:
        raise ValueError(f"n_categories must be at least 1, got {n_categories}")
    v = v.astype(np.int64, copy=False)
    if v.size and (v.min() < MISSING or v.max() >= n_categories):
        raise ValueError(
            f"ratings must hold category indices 0..{n_categories - 1} or MISSING ({MISSING}); "
            f"found values in [{v.min()}, {v.max()}]"
        )
    return v


def _check_counts(counts: NDArray[np.integer[Any]] | NDArray[np.floating[Any]]) -> NDArray[Any]:
    cm = np.asarray(counts)
    if cm.ndim != 2:
        raise ValueError(f"counts must be a 2-D array (units x categories), got {cm.ndim} dimension(s)")
    if cm.size and cm.min() < 0:
        raise ValueError("counts must be non-negative")
    return cm


def _unique(x: I64) -> I64:
    """Sorted unique values (sort-based; faster than numpy's hash path for int keys here)."""
    xs = np.sort(x)
    if len(xs) == 0:
        return xs
    return xs[np.concatenate(([True], xs[1:] != xs[:-1]))]


def _unique_inverse(x: NDArray[Any]) -> tuple[NDArray[Any], I64, I64]:
    """Sorted unique values, the inverse map and the first index of each value."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    flag = np.concatenate(([True], xs[1:] != xs[:-1])) if len(xs) else np.zeros(0, dtype=bool)
    ids = np.cumsum(flag) - 1
    inv = np.empty(len(x), dtype=np.int64)
    inv[order] = ids
    return xs[flag], inv, order[flag].astype(np.int64)


def _pairs(n_coders: int) -> tuple[I64, I64]:
    g, h = np.triu_indices(n_coders, 1)
    return g.astype(np.int64), h.astype(np.int64)


@dataclass(frozen=True, eq=False)
class MultiCodeRatings:
    """Multi-code ratings: each coder's rating of a unit is a set of codes, possibly empty.

    Attributes
    ----------
    rated : bool array, shape (n_units, n_coders)
        True when the coder finished the unit (a rating, possibly the empty set); False = missing.
    coding_unit, coding_coder, coding_code : int arrays, shape (n_codings,)
        One entry per code applied: unit index, coder index, code index. Duplicates are ignored. Every
        coding must belong to a rated (unit, coder): a missing rating carries no codes.
    n_codes : int
        Number of codes in the codebook (unused codes included).

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0, 1}], [set(), {1}], [{1}, None]], n_codes=2)
    >>> r.n_units, r.n_coders, r.n_codes, len(r.coding_unit)
    (3, 2, 2, 5)
    """

    rated: Bools
    coding_unit: I64
    coding_coder: I64
    coding_code: I64
    n_codes: int

    def __post_init__(self) -> None:
        rated = np.asarray(self.rated)
        if rated.ndim != 2 or rated.dtype != np.bool_:
            raise ValueError("rated must be a 2-D boolean array (units x coders)")
        if rated.shape[1] > 62:
            raise ValueError(f"at most 62 coders are supported, got {rated.shape[1]}")
        if self.n_codes < 1:
            raise ValueError(f"n_codes must be at least 1, got {self.n_codes}")
        arrays = [np.asarray(a) for a in (self.coding_unit, self.coding_coder, self.coding_code)]
        if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
            raise ValueError("coding_unit, coding_coder and coding_code must be 1-D arrays of equal length")
        for a, name in zip(arrays, ("coding_unit", "coding_coder", "coding_code"), strict=True):
            if a.size and a.dtype.kind not in "iu":
                raise ValueError(f"{name} must be an integer array, got dtype {a.dtype}")
        unit, coder, code = (a.astype(np.int64) for a in arrays)
        for a, hi, name in (
            (unit, rated.shape[0], "coding_unit"),
            (coder, rated.shape[1], "coding_coder"),
            (code, self.n_codes, "coding_code"),
        ):
            if a.size and (a.min() < 0 or a.max() >= hi):
                raise ValueError(f"{name} must lie in 0..{hi - 1}")
        if unit.size:
            bad = ~rated[unit, coder]
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"coding {i} (unit {unit[i]}, coder {coder[i]}) belongs to a unit that coder did not "
                    "rate; a missing rating carries no codes"
                )
        # duplicates carry no information: keep one (unit, coder, code) each, sorted
        key = _unique((unit * rated.shape[1] + coder) * self.n_codes + code)
        code = key % self.n_codes
        coder = (key // self.n_codes) % rated.shape[1]
        unit = key // self.n_codes // rated.shape[1]
        object.__setattr__(self, "rated", rated)
        object.__setattr__(self, "coding_unit", unit)
        object.__setattr__(self, "coding_coder", coder)
        object.__setattr__(self, "coding_code", code)

    @property
    def n_units(self) -> int:
        return int(self.rated.shape[0])

    @property
    def n_coders(self) -> int:
        return int(self.rated.shape[1])

    @classmethod
    def from_sets(
        cls, sets: Sequence[Sequence[set[int] | frozenset[int] | None]], *, n_codes: int
    ) -> MultiCodeRatings:
        """Build from ``sets[unit][coder]``: a set of code indices, or ``None`` for no rating."""
        n_units = len(sets)
        n_coders = len(sets[0]) if n_units else 0
        rated = np.zeros((n_units, n_coders), dtype=bool)
        cu: list[int] = []
        cc: list[int] = []
        ck: list[int] = []
        for u, row in enumerate(sets):
            if len(row) != n_coders:
                raise ValueError(f"unit {u} has {len(row)} coders, expected {n_coders}")
            for g, s in enumerate(row):
                if s is None:
                    continue
                rated[u, g] = True
                for k in sorted(s):
                    cu.append(u)
                    cc.append(g)
                    ck.append(k)
        return cls(rated, np.array(cu, dtype=np.int64), np.array(cc, dtype=np.int64),
                   np.array(ck, dtype=np.int64), n_codes)  # fmt: skip

    def binary(self, code: int) -> I64:
        """Units x coders 0/1 matrix for one code (:data:`MISSING` where not rated); for tests and export."""
        out = np.where(self.rated, 0, MISSING).astype(np.int64)
        sel = self.coding_code == code
        out[self.coding_unit[sel], self.coding_coder[sel]] = 1
        return out


def _pc_counts(r: MultiCodeRatings) -> tuple[int, int, int, int]:
    m = r.rated.sum(axis=1)
    return int((m >= 1).sum()), int((m >= 2).sum()), r.n_coders, int(m[m >= 2].sum())
