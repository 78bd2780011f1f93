r"""Mathet, Widlöcher & Métivier's (2015) γ: agreement on unitizing and categorizing, by alignment.

Units (spans with a category) of n coders are aligned: a *unitary alignment* ā takes at most one unit
from each coder (∅ where it takes none), and an alignment is a set of unitary alignments that uses every
unit exactly once. With the published dissimilarities (Mathet et al. 2015, §4.1–4.2)

.. math::

    d_{pos}(u, v) = \left(\frac{|s_u - s_v| + |e_u - e_v|}{(e_u - s_u) + (e_v - s_v)}\right)^2 \Delta_∅,
    \qquad d_{cat}(u, v) = [c_u \ne c_v]\,\Delta_∅,
    \qquad d = \alpha\,d_{pos} + \beta\,d_{cat}

(nominal categories, α = β = Δ∅ = 1 by default), a pair with a ∅ costs Δ∅ and

.. math::

    \delta(\bar a) = \binom{n}{2}^{-1} \sum_{i<j} d(\bar a_i, \bar a_j), \qquad
    \delta(A) = \frac{\sum_{\bar a \in A} \delta(\bar a)}{\bar x}, \qquad
    \gamma = 1 - \frac{\delta(\hat A)}{\delta_e}

where x̄ is the mean number of units per coder, Â the alignment of least disorder, and δ_e the expected
disorder. **Best alignment**, exactly: a unitary alignment of k units whose disorder exceeds kΔ∅ is never
in a best alignment (its k units alone cost kΔ∅), so the candidates are the others, found by extending
tuples coder by coder, and the best set of candidates is the solution of the set-partitioning programme
min Σ δ(ā) x_ā subject to "every unit in exactly one chosen ā", x binary (scipy's HiGHS ``milp``), as
Mathet et al. (§4.3) and pygamma-agreement (Titeux & Riad 2021) solve it. **Chance** (§5.2): each sample
continuum gives each of n sampled coders the units of a coder drawn at random, shifted by a random pivot
(pivots kept at least half a mean unit length apart, shifted units wrapping around the continuum's end);
δ_e is the mean best-alignment disorder of the samples, drawn (at least ``min_samples``) until the 95%
half-width of δ_e is within ``precision`` of it, i.e. n ≥ (1.96 · sd/mean / precision)² (§5.3). γ is
reported with that sampling error: se(δ_e) = sd/√n and se(γ) ≈ (1 − γ) se(δ_e)/δ_e.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from workers.stats.spans.results import (
    REASON_NO_CHANCE_DISORDER,
    REASON_ONE_CODER,
    SpanCoefficient,
    SpanCounts,
)

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Units:
    """The units of one continuum: parallel arrays, coders ``0 .. n_coders-1``, categories as integers."""

    coder: I64
    start: F64
    end: F64
    cat: I64
    n_coders: int

    @staticmethod
    def of(rows: list[tuple[int, float, float, int]], n_coders: int) -> Units:
        a = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        return Units(a[:, 0].astype(np.int64), a[:, 1], a[:, 2], a[:, 3].astype(np.int64), n_coders)


def _dissimilarity(u: Units, a: I64, b: I64, alpha: float, beta: float, empty: float) -> F64:
    num = np.abs(u.start[a] - u.start[b]) + np.abs(u.end[a] - u.end[b])
    den = (u.end[a] - u.start[a]) + (u.end[b] - u.start[b])
    pos = (num / den) ** 2 * empty
    cat = (u.cat[a] != u.cat[b]).astype(np.float64) * empty
    out: F64 = alpha * pos + beta * cat
    return out


def _candidates(u: Units, alpha: float, beta: float, empty: float) -> tuple[I64, F64]:
    """Every unitary alignment that can be in a best alignment: ``(tuples, disorder)``, -1 for ∅."""
    n = u.n_coders
    pairs = n * (n - 1) // 2
    bound = n * pairs * empty  # no pair in a useful alignment is further apart
    by_coder = [np.flatnonzero(u.coder == c) for c in range(n)]
    tuples = np.full((1, 0), -1, dtype=np.int64)
    cost = np.zeros(1)  # sum of dissimilarities between the non-empty members so far
    for c in range(n):
        mine = by_coder[c]
        keep_t = [np.arange(tuples.shape[0])]
        keep_u = [np.full(tuples.shape[0], -1, dtype=np.int64)]
        add = [np.zeros(tuples.shape[0])]
        if mine.shape[0]:
            ok = np.ones((tuples.shape[0], mine.shape[0]), dtype=bool)
            extra = np.zeros((tuples.shape[0], mine.shape[0]))
            for col in range(c):
                members = tuples[:, col]
                present = members >= 0
                if not present.any():
                    continue
                rows = np.flatnonzero(present)
                d = _dissimilarity(u, np.repeat(members[rows], mine.shape[0]), np.tile(mine, rows.shape[0]),
                                   alpha, beta, empty).reshape(rows.shape[0], mine.shape[0])  # fmt: skip
                extra[rows] += d
                ok[rows] &= d <= bound
            ok &= (cost[:, None] + extra) <= bound
            t_idx, u_idx = np.nonzero(ok)
            keep_t.append(t_idx)
            keep_u.append(mine[u_idx])
            add.append(extra[t_idx, u_idx])
        t_all = np.concatenate(keep_t)
        tuples = np.column_stack([tuples[t_all], np.concatenate(keep_u)])
        cost = cost[t_all] + np.concatenate(add)
    k = (tuples >= 0).sum(axis=1)
    nonempty = k > 0
    tuples, cost, k = tuples[nonempty], cost[nonempty], k[nonempty]
    k_pairs = k * (k - 1) // 2
    disorder = (cost + (pairs - k_pairs) * empty) / pairs
    useful = disorder <= k * empty + 1e-12
    return tuples[useful], disorder[useful]


def best_alignment(u: Units, alpha: float = 1.0, beta: float = 1.0, empty: float = 1.0) -> tuple[float, I64]:
    """Least total unitary disorder Σ δ(ā) over alignments, and the chosen unitary alignments (rows)."""
    n_units = u.coder.shape[0]
    if n_units == 0:
        return 0.0, np.zeros((0, u.n_coders), dtype=np.int64)
    tuples, disorder = _candidates(u, alpha, beta, empty)
    rows, cols = np.nonzero(tuples.T >= 0)
    a = csr_array((np.ones(rows.shape[0]), (tuples.T[rows, cols], cols)), shape=(n_units, tuples.shape[0]))
    res = milp(
        disorder,
        constraints=LinearConstraint(a, lb=np.ones(n_units), ub=np.ones(n_units)),
        integrality=np.ones(tuples.shape[0], dtype=np.int64),
        bounds=Bounds(0, 1),
    )
    if res.x is None:  # pragma: no cover - singletons always give a feasible programme
        raise RuntimeError(f"the alignment programme failed: {res.message}")
    chosen = np.flatnonzero(res.x > 0.5)
    return float(disorder[chosen].sum()), tuples[chosen]


def shuffled_continuum(u: Units, rng: np.random.Generator) -> Units:
    """One chance continuum by Mathet et al.'s (2015, §5.2) shuffling, as the Gamma software does it."""
    lo, hi = float(u.start.min()), float(u.end.max())
    half = float((u.end - u.start).mean()) / 2.0
    available = [(lo, hi)]
    coders, starts, ends, cats = [], [], [], []
    for idx in range(u.n_coders):
        if available:
            w = np.array([e - s for s, e in available])
            seg = available[int(rng.choice(len(available), p=w / w.sum()))] if w.sum() > 0 else available[0]
            pivot = float(int(rng.uniform(seg[0], seg[1])))
            nxt = []
            for s, e in available:
                if s >= pivot - half:
                    if e > pivot + half:
                        nxt.append((pivot + half, e))
                elif e > pivot + half:
                    nxt += [(s, pivot - half), (pivot + half, e)]
                else:
                    nxt.append((s, pivot - half))
            available = nxt
        else:
            pivot = float(rng.uniform(lo, hi))
        source = np.flatnonzero(u.coder == int(rng.integers(u.n_coders)))
        new_s, new_e = u.start[source] + pivot, u.end[source] + pivot
        wrap = new_s > hi
        coders.append(np.full(source.shape[0], idx, dtype=np.int64))
        starts.append(np.where(wrap, new_s + lo - hi, new_s))
        ends.append(np.where(wrap, new_e + lo - hi, new_e))
        cats.append(u.cat[source])
    return Units(np.concatenate(coders), np.concatenate(starts), np.concatenate(ends), np.concatenate(cats),
                 u.n_coders)  # fmt: skip


def gamma_agreement(
    u: Units,
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    delta_empty: float = 1.0,
    precision: float = 0.02,
    min_samples: int = 30,
    max_samples: int = 2000,
    seed: int | None = None,
) -> SpanCoefficient:
    """γ of one continuum with its sampling error (see the module docstring for the definitions).

    Examples
    --------
    >>> u = Units.of([(0, 0, 10, 0), (1, 0, 10, 0), (0, 20, 30, 1), (1, 21, 30, 1)], n_coders=2)
    >>> g = gamma_agreement(u, seed=1)
    >>> round(g.observed * 2 * 361, 9), g.value > 0.9  # one pair at d_pos = (1/19)^2, x̄ = 2
    (1.0, True)
    """
    n = u.n_coders
    counts = SpanCounts(
        n_docs=1,
        n_coders=n,
        units_per_coder=tuple(int(v) for v in np.bincount(u.coder, minlength=n)),
        continuum_length=int(np.ceil(u.end.max())) if u.end.shape[0] else 0,
        coded_share=None,
    )
    if n < 2 or u.coder.shape[0] == 0:
        reason = REASON_ONE_CODER.format(n_coders=n) if n < 2 else "no units to align"
        return SpanCoefficient("gamma", None, reason, None, None, counts)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    rng = np.random.default_rng(seed)
    x_bar = u.coder.shape[0] / n
    observed = best_alignment(u, alpha, beta, delta_empty)[0] / x_bar
    samples: list[float] = []
    needed = min_samples
    while len(samples) < needed and len(samples) < max_samples:
        sample = shuffled_continuum(u, rng)
        if sample.coder.shape[0] == 0:
            continue  # every coder drawn had marked nothing: a continuum without units has no disorder
        samples.append(best_alignment(sample, alpha, beta, delta_empty)[0] / (sample.coder.shape[0] / n))
        if len(samples) >= min_samples:
            arr = np.asarray(samples)
            cv = float(arr.std() / arr.mean()) if arr.mean() > 0 else 0.0
            needed = max(min_samples, int(np.ceil((cv * 1.96 / precision) ** 2)))
    arr = np.asarray(samples)
    expected = float(arr.mean())
    se_e = float(arr.std(ddof=1) / np.sqrt(arr.shape[0])) if arr.shape[0] > 1 else 0.0
    extra: dict[str, Any] = {"n_samples": int(arr.shape[0]), "seed": seed, "precision": precision,
                             "expected_se": se_e}  # fmt: skip
    if not expected > 0:
        return SpanCoefficient(
            "gamma", None, REASON_NO_CHANCE_DISORDER, observed, expected, counts, extra=extra
        )
    value = 1.0 - observed / expected
    extra["se"] = (1.0 - value) * se_e / expected
    return SpanCoefficient("gamma", value, None, observed, expected, counts, extra=extra)


def gamma_over_documents(
    docs: list[Units],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """γ per document, and pooled over documents with a bootstrap interval over documents.

    Pooled, the observed disorder is Σ_d Σ_{ā ∈ Â_d} δ(ā) / x̄ with x̄ the mean number of units per coder
    over all documents (units of different documents are never aligned); δ_e is the same pooled disorder of
    chance continua, each document shuffled on its own. Resamples of documents recompute the observed
    disorder and keep δ_e (as for alpha, Hayes & Krippendorff 2007). ``kwargs`` go to :func:`gamma_agreement`.
    """
    from workers.stats.agreement.intervals import _interval

    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    rng = np.random.default_rng(seed)
    per_doc = [gamma_agreement(u, seed=int(rng.integers(2**63)), **kwargs) for u in docs]
    n = docs[0].n_coders if docs else 0
    sums = np.array([best_alignment(u)[0] if u.coder.shape[0] else 0.0 for u in docs])
    units = np.array([u.coder.shape[0] for u in docs], dtype=np.float64)
    exp_sums = np.array(
        [(g.expected or 0.0) * (u.coder.shape[0] / max(n, 1)) for g, u in zip(per_doc, docs, strict=True)]
    )
    x_bar = units.sum() / max(n, 1)
    pooled: dict[str, Any] = {"value": None, "reason": "no units to align", "ci": None}
    if x_bar > 0 and exp_sums.sum() > 0:
        observed, expected = sums.sum() / x_bar, exp_sums.sum() / x_bar
        value = 1.0 - observed / expected
        ci = None
        if n_resamples > 0:
            w = np.stack([np.bincount(rng.integers(0, len(docs), len(docs)), minlength=len(docs))
                          for _ in range(n_resamples)]).astype(np.float64)  # fmt: skip
            with np.errstate(divide="ignore", invalid="ignore"):
                boot = 1.0 - ((w @ sums) / ((w @ units) / n)) / expected
            ci = _interval(np.where(np.isfinite(boot), boot, np.nan), confidence)
        pooled = {"value": value, "reason": None, "observed": observed, "expected": expected, "ci": ci}
    return {"pooled": pooled, "per_document": [g.to_dict() for g in per_doc], "seed": seed}
