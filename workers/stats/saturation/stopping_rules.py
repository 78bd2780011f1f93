"""Stopping rules: when to declare saturation from the new codes per interview.

Guest, Namey & Chen's (2020) base / run / new-information-threshold rule and its sensitivity grid
(specification §3), and Francis et al.'s (2010) initial sample plus stopping criterion, "10 + 3" (§6).
The same Guest rule applied to many interview orders at once is in ``order_effects.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

import numpy.typing as npt

from workers.stats.saturation.validation import (
    JSONDict,
    SaturationInputError,
    ThresholdLike,
    _as_new_codes,
    _fraction_str,
    _labels,
    _positive_int,
    _warning,
    parse_threshold,
)

#: Guest et al. (2020) tested these parameters (specification §3.4).
GRID_BASE_SIZES = (4, 5, 6)
GRID_RUN_LENGTHS = (2, 3)
GRID_THRESHOLDS = (Fraction(1, 20), Fraction(0))


def guest_saturation(
    new_codes: npt.ArrayLike,
    *,
    base_size: int = 4,
    run_length: int = 2,
    threshold: ThresholdLike = Fraction(1, 20),
    codes_per_interview: Sequence[int] | None = None,
    interview_labels: Sequence[str] | None = None,
) -> JSONDict:
    """Guest, Namey & Chen's (2020) base / run / new-information-threshold rule.

    With ``b`` the base size, ``r`` the run length and ``tau = num/den`` the threshold::

        B        = cum_b                                   (fixed for every run)
        n_run(s) = new_{s+1} + ... + new_{s+r},   s = b, b+1, ..., N-r
        meets(s) = n_run(s) * den <= num * B               (exact, inclusive)
        s*       = min{s : meets(s)}      -> "s*+r", degree of saturation = cum_{s*} / cum_N

    Runs overlap (the run moves forward one interview at a time); "new" means new relative to
    interviews ``1..s``. All runs are listed, including those after the first success.
    ``late_new_codes = cum_N - cum_{s*+r}``. ``first_run_percent`` is the first run's ratio as the
    whole percentage the paper reports (``round(100 n_run(b) / B)``, halves up: its example has a base
    of 37 themes and a first run adding 7, "19%"). Status: ``reached``, ``not_reached``,
    ``insufficient_data`` (``N < b + r``; ``base_codes`` still given when ``N >= b``),
    ``empty_base`` (``B = 0``) or ``no_interviews``.

    Parameters
    ----------
    new_codes : array_like of int, shape (N,)
        ``new_i`` in analysis order (see :func:`accumulation_curve`).
    base_size, run_length : int >= 1
    threshold : Fraction, Decimal, str or float in [0, 1)
        See :func:`parse_threshold`.
    codes_per_interview : sequence of int, optional
        ``|C_i|``; used to flag empty interviews inside runs
        (warning ``run_contains_empty_interviews`` for the runs up to the deciding one).
    interview_labels : sequence of str, optional

    Returns
    -------
    dict
        See the report's JSON shape (``"guest"``) in :mod:`workers.stats.saturation.report`.

    References
    ----------
    Guest, G., Namey, E., & Chen, M. (2020). A simple method to assess and report thematic
    saturation in qualitative research. *PLoS ONE* 15(5): e0232076.

    Examples
    --------
    Base of 4 interviews with 20 codes; a run adding exactly 1 code is 1/20 = 5% and meets
    the inclusive threshold:

    >>> g = guest_saturation([8, 5, 4, 3, 2, 0, 1, 0, 0])
    >>> g["status"], g["notation"], [run["new_codes"] for run in g["runs"]]
    ('reached', '5+2', [2, 1, 1, 0])
    >>> g["degree_of_saturation"], g["late_new_codes"], g["first_run_percent"]
    (0.9565217391304348, 0, 10)
    """
    new = _as_new_codes(new_codes)
    b = _positive_int(base_size, "base_size")
    r = _positive_int(run_length, "run_length")
    tau = parse_threshold(threshold)
    n = len(new)
    labels = _labels(interview_labels, n, "", "interview")
    if codes_per_interview is not None and len(codes_per_interview) != n:
        raise SaturationInputError(
            "invalid_labels", f"expected {n} codes_per_interview values, got {len(codes_per_interview)}"
        )
    cum = list(itertools.accumulate(new))
    out: JSONDict = {
        "method": "guest_2020",
        "status": None,
        "base_size": b,
        "run_length": r,
        "threshold": float(tau),
        "threshold_fraction": _fraction_str(tau),
        "n_interviews": n,
        "base_codes": cum[b - 1] if n >= b else None,
        "runs": [],
        "first_run_percent": None,
        "saturation_point": None,
        "notation": None,
        "codes_at_saturation": None,
        "total_codes": cum[-1] if n else None,
        "degree_of_saturation": None,
        "late_new_codes": None,
        "warnings": [],
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < b + r:
        out["status"] = "insufficient_data"
        return out
    base = cum[b - 1]
    if base == 0:
        out["status"] = "empty_base"
        return out
    empty = (
        [codes_per_interview[i] == 0 for i in range(n)] if codes_per_interview is not None else [False] * n
    )
    runs: list[JSONDict] = []
    point: int | None = None
    flagged: list[str] = []
    for s in range(b, n - r + 1):
        n_run = cum[s + r - 1] - cum[s - 1]
        meets = n_run * tau.denominator <= tau.numerator * base
        run_empty = [labels[i] for i in range(s, s + r) if empty[i]]
        runs.append(
            {
                "start": s + 1,
                "end": s + r,
                "new_codes": n_run,
                "ratio": n_run / base,
                "meets_threshold": meets,
                "empty_interviews": run_empty,
            }
        )
        if point is None:
            flagged.extend(lbl for lbl in run_empty if lbl not in flagged)
            if meets:
                point = s
    out["runs"] = runs
    if runs:
        out["first_run_percent"] = _percent_half_up(runs[0]["new_codes"], base)
    if flagged:
        out["warnings"].append(
            _warning(
                "run_contains_empty_interviews",
                "Interviews with no codes contribute 0 new codes to the runs that decided the result.",
                flagged,
            )
        )
    if point is None:
        out["status"] = "not_reached"
        return out
    total = cum[-1]
    out.update(
        status="reached",
        saturation_point=point,
        notation=f"{point}+{r}",
        codes_at_saturation=cum[point - 1],
        degree_of_saturation=cum[point - 1] / total,
        late_new_codes=total - cum[point + r - 1],
    )
    return out


def _percent_half_up(num: int, den: int) -> int:
    """``100 num / den`` rounded to a whole percent, halves up, in exact integers (7/37 -> 19)."""
    return int((200 * num + den) // (2 * den))


def guest_sensitivity_grid(
    new_codes: npt.ArrayLike,
    *,
    base_sizes: Sequence[int] = GRID_BASE_SIZES,
    run_lengths: Sequence[int] = GRID_RUN_LENGTHS,
    thresholds: Sequence[ThresholdLike] = GRID_THRESHOLDS,
) -> list[JSONDict]:
    """Guest et al.'s rule for every combination of base, run and threshold (12 by default).

    The defaults are the values the paper tested: ``b in {4, 5, 6}``, ``r in {2, 3}``,
    ``tau in {0.05, 0}`` (specification §3.4). Each row is a summary of
    :func:`guest_saturation` (without the runs).

    Parameters
    ----------
    new_codes : array_like of int, shape (N,)
    base_sizes, run_lengths, thresholds : sequences

    Returns
    -------
    list of dict
        Rows ordered by base size, then run length, then threshold as given.

    References
    ----------
    Guest, Namey & Chen (2020), *PLoS ONE* 15(5): e0232076.

    Examples
    --------
    >>> grid = guest_sensitivity_grid([8, 5, 4, 3, 2, 0, 1, 0, 0])
    >>> len(grid), [(g["run_length"], g["threshold"], g["notation"]) for g in grid[:4]]
    (12, [(2, 0.05, '5+2'), (2, 0.0, '7+2'), (3, 0.05, '5+3'), (3, 0.0, None)])
    """
    rows: list[JSONDict] = []
    for b in base_sizes:
        for r in run_lengths:
            for t in thresholds:
                g = guest_saturation(new_codes, base_size=b, run_length=r, threshold=t)
                rows.append(
                    {
                        k: g[k]
                        for k in (
                            "base_size",
                            "run_length",
                            "threshold",
                            "threshold_fraction",
                            "status",
                            "base_codes",
                            "saturation_point",
                            "notation",
                            "degree_of_saturation",
                            "late_new_codes",
                        )
                    }
                )
    return rows


def francis_stopping_rule(
    new_codes: npt.ArrayLike, *, initial_sample: int = 10, stopping_criterion: int = 3
) -> JSONDict:
    """Francis et al.'s (2010) initial analysis sample plus stopping criterion ("10 + 3").

    With ``n0`` the initial sample and ``k`` the stopping criterion::

        for m = n0, ..., N - k:   window m+1..m+k;  stop if new_{m+1} = ... = new_{m+k} = 0
        saturation_point = first such m,  stop_at = m + k

    ``insufficient_data`` when ``N < n0 + k``; ``not_reached`` when no window is free of new
    codes. When the initial sample has no codes at all, the rule is still applied as written
    and the warning ``initial_sample_empty`` is added. Whenever ``cum_{n0} > 0`` the result
    equals :func:`guest_saturation` with ``b = n0, r = k, tau = 0``.

    Parameters
    ----------
    new_codes : array_like of int, shape (N,)
    initial_sample, stopping_criterion : int >= 1

    Returns
    -------
    dict
        See the report's JSON shape (``"francis"``) in :mod:`workers.stats.saturation.report`.

    References
    ----------
    Francis, J. J., Johnston, M., Robertson, C., et al. (2010). What is an adequate sample
    size? Operationalising data saturation for theory-based interview studies. *Psychology &
    Health* 25(10): 1229-1245.

    Examples
    --------
    >>> f = francis_stopping_rule([5, 3, 2, 2, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    >>> f["status"], f["saturation_point"], f["stop_at"], f["windows"][0]
    ('reached', 13, 16, {'start': 11, 'end': 13, 'new_codes': 1})
    """
    new = _as_new_codes(new_codes)
    n0 = _positive_int(initial_sample, "initial_sample")
    k = _positive_int(stopping_criterion, "stopping_criterion")
    n = len(new)
    out: JSONDict = {
        "method": "francis_2010",
        "status": None,
        "initial_sample": n0,
        "stopping_criterion": k,
        "n_interviews": n,
        "windows": [],
        "saturation_point": None,
        "stop_at": None,
        "warnings": [],
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < n0 + k:
        out["status"] = "insufficient_data"
        return out
    if sum(new[:n0]) == 0:
        out["warnings"].append(
            _warning("initial_sample_empty", "The initial analysis sample contains no codes.")
        )
    point = None
    for m in range(n0, n - k + 1):
        count = sum(new[m : m + k])
        out["windows"].append({"start": m + 1, "end": m + k, "new_codes": count})
        if point is None and count == 0:
            point = m
    if point is None:
        out["status"] = "not_reached"
    else:
        out.update(status="reached", saturation_point=point, stop_at=point + k)
    return out
