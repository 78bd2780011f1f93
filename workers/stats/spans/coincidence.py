r"""The unitizing alpha family from coincidences of lengths (Krippendorff, Mathet, Bouvry & Widlöcher 2016).

Each coder's marking partitions the continuum into sections: spans with their code, and gaps (∅). The
observed coincidence of values c and k is the length the two coincide, over all ordered pairs of coders

.. math::

    l_{ck} = \frac{1}{m-1} \sum_i \sum_{j \ne i} \sum_g \sum_h |s_{icg} \cap s_{jkh}|

(so l.. = mL when every coder's sections partition the continuum), and the expected coincidences pair
lengths at random, less each section's pairing with itself:

.. math::

    e_{ck} = \frac{l_{c.}\,l_{.k} - \delta_{ck} S_c}{l_{..} - S/l_{..}}, \qquad
    S_c = \sum_i \sum_g l_{icg}^2 \ (c \ne ∅), \quad S_∅ = \sum_i \sum_g l_{i∅g}

(a gap counts each of its positions as a unit of its own, so its self-pairing is its length, not its
square). Then, with the nominal metric,

* :math:`{}_u\alpha = 1 - (l_{..} - \sum_c l_{cc}) / (l_{..} - \sum_c e_{cc})` over all values and ∅;
* :math:`|_u\alpha` the same on the 2 × 2 table ∅ / "any code" (the reliability of telling relevant from
  irrelevant text); per code, on ∅ / c with the other codes' text counted as gap;
* :math:`{}_{cu}\alpha` the same on the codes only, restricted to where two coders' spans coincide:
  :math:`l^*_{ck} = l_{ck}` for c, k ≠ ∅, with expected coincidences from the *pairable* parts of units,
  :math:`e^*_{ck} = (l^*_{c.} l^*_{.k} - \delta_{ck} C_c)/(l^*_{..} - C/l^*_{..})`;
* :math:`{}_{(k)u}\alpha = 1 - \frac{e^*_{k.}}{l^*_{k.}} \cdot \frac{l^*_{k.} - l^*_{kk}}{e^*_{k.} - e^*_{kk}}`,
  one code's share of cu-α;
* Cu-α, cu-α after replacing every code by its top-level parent (ATLAS.ti's semantic domains).

**The correction C_c with three or more coders.** The paper's expected coincidences for cu-α remove each
unit's pairing with itself, but with m ≥ 3 a unit is pairable with different lengths against different
coders, and the text admits three readings of its "pairable length": the square of its overlap with the
union of the other coders' spans, the mean of the squared overlaps per coder pair, or the square of the
mean overlap. We use the last,

.. math::

    C_c = \sum_i \sum_{g \in c} \Big(\frac{1}{m-1} \sum_{j \ne i} x_{ig,j}\Big)^2, \qquad
    x_{ig,j} = \sum_h |s_{icg} \cap s_{j\,\cdot\,h}| \ (h \ne ∅),

because (1) it is the only one of the three that reproduces the first author's worked example of three
observers (Krippendorff 2019, *Content Analysis*, 4th ed., §12.6, Figure 12.11: cu-α printed .724; this
reading gives .7242, the mean of squares .7256 and the union .7284; ``test_alpha.py`` holds the data);
(2) a unit's mean overlap is its share of the margin l*_c., just as uα's S_c squares the unit lengths
that make up l_c.; (3) it equals uα's S_c whenever every unit is fully pairable (x = l), as the other
readings also do. With two coders all three readings are the same number. L. Lindahl's ``unitized_alpha.py``
uses the mean of squares and the R package quallmer the union.

**Overlapping codes.** The paper assumes each coder's codes are mutually exclusive. Where one coder's spans
of *different* codes overlap, every pair of sections still contributes its intersection (the definition of
l_ck above, unchanged); a position coded twice then counts twice. For |uα and Cu-α, spans that fall into
one category after relabelling are merged where they overlap (:meth:`SpanData.relabel`).

Documents are laid end to end: all sums are over documents, which is what lets the bootstrap over
documents recompute every coefficient exactly from per-document sums (:func:`family_from_sums`).
"""

from __future__ import annotations

import numpy as np

from workers.stats.spans._sweep import F64, I64, Coverage, sum_by, union_intervals
from workers.stats.spans.data import SpanData

# Per-document sums, each an (n_docs, n_codes) array unless noted: what every coefficient is computed from.
SUM_KEYS = ("diag", "row", "row_star", "corr_star", "sq", "unit_len", "gap_diag", "gap_row", "gap_sq", "ml")


def _by_position(gs: I64, rows: I64) -> I64:
    """``rows`` ordered by ``gs[rows]``, ties in their given order (a stable argsort), by sorting the values
    of the keys position · n + rank, which is much faster than an argsort."""
    n = rows.shape[0]
    if n == 0:
        return rows
    keys: I64 = np.sort(gs[rows] * n + np.arange(n, dtype=np.int64))
    out: I64 = rows[keys % n]
    return out


def coincidence_sums(data: SpanData, parts: str = "all") -> dict[str, F64]:
    """Per-document sufficient statistics of the coincidence matrices.

    ``diag[d, c]`` = l_cc, ``row[d, c]`` = l_c. (gap column included), ``row_star`` = l*_c.,
    ``corr_star`` = C_c, ``sq`` = S_c, ``unit_len`` = Σ span lengths of c; the gap's ``gap_diag``,
    ``gap_row``, ``gap_sq`` and ``ml`` (= m L_d) are (n_docs,) arrays. Coincidences are already divided by
    m − 1 (with one coder they are 0).
    """
    m, q, nd = data.n_coders, data.n_codes, data.n_docs
    cu = parts in ("all", "cu")  # cu-α's pieces need the coverage of all codes
    full = parts == "all"  # uα needs the gap's too
    gs, ge = data.global_start(), data.global_end()
    key_s, key_e = data.cell_keys()
    lens = (ge - gs).astype(np.float64)
    cell = data.doc * q + data.code
    size = nd * q
    out = {k: np.zeros(size) for k in ("diag", "row", "row_star")}
    # Each span's overlap with the other coders' spans, summed over them: its pairable length times m − 1.
    pairable = np.zeros(data.n_spans)
    lengths = data.doc_lengths.astype(np.float64)
    gap_diag = np.zeros(nd)
    gap_row = np.zeros(nd)
    # Each coder's union of spans, as runs with their document.
    ru_coder, ru_s, ru_e = union_intervals(data.coder, gs, ge)
    ru_doc = data.doc[0:0]
    if ru_s.shape[0]:
        ru_doc = np.searchsorted(np.cumsum(data.doc_lengths), ru_s, side="right")
    union_len = np.zeros((m, nd))
    np.add.at(union_len, (ru_coder, ru_doc), (ru_e - ru_s).astype(np.float64))
    span_len = np.zeros((m, nd))
    np.add.at(span_len, (data.coder, data.doc), lens)
    norm = 1.0 / (m - 1) if m > 1 else 0.0
    rows = [np.flatnonzero(data.coder == c) for c in range(m)]
    # Queries sorted by position make the binary searches walk forward (numpy reuses the last bound).
    by_pos = [_by_position(gs, r) for r in rows]
    diag_of: dict[tuple[int, int], F64] = {}
    for j in range(m):
        mine = rows[j]
        cover_j = Coverage(gs[mine], ge[mine]) if cu else None
        same_j = Coverage(key_s[mine], key_e[mine], disjoint=True)
        for i in range(m):
            if i == j:
                continue
            # l_cc of (i, j) is that of (j, i): whole numbers summed exactly, so one search serves both.
            pair = (min(i, j), max(i, j))
            if pair not in diag_of:
                same = same_j.over(key_s[rows[i]], key_e[rows[i]])
                diag_of[pair] = sum_by(cell[rows[i]], same, size)
            out["diag"] += norm * diag_of[pair]
            if cover_j is None:
                continue
            other = by_pos[i]
            # Overlap with j's spans (with multiplicity), and with their union |g ∩ U_j|.
            x, inside = cover_j.both(gs[other], ge[other])
            idx = cell[other]
            out["row_star"] += norm * sum_by(idx, x, size)
            pairable[other] += x  # a coder's rows are distinct, so += adds each once
            if not full:
                continue
            out["row"] += norm * sum_by(idx, x + lens[other] - inside, size)
            # The gap of coder i against j.
            runs = ru_coder == i
            run_count, run_union = cover_j.both(ru_s[runs], ru_e[runs])
            in_runs_count = sum_by(ru_doc[runs], run_count, nd)
            in_runs_union = sum_by(ru_doc[runs], run_union, nd)
            gap_gap = lengths - union_len[i] - union_len[j] + in_runs_union
            gap_diag += norm * gap_gap
            gap_row += norm * (span_len[j] - in_runs_count + gap_gap)
    res: dict[str, F64] = {k: v.reshape(nd, q) for k, v in out.items()}
    res["corr_star"] = sum_by(cell, (norm * pairable) ** 2, size).reshape(nd, q)
    res["sq"] = sum_by(cell, lens**2, size).reshape(nd, q)
    res["unit_len"] = sum_by(cell, lens, size).reshape(nd, q)
    res["gap_diag"] = gap_diag
    res["gap_row"] = gap_row
    res["gap_sq"] = m * lengths - union_len.sum(axis=0)
    res["ml"] = m * lengths
    return res


def _div(num: F64, den: F64) -> F64:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _alpha(d_o: F64, d_e: F64, scale: F64) -> F64:
    """1 - D_o / D_e, NaN where D_e is 0 up to rounding (relative to ``scale``, the total coincidences)."""
    tiny = 1e-9 * np.abs(scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d_e > tiny, 1.0 - d_o / np.where(d_e > tiny, d_e, 1.0), np.nan)


def family_from_sums(s: dict[str, F64]) -> dict[str, F64]:
    """Every coefficient (and its observed and expected disagreement) from summed statistics.

    The arrays in ``s`` carry codes on their last axis (gap entries have none) and any leading batch axes
    (bootstrap resamples). Undefined values are NaN here; the report turns them into ``None`` with a reason.
    """
    diag, row, sq = s["diag"], s["row"], s["sq"]
    tot = row.sum(-1) + s["gap_row"]
    s_all = sq.sum(-1) + s["gap_sq"]
    den = tot - _div(s_all, tot)
    e_diag = _div(row**2 - sq, den[..., None])
    e_gap = _div(s["gap_row"] ** 2 - s["gap_sq"], den)
    u_do = tot - diag.sum(-1) - s["gap_diag"]
    u_de = tot - e_diag.sum(-1) - e_gap
    # cu-α and (k)uα: codes only, where spans coincide.
    rs, cs, dg = s["row_star"], s["corr_star"], diag
    tot_s = rs.sum(-1)
    den_s = tot_s - _div(cs.sum(-1), tot_s)
    e_s = _div(rs**2 - cs, den_s[..., None])
    cu_do = tot_s - dg.sum(-1)
    cu_de = tot_s - e_s.sum(-1)
    e_k = _div(rs * tot_s[..., None] - cs, den_s[..., None])
    k_do = rs - dg
    k_de = e_k - e_s
    k_alpha = _alpha(_div(e_k, rs) * k_do, k_de, rs)
    # |uα per code: the code against everything else (other codes' text counted as gap).
    ml, ul = s["ml"][..., None], s["unit_len"]
    den_b = ml - _div(sq + ml - ul, ml)
    b_do = ul - dg  # l_{k∅}
    b_de = _div(ul * (ml - ul), den_b)  # e_{k∅}
    return {
        "u_alpha": _alpha(u_do, u_de, tot),
        "u_do": _div(u_do, tot),
        "u_de": _div(u_de, tot),
        "cu_alpha": _alpha(cu_do, cu_de, tot_s),
        "cu_do": _div(cu_do, tot_s),
        "cu_de": _div(cu_de, tot_s),
        "overlap": tot_s,
        "k_alpha": k_alpha,
        "k_do": _div(k_do, rs),
        "k_de": _div(k_de, rs),
        "binary_alpha": _alpha(b_do, b_de, ml),
        "binary_do": _div(2 * b_do, ml),
        "binary_de": _div(2 * b_de, ml),
    }
