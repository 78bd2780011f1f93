"""Agreement without chance correction: percent agreement and Holsti's coefficient of reliability."""

from __future__ import annotations

from workers.stats.agreement.coefficients.from_sums import _single
from workers.stats.agreement.reliability_data import RatingsLike
from workers.stats.agreement.results import Coefficient


def percent_agreement(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Percent agreement: the mean share of agreeing ordered pairs of ratings per pairable unit.

    .. math:: p_a = \\frac{1}{N} \\sum_u \\frac{\\sum_k n_{uk}(n_{uk}-1)}{m_u(m_u-1)}

    over the ``N`` units rated by ``m_u >= 2`` coders, ``n_uk`` of whom chose category ``k``. With two
    coders it is the share of jointly rated units with the same label.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index ``0..q-1`` per cell, :data:`MISSING` (-1) for no rating.
    n_categories : int
        ``q``, the number of categories in the codebook (unused ones included).

    Returns
    -------
    Coefficient
        Undefined only when no unit is pairable.

    Notes
    -----
    Missing data: units with fewer than two ratings are dropped. Reference: Krippendorff (2011);
    Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2.

    Examples
    --------
    >>> percent_agreement([[0, 0], [0, 1], [1, 1], [1, -1]], n_categories=2).value
    0.6666666666666666
    """
    return _single("percent_agreement", ratings, n_categories)


def holsti(ratings: RatingsLike, *, n_categories: int) -> Coefficient:
    """Holsti's coefficient of reliability for two coders, as ATLAS.ti reports it.

    .. math:: CR = \\frac{2M}{N_1 + N_2}

    ``M`` is the number of units both coders rated with the same category, ``N_1`` and ``N_2`` the
    numbers of units each coder rated (all of them, including units the other coder did not rate). On
    complete data it equals the percent agreement.

    Parameters
    ----------
    ratings : array of int, shape (n_units, 2)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q``, the number of categories in the codebook.

    Returns
    -------
    Coefficient
        Undefined (reason) unless there are exactly two coders and at least one jointly rated unit.

    Notes
    -----
    Reference: Holsti, O. R. (1969), *Content Analysis for the Social Sciences and Humanities*, p. 140.

    Examples
    --------
    >>> holsti([[0, 0], [0, 1], [1, 1], [1, -1]], n_categories=2).value  # 2*2 / (4 + 3)
    0.5714285714285714
    """
    return _single("holsti", ratings, n_categories)
