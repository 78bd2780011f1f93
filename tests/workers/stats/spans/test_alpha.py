"""Unitizing alphas: published worked examples, the literal definitions on random data, degenerate data."""

import numpy as np
import pytest

from tests.workers.stats.spans import brute
from workers.stats.spans import SpanDataError, boundary, code_point_offsets, span_agreement_report, span_data
from workers.stats.spans.boundary import boundary_alpha_from_sums, boundary_statistics
from workers.stats.spans.coincidence import coincidence_sums, family_from_sums


def _boundary(data):
    st = boundary_statistics(data)
    d_o, alpha = boundary_alpha_from_sums(st["do_num"].sum(0), st["length"] ** 2, data.n_coders, st["de"])
    return d_o, st["de"], alpha


def _family(data):
    return family_from_sums({k: v.sum(0) for k, v in coincidence_sums(data).items()})


# Krippendorff (2004), Content Analysis, 2nd ed., p. 254 (the figure of two observers i, j on a continuum
# from 150 to 450, codes c and k); values as printed there and reproduced in DKPro Statistics'
# Krippendorff2004Test: c: uDo = .0144, uDe = .0532, uα = .7286; k: uDo = 0, uDe = .0490, uα = 1.
KRIPP_2004 = [
    (0, 0, 225, 70), (0, 0, 370, 30), (1, 0, 220, 80), (1, 0, 355, 20), (1, 0, 400, 20),
    (0, 1, 180, 60), (0, 1, 300, 50), (1, 1, 180, 60), (1, 1, 300, 50),
]  # fmt: skip


def _kripp_2004():
    spans = [(0, coder, code, b - 150, b - 150 + length) for coder, code, b, length in KRIPP_2004]
    return span_data([300], spans, n_coders=2, n_codes=2)


def test_krippendorff_2004_worked_example():
    d_o, d_e, alpha = _boundary(_kripp_2004())
    assert d_o.round(4).tolist() == [0.0144, 0.0]
    assert d_e.round(4).tolist() == [0.0532, 0.0490]
    assert alpha.round(4).tolist() == [0.7286, 1.0]
    # The book's overall .8591 is 1 - .0144 / (.0532 + .0490) from the rounded figures; unrounded, .8587.
    overall = span_agreement_report(_kripp_2004(), n_resamples=0)["overall"]["boundary_u_alpha"]
    assert round(overall["value"], 3) == 0.859
    assert round(1 - 0.0144 / (0.0532 + 0.0490), 4) == 0.8591


# Krippendorff (1995), "On the reliability of unitizing contiguous data", Sociological Methodology 25:
# 47-76, p. 57: four pairs of observers (A-D) on a continuum of 24; printed uDo (A .03125, B 2.26736,
# C .02777, D .38715) and, for a fine continuum, uα (A .553, B -.926, C .679, D .066). Layout as in DKPro
# Statistics' Krippendorff1995Test (offset, length, observer, pair).
KRIPP_1995 = [
    (2, 8, 0, 0), (14, 6, 0, 0), (4, 4, 1, 0), (15, 2, 1, 0),
    (0, 18, 0, 1), (0, 2, 1, 1), (2, 1, 1, 1), (3, 1, 1, 1), (4, 1, 1, 1), (5, 1, 1, 1), (6, 3, 1, 1),
    (9, 1, 1, 1),
    (2, 6, 0, 2), (10, 2, 0, 2), (14, 4, 0, 2), (20, 2, 0, 2), (0, 2, 1, 2), (4, 4, 1, 2), (10, 4, 1, 2),
    (16, 2, 1, 2), (20, 2, 1, 2),
    (0, 2, 0, 3), (2, 8, 0, 3), (10, 4, 0, 3), (14, 6, 0, 3), (20, 4, 0, 3), (0, 4, 1, 3), (4, 4, 1, 3),
    (8, 7, 1, 3), (15, 2, 1, 3), (17, 7, 1, 3),
]  # fmt: skip


def _kripp_1995(stretch):
    spans = [(0, c, k, o * stretch, (o + n) * stretch) for o, n, c, k in KRIPP_1995]
    return span_data([24 * stretch], spans, n_coders=2, n_codes=4)


def test_krippendorff_1995_observed_disagreements():
    d_o, _, _ = _boundary(_kripp_1995(1))
    assert d_o.round(5).tolist() == [0.03125, 2.26736, 0.02778, 0.38715]  # C printed truncated: .02777


def test_krippendorff_1995_alphas_on_a_fine_continuum():
    """A and D agree with the printed values to three places; B and C differ because the expected
    disagreement printed in 1995 has a sign error that Krippendorff (2004) corrected (DKPro Statistics
    notes the same and tests B and C only to +-.02)."""
    _, d_e, alpha = _boundary(_kripp_1995(50_000))
    assert alpha[0].round(3) == 0.553
    assert alpha[3].round(3) == 0.066
    assert abs(alpha[1] - (-0.926)) < 0.005
    assert abs(alpha[2] - 0.679) < 0.02
    assert d_e.round(4).tolist()[0] == 0.0699


# Krippendorff (2019), Content Analysis, 4th ed., §12.6, Figure 12.11 (p. 340): observers Alex, Paul and
# Suzan unitize a continuum of 60 with values 1-7; printed uα = .510, |uα = .413, cu-α = .724. The book
# restates the 2016 family (Krippendorff, Mathet, Bouvry & Widlöcher) with a worked example of three
# observers. Data and printed values as transcribed in the R package quallmer's tests
# (tests/testthat/test-alpha_u.R, "book example"); positions there are 1-based and inclusive:
# (observer, value, first, last).
KRIPP_2019 = [
    (0, 1, 1, 7), (0, 2, 8, 13), (0, 5, 31, 32), (0, 6, 33, 37), (0, 6, 38, 44), (0, 7, 45, 60),
    (1, 1, 1, 7), (1, 3, 8, 13), (1, 5, 14, 21), (1, 6, 33, 44),
    (2, 1, 1, 7), (2, 4, 8, 13), (2, 5, 14, 21), (2, 6, 33, 37), (2, 6, 38, 41), (2, 6, 42, 44),
]  # fmt: skip


def _kripp_2019():
    # Values 1-7 become codes 0-6. Touching units of one value stay separate units, as transcribed: merged,
    # uα would be .513, not the printed .510.
    spans = [(0, obs, value - 1, first - 1, last) for obs, value, first, last in KRIPP_2019]
    return span_data([60], spans, n_coders=3, n_codes=7)


def test_krippendorff_2019_three_observer_example():
    """uα and cu-α reproduce the printed .510 and .724 to their three places (cu-α with the reading of
    docs/methods/AGREEMENT.md §6.3). |uα is .4136, .0006 above the printed .413. The expected coincidence of
    gap and valued text is 44.34; rounded to 44.3 it gives .4131, so the book may have computed from rounded
    figures, as the 2004 edition did for .8591 (we could not check the page; §6.2). The (k)uα checks are
    quallmer's own expectations for this example, not printed values: values 1, 5 and 6 agree wherever they
    are pairable, 2, 3 and 4 (Alex, Paul and Suzan each give [8, 13] a different value) not at all, and 7 is
    never pairable."""
    report = span_agreement_report(_kripp_2019(), n_resamples=0)
    overall = report["overall"]
    assert round(overall["u_alpha"]["value"], 3) == 0.510
    assert round(overall["cu_alpha"]["value"], 3) == 0.724
    binary = overall["binary_u_alpha"]["value"]
    # l_∅. = 71 and l_v. = 109 of l.. = 180, observed disagreement 26 each way, S = 911 + 71.
    e_gap_valued = 71 * 109 / (180 - (911 + 71) / 180)
    assert binary == pytest.approx(1 - 26 / e_gap_valued)
    assert round(1 - 26 / round(e_gap_valued, 1), 3) == 0.413
    k_alpha = [c["k_u_alpha"]["value"] for c in report["per_code"]]
    assert k_alpha[:6] == pytest.approx([1, 0, 0, 0, 1, 1], abs=1e-12)
    assert k_alpha[6] is None


def test_krippendorff_2019_example_separates_the_three_cu_readings():
    """Only the square of each unit's mean overlap gives the printed cu-α = .724 for three observers: the
    mean of squared overlaps per coder pair gives .726 and the square of the overlap with the union .728.
    They differ only on value 5, which Paul and Suzan mark on [14, 21] where Alex has a gap."""
    data = _kripp_2019()
    sums = {k: v.sum(0) for k, v in coincidence_sums(data).items()}
    assert sums["corr_star"].tolist() == [147, 36, 36, 36, 4**2 + 4**2, 268, 0]
    readings = {"mean overlap": 32, "mean of squares": (8**2 + 8**2) / 2, "union": 8**2 + 8**2}
    cu = {}
    for name, c5 in readings.items():
        corr = sums["corr_star"].copy()
        corr[4] = c5
        cu[name] = round(float(family_from_sums({**sums, "corr_star": corr})["cu_alpha"]), 3)
    assert cu == {"mean overlap": 0.724, "mean of squares": 0.726, "union": 0.728}


def _random_coders(rng, m, q, length):
    coders = []
    for _ in range(m):
        spans = []
        for c in range(q):
            x = 0
            while True:
                x += int(rng.integers(0, 8))
                n = int(rng.integers(1, 7))
                if x + n > length:
                    break
                if rng.random() < 0.7:
                    spans.append((x, x + n, c))
                x += n
        coders.append(spans)
    return coders


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("histogram", [True, False], ids=["gap-histogram", "sorted-gaps"])
def test_engine_equals_the_literal_definitions(seed, histogram, monkeypatch):
    # Both ways of the boundary expected disagreement: the histogram of gap lengths and the sorted gaps.
    if not histogram:
        monkeypatch.setattr(boundary, "HISTOGRAM_SPARE_BINS", -(10**9))
    rng = np.random.default_rng(seed)
    m, q, length = int(rng.integers(2, 5)), int(rng.integers(2, 4)), int(rng.integers(5, 30))
    coders = _random_coders(rng, m, q, length)
    data = span_data(
        [length], [(0, i, c, s, e) for i, sp in enumerate(coders) for s, e, c in sp], n_coders=m, n_codes=q
    )
    fam = _family(data)
    lmat, sq, row_star, corr = brute.coincidences(coders, length, q)
    assert fam["u_alpha"] == pytest.approx(brute.u_alpha(lmat, sq), abs=1e-9)
    if row_star.sum() > 0 and np.isfinite(fam["cu_alpha"]):
        assert fam["cu_alpha"] == pytest.approx(brute.cu_alpha(lmat, row_star, corr), abs=1e-9)
    d_o, d_e, _ = _boundary(data)
    ref = [brute.boundary_do_de(coders, length, c) for c in range(q)]
    assert d_o == pytest.approx([r[0] for r in ref], abs=1e-12)
    assert d_e == pytest.approx([r[1] for r in ref], abs=1e-12)


def test_documents_pool_like_one_continuum_for_the_coincidence_family():
    rng = np.random.default_rng(3)
    a, b = _random_coders(rng, 3, 2, 20), _random_coders(rng, 3, 2, 25)
    two = span_data(
        [20, 25],
        [(0, i, c, s, e) for i, sp in enumerate(a) for s, e, c in sp]
        + [(1, i, c, s, e) for i, sp in enumerate(b) for s, e, c in sp],
        n_coders=3,
        n_codes=2,
    )
    joined = span_data(
        [45],
        [(0, i, c, s, e) for i, sp in enumerate(a) for s, e, c in sp]
        + [(0, i, c, s + 20, e + 20) for i, sp in enumerate(b) for s, e, c in sp],
        n_coders=3,
        n_codes=2,
    )
    f2, f1 = _family(two), _family(joined)
    assert f2["u_alpha"] == pytest.approx(f1["u_alpha"])
    assert f2["cu_alpha"] == pytest.approx(f1["cu_alpha"], nan_ok=True)


def test_three_coder_reading_of_the_cu_correction():
    """C_c squares each unit's mean overlap with the other coders' spans. With two coders that equals the
    union and the mean-of-squares readings; with three it does not (docs/methods/AGREEMENT.md §6.3)."""
    two = span_data([30], [(0, 0, 0, 0, 10), (0, 1, 0, 5, 15), (0, 1, 1, 15, 25), (0, 0, 1, 12, 20)],
                    n_coders=2, n_codes=2)  # fmt: skip
    s = {k: v.sum(0) for k, v in coincidence_sums(two).items()}
    # Overlaps with the other coder's spans: [0,10) 5, [5,15) 5 + 3, [12,20) 3 + 5, [15,25) 5.
    assert s["corr_star"].tolist() == [5**2 + 8**2, 8**2 + 5**2]
    three = span_data([30], [(0, 0, 0, 0, 10), (0, 1, 0, 0, 4), (0, 2, 0, 6, 10)], n_coders=3, n_codes=1)
    s3 = {k: v.sum(0) for k, v in coincidence_sums(three).items()}
    # [0,10) overlaps 4 and 4; [0,4) overlaps 4 and 0; [6,10) overlaps 4 and 0. Mean overlaps 4, 2, 2:
    # 4**2 + 2**2 + 2**2 = 24; the union reading would give 8**2 + 4**2 + 4**2 = 96 and the mean of
    # squares (16 + 16) / 2 + (16 + 0) / 2 + (16 + 0) / 2 = 32.
    assert s3["corr_star"].tolist() == [24.0]


def test_identical_spans_agree_perfectly():
    spans = [(0, i, c, s, e) for i in range(3) for c, s, e in [(0, 0, 4), (1, 6, 9), (0, 12, 20)]]
    r = span_agreement_report(span_data([20], spans, n_coders=3, n_codes=2), n_resamples=50, seed=1)
    for name in ("u_alpha", "binary_u_alpha", "cu_alpha", "boundary_u_alpha"):
        assert r["overall"][name]["value"] == pytest.approx(1.0), name
    assert r["overall"]["u_alpha"]["counts"]["units_per_coder"] == [3, 3, 3]
    assert r["overall"]["u_alpha"]["counts"]["coded_share"] == pytest.approx(15 / 20)


def test_no_spans_is_undefined_not_zero():
    r = span_agreement_report(span_data([40, 10], [], n_coders=2, n_codes=3), n_resamples=20, seed=1)
    for name, coef in r["overall"].items():
        assert coef["value"] is None, name
        assert coef["reason"], name
    assert r["per_code"][0]["binary_u_alpha"]["reason"] == "code never used"


def test_one_coder_is_undefined():
    r = span_agreement_report(span_data([10], [(0, 0, 0, 1, 3)], n_coders=1, n_codes=1), n_resamples=0)
    assert r["overall"]["u_alpha"]["value"] is None
    assert r["overall"]["u_alpha"]["reason"] == "needs at least two coders, got 1"


def test_spans_at_the_very_start_and_end():
    spans = [(0, 0, 0, 0, 3), (0, 1, 0, 0, 3), (0, 0, 0, 7, 10), (0, 1, 0, 8, 10)]
    data = span_data([10], spans, n_coders=2, n_codes=1)
    coders = [[(0, 3, 0), (7, 10, 0)], [(0, 3, 0), (8, 10, 0)]]
    d_o, d_e, _ = _boundary(data)
    assert (d_o[0], d_e[0]) == pytest.approx(brute.boundary_do_de(coders, 10, 0))
    lmat, sq, _, _ = brute.coincidences(coders, 10, 1)
    assert _family(data)["u_alpha"] == pytest.approx(brute.u_alpha(lmat, sq))


def test_offsets_are_code_points_with_combining_marks_and_astral_characters():
    text = "cafe\u0301 \U0001f600 ok"  # é as e + combining acute; an emoji outside the BMP
    assert len(text) == 10
    start, end = code_point_offsets(text, [0, 5 + 1 + 2])  # UTF-16: the emoji is two units
    assert (start, end) == (0, 7)
    assert text[start:end] == "cafe\u0301 \U0001f600"
    data = span_data([len(text)], [(0, 0, 0, start, end), (0, 1, 0, 0, 4)], n_coders=2, n_codes=1)
    r = span_agreement_report(data, n_resamples=0)
    assert r["overall"]["u_alpha"]["counts"]["continuum_length"] == 10
    with pytest.raises(SpanDataError, match="surrogate"):
        code_point_offsets(text, [7])


def test_overlapping_spans_of_one_coder_and_code_are_refused():
    with pytest.raises(SpanDataError, match=r"coder 1 marked overlapping spans \[2, 6\) and \[5, 9\)"):
        span_data([20], [(0, 1, 0, 2, 6), (0, 1, 0, 5, 9)], n_coders=2, n_codes=1)
    span_data(
        [20], [(0, 1, 0, 2, 6), (0, 1, 0, 6, 9), (0, 1, 1, 5, 9)], n_coders=2, n_codes=2
    )  # touch, other code


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ((0, 0, 0, 3, 3), "empty or outside"),
        ((0, 0, 0, 5, 11), "empty or outside"),
        ((0, 2, 0, 1, 2), "coder"),
    ],
)
def test_bad_spans_are_refused(span, message):
    with pytest.raises(SpanDataError, match=message):
        span_data([10], [span], n_coders=2, n_codes=1)


def test_cu_alpha_over_top_level_parents():
    # Codes 0, 1 under parent 0; code 2 under parent 1. Coders disagree on the child but not the parent.
    spans = [(0, 0, 0, 0, 5), (0, 1, 1, 0, 5), (0, 0, 2, 10, 15), (0, 1, 2, 10, 15)]
    r = span_agreement_report(span_data([20], spans, n_coders=2, n_codes=3), parents=[0, 0, 1], n_resamples=0)
    assert r["overall"]["Cu_alpha"]["value"] == pytest.approx(1.0)
    assert r["overall"]["cu_alpha"]["value"] < 1.0


def test_bootstrap_interval_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(7)
    spans = []
    for d in range(12):
        for i, sp in enumerate(_random_coders(rng, 2, 2, 40)):
            spans += [(d, i, c, s, e) for s, e, c in sp]
    data = span_data([40] * 12, spans, n_coders=2, n_codes=2)
    a = span_agreement_report(data, n_resamples=200, seed=5)
    b = span_agreement_report(data, n_resamples=200, seed=5)
    assert a == b
    for name, coef in a["overall"].items():
        ci = coef["ci"]
        assert ci["low"] <= coef["value"] <= ci["high"], name
        assert ci["low"] < ci["high"], name
    assert len(a["per_document"]) == 12
