"""Tests for workers.stats.saturation against hand-computed values and published numbers.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import itertools
import json
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.stats import saturation as sat
from workers.stats.saturation import (
    SaturationInputError,
    accumulation_curve,
    analysis_order,
    collapse_to_themes,
    filter_subtree,
    francis_stopping_rule,
    fugard_potts_min_prevalence,
    fugard_potts_sample_size,
    guest_saturation,
    guest_sensitivity_grid,
    homogeneous_detection_model,
    incidence_estimators,
    incidence_matrix,
    order_curves,
    order_simulation,
    parse_threshold,
    plugin_all_codes,
    rarefaction_curve,
    saturation_report,
    suggested_wording,
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


# ---------------------------------------------------------------------------------------------
# Thresholds
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.05, Fraction(1, 20)),
        ("0.05", Fraction(1, 20)),
        ("1/20", Fraction(1, 20)),
        (Decimal("0.05"), Fraction(1, 20)),
        (Fraction(1, 20), Fraction(1, 20)),
        (0, Fraction(0)),
        (0.07, Fraction(7, 100)),
    ],
)
def test_parse_threshold_is_exact(value, expected):
    assert parse_threshold(value) == expected


@pytest.mark.parametrize("value", [5, 1, 1.0, "5"])
def test_parse_threshold_rejects_percentages(value):
    with pytest.raises(
        SaturationInputError,
        match=r"^invalid_threshold: threshold must be a fraction in \[0, 1\) such as 0\.05 for 5%, "
        r"got .* \(percentages are not accepted\)$",
    ):
        parse_threshold(value)


@pytest.mark.parametrize("value", [-0.01, "-1/20"])
def test_parse_threshold_rejects_negative(value):
    with pytest.raises(
        SaturationInputError, match=r"^invalid_threshold: threshold must be a fraction in \[0, 1\)"
    ):
        parse_threshold(value)


@pytest.mark.parametrize("value", [True, float("nan"), "five percent", None])
def test_parse_threshold_rejects_non_numbers(value):
    with pytest.raises(SaturationInputError, match=r"^invalid_threshold: threshold must be a number, got "):
        parse_threshold(value)


# ---------------------------------------------------------------------------------------------
# §2 Accumulation curve
# ---------------------------------------------------------------------------------------------


def test_accumulation_hand_case_with_empty_interview():
    # C1={a,b}, C2={}, C3={b,c}, C4={a,d}: new = 2,0,1,1; cum = 2,2,3,4
    x = [[1, 1, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1]]
    c = accumulation_curve(x, interview_labels=["P1", "P2", "P3", "P4"], code_labels=["a", "b", "c", "d"])
    assert c["status"] == "ok"
    assert c["new_codes"] == [2, 0, 1, 1]
    assert c["cumulative"] == [2, 2, 3, 4]
    assert c["codes_per_interview"] == [2, 0, 2, 2]
    assert c["prop_new"] == [1.0, None, 0.5, 0.5]  # null, not 0, for the empty interview
    assert c["first_appearance"] == {"a": 1, "b": 1, "c": 3, "d": 4}
    assert c["incidence"] == {"a": 2, "b": 2, "c": 1, "d": 1}
    assert c["share_of_final"] == [0.5, 0.5, 0.75, 1.0]
    assert c["empty_interviews"] == ["P2"]
    # 0.90 * 4 = 3.6 -> 4 ; 0.95 * 4 = 3.8 -> 4 ; 1.00 -> 4
    assert c["first_interview_reaching"] == {"0.90": 4, "0.95": 4, "1.00": 4}


def test_first_interview_reaching_exact_ties():
    # cum = 18, 19, 20 (S_obs = 20): 0.90*20 = 18 exactly -> interview 1; 0.95*20 = 19 -> 2.
    x = np.zeros((3, 20), dtype=bool)
    x[0, :18] = True
    x[1, 18] = True
    x[2, 19] = True
    c = accumulation_curve(x)
    assert c["cumulative"] == [18, 19, 20]
    assert c["first_interview_reaching"] == {"0.90": 1, "0.95": 2, "1.00": 3}


def test_new_codes_are_new_relative_to_all_previous_interviews():
    # code b appears in interviews 2 and 5; in interview 5 it is not new.
    x = [[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0], [0, 1, 1]]
    assert accumulation_curve(x)["new_codes"] == [1, 1, 0, 0, 1]


def test_accumulation_all_empty_and_no_interviews():
    c = accumulation_curve(np.zeros((3, 0), dtype=bool))
    assert c["status"] == "no_codes"
    assert c["cumulative"] == [0, 0, 0]
    assert c["prop_new"] == [None, None, None]
    assert c["first_interview_reaching"] == {"0.90": None, "0.95": None, "1.00": None}
    assert accumulation_curve(np.zeros((0, 2), dtype=bool))["status"] == "no_interviews"


def guest_2006_incidence() -> np.ndarray:
    """Guest, Bunce & Johnson (2006): 80 codes in interviews 1-6, 20 more in 7-12, 109 after 30
    (Ghana) and 114 after 60 (5 new in the 30 Nigerian interviews). Within-batch placement is
    arbitrary; each code is put in the first interview of its batch and in no other."""
    batches = [(0, 80), (6, 20), (12, 9), (30, 5)]
    x = np.zeros((60, 114), dtype=bool)
    k = 0
    for first, count in batches:
        for _ in range(count):
            x[first, k] = True
            k += 1
    return x


def test_guest_2006_published_aggregates():
    c = accumulation_curve(guest_2006_incidence(), batch_size=6)
    batches = [b["new_codes"] for b in c["batch_new_codes"]]
    assert batches[:2] == [80, 20]
    assert sum(batches[:5]) == 109
    assert sum(batches[5:]) == 5
    assert c["batch_new_codes"][1] == {"start": 7, "end": 12, "new_codes": 20}
    cum = c["cumulative"]
    # "70% by 6" = 80/114 ; "92% by 12" = 100/109 (codebook at 30) ; 88% = 100/114.
    assert round(100 * cum[5] / cum[59]) == 70
    assert round(100 * cum[11] / cum[29]) == 92
    assert round(100 * cum[11] / cum[59]) == 88
    assert c["share_of_final"][11] == pytest.approx(100 / 114)


def test_batches_keep_a_partial_last_batch():
    c = accumulation_curve(np.eye(7, dtype=bool), batch_size=3)
    assert c["batch_new_codes"] == [
        {"start": 1, "end": 3, "new_codes": 3},
        {"start": 4, "end": 6, "new_codes": 3},
        {"start": 7, "end": 7, "new_codes": 1},
    ]


def test_integer_segment_counts_are_presence():
    assert accumulation_curve([[3, 0], [0, 7]])["new_codes"] == [1, 1]


def test_incidence_must_be_2d():
    with pytest.raises(
        SaturationInputError,
        match=r"^invalid_incidence: incidence must be a 2-D interviews x codes array, got 1-D$",
    ):
        accumulation_curve([1, 0, 1])


def test_incidence_matrix_from_sets():
    m, labels = incidence_matrix([{"b", "a"}, set(), {"c"}])
    assert labels == ["a", "b", "c"]
    assert m.tolist() == [[True, True, False], [False, False, False], [False, False, True]]
    with pytest.raises(SaturationInputError, match=r"^unknown_code: code 'z' is not in code_labels$"):
        incidence_matrix([{"z"}], code_labels=["a"])


# ---------------------------------------------------------------------------------------------
# §3 Guest, Namey & Chen (2020)
# ---------------------------------------------------------------------------------------------


def test_guest_hand_case_reached():
    # new = 8,5,4,3,2,0,1,0,0 ; cum = 8,13,17,20,22,22,23,23,23 ; B = cum_4 = 20 ; 5% of 20 = 1
    # s=4: 5..6 -> 2 (10%) ; s=5: 6..7 -> 1 (5%, meets) ; s=6: 7..8 -> 1 ; s=7: 8..9 -> 0
    g = guest_saturation([8, 5, 4, 3, 2, 0, 1, 0, 0])
    assert g["status"] == "reached"
    assert g["base_codes"] == 20
    assert [(r["start"], r["end"], r["new_codes"], r["meets_threshold"]) for r in g["runs"]] == [
        (5, 6, 2, False),
        (6, 7, 1, True),
        (7, 8, 1, True),
        (8, 9, 0, True),
    ]
    assert [r["ratio"] for r in g["runs"]] == [0.1, 0.05, 0.05, 0.0]
    assert g["saturation_point"] == 5
    assert g["notation"] == "5+2"
    assert g["codes_at_saturation"] == 22
    assert g["total_codes"] == 23
    assert g["degree_of_saturation"] == 22 / 23
    assert g["late_new_codes"] == 0


def test_guest_late_codes_after_the_confirming_run():
    # new = 5,3,2,1,0,0,2,1 ; B = 11 ; 5% of 11 = 0.55 so a run must add 0.
    # s=4: 5..6 -> 0 meets -> 4+2 ; later runs (6..7 -> 2, 7..8 -> 3) still listed.
    # late = cum_8 - cum_6 = 14 - 11 = 3 ; degree = 11/14
    g = guest_saturation([5, 3, 2, 1, 0, 0, 2, 1])
    assert g["notation"] == "4+2"
    assert [(r["start"], r["new_codes"], r["meets_threshold"]) for r in g["runs"]] == [
        (5, 0, True),
        (6, 2, False),
        (7, 3, False),
    ]
    assert g["late_new_codes"] == 3
    assert g["degree_of_saturation"] == 11 / 14


def test_guest_not_reached():
    # B = 4 ; every run adds 1 code (25%)
    g = guest_saturation([4, 0, 0, 0, 1, 0, 1, 0, 1])
    assert g["status"] == "not_reached"
    assert g["saturation_point"] is None
    assert g["notation"] is None
    assert len(g["runs"]) == 4


@pytest.mark.parametrize(
    ("base", "run_new", "tau", "meets"),
    [
        (20, 1, "0.05", True),  # exactly 5%
        (60, 3, 0.05, True),  # the specification's 3/60 example
        (100, 7, 0.07, True),  # (7/100)*100 = 7.000000000000001 would wrongly fail
        (20, 2, 0.05, False),  # 10%
        (37, 7, 0.05, False),  # published worked example: 7/37 = 19% > 5%
        (21, 1, 0.05, True),  # 4.76%
        (19, 1, 0.05, False),  # 5.26%
    ],
)
def test_guest_threshold_comparison_is_exact_and_inclusive(base, run_new, tau, meets):
    g = guest_saturation([base, 0, 0, 0, run_new, 0], base_size=4, run_length=2, threshold=tau)
    assert g["runs"][0]["new_codes"] == run_new
    assert g["runs"][0]["meets_threshold"] is meets


def test_guest_published_worked_example_ratio():
    g = guest_saturation([37, 0, 0, 0, 4, 3], threshold=0.05)
    assert g["runs"][0]["new_codes"] == 7
    assert round(100 * g["runs"][0]["ratio"]) == 19
    assert g["status"] == "not_reached"


def test_guest_uses_a_fixed_base_not_a_growing_one():
    # b=1, r=1: B = 10 for every run; runs add 5,5,1,1,0. Fixed base: only 0 <= 0.5 -> 5+1.
    # A growing base (cum_3 = 20, 1/20 = 5%) would wrongly give 3+1.
    g = guest_saturation([10, 5, 5, 1, 1, 0], base_size=1, run_length=1)
    assert g["notation"] == "5+1"


def test_guest_base_larger_than_data():
    g = guest_saturation([3, 2, 1, 1, 0])  # N = 5 < b + r = 6
    assert g["status"] == "insufficient_data"
    assert g["base_codes"] == 7  # N >= b: still reported
    assert g["runs"] == []
    g = guest_saturation([3, 2, 1])  # N = 3 < b
    assert g["status"] == "insufficient_data"
    assert g["base_codes"] is None


def test_guest_empty_base():
    g = guest_saturation([0, 0, 0, 0, 2, 1, 0, 0])
    assert g["status"] == "empty_base"
    assert g["base_codes"] == 0
    assert g["runs"] == []


def test_guest_no_interviews_and_single_interview():
    assert guest_saturation([])["status"] == "no_interviews"
    single = guest_saturation([5])
    assert single["status"] == "insufficient_data"
    assert single["base_codes"] is None


def test_guest_warns_about_empty_interviews_in_deciding_runs():
    # P6 and P7 are empty; the first run 5..6 adds 2 (no), 6..7 adds 0 and decides -> 5+2.
    # P9 is empty but only in runs after the decision.
    g = guest_saturation(
        [8, 5, 4, 3, 2, 0, 0, 1, 0, 0],
        codes_per_interview=[8, 6, 5, 4, 3, 0, 0, 2, 0, 1],
        interview_labels=[f"P{i}" for i in range(1, 11)],
    )
    assert g["notation"] == "5+2"
    assert g["warnings"] == [
        {
            "code": "run_contains_empty_interviews",
            "message": "Interviews with no codes contribute 0 new codes to the runs that decided the result.",
            "interviews": ["P6", "P7"],
        }
    ]
    assert g["runs"][0]["empty_interviews"] == ["P6"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_size": 0}, r"^invalid_parameter: base_size must be an integer >= 1, got 0$"),
        ({"run_length": 1.5}, r"^invalid_parameter: run_length must be an integer >= 1, got 1\.5$"),
        ({"threshold": 5}, r"^invalid_threshold: "),
    ],
)
def test_guest_parameter_validation(kwargs, message):
    with pytest.raises(SaturationInputError, match=message):
        guest_saturation([1, 2, 3, 4, 5, 6], **kwargs)


def test_guest_rejects_negative_new_codes():
    with pytest.raises(SaturationInputError, match=r"^invalid_new_codes: new_codes must be >= 0$"):
        guest_saturation([1, -1])


def test_sensitivity_grid_has_the_twelve_published_combinations():
    # new = 8,5,4,3,2,0,1,0,0 ; cum = 8,13,17,20,22,22,23,23,23
    grid = guest_sensitivity_grid([8, 5, 4, 3, 2, 0, 1, 0, 0])
    assert [(g["base_size"], g["run_length"], g["threshold_fraction"]) for g in grid] == [
        (b, r, t) for b in (4, 5, 6) for r in (2, 3) for t in ("1/20", "0/1")
    ]
    notation = {(g["base_size"], g["run_length"], g["threshold_fraction"]): g["notation"] for g in grid}
    # b=4: B=20. r=2 5%: 5+2 ; r=2 0%: run 8..9 -> 7+2 ; r=3 5%: 6..8 adds 1 -> 5+3 ; r=3 0%: none
    assert notation[(4, 2, "1/20")] == "5+2"
    assert notation[(4, 2, "0/1")] == "7+2"
    assert notation[(4, 3, "1/20")] == "5+3"
    assert notation[(4, 3, "0/1")] is None
    # b=5: B=22, 5% = 1.1. r=2: s=5 6..7 adds 1 -> 5+2 ; 0%: 7+2 ; r=3: s=5 adds 1 -> 5+3 ; 0%: s=6 adds 1 -> none
    assert notation[(5, 2, "1/20")] == "5+2"
    assert notation[(5, 2, "0/1")] == "7+2"
    assert notation[(5, 3, "1/20")] == "5+3"
    assert notation[(5, 3, "0/1")] is None
    # b=6: B=22. r=2: 7..8 adds 1 -> 6+2 ; 0%: 7+2 ; r=3: 7..9 adds 1 -> 6+3 ; 0%: N < 9 runs -> none
    assert notation[(6, 2, "1/20")] == "6+2"
    assert notation[(6, 2, "0/1")] == "7+2"
    assert notation[(6, 3, "1/20")] == "6+3"
    assert notation[(6, 3, "0/1")] is None


# ---------------------------------------------------------------------------------------------
# §6 Francis et al. (2010)
# ---------------------------------------------------------------------------------------------


def test_francis_windows_follow_the_published_description():
    # "tested after each successive interview (i.e. 11, 12 and 13; then 12, 13 and 14...)"
    f = francis_stopping_rule([5, 3, 2, 2, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0])
    assert [(w["start"], w["end"]) for w in f["windows"][:2]] == [(11, 13), (12, 14)]
    # windows: 11..13 -> 1, 12..14 -> 1, 13..15 -> 1, 14..16 -> 1, 15..17 -> 0
    assert [w["new_codes"] for w in f["windows"]] == [1, 1, 1, 1, 0]
    assert f["status"] == "reached"
    assert f["saturation_point"] == 14
    assert f["stop_at"] == 17


def test_francis_insufficient_and_not_reached():
    assert francis_stopping_rule([1] * 12)["status"] == "insufficient_data"  # 12 < 10 + 3
    f = francis_stopping_rule([1] * 13)
    assert f["status"] == "not_reached"
    assert f["windows"] == [{"start": 11, "end": 13, "new_codes": 3}]


def test_francis_empty_initial_sample_is_flagged():
    f = francis_stopping_rule([0] * 13)
    assert f["status"] == "reached"
    assert [w["code"] for w in f["warnings"]] == ["initial_sample_empty"]


@settings(max_examples=300, deadline=None)
@given(
    new=st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=25),
    n0=st.integers(min_value=1, max_value=8),
    k=st.integers(min_value=1, max_value=4),
)
def test_francis_equals_guest_with_zero_threshold(new, n0, k):
    if len(new) >= n0 and sum(new[:n0]) == 0:
        return  # the invariant holds whenever cum_{n0} > 0
    f = francis_stopping_rule(new, initial_sample=n0, stopping_criterion=k)
    g = guest_saturation(new, base_size=n0, run_length=k, threshold=0)
    assert f["status"] == g["status"]
    assert f["saturation_point"] == g["saturation_point"]
    assert f["windows"] == [{key: r[key] for key in ("start", "end", "new_codes")} for r in g["runs"]]


# ---------------------------------------------------------------------------------------------
# §4 Order effects
# ---------------------------------------------------------------------------------------------

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
    monkeypatch.setattr(sat, "EXACT_RAREFACTION_MAX", 0)
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


# ---------------------------------------------------------------------------------------------
# §5 Incidence estimators
# ---------------------------------------------------------------------------------------------

# Y = (1, 1, 1, 2, 2, 3, 5), N = 5
FIVE = [
    [1, 0, 0, 1, 1, 1, 1],
    [0, 1, 0, 1, 0, 1, 1],
    [0, 0, 1, 0, 1, 1, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
]


def test_chao2_with_doubletons():
    e = incidence_estimators(FIVE)
    # S=7, Q1=3, Q2=2, U=15, a=4/5 ; Q0 = 0.8*9/4 = 1.8 ; Chao2 = 8.8
    assert (e["s_obs"], e["q1"], e["q2"], e["u"]) == (7, 3, 2, 15)
    assert e["status"] == "ok"
    assert e["q0"] == pytest.approx(1.8)
    assert e["chao2"] == pytest.approx(8.8)
    assert e["chao2_bias_corrected"] == pytest.approx(7 + 0.8 * 3 * 2 / 6)  # 7.8
    assert e["completeness"] == pytest.approx(7 / 8.8)
    # A = 5*1.8/(9+3) = 0.75 = (N-1)Q1/((N-1)Q1+2Q2) = 12/16 ; C = 1 - 3/15*0.75 = 0.85
    assert e["coverage"] == pytest.approx(0.85)
    assert e["coverage_deficit"] == pytest.approx(0.15)
    assert e["expected_new_codes_next_interview"] == pytest.approx(1.8 * 3 / 12)  # 0.45
    assert e["jackknife1"] == pytest.approx(7 + 3 * 4 / 5)  # 9.4
    assert e["warnings"] == []


def test_chao2_without_doubletons_uses_second_branch():
    # Y = (1,1,1,3), N = 4: Q0 = 3/4 * 3*2/2 = 2.25 ; U = 6 ; A = 9/12 ; C = 1 - 0.5*0.75
    x = [[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0]]
    e = incidence_estimators(x)
    assert e["chao2"] == pytest.approx(6.25)
    assert e["chao2_bias_corrected"] == pytest.approx(6.25)
    assert e["coverage"] == pytest.approx(0.625)
    assert e["expected_new_codes_next_interview"] == pytest.approx(2.25 * 3 / 12)
    assert e["jackknife1"] == pytest.approx(4 + 3 * 0.75)


def test_chao2_can_be_very_large_380_versus_29():
    # The specification's "380 versus 29 observed": Q1 = 28, Q2 = 0, N = 14:
    # Q0 = (13/14) * 28 * 27 / 2 = 351 -> 380.
    x = np.zeros((14, 29), dtype=bool)
    for k in range(28):
        x[k % 14, k] = True
    x[:3, 28] = True
    e = incidence_estimators(x)
    assert (e["s_obs"], e["q1"], e["q2"]) == (29, 28, 0)
    assert e["chao2"] == pytest.approx(380.0)


def test_no_singletons():
    # Y = (2, 2, 3), N = 3
    e = incidence_estimators([[1, 1, 1], [1, 0, 1], [0, 1, 1]])
    assert e["q1"] == 0
    assert e["chao2"] == 3.0
    assert e["coverage"] == 1.0
    assert e["expected_new_codes_next_interview"] == 0.0
    assert e["jackknife1"] == 3.0


def test_one_singleton_no_doubleton_is_degenerate_with_warning():
    # Y = (1, 3, 3), N = 3: Q0 = a*1*0/2 = 0 ; A = 0 ; C = 1
    e = incidence_estimators([[1, 1, 1], [0, 1, 1], [0, 1, 1]])
    assert (e["q1"], e["q2"]) == (1, 0)
    assert e["chao2"] == 3.0
    assert e["coverage"] == 1.0
    assert e["expected_new_codes_next_interview"] == 0.0
    messages = [w["message"] for w in e["warnings"] if w["code"] == "few_data"]
    assert any("One singleton and no doubletons" in m for m in messages)


def test_empty_interviews_count_in_n():
    e = incidence_estimators([*FIVE, [0] * 7])
    # N = 6: Q0 = (5/6) * 9 / 4 = 1.875
    assert e["n_interviews"] == 6
    assert e["chao2"] == pytest.approx(8.875)


def test_estimator_statuses():
    assert incidence_estimators([[1, 1]])["status"] == "insufficient_data"
    assert incidence_estimators(np.zeros((3, 2), dtype=bool))["status"] == "no_codes"
    assert incidence_estimators(np.zeros((0, 2), dtype=bool))["status"] == "no_interviews"
    few = incidence_estimators([[1, 1], [1, 0]])
    assert few["warnings"][0] == {
        "code": "few_data",
        "message": "Few data (2 interviews, 2 codes): treat the estimates with caution.",
    }


# ---------------------------------------------------------------------------------------------
# §7 Homogeneous-detection model
# ---------------------------------------------------------------------------------------------


def test_m0_two_interviews():
    # N=2, Y=(2,1,1): Ybar = 4/3 ; 2p/(1-(1-p)^2) = 2/(2-p) = 4/3 -> p = 1/2 ; T = 3/0.75 = 4
    m = homogeneous_detection_model([[1, 1, 0], [1, 0, 1]])
    assert m["status"] == "ok"
    assert m["p_hat"] == pytest.approx(0.5, abs=1e-6)
    assert m["estimated_total_codes"] == pytest.approx(4.0, abs=1e-6)
    assert m["saturation"] == pytest.approx(0.75, abs=1e-6)
    # ln(0.1)/ln(0.5) = 3.32 -> 4 ; ln(0.05)/ln(0.5) = 4.32 -> 5
    assert m["interviews_for_target"] == {"0.90": 4, "0.95": 5}
    assert m["expected_new_codes_next_interview"] == pytest.approx(4 * 0.5 * 0.25, abs=1e-6)


def test_m0_three_interviews():
    # N=3, Y=(3,2,2,2,1,1,1): Ybar = 12/7 = 3/(3-3p+p^2) -> p = 1/2 ; T = 7/(7/8) = 8
    x = [[1, 1, 1, 0, 1, 0, 0], [1, 1, 0, 1, 0, 1, 0], [1, 0, 1, 1, 0, 0, 1]]
    m = homogeneous_detection_model(x)
    assert m["mean_incidence"] == 12 / 7
    assert m["p_hat"] == pytest.approx(0.5, abs=1e-6)
    assert m["estimated_total_codes"] == pytest.approx(8.0, abs=1e-6)
    assert m["saturation"] == pytest.approx(0.875, abs=1e-6)
    assert m["expected_new_codes_next_interview"] == pytest.approx(8 * 0.5 * 0.125, abs=1e-6)


def test_m0_edge_cases():
    assert homogeneous_detection_model(np.eye(4, dtype=bool))["status"] == "unbounded"
    full = homogeneous_detection_model(np.ones((4, 3), dtype=bool))
    assert full["p_hat"] == 1.0
    assert full["estimated_total_codes"] == 3.0
    assert full["interviews_for_target"] == {"0.90": 1, "0.95": 1}
    assert full["expected_new_codes_next_interview"] == 0.0
    assert homogeneous_detection_model([[1, 1]])["status"] == "insufficient_data"
    assert homogeneous_detection_model(np.zeros((3, 1), dtype=bool))["status"] == "no_codes"
    assert (
        homogeneous_detection_model([[1, 1, 0], [1, 0, 1]])["label"]
        == "homogeneous-detection model (Lowe-type)"
    )


# ---------------------------------------------------------------------------------------------
# §8 Planning
# ---------------------------------------------------------------------------------------------


def binom_at_least(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def test_fugard_potts_published_16_interviews():
    # "with 80% probability, any theme held by >= 9.57% of the population was seen at least once"
    p = fugard_potts_min_prevalence(16, power=0.8)
    assert round(100 * p, 2) == 9.57
    assert p == pytest.approx(1 - 0.2 ** (1 / 16), abs=1e-12)  # closed form for k = 1


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


# ---------------------------------------------------------------------------------------------
# §1 Input preparation: analysis order, themes
# ---------------------------------------------------------------------------------------------


def test_analysis_order_by_conducted_date_then_pk_never_label():
    # labels would be P3, P10, P2 ; P10 < P3 as strings, so labels must not be the tie-break
    pks = [3, 10, 2, 7]
    dates = ["2024-03-01", "2024-01-10", "2024-01-10", None]
    order, used = analysis_order(pks, conducted_on=dates)
    assert used == "conducted"
    assert order == [2, 1, 0, 3]  # 2024-01-10 (pk 2, pk 10), 2024-03-01, missing last


def test_analysis_order_by_sequence_and_duplicates():
    assert analysis_order([1, 2, 3], sequence=[3, 1, 2], order_by="sequence") == ([1, 2, 0], "sequence")
    with pytest.raises(SaturationInputError, match=r"^duplicate_sequence: duplicate sequence values \[2\]$"):
        analysis_order([1, 2, 3], sequence=[2, 1, 2], order_by="sequence")
    # one interview without a sequence: fall back to the conducted order
    assert analysis_order([5, 4], sequence=[1, None], order_by="sequence") == ([1, 0], "conducted")


def test_analysis_order_validation():
    with pytest.raises(
        SaturationInputError, match=r"^invalid_date: conducted_on must be an ISO date, got 'March'$"
    ):
        analysis_order([1], conducted_on=["March"])
    with pytest.raises(SaturationInputError, match=r"^duplicate_pk: interview primary keys must be unique$"):
        analysis_order([1, 1])


CODEBOOK = {"a1": "A", "a2": "A", "a2x": "a2", "b1": "B", "A": None, "B": None}


def test_collapse_to_top_level_themes():
    x = [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]]
    m, themes = collapse_to_themes(x, ["a1", "b1", "a2x", "C"], CODEBOOK)
    # a2x -> a2 -> A ; C has no parent and is its own theme
    assert themes == ["A", "B", "C"]
    assert m.astype(int).tolist() == [[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]


def test_collapse_within_a_subtree_and_filter():
    x = [[1, 1, 0, 1], [0, 0, 1, 0]]
    m, themes = collapse_to_themes(x, ["a1", "a2", "a2x", "b1"], CODEBOOK, root="A")
    assert themes == ["a1", "a2"]
    assert m.astype(int).tolist() == [[1, 1], [0, 1]]
    m, codes = filter_subtree(x, ["a1", "a2", "a2x", "b1"], CODEBOOK, "a2")
    assert codes == ["a2", "a2x"]
    assert m.astype(int).tolist() == [[1, 0], [0, 1]]


def test_codebook_cycle():
    with pytest.raises(SaturationInputError, match=r"^codebook_cycle: the codebook has a cycle through 'x'$"):
        collapse_to_themes([[1]], ["x"], {"x": "y", "y": "x"})


# ---------------------------------------------------------------------------------------------
# Report and wording
# ---------------------------------------------------------------------------------------------


def test_report_is_json_and_drops_unapplied_codes():
    rng = np.random.default_rng(1)
    x = np.c_[rng.random((12, 20)) < 0.3, np.zeros((12, 1), dtype=bool)]
    labels = [f"c{k}" for k in range(21)]
    rep = saturation_report(x, code_labels=labels, seed=9, batch_size=6, order_by="sequence")
    assert json.loads(json.dumps(rep)) == rep
    assert "c20" not in rep["code_labels"]
    codes = [w["code"] for w in rep["warnings"]]
    assert "unapplied_codes_ignored" in codes
    assert "order_not_conducted" in codes
    assert rep["parameters"]["seed"] == 9
    assert rep["order_effects"]["n_orders"] == 1000
    assert len(rep["sensitivity_grid"]) == 12
    acc = rep["accumulation"]
    if rep["guest"]["status"] == "reached":
        cutoff = rep["guest"]["saturation_point"] + rep["guest"]["run_length"]
        late = [c for c, first in acc["first_appearance"].items() if first > cutoff]
        assert rep["guest"]["late_codes"] == late
        assert rep["guest"]["late_new_codes"] == len(late)


def test_report_theme_level():
    x = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 1]]
    rep = saturation_report(
        x, code_labels=["a1", "a2", "b1"], parent_of={"a1": "A", "a2": "A", "b1": "B"}, level="theme"
    )
    assert rep["code_labels"] == ["A", "B"]
    assert rep["accumulation"]["new_codes"] == [1, 0, 1, 0, 0, 0, 0]
    with pytest.raises(
        SaturationInputError, match=r"^invalid_parameter: parent_of \(the codebook\) is required"
    ):
        saturation_report(x, level="theme")


def test_report_no_interviews():
    rep = saturation_report(np.zeros((0, 3), dtype=bool))
    assert rep["accumulation"]["status"] == "no_interviews"
    assert rep["guest"]["status"] == "no_interviews"
    assert rep["estimators"]["status"] == "no_interviews"
    assert rep["order_effects"]["status"] == "no_interviews"
    assert rep["suggested_wording"] == "No interviews were available for a saturation analysis."


def test_single_interview_is_insufficient_not_unsaturated():
    rep = saturation_report([[1, 1, 0, 1]], interview_labels=["P1"])
    assert rep["guest"]["status"] == "insufficient_data"
    assert rep["estimators"]["status"] == "insufficient_data"
    assert rep["homogeneous_detection"]["status"] == "insufficient_data"
    assert rep["order_effects"]["envelope"]["mean"] == [3.0]
    text = rep["suggested_wording"]
    assert "could not be evaluated" in text
    assert "not reached" not in text
    assert "not saturated" not in text


def test_empty_base_wording():
    x = np.zeros((7, 2), dtype=bool)
    x[5, 0] = x[6, 1] = True
    rep = saturation_report(x)
    assert rep["guest"]["status"] == "empty_base"
    assert "could not be evaluated because the base interviews contain no codes" in rep["suggested_wording"]


def test_planning_block_only_when_requested():
    x = np.eye(6, dtype=bool)
    assert saturation_report(x)["planning"]["fugard_potts"] is None
    fp = saturation_report(x, planning_prevalence=0.1, planning_power=0.8)["planning"]["fugard_potts"]
    assert fp["n_for_prevalence"] == 16  # ceil(ln 0.2 / ln 0.9) = ceil(15.28)
    assert fp["min_detectable_prevalence"] == pytest.approx(1 - 0.2 ** (1 / 6))


def spec_example_report() -> dict:
    """The specification's example numbers (§4.3 item 5), entered by hand."""
    return {
        "n_interviews": 16,
        "n_codes": 25,
        "guest": {
            "status": "reached",
            "base_size": 4,
            "run_length": 2,
            "threshold_fraction": "1/20",
            "notation": "11+2",
            "late_new_codes": 2,
        },
        "order_effects": {
            "method": "random_permutations",
            "n_orders": 1000,
            "saturation_points": [
                {
                    "threshold_fraction": "1/20",
                    "status": "ok",
                    "median": 8,
                    "p25": 7,
                    "p75": 10,
                    "proportion_reached": 0.997,
                }
            ],
        },
        "estimators": {"status": "ok", "chao2": 25.4, "completeness": 0.985, "coverage_deficit": 0.01},
    }


def test_suggested_wording_matches_the_specification_template():
    assert suggested_wording(spec_example_report()) == (
        "Using Guest et al.'s (2020) criterion (base 4, runs of 2, ≤5% new information), saturation "
        "was reached at 11+2. 2 codes emerged after saturation was declared. Across 1,000 random "
        "interview orders the saturation point had a median of 8 (IQR 7\u201310) and was reached in "
        "99.7% of orders. 25 codes were observed. Chao2 estimates 25.4 (completeness 98.5%). The "
        "estimated share of code mentions in a further interview that would be new is 1%."
    )


def test_suggested_wording_not_reached_and_median_not_reached():
    rep = spec_example_report()
    rep["guest"]["status"] = "not_reached"
    sp = rep["order_effects"]["saturation_points"][0]
    sp.update(median="not_reached", p75="not_reached", proportion_reached=0.3)
    text = suggested_wording(rep)
    assert "saturation was not reached in the 16 interviews analysed." in text
    assert (
        "Across 1,000 random interview orders saturation was reached in 30% of orders, so the median "
        "saturation point was not reached." in text
    )
    rep["guest"]["status"] = "insufficient_data"
    assert (
        "could not be evaluated: 16 interviews are fewer than the base plus one run (6)."
        in suggested_wording(rep)
    )


def test_engine_imports_neither_django_nor_celery_nor_pyplot():
    import subprocess
    import sys

    code = (
        "import sys, workers.stats.saturation, workers.figures.saturation; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery') "
        "or m == 'matplotlib.pyplot'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
