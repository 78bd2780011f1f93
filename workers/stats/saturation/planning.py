"""Planning calculators: how many interviews to see a theme, or all observed codes (specification §8).

Fugard & Potts (2015): the sample size that sees a theme of given prevalence at least ``k`` times with
given power, and the smallest prevalence a study of ``N`` interviews detects; and the plug-in probability
that every observed code is seen in ``n`` interviews (after van Rijnsoever 2017).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from workers.stats.saturation.validation import JSONDict, SaturationInputError, _as_incidence, _positive_int

PLUGIN_LABEL = "ignores unseen codes, therefore optimistic"


def _check_probability(value: float, name: str, *, closed_right: bool = False) -> float:
    v = float(value)
    ok = 0.0 < v <= 1.0 if closed_right else 0.0 < v < 1.0
    if not ok or isinstance(value, bool):
        interval = "(0, 1]" if closed_right else "(0, 1)"
        raise SaturationInputError("invalid_parameter", f"{name} must be in {interval}, got {value!r}")
    return v


def fugard_potts_sample_size(prevalence: float, *, power: float, min_occurrences: int = 1) -> int:
    """Smallest number of interviews that sees a theme at least ``k`` times with given power.

    With ``X ~ Binomial(n, p)`` the number of interviews in which a theme of population
    prevalence ``p`` appears, ``n_min = min{n : P(X >= k) >= power}``. For ``k = 1`` this is
    ``ceil(ln(1 - power) / ln(1 - p))``.

    Parameters
    ----------
    prevalence : float in (0, 1]
    power : float in (0, 1)
    min_occurrences : int >= 1
        ``k``.

    Returns
    -------
    int

    References
    ----------
    Fugard, A. J. B., & Potts, H. W. W. (2015). Supporting thinking on sample sizes for
    thematic analyses: a quantitative tool. *Int J Soc Res Methodol* 18(6): 669-684.

    Examples
    --------
    >>> fugard_potts_sample_size(0.1, power=0.8), fugard_potts_sample_size(0.1, power=0.8, min_occurrences=2)
    (16, 29)
    """
    p = _check_probability(prevalence, "prevalence", closed_right=True)
    pw = _check_probability(power, "power")
    k = _positive_int(min_occurrences, "min_occurrences")

    def enough(n: int) -> bool:
        return bool(stats.binom.sf(k - 1, n, p) >= pw)

    hi = k
    while not enough(hi):
        hi *= 2
    lo = max(k - 1, hi // 2)  # enough(lo) is False (or lo < k)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid
    return hi


def fugard_potts_power(n_interviews: int, prevalence: float, *, min_occurrences: int = 1) -> float:
    """Probability that a theme of prevalence ``p`` appears in at least ``k`` of ``n`` interviews.

    ``P(X >= k)`` with ``X ~ Binomial(n, p)``; for ``k = 1``, ``1 - (1 - p)^n``. At the smallest
    sample of :func:`fugard_potts_sample_size` it is the power actually reached, at least the power
    asked for.

    Parameters
    ----------
    n_interviews : int >= 1
    prevalence : float in (0, 1]
    min_occurrences : int >= 1

    Returns
    -------
    float

    References
    ----------
    Fugard & Potts (2015), *Int J Soc Res Methodol* 18(6): 669-684.

    Examples
    --------
    16 interviews see a theme of prevalence 10% at least once with probability 1 - 0.9^16:

    >>> round(fugard_potts_power(16, 0.1), 4), round(fugard_potts_power(29, 0.1, min_occurrences=2), 4)
    (0.8147, 0.8011)
    """
    n = _positive_int(n_interviews, "n_interviews")
    p = _check_probability(prevalence, "prevalence", closed_right=True)
    k = _positive_int(min_occurrences, "min_occurrences")
    return float(stats.binom.sf(k - 1, n, p))


def fugard_potts_min_prevalence(n_interviews: int, *, power: float, min_occurrences: int = 1) -> float:
    """Smallest theme prevalence seen at least ``k`` times in ``N`` interviews with given power.

    Solves ``P(X >= k) = power`` for ``p`` with ``X ~ Binomial(N, p)`` (Brent's method to
    1e-14); for ``k = 1`` the closed form is ``p = 1 - (1 - power)^(1/N)``.

    Parameters
    ----------
    n_interviews : int >= min_occurrences
    power : float in (0, 1)
    min_occurrences : int >= 1

    Returns
    -------
    float

    References
    ----------
    Fugard & Potts (2015), *Int J Soc Res Methodol* 18(6): 669-684.

    Examples
    --------
    With 16 interviews and 80% power, any theme held by at least 9.57% of the population is
    seen at least once:

    >>> round(100 * fugard_potts_min_prevalence(16, power=0.8), 2)
    9.57
    """
    n = _positive_int(n_interviews, "n_interviews")
    pw = _check_probability(power, "power")
    k = _positive_int(min_occurrences, "min_occurrences")
    if n < k:
        raise SaturationInputError(
            "invalid_parameter", f"n_interviews ({n}) must be >= min_occurrences ({k})"
        )

    def gap(p: float) -> float:
        return float(stats.binom.sf(k - 1, n, p)) - pw

    root = optimize.brentq(gap, 1e-300, 1.0, xtol=1e-14, rtol=4 * np.finfo(float).eps)
    return float(root)


def plugin_all_codes(
    incidence: npt.ArrayLike, *, target: float = 0.8, max_interviews: int = 100_000
) -> JSONDict:
    """Plug-in probability that every observed code is seen in ``n`` random interviews.

    With ``p_k = Y_k / N``, ``P(n) = prod_k [1 - (1 - p_k)^n]``; reported at ``n = N`` and
    the smallest ``n`` with ``P(n) >= target``. It ignores unseen codes, so it is optimistic.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    target : float in (0, 1)
    max_interviews : int
        Search limit for ``n_for_target``.

    Returns
    -------
    dict
        ``{"method": "plugin_all_codes", "label", "status", "target",
        "probability_at_n", "n_for_target"}``.

    References
    ----------
    van Rijnsoever, F. J. (2017). (I can't get no) saturation: a simulation and guidelines
    for sample sizes in qualitative research. *PLoS ONE* 12(7): e0181689.

    Examples
    --------
    Two codes each in half of 2 interviews: P(n) = (1 - 0.5^n)^2, 0.5625 at n = 2, 0.8789 at 4.

    >>> r = plugin_all_codes([[1, 0], [0, 1]])
    >>> r["probability_at_n"], r["n_for_target"]
    (0.5625, 4)
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    tgt = _check_probability(target, "target")
    y = x.sum(axis=0)
    y = y[y > 0]
    out: JSONDict = {
        "method": "plugin_all_codes",
        "label": PLUGIN_LABEL,
        "status": "ok",
        "target": tgt,
        "probability_at_n": None,
        "n_for_target": None,
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if y.size == 0:
        out["status"] = "no_codes"
        return out
    miss = 1.0 - y / n  # 1 - p_k

    def prob(m: int) -> float:
        return float(np.prod(1.0 - miss**m))

    out["probability_at_n"] = prob(n)
    hi = 1
    while prob(hi) < tgt and hi < max_interviews:
        hi *= 2
    if prob(hi) >= tgt:
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if prob(mid) >= tgt:
                hi = mid
            else:
                lo = mid
        out["n_for_target"] = hi
    return out
