r"""Krippendorff's unitizing alpha with boundary distances, per code (Krippendorff 1995; 2004).

For one code c, each coder's marking cuts the continuum into *sections*: the spans of c (units, w = 1) and
the text between them (gaps, w = 0). Two sections of coders i ≠ j, with beginnings b and lengths l, differ by

.. math::

    \delta^2_{ig,jh} =
    \begin{cases}
      (b_{ig}-b_{jh})^2 + (b_{ig}+l_{ig}-b_{jh}-l_{jh})^2 & \text{two units that overlap} \\
      l_{ig}^2 & \text{unit } ig \text{ inside gap } jh \\
      l_{jh}^2 & \text{unit } jh \text{ inside gap } ig \\
      0 & \text{otherwise}
    \end{cases}

and, for m coders over a continuum of length L with N_c units of c in all,

.. math::

    {}_uD_o(c) = \frac{\sum_i \sum_g \sum_{j \ne i} \sum_h \delta^2_{ig,jh}}{m(m-1)L^2}

    {}_uD_e(c) = \frac{2}{L}\,
      \frac{\sum_{ig\,\in\,\text{units}} \Big[\frac{N_c-1}{3}\,(2l_{ig}^3 - 3l_{ig}^2 + l_{ig})
            + l_{ig}^2 \sum_{jh\,\in\,\text{gaps},\ l_{jh} \ge l_{ig}} (l_{jh} - l_{ig} + 1)\Big]}
           {mL(mL-1) - \sum_{ig\,\in\,\text{units}} l_{ig}(l_{ig}-1)}

    {}_u\alpha(c) = 1 - {}_uD_o(c) / {}_uD_e(c), \qquad
    {}_u\alpha = 1 - \sum_c {}_uD_o(c) \Big/ \sum_c {}_uD_e(c)

(Krippendorff 2004, *Content Analysis*, 2nd ed., §11.6, pp. 251–256, which corrects a sign in the expected
disagreement of Krippendorff 1995, *Sociological Methodology* 25: 47–76; the same formula is used by DKPro
Statistics' ``KrippendorffAlphaUnitizingAgreement``).

Several documents form one continuum of length L = Σ L_d, but a unit is placed by chance only inside one
gap of one document (gaps are not joined across a document's end). The observed numerator is a sum over
documents, which is what the bootstrap over documents resamples (:func:`boundary_alpha_from_sums`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workers.stats.spans._sweep import F64, I64, sum_by
from workers.stats.spans.data import SpanData

# The histogram path of the expected disagreement may use this many bins beyond 4 per gap.
HISTOGRAM_SPARE_BINS = 1 << 20


def boundary_statistics(data: SpanData) -> dict[str, Any]:
    """Per-document observed numerators and the pooled expected disagreement, per code.

    Returns ``do_num`` (n_docs × n_codes: Σ δ² over ordered coder pairs), ``de`` (n_codes), ``length``
    (Σ L) and ``m``.
    """
    m, q, n_docs = data.n_coders, data.n_codes, data.n_docs
    total = int(data.doc_lengths.sum())
    gs, ge = data.global_start(), data.global_end()
    key_s, key_e = data.cell_keys()
    lengths = (data.end - data.start).astype(np.float64)
    do_num = np.zeros(n_docs * q, dtype=np.float64)
    cell = data.doc * q + data.code
    rows = [np.flatnonzero(data.coder == c) for c in range(m)]
    for i, j in ((i, j) for i in range(m) for j in range(m) if i < j):
        # Each coder's spans are stored by (document, code, start), so both sides are sorted by key; and j's
        # spans of one code are disjoint, so sorted by start they are sorted by end too. δ² is symmetric, so
        # one search serves the ordered pairs (i, j) and (j, i): j's units that meet none of i's are alone.
        mine, other = rows[j], rows[i]
        js, je, bs, be = key_s[mine], key_e[mine], gs[mine], ge[mine]
        lo = np.searchsorted(je, key_s[other], side="right")
        hi = np.searchsorted(js, key_e[other], side="left")
        n = np.maximum(hi - lo, 0)
        # A unit inside one of the other coder's gaps: l^2, once as (unit, gap) and once as (gap, unit).
        size = mine.shape[0] + 1
        met = np.bincount(lo[n > 0], minlength=size) - np.bincount(hi[n > 0], minlength=size)
        alone = np.concatenate([other[n == 0], mine[np.cumsum(met)[:-1] == 0]])
        do_num += sum_by(cell[alone], 2.0 * lengths[alone] ** 2, n_docs * q)
        # Overlapping pairs of units: squared differences of beginnings and of ends, for both orders.
        g = np.repeat(other, n)
        h = np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
        d2 = (gs[g] - bs[h]).astype(np.float64) ** 2 + (ge[g] - be[h]).astype(np.float64) ** 2
        do_num += sum_by(cell[g], 2.0 * d2, n_docs * q)
    return {
        "do_num": do_num.reshape(n_docs, q),
        "de": _expected(data, lengths, total),
        "length": float(total),
        "m": m,
    }


def _gaps(data: SpanData) -> tuple[I64, F64, F64]:
    """Every gap of every (document, coder, code): ``(code, length, multiplicity)``."""
    q, m = data.n_codes, data.n_coders
    doc, coder, code, s, e = data.doc, data.coder, data.code, data.start, data.end
    first = np.concatenate(
        [[True], (doc[1:] != doc[:-1]) | (coder[1:] != coder[:-1]) | (code[1:] != code[:-1])]
    )
    first = first[: doc.shape[0]]
    last = np.concatenate([first[1:], [True]])[: doc.shape[0]]
    prev_end = np.concatenate([[0], e[:-1]]) if e.shape[0] else e
    before = np.where(first, s, s - prev_end)  # the gap in front of each span
    after = data.doc_lengths[doc][last] - e[last]  # the gap behind each group's last span
    codes = np.concatenate([code, code[last]])
    lens = np.concatenate([before, after]).astype(np.float64)
    weight = np.ones(lens.shape[0])
    # (document, coder, code) with no span at all: one gap as long as the document.
    present = np.zeros((data.n_docs, q), dtype=np.float64)
    np.add.at(present, (doc[first], code[first]), 1.0)
    empty = m - present
    d_idx, c_idx = np.nonzero(empty)
    codes = np.concatenate([codes, c_idx.astype(np.int64)])
    lens = np.concatenate([lens, data.doc_lengths[d_idx].astype(np.float64)])
    weight = np.concatenate([weight, empty[d_idx, c_idx]])
    keep = lens > 0
    return codes[keep], lens[keep], weight[keep]


def _expected(data: SpanData, lengths: F64, total: int) -> F64:
    q, m = data.n_codes, data.n_coders
    n_c = sum_by(data.code, np.ones(data.n_spans), q)
    cubic = sum_by(data.code, 2 * lengths**3 - 3 * lengths**2 + lengths, q)
    pairs = sum_by(data.code, lengths * (lengths - 1), q)
    g_code, g_len, g_w = _gaps(data)
    # Gaps and units as integer keys code · big + length. Every quantity summed into ``fits`` is a whole
    # number below 2^53, so those sums are exact in any order.
    big = total + 2
    # Units in key order (the order in which ``placed`` is summed).
    ukey = np.sort(data.code * big + (data.end - data.start))
    u_code, u_len = ukey // big, (ukey % big).astype(np.float64)
    width = int(max(g_len.max(initial=0.0), u_len.max(initial=0.0))) + 1
    if q * width <= 4 * g_len.shape[0] + HISTOGRAM_SPARE_BINS:
        # Lengths are short next to the number of gaps: a histogram of gaps by (code, length) and its
        # running sums from the longest down answer every unit by lookup, without sorting the gaps.
        g_idx = g_code * width + g_len.astype(np.int64)
        count = np.bincount(g_idx, weights=g_w, minlength=q * width).reshape(q, width)
        count_ge = np.cumsum(count[:, ::-1], axis=1)[:, ::-1]
        len_ge = np.cumsum((count * np.arange(width, dtype=np.float64))[:, ::-1], axis=1)[:, ::-1]
        at = u_code * width + u_len.astype(np.int64)
        fits = len_ge.ravel()[at] - (u_len - 1) * count_ge.ravel()[at]
    else:
        # A gap of multiplicity w is repeated w times, so the running sums need no weights.
        gkey = np.sort(np.repeat(g_code * big + g_len.astype(np.int64), g_w.astype(np.int64)))
        g_len = (gkey % big).astype(np.float64)
        cw = np.arange(gkey.shape[0] + 1, dtype=np.float64)
        cwl = np.concatenate([[0.0], np.cumsum(g_len)])
        # The first gap of the unit's code at least as long as the unit; each code's gaps end where the
        # next code's begin.
        lo = np.searchsorted(gkey, ukey, side="left")
        hi = np.cumsum(np.bincount(g_code, weights=g_w, minlength=q)).astype(np.int64)[u_code]
        fits = (cwl[hi] - cwl[lo]) - (u_len - 1) * (cw[hi] - cw[lo])
    placed = sum_by(u_code, u_len**2 * fits, q)
    num = (n_c - 1) / 3.0 * cubic + placed
    ml = float(m) * float(total)
    den = ml * (ml - 1) - pairs
    with np.errstate(divide="ignore", invalid="ignore"):
        de = np.where((den > 0) & (total > 0), 2.0 / max(total, 1) * num / np.where(den > 0, den, 1.0), 0.0)
    return np.where(n_c > 0, de, 0.0)


def boundary_alpha_from_sums(do_num: F64, length_sq: F64 | float, m: int, de: F64) -> tuple[F64, F64]:
    """Observed disagreement per code, and alpha per code, from (possibly resampled) numerators.

    ``do_num`` has the codes on its last axis; ``length_sq`` (L², or L_b·L for a resample, which keeps the
    observed disagreement per unit of length) broadcasts against its leading axes. Alpha is NaN where ``de``
    is 0 (the caller reports it as undefined).
    """
    norm = float(m * (m - 1)) * np.asarray(length_sq, dtype=np.float64)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = np.where(norm > 0, do_num / np.where(norm > 0, norm, 1.0), np.nan)
        alpha = np.where(de > 0, 1.0 - d_o / np.where(de > 0, de, 1.0), np.nan)
    return d_o, alpha
