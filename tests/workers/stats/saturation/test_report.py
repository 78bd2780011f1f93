"""Tests for workers.stats.saturation.report: the full report and the suggested wording.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from workers.stats.saturation import (
    SaturationInputError,
    saturation_report,
    suggested_wording,
)


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
    assert fp["power_at_n_for_prevalence"] == pytest.approx(1 - 0.9**16, abs=1e-12)  # 0.8147 >= 0.8
    with pytest.raises(SaturationInputError, match="needs both planning_prevalence and planning_power"):
        saturation_report(x, planning_prevalence=0.1)


def test_excluded_interviews_are_recorded_with_a_warning():
    rep = saturation_report(
        np.eye(6, dtype=bool), excluded_interviews=[{"interview": "P07", "reason": "not coded yet"}]
    )
    assert rep["excluded_interviews"] == [{"interview": "P07", "reason": "not coded yet"}]
    warning = next(w for w in rep["warnings"] if w["code"] == "interviews_excluded")
    assert warning["interviews"] == ["P07"]
    assert saturation_report(np.eye(6, dtype=bool))["excluded_interviews"] == []


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
