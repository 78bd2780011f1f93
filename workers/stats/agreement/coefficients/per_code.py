"""Every measure for every code of multi-code data, in one vectorised pass over the per-code binary view.

A code's binary view puts 1 where the code is in a coder's set for a unit, 0 where the coder rated the
unit without it, and :data:`MISSING` where the coder did not rate the unit; each code's value equals the
single-label function applied to that view (:meth:`MultiCodeRatings.binary`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workers.stats.agreement.coefficients.from_sums import _coefficient_arrays
from workers.stats.agreement.reliability_data import F64, I64, MultiCodeRatings, _pc_counts
from workers.stats.agreement.results import (
    _CHANCE_ONE,
    _NO_VARIATION,
    _OK,
    _REASONS,
    MEASURES,
    REASON_CODE_EVERYWHERE,
    REASON_CODE_NEVER_USED,
    REASON_CODE_NOT_ON_PAIRABLE,
    Coefficient,
    _reason_text,
)
from workers.stats.agreement.sufficient_statistics import _NEEDS, _blocks_for, _PerCodeEngine, _split


def _per_code_reasons(code: I64, counts: F64, n_applied: I64, n_coders: int) -> list[str | None]:
    """Per-code wording of the undefined cases (AGREEMENT.md: "code never used" / "used on every unit")."""
    out: list[str | None] = []
    for i, cd in enumerate(code.tolist()):
        if cd in (_NO_VARIATION, _CHANCE_ONE):
            if n_applied[i] == 0:
                out.append(REASON_CODE_NEVER_USED)
            elif counts[i, 1] == 0:
                out.append(REASON_CODE_NOT_ON_PAIRABLE)
            elif counts[i, 0] == 0:
                out.append(REASON_CODE_EVERYWHERE)
            else:
                out.append(_REASONS[cd])
        else:
            out.append(_reason_text(cd, n_coders))
    return out


def per_code_coefficients(
    ratings: MultiCodeRatings, *, measures: Sequence[str] | None = None
) -> dict[str, list[Coefficient]]:
    """Every measure for every code at once, on the per-code binary view (1 = code in the rating's set).

    All codes are computed in one vectorised pass: a unit's per-code statistics depend only on its
    pattern (who rated it, who applied the code), so sums over units are sums over a few distinct
    patterns per code plus a base shared by all codes (see ``_PerCodeEngine`` in
    ``sufficient_statistics.py``).

    Parameters
    ----------
    ratings : MultiCodeRatings
        The multi-code ratings.
    measures : sequence of str, optional
        Subset of :data:`MEASURES` (default: all). Binary data has ``q = 2``.

    Returns
    -------
    dict
        ``{measure: [Coefficient for code 0, ..., code K-1]}``. Undefined codes carry the reason
        ``"code never used"``, ``"code never used on a pairable unit"`` or ``"code used on every unit"``.

    Notes
    -----
    Missing data and formulas as in the single-label functions; each code's value equals the single-label
    function applied to :meth:`MultiCodeRatings.binary`.

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0}], [{0, 1}, {0}], [set(), set()], [{1}, {1}]], n_codes=3)
    >>> res = per_code_coefficients(r, measures=["krippendorff_alpha", "percent_agreement"])
    >>> [c.value for c in res["percent_agreement"]]
    [1.0, 0.75, 1.0]
    >>> [c.reason for c in res["krippendorff_alpha"]]
    [None, None, 'code never used']
    """
    names = list(MEASURES if measures is None else measures)
    for name in names:
        if name not in _NEEDS:
            raise ValueError(f"unknown measure {name!r}; expected one of {', '.join(MEASURES)}")
    blocks = _blocks_for(names)
    eng = _PerCodeEngine(ratings, blocks)
    sums = _split(eng.point(), 2, ratings.n_coders, blocks)
    n_applied = np.bincount(ratings.coding_code, minlength=ratings.n_codes)
    counts = _pc_counts(ratings)
    out: dict[str, list[Coefficient]] = {}
    for m in names:
        val, code = _coefficient_arrays(m, sums, q=2, c=ratings.n_coders)
        reasons = _per_code_reasons(code, sums["counts"], n_applied, ratings.n_coders)
        out[m] = [
            Coefficient(m, None if code[i] != _OK else float(val[i]), reasons[i], *counts)
            for i in range(ratings.n_codes)
        ]
    return out
