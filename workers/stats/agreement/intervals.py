"""Bootstrap percentile intervals for the coefficients, and the share of resamples below each alpha minimum.

Units are resampled with replacement from a seeded generator (:func:`_bootstrap_weights`) and every
coefficient is recomputed on each resample from weighted sufficient statistics. For alpha the resamples
keep ``D_e`` fixed at its observed value (:func:`_fixed_de_alpha`, Hayes & Krippendorff 2007), and the
report gives P(alpha < minimum) for each of :data:`ALPHA_MINIMUMS` (Krippendorff 2004). The intervals
are percentile intervals (Efron & Tibshirani 1993, ch. 13).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from workers.stats.agreement.coefficients.from_sums import _delta2, _safe_div
from workers.stats.agreement.reliability_data import F64, Level
from workers.stats.agreement.results import _OK, _reason_text

ALPHA_MINIMUMS: Final = (0.667, 0.8)
"""Krippendorff's (2004) minimum acceptable alphas; the report gives P(alpha < minimum) for each."""


def _resolve_seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    return int(seed)


def _bootstrap_weights(rng: np.random.Generator, n_units: int, n_resamples: int) -> NDArray[np.float32]:
    """Multinomial resampling counts, shape ``(n_resamples, n_units)``: one cache-sized bincount per row.

    float32 holds the counts exactly (they are below 2**24), and halves the memory traffic.
    """
    dtype = np.int32 if n_units < 2**31 else np.int64
    out = np.empty((n_resamples, n_units), dtype=np.float32)
    for b in range(n_resamples):
        out[b] = np.bincount(rng.integers(0, n_units, size=n_units, dtype=dtype), minlength=n_units)
    return out


def _chunk_size(per_resample: int, budget: int = 6_000_000) -> int:
    return max(1, min(100, budget // max(1, per_resample)))


def _interval(samples: F64, confidence: float) -> dict[str, Any]:
    """Percentile interval over the last axis, ignoring undefined (NaN) resamples."""
    ok = ~np.isnan(samples)
    n_ok = int(ok.sum())
    tail = (1.0 - confidence) / 2.0
    if n_ok == 0:
        low = high = None
    else:
        lo, hi = np.quantile(samples[ok], [tail, 1.0 - tail])
        low, high = float(lo), float(hi)
    return {
        "level": confidence,
        "low": low,
        "high": high,
        "n_resamples": int(samples.shape[-1]),
        "n_undefined": int(samples.shape[-1] - n_ok),
    }


def _p_below(samples: F64, point_defined: bool) -> dict[str, float | None]:
    ok = ~np.isnan(samples)
    if not point_defined or not ok.any():
        return {str(a): None for a in ALPHA_MINIMUMS}
    return {str(a): float((samples[ok] < a).mean()) for a in ALPHA_MINIMUMS}


def _coef_dict(
    value: float, code: int, n_coders: int, samples: F64 | None, confidence: float, is_alpha: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "value": None if code != _OK else float(value),
        "reason": _reason_text(code, n_coders),
        "ci": None,
    }
    if samples is not None and code == _OK:
        out["ci"] = _interval(samples, confidence)
        if is_alpha:
            out["p_below"] = _p_below(samples, True)
    elif is_alpha:
        out["p_below"] = _p_below(np.zeros(0), False)
    return out


def _fixed_de_alpha(
    sums_b: dict[str, F64], d_e: F64, level: Level, values: F64 | None, point_counts: F64
) -> F64:
    """Hayes & Krippendorff (2007): alpha_b = 1 - D_o(b) / D_e with D_e (and delta) from the data."""
    q = point_counts.shape[-1]
    d2 = _delta2(level, q, values, point_counts)
    if d2.ndim > 2:  # ordinal deltas per batch item (codes): broadcast over resamples
        d2 = d2[None]
    do_num = (sums_b["coinc"] * d2).sum(axis=(-1, -2))
    d_o = _safe_div(do_num, sums_b["n"])
    return 1.0 - _safe_div(d_o, np.broadcast_to(d_e, d_o.shape))
