"""Every coefficient computed from the sufficient statistics, vectorised over any batch shape.

:func:`_coefficient_arrays` turns the summed blocks of :mod:`workers.stats.agreement.sufficient_statistics`
into a value (NaN when undefined) and a reason code for one measure, over any leading batch shape
(bootstrap resamples, codes, coder pairs). The public functions in the sibling modules, whose docstrings
give each formula and its reference, call it through :func:`_single` (a rating matrix) or
:func:`_from_counts` (a count matrix). Cohen's kappa from contingency tables (:func:`_cohen_from_tables`)
and the parts of Krippendorff's alpha (:func:`_delta2`, :func:`_alpha_parts`) are here because the
bootstrap and the reports reuse them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from workers.stats.agreement.reliability_data import F64, I64, Level, Weights, _check_ratings
from workers.stats.agreement.results import (
    _CHANCE_ONE,
    _LIGHT_PAIR,
    _NO_PAIRABLE,
    _NO_VARIATION,
    _OK,
    _ONE_CATEGORY,
    _TWO_CODERS,
    MEASURES,
    Coefficient,
    _reason_text,
)
from workers.stats.agreement.sufficient_statistics import _blocks_for, _count_sums, _point_sums


def _safe_div(num: F64, den: F64) -> F64:
    out: F64 = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _kappa(po_dis: F64, pe_dis: F64) -> F64:
    """kappa = 1 - (1 - p_o) / (1 - p_e), from the two disagreement terms."""
    return 1.0 - _safe_div(po_dis, pe_dis)


def _disagreement_weights(q: int, weights: Weights) -> F64:
    pos = np.arange(q, dtype=np.float64)
    diff = np.abs(pos[:, None] - pos[None, :])
    if weights is None:
        return (diff > 0).astype(np.float64)
    if weights == "linear":
        return diff
    if weights == "quadratic":
        return diff**2
    raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")


def _cohen_from_tables(t: F64, weights: Weights = None) -> tuple[F64, I64]:
    """Cohen's (weighted) kappa from contingency tables ``(..., q, q)``."""
    q = t.shape[-1]
    d = _disagreement_weights(q, weights)
    n = t.sum(axis=(-1, -2))
    rows = t.sum(axis=-1)
    cols = t.sum(axis=-2)
    do = (t * d).sum(axis=(-1, -2))
    de = np.einsum("...i,ij,...j->...", rows, d, cols)
    value = _kappa(do * n, de)
    reason = np.where(n == 0, _NO_PAIRABLE, np.where(de == 0, _CHANCE_ONE, _OK))
    return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)


def _delta2(level: Level, q: int, values: F64 | None, counts: F64) -> F64:
    """Krippendorff's squared difference function; ``(..., q, q)`` for ordinal (depends on marginals)."""
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        cum = np.cumsum(counts, axis=-1)
        lo = np.minimum.outer(np.arange(q), np.arange(q))
        hi = np.maximum.outer(np.arange(q), np.arange(q))
        inner = cum[..., hi] - cum[..., lo] + counts[..., lo]  # sum_{g=lo}^{hi} n_g
        half = (counts[..., :, None] + counts[..., None, :]) / 2.0
        return np.asarray((inner - half) ** 2, dtype=np.float64)
    vals = np.arange(q, dtype=np.float64) if values is None else values
    if level == "interval":
        return np.asarray((vals[:, None] - vals[None, :]) ** 2, dtype=np.float64)
    if level == "ratio":
        s = vals[:, None] + vals[None, :]
        diff = vals[:, None] - vals[None, :]
        return np.divide(diff, s, out=np.zeros((q, q)), where=s != 0) ** 2
    raise ValueError(f"level must be 'nominal', 'ordinal', 'interval' or 'ratio', got {level!r}")


def _alpha_parts(sums: dict[str, F64], level: Level, values: F64 | None) -> tuple[F64, F64]:
    """(D_o, D_e) of Krippendorff's alpha; NaN where there are no pairable values."""
    counts = sums["counts"]
    q = counts.shape[-1]
    d2 = _delta2(level, q, values, counts)
    n = sums["n"]
    do_num = (sums["coinc"] * d2).sum(axis=(-1, -2))
    de_num = np.einsum("...i,...ij,...j->...", counts, np.broadcast_to(d2, (*counts.shape, q)), counts)
    d_o = _safe_div(do_num, n)
    d_e = _safe_div(de_num, n * (n - 1))
    return d_o, d_e


def _coefficient_arrays(
    measure: str,
    sums: dict[str, F64],
    *,
    q: int,
    c: int,
    weights: Weights = None,
    level: Level = "nominal",
    values: F64 | None = None,
) -> tuple[F64, I64]:
    """Value (NaN when undefined) and reason code for ``measure``, vectorised over the batch shape."""
    if measure in ("cohen_kappa", "holsti", "scott_pi") and c != 2:
        shape = sums["N"].shape if "N" in sums else sums["pair_tables"].shape[:-3]
        return np.full(shape, np.nan), np.full(shape, _TWO_CODERS, dtype=np.int64)
    if measure == "cohen_kappa":
        return _cohen_from_tables(sums["pair_tables"][..., 0, :, :], weights)
    if measure == "light_kappa":
        kap, why = _cohen_from_tables(sums["pair_tables"])
        has = sums["pair_tables"].sum(axis=(-1, -2)) > 0
        n_has = has.sum(axis=-1)
        bad = (has & (why != _OK)).any(axis=-1)
        value = _safe_div(np.where(has, np.nan_to_num(kap), 0.0).sum(axis=-1), n_has.astype(np.float64))
        reason = np.where(n_has == 0, _NO_PAIRABLE, np.where(bad, _LIGHT_PAIR, _OK))
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    if measure == "holsti":
        t = sums["pair_tables"][..., 0, :, :]
        agree = np.trace(t, axis1=-2, axis2=-1)
        n12 = sums["rated_all"][..., 0] + sums["rated_all"][..., 1]
        both = t.sum(axis=(-1, -2))
        value = _safe_div(2.0 * agree, n12)
        reason = np.where(both == 0, _NO_PAIRABLE, _OK)
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    big_n = sums["N"]
    no_pair = big_n == 0
    if measure == "krippendorff_alpha":
        d_o, d_e = _alpha_parts(sums, level, values)
        value = 1.0 - _safe_div(d_o, d_e)
        reason = np.where(no_pair, _NO_PAIRABLE, np.where(d_e == 0, _NO_VARIATION, _OK))
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    pa = _safe_div(sums["pa"], big_n)
    # p_e = 1 exactly when every pairable value is one category; decided on integer counts, not on a
    # floating p_e that may miss 1 by an ulp.
    one_cat = (sums["counts"] > 0).sum(axis=-1) <= 1
    if measure == "percent_agreement":
        reason = np.where(no_pair, _NO_PAIRABLE, _OK)
        return pa, reason.astype(np.int64)
    if measure == "gwet_ac1":
        if q == 1:
            return np.full(big_n.shape, np.nan), np.full(big_n.shape, _ONE_CATEGORY, dtype=np.int64)
        # pi_k over every rated unit, single-rated ones included (Gwet 2014; irrCAC does the same)
        pi_r = _safe_div(sums["pik_r"], sums["R"][..., None])
        pe = (pi_r * (1.0 - pi_r)).sum(axis=-1) / (q - 1)
        value = (pa - pe) / (1.0 - pe)
        reason = np.where(no_pair, _NO_PAIRABLE, _OK)
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    if measure in ("fleiss_kappa", "scott_pi"):
        pi = _safe_div(sums["pik"], big_n[..., None])
        pe_dis = (pi * (1.0 - pi)).sum(axis=-1)  # 1 - sum(pi^2)
        value = _kappa(1.0 - pa, pe_dis)
        reason = np.where(no_pair, _NO_PAIRABLE, np.where(one_cat, _CHANCE_ONE, _OK))
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    if measure == "conger_kappa":
        rated = sums["coder_rated"]
        p = _safe_div(sums["coder_counts"], rated[..., None])
        p = np.nan_to_num(p)
        n_act = (rated > 0).sum(axis=-1).astype(np.float64)
        tot = p.sum(axis=-2)  # (..., q)
        pe_dis = ((n_act[..., None] - 1) * tot - tot**2 + (p**2).sum(axis=-2)).sum(axis=-1)
        pe_dis = _safe_div(pe_dis, n_act * (n_act - 1))
        value = _kappa(1.0 - pa, pe_dis)
        reason = np.where(no_pair, _NO_PAIRABLE, np.where(one_cat, _CHANCE_ONE, _OK))
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    if measure == "brennan_prediger":
        if q == 1:
            return np.full(big_n.shape, np.nan), np.full(big_n.shape, _ONE_CATEGORY, dtype=np.int64)
        value = (pa - 1.0 / q) / (1.0 - 1.0 / q)
        reason = np.where(no_pair, _NO_PAIRABLE, _OK)
        return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
    raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")


def _counts_single(v: I64, measure: str) -> tuple[int, int, int, int]:
    rated = v >= 0
    m = rated.sum(axis=1)
    if measure in ("cohen_kappa", "holsti", "scott_pi") and v.shape[1] == 2:
        both = rated.all(axis=1)
        return int((m >= 1).sum()), int(both.sum()), 2, int(2 * both.sum())
    pairable = m >= 2
    return int((m >= 1).sum()), int(pairable.sum()), v.shape[1], int(m[pairable].sum())


def _single(
    measure: str,
    ratings: NDArray[np.integer[Any]] | Sequence[Sequence[int]],
    n_categories: int,
    **kw: Any,
) -> Coefficient:
    v = _check_ratings(ratings, n_categories)
    c = v.shape[1]
    blocks = _blocks_for([measure])
    sums = _point_sums(v, n_categories, blocks)
    value, reason = _coefficient_arrays(measure, sums, q=n_categories, c=c, **kw)
    n_units, n_pair, n_coders, n_values = _counts_single(v, measure)
    code = int(reason)
    return Coefficient(
        name=measure,
        value=None if code != _OK else float(value),
        reason=_reason_text(code, c),
        n_units=n_units,
        n_pairable_units=n_pair,
        n_coders=n_coders,
        n_pairable_values=n_values,
    )


def _from_counts(measure: str, cm: NDArray[Any], **kw: Any) -> Coefficient:
    q = cm.shape[1]
    sums = _count_sums(cm, set(_blocks_for([measure])))
    value, reason = _coefficient_arrays(measure, sums, q=q, c=0, **kw)
    m = sums["_m"]
    code = int(reason)
    return Coefficient(
        name=measure,
        value=None if code != _OK else float(value),
        reason=_reason_text(code, 0),
        n_units=int((m >= 1).sum()),
        n_pairable_units=int(sums["N"]),
        n_coders=int(m.max()) if len(m) else 0,
        n_pairable_values=int(sums["n"]),
    )
