"""Benchmark the span agreement engine (workers/stats/spans).

Run: ``.venv/bin/python benchmarks/span_agreement.py [--quick]``. One JSON line per workload (see _harness.py).

* ``unitized alpha 1000 docs x 3 coders x 50 codes``: about 20 spans per coder, document and code (3 million
  spans, documents of 40,000 code points), the full report: uα, |uα, cu-α, Cu-α (10 parents), (k)uα and the
  boundary uα, overall, per code and per document, with 1,000 bootstrap resamples over documents. No
  library computes these at this size, so there is no reference (target: ≤ 10 s).
* ``gamma 3 coders x 200 units``: one continuum, Mathet's γ at precision 0.02 with the published shuffling
  sampler, against pygamma-agreement (``compute_gamma`` with ``ShuffleContinuumSampler``, the same
  precision); ``ratio`` = pygamma's time / ours, and both values are printed.
"""

from __future__ import annotations

import logging

import numpy as np
from _harness import emit, measure, parser

from workers.stats.spans import span_agreement_report
from workers.stats.spans.data import SpanData
from workers.stats.spans.gamma import Units, gamma_agreement


def _spans(
    rng: np.random.Generator, n_docs: int, n_coders: int, n_codes: int, per: int, length: int
) -> SpanData:
    """Each (document, code) has ``per`` true passages, one per slot of the document; each coder marks each
    with probability .9, its boundaries moved by up to ±15 code points. Codes overlap one another freely."""
    slot = length // per
    shape = (n_docs, n_codes, per)
    base_s = rng.integers(20, slot // 2, shape) + np.arange(per) * slot
    base_l = rng.integers(40, slot // 3, shape)
    docs, coders, codes, starts, ends = [], [], [], [], []
    for c in range(n_coders):
        keep = rng.random(shape) < 0.9
        s = base_s + rng.integers(-15, 16, shape)
        e = base_s + base_l + rng.integers(-15, 16, shape)
        d_idx, k_idx, _ = np.nonzero(keep)
        docs.append(d_idx)
        coders.append(np.full(d_idx.shape[0], c))
        codes.append(k_idx)
        starts.append(s[keep])
        ends.append(e[keep])
    doc, coder, code = np.concatenate(docs), np.concatenate(coders), np.concatenate(codes)
    start, end = np.concatenate(starts), np.concatenate(ends)
    order = np.lexsort((start, code, coder, doc))
    return SpanData(
        np.full(n_docs, length, dtype=np.int64), n_coders, n_codes,
        doc[order].astype(np.int64), coder[order].astype(np.int64), code[order].astype(np.int64),
        start[order].astype(np.int64), end[order].astype(np.int64),
    )  # fmt: skip


def _check(data: SpanData) -> None:
    """The generator must respect span_data's invariants (no overlap within a coder and code)."""
    same = (
        (data.doc[1:] == data.doc[:-1])
        & (data.coder[1:] == data.coder[:-1])
        & (data.code[1:] == data.code[:-1])
    )
    assert not (same & (data.start[1:] < data.end[:-1])).any()
    assert (data.start >= 0).all()
    assert (data.end <= data.doc_lengths[data.doc]).all()
    assert (data.end > data.start).all()


def _gamma_rows(rng: np.random.Generator, n_coders: int, n_units: int) -> list[tuple[int, float, float, int]]:
    rows = []
    for b in np.sort(rng.uniform(0, n_units * 60, n_units)):
        for c in range(n_coders):
            if rng.random() < 0.9:
                s = float(round(b + rng.normal(0, 5)))
                rows.append((c, s, s + float(round(rng.uniform(10, 40))), int(rng.integers(0, 3))))
    return rows


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    rng = np.random.default_rng(20261127)
    n_docs, n_codes, resamples = (20, 5, 100) if args.quick else (1000, 50, 1000)
    data = _spans(rng, n_docs, 3, n_codes, 20, 40_000)
    _check(data)
    parents = np.arange(n_codes) % 10
    ours = measure(lambda: span_agreement_report(data, parents=parents, n_resamples=resamples, seed=1))
    over = ours.result["overall"]
    emit(
        f"unitized alpha {n_docs} docs x 3 coders x {n_codes} codes",
        ours,
        n_spans=data.n_spans,
        n_resamples=resamples,
        **{name: round(c["value"], 4) for name, c in over.items() if c["value"] is not None},
    )

    logging.disable(logging.WARNING)
    n_units = 20 if args.quick else 200
    rows = _gamma_rows(rng, 3, n_units)
    units = Units.of(rows, 3)
    ours_g = measure(lambda: gamma_agreement(units, precision=0.02, seed=1))
    ref = None
    ref_value = None
    try:
        import pygamma_agreement as pa
        from pyannote.core import Segment
    except ImportError:  # pragma: no cover - the test extras install it
        pa = None
    if pa is not None:
        cont = pa.Continuum()
        for c, s, e, k in rows:
            cont.add(f"c{c}", Segment(s, e), str(k))
        diss = pa.CombinedCategoricalDissimilarity(alpha=1, beta=1)
        np.random.seed(1)
        ref = measure(
            lambda: cont.compute_gamma(diss, precision_level=0.02, sampler=pa.ShuffleContinuumSampler())
        )
        ref_value = round(float(ref.result.gamma), 4)
    g = ours_g.result
    emit(
        f"gamma 3 coders x {n_units} units",
        ours_g,
        "pygamma-agreement" if ref else None,
        ref,
        gamma=round(g.value, 4),
        gamma_se=round(g.extra["se"], 4),
        n_samples=g.extra["n_samples"],
        reference_gamma=ref_value,
        reference_n_samples=ref.result.n_samples if ref else None,
    )


if __name__ == "__main__":
    main()
