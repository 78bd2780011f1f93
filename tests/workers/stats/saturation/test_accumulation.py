"""Tests for workers.stats.saturation.accumulation (§2) against hand-computed and published numbers.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import numpy as np
import pytest

from workers.stats.saturation import (
    accumulation_curve,
)


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
