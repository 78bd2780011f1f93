"""Degenerate data, conventions, error messages, the report's contract, and the no-Django rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from workers.stats import agreement as ag
from workers.stats.agreement import MISSING, MultiCodeRatings

ROOT = Path(__file__).resolve().parents[4]
ALL = ag.MEASURES


def _all(v, q):  # type: ignore[no-untyped-def]
    return {m: getattr(ag, m)(v, n_categories=q) for m in ALL}


def test_perfect_agreement_is_one_when_defined():
    v = np.array([[0, 0], [1, 1], [2, 2], [1, 1]])
    res = _all(v, 3)
    for m in ALL:
        assert res[m].value == pytest.approx(1.0), m
        assert res[m].reason is None


def test_total_disagreement_two_categories():
    v = np.array([[0, 1], [1, 0], [0, 1], [1, 0]])
    res = _all(v, 2)
    assert res["percent_agreement"].value == 0.0
    assert res["cohen_kappa"].value == pytest.approx(-1.0)
    assert res["brennan_prediger"].value == pytest.approx(-1.0)
    # alpha = 1 - (n - 1) * 8 / (2 * 4 * 4) with n = 8 pairable values
    assert res["krippendorff_alpha"].value == pytest.approx(1 - 7 * 8 / 32)


def test_one_category_only_is_undefined_with_reason_never_one_or_zero():
    v = np.zeros((5, 3), dtype=np.int64)
    res = _all(v, 1)
    assert res["percent_agreement"].value == 1.0  # stays defined
    assert res["krippendorff_alpha"].value is None
    assert res["krippendorff_alpha"].reason == (
        "expected disagreement is 0: fewer than two distinct values among the pairable ratings"
    )
    for m in ("fleiss_kappa", "conger_kappa"):
        assert res[m].value is None
        assert res[m].reason == "chance agreement is 1: every rating is the same category"
    assert res["light_kappa"].reason == "Cohen's kappa is undefined for at least one coder pair"
    for m in ("gwet_ac1", "brennan_prediger"):
        assert res[m].value is None
        assert res[m].reason == "the codebook has a single category (q = 1)"
    for m in ("cohen_kappa", "scott_pi", "holsti"):
        assert res[m].reason == "needs exactly two coders, got 3"
    # with q = 3 in the codebook but one category used: kappa/alpha undefined, AC1 and BP defined
    res3 = _all(v, 3)
    assert res3["fleiss_kappa"].value is None
    assert res3["krippendorff_alpha"].value is None
    assert res3["gwet_ac1"].value == pytest.approx(1.0)
    assert res3["brennan_prediger"].value == pytest.approx(1.0)


def test_unused_categories_change_only_q_based_measures():
    v = np.array([[0, 0], [0, 1], [1, 1], [1, 1], [0, 0]])
    r2, r5 = _all(v, 2), _all(v, 5)
    for m in ("percent_agreement", "cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha"):
        assert r2[m].value == pytest.approx(r5[m].value), m
    assert r2["brennan_prediger"].value == pytest.approx((0.8 - 0.5) / 0.5)
    assert r5["brennan_prediger"].value == pytest.approx((0.8 - 0.2) / 0.8)
    assert r2["gwet_ac1"].value != pytest.approx(r5["gwet_ac1"].value)


def test_one_coder_has_no_pairable_units():
    res = _all(np.array([[0], [1], [1]]), 2)
    for m in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "conger_kappa"):
        assert res[m].value is None
        assert res[m].reason == "no pairable units: no unit was rated by at least two coders"
    assert res["krippendorff_alpha"].n_units == 3
    assert res["krippendorff_alpha"].n_pairable_units == 0


def test_single_rated_units_are_dropped_not_counted_as_agreement_except_in_gwet_pi():
    v = np.array([[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]])
    extra = np.vstack([v, [[1, MISSING], [MISSING, 0], [MISSING, MISSING]]])
    for m in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        a, b = getattr(ag, m)(v, n_categories=2), getattr(ag, m)(extra, n_categories=2)
        assert a.value == pytest.approx(b.value), m
    # ... except in Gwet's pi_k, which averages over every rated unit (the unrated one stays out):
    # p_a = 3/5 over the pairable units; pi_0 = (1 + .5 + 0 + .5 + 1 + 0 + 1) / 7 = 4/7
    pe = 2 * (4 / 7) * (3 / 7)
    assert ag.gwet_ac1(extra, n_categories=2).value == pytest.approx((3 / 5 - pe) / (1 - pe), abs=1e-12)
    assert ag.gwet_ac1(extra, n_categories=2).value == pytest.approx(27 / 125, abs=1e-12)
    alpha = ag.krippendorff_alpha(extra, n_categories=2)
    assert (alpha.n_units, alpha.n_pairable_units, alpha.n_coders, alpha.n_pairable_values) == (7, 5, 2, 10)


def test_cohen_needs_two_coders_and_light_skips_pairs_without_common_units():
    v = np.array([[0, 0, MISSING], [1, 1, MISSING], [MISSING, MISSING, 0]])
    assert ag.cohen_kappa(v, n_categories=2).reason == "needs exactly two coders, got 3"
    assert ag.light_kappa(v, n_categories=2).value == pytest.approx(1.0)  # only pair (0, 1) shares units


@pytest.mark.parametrize(
    ("ratings", "q", "message"),
    [
        (np.array([0, 1]), 2, "ratings must be a 2-D array (units x coders), got 1 dimension(s)"),
        (np.array([[0.0, 1.0]]), 2, "ratings must be integer-coded categories, got dtype float64"),
        (
            np.array([[0, 2]]),
            2,
            "ratings must hold category indices 0..1 or MISSING (-1); found values in [0, 2]",
        ),
        (np.array([[0, 1]]), 0, "n_categories must be at least 1, got 0"),
    ],
)
def test_input_errors(ratings, q, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=f"^{__import__('re').escape(message)}$"):
        ag.krippendorff_alpha(ratings, n_categories=q)


def test_other_errors():
    v = np.array([[0, 1], [1, 1]])
    with pytest.raises(ValueError, match=r"^weights must be None, 'linear' or 'quadratic', got 'cubic'$"):
        ag.cohen_kappa(v, n_categories=2, weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=r"^level must be 'nominal', 'ordinal', 'interval' or 'ratio', got 'x'$"
    ):
        ag.krippendorff_alpha(v, n_categories=2, level="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^values must hold one number per category \(2\), got \(3,\)$"):
        ag.krippendorff_alpha(v, n_categories=2, values=[1, 2, 3])
    with pytest.raises(ValueError, match=r"^unknown measure 'kappa'; expected one of percent_agreement, "):
        ag.single_label_report(v, n_categories=2, measures=["kappa"])
    with pytest.raises(ValueError, match=r"^coding 0 \(unit 0, coder 1\) belongs to a unit that coder did not rate; "
                                         r"a missing rating carries no codes$"):  # fmt: skip
        MultiCodeRatings(np.array([[True, False]]), np.array([0]), np.array([1]), np.array([0]), 1)
    with pytest.raises(ValueError, match=r"^coding_code must lie in 0\.\.1$"):
        MultiCodeRatings(np.array([[True, True]]), np.array([0]), np.array([1]), np.array([2]), 2)
    r = MultiCodeRatings.from_sets([[{0}, {0}]], n_codes=1)
    with pytest.raises(ValueError, match=r"^code_labels has 2 labels for 1 codes$"):
        ag.agreement_report(r, code_labels=["a", "b"], coder_labels=["x", "y"], n_bootstrap=0)
    with pytest.raises(ValueError, match=r"^distance must be 'masi' or 'jaccard', got 'dice'$"):
        ag.set_alpha(r, distance="dice")  # type: ignore[arg-type]


def test_per_code_reasons_never_used_and_everywhere():
    sets = [[{0, 1}, {0}], [{0}, {0, 1}], [{0}, {0}], [{3}, None]]
    r = MultiCodeRatings.from_sets(sets, n_codes=4)
    res = ag.per_code_coefficients(r, measures=["krippendorff_alpha", "fleiss_kappa", "percent_agreement"])
    alpha = [c.reason for c in res["krippendorff_alpha"]]
    assert alpha == [
        "code used on every unit", None, "code never used", "code never used on a pairable unit",
    ]  # fmt: skip
    assert next(c.reason for c in res["fleiss_kappa"]) == "code used on every unit"
    assert res["percent_agreement"][0].value == 1.0  # percent agreement stays defined


def test_empty_sets_are_ratings_and_missing_is_not():
    # both coders say "nothing applies" on two units and agree on {0} on one: perfect set agreement
    r = MultiCodeRatings.from_sets([[set(), set()], [set(), set()], [{0}, {0}], [{0}, None]], n_codes=1)
    a = ag.set_alpha(r, distance="masi")
    assert a.value == pytest.approx(1.0)
    assert (a.n_units, a.n_pairable_units, a.n_pairable_values) == (4, 3, 6)
    # a missing rating is not an empty set: turning it into one adds disagreement
    r2 = MultiCodeRatings.from_sets([[set(), set()], [set(), set()], [{0}, {0}], [{0}, set()]], n_codes=1)
    assert ag.set_alpha(r2, distance="masi").value < 1.0


def _report_data() -> MultiCodeRatings:
    rng = np.random.default_rng(3)
    u, c, k = 60, 3, 6
    rated = rng.random((u, c)) < 0.9
    truth = rng.integers(0, k, size=u)
    cu, cc, ck = [], [], []
    for uu in range(u):
        for g in range(c):
            if rated[uu, g] and rng.random() < 0.8:
                cu.append(uu)
                cc.append(g)
                ck.append(truth[uu] if rng.random() < 0.8 else rng.integers(0, k))
    return MultiCodeRatings(rated, np.array(cu), np.array(cc), np.array(ck), k)


def test_report_is_json_with_unicode_labels_seed_and_counts():
    r = _report_data()
    labels = ["Freude 😀", "恐怖", "1", "01", "1.0", "ünïcødé"]
    rep = ag.agreement_report(
        r, code_labels=labels, coder_labels=["Ана", "Bø", "李"], n_bootstrap=200, seed=42
    )
    text = json.dumps(rep, allow_nan=False, ensure_ascii=False)
    back = json.loads(text)
    assert back["seed"] == 42
    assert back["parameters"]["seed"] == 42
    assert back["parameters"]["n_bootstrap"] == 200
    assert [p["code"] for p in back["per_code"]] == labels  # opaque labels, "1" != "01" != "1.0"
    assert back["pairwise"]["coders"] == ["Ана", "Bø", "李"]
    assert back["counts"]["n_coders"] == 3
    assert back["counts"]["n_codes"] == 6
    entry = back["per_code"][0]
    assert set(entry["measures"]) == set(ag.MEASURES)
    assert set(entry["diagnostics"]) == {"prevalence_index", "bias_index", "pabak"}
    alpha = entry["measures"]["krippendorff_alpha"]
    assert set(alpha["p_below"]) == {"0.667", "0.8"}
    assert alpha["ci"]["n_resamples"] == 200
    assert alpha["ci"]["low"] <= alpha["value"] <= alpha["ci"]["high"]
    assert entry["measures"]["cohen_kappa"] == {
        "value": None, "reason": "needs exactly two coders, got 3", "ci": None,
    }  # fmt: skip
    # per-code values equal the single-label functions on the binary view
    for k in range(6):
        exp = ag.light_kappa(r.binary(k), n_categories=2).value
        assert back["per_code"][k]["measures"]["light_kappa"]["value"] == pytest.approx(exp)
    # pairwise matrices: symmetric, None on the diagonal, equal to two-coder computations
    m = back["per_code"][0]["pairwise"]["cohen_kappa"]
    assert m[0][0] is None
    assert m[0][1] == m[1][0]
    assert m[0][1] == pytest.approx(ag.cohen_kappa(r.binary(0)[:, [0, 1]], n_categories=2).value)
    am = back["pairwise"]["alpha_masi"]
    sub = MultiCodeRatings(r.rated[:, [0, 2]], r.coding_unit[r.coding_coder != 1],
                           np.where(r.coding_coder[r.coding_coder != 1] == 2, 1, 0),
                           r.coding_code[r.coding_coder != 1], 6)  # fmt: skip
    assert am[0][2] == pytest.approx(ag.set_alpha(sub, distance="masi").value)
    assert back["overall"]["alpha_masi"]["value"] == pytest.approx(ag.set_alpha(r, distance="masi").value)
    coder = back["coders"][1]
    keep = r.coding_coder != 1
    loo = MultiCodeRatings(r.rated[:, [0, 2]], r.coding_unit[keep], np.where(r.coding_coder[keep] == 2, 1, 0),
                           r.coding_code[keep], 6)  # fmt: skip
    assert coder["alpha_masi_without_coder"] == pytest.approx(ag.set_alpha(loo, distance="masi").value)


def test_bootstrap_is_seeded_reproducible_and_seed_is_stored():
    r = _report_data()
    kw = {"code_labels": list("abcdef"), "coder_labels": list("xyz"), "n_bootstrap": 100}
    a = ag.agreement_report(r, seed=7, **kw)
    b = ag.agreement_report(r, seed=7, **kw)
    c = ag.agreement_report(r, seed=8, **kw)
    assert a == b
    assert (
        a["per_code"][0]["measures"]["fleiss_kappa"]["ci"]
        != c["per_code"][0]["measures"]["fleiss_kappa"]["ci"]
    )
    d = ag.agreement_report(r, seed=None, **kw)
    assert isinstance(d["seed"], int)
    assert ag.agreement_report(r, seed=d["seed"], **kw) == d


def test_single_label_bootstrap_percentile_matches_naive_resampling():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 40)
    v = np.where(rng.random((40, 3)) < 0.7, truth[:, None], rng.integers(0, 3, (40, 3)))
    rep = ag.single_label_report(v, n_categories=3, n_bootstrap=300, seed=11, measures=["fleiss_kappa"])
    # naive: the same multinomial draws, one function call per resample
    gen = np.random.default_rng(11)
    vals = []
    for _ in range(300):
        idx = gen.integers(0, 40, size=40, dtype=np.int32)
        vals.append(ag.fleiss_kappa(v[idx], n_categories=3).value)
    lo, hi = np.quantile(vals, [0.025, 0.975])
    ci = rep["measures"]["fleiss_kappa"]["ci"]
    assert ci["low"] == pytest.approx(lo, abs=1e-12)
    assert ci["high"] == pytest.approx(hi, abs=1e-12)


def test_alpha_bootstrap_keeps_expected_disagreement_fixed():
    v = np.array([[0, 0], [1, 1], [0, 1], [1, 1], [0, 0], [1, 0], [1, 1], [0, 0]])
    rep = ag.single_label_report(v, n_categories=2, n_bootstrap=200, seed=5, measures=["krippendorff_alpha"])
    gen = np.random.default_rng(5)
    point = ag.krippendorff_alpha(v, n_categories=2)
    # D_e of the full data: 2 * n0 * n1 / (n (n - 1)) with n0 = n1 = 8, n = 16
    d_e = 2 * 8 * 8 / (16 * 15)
    vals = []
    for _ in range(200):
        s = v[gen.integers(0, 8, size=8, dtype=np.int32)]
        d_o = (s[:, 0] != s[:, 1]).sum() * 2 / 16  # two coders: o_01 + o_10 = 2 per disagreeing unit
        vals.append(1 - d_o / d_e)
    out = rep["measures"]["krippendorff_alpha"]
    assert out["value"] == pytest.approx(point.value)
    assert out["p_below"]["0.8"] == pytest.approx(np.mean(np.array(vals) < 0.8))
    assert out["p_below"]["0.667"] == pytest.approx(np.mean(np.array(vals) < 0.667))


def test_undefined_point_estimate_has_no_interval():
    rep = ag.single_label_report(np.zeros((6, 2), dtype=np.int64), n_categories=2, n_bootstrap=50, seed=1)
    alpha = rep["measures"]["krippendorff_alpha"]
    assert alpha["value"] is None
    assert alpha["ci"] is None
    assert alpha["p_below"] == {"0.667": None, "0.8": None}


def test_stats_package_imports_no_django_or_celery():
    code = (
        "import sys, workers.stats.agreement; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'celery', 'rest_framework')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})


def test_benchmark_quick_runs_and_checks_against_reference():
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "agreement.py"), "--quick"],
        check=True, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
    assert [x["workload"] for x in lines] == [
        "alpha nominal 1M units x 3 coders", "alpha nominal 100k units x 20 coders",
        "fleiss 1M units x 3 coders", "per-code alpha 50 codes x 100k x 3", "full report 100k x 3 x 50 codes",
        "set alpha MASI 100k x 3 dense",
    ]  # fmt: skip


def test_fleiss_complete_data_fast_path_equals_the_general_path():
    """The two-pass complete-data Fleiss must agree with the missing-data (Gwet) path it replaces."""
    from workers.stats.agreement import _from_counts, fleiss_kappa_from_counts

    rng = np.random.default_rng(20261126)
    for _ in range(300):
        n_units, n_coders, q = int(rng.integers(1, 40)), int(rng.integers(2, 7)), int(rng.integers(1, 6))
        ratings = rng.integers(0, q, (n_units, n_coders))
        counts = np.stack([(ratings == k).sum(axis=1) for k in range(q)], axis=1)
        fast, general = fleiss_kappa_from_counts(counts), _from_counts("fleiss_kappa", counts)
        assert fast.reason == general.reason
        assert (fast.n_units, fast.n_pairable_units, fast.n_coders, fast.n_pairable_values) == (
            general.n_units,
            general.n_pairable_units,
            general.n_coders,
            general.n_pairable_values,
        )
        if general.value is None:
            assert fast.value is None
        else:
            assert fast.value == pytest.approx(general.value, abs=1e-12)


def test_set_alpha_with_no_pairable_unit_is_undefined_not_an_error():
    """Found by hypothesis: two units rated by one coder only (a MultiCodeRatings with nothing pairable)."""
    r = MultiCodeRatings(
        np.array([[True, False], [True, False]]), np.array([0]), np.array([0]), np.array([0]), 1
    )
    for distance in ("masi", "jaccard"):
        result = ag.set_alpha(r, distance=distance)
        assert result.value is None
        assert result.reason == ag.REASON_NO_PAIRABLE
