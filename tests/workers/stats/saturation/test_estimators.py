"""Tests for workers.stats.saturation.estimators: Chao2 and coverage (§5), the M0 model (§7).

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import numpy as np
import pytest

from workers.stats.saturation import (
    homogeneous_detection_model,
    incidence_estimators,
)

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
    # Every code in every interview: the likelihood has no interior maximum (p -> 1): undefined, not 1.
    full = homogeneous_detection_model(np.ones((4, 3), dtype=bool))
    assert full["status"] == "undefined"
    assert "not identifiable" in full["reason"]
    assert full["p_hat"] is None
    assert full["saturation"] is None
    assert full["estimated_total_codes"] is None
    assert full["interviews_for_target"] == {"0.90": None, "0.95": None}
    assert full["expected_new_codes_next_interview"] is None
    # one interview short of every code everywhere is an ordinary estimate
    near = np.ones((4, 3), dtype=bool)
    near[0, 0] = False
    assert homogeneous_detection_model(near)["status"] == "ok"
    assert homogeneous_detection_model([[1, 1]])["status"] == "insufficient_data"
    assert homogeneous_detection_model(np.zeros((3, 1), dtype=bool))["status"] == "no_codes"
    assert (
        homogeneous_detection_model([[1, 1, 0], [1, 0, 1]])["label"]
        == "homogeneous-detection model (Lowe-type)"
    )
