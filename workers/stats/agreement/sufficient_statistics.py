"""Sufficient statistics: category counts, coincidence matrices and coder-pair tables, summed over units.

Every coefficient is a function of sums over units of a few per-unit statistics, laid out in named
*blocks* (``_NEEDS`` lists the blocks each measure reads): ``N`` pairable units, ``n`` pairable values,
``counts`` per category, ``pa`` the per-unit share of agreeing pairs, ``coinc`` the coincidence matrix
``o_ck = sum_u n_uc (n_uk - [c = k]) / (m_u - 1)``, ``pik`` the per-unit category shares over pairable
units, ``R`` the rated units and ``pik_r`` the category shares over every rated unit (Gwet's AC1), per-coder
counts (``coder_counts``, ``coder_rated``, ``rated_all``) and per-pair contingency tables
(``pair_tables``). The same kernels serve point estimates (sums over units: :func:`_point_sums`,
:func:`_count_sums`), bootstrap resamples (weighted sums of :func:`_unit_stats`) and multi-code data
(:class:`_PerCodeEngine`: sums over distinct rating patterns, for every code at once).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from workers.stats.agreement.reliability_data import (
    F64,
    I64,
    MISSING,
    MultiCodeRatings,
    _pairs,
    _unique,
    _unique_inverse,
)

_NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "percent_agreement": ("N", "pa"),
    "holsti": ("pair_tables", "rated_all"),
    "cohen_kappa": ("pair_tables",),
    "scott_pi": ("N", "pa", "pik"),
    "fleiss_kappa": ("N", "pa", "pik"),
    "light_kappa": ("pair_tables",),
    "conger_kappa": ("N", "pa", "coder_counts", "coder_rated"),
    "krippendorff_alpha": ("N", "n", "counts", "coinc"),
    "gwet_ac1": ("N", "pa", "R", "pik_r"),
    "brennan_prediger": ("N", "pa"),
}
_BLOCK_ORDER: Final = (
    "N", "n", "counts", "pa", "coinc", "pik", "R", "pik_r", "coder_counts", "coder_rated", "pair_tables", "rated_all",
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
        "R": (),
        "pik_r": (q,),
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
        elif b == "R":
            cols.append((m >= 1).astype(np.float64)[:, None])
        elif b == "pik_r":
            cols.append(cnt / np.maximum(m, 1)[:, None])
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
    """The count-based sums (N, n, counts, pa, coinc, pik, R, pik_r) from a units x categories count matrix.

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
    if "R" in need:
        out["R"] = np.asarray(float((m >= 1).sum()))
    if "pik_r" in need:
        out["pik_r"] = np.divide(1.0, m, out=np.zeros(len(m)), where=m >= 1) @ cp
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
    if use_pairs and need & {"counts", "pa", "coinc", "pik", "pik_r"}:
        vv = np.where(rated, v, q)
        inv = np.divide(1.0, m - 1, out=np.zeros(u), where=pairable)
        flat = vv.ravel()
        if "counts" in need:
            wc = np.repeat(pairable.astype(np.float64), c)
            out["counts"] = np.bincount(flat, weights=wc, minlength=q + 1)[:q].astype(np.float64)
        if "pik" in need:
            w = np.divide(1.0, m, out=np.zeros(u), where=pairable)
            out["pik"] = np.bincount(flat, weights=np.repeat(w, c), minlength=q + 1)[:q].astype(np.float64)
        if "pik_r" in need:
            w = np.divide(1.0, m, out=np.zeros(u), where=m >= 1)
            out["pik_r"] = np.bincount(flat, weights=np.repeat(w, c), minlength=q + 1)[:q].astype(np.float64)
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
    elif need & {"counts", "pa", "coinc", "pik", "pik_r"}:
        cs = _count_sums(_count_matrix(v, q), need)
        cs.pop("_m")
        out.update(cs)
    for b in blocks:
        if b == "N":
            out[b] = np.asarray(float(pairable.sum()))
        elif b == "n":
            out[b] = np.asarray(float(m[pairable].sum()))
        elif b == "R":
            out[b] = np.asarray(float((m >= 1).sum()))
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
            # Indexed rather than unpacked: mypy 1.19 crashes unpacking numpy's np.unique overloads.
            found = np.unique(trip, axis=0, return_inverse=True)
            cells, cell_id = found[0], found[1]
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
