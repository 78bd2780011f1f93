"""The agreement reports: every measure with bootstrap intervals, as JSON-serialisable dicts.

:func:`single_label_report` covers a single-label rating matrix; :func:`agreement_report` covers
multi-code data (overall set alphas, every measure per code, pairwise matrices, per-coder summaries) and
is the contract with the Celery task (``workers/tasks/analysis.py``).

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
from typing import Any

import numpy as np

from workers.stats.agreement.coefficients.from_sums import (
    _alpha_parts,
    _coefficient_arrays,
    _cohen_from_tables,
    _safe_div,
)
from workers.stats.agreement.coefficients.per_code import _per_code_reasons
from workers.stats.agreement.diagnostics import _diagnostics
from workers.stats.agreement.intervals import (
    ALPHA_MINIMUMS,
    _bootstrap_weights,
    _chunk_size,
    _coef_dict,
    _fixed_de_alpha,
    _interval,
    _p_below,
    _resolve_seed,
)
from workers.stats.agreement.reliability_data import (
    F64,
    I64,
    Level,
    MultiCodeRatings,
    RatingsLike,
    Weights,
    _check_ratings,
    _pairs,
    _pc_counts,
)
from workers.stats.agreement.results import _OK, MEASURES
from workers.stats.agreement.set_measures import _set_alpha_parts, _SetData
from workers.stats.agreement.sufficient_statistics import (
    _NEEDS,
    _blocks_for,
    _PerCodeEngine,
    _point_sums,
    _split,
    _unit_stats,
)


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
    set_parts = _set_alpha_parts(setdata, ("masi", "jaccard"))

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
