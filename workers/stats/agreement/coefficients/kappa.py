"""The kappa family: Cohen (weighted), Scott's pi, Fleiss, Light, Conger and Brennan-Prediger.

Each function's docstring gives its formula, how it treats missing ratings, and its reference. Fleiss'
kappa can also be computed from a units x categories count matrix (:func:`fleiss_kappa_from_counts`),
with an exact two-pass path for complete data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from workers.stats.agreement.coefficients.from_sums import _from_counts, _single
from workers.stats.agreement.reliability_data import RatingsLike, Weights, _check_counts
from workers.stats.agreement.results import _CHANCE_ONE, Coefficient, _reason_text


def cohen_kappa(ratings: RatingsLike, *, n_categories: int, weights: Weights = None) -> Coefficient:
    """Cohen's kappa for two coders, unweighted or with linear/quadratic weights.

    .. math:: \\kappa = 1 - \\frac{\\sum_{ij} d_{ij} o_{ij}}{\\sum_{ij} d_{ij} e_{ij}}

    where ``o`` is the contingency table of the ``N`` jointly rated units, ``e_ij = r_i c_j / N`` its
    expectation from each coder's own marginals, and ``d_ij`` the disagreement weight: ``[i != j]``
    (Cohen 1960), ``|i - j|`` (linear) or ``(i - j)^2`` (quadratic; Cohen 1968) on category positions.
    Equivalent to ``(p_o - p_e)/(1 - p_e)`` with agreement weights ``1 - d_ij / max(d)``.

    Parameters
    ----------
    ratings : array of int, shape (n_units, 2)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q``; unused categories only matter for the weights' positions.
    weights : {None, "linear", "quadratic"}
        Disagreement weights.

    Returns
    -------
    Coefficient
        Undefined when there are not exactly two coders, no jointly rated unit, or ``p_e = 1``.

    Notes
    -----
    Missing data: only units rated by both coders are used. References: Cohen, J. (1960), Educ. Psychol.
    Meas. 20, 37-46; Cohen, J. (1968), Psychol. Bull. 70, 213-220.

    Examples
    --------
    >>> r = [[0, 0]] * 20 + [[0, 1]] * 5 + [[1, 0]] * 10 + [[1, 1]] * 15  # Wikipedia's example
    >>> round(cohen_kappa(r, n_categories=2).value, 4)
    0.4
    """
    return _single("cohen_kappa", ratings, n_categories, weights=weights)


def scott_pi(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Scott's pi for two coders: chance agreement from the pooled marginals.

    .. math:: \\pi = \\frac{p_o - p_e}{1 - p_e}, \\quad p_e = \\sum_k \\left(\\frac{n_{1k}+n_{2k}}{2N}\\right)^2

    Parameters
    ----------
    ratings : array of int, shape (n_units, 2)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q``, the number of categories in the codebook.

    Returns
    -------
    Coefficient
        Undefined without exactly two coders, without jointly rated units, or when ``p_e = 1``.

    Notes
    -----
    Missing data: only jointly rated units. Equals :func:`fleiss_kappa` for two coders. Reference: Scott,
    W. A. (1955), Public Opinion Quarterly 19, 321-325.

    Examples
    --------
    >>> r = [[0, 0]] * 20 + [[0, 1]] * 5 + [[1, 0]] * 10 + [[1, 1]] * 15
    >>> round(scott_pi(r, n_categories=2).value, 6)  # p_o = 0.7, p_e = 0.55^2 + 0.45^2 = 0.505
    0.393939
    """
    return _single("scott_pi", ratings, n_categories)


def fleiss_kappa(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Fleiss' kappa for any number of coders.

    .. math:: \\kappa = \\frac{\\bar P - \\bar P_e}{1 - \\bar P_e}, \\quad
              \\bar P_e = \\sum_k \\pi_k^2, \\quad \\pi_k = \\frac{1}{N}\\sum_u \\frac{n_{uk}}{m_u}

    with ``\\bar P`` the :func:`percent_agreement`. On complete data (``m_u = m``) this is Fleiss (1971)
    exactly; with missing ratings it is Gwet's (2014, sec. 5.2) generalisation over pairable units.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q``, the number of categories in the codebook.

    Returns
    -------
    Coefficient
        Undefined without pairable units or when every rating is the same category.

    Notes
    -----
    Reference: Fleiss, J. L. (1971), Psychol. Bull. 76, 378-382.

    Examples
    --------
    >>> round(fleiss_kappa([[0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 0, 1]], n_categories=2).value, 4)
    0.3333
    """
    return _single("fleiss_kappa", ratings, n_categories)


def light_kappa(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Light's kappa: the mean of Cohen's kappa over all coder pairs.

    .. math:: \\kappa_L = \\binom{c}{2}^{-1} \\sum_{g<h} \\kappa_{gh}

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q``, the number of categories in the codebook.

    Returns
    -------
    Coefficient
        Undefined when no pair of coders shares a unit, or when a sharing pair's kappa is undefined.

    Notes
    -----
    Missing data: each pair's kappa uses the units both coders rated; pairs that share no unit are left
    out of the mean. Reference: Light, R. J. (1971), Psychol. Bull. 76, 365-377.

    Examples
    --------
    >>> r = [[0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 0, 1]]  # pairwise kappas 1/2, 1/2, 1/5
    >>> round(light_kappa(r, n_categories=2).value, 4)
    0.4
    """
    return _single("light_kappa", ratings, n_categories)


def conger_kappa(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Conger's kappa: Fleiss' ``p_a`` with chance agreement averaged over pairs of coders' marginals.

    .. math:: p_e = \\frac{1}{c(c-1)} \\sum_{g \\ne h} \\sum_k p_{gk} p_{hk}

    with ``p_gk`` the share of coder ``g``'s pairable ratings in category ``k``. For two coders it is
    Cohen's kappa.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q``, the number of categories in the codebook.

    Returns
    -------
    Coefficient
        Undefined without pairable units or when ``p_e = 1``.

    Notes
    -----
    Missing data: pairable units only; ``p_gk`` over the pairable units coder ``g`` rated (irrCAC uses all
    units ``g`` rated; identical on complete data). Reference: Conger, A. J. (1980), Psychol. Bull. 88,
    322-328.

    Examples
    --------
    >>> r = [[0, 0, 0], [0, 0, 1], [1, 1, 1], [1, 0, 1]]  # p_a = 2/3, p_e = (1/2 + 1/2 + 3/8)/3
    >>> round(conger_kappa(r, n_categories=2).value, 4)
    0.3846
    """
    return _single("conger_kappa", ratings, n_categories)


def brennan_prediger(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Brennan-Prediger coefficient (Randolph's free-marginal kappa on complete data).

    .. math:: BP = \\frac{p_a - 1/q}{1 - 1/q}

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q`` from the codebook.

    Returns
    -------
    Coefficient
        Undefined without pairable units or when ``q = 1``.

    Notes
    -----
    Reference: Brennan, R. L. & Prediger, D. J. (1981), Educ. Psychol. Meas. 41, 687-699.

    Examples
    --------
    >>> brennan_prediger([[0, 0], [0, 0], [0, 0], [0, 1]], n_categories=2).value
    0.5
    """
    return _single("brennan_prediger", ratings, n_categories)


def fleiss_kappa_from_counts(counts: NDArray[np.integer[Any]] | NDArray[np.floating[Any]]) -> Coefficient:
    """Fleiss' kappa from a units x categories count matrix (as :func:`fleiss_kappa`).

    Parameters
    ----------
    counts : array, shape (n_units, q)
        How many coders put unit ``u`` in category ``k``.

    Returns
    -------
    Coefficient

    Notes
    -----
    Reference: Fleiss (1971); Gwet (2014) for rows with different totals.

    Examples
    --------
    >>> round(fleiss_kappa_from_counts([[3, 0], [2, 1], [0, 3], [1, 2]]).value, 4)
    0.3333
    """
    cm = _check_counts(counts)
    fast = _fleiss_complete_counts(cm)
    return fast if fast is not None else _from_counts("fleiss_kappa", cm)


def _fleiss_complete_counts(cm: NDArray[Any]) -> Coefficient | None:
    """Fleiss (1971) on complete integer data (every row sums to the same m >= 2), in two passes.

    With a constant m, P-bar = (sum n_uk^2 - N m) / (N m (m - 1)) and p_k = n_.k / (N m): one sum of
    squares and one column sum, in exact integer arithmetic, instead of the general (missing-data) path.
    Returns None when the fast path does not apply.
    """
    if cm.dtype.kind not in "iu" or cm.shape[0] == 0:
        return None
    c = cm.astype(np.int64, copy=False)
    # einsum reductions: numpy's sum(axis=...) is several times slower on narrow (units x q) matrices.
    m = np.einsum("ij->i", c)
    n_coders = int(m[0])
    if n_coders < 2 or not bool((m == n_coders).all()):
        return None
    n_units = cm.shape[0]
    sum_squares = int(np.einsum("ij,ij->", c, c))
    column_totals = np.einsum("ij->j", c)
    total = n_units * n_coders
    p_a = (sum_squares - total) / (total * (n_coders - 1))
    p_k = column_totals / total
    p_e = float(p_k @ p_k)
    value: float | None = None
    reason: str | None = None
    if p_e >= 1.0:
        reason = _reason_text(_CHANCE_ONE, n_coders)
    else:
        value = (p_a - p_e) / (1.0 - p_e)
    return Coefficient(
        name="fleiss_kappa",
        value=value,
        reason=reason,
        n_units=n_units,
        n_pairable_units=n_units,
        n_coders=n_coders,
        n_pairable_values=total,
    )
