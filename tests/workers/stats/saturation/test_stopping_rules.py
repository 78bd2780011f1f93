"""Tests for workers.stats.saturation.stopping_rules: Guest et al. (2020) (§3) and Francis et al. (2010) (§6).

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.stats.saturation import (
    SaturationInputError,
    francis_stopping_rule,
    guest_saturation,
    guest_sensitivity_grid,
)


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
    assert g["first_run_percent"] == 19  # "7/37 = 19% > 5%", as the paper reports it
    assert g["status"] == "not_reached"


@pytest.mark.parametrize(
    ("base", "run_new", "percent"),
    [(40, 1, 3), (40, 3, 8), (8, 1, 13), (200, 1, 1), (200, 3, 2), (37, 0, 0)],  # 2.5, 7.5, 12.5, .5, 1.5: up
)
def test_guest_first_run_percent_rounds_halves_up(base, run_new, percent):
    g = guest_saturation([base, 0, 0, 0, run_new, 0])
    assert g["first_run_percent"] == percent
    assert guest_saturation([base, 0, 0])["first_run_percent"] is None  # no run: insufficient data


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
