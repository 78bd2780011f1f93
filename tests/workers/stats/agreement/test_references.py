"""Property tests against independent libraries, on random data where their conventions match ours.

Where a library's convention differs, the difference is asserted explicitly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workers.stats import agreement as ag
from workers.stats.agreement import MISSING, MultiCodeRatings

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rating_matrices(draw, *, min_coders=2, max_coders=5, missing=True, min_q=2, max_q=5):  # type: ignore[no-untyped-def]
    q = draw(st.integers(min_q, max_q))
    c = draw(st.integers(min_coders, max_coders))
    u = draw(st.integers(3, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # correlated ratings so coefficients are not all near 0
    truth = rng.integers(0, q, size=u)
    v = np.where(rng.random((u, c)) < 0.6, truth[:, None], rng.integers(0, q, size=(u, c)))
    if missing:
        v[rng.random((u, c)) < 0.25] = MISSING
    return v.astype(np.int64), q


def _kripp_input(v: np.ndarray) -> np.ndarray:
    d = v.T.astype(float)
    d[d < 0] = np.nan
    return d + 1.0


@SETTINGS
@given(rating_matrices(max_coders=6))
def test_alpha_matches_krippendorff_package_all_levels(data):  # type: ignore[no-untyped-def]
    import krippendorff

    v, q = data
    values = np.arange(1, q + 1, dtype=float)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ours = ag.krippendorff_alpha(v, n_categories=q, level=level, values=values)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                ref = krippendorff.alpha(reliability_data=_kripp_input(v), level_of_measurement=level,
                                         value_domain=values)  # fmt: skip
            except ValueError:
                ref = float("nan")  # the package raises when there is one value only
        if ours.value is None:
            # Documented difference: the package returns NaN (D_e = 0) or raises; we return a reason.
            assert ours.reason in (ag.REASON_NO_VARIATION, ag.REASON_NO_PAIRABLE)
            assert np.isnan(ref) or ref == pytest.approx(1.0) or ref == pytest.approx(0.0)
        else:
            assert ours.value == pytest.approx(ref, abs=1e-9)


@SETTINGS
@given(rating_matrices(min_coders=2, max_coders=2, missing=False))
def test_cohen_matches_sklearn_weighted(data):  # type: ignore[no-untyped-def]
    from sklearn.metrics import cohen_kappa_score

    v, q = data
    for w in (None, "linear", "quadratic"):
        ours = ag.cohen_kappa(v, n_categories=q, weights=w)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = cohen_kappa_score(v[:, 0], v[:, 1], labels=list(range(q)), weights=w)
        if ours.value is None:
            # sklearn returns NaN (0/0) when p_e = 1; we say why.
            assert ours.reason == ag.REASON_CHANCE_ONE
            assert np.isnan(ref)
        else:
            assert ours.value == pytest.approx(ref, abs=1e-9)


@SETTINGS
@given(rating_matrices(max_coders=6, missing=False))
def test_fleiss_matches_statsmodels_and_agreement_package(data):  # type: ignore[no-untyped-def]
    from agreement.metrics import scotts_pi
    from statsmodels.stats.inter_rater import fleiss_kappa

    v, q = data
    table = np.stack([(v == k).sum(axis=1) for k in range(q)], axis=1)
    ours = ag.fleiss_kappa(v, n_categories=q)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ref = fleiss_kappa(table)
        ref2 = scotts_pi(table.astype(float))
    if ours.value is None:
        assert ours.reason == ag.REASON_CHANCE_ONE
        assert np.isnan(ref)  # statsmodels: 0/0
    else:
        assert ours.value == pytest.approx(ref, abs=1e-9)
        assert ours.value == pytest.approx(ref2, abs=1e-9)


def _irr(v: np.ndarray, q: int):  # type: ignore[no-untyped-def]
    import pandas as pd
    from irrCAC.raw import CAC

    df = pd.DataFrame(np.where(v < 0, np.nan, v.astype(float)))
    return CAC(df, categories=[float(k) for k in range(q)], digits=12)


@SETTINGS
@given(rating_matrices(max_coders=5, missing=False))
def test_gwet_conger_bp_fleiss_match_irrcac_on_complete_data(data):  # type: ignore[no-untyped-def]
    v, q = data
    if len(np.unique(v)) < 2:
        return  # irrCAC divides by zero; covered by the degenerate tests
    cac = _irr(v, q)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        refs = {
            "gwet_ac1": cac.gwet()["est"]["coefficient_value"],
            "conger_kappa": cac.conger()["est"]["coefficient_value"],
            "brennan_prediger": cac.bp()["est"]["coefficient_value"],
            "fleiss_kappa": cac.fleiss()["est"]["coefficient_value"],
        }
        pa = cac.gwet()["est"]["pa"]
    assert ag.percent_agreement(v, n_categories=q).value == pytest.approx(pa, abs=1e-9)
    for name, ref in refs.items():
        ours = getattr(ag, name)(v, n_categories=q)
        assert ours.value == pytest.approx(ref, abs=1e-9), name


@SETTINGS
@given(rating_matrices(max_coders=5, missing=True))
def test_gwet_and_pa_match_agreement_package_with_missing(data):  # type: ignore[no-untyped-def]
    from agreement.metrics import gwets_gamma, krippendorffs_alpha, observed_agreement, s_score

    v, q = data
    v = v[(v >= 0).sum(axis=1) >= 1]  # the package's count table has no row for an unrated unit
    if not ((v >= 0).sum(axis=1) >= 2).any():
        return
    table = np.stack([(v == k).sum(axis=1) for k in range(q)], axis=1).astype(float)
    pairable = table[table.sum(axis=1) >= 2]
    with np.errstate(all="ignore"):
        assert ag.percent_agreement(v, n_categories=q).value == pytest.approx(
            observed_agreement(pairable), abs=1e-9
        )
        assert ag.gwet_ac1(v, n_categories=q).value == pytest.approx(gwets_gamma(table), abs=1e-9)
        assert ag.brennan_prediger(v, n_categories=q).value == pytest.approx(s_score(pairable), abs=1e-9)
        a = ag.krippendorff_alpha(v, n_categories=q)
        if a.value is not None:
            assert a.value == pytest.approx(krippendorffs_alpha(pairable), abs=1e-9)


@SETTINGS
@given(rating_matrices(max_coders=5, missing=True))
def test_gwet_matches_irrcac_with_single_rated_units(data):  # type: ignore[no-untyped-def]
    v, q = data
    v = np.vstack([v, [[0] + [MISSING] * (v.shape[1] - 1)], [[MISSING] * (v.shape[1] - 1) + [q - 1]]])
    rated = (v >= 0).sum(axis=1)
    assert (rated == 1).sum() >= 2
    if not (rated >= 2).any():
        return
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        est = _irr(v, q).gwet()["est"]
    ours = ag.gwet_ac1(v, n_categories=q)
    assert ag.percent_agreement(v, n_categories=q).value == pytest.approx(est["pa"], abs=1e-9)
    assert ours.value == pytest.approx(est["coefficient_value"], abs=1e-9)


def test_gwet_single_rated_unit_as_irrcac_and_agreement_package():
    from agreement.metrics import gwets_gamma

    v = np.array([[0, 0], [0, 1], [1, 1], [1, MISSING]])
    table = np.stack([(v == k).sum(axis=1) for k in range(2)], axis=1).astype(float)
    # pi_1 over the 4 rated units = (0 + .5 + 1 + 1)/4; p_a over the 3 pairable units = 2/3
    expected = (2 / 3 - 2 * 0.625 * 0.375) / (1 - 2 * 0.625 * 0.375)
    assert ag.gwet_ac1(v, n_categories=2).value == pytest.approx(expected, abs=1e-12)
    assert gwets_gamma(table) == pytest.approx(expected, abs=1e-12)
    assert _irr(v, 2).gwet()["est"]["coefficient_value"] == pytest.approx(expected, abs=1e-9)


@SETTINGS
@given(rating_matrices(max_coders=4, missing=False, min_q=2))
def test_light_pi_and_s_match_nltk(data):  # type: ignore[no-untyped-def]
    from nltk.metrics.agreement import AnnotationTask

    v, q = data
    triples = [(str(g), str(u), int(v[u, g])) for u in range(v.shape[0]) for g in range(v.shape[1])]
    task = AnnotationTask(triples)
    if len(np.unique(v)) < 2:
        return
    light = ag.light_kappa(v, n_categories=q)
    if light.value is not None:
        assert light.value == pytest.approx(task.kappa(), abs=1e-9)
    # nltk's multi-pi is Fleiss' kappa on complete data
    assert ag.fleiss_kappa(v, n_categories=q).value == pytest.approx(task.pi(), abs=1e-9)
    # nltk's S uses the number of *observed* labels; ours uses q from the codebook (AGREEMENT.md)
    q_obs = len(np.unique(v))
    recoded = np.searchsorted(np.unique(v), v)
    assert ag.brennan_prediger(recoded, n_categories=q_obs).value == pytest.approx(task.S(), abs=1e-9)
    if q_obs < q and task.S() != pytest.approx(1.0):
        assert ag.brennan_prediger(v, n_categories=q).value != pytest.approx(task.S(), abs=1e-9)


@st.composite
def multi_code(draw, max_coders=4):  # type: ignore[no-untyped-def]
    c = draw(st.integers(2, max_coders))
    k = draw(st.integers(1, 70))
    u = draw(st.integers(2, 20))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rated = rng.random((u, c)) < 0.8
    n = int(rng.integers(0, u * c * 3 + 1))
    uu, gg, kk = rng.integers(0, u, n), rng.integers(0, c, n), rng.integers(0, min(k, 6), n)
    kk = np.where(rng.random(n) < 0.2, rng.integers(0, k, n), kk)
    ok = rated[uu, gg]
    return MultiCodeRatings(rated, uu[ok], gg[ok], kk[ok], k)


@SETTINGS
@given(multi_code())
def test_set_alpha_matches_nltk_masi_and_jaccard(r):  # type: ignore[no-untyped-def]
    from nltk.metrics.agreement import AnnotationTask

    def safe(dist):  # type: ignore[no-untyped-def]
        # nltk's distances divide by |A u B| = 0 for two empty sets; AGREEMENT.md sets d(empty, empty) = 0
        return lambda a, b: 0.0 if not a and not b else dist(a, b)

    from nltk.metrics.distance import jaccard_distance, masi_distance

    sets: dict[tuple[int, int], set[int]] = {}
    for u, g, k in zip(r.coding_unit, r.coding_coder, r.coding_code, strict=True):
        sets.setdefault((int(u), int(g)), set()).add(int(k))
    triples = [
        (str(g), str(u), frozenset(sets.get((u, g), set())))
        for u in range(r.n_units) for g in range(r.n_coders) if r.rated[u, g]
    ]  # fmt: skip
    for name, dist in (("masi", masi_distance), ("jaccard", jaccard_distance)):
        ours = ag.set_alpha(r, distance=name)
        task = AnnotationTask(triples, distance=safe(dist))
        n_pairable = sum(1 for u in range(r.n_units) if r.rated[u].sum() >= 2)
        labels = {t[2] for t in triples if r.rated[int(t[1])].sum() >= 2}
        if n_pairable == 0 or len(labels) < 2:
            # nltk returns 1.0 for a single label (or raises); we return undefined with a reason
            assert ours.value is None
            continue
        with np.errstate(all="ignore"):
            assert ours.value == pytest.approx(task.alpha(), abs=1e-9), name


@SETTINGS
@given(multi_code(max_coders=4))
def test_per_code_equals_single_label_on_binary_view(r):  # type: ignore[no-untyped-def]
    res = ag.per_code_coefficients(r)
    for k in range(r.n_codes):
        b = r.binary(k)
        for m in ag.MEASURES:
            single = getattr(ag, m)(b, n_categories=2)
            pc = res[m][k]
            assert (single.value is None) == (pc.value is None), (m, k)
            if single.value is not None:
                assert pc.value == pytest.approx(single.value, abs=1e-12)


@SETTINGS
@given(multi_code(max_coders=3))
def test_per_code_alpha_matches_krippendorff_package_loop(r):  # type: ignore[no-untyped-def]
    import krippendorff

    res = ag.per_code_coefficients(r, measures=["krippendorff_alpha"])["krippendorff_alpha"]
    for k in range(r.n_codes):
        b = r.binary(k)
        if res[k].value is None:
            continue
        ref = krippendorff.alpha(reliability_data=_kripp_input(b) - 1, level_of_measurement="nominal",
                                 value_domain=[0.0, 1.0])  # fmt: skip
        assert res[k].value == pytest.approx(ref, abs=1e-9)


@SETTINGS
@given(rating_matrices(max_coders=6))
def test_from_counts_equals_from_ratings(data):  # type: ignore[no-untyped-def]
    v, q = data
    cm = np.stack([(v == k).sum(axis=1) for k in range(q)], axis=1)
    for level in ("nominal", "ordinal", "interval"):
        a = ag.krippendorff_alpha(v, n_categories=q, level=level)
        b = ag.krippendorff_alpha_from_counts(cm, level=level)
        assert (a.value is None) == (b.value is None)
        if a.value is not None:
            assert b.value == pytest.approx(a.value, abs=1e-12)
        assert (a.n_pairable_units, a.n_pairable_values) == (b.n_pairable_units, b.n_pairable_values)
    f, g = ag.fleiss_kappa(v, n_categories=q), ag.fleiss_kappa_from_counts(cm)
    assert (f.value is None) == (g.value is None)
    if f.value is not None:
        assert g.value == pytest.approx(f.value, abs=1e-12)


@SETTINGS
@given(multi_code(max_coders=4))
def test_per_code_gwet_matches_irrcac_with_single_rated_units(r):  # type: ignore[no-untyped-def]
    rated = r.rated.copy()
    rated[0] = False
    rated[0, 0] = True  # unit 0 rated by one coder only
    keep = rated[r.coding_unit, r.coding_coder]
    r1 = MultiCodeRatings(rated, r.coding_unit[keep], r.coding_coder[keep], r.coding_code[keep], r.n_codes)
    res = ag.per_code_coefficients(r1, measures=["gwet_ac1"])["gwet_ac1"]
    for k in range(r1.n_codes):
        b = r1.binary(k)
        if not ((b >= 0).sum(axis=1) >= 2).any():
            assert res[k].value is None
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ref = _irr(b, 2).gwet()["est"]["coefficient_value"]
        assert res[k].value == pytest.approx(ref, abs=1e-9), k
