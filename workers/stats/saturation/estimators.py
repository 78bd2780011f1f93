"""How many codes are still unseen: incidence richness estimators and a capture-recapture model.

Chao2 (Chao 1987) and its bias-corrected form, sample coverage (Chao & Jost 2012), the expected new
codes in a further interview and the first-order jackknife (Burnham & Overton 1978), specification §5;
and the homogeneous-detection (capture-recapture M0, "Lowe-type") model, §7 (Otis et al. 1978; Lowe et
al. 2018).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy.typing as npt

from workers.stats.saturation.validation import (
    JSONDict,
    SaturationInputError,
    ThresholdLike,
    _as_incidence,
    _warning,
    parse_threshold,
)

ESTIMATOR_CAVEAT = (
    "These estimators are lower bounds when codes differ in prevalence, and they assume that "
    "interviews are exchangeable random draws. Purposive or theoretical sampling violates this, "
    "so treat the numbers as indicative."
)
M0_LABEL = "homogeneous-detection model (Lowe-type)"
M0_UNDEFINED = (
    "Every code occurs in every interview: the detection probability is estimated at its bound "
    "(p = 1), where the zero-truncated binomial likelihood has no interior maximum, so the number "
    "of unseen codes and the saturation are not identifiable from these data."
)
M0_CAVEAT = (
    "A single detection probability for every code overstates saturation when code prevalences "
    "vary; use the Chao2 estimate for the headline figure and this model as a planning aid."
)


def incidence_estimators(incidence: npt.ArrayLike) -> JSONDict:
    """Chao2, bias-corrected Chao2, sample coverage, expected new codes, first-order jackknife.

    Each interview is a sampling unit and each code a "species" (incidence data). With
    ``Q1``/``Q2`` the codes found in exactly one/two interviews, ``U = sum_k Y_k`` and
    ``a = (N - 1) / N``::

        Q0   = a Q1^2 / (2 Q2)                if Q2 > 0
             = a Q1 (Q1 - 1) / 2              if Q2 = 0
        Chao2 = S_obs + Q0,   completeness = S_obs / Chao2
        Chao2_bc = S_obs + a Q1 (Q1 - 1) / (2 (Q2 + 1))
        A = N Q0 / (N Q0 + Q1)  (1 if Q1 = 0),   coverage C = 1 - (Q1 / U) A
        expected new codes in interview N+1 = Q0 Q1 / (N Q0 + Q1)   (0 if the denominator is 0)
        jackknife1 = S_obs + Q1 (N - 1) / N

    Everything is computed in exact rational arithmetic and returned as floats. Empty
    interviews count in ``N``. ``coverage_deficit = 1 - C`` is "the estimated share of code
    mentions in the next interview that would be codes not yet seen".

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)

    Returns
    -------
    dict
        ``status`` ``ok``, ``insufficient_data`` (N < 2), ``no_codes`` or ``no_interviews``;
        warnings ``few_data`` when ``N < 5`` or ``S_obs < 5`` and when ``Q1 = 1, Q2 = 0``.

    References
    ----------
    Chao, A. (1987). *Biometrics* 43: 783-791; Chao, A., & Jost, L. (2012). *Ecology* 93:
    2533-2547; Chao, A., Gotelli, N. J., et al. (2014). *Ecol Monogr* 84: 45-67; Burnham, K.
    P., & Overton, W. S. (1978). *Biometrika* 65: 625-633 (jackknife); formulas as in iNEXT
    (Hsieh, Ma & Chao 2016).

    Examples
    --------
    Y = (1, 1, 1, 2, 2, 3, 5) over N = 5 interviews: Q1 = 3, Q2 = 2, Q0 = 0.8 * 9 / 4 = 1.8.

    >>> rows = [[1, 0, 0, 1, 1, 1, 1], [0, 1, 0, 1, 0, 1, 1], [0, 0, 1, 0, 1, 1, 1],
    ...         [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1]]
    >>> e = incidence_estimators(rows)
    >>> round(e["chao2"], 12), round(e["coverage"], 12), round(e["expected_new_codes_next_interview"], 12)
    (8.8, 0.85, 0.45)
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    y = x.sum(axis=0)
    y = y[y > 0]
    s_obs = int(y.size)
    q1 = int((y == 1).sum())
    q2 = int((y == 2).sum())
    u = int(y.sum())
    out: JSONDict = {
        "status": "ok",
        "n_interviews": n,
        "s_obs": s_obs,
        "u": u,
        "q1": q1,
        "q2": q2,
        "q0": None,
        "chao2": None,
        "chao2_bias_corrected": None,
        "completeness": None,
        "coverage": None,
        "coverage_deficit": None,
        "expected_new_codes_next_interview": None,
        "jackknife1": None,
        "warnings": [],
        "caveat": ESTIMATOR_CAVEAT,
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < 2:
        out["status"] = "insufficient_data"
        return out
    if s_obs == 0:
        out["status"] = "no_codes"
        return out
    a = Fraction(n - 1, n)
    q0 = a * q1 * q1 / (2 * q2) if q2 > 0 else a * q1 * (q1 - 1) / 2
    chao2 = s_obs + q0
    denom = n * q0 + q1
    big_a = n * q0 / denom if q1 > 0 else Fraction(1)
    coverage = 1 - Fraction(q1, u) * big_a
    expected_new = q0 * q1 / denom if denom > 0 else Fraction(0)
    out.update(
        q0=float(q0),
        chao2=float(chao2),
        chao2_bias_corrected=float(s_obs + a * q1 * (q1 - 1) / (2 * (q2 + 1))),
        completeness=float(s_obs / chao2),
        coverage=float(coverage),
        coverage_deficit=float(1 - coverage),
        expected_new_codes_next_interview=float(expected_new),
        jackknife1=float(s_obs + q1 * a),
    )
    if n < 5 or s_obs < 5:
        out["warnings"].append(
            _warning(
                "few_data", f"Few data ({n} interviews, {s_obs} codes): treat the estimates with caution."
            )
        )
    if q1 == 1 and q2 == 0:
        out["warnings"].append(
            _warning(
                "few_data",
                "One singleton and no doubletons: the estimators are degenerate "
                "(Chao2 = observed, coverage = 1).",
            )
        )
    return out


def _one_minus_pow(p: float, n: float) -> float:
    """1 - (1 - p)^n, accurate for small p."""
    if p >= 1.0:
        return 1.0
    return float(-math.expm1(n * math.log1p(-p)))


def homogeneous_detection_model(
    incidence: npt.ArrayLike, *, targets: Sequence[ThresholdLike] = ("0.90", "0.95")
) -> JSONDict:
    """Homogeneous-detection (capture-recapture M0) saturation model, "Lowe-type".

    Each of ``T`` codes appears in each interview independently with probability ``p``, so an
    observed code's incidence is zero-truncated Binomial(N, p). The conditional maximum
    likelihood estimate solves (by bisection on (0, 1) to 1e-12)::

        N p / (1 - (1 - p)^N) = Ybar = U / S_obs
        T = S_obs / (1 - (1 - p)^N),        saturation = 1 - (1 - p)^N = S_obs / T
        interviews for level S* = ceil( ln(1 - S*) / ln(1 - p) )
        expected new codes in the next interview = T p (1 - p)^N

    ``U = S_obs`` (all singletons) is ``unbounded`` (p -> 0); ``U = N S_obs`` (every code in every
    interview) is ``undefined`` (p -> 1, the boundary of the parameter space, with ``reason``): the
    data then carry no information on codes not yet seen, so neither ``T`` nor the saturation is
    estimated. This is labelled a Lowe-type model because the exact estimator of Lowe
    et al. (2018) was not available; it overstates saturation when prevalences vary.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    targets : sequence of fractions in (0, 1)
        Saturation levels ``S*`` for ``interviews_for_target`` (keys as given, e.g. "0.90").

    Returns
    -------
    dict
        See the report's JSON shape (``"homogeneous_detection"``) in
        :mod:`workers.stats.saturation.report`.

    References
    ----------
    Lowe, A., Norris, A. C., Farris, A. J., & Babbage, D. R. (2018). Quantifying thematic
    saturation in qualitative data analysis. *Field Methods* 30(3): 191-207. Otis, D. L., et
    al. (1978). Statistical inference from capture data on closed animal populations.
    *Wildlife Monographs* 62 (model M0). Weller, S. C., et al. (2018). *PLoS ONE* 13(6):
    e0198606.

    Examples
    --------
    N = 2, Y = (2, 1, 1): Ybar = 4/3, so 2 / (2 - p) = 4/3 and p = 1/2, T = 3 / 0.75 = 4.

    >>> m = homogeneous_detection_model([[1, 1, 0], [1, 0, 1]])
    >>> round(m["p_hat"], 9), round(m["estimated_total_codes"], 9), m["interviews_for_target"]
    (0.5, 4.0, {'0.90': 4, '0.95': 5})
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    y = x.sum(axis=0)
    y = y[y > 0]
    s_obs = int(y.size)
    u = int(y.sum())
    keys: list[tuple[str, Fraction]] = []
    for t in targets:
        f = parse_threshold(t)
        if f == 0:
            raise SaturationInputError("invalid_parameter", "targets must be in (0, 1)")
        keys.append((t if isinstance(t, str) else str(float(f)), f))
    out: JSONDict = {
        "method": "homogeneous_detection_m0",
        "label": M0_LABEL,
        "status": "ok",
        "n_interviews": n,
        "s_obs": s_obs,
        "u": u,
        "mean_incidence": u / s_obs if s_obs else None,
        "p_hat": None,
        "estimated_total_codes": None,
        "saturation": None,
        "interviews_for_target": {k: None for k, _ in keys},
        "expected_new_codes_next_interview": None,
        "reason": None,
        "caveat": M0_CAVEAT,
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < 2:
        out["status"] = "insufficient_data"
        return out
    if s_obs == 0:
        out["status"] = "no_codes"
        return out
    if u == s_obs:
        out["status"] = "unbounded"
        return out
    if u == n * s_obs:
        out.update(status="undefined", reason=M0_UNDEFINED)
        return out
    ybar = u / s_obs
    lo, hi = 0.0, 1.0
    while hi - lo > 1e-12:
        mid = 0.5 * (lo + hi)
        if n * mid / _one_minus_pow(mid, n) < ybar:
            lo = mid
        else:
            hi = mid
    p = 0.5 * (lo + hi)
    detected = _one_minus_pow(p, n)
    total = s_obs / detected
    needed: dict[str, int | None] = {
        key: max(1, math.ceil(math.log1p(-float(f)) / math.log1p(-p))) for key, f in keys
    }
    out.update(
        p_hat=p,
        estimated_total_codes=total,
        saturation=detected,
        interviews_for_target=needed,
        expected_new_codes_next_interview=total * p * (1.0 - p) ** n,
    )
    return out
