"""Position-by-position definitions of the unitizing coefficients, written for clarity, not speed.

They read the papers' definitions literally (one position at a time, every pair of sections) and serve as
the independent check of the vectorised engine on random data.
"""

from __future__ import annotations

import itertools

import numpy as np


def sections(spans, length, code=None):
    """One coder's sections for one code (or all codes): [(start, end, value or None)], gaps included."""
    units = sorted((s, e, c) for s, e, c in spans if code is None or c == code)
    covered = np.zeros(length, bool)
    for s, e, _ in units:
        covered[s:e] = True
    out = list(units)
    x = 0
    while x < length:
        if covered[x]:
            x += 1
            continue
        y = x
        while y < length and not covered[y]:
            y += 1
        out.append((x, y, None))
        x = y
    return out


def boundary_do_de(coders, length, code):
    """Krippendorff (2004) uDo and uDe for one code; coders = list of [(start, end, code)]."""
    m = len(coders)
    secs = [sections(c, length, code) for c in coders]
    num = 0.0
    for i, j in itertools.permutations(range(m), 2):
        for bg, eg, vg in secs[i]:
            for bh, eh, vh in secs[j]:
                lg, lh = eg - bg, eh - bh
                if vg is not None and vh is not None and -lg < bg - bh < lh:
                    num += (bg - bh) ** 2 + (eg - eh) ** 2
                elif vg is not None and vh is None and bh <= bg and eg <= eh:
                    num += lg**2
                elif vg is None and vh is not None and bg <= bh and eh <= eg:
                    num += lh**2
    d_o = num / (m * (m - 1) * length**2)
    units = [e - s for sec in secs for s, e, v in sec if v is not None]
    gaps = [e - s for sec in secs for s, e, v in sec if v is None]
    n = len(units)
    tot = 0.0
    for lg in units:
        tot += (n - 1) / 3 * (2 * lg**3 - 3 * lg**2 + lg)
        tot += lg**2 * sum(lh - lg + 1 for lh in gaps if lh >= lg)
    den = m * length * (m * length - 1) - sum(lg * (lg - 1) for lg in units)
    d_e = 2 / length * tot / den if units else 0.0
    return d_o, d_e


def coincidences(coders, length, n_codes):
    """l_ck (gap = index n_codes), S_c, and the cu-α pieces l*_c., C_c, by counting positions."""
    m = len(coders)
    gap = n_codes
    at = [[set() for _ in range(length)] for _ in coders]
    for i, spans in enumerate(coders):
        for s, e, c in spans:
            for x in range(s, e):
                at[i][x].add(c)
        for x in range(length):
            if not at[i][x]:
                at[i][x].add(gap)
    lmat = np.zeros((n_codes + 1, n_codes + 1))
    for x in range(length):
        for i, j in itertools.permutations(range(m), 2):
            for c in at[i][x]:
                for k in at[j][x]:
                    lmat[c, k] += 1.0 / (m - 1)
    sq = np.zeros(n_codes + 1)
    row_star = np.zeros(n_codes)
    corr = np.zeros(n_codes)
    for i, spans in enumerate(coders):
        for s, e, c in spans:
            sq[c] += (e - s) ** 2
            # The unit's pairable length: its overlap with each other coder's spans, averaged over them.
            overlaps = [sum(len(at[j][x] - {gap}) for x in range(s, e)) for j in range(m) if j != i]
            mean_overlap = sum(overlaps) / (m - 1)
            row_star[c] += mean_overlap
            corr[c] += mean_overlap**2
        sq[gap] += sum(1 for x in range(length) if at[i][x] == {gap})
    return lmat, sq, row_star, corr


def u_alpha(lmat, sq):
    tot = lmat.sum()
    den = tot - sq.sum() / tot
    row = lmat.sum(1)
    e_diag = (row**2 - sq) / den
    return 1 - (tot - np.trace(lmat)) / (tot - e_diag.sum())


def cu_alpha(lmat, row_star, corr):
    q = row_star.shape[0]
    ls = lmat[:q, :q]
    tot = ls.sum()
    den = tot - corr.sum() / tot
    e_diag = (row_star**2 - corr) / den
    return 1 - (tot - np.trace(ls)) / (tot - e_diag.sum())
