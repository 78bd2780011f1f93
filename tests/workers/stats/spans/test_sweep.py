"""The sort-by-key shortcuts equal the stable argsorts they replace, on random data full of ties."""

import numpy as np
import pytest

from workers.stats.spans._sweep import Coverage
from workers.stats.spans.coincidence import _by_position


def _direct_integral(starts, ends, q):
    """Covered length with multiplicity left of each q, straight from the definition."""
    return np.array([sum(max(0, min(e, x) - s) for s, e in zip(starts, ends, strict=True)) for x in q])


@pytest.mark.parametrize("seed", range(5))
def test_coverage_equals_the_definition_with_ties(seed):
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, 30, 60)
    ends = starts + rng.integers(1, 8, 60)  # many shared starts and ends
    cover = Coverage(starts, ends)
    q = np.arange(-2, 42)
    assert np.array_equal(cover.integral(q), _direct_integral(starts, ends, q))
    union = Coverage(starts, ends, indicator=True)
    covered = np.zeros(45, dtype=bool)
    for s, e in zip(starts, ends, strict=True):
        covered[s:e] = True
    assert np.array_equal(union.integral(q), [covered[: max(x, 0)].sum() for x in q])


@pytest.mark.parametrize("seed", range(5))
def test_by_position_is_a_stable_argsort(seed):
    rng = np.random.default_rng(seed)
    gs = rng.integers(0, 50, 400)
    rows = np.flatnonzero(rng.random(400) < 0.5)
    assert np.array_equal(_by_position(gs, rows), rows[np.argsort(gs[rows], kind="stable")])
    assert _by_position(gs, rows[:0]).shape == (0,)
