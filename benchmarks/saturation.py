"""Benchmark: order-randomised saturation analysis (workers.stats.saturation.order_simulation).

Workloads (names fixed):

* "100 interviews x 500 codes x 10000 orders" (target <= 2 s);
* "16 interviews x 1000 orders" (target <= 0.2 s).

"ours" is the full ``order_simulation`` call: drawing the seeded orders, the vectorised
accumulation curves, the envelope quantiles, the exact rarefaction mean and the Guest rule on
every order for the chosen threshold and 0%. No third-party library implements this procedure
(iNEXT/EstimateS do rarefaction, not the Guest rule over orders), so the reference is a
straightforward pure-Python loop of the same procedure ("naive python loop"): the same orders
(drawn by the same numpy generator and seed, then converted to lists, inside the timed call),
then per order a loop over interviews and their codes with a ``set`` of seen codes, the Guest
rule in integer arithmetic and type-1 quantiles from sorted lists. Both must give identical
curves for the same seed, and identical summaries; the script checks this and reports it.

Run: ``.venv/bin/python benchmarks/saturation.py [--quick]``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
from _harness import emit, measure, parser

from workers.stats.saturation import draw_orders, order_curves, order_simulation, saturation_report

QUANTILES = (Fraction(25, 1000), Fraction(975, 1000))
POINT_QUANTILES = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))


def make_study(n_interviews: int, n_codes: int, seed: int) -> np.ndarray:
    """Heterogeneous code prevalences (Beta(0.5, 3), mean ~0.14); every code applied once at least."""
    rng = np.random.default_rng(seed)
    prevalence = rng.beta(0.5, 3.0, size=n_codes)
    x = rng.random((n_interviews, n_codes)) < prevalence
    unused = np.flatnonzero(~x.any(axis=0))
    x[rng.integers(0, n_interviews, size=unused.size), unused] = True
    return x


def example_16(seed: int) -> np.ndarray:
    """The specification's scenario: 25 common codes and 5 rare ones (prevalence 4-8%)."""
    rng = np.random.default_rng(seed)
    prevalence = np.r_[rng.uniform(0.2, 0.7, 25), rng.uniform(0.04, 0.08, 5)]
    return rng.random((16, 30)) < prevalence


def naive_order_simulation(
    x: np.ndarray, n_orders: int, seed: int, base: int = 4, run: int = 2, taus: tuple[Fraction, ...] = ()
) -> dict[str, Any]:
    """The same permutation procedure in plain Python (numpy only to draw the same orders)."""
    orders = draw_orders(x.shape[0], n_orders, seed).tolist()
    codes_of = [[k for k, v in enumerate(row) if v] for row in x.tolist()]
    n = len(codes_of)
    curves = []
    for order in orders:
        seen: set[int] = set()
        curve = []
        for i in order:
            for code in codes_of[i]:
                if code not in seen:
                    seen.add(code)
            curve.append(len(seen))
        curves.append(curve)
    r_count = len(curves)
    lower, upper = [], []
    for t in range(n):
        column = sorted(c[t] for c in curves)
        lower.append(column[math.ceil(QUANTILES[0] * r_count) - 1])
        upper.append(column[math.ceil(QUANTILES[1] * r_count) - 1])
    points = {}
    for tau in taus:
        values = []
        for c in curves:
            b_codes = c[base - 1]
            point = math.inf
            if b_codes > 0:
                for s in range(base, n - run + 1):
                    if (c[s + run - 1] - c[s - 1]) * tau.denominator <= tau.numerator * b_codes:
                        point = s
                        break
            values.append(point)
        ranked = sorted(values)
        points[tau] = [ranked[math.ceil(q * r_count) - 1] for q in POINT_QUANTILES]
    return {"curves": curves, "lower": lower, "upper": upper, "points": points}


def run_workload(name: str, x: np.ndarray, n_orders: int, seed: int, target: float, quick: bool) -> None:
    taus = (Fraction(1, 20), Fraction(0))
    ours = measure(lambda: order_simulation(x, n_orders=n_orders, seed=seed, thresholds=taus), repeat=3)
    ref = measure(lambda: naive_order_simulation(x, n_orders, seed, taus=taus), repeat=1)
    ours_curves = order_curves(x, draw_orders(x.shape[0], n_orders, seed))
    identical_curves = ours_curves.tolist() == ref.result["curves"]
    env = ours.result["envelope"]
    same_summary = env["lower"] == ref.result["lower"] and env["upper"] == ref.result["upper"]
    for sp, tau in zip(ours.result["saturation_points"], taus, strict=True):
        got = [math.inf if sp[k] == "not_reached" else sp[k] for k in ("p25", "median", "p75")]
        same_summary = same_summary and got == ref.result["points"][tau]
    if not (identical_curves and same_summary):
        raise SystemExit(f"{name}: ours and the reference disagree")
    full = measure(lambda: saturation_report(x, n_orders=n_orders, seed=seed), repeat=3)
    emit(
        name,
        ours,
        "naive python loop",
        ref,
        n_interviews=int(x.shape[0]),
        n_codes=int(x.shape[1]),
        n_orders=n_orders,
        incidences=int(x.sum()),
        identical_curves=identical_curves,
        identical_summary=same_summary,
        target_s=target,
        meets_target=ours.seconds <= target,
        full_report_s=round(full.seconds, 4),
        quick=quick,
    )


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    big_orders = 1000 if args.quick else 10000
    run_workload(
        "100 interviews x 500 codes x 10000 orders",
        make_study(100, 500, seed=0),
        big_orders,
        seed=1,
        target=2.0,
        quick=args.quick,
    )
    run_workload(
        "16 interviews x 1000 orders", example_16(seed=13), 1000, seed=1, target=0.2, quick=args.quick
    )


if __name__ == "__main__":
    main()
