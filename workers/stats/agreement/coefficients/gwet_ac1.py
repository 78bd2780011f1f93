"""Gwet's AC1: chance-corrected agreement that stays stable when one category is very prevalent."""

from __future__ import annotations

from workers.stats.agreement.coefficients.from_sums import _single
from workers.stats.agreement.reliability_data import RatingsLike
from workers.stats.agreement.results import Coefficient


def gwet_ac1(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Gwet's AC1, robust to the kappa paradox at high prevalence.

    .. math:: AC_1 = \\frac{p_a - p_e}{1 - p_e}, \\quad p_e = \\frac{1}{q-1}\\sum_k \\pi_k (1 - \\pi_k),
              \\quad \\pi_k = \\frac{1}{N}\\sum_u \\frac{n_{uk}}{m_u}

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q`` from the codebook, unused categories included (they change ``p_e`` through ``q - 1``).

    Returns
    -------
    Coefficient
        Undefined without pairable units or when ``q = 1``.

    Notes
    -----
    Missing data: ``p_a`` is taken over pairable units (two or more ratings), ``pi_k`` over every rated
    unit, single-rated units included, so ``N`` in ``pi_k`` counts the units with at least one rating
    (Gwet 2014; irrCAC's ``gwet()`` does the same). References: Gwet, K. L.
    (2008), Br. J. Math. Stat. Psychol. 61, 29-48; Gwet (2014), *Handbook of Inter-Rater Reliability*,
    4th ed., whose 12 units x 4 raters example (one unit rated once) gives ``p_a = 0.81818``,
    ``p_e = 0.19032``, ``AC1 = 0.77544``.

    Examples
    --------
    >>> gwet_ac1([[0, 0], [0, 0], [0, 0], [0, 1]], n_categories=2).value  # p_a = 3/4, p_e = 2(1/8)(7/8)
    0.68
    >>> r = [[0, 0], [0, 1], [1, 1], [1, -1]]  # unit 4 rated once: pi_1 = (0 + 1/2 + 1 + 1) / 4
    >>> round(gwet_ac1(r, n_categories=2).value, 6)  # (2/3 - 2(5/8)(3/8)) / (1 - 2(5/8)(3/8))
    0.372549
    """
    return _single("gwet_ac1", ratings, n_categories)
