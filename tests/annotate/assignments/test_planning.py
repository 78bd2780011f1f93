"""The plan's arithmetic, without a database."""

import pytest

from annotate.assignments.planning import apportion, distribute, stratified_sample


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [(10, [1, 1, 1], [4, 3, 3]), (4000, [1] * 50, [80] * 50), (7, [2, 1], [5, 2]), (0, [1, 2], [0, 0])],
)
def test_apportion_is_within_one_of_the_fair_share_and_sums_to_the_total(total, weights, expected):
    shares = apportion(total, weights)
    assert shares == expected
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / sum(weights)) < 1


def test_apportion_keeps_floors_and_shares_the_rest():
    # A coder who has already done 6 of 10 keeps them; the other 4 are shared by the other two.
    assert apportion(10, [1, 1, 1], [6, 0, 0]) == [6, 2, 2]


def test_the_sample_represents_every_stratum_and_is_reproducible():
    units = [(i, "NSEW"[i % 4]) for i in range(16)]
    chosen, summary = stratified_sample(units, 0.25, seed=3)
    assert len(chosen) == 4
    assert summary == {"E": (4, 1), "N": (4, 1), "S": (4, 1), "W": (4, 1)}
    assert stratified_sample(units, 0.25, seed=3)[0] == chosen
    assert any(stratified_sample(units, 0.25, seed=s)[0] != chosen for s in range(4, 10))


def test_a_small_stratum_still_gets_one_when_the_sample_allows():
    units = [(i, "big") for i in range(15)] + [(15, "small")]
    chosen, summary = stratified_sample(units, 0.2, seed=1)
    assert 15 in chosen
    assert summary["small"] == (1, 1)
    assert len(chosen) == round(0.2 * 16)


def test_distribute_balances_and_never_gives_one_unit_twice_to_a_coder():
    slots = [(unit, slot) for unit in range(10) for slot in range(3 if unit < 3 else 1)]
    targets = dict(zip([1, 2, 3], apportion(len(slots), [1, 1, 1]), strict=True))
    chosen = distribute(slots, targets, seed=5)
    for unit in range(3):
        assert len({chosen[(unit, s)] for s in range(3)}) == 3
    loads = {c: sum(1 for v in chosen.values() if v == c) for c in targets}
    assert loads == targets


def test_distribute_refuses_what_cannot_be_done():
    with pytest.raises(ValueError, match="more distinct coders"):
        distribute([(1, 0), (1, 1)], {7: 2}, seed=0)
