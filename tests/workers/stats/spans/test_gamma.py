"""Mathet et al.'s (2015) γ against hand-worked values and against pygamma-agreement (Titeux & Riad 2021)."""

import logging

import numpy as np
import pytest

from workers.stats.spans.gamma import Units, best_alignment, gamma_agreement, gamma_over_documents

pa = pytest.importorskip("pygamma_agreement")
Segment = pytest.importorskip("pyannote.core").Segment


def _random_rows(rng, n_coders, n_base, length):
    rows = []
    for b in np.sort(rng.uniform(0, length, n_base)):
        for c in range(n_coders):
            if rng.random() < 0.85:
                s = float(round(b + rng.normal(0, 5)))
                rows.append((c, s, s + float(round(rng.uniform(10, 40))), int(rng.integers(0, 3))))
    return rows


def _pygamma(rows):
    cont = pa.Continuum()
    for c, s, e, k in rows:
        cont.add(f"c{c}", Segment(s, e), str(k))
    return cont, pa.CombinedCategoricalDissimilarity(alpha=1, beta=1)


def test_hand_worked_disorder():
    """Two coders. Units A [0,10) and B [0,10), same category: d = 0. A' [20,30) cat 1 and B' [21,30) cat 1:
    d_pos = ((1 + 0) / (10 + 9))^2 = 1/361. A lone unit [40,50) of coder 0: δ = Δ∅ = 1.
    x̄ = 5 / 2, so δ(Â) = (0 + 1/361 + 1) / 2.5."""
    u = Units.of([(0, 0, 10, 0), (1, 0, 10, 0), (0, 20, 30, 1), (1, 21, 30, 1), (0, 40, 50, 0)], n_coders=2)
    total, chosen = best_alignment(u)
    assert total == pytest.approx(1 / 361 + 1)
    assert sorted(map(tuple, chosen.tolist())) == [(0, 1), (2, 3), (4, -1)]


def test_different_categories_cost_beta():
    u = Units.of([(0, 0, 10, 0), (1, 0, 10, 1)], n_coders=2)
    assert best_alignment(u)[0] == pytest.approx(1.0)  # aligned (d = 1) ties with two lone units (2 × 1 / 2)
    assert best_alignment(u, beta=3.0)[0] == pytest.approx(2.0)  # now apart is cheaper


@pytest.mark.parametrize("seed", range(4))
def test_best_alignment_disorder_equals_pygamma(seed):
    logging.disable(logging.WARNING)
    rng = np.random.default_rng(seed)
    rows = _random_rows(rng, 3, 8, 400)
    cont, diss = _pygamma(rows)
    ours = best_alignment(Units.of(rows, 3))[0] / (len(rows) / 3)
    assert ours == pytest.approx(cont.get_best_alignment(diss).disorder, abs=1e-5)  # pygamma uses float32


def test_gamma_agrees_with_pygamma_within_sampling_error():
    logging.disable(logging.WARNING)
    rows = _random_rows(np.random.default_rng(11), 2, 10, 500)
    ours = gamma_agreement(Units.of(rows, 2), seed=3, precision=0.05)
    cont, diss = _pygamma(rows)
    np.random.seed(3)
    ref = cont.compute_gamma(diss, precision_level=0.05, sampler=pa.ShuffleContinuumSampler())
    assert ours.observed == pytest.approx(ref.observed_disorder, abs=1e-5)
    # Both expected disorders are sample means; allow four of our standard errors plus pygamma's share.
    assert abs(ours.expected - ref.expected_disorder) < 4 * ours.extra["expected_se"] + 0.1 * ours.expected
    assert ours.extra["n_samples"] >= 30
    assert ours.extra["se"] > 0


def test_gamma_is_seeded():
    u = Units.of(_random_rows(np.random.default_rng(2), 2, 6, 300), 2)
    assert gamma_agreement(u, seed=9, min_samples=10, max_samples=10) == gamma_agreement(
        u, seed=9, min_samples=10, max_samples=10
    )


def test_identical_annotations_give_gamma_one():
    rows = [(c, s, s + 10, k) for c in range(3) for s, k in [(0, 0), (30, 1), (70, 2)]]
    g = gamma_agreement(Units.of(rows, 3), seed=1, min_samples=10, max_samples=10)
    assert g.observed == 0.0
    assert g.value == pytest.approx(1.0)


def test_degenerate_gamma_is_undefined():
    assert gamma_agreement(Units.of([(0, 0, 5, 0)], 1), seed=1).reason == "needs at least two coders, got 1"
    assert gamma_agreement(Units.of([], 2), seed=1).value is None


def test_pooled_gamma_with_interval_over_documents():
    rng = np.random.default_rng(4)
    docs = [Units.of(_random_rows(rng, 2, 5, 200), 2) for _ in range(6)]
    out = gamma_over_documents(docs, n_resamples=100, seed=2, min_samples=10, precision=0.2)
    assert len(out["per_document"]) == 6
    ci = out["pooled"]["ci"]
    assert ci["low"] <= out["pooled"]["value"] <= ci["high"]
