"""Tests for workers.stats.saturation.planning (§8): Fugard & Potts (2015), plug-in probability.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import math

import pytest

from workers.stats.saturation import (
    SaturationInputError,
    fugard_potts_min_prevalence,
    fugard_potts_power,
    fugard_potts_sample_size,
    plugin_all_codes,
)


def binom_at_least(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def test_fugard_potts_published_16_interviews():
    # "with 80% probability, any theme held by >= 9.57% of the population was seen at least once"
    p = fugard_potts_min_prevalence(16, power=0.8)
    assert round(100 * p, 2) == 9.57
    assert p == pytest.approx(1 - 0.2 ** (1 / 16), abs=1e-12)  # closed form for k = 1


@pytest.mark.parametrize(("n", "p", "k"), [(16, 0.1, 1), (29, 0.1, 2), (7, 0.5, 3), (40, 0.05, 1)])
def test_fugard_potts_power_is_the_binomial_tail(n, p, k):
    assert fugard_potts_power(n, p, min_occurrences=k) == pytest.approx(binom_at_least(k, n, p), abs=1e-12)


def test_fugard_potts_power_at_the_smallest_sample():
    # 16 interviews for a 10% theme at 80%: 1 - 0.9^16 = 0.8147; 15 would give 1 - 0.9^15 = 0.7941
    n = fugard_potts_sample_size(0.1, power=0.8)
    assert n == 16
    assert fugard_potts_power(n, 0.1) == pytest.approx(1 - 0.9**16, abs=1e-12)
    assert fugard_potts_power(n - 1, 0.1) < 0.8 <= fugard_potts_power(n, 0.1)


@pytest.mark.parametrize(("p", "power"), [(0.1, 0.8), (0.25, 0.9), (0.05, 0.95), (0.5, 0.5)])
def test_fugard_potts_sample_size_k1_closed_form(p, power):
    assert fugard_potts_sample_size(p, power=power) == math.ceil(math.log(1 - power) / math.log(1 - p))


@pytest.mark.parametrize(("p", "power", "k"), [(0.1, 0.8, 2), (0.2, 0.9, 3), (0.3, 0.5, 5)])
def test_fugard_potts_sample_size_general_k(p, power, k):
    n = fugard_potts_sample_size(p, power=power, min_occurrences=k)
    assert binom_at_least(k, n, p) >= power
    assert binom_at_least(k, n - 1, p) < power


def test_fugard_potts_min_prevalence_general_k():
    p = fugard_potts_min_prevalence(20, power=0.8, min_occurrences=3)
    assert binom_at_least(3, 20, p) == pytest.approx(0.8, abs=1e-9)


def test_fugard_potts_validation():
    with pytest.raises(SaturationInputError, match=r"^invalid_parameter: power must be in \(0, 1\), got 80$"):
        fugard_potts_sample_size(0.1, power=80)
    with pytest.raises(
        SaturationInputError,
        match=r"^invalid_parameter: n_interviews \(2\) must be >= min_occurrences \(3\)$",
    ):
        fugard_potts_min_prevalence(2, power=0.8, min_occurrences=3)


def test_plugin_all_codes():
    # p = (1/2, 1/2, 1): P(n) = (1 - 0.5^n)^2 ; P(2) = 0.5625 ; P(3) = 0.7656 ; P(4) = 0.8789
    r = plugin_all_codes([[1, 0, 1], [0, 1, 1]])
    assert r["probability_at_n"] == 0.5625
    assert r["n_for_target"] == 4
    assert r["label"] == "ignores unseen codes, therefore optimistic"
