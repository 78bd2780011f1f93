"""Kappa-paradox diagnostics for binary ratings: prevalence index, bias index and PABAK.

They show when a low kappa comes from skewed prevalence or from coders' different marginals rather than
from disagreement (Byrt, Bishop & Carlin 1993).
"""

from __future__ import annotations

import math

import numpy as np

from workers.stats.agreement.coefficients.from_sums import _safe_div
from workers.stats.agreement.reliability_data import F64, RatingsLike, _check_ratings
from workers.stats.agreement.sufficient_statistics import _blocks_for, _point_sums


def kappa_paradox_diagnostics(ratings: RatingsLike) -> dict[str, float | None]:
    """Prevalence index, bias index and PABAK for binary ratings (Byrt, Bishop & Carlin 1993).

    .. math:: PI = |\\pi_1 - \\pi_0|, \\quad BI = \\overline{|p_{g1} - p_{h1}|}, \\quad PABAK = 2p_o - 1

    For two coders with the 2x2 table ``[[a, b], [c, d]]`` of ``N`` jointly rated units these are
    ``|a - d|/N``, ``|b - c|/N`` and ``2(a + d)/N - 1``; with more coders ``pi`` is pooled over pairable
    values, the bias index is the mean over coder pairs, and ``p_o`` is the percent agreement.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        0/1 per cell, :data:`MISSING` for no rating.

    Returns
    -------
    dict
        ``prevalence_index``, ``bias_index``, ``pabak``; ``None`` each when there is no pairable unit.

    Notes
    -----
    Reference: Byrt, T., Bishop, J. & Carlin, J. B. (1993), J. Clin. Epidemiol. 46, 423-429.

    Examples
    --------
    >>> r = [[1, 1]] * 40 + [[1, 0]] * 9 + [[0, 1]] * 6 + [[0, 0]] * 45
    >>> kappa_paradox_diagnostics(r)
    {'prevalence_index': 0.05, 'bias_index': 0.03, 'pabak': 0.7}
    """
    v = _check_ratings(ratings, 2)
    sums = _point_sums(v, 2, _blocks_for(["percent_agreement", "light_kappa"]))
    out = _diagnostics(sums)
    return {k: (None if math.isnan(float(x)) else float(x)) for k, x in out.items()}


def _diagnostics(sums: dict[str, F64]) -> dict[str, F64]:
    n = sums["counts"].sum(axis=-1)
    prev = np.abs(_safe_div(sums["counts"][..., 1] - sums["counts"][..., 0], n))
    t = sums["pair_tables"]
    nt = t.sum(axis=(-1, -2))
    has = nt > 0
    bias_pairs = np.abs(_safe_div(t[..., 0, 1] - t[..., 1, 0], nt))
    bias = _safe_div(np.where(has, np.nan_to_num(bias_pairs), 0.0).sum(axis=-1), has.sum(axis=-1) * 1.0)
    pabak = 2.0 * _safe_div(sums["pa"], sums["N"]) - 1.0
    return {"prevalence_index": prev, "bias_index": bias, "pabak": pabak}
