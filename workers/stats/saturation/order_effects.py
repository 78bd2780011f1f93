"""Order effects: how the accumulation curve and the saturation point depend on the interview order.

The exact mean curve over all orders (sample-based rarefaction, Colwell et al. 2012), curves for many
orders at once, and the order-randomised envelope and saturation-point distribution under Guest et al.'s
(2020) rule, with Hyndman & Fan (1996) type 1 quantiles (specification §4).
"""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from workers.stats.saturation.validation import (
    IntArray,
    JSONDict,
    SaturationInputError,
    ThresholdLike,
    _as_incidence,
    _fraction_str,
    _positive_int,
    parse_threshold,
)

#: Orders are enumerated exactly (N! of them) up to this many interviews (specification §4.2).
ENUMERATION_MAX_INTERVIEWS = 8
#: Largest N for which the rarefaction curve is summed exactly in integers.
EXACT_RAREFACTION_MAX = 200
#: Minimum number of random orders (specification §4.2).
MIN_RANDOM_ORDERS = 1000
ENVELOPE_QUANTILES = (Fraction(25, 1000), Fraction(975, 1000))


def _quantile_index(q: Fraction, n: int) -> int:
    """1-based index of the Hyndman-Fan type 1 quantile: the smallest k with k/n >= q."""
    return max(1, -((-q.numerator * n) // q.denominator))


def rarefaction_curve(incidence: npt.ArrayLike) -> list[float]:
    """Exact mean accumulation curve over all ``N!`` interview orders (sample-based rarefaction).

    ::

        E[cum_t] = sum_k [ 1 - C(N - Y_k, t) / C(N, t) ],   t = 1..N,   C(a, t) = 0 if t > a

    Up to ``N = 200`` the sum is evaluated exactly in integers (codes grouped by ``Y``) and
    rounded once to float; beyond that the ratio ``C(N - Y, t) / C(N, t) = prod_{j<t}
    (N - Y - j) / (N - j)`` is accumulated as a product of factors in ``[0, 1]``, which is
    numerically stable. ``E[cum_1] = U / N`` and ``E[cum_N] = S_obs``.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)

    Returns
    -------
    list of float, length N

    References
    ----------
    Colwell, R. K., Chao, A., Gotelli, N. J., et al. (2012). Models and estimators linking
    individual-based and sample-based rarefaction, extrapolation and comparison of
    assemblages. *J Plant Ecol* 5(1): 3-21.

    Examples
    --------
    >>> rarefaction_curve([[1, 1, 0], [0, 0, 0], [0, 1, 1]])
    [1.3333333333333333, 2.3333333333333335, 3.0]
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    if n == 0:
        return []
    y = x.sum(axis=0)
    y = y[y > 0]
    counts = np.bincount(y, minlength=n + 1)  # counts[j] = number of codes with Y = j
    if n <= EXACT_RAREFACTION_MAX:
        groups = [(j, int(c)) for j, c in enumerate(counts) if j > 0 and c > 0]
        exact: list[float] = []
        for t in range(1, n + 1):
            total = math.comb(n, t)
            exact.append(sum(c * (total - math.comb(n - j, t)) for j, c in groups) / total)
        return exact
    q = counts.astype(np.float64)
    j = np.arange(n + 1, dtype=np.float64)
    ratio = np.ones(n + 1)  # C(N - j, t) / C(N, t), starting at t = 0
    out: list[float] = []
    for t in range(1, n + 1):
        ratio = ratio * np.clip((n - j - (t - 1)) / (n - (t - 1)), 0.0, None)
        out.append(float(np.dot(q[1:], 1.0 - ratio[1:])))
    return out


def draw_orders(n_interviews: int, n_orders: int, seed: int) -> IntArray:
    """Draw ``n_orders`` random interview orders with numpy's PCG64 generator.

    Row ``r`` is a uniformly random permutation of ``0..N-1``:
    ``numpy.random.default_rng(seed).permuted(tile(arange(N), (R, 1)), axis=1)``. Results are
    reproducible for a given numpy version and seed, not across RNG implementations.

    Parameters
    ----------
    n_interviews, n_orders : int
    seed : int

    Returns
    -------
    ndarray of int64, shape (n_orders, n_interviews)

    References
    ----------
    Guest, Namey & Chen (2020) bootstrapped 10,000 random orderings.

    Examples
    --------
    >>> o = draw_orders(5, 3, seed=1)
    >>> o.shape, sorted(o[0].tolist())
    ((3, 5), [0, 1, 2, 3, 4])
    """
    rng = np.random.default_rng(seed)
    base = np.tile(np.arange(n_interviews, dtype=np.int64), (n_orders, 1))
    return rng.permuted(base, axis=1)


def order_curves(incidence: npt.ArrayLike, orders: npt.ArrayLike) -> IntArray:
    """Cumulative code counts ``cum_t`` for many interview orders at once.

    For order ``r`` with ``pos[r, i]`` the position of interview ``i``, the first position of
    code ``k`` is ``f[r, k] = min_{i : k ∈ C_i} pos[r, i]``; then
    ``new[r, t] = #{k : f[r, k] = t}`` (a bincount) and ``cum = cumsum(new)``. The minimum is
    taken with one vectorised update per *interview* (over all orders and that interview's
    codes), so there is no Python loop over orders or codes.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    orders : array_like of int, shape (R, N)
        Each row a permutation of ``0..N-1`` (interview indices in the order they are read).

    Returns
    -------
    ndarray of int64, shape (R, N)

    References
    ----------
    Guest, Namey & Chen (2020); Colwell et al. (2012) (sample-based accumulation).

    Examples
    --------
    >>> order_curves([[1, 1, 0], [0, 0, 0], [0, 1, 1]], [[0, 1, 2], [2, 1, 0]]).tolist()
    [[2, 2, 3], [2, 2, 3]]
    >>> order_curves([[1, 1, 0], [0, 0, 0], [0, 1, 1]], [[1, 2, 0]]).tolist()
    [[0, 2, 3]]
    """
    x = _as_incidence(incidence)
    n, _ = x.shape
    o = np.asarray(orders, dtype=np.int64)
    if o.ndim != 2 or o.shape[1] != n:
        raise SaturationInputError("invalid_orders", f"orders must have shape (R, {n})")
    r_count = o.shape[0]
    if n == 0 or r_count == 0:
        return np.zeros((r_count, n), dtype=np.int64)
    if not np.array_equal(np.sort(o, axis=1), np.broadcast_to(np.arange(n), o.shape)):
        raise SaturationInputError("invalid_orders", "every order must be a permutation of 0..N-1")
    x = x[:, x.any(axis=0)]
    s = x.shape[1]
    out = np.zeros((r_count, n), dtype=np.int64)
    if s == 0:
        return out
    dtype = np.min_scalar_type(n)
    # pos_t[i, r] = position of interview i in order r (interview-major so rows are contiguous).
    pos_t = np.empty((n, r_count), dtype=dtype)
    np.put_along_axis(pos_t.T, o, np.broadcast_to(np.arange(n, dtype=dtype), o.shape), axis=1)
    cols = [np.flatnonzero(x[i]) for i in range(n)]
    chunk = max(1, 4_000_000 // max(s, 1))
    for a in range(0, r_count, chunk):
        b = min(r_count, a + chunk)
        first_t = np.full((s, b - a), n, dtype=dtype)  # code-major
        for i in range(n):
            c = cols[i]
            if c.size:
                first_t[c] = np.minimum(first_t[c], pos_t[i, a:b])
        first = first_t.T.astype(np.int64)
        first += (np.arange(b - a, dtype=np.int64) * n)[:, None]
        new = np.bincount(first.ravel(), minlength=(b - a) * n).reshape(b - a, n)
        np.cumsum(new, axis=1, out=out[a:b])
    return out


def _guest_points(cum: IntArray, b: int, r: int, tau: Fraction) -> IntArray:
    """Vectorised §3.2 rule on many curves: s, 0 for not reached, -1 for an empty base."""
    n = cum.shape[1]
    base = cum[:, b - 1]
    prev = cum[:, b - 1 : n - r]
    after = cum[:, b + r - 1 : n]
    n_run = after - prev
    num, den = tau.numerator, tau.denominator
    big = max(int(cum.max(initial=0)), 1)
    if big * max(num, den) < 2**62:
        meets = n_run * den <= num * base[:, None]
    else:  # exact with Python integers if int64 could overflow
        meets = (n_run.astype(object) * den <= num * base.astype(object)[:, None]).astype(np.bool_)
    any_meets = meets.any(axis=1)
    points = np.where(any_meets, b + np.argmax(meets, axis=1), 0).astype(np.int64)
    points[base == 0] = -1
    return points


def _point_summary(points: IntArray, n: int) -> JSONDict:
    r_count = points.size
    reached = points > 0
    n_reached = int(reached.sum())
    values, counts = np.unique(points[reached], return_counts=True)
    # Orders that never saturate (including empty bases) are +infinity: never dropped.
    ranked = np.sort(np.where(reached, points, n + 1))

    def q(frac: Fraction) -> int | str:
        v = int(ranked[_quantile_index(frac, r_count) - 1])
        return "not_reached" if v > n else v

    return {
        "status": "ok",
        "distribution": [
            {"saturation_point": int(v), "count": int(c)} for v, c in zip(values, counts, strict=True)
        ],
        "not_reached": int((points == 0).sum()),
        "empty_base": int((points == -1).sum()),
        "proportion_reached": n_reached / r_count,
        "p25": q(Fraction(1, 4)),
        "median": q(Fraction(1, 2)),
        "p75": q(Fraction(3, 4)),
        "mean_given_reached": float(points[reached].mean()) if n_reached else None,
    }


def order_simulation(
    incidence: npt.ArrayLike,
    *,
    n_orders: int = MIN_RANDOM_ORDERS,
    seed: int | None = None,
    base_size: int = 4,
    run_length: int = 2,
    thresholds: Sequence[ThresholdLike] = (Fraction(1, 20), Fraction(0)),
    enumerate_max: int = ENUMERATION_MAX_INTERVIEWS,
) -> JSONDict:
    """Order-randomised envelope and saturation-point distribution (specification §4).

    If ``N <= 8`` all ``N!`` orders are enumerated (exact, no seed); otherwise ``R >= 1000``
    orders are drawn with :func:`draw_orders` and the seed is stored (a random seed is drawn
    and recorded when none is given). For each ``t`` the envelope holds the exact mean
    (:func:`rarefaction_curve`), the 2.5% and 97.5% quantiles of ``cum_t``, and its minimum and
    maximum over the orders (over all ``N!`` orders when enumerated: the fewest and most codes any
    ``t`` interviews hold; over the drawn orders otherwise, ``min_max_over`` says which). The §3.2 rule
    is applied to every order for each threshold. Quantiles use Hyndman & Fan (1996) type 1,
    ``Q(q) = x_(ceil(q R))``, the smallest x with ``F(x) >= q``, so they are interview
    numbers; orders that never reach saturation count as ``+inf`` and quantiles falling there
    are ``"not_reached"``.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    n_orders : int >= 1000
        Random orders when ``N > enumerate_max``.
    seed : int, optional
    base_size, run_length : int
    thresholds : sequence of thresholds
    enumerate_max : int
        Largest N that is enumerated (default 8; more is exact but costs N!).

    Returns
    -------
    dict
        See the report's JSON shape (``"order_effects"``) in :mod:`workers.stats.saturation.report`.

    References
    ----------
    Guest, Namey & Chen (2020); Colwell et al. (2012); Hyndman, R. J., & Fan, Y. (1996).
    Sample quantiles in statistical packages. *Am Stat* 50(4): 361-365.

    Examples
    --------
    >>> sim = order_simulation([[1, 0], [1, 1], [0, 0]], base_size=1, run_length=1, thresholds=[0])
    >>> sim["method"], sim["n_orders"], sim["envelope"]["mean"]
    ('enumeration', 6, [1.0, 1.6666666666666667, 2.0])
    >>> sp = sim["saturation_points"][0]
    >>> sp["distribution"], sp["not_reached"], sp["empty_base"], sp["median"]
    ([{'saturation_point': 1, 'count': 3}, {'saturation_point': 2, 'count': 1}], 0, 2, 1)
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    b = _positive_int(base_size, "base_size")
    r = _positive_int(run_length, "run_length")
    taus: list[Fraction] = []
    for t in thresholds:
        f = parse_threshold(t)
        if f not in taus:
            taus.append(f)
    n_orders = _positive_int(n_orders, "n_orders")
    enumerate_max = _positive_int(enumerate_max, "enumerate_max")
    out: JSONDict = {"status": "ok", "method": None, "n_orders": 0, "seed": None}
    if n == 0:
        out.update(status="no_interviews", envelope=None, saturation_points=[])
        return out
    if n <= enumerate_max:
        orders = np.array(list(itertools.permutations(range(n))), dtype=np.int64)
        out["method"] = "enumeration"
    else:
        if n_orders < MIN_RANDOM_ORDERS:
            raise SaturationInputError(
                "invalid_parameter", f"n_orders must be at least {MIN_RANDOM_ORDERS}, got {n_orders}"
            )
        if seed is None:
            seed = secrets.randbits(32)
        orders = draw_orders(n, n_orders, int(seed))
        out.update(method="random_permutations", seed=int(seed))
    cum = order_curves(x, orders)
    r_count = cum.shape[0]
    out["n_orders"] = r_count
    ranked = np.sort(cum, axis=0)
    lo, hi = (_quantile_index(q, r_count) - 1 for q in ENVELOPE_QUANTILES)
    out["envelope"] = {
        "quantiles": [float(q) for q in ENVELOPE_QUANTILES],
        "mean": rarefaction_curve(x),
        "lower": [int(v) for v in ranked[lo]],
        "upper": [int(v) for v in ranked[hi]],
        "minimum": [int(v) for v in ranked[0]],
        "maximum": [int(v) for v in ranked[-1]],
        "min_max_over": "all orders" if out["method"] == "enumeration" else "the drawn orders",
        "simulated_mean": [float(v) for v in cum.mean(axis=0)],
    }
    summaries: list[JSONDict] = []
    for tau in taus:
        head: JSONDict = {
            "base_size": b,
            "run_length": r,
            "threshold": float(tau),
            "threshold_fraction": _fraction_str(tau),
        }
        if n < b + r:
            head.update(
                status="insufficient_data",
                distribution=[],
                not_reached=None,
                empty_base=None,
                proportion_reached=None,
                p25=None,
                median=None,
                p75=None,
                mean_given_reached=None,
            )
        else:
            head.update(_point_summary(_guest_points(cum, b, r, tau), n))
        summaries.append(head)
    out["saturation_points"] = summaries
    return out
