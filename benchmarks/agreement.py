"""Benchmark the agreement engine against the fastest third-party implementations, on the same data.

Run: ``.venv/bin/python benchmarks/agreement.py [--quick] [--only set-alpha]``. One JSON line per workload (see _harness.py).

References (timed in the same run, best of ``repeat``): ``agreement`` (PyPI; takes a units x categories count
matrix, which we build for it *outside* its timing) and ``krippendorff`` (takes coders x units with NaN;
GPL, used here only as a yardstick). Fleiss also against ``statsmodels``. ``reference`` names the fastest.
For the single-label workloads ours is timed on the same prebuilt count matrix
(``*_from_counts``), and also from the raw units x coders matrix (``ours_from_ratings_s``, count building
included). Per-code: ours from the raw codings, the libraries from prebuilt per-code inputs. Every workload asserts that our value equals each reference's to 1e-9.
"""

from __future__ import annotations

import gc
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _harness import Measurement, emit, measure, parser

from workers.stats import agreement as ag

# This file is named like the PyPI package "agreement"; keep its directory off the import path so that
# `import agreement.metrics` below finds the package, not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

Q = 5
MISSING_SHARE = 0.05


def _ratings(rng: np.random.Generator, n_units: int, n_coders: int, missing: float) -> np.ndarray:
    truth = rng.integers(0, Q, size=n_units)
    v = np.where(
        rng.random((n_units, n_coders)) < 0.7, truth[:, None], rng.integers(0, Q, (n_units, n_coders))
    )
    if missing:
        v[rng.random(v.shape) < missing] = ag.MISSING
    return v.astype(np.int64)


def _counts(v: np.ndarray, q: int) -> np.ndarray:
    return np.stack([(v == k).sum(axis=1) for k in range(q)], axis=1).astype(np.float64)


def _kripp_data(v: np.ndarray) -> np.ndarray:
    d = v.T.astype(np.float64)
    d[d < 0] = np.nan
    return d


def _multi_code(rng: np.random.Generator, n_units: int, n_coders: int, n_codes: int) -> ag.MultiCodeRatings:
    """Each unit has 1-3 'true' codes; a coder applies each with p = .85 and a stray code with p = .1."""
    rated = rng.random((n_units, n_coders)) >= MISSING_SHARE
    n_true = rng.integers(1, 4, size=n_units)
    latent = rng.integers(0, n_codes, size=(n_units, 3))
    us, cs, ks = [], [], []
    for g in range(n_coders):
        for j in range(3):
            keep = (j < n_true) & rated[:, g] & (rng.random(n_units) < 0.85)
            u = np.flatnonzero(keep)
            us.append(u)
            cs.append(np.full(len(u), g))
            ks.append(latent[u, j])
        u = np.flatnonzero(rated[:, g] & (rng.random(n_units) < 0.1))
        us.append(u)
        cs.append(np.full(len(u), g))
        ks.append(rng.integers(0, n_codes, len(u)))
    return ag.MultiCodeRatings(rated, np.concatenate(us), np.concatenate(cs), np.concatenate(ks), n_codes)


def _dense_sets(
    rng: np.random.Generator, n_units: int, n_coders: int, n_codes: int = 30
) -> ag.MultiCodeRatings:
    """Dense multi-code ratings: each unit has 1-9 'true' codes; a coder gives the true set (p = .6) or
    swaps one of its codes for another; 5% of ratings missing; the first rating has 15 codes."""
    size = rng.integers(1, 10, n_units)
    order = np.argsort(rng.random((n_units, n_codes)), axis=1)
    truth = np.zeros((n_units, n_codes), dtype=bool)
    np.put_along_axis(truth, order, np.arange(n_codes)[None, :] < size[:, None], axis=1)
    sets = np.repeat(truth[:, None, :], n_coders, axis=1)
    u, g = np.nonzero(rng.random((n_units, n_coders)) >= 0.6)
    changed = sets[u, g]
    rows = np.arange(len(u))
    changed[rows, np.argmax(changed * rng.random(changed.shape), axis=1)] = False
    changed[rows, np.argmax(~changed * rng.random(changed.shape), axis=1)] = True
    sets[u, g] = changed
    rated = rng.random((n_units, n_coders)) >= MISSING_SHARE
    rated[0, 0] = True
    sets[~rated] = False
    sets[0, 0] = np.arange(n_codes) < 15
    uu, gg, kk = np.nonzero(sets)
    return ag.MultiCodeRatings(rated, uu, gg, kk, n_codes)


def _set_alpha_workload(rng: np.random.Generator, n_units: int, repeat: int, quick: bool) -> None:
    """MASI alpha on dense multi-code data, exact; nominal alpha on as many units timed in the same run.

    No third-party library computes set alpha at this size (nltk's AnnotationTask compares every pair of
    values in Python); the check is against the direct pairwise sum over distinct sets, in --quick only
    (at full size it takes about V^2 = 1.7e10 comparisons)."""
    from workers.stats.agreement.set_measures import _SetData, _unique_rows
    from workers.stats.agreement.set_pair_sums import pair_distance_sums

    r = _dense_sets(rng, n_units, 3)
    bits = _SetData(r).bits.reshape(-1, 1)[r.rated.ravel()]
    n_distinct = len(_unique_rows(bits)[0])
    ours = measure(lambda: ag.set_alpha(r, distance="masi").value, repeat=repeat)
    v = _ratings(rng, n_units, 3, MISSING_SHARE)
    nominal = measure(lambda: ag.krippendorff_alpha(v, n_categories=Q).value, repeat=repeat)
    if quick:
        d = _SetData(r)
        sel = (r.rated & (r.rated.sum(axis=1) >= 2)[:, None]).ravel()
        distinct, inv = _unique_rows(d.bits.reshape(-1, 1)[sel])
        w = np.bincount(inv, minlength=len(distinct)).astype(np.float64)[:, None]
        fast = pair_distance_sums(distinct, w, ("masi",))
        slow = pair_distance_sums(distinct, w, ("masi",), enumerate_up_to=-1)
        assert np.allclose(fast, slow, rtol=1e-12, atol=0), (fast, slow)
    emit("set alpha MASI 100k x 3 dense", ours, None, None, value=ours.result,
         n_units=n_units, n_coders=3, n_codes=r.n_codes, n_distinct_sets=n_distinct,
         max_codes_per_rating=int(np.bincount(r.coding_unit * 3 + r.coding_coder).max()),
         nominal_alpha_same_units_s=round(nominal.seconds, 4), nominal_alpha_peak_mb=round(nominal.peak_mb, 1),
         target_s=10.0, exact=True)  # fmt: skip


def _best(refs: dict[str, tuple[Callable[[], Any], int]], ours_value: Any, check: Callable[[Any, Any], None]
          ) -> tuple[str, Measurement]:  # fmt: skip
    best_name, best = "", None
    for name, (fn, repeat) in refs.items():
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            m = measure(fn, repeat=repeat)
        check(ours_value, m.result)
        if best is None or m.seconds < best.seconds:
            best_name, best = name, m
    assert best is not None
    return best_name, best


def _close(a: Any, b: Any) -> None:
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a_arr.shape == b_arr.shape, (a, b)
    assert np.allclose(a_arr, b_arr, rtol=0, atol=1e-9), (a, b)


def _alpha_workloads(rng: np.random.Generator, big: int, mid: int, repeat: int) -> None:
    import krippendorff
    from agreement.metrics import krippendorffs_alpha

    for name, n_units, n_coders in (
        ("alpha nominal 1M units x 3 coders", big, 3),
        ("alpha nominal 100k units x 20 coders", mid, 20),
    ):
        v = _ratings(rng, n_units, n_coders, MISSING_SHARE)
        cm, kd = _counts(v, Q), _kripp_data(v)
        ours = measure(lambda cm=cm: ag.krippendorff_alpha_from_counts(cm).value, repeat=repeat)
        raw = measure(lambda v=v: ag.krippendorff_alpha(v, n_categories=Q).value, repeat=repeat)
        _close(raw.result, ours.result)
        ref_name, ref = _best(
            {
                "agreement (PyPI) krippendorffs_alpha on a prebuilt count matrix": (
                    lambda cm=cm: krippendorffs_alpha(cm), repeat),
                "krippendorff.alpha": (lambda kd=kd: krippendorff.alpha(
                    reliability_data=kd, level_of_measurement="nominal", value_domain=list(range(Q))), repeat),
            },
            ours.result, _close,
        )  # fmt: skip
        emit(name, ours, ref_name, ref, value=ours.result, n_units=n_units, n_coders=n_coders,
             input="same prebuilt count matrix for ours and reference",
             ours_from_ratings_s=round(raw.seconds, 4))  # fmt: skip


def _fleiss_workload(rng: np.random.Generator, big: int, repeat: int) -> None:
    """Complete data: Fleiss' kappa is the complete-data coefficient."""
    from agreement.metrics import scotts_pi
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    v = _ratings(rng, big, 3, 0.0)
    cm = _counts(v, Q)
    ours = measure(lambda: ag.fleiss_kappa_from_counts(cm).value, repeat=repeat)
    raw = measure(lambda: ag.fleiss_kappa(v, n_categories=Q).value, repeat=repeat)
    _close(raw.result, ours.result)
    ref_name, ref = _best(
        {
            "agreement (PyPI) scotts_pi on a prebuilt count matrix": (lambda: scotts_pi(cm), repeat),
            "statsmodels fleiss_kappa on a prebuilt count matrix": (lambda: sm_fleiss(cm), repeat),
        },
        ours.result, _close,
    )  # fmt: skip
    emit("fleiss 1M units x 3 coders", ours, ref_name, ref, value=ours.result, n_units=big, n_coders=3,
         input="same prebuilt count matrix for ours and reference", ours_from_ratings_s=round(raw.seconds, 4))  # fmt: skip


def _per_code_workload(r: ag.MultiCodeRatings, repeat: int) -> None:
    """Ours over all codes at once, from the raw codings, vs libraries looping over prebuilt per-code inputs."""
    import krippendorff
    from agreement.metrics import krippendorffs_alpha

    binaries = [r.binary(k) for k in range(r.n_codes)]
    count_mats = [_counts(b, 2) for b in binaries]
    kripp_mats = [_kripp_data(b) for b in binaries]

    def ours_pc() -> list[float | None]:
        res = ag.per_code_coefficients(r, measures=["krippendorff_alpha"])
        return [c.value for c in res["krippendorff_alpha"]]

    ours = measure(ours_pc, repeat=repeat)
    ref_name, ref = _best(
        {
            "agreement (PyPI) krippendorffs_alpha, loop over codes, prebuilt count matrices": (
                lambda: [krippendorffs_alpha(c) for c in count_mats], repeat),
            "krippendorff.alpha, loop over codes": (lambda: [krippendorff.alpha(
                reliability_data=d, level_of_measurement="nominal", value_domain=[0, 1]) for d in kripp_mats], 1),
        },
        ours.result, _close,
    )  # fmt: skip
    emit("per-code alpha 50 codes x 100k x 3", ours, ref_name, ref, n_units=r.n_units, n_coders=r.n_coders,
         n_codes=r.n_codes, n_codings=len(r.coding_unit))  # fmt: skip


def _report_workload(r: ag.MultiCodeRatings, n_boot: int) -> None:
    """Every measure, per code, pairwise, per coder, with n_boot-resample intervals; no reference."""
    import krippendorff

    labels = [f"code {k}" for k in range(r.n_codes)]
    ours = measure(lambda: ag.agreement_report(r, code_labels=labels, coder_labels=["a", "b", "c"],
                                               n_bootstrap=n_boot, seed=1), repeat=1)  # fmt: skip
    k0 = ours.result["per_code"][0]["measures"]["krippendorff_alpha"]["value"]
    ref0 = krippendorff.alpha(reliability_data=_kripp_data(r.binary(0)), level_of_measurement="nominal")
    _close(k0, ref0)  # spot-check against an independent implementation
    emit("full report 100k x 3 x 50 codes", ours, None, None, n_units=r.n_units, n_coders=r.n_coders,
         n_codes=r.n_codes, n_bootstrap=n_boot, n_codings=len(r.coding_unit))  # fmt: skip


def main() -> None:
    p = parser(__doc__ or "")
    p.add_argument("--only", choices=["set-alpha"], help="run one workload only")
    args = p.parse_args()
    quick = args.quick
    rng = np.random.default_rng(20240601)
    big, mid, codes = (2_000, 500, 10) if quick else (1_000_000, 100_000, 50)
    repeat = 1 if quick else 3
    if args.only == "set-alpha":
        _set_alpha_workload(rng, 2_000 if quick else 100_000, repeat, quick)
        return
    _alpha_workloads(rng, big, mid, repeat)
    gc.collect()
    _fleiss_workload(rng, big, repeat)
    gc.collect()
    r = _multi_code(rng, mid, 3, codes)
    _per_code_workload(r, repeat)
    gc.collect()
    _report_workload(r, 100 if quick else 1000)
    gc.collect()
    _set_alpha_workload(rng, 2_000 if quick else 100_000, repeat, quick)


if __name__ == "__main__":
    main()
