"""Cells a spreadsheet would run as a formula are written as text."""

import csv
import io

import pytest

from annotate.core.spreadsheets import FORMULA_START, SafeCsvWriter, cell_text


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_starting_like_a_formula_gets_an_apostrophe(start):
    assert cell_text(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["P01", "harm reduction", "", "'quoted", "a=b", None, -2, 0.5, True])
def test_other_values_are_unchanged(value):
    assert cell_text(value) == value


def test_the_writer_guards_every_text_cell_and_leaves_numbers():
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\n").writerow(["=1+1", -3, "@SUM(A1)", "plain", None])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "-3", "'@SUM(A1)", "plain", ""]]
