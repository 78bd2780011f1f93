"""Inter-coder agreement: pure, vectorised numpy functions (no Django, no Celery).

Conventions follow ``shared/methods/AGREEMENT.md``:

* **Data.** A single-label rating matrix is an integer array of shape ``(n_units, n_coders)`` whose cells hold
  a category index ``0 .. q-1`` or :data:`MISSING` (``-1``) when that coder gave no rating. Category labels
  are opaque strings kept by the caller; ``q`` (``n_categories``) is the size of the codebook, unused
  categories included. Multi-code data (a *set* of codes per rating, possibly empty) is a
  :class:`MultiCodeRatings`.
* **Pairable units.** Only units rated by at least two coders enter the chance-corrected measures (and the
  percent agreement); single-rated units are dropped, never counted as agreement (Krippendorff 2011).
  Holsti's 2M/(N1+N2) is the one measure that counts every decision of each coder.
* **Undefined is undefined.** A coefficient whose denominator is 0 is returned with ``value=None`` and a
  ``reason`` (one of the ``REASON_*`` strings below); never 1.0 or 0.0.
* **Missing data.** Cohen's kappa, Holsti and the pairwise matrices use the units both coders rated; Fleiss'
  kappa, Conger's kappa and Gwet's AC1 use Gwet's (2014) generalisation to missing ratings restricted to
  pairable units (on complete data they are exactly the textbook formulas); Krippendorff's alpha handles
  missing data natively.

Entry points
------------
* single-label: :func:`percent_agreement`, :func:`holsti`, :func:`cohen_kappa`, :func:`scott_pi`,
  :func:`fleiss_kappa`, :func:`light_kappa`, :func:`conger_kappa`, :func:`krippendorff_alpha`,
  :func:`gwet_ac1`, :func:`brennan_prediger`, :func:`kappa_paradox_diagnostics` and
  :func:`single_label_report` (all measures with bootstrap intervals).
* multi-code: :func:`per_code_coefficients` (every measure for every code in one vectorised pass),
  :func:`set_alpha` (MASI / Jaccard) and :func:`agreement_report`, the contract with the Celery task.

JSON shape of :func:`agreement_report`
--------------------------------------
Every *coefficient* is ``{"value": float | None, "reason": str | None, "ci": CI | None}`` where ``CI`` is
``{"level": 0.95, "low": float | None, "high": float | None, "n_resamples": int, "n_undefined": int}``;
alpha coefficients add ``"p_below": {"0.667": float, "0.8": float}`` (Hayes & Krippendorff 2007). Counts
are ``{"n_units", "n_rated_units", "n_pairable_units", "n_coders", "n_pairable_values"}``::

    {
      "schema": "intercoder.agreement/1",
      "parameters": {"n_bootstrap": int, "seed": int, "confidence": float, "measures": [str],
                     "alpha_minimums": [0.667, 0.8], "bootstrap": "units, percentile; alpha with D_e fixed"},
      "seed": int,
      "counts": {... counts ..., "n_codes": int, "n_codings": int},
      "overall": {"alpha_masi": coefficient, "alpha_jaccard": coefficient},
      "per_code": [
        {"code": str, "n_applied": int, "prevalence": float | None,
         "counts": counts,
         "measures": {"percent_agreement": coefficient, "holsti": ..., "cohen_kappa": ..., "scott_pi": ...,
                      "fleiss_kappa": ..., "light_kappa": ..., "conger_kappa": ...,
                      "krippendorff_alpha": ..., "gwet_ac1": ..., "brennan_prediger": ...},
         "diagnostics": {"prevalence_index": float | None, "bias_index": float | None,
                         "pabak": float | None},
         "pairwise": {"cohen_kappa": matrix, "krippendorff_alpha": matrix}}
      ],
      "pairwise": {"coders": [str], "n_units": [[int]],
                   "alpha_masi": matrix, "alpha_jaccard": matrix},
      "coders": [
        {"coder": str, "n_rated_units": int, "n_pairable_units": int, "n_codings": int,
         "mean_codes_per_rated_unit": float | None, "mean_pairwise_alpha_masi": float | None,
         "mean_pairwise_cohen_kappa": float | None, "alpha_masi_without_coder": float | None}
      ]
    }

``matrix`` is an ``n_coders x n_coders`` list of lists of ``float | None`` (``None`` on the diagonal and
where undefined). For binary per-code data the weighted kappas equal the unweighted one and alpha's
ordinal, interval and ratio metrics equal the nominal one, so each is reported once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

__all__ = [
    "ALPHA_MINIMUMS",
    "MEASURES",
    "MISSING",
    "Coefficient",
    "MultiCodeRatings",
    "agreement_report",
    "brennan_prediger",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "gwet_ac1",
    "holsti",
    "jaccard_distance",
    "kappa_paradox_diagnostics",
    "krippendorff_alpha",
    "krippendorff_alpha_from_counts",
    "light_kappa",
    "masi_distance",
    "per_code_coefficients",
    "percent_agreement",
    "scott_pi",
    "set_alpha",
    "single_label_report",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bools = NDArray[np.bool_]
Level = Literal["nominal", "ordinal", "interval", "ratio"]
Weights = Literal["linear", "quadratic"] | None

MISSING: Final = -1
"""Sentinel for "this coder gave no rating for this unit" in a rating matrix."""

ALPHA_MINIMUMS: Final = (0.667, 0.8)
"""Krippendorff's (2004) minimum acceptable alphas; the report gives P(alpha < minimum) for each."""

MEASURES: Final = (
    "percent_agreement",
    "holsti",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "light_kappa",
    "conger_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
)

REASON_NO_PAIRABLE: Final = "no pairable units: no unit was rated by at least two coders"
REASON_NO_VARIATION: Final = (
    "expected disagreement is 0: fewer than two distinct values among the pairable ratings"
)
REASON_CHANCE_ONE: Final = "chance agreement is 1: every rating is the same category"
REASON_ONE_CATEGORY: Final = "the codebook has a single category (q = 1)"
REASON_TWO_CODERS: Final = "needs exactly two coders, got {n_coders}"
REASON_LIGHT_PAIR: Final = "Cohen's kappa is undefined for at least one coder pair"
REASON_CODE_NEVER_USED: Final = "code never used"
REASON_CODE_NOT_ON_PAIRABLE: Final = "code never used on a pairable unit"
REASON_CODE_EVERYWHERE: Final = "code used on every unit"

# Reason codes used inside the vectorised kernels (0 = defined).
_OK, _NO_PAIRABLE, _NO_VARIATION, _CHANCE_ONE, _ONE_CATEGORY, _TWO_CODERS, _LIGHT_PAIR = range(7)
_REASONS: Final = {
    _NO_PAIRABLE: REASON_NO_PAIRABLE,
    _NO_VARIATION: REASON_NO_VARIATION,
    _CHANCE_ONE: REASON_CHANCE_ONE,
    _ONE_CATEGORY: REASON_ONE_CATEGORY,
    _TWO_CODERS: REASON_TWO_CODERS,
    _LIGHT_PAIR: REASON_LIGHT_PAIR,
}


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient with the counts it was computed from.

    ``value`` is ``None`` exactly when the coefficient is undefined, and then ``reason`` says why.
    ``n_units`` counts units with at least one rating, ``n_pairable_units`` those with two or more (for a
    two-coder measure: both coders), ``n_pairable_values`` the ratings in pairable units.
    """

    name: str
    value: float | None
    reason: str | None
    n_units: int
    n_pairable_units: int
    n_coders: int
    n_pairable_values: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (``value``, ``reason`` and the counts)."""
        return {
            "value": self.value,
            "reason": self.reason,
            "counts": {
                "n_units": self.n_units,
                "n_pairable_units": self.n_pairable_units,
                "n_coders": self.n_coders,
                "n_pairable_values": self.n_pairable_values,
            },
        }


# --------------------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------------------


def _check_ratings(ratings: NDArray[np.integer[Any]] | Sequence[Sequence[int]], n_categories: int) -> I64:
    v = np.asarray(ratings)
    if v.ndim != 2:
        raise ValueError(f"ratings must be a 2-D array (units x coders), got {v.ndim} dimension(s)")
    if v.dtype.kind not in "iu":
        raise ValueError(f"ratings must be integer-coded categories, got dtype {v.dtype}")
    if n_categories < 1:
        raise ValueError(f"n_categories must be at least 1, got {n_categories}")
    v = v.astype(np.int64, copy=False)
    if v.size and (v.min() < MISSING or v.max() >= n_categories):
        raise ValueError(
            f"ratings must hold category indices 0..{n_categories - 1} or MISSING ({MISSING}); "
            f"found values in [{v.min()}, {v.max()}]"
        )
    return v


def _unique(x: I64) -> I64:
    """Sorted unique values (sort-based; faster than numpy's hash path for int keys here)."""
    xs = np.sort(x)
    if len(xs) == 0:
        return xs
    return xs[np.concatenate(([True], xs[1:] != xs[:-1]))]


def _unique_inverse(x: NDArray[Any]) -> tuple[NDArray[Any], I64, I64]:
    """Sorted unique values, the inverse map and the first index of each value."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    flag = np.concatenate(([True], xs[1:] != xs[:-1])) if len(xs) else np.zeros(0, dtype=bool)
    ids = np.cumsum(flag) - 1
    inv = np.empty(len(x), dtype=np.int64)
    inv[order] = ids
    return xs[flag], inv, order[flag].astype(np.int64)


def _pairs(n_coders: int) -> tuple[I64, I64]:
    g, h = np.triu_indices(n_coders, 1)
    return g.astype(np.int64), h.astype(np.int64)


# --------------------------------------------------------------------------------------------------------
# Sufficient statistics. Every coefficient below is a function of sums over units of a few per-unit
# statistics; the same kernels serve point estimates (sums over units), bootstrap resamples (weighted sums)
# and the per-code engine (sums over distinct rating patterns).
# --------------------------------------------------------------------------------------------------------

_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "percent_agreement": ("N", "pa"),
    "holsti": ("pair_tables", "rated_all"),
    "cohen_kappa": ("pair_tables",),
    "scott_pi": ("N", "pa", "pik"),
    "fleiss_kappa": ("N", "pa", "pik"),
    "light_kappa": ("pair_tables",),
    "conger_kappa": ("N", "pa", "coder_counts", "coder_rated"),
    "krippendorff_alpha": ("N", "n", "counts", "coinc"),
    "gwet_ac1": ("N", "pa", "pik"),
    "brennan_prediger": ("N", "pa"),
}
_BLOCK_ORDER: Final = (
    "N", "n", "counts", "pa", "coinc", "pik", "coder_counts", "coder_rated", "pair_tables", "rated_all",
)  # fmt: skip


def _blocks_for(measures: Sequence[str]) -> tuple[str, ...]:
    need = {b for m in measures for b in _NEEDS[m]} | {"N", "n", "counts"}
    return tuple(b for b in _BLOCK_ORDER if b in need)


def _block_shapes(q: int, c: int) -> dict[str, tuple[int, ...]]:
    p = c * (c - 1) // 2
    return {
        "N": (),
        "n": (),
        "counts": (q,),
        "pa": (),
        "coinc": (q, q),
        "pik": (q,),
        "coder_counts": (c, q),
        "coder_rated": (c,),
        "pair_tables": (p, q, q),
        "rated_all": (c,),
    }


def _unit_stats(v: I64, q: int, blocks: Sequence[str]) -> F64:
    """Per-row statistics, shape ``(rows, S)``, columns laid out block after block (see ``_split``)."""
    r, c = v.shape
    rated = v >= 0
    m = rated.sum(axis=1)
    pairable = m >= 2
    pf = pairable.astype(np.float64)
    onehot = v[:, :, None] == np.arange(q)
    cnt = onehot.sum(axis=1).astype(np.float64)
    mm1 = np.where(pairable, m - 1, 1).astype(np.float64)
    cols: list[F64] = []
    for b in blocks:
        if b == "N":
            cols.append(pf[:, None])
        elif b == "n":
            cols.append((m * pf)[:, None])
        elif b == "counts":
            cols.append(cnt * pf[:, None])
        elif b == "pa":
            cols.append(((cnt * (cnt - 1)).sum(axis=1) / (np.maximum(m, 1) * mm1) * pf)[:, None])
        elif b == "coinc":
            co = cnt[:, :, None] * cnt[:, None, :]
            co[:, np.arange(q), np.arange(q)] -= cnt
            cols.append((co * (pf / mm1)[:, None, None]).reshape(r, q * q))
        elif b == "pik":
            cols.append(cnt / np.maximum(m, 1)[:, None] * pf[:, None])
        elif b == "coder_counts":
            cols.append((onehot & pairable[:, None, None]).reshape(r, c * q).astype(np.float64))
        elif b == "coder_rated":
            cols.append((rated & pairable[:, None]).astype(np.float64))
        elif b == "pair_tables":
            g, h = _pairs(c)
            t = onehot[:, g, :, None] & onehot[:, h, None, :]
            cols.append(t.reshape(r, len(g) * q * q).astype(np.float64))
        elif b == "rated_all":
            cols.append(rated.astype(np.float64))
    return np.concatenate(cols, axis=1) if cols else np.zeros((r, 0))


def _split(flat: F64, q: int, c: int, blocks: Sequence[str]) -> dict[str, F64]:
    """Cut ``(..., S)`` sums into named blocks of shape ``(..., *block_shape)``."""
    shapes = _block_shapes(q, c)
    out: dict[str, F64] = {}
    pos = 0
    lead = flat.shape[:-1]
    for b in blocks:
        size = math.prod(shapes[b])
        out[b] = flat[..., pos : pos + size].reshape((*lead, *shapes[b]))
        pos += size
    return out


def _count_matrix(v: I64, q: int) -> I64:
    """Units x categories counts ``n_uk`` built in one ``bincount``."""
    u = v.shape[0]
    idx = (np.arange(u, dtype=np.int64)[:, None] * (q + 1) + (v + 1)).ravel()
    return np.bincount(idx, minlength=u * (q + 1)).reshape(u, q + 1)[:, 1:]


def _count_sums(cm: NDArray[np.integer[Any]] | F64, need: set[str]) -> dict[str, F64]:
    """The count-based sums (N, n, counts, pa, coinc, pik) from a units x categories count matrix.

    Non-pairable rows get weight 0 instead of being filtered out (no copy of the matrix).
    """
    cp = np.asarray(cm, dtype=np.float64)
    m = cp @ np.ones(cp.shape[1])  # row sums; a matrix-vector product beats sum(axis=1) on narrow rows
    pairable = m >= 2
    inv = np.divide(1.0, m - 1.0, out=np.zeros(len(m)), where=pairable)  # 1/(m_u - 1), 0 if not pairable
    out: dict[str, F64] = {
        "N": np.asarray(float(pairable.sum())),
        "n": np.asarray(float(m[pairable].sum())),
        "_m": m,
    }
    if "counts" in need and "coinc" not in need:
        out["counts"] = pairable.astype(np.float64) @ cp
    if "coinc" in need:
        wp = cp * inv[:, None]
        co = wp.T @ cp
        co[np.diag_indices_from(co)] -= wp.sum(axis=0)
        out["coinc"] = co
        out["counts"] = co.sum(axis=1)  # n_c = sum_k o_ck: the pairable values' marginals
    if "pa" in need:
        agree = np.einsum("ij,ij->i", cp, cp) - m
        out["pa"] = np.asarray(float(agree @ np.divide(inv, m, out=np.zeros(len(m)), where=pairable)))
    if "pik" in need:
        out["pik"] = np.divide(pairable, m, out=np.zeros(len(m)), where=pairable) @ cp
    return out


def _point_sums(v: I64, q: int, blocks: Sequence[str]) -> dict[str, F64]:
    """Sums of :func:`_unit_stats` over all units, computed without materialising per-unit rows.

    With few coders the unit-level sums are accumulated pair of coders by pair of coders (one weighted
    ``bincount`` each, missing values routed to a spare category that is dropped); with many coders from
    the units x categories count matrix.
    """
    u, c = v.shape
    rated = v >= 0
    m = rated.sum(axis=1)
    pairable = m >= 2
    g_idx, h_idx = _pairs(c)
    use_pairs = len(g_idx) <= c + q
    out: dict[str, F64] = {}
    need = set(blocks)
    if use_pairs and need & {"counts", "pa", "coinc", "pik"}:
        vv = np.where(rated, v, q)
        inv = np.divide(1.0, m - 1, out=np.zeros(u), where=pairable)
        flat = vv.ravel()
        if "counts" in need:
            wc = np.repeat(pairable.astype(np.float64), c)
            out["counts"] = np.bincount(flat, weights=wc, minlength=q + 1)[:q].astype(np.float64)
        if "pik" in need:
            w = np.divide(1.0, m, out=np.zeros(u), where=pairable)
            out["pik"] = np.bincount(flat, weights=np.repeat(w, c), minlength=q + 1)[:q].astype(np.float64)
        if "coinc" in need:
            co = np.zeros((q + 1) * (q + 1))
            for a, b in zip(g_idx.tolist(), h_idx.tolist(), strict=True):
                co += np.bincount(vv[:, a] * (q + 1) + vv[:, b], weights=inv, minlength=(q + 1) ** 2)
            t = co.reshape(q + 1, q + 1)[:q, :q]
            out["coinc"] = t + t.T
        if "pa" in need:
            agree = np.zeros(u)
            for a, b in zip(g_idx.tolist(), h_idx.tolist(), strict=True):
                agree += (v[:, a] == v[:, b]) & rated[:, a]
            out["pa"] = np.asarray(float((agree * inv / np.maximum(m, 1)).sum() * 2.0))
    elif need & {"counts", "pa", "coinc", "pik"}:
        cs = _count_sums(_count_matrix(v, q), need)
        cs.pop("_m")
        out.update(cs)
    for b in blocks:
        if b == "N":
            out[b] = np.asarray(float(pairable.sum()))
        elif b == "n":
            out[b] = np.asarray(float(m[pairable].sum()))
        elif b == "coder_counts":
            vp = v[pairable]
            out[b] = (
                np.stack([np.bincount(vp[:, g][vp[:, g] >= 0], minlength=q) for g in range(c)])
                .astype(np.float64)
                .reshape(c, q)
            )
        elif b == "coder_rated":
            out[b] = (rated & pairable[:, None]).sum(axis=0).astype(np.float64)
        elif b == "pair_tables":
            tabs = np.zeros((len(g_idx), q, q))
            for i, (a, d) in enumerate(zip(g_idx.tolist(), h_idx.tolist(), strict=True)):
                both = rated[:, a] & rated[:, d]
                tabs[i] = np.bincount(v[both, a] * q + v[both, d], minlength=q * q).reshape(q, q)
            out[b] = tabs
        elif b == "rated_all":
            out[b] = rated.sum(axis=0).astype(np.float64)
    return {b: out[b] for b in blocks}


# --------------------------------------------------------------------------------------------------------
# Coefficients from sums (vectorised over any leading batch shape: resamples, codes, pairs)
# --------------------------------------------------------------------------------------------------------


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
    if measure in ("fleiss_kappa", "scott_pi", "gwet_ac1"):
        pi = _safe_div(sums["pik"], big_n[..., None])
        if measure == "gwet_ac1":
            if q == 1:
                return np.full(big_n.shape, np.nan), np.full(big_n.shape, _ONE_CATEGORY, dtype=np.int64)
            pe = (pi * (1.0 - pi)).sum(axis=-1) / (q - 1)
            value = (pa - pe) / (1.0 - pe)
            reason = np.where(no_pair, _NO_PAIRABLE, _OK)
            return np.where(reason == _OK, value, np.nan), reason.astype(np.int64)
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


def _reason_text(code: int, n_coders: int) -> str | None:
    if code == _OK:
        return None
    return _REASONS[code].format(n_coders=n_coders)


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


# --------------------------------------------------------------------------------------------------------
# Public single-label measures
# --------------------------------------------------------------------------------------------------------

RatingsLike = NDArray[np.integer[Any]] | Sequence[Sequence[int]]


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
    Missing data: ``p_a`` and ``pi_k`` over pairable units (Gwet, and irrCAC, take ``pi_k`` over every
    rated unit; identical when no unit is single-rated). References: Gwet, K. L. (2008), Br. J. Math.
    Stat. Psychol. 61, 29-48; Gwet (2014), *Handbook of Inter-Rater Reliability*, 4th ed.

    Examples
    --------
    >>> gwet_ac1([[0, 0], [0, 0], [0, 0], [0, 1]], n_categories=2).value  # p_a = 3/4, p_e = 2(1/8)(7/8)
    0.68
    """
    return _single("gwet_ac1", ratings, n_categories)


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


def _check_counts(counts: NDArray[np.integer[Any]] | NDArray[np.floating[Any]]) -> NDArray[Any]:
    cm = np.asarray(counts)
    if cm.ndim != 2:
        raise ValueError(f"counts must be a 2-D array (units x categories), got {cm.ndim} dimension(s)")
    if cm.size and cm.min() < 0:
        raise ValueError("counts must be non-negative")
    return cm


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


def kappa_paradox_diagnostics(ratings: RatingsLike) -> dict[str, float | None]:
    """Prevalence index, bias index and PABAK for binary ratings (Byrt, Bishop & Carlin 1993).

    .. math:: PI = |\\pi_1 - \\pi_0|, \\quad BI = \\overline{|p_{g1} - p_{h1}|}, \\quad PABAK = 2p_o - 1

    For two coders with the 2x2 table ``[[a, b], [c, d]]`` of ``N`` jointly rated units these are
    ``|a - d|/N``, ``|b - c|/N`` and ``2(a + d)/N - 1``; with more coders ``pi`` is pooled over pairable
    values, the bias index is the mean over coder pairs, and ``p_o`` is the percent agreement.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        0/1 per cell, :data:`MISSING` for no rating.

    Returns
    -------
    dict
        ``prevalence_index``, ``bias_index``, ``pabak``; ``None`` each when there is no pairable unit.

    Notes
    -----
    Reference: Byrt, T., Bishop, J. & Carlin, J. B. (1993), J. Clin. Epidemiol. 46, 423-429.

    Examples
    --------
    >>> r = [[1, 1]] * 40 + [[1, 0]] * 9 + [[0, 1]] * 6 + [[0, 0]] * 45
    >>> kappa_paradox_diagnostics(r)
    {'prevalence_index': 0.05, 'bias_index': 0.03, 'pabak': 0.7}
    """
    v = _check_ratings(ratings, 2)
    sums = _point_sums(v, 2, _blocks_for(["percent_agreement", "light_kappa"]))
    out = _diagnostics(sums)
    return {k: (None if math.isnan(float(x)) else float(x)) for k, x in out.items()}


def _diagnostics(sums: dict[str, F64]) -> dict[str, F64]:
    n = sums["counts"].sum(axis=-1)
    prev = np.abs(_safe_div(sums["counts"][..., 1] - sums["counts"][..., 0], n))
    t = sums["pair_tables"]
    nt = t.sum(axis=(-1, -2))
    has = nt > 0
    bias_pairs = np.abs(_safe_div(t[..., 0, 1] - t[..., 1, 0], nt))
    bias = _safe_div(np.where(has, np.nan_to_num(bias_pairs), 0.0).sum(axis=-1), has.sum(axis=-1) * 1.0)
    pabak = 2.0 * _safe_div(sums["pa"], sums["N"]) - 1.0
    return {"prevalence_index": prev, "bias_index": bias, "pabak": pabak}


# --------------------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------------------


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


def single_label_report(
    ratings: RatingsLike,
    *,
    n_categories: int,
    n_bootstrap: int = 1000,
    seed: int | None = None,
    confidence: float = 0.95,
    measures: Sequence[str] | None = None,
    weights: Weights = None,
    level: Level = "nominal",
    values: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Every single-label measure with bootstrap percentile intervals, as a JSON-serialisable dict.

    Resamples units (those with at least one rating) with replacement ``n_bootstrap`` times from a seeded
    generator; each coefficient is recomputed on each resample from weighted sufficient statistics (one
    matrix product per chunk of resamples, not one call per resample). For alpha the resamples keep
    ``D_e`` fixed at its observed value (Hayes & Krippendorff 2007), and the report gives the share of
    resamples below each of :data:`ALPHA_MINIMUMS`.

    Parameters
    ----------
    ratings : array of int, shape (n_units, n_coders)
        Category index per cell, :data:`MISSING` for no rating.
    n_categories : int
        ``q`` from the codebook.
    n_bootstrap : int
        Number of resamples (0 disables intervals).
    seed : int, optional
        Seed of ``numpy.random.default_rng``; drawn from OS entropy when omitted. Stored in the result.
    confidence : float
        Interval level.
    measures : sequence of str, optional
        Subset of :data:`MEASURES` (default: all).
    weights : {None, "linear", "quadratic"}
        Weights for Cohen's kappa.
    level, values
        Metric and category values for alpha, as in :func:`krippendorff_alpha`.

    Returns
    -------
    dict
        ``{"seed", "parameters", "counts", "measures": {name: coefficient}, "diagnostics"}`` (diagnostics
        only for ``q = 2``); coefficient as in the module docstring.

    Notes
    -----
    References: Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13; Hayes, A. F. &
    Krippendorff, K. (2007), Commun. Methods Meas. 1, 77-89.

    Examples
    --------
    >>> rep = single_label_report([[0, 0], [0, 1], [1, 1], [1, 1]], n_categories=2, n_bootstrap=200, seed=7)
    >>> rep["measures"]["cohen_kappa"]["value"], rep["seed"]
    (0.5, 7)
    >>> rep["measures"]["cohen_kappa"]["ci"]["n_resamples"]
    200
    """
    v = _check_ratings(ratings, n_categories)
    q = n_categories
    c = v.shape[1]
    names = list(MEASURES if measures is None else measures)
    for name in names:
        if name not in _NEEDS:
            raise ValueError(f"unknown measure {name!r}; expected one of {', '.join(MEASURES)}")
    vals = None if values is None else np.asarray(values, dtype=np.float64)
    blocks = _blocks_for([*names, "percent_agreement", "light_kappa"] if q == 2 else names)
    seed_ = _resolve_seed(seed)
    point = _point_sums(v, q, blocks)
    kw: dict[str, Any] = {"weights": weights, "level": level, "values": vals}
    point_vals = {m: _coefficient_arrays(m, point, q=q, c=c, **kw) for m in names}
    samples: dict[str, F64] = {}
    active = v[(v >= 0).any(axis=1)]
    if n_bootstrap > 0 and len(active):
        rng = np.random.default_rng(seed_)
        stats = _unit_stats(active, q, blocks)
        parts: dict[str, list[F64]] = {m: [] for m in names}
        d_e = _alpha_parts(point, level, vals)[1] if "krippendorff_alpha" in names else None
        step = _chunk_size(len(active))
        done = 0
        while done < n_bootstrap:
            bc = min(step, n_bootstrap - done)
            w = _bootstrap_weights(rng, len(active), bc)
            sums_b = _split(w.astype(np.float64) @ stats, q, c, blocks)
            for m in names:
                if m == "krippendorff_alpha" and d_e is not None:
                    parts[m].append(_fixed_de_alpha(sums_b, d_e, level, vals, point["counts"]))
                else:
                    parts[m].append(_coefficient_arrays(m, sums_b, q=q, c=c, **kw)[0])
            done += bc
        samples = {m: np.concatenate(p) for m, p in parts.items()}
    out_measures = {
        m: _coef_dict(float(val), int(code), c, samples.get(m), confidence, m == "krippendorff_alpha")
        for m, (val, code) in point_vals.items()
    }
    rated = v >= 0
    mu = rated.sum(axis=1)
    result: dict[str, Any] = {
        "seed": seed_,
        "parameters": {
            "n_bootstrap": n_bootstrap, "seed": seed_, "confidence": confidence, "measures": names,
            "n_categories": q, "weights": weights, "level": level,
            "alpha_minimums": list(ALPHA_MINIMUMS),
        },
        "counts": {
            "n_units": int(v.shape[0]), "n_rated_units": int((mu >= 1).sum()),
            "n_pairable_units": int((mu >= 2).sum()), "n_coders": c,
            "n_pairable_values": int(mu[mu >= 2].sum()),
        },
        "measures": out_measures,
    }  # fmt: skip
    if q == 2:
        result["diagnostics"] = {
            k: (None if math.isnan(float(x)) else float(x)) for k, x in _diagnostics(point).items()
        }
    return result


# --------------------------------------------------------------------------------------------------------
# Multi-code data
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MultiCodeRatings:
    """Multi-code ratings: each coder's rating of a unit is a set of codes, possibly empty.

    Attributes
    ----------
    rated : bool array, shape (n_units, n_coders)
        True when the coder finished the unit (a rating, possibly the empty set); False = missing.
    coding_unit, coding_coder, coding_code : int arrays, shape (n_codings,)
        One entry per code applied: unit index, coder index, code index. Duplicates are ignored. Every
        coding must belong to a rated (unit, coder): a missing rating carries no codes.
    n_codes : int
        Number of codes in the codebook (unused codes included).

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0, 1}], [set(), {1}], [{1}, None]], n_codes=2)
    >>> r.n_units, r.n_coders, r.n_codes, len(r.coding_unit)
    (3, 2, 2, 5)
    """

    rated: Bools
    coding_unit: I64
    coding_coder: I64
    coding_code: I64
    n_codes: int

    def __post_init__(self) -> None:
        rated = np.asarray(self.rated)
        if rated.ndim != 2 or rated.dtype != np.bool_:
            raise ValueError("rated must be a 2-D boolean array (units x coders)")
        if rated.shape[1] > 62:
            raise ValueError(f"at most 62 coders are supported, got {rated.shape[1]}")
        if self.n_codes < 1:
            raise ValueError(f"n_codes must be at least 1, got {self.n_codes}")
        arrays = [np.asarray(a) for a in (self.coding_unit, self.coding_coder, self.coding_code)]
        if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
            raise ValueError("coding_unit, coding_coder and coding_code must be 1-D arrays of equal length")
        for a, name in zip(arrays, ("coding_unit", "coding_coder", "coding_code"), strict=True):
            if a.size and a.dtype.kind not in "iu":
                raise ValueError(f"{name} must be an integer array, got dtype {a.dtype}")
        unit, coder, code = (a.astype(np.int64) for a in arrays)
        for a, hi, name in (
            (unit, rated.shape[0], "coding_unit"),
            (coder, rated.shape[1], "coding_coder"),
            (code, self.n_codes, "coding_code"),
        ):
            if a.size and (a.min() < 0 or a.max() >= hi):
                raise ValueError(f"{name} must lie in 0..{hi - 1}")
        if unit.size:
            bad = ~rated[unit, coder]
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"coding {i} (unit {unit[i]}, coder {coder[i]}) belongs to a unit that coder did not "
                    "rate; a missing rating carries no codes"
                )
        # duplicates carry no information: keep one (unit, coder, code) each, sorted
        key = _unique((unit * rated.shape[1] + coder) * self.n_codes + code)
        code = key % self.n_codes
        coder = (key // self.n_codes) % rated.shape[1]
        unit = key // self.n_codes // rated.shape[1]
        object.__setattr__(self, "rated", rated)
        object.__setattr__(self, "coding_unit", unit)
        object.__setattr__(self, "coding_coder", coder)
        object.__setattr__(self, "coding_code", code)

    @property
    def n_units(self) -> int:
        return int(self.rated.shape[0])

    @property
    def n_coders(self) -> int:
        return int(self.rated.shape[1])

    @classmethod
    def from_sets(
        cls, sets: Sequence[Sequence[set[int] | frozenset[int] | None]], *, n_codes: int
    ) -> MultiCodeRatings:
        """Build from ``sets[unit][coder]``: a set of code indices, or ``None`` for no rating."""
        n_units = len(sets)
        n_coders = len(sets[0]) if n_units else 0
        rated = np.zeros((n_units, n_coders), dtype=bool)
        cu: list[int] = []
        cc: list[int] = []
        ck: list[int] = []
        for u, row in enumerate(sets):
            if len(row) != n_coders:
                raise ValueError(f"unit {u} has {len(row)} coders, expected {n_coders}")
            for g, s in enumerate(row):
                if s is None:
                    continue
                rated[u, g] = True
                for k in sorted(s):
                    cu.append(u)
                    cc.append(g)
                    ck.append(k)
        return cls(rated, np.array(cu, dtype=np.int64), np.array(cc, dtype=np.int64),
                   np.array(ck, dtype=np.int64), n_codes)  # fmt: skip

    def binary(self, code: int) -> I64:
        """Units x coders 0/1 matrix for one code (:data:`MISSING` where not rated); for tests and export."""
        out = np.where(self.rated, 0, MISSING).astype(np.int64)
        sel = self.coding_code == code
        out[self.coding_unit[sel], self.coding_coder[sel]] = 1
        return out


class _PerCodeEngine:
    """Sums of per-unit statistics for every code at once.

    A unit's contribution to code ``k`` depends only on its rating pattern for ``k``: which coders rated
    it (mask) and which of them applied ``k`` (bits). Units where nobody applied ``k`` contribute the
    mask's "all zero" statistics, shared by every code; the others are grouped into *cells*
    ``(code, mask, bits)``. Sums for all codes are then ``base + sum over the code's cells`` and a
    bootstrap resample only needs the resampled counts of masks and cells (sparse products).
    """

    def __init__(self, r: MultiCodeRatings, blocks: Sequence[str]) -> None:
        self.blocks = tuple(blocks)
        c, k_codes = r.n_coders, r.n_codes
        self.c, self.k = c, k_codes
        rated = r.rated
        self.active = np.flatnonzero(rated.any(axis=1))
        n_act = len(self.active)
        self.n_act = n_act
        pos = np.full(r.n_units, -1, dtype=np.int64)
        pos[self.active] = np.arange(n_act)
        bitw = np.left_shift(np.int64(1), np.arange(c, dtype=np.int64))
        mask_val = (rated[self.active].astype(np.int64) * bitw).sum(axis=1)
        masks, mask_id, _ = _unique_inverse(mask_val)
        self.mask_id = mask_id.astype(np.int64)
        self.n_masks = len(masks)
        coder_bits = ((masks[:, None] >> np.arange(c)) & 1).astype(bool)
        base_rows = np.where(coder_bits, 0, MISSING).astype(np.int64)
        self.f_base = _unit_stats(base_rows, 2, blocks)
        # distinct (unit, code) with their coder bits
        key = (r.coding_unit * k_codes + r.coding_code) * c + r.coding_coder
        key = _unique(key)
        uk = key // c
        coder = key % c
        uk_u, _, start = _unique_inverse(uk)
        bits = np.add.reduceat(np.left_shift(np.int64(1), coder), start) if len(uk) else np.zeros(0, np.int64)
        unit_nz = pos[uk_u // k_codes]
        code_nz = uk_u % k_codes
        mid_nz = self.mask_id[unit_nz]
        n_bits = np.int64(1) << np.int64(c)
        if k_codes * self.n_masks * float(n_bits) < 2.0**62:
            ckey = (code_nz * self.n_masks + mid_nz) * n_bits + bits
            ukey, cell_id, _ = _unique_inverse(ckey)
            cells = np.stack(
                [ukey // n_bits // self.n_masks, (ukey // n_bits) % self.n_masks, ukey % n_bits], 1
            )
        elif len(code_nz):
            trip = np.stack([code_nz, mid_nz, bits], axis=1)
            cells, cell_id = np.unique(trip, axis=0, return_inverse=True)
        else:
            cells, cell_id = np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64)
        cell_id = cell_id.reshape(-1).astype(np.int64)
        self.n_cells = len(cells)
        cell_mask = masks[cells[:, 1]] if len(cells) else np.zeros(0, np.int64)
        cb = ((cells[:, 2:3] >> np.arange(c)) & 1).astype(np.int64)
        crated = ((cell_mask[:, None] >> np.arange(c)) & 1).astype(bool)
        cell_rows = np.where(crated, cb, MISSING).astype(np.int64)
        self.f_cell = _unit_stats(cell_rows, 2, blocks) - self.f_base[cells[:, 1]]
        self.cell_code = cells[:, 0].astype(np.int64)
        codes_ne, _, starts = _unique_inverse(self.cell_code)
        self.codes_ne = codes_ne
        self.starts = starts
        self.unit_nz = unit_nz
        self.cell_id = cell_id
        # sparse incidence (for bootstrap): units -> masks, units -> cells
        self.mask_inc = sparse.csr_matrix(
            (np.ones(n_act, dtype=np.float32), (self.mask_id, np.arange(n_act))), shape=(self.n_masks, n_act)
        )
        self.cell_inc = sparse.csr_matrix(
            (np.ones(len(cell_id), dtype=np.float32), (cell_id, unit_nz)), shape=(self.n_cells, n_act)
        )
        self.mask_count = np.bincount(self.mask_id, minlength=self.n_masks).astype(np.float64)
        self.cell_count = np.bincount(cell_id, minlength=self.n_cells).astype(np.float64)
        self.n_stats = self.f_base.shape[1]

    def sums(self, mask_counts: F64, cell_counts: F64) -> F64:
        """``(B, K, S)`` sums from ``(B, n_masks)`` and ``(B, n_cells)`` counts."""
        b = mask_counts.shape[0]
        base = mask_counts @ self.f_base  # (B, S)
        out = np.broadcast_to(base[:, None, :], (b, self.k, self.n_stats)).copy()
        if self.n_cells:
            contrib = cell_counts[:, :, None] * self.f_cell[None, :, :]
            out[:, self.codes_ne, :] += np.add.reduceat(contrib, self.starts, axis=1)
        return out

    def point(self) -> F64:
        out: F64 = self.sums(self.mask_count[None], self.cell_count[None])[0]
        return out

    def resample(self, w: NDArray[np.float32]) -> F64:
        """Sums for resample weights ``w`` of shape ``(B, n_active_units)``."""
        wt = np.ascontiguousarray(w.T)  # scipy's sparse @ dense wants C-ordered columns
        mc = np.asarray(self.mask_inc @ wt, dtype=np.float64).T
        cc = np.asarray(self.cell_inc @ wt, dtype=np.float64).T
        return self.sums(mc, cc)


def _per_code_reasons(code: I64, counts: F64, n_applied: I64, n_coders: int) -> list[str | None]:
    """Per-code wording of the undefined cases (AGREEMENT.md: "code never used" / "used on every unit")."""
    out: list[str | None] = []
    for i, cd in enumerate(code.tolist()):
        if cd in (_NO_VARIATION, _CHANCE_ONE):
            if n_applied[i] == 0:
                out.append(REASON_CODE_NEVER_USED)
            elif counts[i, 1] == 0:
                out.append(REASON_CODE_NOT_ON_PAIRABLE)
            elif counts[i, 0] == 0:
                out.append(REASON_CODE_EVERYWHERE)
            else:
                out.append(_REASONS[cd])
        else:
            out.append(_reason_text(cd, n_coders))
    return out


def per_code_coefficients(
    ratings: MultiCodeRatings, *, measures: Sequence[str] | None = None
) -> dict[str, list[Coefficient]]:
    """Every measure for every code at once, on the per-code binary view (1 = code in the rating's set).

    All codes are computed in one vectorised pass: a unit's per-code statistics depend only on its
    pattern (who rated it, who applied the code), so sums over units are sums over a few distinct
    patterns per code plus a base shared by all codes (see the module source, ``_PerCodeEngine``).

    Parameters
    ----------
    ratings : MultiCodeRatings
        The multi-code ratings.
    measures : sequence of str, optional
        Subset of :data:`MEASURES` (default: all). Binary data has ``q = 2``.

    Returns
    -------
    dict
        ``{measure: [Coefficient for code 0, ..., code K-1]}``. Undefined codes carry the reason
        ``"code never used"``, ``"code never used on a pairable unit"`` or ``"code used on every unit"``.

    Notes
    -----
    Missing data and formulas as in the single-label functions; each code's value equals the single-label
    function applied to :meth:`MultiCodeRatings.binary`.

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0}], [{0, 1}, {0}], [set(), set()], [{1}, {1}]], n_codes=3)
    >>> res = per_code_coefficients(r, measures=["krippendorff_alpha", "percent_agreement"])
    >>> [c.value for c in res["percent_agreement"]]
    [1.0, 0.75, 1.0]
    >>> [c.reason for c in res["krippendorff_alpha"]]
    [None, None, 'code never used']
    """
    names = list(MEASURES if measures is None else measures)
    for name in names:
        if name not in _NEEDS:
            raise ValueError(f"unknown measure {name!r}; expected one of {', '.join(MEASURES)}")
    blocks = _blocks_for(names)
    eng = _PerCodeEngine(ratings, blocks)
    sums = _split(eng.point(), 2, ratings.n_coders, blocks)
    n_applied = np.bincount(ratings.coding_code, minlength=ratings.n_codes)
    counts = _pc_counts(ratings)
    out: dict[str, list[Coefficient]] = {}
    for m in names:
        val, code = _coefficient_arrays(m, sums, q=2, c=ratings.n_coders)
        reasons = _per_code_reasons(code, sums["counts"], n_applied, ratings.n_coders)
        out[m] = [
            Coefficient(m, None if code[i] != _OK else float(val[i]), reasons[i], *counts)
            for i in range(ratings.n_codes)
        ]
    return out


def _pc_counts(r: MultiCodeRatings) -> tuple[int, int, int, int]:
    m = r.rated.sum(axis=1)
    return int((m >= 1).sum()), int((m >= 2).sum()), r.n_coders, int(m[m >= 2].sum())


# --------------------------------------------------------------------------------------------------------
# Set-valued alpha (MASI, Jaccard)
# --------------------------------------------------------------------------------------------------------


def _unique_rows(x: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], I64]:
    """``np.unique(x, axis=0, return_inverse=True)``, fast when rows are single words."""
    if x.shape[1] == 1:
        u, inv, _ = _unique_inverse(x[:, 0])
        return u[:, None], inv
    u2, inv2 = np.unique(x, axis=0, return_inverse=True)
    return u2, inv2.reshape(-1).astype(np.int64)


def _popcount(x: NDArray[np.uint64]) -> I64:
    out: I64 = np.bitwise_count(x).sum(axis=-1).astype(np.int64)
    return out


def _set_distance(a: NDArray[np.uint64], b: NDArray[np.uint64], distance: str) -> F64:
    """Distance between bitset rows ``a`` and ``b`` (last axis = 64-bit words), broadcasting."""
    inter = _popcount(a & b)
    union = _popcount(a | b)
    jac = np.divide(inter, union, out=np.ones(inter.shape), where=union > 0)
    if distance == "jaccard":
        return np.asarray(1.0 - jac, dtype=np.float64)
    if distance == "masi":
        na, nb = _popcount(a), _popcount(b)
        m = np.where(
            inter == union,
            1.0,
            np.where(inter == np.minimum(na, nb), 2.0 / 3.0, np.where(inter > 0, 1.0 / 3.0, 0.0)),
        )
        return np.asarray(1.0 - jac * m, dtype=np.float64)
    raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")


def _as_bits(s: set[int] | frozenset[int], n_words: int) -> NDArray[np.uint64]:
    out = np.zeros(n_words, dtype=np.uint64)
    for k in s:
        out[k // 64] |= np.uint64(1) << np.uint64(k % 64)
    return out


def masi_distance(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """MASI distance between two code sets (Passonneau 2006).

    .. math:: d = 1 - J \\cdot M, \\quad J = \\frac{|A \\cap B|}{|A \\cup B|}, \\quad
              M = 1 \\text{ if } A = B,\\ 2/3 \\text{ if } A \\subset B \\text{ or } B \\subset A,\\
              1/3 \\text{ if they overlap otherwise},\\ 0 \\text{ if disjoint}

    ``d(∅, ∅) = 0``.

    Parameters
    ----------
    a, b : set of int
        Code indices.

    Returns
    -------
    float

    Notes
    -----
    Reference: Passonneau, R. (2006), "Measuring agreement on set-valued items (MASI) for semantic and
    pragmatic annotation", LREC 2006.

    Examples
    --------
    >>> round(masi_distance({1, 2}, {1, 2, 3}), 4)  # J = 2/3, M = 2/3
    0.5556
    >>> masi_distance(set(), set())
    0.0
    """
    n_words = max([1, *((k // 64) + 1 for k in (*a, *b))])
    return float(_set_distance(_as_bits(a, n_words), _as_bits(b, n_words), "masi"))


def jaccard_distance(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """Jaccard distance ``1 - |A ∩ B| / |A ∪ B|`` between two code sets, with ``d(∅, ∅) = 0``.

    Parameters
    ----------
    a, b : set of int
        Code indices.

    Returns
    -------
    float

    Notes
    -----
    Reference: Jaccard, P. (1912), New Phytologist 11, 37-50; as a distance for alpha in Passonneau (2006).

    Examples
    --------
    >>> jaccard_distance({1, 2}, {2, 3})
    0.6666666666666667
    """
    n_words = max([1, *((k // 64) + 1 for k in (*a, *b))])
    return float(_set_distance(_as_bits(a, n_words), _as_bits(b, n_words), "jaccard"))


class _SetData:
    """Bitsets of every rating and the per-unit / per-pair observed disagreements."""

    def __init__(self, r: MultiCodeRatings) -> None:
        self.r = r
        n_words = (r.n_codes + 63) // 64
        bits = np.zeros((r.n_units, r.n_coders, n_words), dtype=np.uint64)
        key = (r.coding_unit * r.n_coders + r.coding_coder) * r.n_codes + r.coding_code  # unique, sorted
        code = key % r.n_codes
        uc = key // r.n_codes
        flat = bits.reshape(-1, n_words)
        np.add.at(
            flat,
            (uc, code // 64),
            np.left_shift(np.uint64(1), (code % 64).astype(np.uint64)),
        )
        self.bits = bits
        self.n_words = n_words
        rated = r.rated
        self.m = rated.sum(axis=1)
        self.pairable = self.m >= 2

    def pair_disagreement(self, distance: str) -> tuple[F64, I64, I64]:
        """``(n_pairs, n_units)`` distances (0 where the pair did not both rate), and the pairs."""
        g, h = _pairs(self.r.n_coders)
        d = np.zeros((len(g), self.r.n_units))
        for i, (a, b) in enumerate(zip(g.tolist(), h.tolist(), strict=True)):
            both = self.r.rated[:, a] & self.r.rated[:, b]
            d[i, both] = _set_distance(self.bits[both, a], self.bits[both, b], distance)
        return d, g, h

    def expected_numerators(self, selections: Bools, distance: str) -> F64:
        """``sum_{i != j} delta(v_i, v_j)`` over the pooled values selected by each ``(J, units, coders)`` mask.

        MASI and Jaccard depend only on ``(|A|, |B|, |A ∩ B|)``. Counting, for every subset ``T`` of a
        value, the values of each size that contain it gives ``F_ab(j) = sum_{|T|=j} N_a(T) N_b(T)`` =
        ``sum_i C(i, j) X_ab(i)``, where ``X_ab(i)`` counts ordered pairs of values with sizes ``a, b`` and
        intersection ``i``; a binomial inversion recovers ``X``. Cost: ``sum_v 2^|v|`` rows, instead of
        ``V^2`` pairs of distinct sets. Falls back to the pairwise sum for very large sets.
        """
        vals = self.bits.reshape(-1, self.n_words)
        sel = selections.reshape(selections.shape[0], -1)
        used = sel.any(axis=0)
        distinct, inv = _unique_rows(vals[used])
        nv = len(distinct)
        n_sel = sel.shape[0]
        counts = np.zeros((nv, n_sel))
        for j in range(n_sel):
            counts[:, j] = np.bincount(inv[sel[j, used]], minlength=nv)
        if nv == 0:  # nothing pairable selected: every numerator is an empty sum
            return np.zeros(n_sel)
        sizes = _popcount(distinct)
        max_size = int(sizes.max())
        if max_size > 12 or int((np.left_shift(1, sizes)).sum()) > 20_000_000:
            return self._expected_pairwise(distinct, counts, distance)
        # enumerate subsets of every distinct value: rows (subset bits, size of value, size of subset)
        sub_rows: list[NDArray[np.uint64]] = []
        sub_a: list[I64] = []
        sub_j: list[I64] = []
        sub_w: list[F64] = []
        for a in range(max_size + 1):
            idx = np.flatnonzero(sizes == a)
            if not len(idx):
                continue
            # the a set bits of each value, as single-bit words: (n_a, a, n_words)
            single = np.zeros((len(idx), a, self.n_words), dtype=np.uint64)
            rest = distinct[idx].copy()
            for t in range(a):
                low = np.zeros_like(rest)
                for w in range(self.n_words):
                    has = rest[:, w] != 0
                    lowbit = rest[:, w] & (~rest[:, w] + np.uint64(1))
                    take = has & ~(low != 0).any(axis=1)
                    low[take, w] = lowbit[take]
                single[:, t] = low
                rest ^= low
            subsets = ((np.arange(2**a)[:, None] >> np.arange(a)) & 1).astype(np.uint64)  # (2^a, a)
            t_bits = np.einsum("sa,vaw->vsw", subsets, single)  # distinct bits: sum = OR
            sub_rows.append(t_bits.reshape(-1, self.n_words))
            sub_a.append(np.full(len(idx) * 2**a, a, dtype=np.int64))
            sub_j.append(np.tile(subsets.sum(axis=1).astype(np.int64), len(idx)))
            sub_w.append(np.repeat(counts[idx], 2**a, axis=0))
        rows = np.concatenate(sub_rows)
        a_all = np.concatenate(sub_a)
        j_all = np.concatenate(sub_j)
        w_all = np.concatenate(sub_w)
        _, t_id = _unique_rows(rows)
        n_t = int(t_id.max()) + 1
        size_of_t = np.zeros(n_t, dtype=np.int64)
        size_of_t[t_id] = j_all
        na = max_size + 1
        big_n = np.zeros((n_sel, n_t * na))
        for s_ in range(n_sel):
            big_n[s_] = np.bincount(t_id * na + a_all, weights=w_all[:, s_], minlength=n_t * na)
        big_n3 = big_n.reshape(n_sel, n_t, na)
        # F[s, j, a, b] = sum over subsets T of size j of N_a(T) N_b(T)
        f = np.zeros((n_sel, na, na, na))
        for j in range(na):
            nj = big_n3[:, size_of_t == j, :]
            f[:, j] = np.einsum("sta,stb->sab", nj, nj)
        f_int = np.rint(f).astype(np.int64)
        x = np.zeros_like(f_int)
        for i in range(na):
            for j in range(i, na):
                x[:, i] += (-1) ** (j - i) * math.comb(j, i) * f_int[:, j]
        ii, aa, bb = np.meshgrid(np.arange(na), np.arange(na), np.arange(na), indexing="ij")
        delta = _delta_from_sizes(aa, bb, ii, distance)
        return np.asarray((x * delta[None]).sum(axis=(1, 2, 3)), dtype=np.float64)

    def _expected_pairwise(self, distinct: NDArray[np.uint64], counts: F64, distance: str) -> F64:
        nv = len(distinct)
        total = np.zeros(counts.shape[1])
        step = max(1, 2_000_000 // max(1, nv))
        for s in range(0, nv, step):
            dchunk = _set_distance(distinct[s : s + step, None, :], distinct[None, :, :], distance)
            total += ((dchunk @ counts) * counts[s : s + step]).sum(axis=0)
        return total


def _delta_from_sizes(a: I64, b: I64, i: I64, distance: str) -> F64:
    """MASI / Jaccard distance from ``|A|, |B|, |A ∩ B|`` (0 for two empty sets; impossible combos -> 0)."""
    union = a + b - i
    jac = np.divide(i, union, out=np.ones(np.shape(union)), where=union > 0)
    if distance == "jaccard":
        d = 1.0 - jac
    else:
        m = np.where((i == a) & (i == b), 1.0, np.where(i == np.minimum(a, b), 2.0 / 3.0,
                                                       np.where(i > 0, 1.0 / 3.0, 0.0)))  # fmt: skip
        d = 1.0 - jac * m
    possible = (i <= np.minimum(a, b)) & (union >= 0)
    return np.where(possible, d, 0.0)


def _set_alpha_parts(data: _SetData, distance: str) -> dict[str, Any]:
    """Point alphas (all coders, each pair, each leave-one-out) and per-unit D_o terms for the bootstrap."""
    r = data.r
    c = r.n_coders
    d, g, h = data.pair_disagreement(distance)
    rated = r.rated
    m = data.m
    mm1 = np.where(m >= 2, m - 1, 1).astype(np.float64)
    unit_do = 2.0 * d.sum(axis=0) / mm1 * data.pairable  # sum_{i != j} delta / (m_u - 1)
    unit_n = (m * data.pairable).astype(np.float64)
    # selections: all coders (pairable units), each pair (units both rated), leave one coder out
    sels = [rated & data.pairable[:, None]]
    both = (
        np.stack([rated[:, a] & rated[:, b] for a, b in zip(g.tolist(), h.tolist(), strict=True)])
        if len(g)
        else np.zeros((0, r.n_units), dtype=bool)
    )
    for i in range(len(g)):
        s = np.zeros_like(rated)
        s[both[i], g[i]] = True
        s[both[i], h[i]] = True
        sels.append(s)
    loo_do = []
    loo_n = []
    for k in range(c):
        keep = rated.copy()
        keep[:, k] = False
        mk = keep.sum(axis=1)
        sels.append(keep & (mk >= 2)[:, None])
        pair_ok = (g != k) & (h != k)
        loo_do.append(float((2.0 * d[pair_ok].sum(axis=0) / np.where(mk >= 2, mk - 1, 1) * (mk >= 2)).sum()))
        loo_n.append(float(mk[mk >= 2].sum()))
    de_num = data.expected_numerators(np.stack(sels), distance)

    def alpha(do_sum: float, n: float, de_sum: float) -> float | None:
        if n < 2 or de_sum == 0:
            return None
        return float(1.0 - (n - 1) * do_sum / de_sum)

    overall = alpha(float(unit_do.sum()), float(unit_n.sum()), float(de_num[0]))
    pair_alpha = [
        alpha(2.0 * float(d[i].sum()), 2.0 * float(both[i].sum()), float(de_num[1 + i]))
        for i in range(len(g))
    ]
    loo = [alpha(loo_do[k], loo_n[k], float(de_num[1 + len(g) + k])) for k in range(c)]
    n_tot = float(unit_n.sum())
    return {
        "alpha": overall,
        "reason": None if overall is not None else (
            REASON_NO_PAIRABLE if n_tot < 2 else REASON_NO_VARIATION
        ),
        "d_e": float(de_num[0]) / (n_tot * (n_tot - 1)) if n_tot >= 2 else float("nan"),
        "unit_do": unit_do,
        "unit_n": unit_n,
        "pair_alpha": pair_alpha,
        "pair_n": both.sum(axis=1).astype(np.int64),
        "loo": loo,
        "g": g,
        "h": h,
    }  # fmt: skip


def set_alpha(ratings: MultiCodeRatings, *, distance: Literal["masi", "jaccard"] = "masi") -> Coefficient:
    """Krippendorff's alpha on whole code sets with the MASI or Jaccard distance.

    .. math:: \\alpha = 1 - (n - 1) \\frac{\\sum_u \\frac{1}{m_u - 1}\\sum_{i \\ne j \\in u} d(S_i, S_j)}
              {\\sum_{i \\ne j} d(S_i, S_j)}

    where the denominator runs over all ordered pairs of the ``n`` pairable values (sets) pooled across
    units, and ``d`` is :func:`masi_distance` or :func:`jaccard_distance` (``d(∅, ∅) = 0``).

    Parameters
    ----------
    ratings : MultiCodeRatings
        The multi-code ratings; an empty set is a rating, a missing rating is not.
    distance : {"masi", "jaccard"}
        Set distance.

    Returns
    -------
    Coefficient
        Undefined without pairable units or when every pairable rating is the same set.

    Notes
    -----
    Missing data: units with fewer than two ratings are dropped. References: Krippendorff (2011);
    Passonneau, R. (2006), LREC 2006.

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0}], [{0, 1}, {0}], [set(), set()], [{1}, {1}]], n_codes=2)
    >>> round(set_alpha(r, distance="jaccard").value, 4)  # 1 - (1/8) / (41/56)
    0.8293
    """
    if distance not in ("masi", "jaccard"):
        raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")
    parts = _set_alpha_parts(_SetData(ratings), distance)
    return Coefficient(f"alpha_{distance}", parts["alpha"], parts["reason"], *_pc_counts(ratings))


# --------------------------------------------------------------------------------------------------------
# The report (contract with workers/tasks.py)
# --------------------------------------------------------------------------------------------------------


def _matrix(values: Sequence[float | None] | F64, g: I64, h: I64, c: int) -> list[list[float | None]]:
    out: list[list[float | None]] = [[None] * c for _ in range(c)]
    for i, (a, b) in enumerate(zip(g.tolist(), h.tolist(), strict=True)):
        x = values[i]
        val = None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
        out[a][b] = out[b][a] = val
    return out


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def agreement_report(
    ratings: MultiCodeRatings,
    *,
    code_labels: Sequence[str],
    coder_labels: Sequence[str],
    n_bootstrap: int = 1000,
    seed: int | None = None,
    confidence: float = 0.95,
    measures: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Full agreement report for multi-code data: overall, per code, pairwise and per coder.

    Computes set-based alpha (MASI and Jaccard) over whole ratings; every measure in :data:`MEASURES` per
    code on the binary view, with kappa-paradox diagnostics; pairwise Cohen's kappa and alpha matrices
    per code and set-alpha matrices overall; per-coder summaries; and seeded bootstrap percentile
    intervals (units resampled with replacement) for every coefficient, with P(alpha < 0.667) and
    P(alpha < 0.8) from the Hayes & Krippendorff (2007) bootstrap (``D_e`` fixed at its observed value).

    Parameters
    ----------
    ratings : MultiCodeRatings
        Who rated what and which codes they applied.
    code_labels, coder_labels : sequence of str
        Opaque labels, one per code / coder, used as keys in the output.
    n_bootstrap : int
        Resamples for the intervals (0 disables them).
    seed : int, optional
        Seed for ``numpy.random.default_rng``; drawn from OS entropy when omitted; always stored.
    confidence : float
        Interval level.
    measures : sequence of str, optional
        Subset of :data:`MEASURES` to report per code (default: all).

    Returns
    -------
    dict
        JSON-serialisable; the shape is documented in the module docstring.

    Notes
    -----
    Cost: one pass over the codings to build patterns, then per chunk of resamples one multinomial draw
    and two sparse products (units to rating patterns); memory is bounded by chunking. References:
    Krippendorff (2011); Hayes & Krippendorff (2007); Byrt, Bishop & Carlin (1993); Passonneau (2006).

    Examples
    --------
    >>> r = MultiCodeRatings.from_sets([[{0}, {0}], [{0, 1}, {0}], [set(), set()], [{1}, {1}]], n_codes=2)
    >>> rep = agreement_report(r, code_labels=["joy", "fear"], coder_labels=["ann", "bob"],
    ...                        n_bootstrap=100, seed=1)
    >>> rep["per_code"][1]["measures"]["cohen_kappa"]["value"]
    0.5
    >>> round(rep["overall"]["alpha_jaccard"]["value"], 4), rep["seed"]
    (0.8293, 1)
    """
    c, k_codes = ratings.n_coders, ratings.n_codes
    if len(code_labels) != k_codes:
        raise ValueError(f"code_labels has {len(code_labels)} labels for {k_codes} codes")
    if len(coder_labels) != c:
        raise ValueError(f"coder_labels has {len(coder_labels)} labels for {c} coders")
    names = list(MEASURES if measures is None else measures)
    for name in names:
        if name not in _NEEDS:
            raise ValueError(f"unknown measure {name!r}; expected one of {', '.join(MEASURES)}")
    seed_ = _resolve_seed(seed)
    blocks = _blocks_for([*names, "percent_agreement", "light_kappa", "krippendorff_alpha"])
    eng = _PerCodeEngine(ratings, blocks)
    point = _split(eng.point(), 2, c, blocks)
    point_vals = {m: _coefficient_arrays(m, point, q=2, c=c) for m in names}
    setdata = _SetData(ratings)
    set_parts = {dist: _set_alpha_parts(setdata, dist) for dist in ("masi", "jaccard")}

    # ---- bootstrap: one multinomial draw per chunk feeds every per-code measure and the set alphas
    samples: dict[str, F64] = {}
    set_samples: dict[str, F64] = {}
    if n_bootstrap > 0 and eng.n_act:
        rng = np.random.default_rng(seed_)
        d_e = _alpha_parts(point, "nominal", None)[1] if "krippendorff_alpha" in names else None
        act = eng.active
        unit_terms = np.stack(
            [
                set_parts["masi"]["unit_do"][act],
                set_parts["jaccard"]["unit_do"][act],
                set_parts["masi"]["unit_n"][act],
            ],
            axis=1,
        )
        parts: dict[str, list[F64]] = {m: [] for m in names}
        sparts: dict[str, list[F64]] = {"masi": [], "jaccard": []}
        per_res = max(eng.n_act, k_codes * eng.n_stats * 4, eng.n_cells * eng.n_stats)
        step = _chunk_size(per_res)
        done = 0
        while done < n_bootstrap:
            bc = min(step, n_bootstrap - done)
            w = _bootstrap_weights(rng, eng.n_act, bc)
            sums_b = _split(eng.resample(w), 2, c, blocks)
            for m in names:
                if m == "krippendorff_alpha" and d_e is not None:
                    parts[m].append(_fixed_de_alpha(sums_b, d_e, "nominal", None, point["counts"]))
                else:
                    parts[m].append(_coefficient_arrays(m, sums_b, q=2, c=c)[0])
            ut = w.astype(np.float64) @ unit_terms  # (B, 3); BLAS needs one dtype
            for j, dist in enumerate(("masi", "jaccard")):
                d_o = _safe_div(ut[:, j], ut[:, 2])
                sparts[dist].append(1.0 - d_o / set_parts[dist]["d_e"])
            done += bc
        samples = {m: np.concatenate(p, axis=0).T for m, p in parts.items()}  # (K, B)
        set_samples = {d: np.concatenate(p) for d, p in sparts.items()}

    counts_t = _pc_counts(ratings)
    counts = {
        "n_units": ratings.n_units, "n_rated_units": counts_t[0], "n_pairable_units": counts_t[1],
        "n_coders": c, "n_pairable_values": counts_t[3],
    }  # fmt: skip
    overall: dict[str, Any] = {}
    for dist in ("masi", "jaccard"):
        sp = set_parts[dist]
        ok = sp["alpha"] is not None
        entry: dict[str, Any] = {"value": sp["alpha"], "reason": sp["reason"], "ci": None}
        if ok and dist in set_samples:
            entry["ci"] = _interval(set_samples[dist], confidence)
        entry["p_below"] = _p_below(set_samples.get(dist, np.zeros(0)), ok)
        overall[f"alpha_{dist}"] = entry

    n_applied = np.bincount(ratings.coding_code, minlength=k_codes)
    reasons = {
        m: _per_code_reasons(code, point["counts"], n_applied, c) for m, (_, code) in point_vals.items()
    }
    diag = _diagnostics(point)
    pair_tabs = point["pair_tables"]  # (K, P, 2, 2)
    pk, pk_code = _cohen_from_tables(pair_tabs)
    pa_sums = _pair_alpha_sums(pair_tabs)
    pair_al, pair_al_code = _coefficient_arrays("krippendorff_alpha", pa_sums, q=2, c=2)
    g, h = _pairs(c)
    n_pv = point["counts"].sum(axis=-1)
    per_code = []
    for k in range(k_codes):
        meas: dict[str, Any] = {}
        for m, (val, code) in point_vals.items():
            entry = _coef_dict(float(val[k]), int(code[k]), c, samples[m][k] if m in samples else None,
                               confidence, m == "krippendorff_alpha")  # fmt: skip
            entry["reason"] = reasons[m][k]
            meas[m] = entry
        per_code.append({
            "code": code_labels[k],
            "n_applied": int(n_applied[k]),
            "prevalence": _none_if_nan(float(_safe_div(point["counts"][k, 1], n_pv[k]))),
            "counts": counts,
            "measures": meas,
            "diagnostics": {name: _none_if_nan(float(arr[k])) for name, arr in diag.items()},
            "pairwise": {
                "cohen_kappa": _matrix(np.where(pk_code[k] == _OK, pk[k], np.nan), g, h, c),
                "krippendorff_alpha": _matrix(np.where(pair_al_code[k] == _OK, pair_al[k], np.nan), g, h, c),
            },
        })  # fmt: skip

    pair_n = set_parts["masi"]["pair_n"]
    n_matrix = [[0] * c for _ in range(c)]
    for i, (a, b) in enumerate(zip(g.tolist(), h.tolist(), strict=True)):
        n_matrix[a][b] = n_matrix[b][a] = int(pair_n[i])
    pairwise = {
        "coders": list(coder_labels),
        "n_units": n_matrix,
        "alpha_masi": _matrix(set_parts["masi"]["pair_alpha"], g, h, c),
        "alpha_jaccard": _matrix(set_parts["jaccard"]["pair_alpha"], g, h, c),
    }
    coders = _coder_summaries(ratings, coder_labels, set_parts["masi"], pk, pk_code, g, h)
    return {
        "schema": "intercoder.agreement/1",
        "parameters": {
            "n_bootstrap": n_bootstrap, "seed": seed_, "confidence": confidence, "measures": names,
            "alpha_minimums": list(ALPHA_MINIMUMS),
            "bootstrap": "units, percentile; alpha with D_e fixed (Hayes & Krippendorff 2007)",
        },
        "seed": seed_,
        "counts": {**counts, "n_codes": k_codes, "n_codings": len(ratings.coding_unit)},
        "overall": overall,
        "per_code": per_code,
        "pairwise": pairwise,
        "coders": coders,
    }  # fmt: skip


def _pair_alpha_sums(t: F64) -> dict[str, F64]:
    """Alpha sufficient statistics of two-coder data from contingency tables ``(..., 2, 2)``."""
    n_units = t.sum(axis=(-1, -2))
    coinc = t + np.swapaxes(t, -1, -2)
    return {"N": n_units, "n": 2.0 * n_units, "counts": coinc.sum(axis=-1), "coinc": coinc}


def _coder_summaries(
    r: MultiCodeRatings,
    labels: Sequence[str],
    masi: dict[str, Any],
    pk: F64,
    pk_code: I64,
    g: I64,
    h: I64,
) -> list[dict[str, Any]]:
    rated = r.rated
    pairable = rated.sum(axis=1) >= 2
    n_codings = np.bincount(r.coding_coder, minlength=r.n_coders)
    out = []
    for k in range(r.n_coders):
        involved = np.flatnonzero((g == k) | (h == k))
        pa = [masi["pair_alpha"][i] for i in involved if masi["pair_alpha"][i] is not None]
        kap = pk[:, involved][pk_code[:, involved] == _OK]
        n_rated = int(rated[:, k].sum())
        out.append({
            "coder": labels[k],
            "n_rated_units": n_rated,
            "n_pairable_units": int((rated[:, k] & pairable).sum()),
            "n_codings": int(n_codings[k]),
            "mean_codes_per_rated_unit": float(n_codings[k] / n_rated) if n_rated else None,
            "mean_pairwise_alpha_masi": float(np.mean(pa)) if pa else None,
            "mean_pairwise_cohen_kappa": float(kap.mean()) if kap.size else None,
            "alpha_masi_without_coder": masi["loo"][k],
        })  # fmt: skip
    return out
