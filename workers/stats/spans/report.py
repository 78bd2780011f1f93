"""Every unitizing coefficient, overall, per code and per document, with bootstrap intervals over documents.

Intervals are percentile intervals (Efron & Tibshirani 1993, ch. 13) over documents resampled with
replacement from a seeded generator: a document is the unit that was sampled for coding, and spans inside
one document are not independent. The coincidence family (uα, |uα, cu-α, Cu-α, (k)uα) is recomputed
exactly on each resample from per-document sums. For the boundary uα of Krippendorff (2004) the expected
disagreement pools gaps across documents, so, as Hayes & Krippendorff (2007) do for alpha, the resamples
keep D_e at its observed value and resample the observed disagreement per unit of length.
Per-document values have no interval (there is nothing to resample inside one document).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from workers.stats.agreement.intervals import (
    _interval,  # the same percentile interval as the segment measures
)
from workers.stats.spans._sweep import F64, I64
from workers.stats.spans.boundary import boundary_alpha_from_sums, boundary_statistics
from workers.stats.spans.coincidence import coincidence_sums, family_from_sums
from workers.stats.spans.data import SpanData
from workers.stats.spans.results import (
    REASON_CODE_NEVER_USED,
    REASON_CODE_NOT_ON_OVERLAP,
    REASON_EMPTY,
    REASON_NO_OVERLAP,
    REASON_NO_UNITS,
    REASON_NO_VARIATION,
    REASON_ONE_CODER,
    SpanCoefficient,
    SpanCounts,
)

DEFAULT_RESAMPLES = 1000


def _counts(
    data: SpanData, code: int | None = None, overlap: float = 0.0, table: F64 | None = None
) -> SpanCounts:
    """Counts of all spans, or of one code's (``table``: the per-code table of :func:`_code_table`)."""
    total = int(data.doc_lengths.sum())
    if code is None:
        per_coder = np.bincount(data.coder, minlength=data.n_coders).astype(np.float64)
        covered = float((data.end - data.start).sum())
    else:
        if table is None:
            table = _code_table(data)
        per_coder, covered = table[code, :-1], float(table[code, -1])
    share = covered / (data.n_coders * total) if total else None
    return SpanCounts(
        n_docs=data.n_docs,
        n_coders=data.n_coders,
        units_per_coder=tuple(int(v) for v in per_coder),
        continuum_length=total,
        coded_share=share,
        overlap_length=float(overlap),
    )


Number = float | np.floating[Any] | F64


def _coef(
    name: str,
    value: Number,
    d_o: Number,
    d_e: Number,
    counts: SpanCounts,
    reason: str,
    samples: F64 | None,
    confidence: float,
) -> SpanCoefficient:
    v, o, e = float(np.asarray(value)), float(np.asarray(d_o)), float(np.asarray(d_e))
    defined = bool(np.isfinite(v))
    return SpanCoefficient(
        name=name,
        value=v if defined else None,
        reason=None if defined else reason,
        observed=o if np.isfinite(o) else None,
        expected=e if np.isfinite(e) else None,
        counts=counts,
        ci=_interval(samples, confidence) if (defined and samples is not None) else None,
    )


def _code_table(data: SpanData) -> F64:
    """Per code: spans of each coder, then the summed span length (last column)."""
    m = data.n_coders
    per = np.bincount(data.code * m + data.coder, minlength=data.n_codes * m).reshape(data.n_codes, m)
    lens = np.bincount(data.code, weights=(data.end - data.start).astype(np.float64), minlength=data.n_codes)
    return np.column_stack([per, lens])


def _weights(n_docs: int, n_resamples: int, seed: int) -> F64:
    rng = np.random.default_rng(seed)
    out = np.empty((n_resamples, n_docs))
    for b in range(n_resamples):
        out[b] = np.bincount(rng.integers(0, n_docs, n_docs), minlength=n_docs)
    return out


def _summed(per_doc: dict[str, F64], w: F64 | None) -> dict[str, F64]:
    if w is None:
        return {k: v.sum(axis=0) for k, v in per_doc.items()}
    return {k: w @ v for k, v in per_doc.items()}


def _undefined_reason(data: SpanData) -> str | None:
    if data.n_coders < 2:
        return REASON_ONE_CODER.format(n_coders=data.n_coders)
    if int(data.doc_lengths.sum()) == 0:
        return REASON_EMPTY
    return None


def span_agreement_report(
    data: SpanData,
    *,
    parents: Sequence[int] | I64 | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = None,
    confidence: float = 0.95,
    per_document: bool = True,
) -> dict[str, Any]:
    """uα, |uα, cu-α, Cu-α, (k)uα and the boundary uα, overall, per code and per document.

    Parameters
    ----------
    data
        The spans (:func:`workers.stats.spans.data.span_data`).
    parents
        For Cu-α: ``parents[code]`` is the index of the code's top-level parent (its semantic domain), in
        ``0 .. max(parents)``. Without it Cu-α is not reported.
    n_resamples, seed, confidence
        The bootstrap over documents (0 resamples: no intervals). The seed used is returned.

    Returns
    -------
    dict
        ``overall`` (name -> coefficient dict), ``per_code`` (list, one dict per code), ``per_document``,
        ``seed``, ``n_resamples``. Every coefficient carries its counts; undefined ones have ``value`` None
        and a ``reason``.

    Examples
    --------
    >>> from workers.stats.spans.data import span_data
    >>> d = span_data([20], [(0, 0, 0, 2, 8), (0, 1, 0, 2, 8)], n_coders=2, n_codes=1)
    >>> r = span_agreement_report(d, n_resamples=0)
    >>> r["overall"]["u_alpha"]["value"], r["overall"]["cu_alpha"]["reason"] is not None
    (1.0, True)
    """
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    w = _weights(data.n_docs, n_resamples, seed) if (n_resamples > 0 and data.n_docs > 0) else None
    blocked = _undefined_reason(data)
    overall: dict[str, SpanCoefficient] = {}
    per_code: list[dict[str, Any]] = [{"code": k} for k in range(data.n_codes)]

    # The coincidence family on the codes as given, and |uα on "any code" against the gap.
    fam_doc = coincidence_sums(data)
    fam = family_from_sums(_summed(fam_doc, None))
    fam_b = family_from_sums(_summed(fam_doc, w)) if w is not None else None
    any_doc = coincidence_sums(data.relabel(np.zeros(data.n_codes, np.int64), 1), parts="binary")
    anyf = family_from_sums(_summed(any_doc, None))
    any_b = family_from_sums(_summed(any_doc, w)) if w is not None else None
    no_units = data.n_spans == 0
    u_reason = blocked or (REASON_NO_UNITS if no_units else REASON_NO_VARIATION)
    overall["u_alpha"] = _coef(
        "u_alpha", fam["u_alpha"], fam["u_do"], fam["u_de"], _counts(data), u_reason,
        fam_b["u_alpha"] if fam_b else None, confidence,
    )  # fmt: skip
    overall["binary_u_alpha"] = _coef(
        "binary_u_alpha", anyf["binary_alpha"][0], anyf["binary_do"][0], anyf["binary_de"][0], _counts(data),
        u_reason, any_b["binary_alpha"][:, 0] if any_b else None, confidence,
    )  # fmt: skip
    overlap = float(fam["overlap"])
    cu_reason = blocked or (REASON_NO_OVERLAP if not overlap > 0 else REASON_NO_VARIATION)
    overall["cu_alpha"] = _coef(
        "cu_alpha", fam["cu_alpha"], fam["cu_do"], fam["cu_de"], _counts(data, overlap=overlap), cu_reason,
        fam_b["cu_alpha"] if fam_b else None, confidence,
    )  # fmt: skip
    if parents is not None:
        par = np.asarray(parents, dtype=np.int64)
        dom = data.relabel(par, int(par.max(initial=0)) + 1)
        dom_doc = coincidence_sums(dom, parts="cu")
        domf = family_from_sums(_summed(dom_doc, None))
        dom_b = family_from_sums(_summed(dom_doc, w)) if w is not None else None
        d_overlap = float(domf["overlap"])
        overall["Cu_alpha"] = _coef(
            "Cu_alpha", domf["cu_alpha"], domf["cu_do"], domf["cu_de"], _counts(dom, overlap=d_overlap),
            blocked or (REASON_NO_OVERLAP if not d_overlap > 0 else REASON_NO_VARIATION),
            dom_b["cu_alpha"] if dom_b else None, confidence,
        )  # fmt: skip

    # Krippendorff's (2004) boundary uα.
    bst = boundary_statistics(data)
    m, length = data.n_coders, bst["length"]
    b_do, b_alpha = boundary_alpha_from_sums(bst["do_num"].sum(axis=0), length**2, m, bst["de"])
    b_do_b = b_alpha_b = None
    if w is not None:
        length_b = w @ data.doc_lengths.astype(np.float64)
        b_do_b, b_alpha_b = boundary_alpha_from_sums(w @ bst["do_num"], length_b * length, m, bst["de"])
    de_sum = float(bst["de"].sum())
    tot_alpha = 1.0 - float(np.nansum(b_do)) / de_sum if (de_sum > 0 and blocked is None) else np.nan
    tot_b = None
    if b_do_b is not None and de_sum > 0:
        tot_b = 1.0 - np.nansum(b_do_b, axis=1) / de_sum
    overall["boundary_u_alpha"] = _coef(
        "boundary_u_alpha", tot_alpha, float(np.nansum(b_do)), de_sum, _counts(data), u_reason, tot_b, confidence,
    )  # fmt: skip

    table = _code_table(data)
    for k in range(data.n_codes):
        used = bool(table[k, -1] > 0)
        cnt = _counts(data, k, table=table)
        never = blocked or REASON_CODE_NEVER_USED
        per_code[k]["binary_u_alpha"] = _coef(
            "binary_u_alpha", fam["binary_alpha"][k], fam["binary_do"][k], fam["binary_de"][k], cnt,
            never if not used else REASON_NO_VARIATION,
            fam_b["binary_alpha"][:, k] if fam_b else None, confidence,
        ).to_dict()  # fmt: skip
        on_overlap = fam_doc["row_star"][:, k].sum() > 0
        per_code[k]["k_u_alpha"] = _coef(
            "k_u_alpha", fam["k_alpha"][k], fam["k_do"][k], fam["k_de"][k],
            _counts(data, k, float(fam_doc["row_star"][:, k].sum()), table),
            never if not used else (REASON_CODE_NOT_ON_OVERLAP if not on_overlap else REASON_NO_VARIATION),
            fam_b["k_alpha"][:, k] if fam_b else None, confidence,
        ).to_dict()  # fmt: skip
        per_code[k]["boundary_u_alpha"] = _coef(
            "boundary_u_alpha", b_alpha[k], b_do[k], bst["de"][k], cnt,
            never if not used else REASON_NO_VARIATION,
            b_alpha_b[:, k] if b_alpha_b is not None else None, confidence,
        ).to_dict()  # fmt: skip

    docs: list[dict[str, Any]] = []
    if per_document:
        per_coder = np.bincount(data.doc * m + data.coder, minlength=data.n_docs * m).reshape(data.n_docs, m)
        covered = np.bincount(
            data.doc, weights=(data.end - data.start).astype(np.float64), minlength=data.n_docs
        )
        fam_each = family_from_sums(fam_doc)
        any_each = family_from_sums(any_doc)
        for d in range(data.n_docs):
            length_d = int(data.doc_lengths[d])
            doc_counts = SpanCounts(
                n_docs=1,
                n_coders=m,
                units_per_coder=tuple(int(v) for v in per_coder[d]),
                continuum_length=length_d,
                coded_share=float(covered[d]) / (m * length_d) if length_d else None,
            )
            f = {key: v[d] for key, v in fam_each.items()}
            a = {key: v[d] for key, v in any_each.items()}
            docs.append(
                {
                    "doc": d,
                    "u_alpha": _coef("u_alpha", f["u_alpha"], f["u_do"], f["u_de"], doc_counts,
                                     blocked or REASON_NO_VARIATION, None, confidence).to_dict(),
                    "binary_u_alpha": _coef("binary_u_alpha", a["binary_alpha"][0], a["binary_do"][0],
                                            a["binary_de"][0], doc_counts, blocked or REASON_NO_VARIATION,
                                            None, confidence).to_dict(),
                    "cu_alpha": _coef("cu_alpha", f["cu_alpha"], f["cu_do"], f["cu_de"],
                                      doc_counts,
                                      blocked or (REASON_NO_OVERLAP if not f["overlap"] > 0 else REASON_NO_VARIATION),
                                      None, confidence).to_dict(),
                }
            )  # fmt: skip
    return {
        "overall": {k: v.to_dict() for k, v in overall.items()},
        "per_code": per_code,
        "per_document": docs,
        "seed": seed,
        "n_resamples": n_resamples if w is not None else 0,
    }
