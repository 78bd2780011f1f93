"""Tests for workers.stats.saturation.incidence: incidence matrix, analysis order, subtrees and themes.

Every expected value below is worked out by hand in the comment next to it (or by an
independent brute-force implementation written in this file), never copied from the engine.
"""

from __future__ import annotations

import pytest

from workers.stats.saturation import (
    SaturationInputError,
    analysis_order,
    collapse_to_themes,
    filter_subtree,
    incidence_matrix,
)


def test_incidence_matrix_from_sets():
    m, labels = incidence_matrix([{"b", "a"}, set(), {"c"}])
    assert labels == ["a", "b", "c"]
    assert m.tolist() == [[True, True, False], [False, False, False], [False, False, True]]
    with pytest.raises(SaturationInputError, match=r"^unknown_code: code 'z' is not in code_labels$"):
        incidence_matrix([{"z"}], code_labels=["a"])


def test_analysis_order_by_conducted_date_then_pk_never_label():
    # labels would be P3, P10, P2 ; P10 < P3 as strings, so labels must not be the tie-break
    pks = [3, 10, 2, 7]
    dates = ["2024-03-01", "2024-01-10", "2024-01-10", None]
    order, used = analysis_order(pks, conducted_on=dates)
    assert used == "conducted"
    assert order == [2, 1, 0, 3]  # 2024-01-10 (pk 2, pk 10), 2024-03-01, missing last


def test_analysis_order_by_sequence_and_duplicates():
    assert analysis_order([1, 2, 3], sequence=[3, 1, 2], order_by="sequence") == ([1, 2, 0], "sequence")
    with pytest.raises(
        SaturationInputError,
        match=r"^duplicate_sequence: each interview needs its own sequence number; "
        r"duplicated: 2 on interviews \[1, 3\]$",
    ):
        analysis_order([1, 2, 3], sequence=[2, 1, 2], order_by="sequence")
    # ordering by sequence on request needs one on every interview
    with pytest.raises(SaturationInputError, match=r"^incomplete_sequence: .* missing: \[4\]$"):
        analysis_order([5, 4], sequence=[1, None], order_by="sequence")


def test_explicit_sequence_wins_over_conducted_date_by_default():
    pks, dates = [1, 2, 3], ["2024-01-01", "2024-02-01", "2024-03-01"]
    # by date the order would be 1, 2, 3; the PI's sequence says 3, 1, 2
    assert analysis_order(pks, sequence=[2, 3, 1], conducted_on=dates) == ([2, 0, 1], "sequence")
    # ... and the duplicate is refused by default too, not tie-broken by date
    with pytest.raises(SaturationInputError, match=r"^duplicate_sequence: "):
        analysis_order(pks, sequence=[1, 1, 2], conducted_on=dates)
    # without a sequence on every interview the default falls back to the date, and says so
    assert analysis_order(pks, sequence=[2, None, 1], conducted_on=dates) == ([0, 1, 2], "conducted")
    # the conducted order on request ignores the sequence, duplicates included
    assert analysis_order(pks, sequence=[1, 1, 2], conducted_on=dates, order_by="conducted") == (
        [0, 1, 2],
        "conducted",
    )


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
