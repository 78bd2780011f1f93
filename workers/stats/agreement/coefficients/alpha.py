"""Krippendorff's alpha on single labels: any number of coders, missing ratings, four levels of measurement.

From a rating matrix (:func:`krippendorff_alpha`) or from a units x categories count matrix
(:func:`krippendorff_alpha_from_counts`). The docstrings give the formula and the difference functions;
the computation from the coincidence matrix is ``_alpha_parts`` in
:mod:`workers.stats.agreement.coefficients.from_sums`. Alpha on whole code sets (MASI, Jaccard) is in
:mod:`workers.stats.agreement.set_measures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from workers.stats.agreement.coefficients.from_sums import _from_counts, _single
from workers.stats.agreement.reliability_data import Level, RatingsLike, _check_counts, _check_ratings
from workers.stats.agreement.results import Coefficient


def krippendorff_alpha(
    ratings: RatingsLike,
    *,
    n_categories: int,
    level: Level = "nominal",
    values: Sequence[float] | None = None,
) -> Coefficient:
    """Krippendorff's alpha for any number of coders, missing data and four levels of measurement.

    .. math:: \\alpha = 1 - \\frac{D_o}{D_e} = 1 - (n - 1)\\frac{\\sum_{c,k} o_{ck}\\,\\delta^2_{ck}}
              {\\sum_{c,k} n_c n_k\\,\\delta^2_{ck}}, \\quad
              o_{ck} = \\sum_u \\frac{n_{uc}(n_{uk} - [c = k])}{m_u - 1}

    ``o`` is the coincidence matrix of the ``n`` pairable values, ``n_c`` its marginals. ``delta^2`` is
    nominal ``[c != k]``, ordinal ``(sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2``, interval ``(v_c - v_k)^2`` or
    ratio ``((v_c - v_k)/(v_c + v_k))^2``.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q`` from the codebook.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric. Ordinal uses the category order ``0..q-1``.
    values : sequence of float, optional
        Numeric value of each category for interval/ratio (default: ``0..q-1``; ratio data should pass
        the real values since a ratio scale has a meaningful zero).

    Returns
    -------
    Coefficient
        Undefined without pairable units or when ``D_e = 0`` (fewer than two distinct pairable values).

    Notes
    -----
    Missing data: any pattern; units with one value are not pairable and are dropped. Reference:
    Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School, sec. A-C.

    Examples
    --------
    Krippendorff (2011), sec. C: 4 coders, 12 units, values 1..5 coded 0..4, ``-1`` missing.

    >>> r = [[0, 0, -1, 0], [1, 1, 2, 1], [2, 2, 2, 2], [2, 2, 2, 2], [1, 1, 1, 1], [0, 1, 2, 3],
    ...      [3, 3, 3, 3], [0, 0, 1, 0], [1, 1, 1, 1], [-1, 4, 4, 4], [-1, -1, 0, 0], [-1, -1, 2, -1]]
    >>> round(krippendorff_alpha(r, n_categories=5).value, 3)
    0.743
    >>> round(krippendorff_alpha(r, n_categories=5, level="interval").value, 3)
    0.849
    """
    v = _check_ratings(ratings, n_categories)
    vals = None if values is None else np.asarray(values, dtype=np.float64)
    if vals is not None and vals.shape != (n_categories,):
        raise ValueError(f"values must hold one number per category ({n_categories}), got {vals.shape}")
    return _single("krippendorff_alpha", v, n_categories, level=level, values=vals)


def krippendorff_alpha_from_counts(
    counts: NDArray[np.integer[Any]] | NDArray[np.floating[Any]],
    *,
    level: Level = "nominal",
    values: Sequence[float] | None = None,
) -> Coefficient:
    """Krippendorff's alpha from a units x categories count matrix ``n_uk`` built once.

    Same formula, conventions and missing-data handling as :func:`krippendorff_alpha` (a unit's count
    row sums to its number of ratings ``m_u``; rows summing to less than 2 are dropped); ``q`` is the
    number of columns. ``n_coders`` in the result is the largest ``m_u``.

    Parameters
    ----------
    counts : array, shape (n_units, q)
        How many coders put unit ``u`` in category ``k``.
    level, values
        As in :func:`krippendorff_alpha`.

    Returns
    -------
    Coefficient

    Notes
    -----
    Reference: Krippendorff (2011), sec. C (the coincidence matrix is built from the count rows).

    Examples
    --------
    >>> krippendorff_alpha_from_counts([[2, 0], [0, 2], [1, 1], [0, 1]]).value  # 1 - 5 * 2 / (2 * 3 * 3)
    0.4444444444444444
    """
    cm = _check_counts(counts)
    vals = None if values is None else np.asarray(values, dtype=np.float64)
    return _from_counts("krippendorff_alpha", cm, level=level, values=vals)
