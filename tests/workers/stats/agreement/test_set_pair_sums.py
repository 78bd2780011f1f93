"""Alpha with MASI / Jaccard set distances: the fast expected-disagreement sums against the definition."""

from __future__ import annotations

import warnings
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from workers.stats import agreement as ag
from workers.stats.agreement import MultiCodeRatings
from workers.stats.agreement.set_pair_sums import _enumeration_limit, _popcount, pair_distance_sums


def _masi(x: frozenset[int], y: frozenset[int]) -> Fraction:
    """Passonneau (2006), straight from the definition, in exact fractions."""
    if not x and not y:
        return Fraction(0)
    j = Fraction(len(x & y), len(x | y))
    m = Fraction(1) if x == y else Fraction(2, 3) if x <= y or y <= x else Fraction(1, 3) if x & y else 0
    return 1 - j * m


def _jaccard(x: frozenset[int], y: frozenset[int]) -> Fraction:
    return Fraction(0) if not x and not y else 1 - Fraction(len(x & y), len(x | y))


DIST = {"masi": _masi, "jaccard": _jaccard}


def _random_sets(rng: np.random.Generator, n: int, n_codes: int, max_size: int) -> list[frozenset[int]]:
    out = {frozenset()}
    while len(out) < n:
        size = int(rng.integers(0, max_size + 1))
        out.add(frozenset(rng.choice(n_codes, size=size, replace=False).tolist()))
    return sorted(out, key=lambda s: (len(s), sorted(s)))


def _bits(sets: list[frozenset[int]], n_codes: int) -> np.ndarray:
    out = np.zeros((len(sets), (n_codes + 63) // 64), dtype=np.uint64)
    for i, s in enumerate(sets):
        for k in s:
            out[i, k // 64] |= np.uint64(1) << np.uint64(k % 64)
    return out


def _direct(sets: list[frozenset[int]], w: np.ndarray, dist: str) -> list[Fraction]:
    d = DIST[dist]
    return [
        sum((int(w[x, s]) * int(w[y, s]) * d(a, b) for x, a in enumerate(sets) for y, b in enumerate(sets)),
            Fraction(0))
        for s in range(w.shape[1])
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("seed", "n_codes", "max_size", "n_sets"),
    [
        (1, 12, 6, 80),  # one word, dense subset ranks
        (2, 130, 7, 60),  # three words, ranks too many for a dense array: sorted
        (3, 1000, 14, 60),  # codes used exceed 64 and C(n_used, j) overflows int64: sorted code tuples
    ],
)
def test_pair_sums_equal_definition_on_both_sides_of_the_switch(seed, n_codes, max_size, n_sets):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    sets = _random_sets(rng, n_sets, n_codes, max_size)
    bits = _bits(sets, n_codes)
    w = rng.integers(0, 6, size=(len(sets), 3)).astype(np.float64)
    sizes = _popcount(bits)
    assert sizes.min() == 0
    assert sizes.max() >= 2
    expected = {d: _direct(sets, w, d) for d in DIST}
    # every set pairwise (-1), every set enumerated (max), split in between, and the default choice
    for limit in (-1, 0, 1, int(np.median(sizes)), int(sizes.max()), None):
        got = pair_distance_sums(bits, w, ("masi", "jaccard"), enumerate_up_to=limit)
        for k, dist in enumerate(("masi", "jaccard")):
            want = np.array([float(x) for x in expected[dist]])
            assert got[k] == pytest.approx(want, rel=1e-12, abs=1e-9), (limit, dist)


def test_enumeration_limit_sends_big_sets_pairwise():
    sizes = np.array([3] * 1000 + [9] * 1000 + [15])
    assert _enumeration_limit(sizes, 1) == 9  # 2^15 subset rows cost more than 2001 comparisons
    assert _enumeration_limit(np.array([3] * 5 + [40] * 5), 1) == 3
    assert _enumeration_limit(np.array([30, 30]), 1) == -1
    assert _enumeration_limit(np.zeros(0, dtype=np.int64), 1) == -1


def _set_alpha_direct(r: MultiCodeRatings, dist: str) -> float | None:
    """Krippendorff (2011): alpha = 1 - (n - 1) sum_u sum_{i != j in u} d / (m_u - 1) / sum_{i != j} d."""
    sets: dict[tuple[int, int], set[int]] = {}
    for u, g, k in zip(r.coding_unit, r.coding_coder, r.coding_code, strict=True):
        sets.setdefault((int(u), int(g)), set()).add(int(k))
    d = DIST[dist]
    do = Fraction(0)
    pooled: Counter[frozenset[int]] = Counter()
    for u in range(r.n_units):
        vals = [frozenset(sets.get((u, g), set())) for g in range(r.n_coders) if r.rated[u, g]]
        if len(vals) < 2:
            continue
        pooled.update(vals)
        do += sum((d(a, b) for i, a in enumerate(vals) for j, b in enumerate(vals) if i != j),
                  Fraction(0)) / (len(vals) - 1)  # fmt: skip
    n = sum(pooled.values())
    de = sum((ca * cb * d(a, b) for a, ca in pooled.items() for b, cb in pooled.items()), Fraction(0))
    if n < 2 or de == 0:
        return None
    return float(1 - (n - 1) * do / de)


def _ratings(rng: np.random.Generator, n_units: int, n_coders: int, n_codes: int, max_size: int
             ) -> MultiCodeRatings:  # fmt: skip
    truth = [
        rng.choice(n_codes, size=int(rng.integers(0, max_size + 1)), replace=False) for _ in range(n_units)
    ]
    rows = []
    for t in truth:
        row: list[set[int] | None] = []
        for _ in range(n_coders):
            if rng.random() < 0.1:
                row.append(None)
            elif rng.random() < 0.6:
                row.append(set(t.tolist()))
            else:
                row.append(
                    set(rng.choice(n_codes, size=int(rng.integers(0, max_size + 1)), replace=False).tolist())
                )
        rows.append(row)
    rows[0][0] = set(range(min(n_codes, max_size + 6)))  # one rating with many more codes than the rest
    return MultiCodeRatings.from_sets(rows, n_codes=n_codes)


@pytest.mark.parametrize(("seed", "n_codes", "max_size"), [(4, 20, 6), (5, 90, 9), (6, 30, 14)])
def test_set_alpha_equals_definition(seed, n_codes, max_size):  # type: ignore[no-untyped-def]
    r = _ratings(np.random.default_rng(seed), 150, 3, n_codes, max_size)
    for dist in ("masi", "jaccard"):
        got = ag.set_alpha(r, distance=dist).value
        want = _set_alpha_direct(r, dist)
        assert got is not None
        assert want is not None
        assert got == pytest.approx(want, abs=1e-12), dist


def test_set_alpha_on_single_codes_is_nominal_alpha_of_the_krippendorff_package():
    import krippendorff

    rng = np.random.default_rng(7)
    n_units, n_coders, q = 300, 4, 6
    v = rng.integers(-1, q, size=(n_units, n_coders))  # -1: the empty set (a rating, not missing)
    v = np.where(rng.random(v.shape) < 0.7, v[:, :1], v)
    missing = rng.random(v.shape) < 0.15
    rows = [[None if missing[u, g] else (set() if v[u, g] < 0 else {int(v[u, g])}) for g in range(n_coders)]
            for u in range(n_units)]  # fmt: skip
    r = MultiCodeRatings.from_sets(rows, n_codes=q)
    data = np.where(missing, np.nan, v + 1.0).T  # empty set -> category 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    for dist in ("masi", "jaccard"):  # both are the nominal distance on sets of at most one code
        assert ag.set_alpha(r, distance=dist).value == pytest.approx(ref, abs=1e-12)


def test_pair_sums_stay_exact_when_counts_overflow_float_and_int64_products():
    rng = np.random.default_rng(8)
    sets = _random_sets(rng, 30, 10, 6)
    bits = _bits(sets, 10)
    w = rng.integers(10**8, 10**9, size=(len(sets), 1)).astype(np.float64)  # F beyond 2**53 and 2**62
    for limit in (-1, 6):
        got = pair_distance_sums(bits, w, ("masi", "jaccard"), enumerate_up_to=limit)
        for k, dist in enumerate(("masi", "jaccard")):
            assert got[k, 0] == pytest.approx(float(_direct(sets, w, dist)[0]), rel=1e-12)
