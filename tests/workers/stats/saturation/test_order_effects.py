"""Tests for workers.stats.saturation.order_effects (§4) against brute force over interview orders.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.stats import saturation as sat
from workers.stats.saturation import (
    SaturationInputError,
    draw_orders,
    order_curves,
    order_effects,
    order_simulation,
    rarefaction_curve,
)

# ---------------------------------------------------------------------------------------------
# Independent oracles (pure Python, written from the specification's definitions)
# ---------------------------------------------------------------------------------------------


def sets_from(x: list[list[int]]) -> list[set[int]]:
    return [{k for k, v in enumerate(row) if v} for row in x]


def naive_curve(code_sets: list[set[int]], order: tuple[int, ...] | list[int]) -> list[int]:
    seen: set[int] = set()
    out = []
    for i in order:
        seen |= code_sets[i]
        out.append(len(seen))
    return out


def naive_guest(curve: list[int], b: int, r: int, tau: Fraction) -> int | str | None:
    """Guest rule from a cumulative curve; 'empty' for an empty base, None for not reached."""
    base = curve[b - 1]
    if base == 0:
        return "empty"
    for s in range(b, len(curve) - r + 1):
        if Fraction(curve[s + r - 1] - curve[s - 1], base) <= tau:
            return s
    return None


def type1_quantile(values: list[float], q: Fraction) -> float:
    """Smallest x with F(x) >= q (Hyndman-Fan type 1), by the definition."""
    n = len(values)
    for x in sorted(set(values)):
        if Fraction(sum(v <= x for v in values), n) >= q:
            return x
    raise AssertionError


SMALL = [
    [1, 1, 0, 0, 0, 1],
    [0, 1, 1, 0, 0, 0],
    [1, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [0, 1, 0, 1, 0, 0],
    [1, 0, 0, 0, 1, 1],
    [0, 0, 1, 0, 0, 0],
]


def test_rarefaction_equals_mean_over_all_orders():
    sets = sets_from(SMALL)
    n = len(sets)
    curves = [naive_curve(sets, p) for p in itertools.permutations(range(n))]
    exact = [Fraction(sum(c[t] for c in curves), len(curves)) for t in range(n)]
    got = rarefaction_curve(SMALL)
    assert got == [float(v) for v in exact]  # exact integer arithmetic, rounded once
    u = sum(len(s) for s in sets)
    assert got[0] == u / n  # E[cum_1] = U / N
    assert got[-1] == 6.0  # E[cum_N] = S_obs


def test_rarefaction_float_branch_matches_exact_branch(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.random((40, 30)) < 0.15
    exact = rarefaction_curve(x)
    monkeypatch.setattr(order_effects, "EXACT_RAREFACTION_MAX", 0)
    assert rarefaction_curve(x) == pytest.approx(exact, rel=1e-12)


@given(
    st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=6),
)
@settings(max_examples=60, deadline=None)
def test_rarefaction_property_small_studies(rows):
    sets = sets_from(rows)
    curves = [naive_curve(sets, p) for p in itertools.permutations(range(len(sets)))]
    mean = [sum(c[t] for c in curves) / len(curves) for t in range(len(sets))]
    assert rarefaction_curve(rows) == pytest.approx(mean, abs=1e-12)


@pytest.mark.parametrize(
    ("x", "b", "r"),
    [
        (SMALL, 2, 2),
        ([[1, 0], [1, 1], [0, 0]], 1, 1),  # R = 6: type-1 indices are not integers (0.25 * 6 = 1.5)
        ([[1, 0], [1, 1], [0, 0], [0, 0]], 1, 1),  # R = 24, empty bases
        ([[1, 0, 0], [0, 1, 1], [0, 0, 0], [0, 0, 0], [1, 0, 1]], 2, 1),  # empty bases with b = 2
    ],
)
def test_enumeration_matches_brute_force(x, b, r):
    sets = sets_from(x)
    n = len(sets)
    sim = order_simulation(x, base_size=b, run_length=r, thresholds=["0.25", 0])
    assert sim["method"] == "enumeration"
    assert sim["n_orders"] == math.factorial(n)
    assert sim["seed"] is None
    curves = [naive_curve(sets, p) for p in itertools.permutations(range(n))]
    assert sim["envelope"]["simulated_mean"] == pytest.approx(rarefaction_curve(x), abs=1e-12)
    assert sim["envelope"]["mean"] == rarefaction_curve(x)
    for t in range(n):
        column = [c[t] for c in curves]
        assert sim["envelope"]["lower"][t] == type1_quantile(column, Fraction(25, 1000))
        assert sim["envelope"]["upper"][t] == type1_quantile(column, Fraction(975, 1000))
        # over all orders: the fewest and the most codes that any t + 1 interviews hold together
        unions = [len(set().union(*(sets[i] for i in c))) for c in itertools.combinations(range(n), t + 1)]
        assert sim["envelope"]["minimum"][t] == min(unions)
        assert sim["envelope"]["maximum"][t] == max(unions)
    assert sim["envelope"]["min_max_over"] == "all orders"
    for summary, tau in zip(sim["saturation_points"], (Fraction(1, 4), Fraction(0)), strict=True):
        points = [naive_guest(c, b, r, tau) for c in curves]
        reached = [p for p in points if isinstance(p, int)]
        assert summary["not_reached"] == points.count(None)
        assert summary["empty_base"] == points.count("empty")
        expected = sorted({p: reached.count(p) for p in reached}.items())
        assert [(d["saturation_point"], d["count"]) for d in summary["distribution"]] == expected
        assert summary["proportion_reached"] == len(reached) / len(points)
        if reached:
            assert summary["mean_given_reached"] == pytest.approx(sum(reached) / len(reached))
        else:
            assert summary["mean_given_reached"] is None
        as_values = [p if isinstance(p, int) else math.inf for p in points]
        for key, q in (("p25", Fraction(1, 4)), ("median", Fraction(1, 2)), ("p75", Fraction(3, 4))):
            v = type1_quantile(as_values, q)
            assert summary[key] == ("not_reached" if v == math.inf else v)


def test_not_reached_orders_are_kept_and_quantiles_can_be_not_reached():
    # I1, I2 share code a; I3, I4 share b; I5 = {c}; I6 = {d}. With b=1, r=2, tau=0 a run of two
    # interviews adding nothing needs both repeats back to back after their first occurrences,
    # which most of the 720 orders do not have (counted by the brute-force oracle).
    x = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    sim = order_simulation(x, base_size=1, run_length=2, thresholds=[0])
    sp = sim["saturation_points"][0]
    sets = sets_from(x)
    points = [naive_guest(naive_curve(sets, p), 1, 2, Fraction(0)) for p in itertools.permutations(range(6))]
    assert sp["not_reached"] == points.count(None) > 360
    assert sp["proportion_reached"] == sum(isinstance(p, int) for p in points) / 720
    assert sp["median"] == "not_reached"
    assert sp["p75"] == "not_reached"
    as_values = [p if isinstance(p, int) else math.inf for p in points]
    assert sp["p25"] == type1_quantile(as_values, Fraction(1, 4)) != math.inf


def test_never_saturating_study():
    sim = order_simulation(np.eye(6, dtype=bool), base_size=1, run_length=1, thresholds=[0])
    sp = sim["saturation_points"][0]
    assert sp["proportion_reached"] == 0.0
    assert sp["not_reached"] == 720
    assert (sp["p25"], sp["median"], sp["p75"]) == ("not_reached",) * 3
    assert sp["mean_given_reached"] is None


def test_order_curves_match_naive_loop_for_random_orders():
    rng = np.random.default_rng(7)
    x = rng.random((12, 40)) < 0.2
    orders = sat.draw_orders(12, 200, seed=11)
    got = order_curves(x, orders)
    sets = [set(np.flatnonzero(row).tolist()) for row in x]
    assert got.tolist() == [naive_curve(sets, o) for o in orders.tolist()]


def test_order_curves_reject_non_permutations():
    with pytest.raises(
        SaturationInputError, match=r"^invalid_orders: every order must be a permutation of 0\.\.N-1$"
    ):
        order_curves([[1], [1]], [[0, 0]])


def test_random_orders_are_seeded_and_reproducible():
    rng = np.random.default_rng(5)
    x = rng.random((10, 15)) < 0.3
    a = order_simulation(x, n_orders=1000, seed=123)
    b = order_simulation(x, n_orders=1000, seed=123)
    assert a["method"] == "random_permutations"
    assert a["seed"] == 123
    assert a == b
    env = a["envelope"]
    assert env["min_max_over"] == "the drawn orders"
    curves = order_curves(x, draw_orders(10, 1000, 123))
    assert env["minimum"] == curves.min(axis=0).tolist()
    assert env["maximum"] == curves.max(axis=0).tolist()
    sets = [set(np.flatnonzero(row).tolist()) for row in x]
    assert env["minimum"][0] >= min(map(len, sets))  # no order can start below the smallest interview
    assert env["maximum"][0] <= max(map(len, sets))
    assert env["minimum"][-1] == env["maximum"][-1] == len(set().union(*sets))
    drawn = order_simulation(x)
    assert isinstance(drawn["seed"], int)
    assert order_simulation(x, seed=drawn["seed"]) == drawn


def test_random_orders_minimum():
    with pytest.raises(
        SaturationInputError, match=r"^invalid_parameter: n_orders must be at least 1000, got 999$"
    ):
        order_simulation(np.ones((9, 2), dtype=bool), n_orders=999, seed=1)


def test_random_orders_within_tolerance_band_of_exact_enumeration():
    # N = 9: exact answer by enumerating all 362,880 orders; R = 1000 estimates must fall in a
    # closed band (4.5 binomial standard errors) for every seed tried.
    rng = np.random.default_rng(2024)
    prevalence = np.r_[np.full(6, 0.5), np.full(6, 0.2)]
    x = rng.random((9, 12)) < prevalence
    exact = order_simulation(x, base_size=3, run_length=2, thresholds=[0], enumerate_max=9)
    p = exact["saturation_points"][0]["proportion_reached"]
    assert 0.05 < p < 0.95
    band = 4.5 * math.sqrt(p * (1 - p) / 1000)
    cum_sd = None
    for seed in range(20):
        sim = order_simulation(x, n_orders=1000, seed=seed, base_size=3, run_length=2, thresholds=[0])
        assert abs(sim["saturation_points"][0]["proportion_reached"] - p) <= band
        # envelope mean is the exact rarefaction; the simulated mean is within 0.25 codes
        assert sim["envelope"]["mean"] == exact["envelope"]["mean"]
        diff = np.abs(np.array(sim["envelope"]["simulated_mean"]) - np.array(exact["envelope"]["mean"]))
        cum_sd = diff.max() if cum_sd is None else max(cum_sd, diff.max())
    assert cum_sd < 0.25


def test_order_simulation_insufficient_and_empty():
    sim = order_simulation(np.ones((3, 2), dtype=bool))  # N = 3 < 4 + 2
    assert sim["saturation_points"][0]["status"] == "insufficient_data"
    assert sim["saturation_points"][0]["proportion_reached"] is None
    assert order_simulation(np.zeros((0, 2), dtype=bool))["status"] == "no_interviews"
    one = order_simulation([[1, 1, 0]])
    assert one["n_orders"] == 1
    assert one["envelope"]["mean"] == [2.0]
