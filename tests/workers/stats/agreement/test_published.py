"""Published worked examples, checked to the printed precision and against exact arithmetic."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest

from workers.stats.agreement import (
    MISSING,
    MultiCodeRatings,
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    holsti,
    jaccard_distance,
    kappa_paradox_diagnostics,
    krippendorff_alpha,
    light_kappa,
    masi_distance,
    percent_agreement,
    scott_pi,
    set_alpha,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units,
# values 1..5, "." = missing. Rows are units here.
K2011_C = [
    [1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1], [None, None, 3, None],
]  # fmt: skip


def _coded(rows: list[list[int | None]], offset: int = 1) -> np.ndarray:
    return np.array([[MISSING if x is None else x - offset for x in r] for r in rows], dtype=np.int64)


def _exact_alpha(rows: list[list[int | None]], delta2) -> Fraction:  # type: ignore[no-untyped-def]
    """Krippendorff's alpha by the book, in exact rational arithmetic (independent of the engine)."""
    units = [[x for x in r if x is not None] for r in rows]
    units = [u for u in units if len(u) >= 2]
    values = sorted({x for u in units for x in u})
    o = {(c, k): Fraction(0) for c in values for k in values}
    for u in units:
        for i, j in ((i, j) for i in range(len(u)) for j in range(len(u)) if i != j):
            o[u[i], u[j]] += Fraction(1, len(u) - 1)
    n_c = {c: sum(o[c, k] for k in values) for c in values}
    n = sum(n_c.values())
    d_o = sum(o[c, k] * delta2(c, k, n_c) for c in values for k in values)
    d_e = sum(n_c[c] * n_c[k] * delta2(c, k, n_c) for c in values for k in values)
    return 1 - (n - 1) * d_o / d_e


def _ordinal(c: int, k: int, n_c: dict[int, Fraction]) -> Fraction:
    lo, hi = min(c, k), max(c, k)
    return (sum(n_c.get(g, Fraction(0)) for g in range(lo, hi + 1)) - (n_c[c] + n_c[k]) / 2) ** 2


@pytest.mark.parametrize(
    ("level", "printed", "delta2"),
    [
        ("nominal", 0.743, lambda c, k, n: Fraction(int(c != k))),
        ("ordinal", 0.815, _ordinal),
        ("interval", 0.849, lambda c, k, n: Fraction((c - k) ** 2)),
        ("ratio", 0.797, lambda c, k, n: Fraction(c - k, c + k) ** 2),
    ],
)
def test_krippendorff_2011_section_c_all_metrics(level, printed, delta2):  # type: ignore[no-untyped-def]
    res = krippendorff_alpha(_coded(K2011_C), n_categories=5, level=level, values=[1, 2, 3, 4, 5])
    assert round(res.value, 3) == printed
    assert res.value == pytest.approx(float(_exact_alpha(K2011_C, delta2)), abs=1e-9)
    assert (res.n_units, res.n_pairable_units, res.n_coders, res.n_pairable_values) == (12, 11, 4, 40)


def test_krippendorff_2011_section_a_binary_two_coders():
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    res = krippendorff_alpha(np.array([a, b]).T, n_categories=2)
    assert round(res.value, 3) == 0.095
    assert res.value == pytest.approx(float(Fraction(2, 21)), abs=1e-12)  # 1 - 19 * 4 / (16 * 4 * ... )


def test_krippendorff_2011_section_b_nominal_two_coders():
    m = {x: i for i, x in enumerate("abcde")}
    a = [m[x] for x in ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d", "d", "a"]]
    b = [m[x] for x in ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d", "d", "d"]]
    rows = [[x + 1, y + 1] for x, y in zip(a, b, strict=True)]
    res = krippendorff_alpha(np.array([a, b]).T, n_categories=5)
    assert round(res.value, 3) == 0.692
    exact = _exact_alpha(rows, lambda c, k, n: Fraction(int(c != k)))  # type: ignore[arg-type]
    assert res.value == pytest.approx(float(exact), abs=1e-12)


# Fleiss (1971), as on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14 raters, 5 categories.
WIKI_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def _ratings_from_counts(counts: list[list[int]]) -> np.ndarray:
    return np.array([np.repeat(np.arange(len(row)), row) for row in counts], dtype=np.int64)


def test_fleiss_wikipedia_example():
    r = _ratings_from_counts(WIKI_FLEISS)
    res = fleiss_kappa(r, n_categories=5)
    assert round(res.value, 3) == 0.210
    cnt = [[Fraction(x) for x in row] for row in WIKI_FLEISS]
    p_bar = sum(sum(x * (x - 1) for x in row) / (14 * 13) for row in cnt) / 10
    pj = [sum(row[j] for row in cnt) / 140 for j in range(5)]
    pe = sum(p * p for p in pj)
    assert res.value == pytest.approx(float((p_bar - pe) / (1 - pe)), abs=1e-12)
    assert round(float(p_bar), 3) == 0.378
    assert round(float(pe), 3) == 0.213


def test_fleiss_1971_diagnoses_30_subjects_6_raters():
    from statsmodels.stats.tests.test_inter_rater import diagnoses  # the Fleiss (1971) data, as in R's irr

    res = fleiss_kappa(np.asarray(diagnoses, dtype=np.int64) - 1, n_categories=5)
    assert round(res.value, 2) == 0.43  # Fleiss (1971): kappa = .430
    assert res.value == pytest.approx(0.4302445, abs=1e-7)  # R irr::kappam.fleiss, 7 decimals
    assert (res.n_units, res.n_pairable_units, res.n_coders, res.n_pairable_values) == (30, 30, 6, 180)


def _table_to_ratings(table: list[list[int]]) -> np.ndarray:
    rows = [[i, j] for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)]
    return np.array(rows, dtype=np.int64)


@pytest.mark.parametrize(
    ("table", "kappa"),
    [
        ([[20, 5], [10, 15]], Fraction(2, 5)),  # Wikipedia "Cohen's kappa": p_o = .7, p_e = .5
        ([[45, 15], [25, 15]], Fraction(3, 23)),  # Wikipedia: 0.1304
        ([[25, 35], [5, 35]], Fraction(7, 27)),  # Wikipedia: 0.2593
    ],
)
def test_cohen_wikipedia_tables(table, kappa):  # type: ignore[no-untyped-def]
    r = _table_to_ratings(table)
    res = cohen_kappa(r, n_categories=2)
    assert res.value == pytest.approx(float(kappa), abs=1e-12)
    # two coders, complete data: Conger = Cohen, Light = Cohen
    assert conger_kappa(r, n_categories=2).value == pytest.approx(float(kappa), abs=1e-12)
    assert light_kappa(r, n_categories=2).value == pytest.approx(float(kappa), abs=1e-12)


def test_cohen_1968_weighted_example_against_exact():
    # Fleiss, Cohen & Everitt (1969) 3x3 table (used by statsmodels' test suite)
    table = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
    r = _table_to_ratings(table)
    n = 19
    rows = [sum(x) for x in table]
    cols = [sum(table[i][j] for i in range(3)) for j in range(3)]
    for weights, d in (("linear", lambda i, j: abs(i - j)), ("quadratic", lambda i, j: (i - j) ** 2)):
        do = sum(Fraction(table[i][j] * d(i, j), n) for i in range(3) for j in range(3))
        de = sum(Fraction(rows[i] * cols[j] * d(i, j), n * n) for i in range(3) for j in range(3))
        res = cohen_kappa(r, n_categories=3, weights=weights)
        assert res.value == pytest.approx(float(1 - do / de), abs=1e-12)
    # SAS printout quoted in statsmodels' test suite: simple kappa 0.4842, weighted (linear) 0.4701
    assert round(cohen_kappa(r, n_categories=3).value, 4) == 0.4842
    assert round(cohen_kappa(r, n_categories=3, weights="linear").value, 4) == 0.4701


def test_scott_pi_and_holsti_exact():
    r = _table_to_ratings([[20, 5], [10, 15]])
    # pooled: p(0) = 55/100; p_e = .55^2 + .45^2 = .505; pi = (.7 - .505) / .495
    assert scott_pi(r, n_categories=2).value == pytest.approx(float(Fraction(195, 495)), abs=1e-12)
    assert holsti(r, n_categories=2).value == pytest.approx(0.7, abs=1e-12)
    r2 = np.vstack([r, [[1, MISSING], [MISSING, 0]]])
    assert holsti(r2, n_categories=2).value == pytest.approx(float(Fraction(2 * 35, 51 + 51)), abs=1e-12)


# Gwet (2014), Handbook, 4th ed., the 12 x 4 example (irrCAC's raw_4raters; Krippendorff's data):
# p_a = 0.81818, p_e = 0.19032, AC1 = 0.77544.
def _gwet_exact(units: list[list[int]], q: int = 5) -> tuple[Fraction, Fraction]:
    pi = [sum(Fraction(u.count(k), len(u)) for u in units) / len(units) for k in range(q)]
    pe = sum(p * (1 - p) for p in pi) / (q - 1)
    multi = [u for u in units if len(u) >= 2]
    pa = sum(Fraction(sum(u.count(k) * (u.count(k) - 1) for k in range(q)), len(u) * (len(u) - 1))
             for u in multi) / len(multi)  # fmt: skip
    return pa, pe


def test_gwet_handbook_4_raters_ac1():
    r = _coded(K2011_C)
    units = [[int(x) for x in row if x >= 0] for row in r]
    assert sum(len(u) == 1 for u in units) == 1  # unit 12 is rated once: it enters pi_k, not p_a
    pa_exact, pe_gwet = _gwet_exact(units)  # Gwet: pi_k over all 12 rated units
    assert round(float(pa_exact), 5) == 0.81818
    assert round(float(pe_gwet), 5) == 0.19032
    ours = gwet_ac1(r, n_categories=5).value
    assert ours == pytest.approx(float((pa_exact - pe_gwet) / (1 - pe_gwet)), abs=1e-12)
    assert round(ours, 5) == 0.77544
    assert round(percent_agreement(r, n_categories=5).value, 5) == 0.81818
    # Dropping the single-rated unit changes pi_k and so AC1 (0.77515): it is not ignorable.
    assert round(gwet_ac1(r[:11], n_categories=5).value, 5) == 0.77515


def test_brennan_prediger_and_fleiss_exact_small():
    r = np.array([[0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 0, 1]])
    assert brennan_prediger(r, n_categories=2).value == pytest.approx(1 / 3, abs=1e-12)  # (2/3 - 1/2)/(1/2)
    assert brennan_prediger(r, n_categories=3).value == pytest.approx(0.5, abs=1e-12)  # (2/3 - 1/3)/(2/3)
    assert fleiss_kappa(r, n_categories=2).value == pytest.approx(1 / 3, abs=1e-12)


def test_byrt_bishop_carlin_diagnostics():
    # Byrt et al. (1993) style table: a = 40, b = 9, c = 6, d = 45
    r = _table_to_ratings([[45, 6], [9, 40]])
    out = kappa_paradox_diagnostics(r)
    assert out["prevalence_index"] == pytest.approx(0.05, abs=1e-12)
    assert out["bias_index"] == pytest.approx(0.03, abs=1e-12)
    assert out["pabak"] == pytest.approx(0.70, abs=1e-12)


@pytest.mark.parametrize(
    ("a", "b", "masi", "jaccard"),
    [
        ({1, 2}, {1, 2}, 0.0, 0.0),
        ({1, 2}, {1, 2, 3}, 1 - (2 / 3) * (2 / 3), 1 - 2 / 3),  # subset: M = 2/3
        ({1, 2}, {2, 3}, 1 - (1 / 3) * (1 / 3), 1 - 1 / 3),  # overlap: M = 1/3
        ({1}, {2}, 1.0, 1.0),  # disjoint
        (set(), set(), 0.0, 0.0),  # d(empty, empty) = 0 (AGREEMENT.md)
        (set(), {1}, 1.0, 1.0),
        ({1, 200}, {200}, 1 - 0.5 * (2 / 3), 0.5),  # codes beyond one 64-bit word
    ],
)
def test_passonneau_2006_masi_and_jaccard(a, b, masi, jaccard):  # type: ignore[no-untyped-def]
    assert masi_distance(a, b) == pytest.approx(masi, abs=1e-15)
    assert jaccard_distance(a, b) == pytest.approx(jaccard, abs=1e-15)


def test_set_alpha_exact_small_example():
    sets = [[{0}, {0}], [{0, 1}, {0}], [set(), set()], [{1}, {1}], [{2}, None]]
    r = MultiCodeRatings.from_sets(sets, n_codes=3)
    # pairable values: {0}x3, {0,1}, {}x2, {1}x2 (n = 8); D_o = 2 * 1/2 / 8; sum_{i != j} d = 41 (Jaccard)
    assert set_alpha(r, distance="jaccard").value == pytest.approx(1 - (1 / 8) / (41 / 56), abs=1e-12)
    vals = [frozenset(s) for row in sets[:4] for s in row]
    n = len(vals)
    d_o = Fraction(0)
    for row in sets[:4]:
        d_o += 2 * Fraction(masi_distance(row[0], row[1])).limit_denominator(1000)
    d_e = sum(
        Fraction(masi_distance(x, y)).limit_denominator(1000) for i, x in enumerate(vals)
        for j, y in enumerate(vals) if i != j
    )  # fmt: skip
    expected = 1 - (n - 1) * d_o / d_e
    assert set_alpha(r, distance="masi").value == pytest.approx(float(expected), abs=1e-12)


def test_light_kappa_is_mean_of_pairwise_cohen_exact():
    r = np.array([[0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 0, 1]])
    pair = [cohen_kappa(r[:, [g, h]], n_categories=2).value for g, h in combinations(range(3), 2)]
    assert pair == pytest.approx([0.5, 0.5, 0.2], abs=1e-12)
    assert light_kappa(r, n_categories=2).value == pytest.approx(0.4, abs=1e-12)
    assert conger_kappa(r, n_categories=2).value == pytest.approx(
        float((Fraction(2, 3) - Fraction(11, 24)) / (1 - Fraction(11, 24))), abs=1e-12
    )
