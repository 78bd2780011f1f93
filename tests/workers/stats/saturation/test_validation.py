"""Tests for workers.stats.saturation.validation: exact thresholds and the incidence checks.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from workers.stats.saturation import (
    SaturationInputError,
    accumulation_curve,
    parse_threshold,
)


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


def test_integer_segment_counts_are_presence():
    assert accumulation_curve([[3, 0], [0, 7]])["new_codes"] == [1, 1]


def test_incidence_must_be_2d():
    with pytest.raises(
        SaturationInputError,
        match=r"^invalid_incidence: incidence must be a 2-D interviews x codes array, got 1-D$",
    ):
        accumulation_curve([1, 0, 1])
