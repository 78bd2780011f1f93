"""The code accumulation curve: new and cumulative codes per interview, in analysis order (specification §2).

References: Guest, Bunce & Johnson (2006), *Field Methods* 18:59-82; Hennink, Kaiser & Marconi (2017),
*Qual Health Res* 27:591-608.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from workers.stats.saturation.validation import (
    BoolMatrix,
    IntArray,
    JSONDict,
    _as_incidence,
    _labels,
    _positive_int,
)

#: Targets for ``first_interview_reaching`` (specification §2.2).
REACHING_TARGETS = ("0.90", "0.95", "1.00")


def _first_positions(x: BoolMatrix) -> IntArray:
    """1-based first interview containing each code; 0 for a code never applied."""
    if x.shape[0] == 0:
        return np.zeros(x.shape[1], dtype=np.int64)
    any_ = x.any(axis=0)
    first = np.argmax(x, axis=0).astype(np.int64) + 1
    return np.where(any_, first, 0).astype(np.int64)


def _new_counts(x: BoolMatrix) -> IntArray:
    n = x.shape[0]
    first = _first_positions(x)
    return np.bincount(first[first > 0] - 1, minlength=n).astype(np.int64)[:n]


def accumulation_curve(
    incidence: npt.ArrayLike,
    *,
    interview_labels: Sequence[str] | None = None,
    code_labels: Sequence[str] | None = None,
    batch_size: int | None = None,
) -> JSONDict:
    """Code accumulation curve: new and cumulative codes per interview (specification §2).

    With ``C_i`` the codes in interview ``i`` (analysis order)::

        new_i      = |C_i minus union(C_1, ..., C_{i-1})|
        cum_i      = |union(C_1, ..., C_i)|         (cum_N = S_obs)
        prop_new_i = new_i / |C_i|                  (null when |C_i| = 0)
        Y_k        = #{i : k ∈ C_i}                 (incidence, interviews not segments)
        first_interview_reaching[x] = min{i : cum_i >= x · cum_N}   (exact; null if cum_N = 0)

    ``share_of_final`` is ``cum_i / cum_N``: a *retrospective* share whose denominator is
    the codes found so far, not the unknown universe. ``batch_new_codes`` sums ``new_i``
    over consecutive batches (Guest et al. 2006 used batches of six).

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
        Rows in analysis order.
    interview_labels, code_labels : sequences of str, optional
    batch_size : int, optional

    Returns
    -------
    dict
        See the report's JSON shape (``"accumulation"``) in :mod:`workers.stats.saturation.report`.
        ``status`` is ``ok``, ``no_codes`` (every interview empty) or ``no_interviews``.

    References
    ----------
    Guest, Bunce & Johnson (2006), *Field Methods* 18:59-82; Hennink, Kaiser & Marconi (2017),
    *Qual Health Res* 27:591-608.

    Examples
    --------
    >>> c = accumulation_curve([[1, 1, 0], [0, 0, 0], [0, 1, 1]])
    >>> c["new_codes"], c["cumulative"], c["prop_new"]
    ([2, 0, 1], [2, 2, 3], [1.0, None, 0.5])
    >>> c["first_interview_reaching"]
    {'0.90': 3, '0.95': 3, '1.00': 3}
    """
    x = _as_incidence(incidence)
    n, s = x.shape
    ilabels = _labels(interview_labels, n, "", "interview")
    clabels = _labels(code_labels, s, "code_", "code")
    if batch_size is not None:
        batch_size = _positive_int(batch_size, "batch_size")
    first = _first_positions(x)
    new = _new_counts(x)
    cum = np.cumsum(new)
    per = x.sum(axis=1)
    incid = x.sum(axis=0)
    s_obs = int(cum[-1]) if n else 0
    reaching: dict[str, int | None] = {}
    for key in REACHING_TARGETS:
        frac = Fraction(key)
        hit = None
        if s_obs > 0:
            for i in range(n):
                if int(cum[i]) * frac.denominator >= frac.numerator * s_obs:
                    hit = i + 1
                    break
        reaching[key] = hit
    batches = None
    if batch_size is not None:
        batches = [
            {"start": a + 1, "end": min(a + batch_size, n), "new_codes": int(new[a : a + batch_size].sum())}
            for a in range(0, n, batch_size)
        ]
    status = "no_interviews" if n == 0 else ("no_codes" if s_obs == 0 else "ok")
    return {
        "status": status,
        "n_interviews": n,
        "n_codes": s_obs,
        "new_codes": [int(v) for v in new],
        "cumulative": [int(v) for v in cum],
        "prop_new": [None if per[i] == 0 else float(new[i] / per[i]) for i in range(n)],
        "codes_per_interview": [int(v) for v in per],
        "share_of_final": [float(c / s_obs) if s_obs else None for c in cum],
        "first_appearance": {clabels[k]: (int(first[k]) if first[k] else None) for k in range(s)},
        "incidence": {clabels[k]: int(incid[k]) for k in range(s)},
        "first_interview_reaching": reaching,
        "batch_size": batch_size,
        "batch_new_codes": batches,
        "empty_interviews": [ilabels[i] for i in range(n) if per[i] == 0],
    }
