"""Code and theme saturation for interview studies: a pure numpy/scipy engine.

This module implements ``/work/shared/methods/SATURATION.md`` (the "specification"): the
accumulation curve, Guest, Namey & Chen's (2020) base/run/threshold rule with its sensitivity
grid, order effects (exact rarefaction mean, order-randomised envelope and saturation-point
distribution), incidence richness estimators (Chao2, coverage, first-order jackknife),
Francis et al.'s (2010) "10 + 3" stopping rule, a homogeneous-detection (M0, "Lowe-type")
model and the Fugard & Potts (2015) planner. It imports neither Django nor Celery: the
Celery task builds the inputs (one interviews x codes presence matrix per coder mode, rows
already in analysis order) and stores the JSON-serialisable dict returned by
:func:`saturation_report`.

Input model
-----------
``incidence`` is a boolean array of shape ``(n_interviews, n_codes)``: ``incidence[i, k]`` is
True when code *k* was applied anywhere in interview *i* (several segments or coders count
once). Integer segment counts are accepted and read as ``count > 0``. Rows are in analysis
order (see :func:`analysis_order`); an all-False row is a completed interview with no codes
and counts as a position. Columns that are all False are codes that were never applied; the
report drops them (warning ``unapplied_codes_ignored``). Use :func:`collapse_to_themes` for
``level="theme"`` and :func:`filter_subtree` for a subtree. Interview positions in every
output are 1-based (interview number ``i = 1..N`` in analysis order).

Statuses
--------
``reached``, ``not_reached``, ``insufficient_data``, ``empty_base``, ``no_codes``,
``unbounded``, ``no_interviews`` and ``ok``. ``insufficient_data`` means "not enough
interviews to evaluate the rule" and must never be displayed as "not saturated".

Thresholds
----------
The new-information threshold is a fraction ``0 <= tau < 1`` (``Fraction("1/20")``,
``Decimal("0.05")``, ``"0.05"`` or ``0.05``; a float is read through its shortest decimal
representation, so ``0.05`` is exactly 1/20). Percentages such as ``5`` are rejected.
Decisions use exact integer arithmetic, ``n_run * den <= num * B``; float ratios are only
reported for display.

JSON shape of :func:`saturation_report`
---------------------------------------
::

    {
      "algorithm_version": "saturation-1",
      "level": "code" | "theme", "subtree": str | null,
      "order_by": str,                          # recorded; rows arrive already ordered
      "order_used": [interview label, ...],     # analysis order
      "n_interviews": int, "n_codes": int,      # n_codes = observed codes (S_obs)
      "code_labels": [str, ...],
      "parameters": {"base_size", "run_length", "threshold", "threshold_fraction",
                     "batch_size", "n_orders", "seed", "francis_initial_sample",
                     "francis_stopping_criterion", "targets"},
      "accumulation": {                         # accumulation_curve()
        "status": "ok" | "no_codes" | "no_interviews", "n_interviews", "n_codes",
        "new_codes": [int], "cumulative": [int], "prop_new": [float | null],
        "codes_per_interview": [int], "share_of_final": [float | null],  # retrospective
        "first_appearance": {code: int | null}, "incidence": {code: int},
        "first_interview_reaching": {"0.90": int | null, "0.95": ..., "1.00": ...},
        "batch_size": int | null,
        "batch_new_codes": [{"start", "end", "new_codes"}] | null,
        "empty_interviews": [label]},
      "guest": {                                # guest_saturation() + "late_codes"
        "method": "guest_2020", "status", "base_size", "run_length", "threshold",
        "threshold_fraction", "n_interviews", "base_codes": int | null,
        "runs": [{"start", "end", "new_codes", "ratio", "meets_threshold",
                  "empty_interviews": [label]}],
        "saturation_point", "notation", "codes_at_saturation", "total_codes",
        "degree_of_saturation", "late_new_codes", "late_codes": [code],  # null unless reached
        "warnings": [warning]},
      "sensitivity_grid": [{"base_size", "run_length", "threshold", "threshold_fraction",
                            "status", "base_codes", "saturation_point", "notation",
                            "degree_of_saturation", "late_new_codes"} x 12],
      "order_effects": {                        # order_simulation()
        "status": "ok" | "no_interviews",
        "method": "enumeration" | "random_permutations", "n_orders": int, "seed": int | null,
        "envelope": {"quantiles": [0.025, 0.975], "mean": [float],  # exact rarefaction
                     "lower": [int], "upper": [int], "simulated_mean": [float]},
        "saturation_points": [{"base_size", "run_length", "threshold",
                               "threshold_fraction", "status": "ok" | "insufficient_data",
                               "distribution": [{"saturation_point": s, "count": c}],
                               "not_reached": int, "empty_base": int,
                               "proportion_reached": float | null,
                               "p25", "median", "p75": int | "not_reached" | null,
                               "mean_given_reached": float | null}]},
      "estimators": {                           # incidence_estimators()
        "status": "ok" | "insufficient_data" | "no_codes" | "no_interviews",
        "n_interviews", "s_obs", "u", "q1", "q2", "q0", "chao2", "chao2_bias_corrected",
        "completeness", "coverage", "coverage_deficit",
        "expected_new_codes_next_interview", "jackknife1", "warnings", "caveat"},
      "francis": {                              # francis_stopping_rule()
        "method": "francis_2010", "status", "initial_sample", "stopping_criterion",
        "n_interviews", "windows": [{"start", "end", "new_codes"}],
        "saturation_point", "stop_at", "warnings"},
      "homogeneous_detection": {                # homogeneous_detection_model()
        "method": "homogeneous_detection_m0", "label", "status", "n_interviews", "s_obs",
        "u", "mean_incidence", "p_hat", "estimated_total_codes", "saturation",
        "interviews_for_target": {"0.90": int, "0.95": int},
        "expected_new_codes_next_interview", "caveat"},
      "planning": {"plugin_all_codes": {...},   # plugin_all_codes()
                   "fugard_potts": {...} | null},  # only when prevalence/power given
      "warnings": [{"code": str, "message": str, "interviews": [label]?}],
      "suggested_wording": str                  # suggested_wording()
    }

Every float is a plain Python float and every integer a plain ``int``, so ``json.dumps``
works on the result directly.

References
----------
Guest, G., Bunce, A., & Johnson, L. (2006). How many interviews are enough? *Field Methods*
18(1), 59-82. Guest, G., Namey, E., & Chen, M. (2020). A simple method to assess and report
thematic saturation in qualitative research. *PLoS ONE* 15(5), e0232076. Francis, J. J., et
al. (2010). What is an adequate sample size? *Psychology & Health* 25(10), 1229-1245. Chao, A.
(1987). Estimating the population size for capture-recapture data with unequal catchability.
*Biometrics* 43, 783-791. Chao, A., & Jost, L. (2012). Coverage-based rarefaction and
extrapolation. *Ecology* 93, 2533-2547. Colwell, R. K., et al. (2012). Models and estimators
linking individual-based and sample-based rarefaction. *J Plant Ecol* 5, 3-21. Lowe, A., et al.
(2018). Quantifying thematic saturation in qualitative data analysis. *Field Methods* 30(3),
191-207. Fugard, A. J. B., & Potts, H. W. W. (2015). Supporting thinking on sample sizes for
thematic analyses. *Int J Soc Res Methodol* 18(6), 669-684. van Rijnsoever, F. J. (2017). (I
can't get no) saturation. *PLoS ONE* 12(7), e0181689.
"""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

__all__ = [
    "ALGORITHM_VERSION",
    "SaturationInputError",
    "accumulation_curve",
    "analysis_order",
    "collapse_to_themes",
    "draw_orders",
    "filter_subtree",
    "francis_stopping_rule",
    "fugard_potts_min_prevalence",
    "fugard_potts_sample_size",
    "guest_saturation",
    "guest_sensitivity_grid",
    "homogeneous_detection_model",
    "incidence_estimators",
    "incidence_matrix",
    "order_curves",
    "order_simulation",
    "parse_threshold",
    "plugin_all_codes",
    "rarefaction_curve",
    "saturation_report",
    "suggested_wording",
]

ALGORITHM_VERSION = "saturation-1"

BoolMatrix: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
ThresholdLike: TypeAlias = Fraction | Decimal | str | float | int
JSONDict: TypeAlias = dict[str, Any]

#: Orders are enumerated exactly (N! of them) up to this many interviews (specification §4.2).
ENUMERATION_MAX_INTERVIEWS = 8
#: Largest N for which the rarefaction curve is summed exactly in integers.
EXACT_RAREFACTION_MAX = 200
#: Minimum number of random orders (specification §4.2).
MIN_RANDOM_ORDERS = 1000
#: Guest et al. (2020) tested these parameters (specification §3.4).
GRID_BASE_SIZES = (4, 5, 6)
GRID_RUN_LENGTHS = (2, 3)
GRID_THRESHOLDS = (Fraction(1, 20), Fraction(0))
#: Targets for ``first_interview_reaching`` (specification §2.2).
REACHING_TARGETS = ("0.90", "0.95", "1.00")
ENVELOPE_QUANTILES = (Fraction(25, 1000), Fraction(975, 1000))

ESTIMATOR_CAVEAT = (
    "These estimators are lower bounds when codes differ in prevalence, and they assume that "
    "interviews are exchangeable random draws. Purposive or theoretical sampling violates this, "
    "so treat the numbers as indicative."
)
M0_LABEL = "homogeneous-detection model (Lowe-type)"
M0_CAVEAT = (
    "A single detection probability for every code overstates saturation when code prevalences "
    "vary; use the Chao2 estimate for the headline figure and this model as a planning aid."
)
PLUGIN_LABEL = "ignores unseen codes, therefore optimistic"


class SaturationInputError(ValueError):
    """Invalid input; ``code`` is a stable machine-readable reason (e.g. ``duplicate_sequence``).

    The message is ``"<code>: <detail>"``.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _as_incidence(incidence: npt.ArrayLike) -> BoolMatrix:
    arr = np.asarray(incidence)
    if arr.ndim != 2:
        raise SaturationInputError(
            "invalid_incidence", f"incidence must be a 2-D interviews x codes array, got {arr.ndim}-D"
        )
    if arr.dtype == np.bool_:
        return arr
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise SaturationInputError(
            "invalid_incidence", f"incidence must be boolean or numeric, got {arr.dtype}"
        )
    if arr.size and (np.any(~np.isfinite(arr)) or np.any(arr < 0)):
        raise SaturationInputError("invalid_incidence", "segment counts must be finite and >= 0")
    return np.asarray(arr > 0, dtype=np.bool_)


def _as_new_codes(new_codes: npt.ArrayLike) -> list[int]:
    arr = np.asarray(new_codes)
    if arr.ndim != 1:
        raise SaturationInputError("invalid_new_codes", "new_codes must be a 1-D sequence of counts")
    if arr.size == 0:
        return []
    if not np.issubdtype(arr.dtype, np.integer) and (
        not np.issubdtype(arr.dtype, np.floating) or np.any(arr != np.round(arr))
    ):
        raise SaturationInputError("invalid_new_codes", "new_codes must be integers")
    out = [int(v) for v in arr]
    if min(out) < 0:
        raise SaturationInputError("invalid_new_codes", "new_codes must be >= 0")
    return out


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or int(value) < 1:
        raise SaturationInputError("invalid_parameter", f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _labels(labels: Sequence[str] | None, n: int, prefix: str, what: str) -> list[str]:
    if labels is None:
        return [f"{prefix}{i + 1}" for i in range(n)]
    out = [str(x) for x in labels]
    if len(out) != n:
        raise SaturationInputError("invalid_labels", f"expected {n} {what} labels, got {len(out)}")
    if len(set(out)) != len(out):
        raise SaturationInputError("invalid_labels", f"{what} labels must be unique")
    return out


def parse_threshold(value: ThresholdLike) -> Fraction:
    """Parse a new-information threshold into an exact fraction in ``[0, 1)``.

    Guest et al. (2020) compare the saturation ratio with a threshold such as 5%. The
    comparison ``n_run / B <= tau`` is decided as ``n_run * den <= num * B`` with
    ``tau = num / den`` (specification §3.2), so the threshold must be exact: floats are read
    through their shortest decimal representation (``0.05`` -> ``1/20``), strings may be
    decimals or fractions. Percentages (``5``) are rejected.

    Parameters
    ----------
    value : Fraction, Decimal, str, float or int
        The threshold as a fraction of the base codes.

    Returns
    -------
    Fraction

    Raises
    ------
    SaturationInputError
        ``invalid_threshold`` when the value is not a number in ``[0, 1)``.

    References
    ----------
    Guest, Namey & Chen (2020), *PLoS ONE* 15(5): e0232076.

    Examples
    --------
    >>> parse_threshold(0.05), parse_threshold("0.05"), parse_threshold("1/20")
    (Fraction(1, 20), Fraction(1, 20), Fraction(1, 20))
    >>> parse_threshold(5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workers.stats.saturation.SaturationInputError: invalid_threshold: threshold must be a fraction ...
    """
    if isinstance(value, bool):
        raise SaturationInputError("invalid_threshold", f"threshold must be a number, got {value!r}")
    try:
        if isinstance(value, Fraction):
            frac = value
        elif isinstance(value, int | np.integer):
            frac = Fraction(int(value))
        elif isinstance(value, float | np.floating):
            if not math.isfinite(float(value)):
                raise ValueError
            frac = Fraction(repr(float(value)))
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError
            frac = Fraction(value)
        elif isinstance(value, str):
            frac = Fraction(value.strip())
        else:
            raise TypeError
    except (ValueError, TypeError, ZeroDivisionError):
        raise SaturationInputError(
            "invalid_threshold", f"threshold must be a number, got {value!r}"
        ) from None
    if frac >= 1 or frac < 0:
        hint = " (percentages are not accepted)" if frac >= 1 else ""
        raise SaturationInputError(
            "invalid_threshold",
            f"threshold must be a fraction in [0, 1) such as 0.05 for 5%, got {value!r}{hint}",
        )
    return frac


def _fraction_str(frac: Fraction) -> str:
    return f"{frac.numerator}/{frac.denominator}"


def _quantile_index(q: Fraction, n: int) -> int:
    """1-based index of the Hyndman-Fan type 1 quantile: the smallest k with k/n >= q."""
    return max(1, -((-q.numerator * n) // q.denominator))


def _warning(code: str, message: str, interviews: Sequence[str] | None = None) -> JSONDict:
    out: JSONDict = {"code": code, "message": message}
    if interviews is not None:
        out["interviews"] = list(interviews)
    return out


# --------------------------------------------------------------------------------------------
# Input preparation: incidence matrix, analysis order, themes
# --------------------------------------------------------------------------------------------


def incidence_matrix(
    code_sets: Sequence[Iterable[Hashable]], code_labels: Sequence[Hashable] | None = None
) -> tuple[BoolMatrix, list[Hashable]]:
    """Build the interviews x codes presence matrix from one set of code ids per interview.

    ``incidence[i, k] = 1`` if code ``k`` is in ``C_i`` (specification §1.3: repeated
    segments or coders count once). Without ``code_labels`` the columns are the codes in
    order of first appearance (ties within an interview in sorted order when sortable).

    Parameters
    ----------
    code_sets : sequence of iterables
        ``C_1 .. C_N`` in analysis order; an empty iterable is an interview with no codes.
    code_labels : sequence, optional
        Column order; every code in ``code_sets`` must be listed.

    Returns
    -------
    (ndarray of bool, shape (N, S), list of code labels)

    References
    ----------
    Colwell et al. (2012), *J Plant Ecol* 5:3-21 (sample-based incidence data).

    Examples
    --------
    >>> m, labels = incidence_matrix([{"a", "b"}, set(), {"b", "c"}])
    >>> labels
    ['a', 'b', 'c']
    >>> m.astype(int).tolist()
    [[1, 1, 0], [0, 0, 0], [0, 1, 1]]
    """
    sets = [set(s) for s in code_sets]
    if code_labels is None:
        labels: list[Hashable] = []
        seen: set[Hashable] = set()
        for s in sets:
            new = sorted((c for c in s if c not in seen), key=_natural_key)
            labels.extend(new)
            seen.update(new)
    else:
        labels = list(code_labels)
        if len(set(labels)) != len(labels):
            raise SaturationInputError("invalid_labels", "code labels must be unique")
    index = {c: k for k, c in enumerate(labels)}
    out = np.zeros((len(sets), len(labels)), dtype=np.bool_)
    for i, s in enumerate(sets):
        for c in s:
            if c not in index:
                raise SaturationInputError("unknown_code", f"code {c!r} is not in code_labels")
            out[i, index[c]] = True
    return out, labels


def _natural_key(value: Hashable) -> tuple[int, float, str]:
    """Numbers by value, everything else by its string (only used to order new columns)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _iso_date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SaturationInputError(
            "invalid_date", f"conducted_on must be an ISO date, got {value!r}"
        ) from None


def analysis_order(
    pks: Sequence[int],
    *,
    sequence: Sequence[int | None] | None = None,
    conducted_on: Sequence[date | str | None] | None = None,
    order_by: Literal["conducted", "sequence"] = "conducted",
) -> tuple[list[int], Literal["conducted", "sequence"]]:
    """Deterministic analysis order of the included interviews (specification §1.2).

    ``order_by="sequence"`` (the PI's analysis order, "order coded") sorts by ``sequence``
    when every interview has one; duplicates raise ``duplicate_sequence``. Otherwise, and for
    the default ``order_by="conducted"``, the key is (``conducted_on`` missing -> last,
    ``conducted_on`` ascending, ``pk`` ascending). Labels are never used, because ``"P10" <
    "P3"`` as strings.

    Parameters
    ----------
    pks : sequence of int
        Stable primary keys (unique).
    sequence, conducted_on : sequences, optional
        Per-interview analysis sequence and ISO date (``None`` when missing).
    order_by : {"conducted", "sequence"}

    Returns
    -------
    (list of int, str)
        Indices into the inputs in analysis order, and the order actually used.

    References
    ----------
    Guest, Namey & Chen (2020) assess saturation prospectively in data-collection order.

    Examples
    --------
    >>> analysis_order([3, 10, 7], conducted_on=["2024-02-01", None, "2024-01-15"])
    ([2, 0, 1], 'conducted')
    >>> analysis_order([3, 10, 7], sequence=[2, 1, 3], order_by="sequence")
    ([1, 0, 2], 'sequence')
    """
    n = len(pks)
    if len(set(pks)) != n:
        raise SaturationInputError("duplicate_pk", "interview primary keys must be unique")
    if order_by not in ("conducted", "sequence"):
        raise SaturationInputError(
            "invalid_parameter", f"order_by must be 'conducted' or 'sequence', got {order_by!r}"
        )
    if sequence is not None and len(sequence) != n:
        raise SaturationInputError("invalid_labels", f"expected {n} sequence values, got {len(sequence)}")
    if conducted_on is not None and len(conducted_on) != n:
        raise SaturationInputError(
            "invalid_labels", f"expected {n} conducted_on values, got {len(conducted_on)}"
        )
    if order_by == "sequence" and sequence is not None and n and all(s is not None for s in sequence):
        seq = [int(s) for s in sequence if s is not None]
        dupes = sorted({s for s in seq if seq.count(s) > 1})
        if dupes:
            raise SaturationInputError("duplicate_sequence", f"duplicate sequence values {dupes}")
        return sorted(range(n), key=lambda i: seq[i]), "sequence"
    raw_dates: Sequence[date | str | None] = [None] * n if conducted_on is None else conducted_on
    dates = [None if d is None else _iso_date(d) for d in raw_dates]

    def key(i: int) -> tuple[bool, date, int]:
        d = dates[i]
        return (d is None, d if d is not None else date.min, int(pks[i]))

    return sorted(range(n), key=key), "conducted"


def _ancestors(code: Hashable, parent_of: Mapping[Hashable, Hashable | None]) -> list[Hashable]:
    chain = [code]
    seen = {code}
    node = code
    while node in parent_of and parent_of[node] is not None:
        node = parent_of[node]
        if node in seen:
            raise SaturationInputError("codebook_cycle", f"the codebook has a cycle through {node!r}")
        seen.add(node)
        chain.append(node)
    return chain  # code, parent, ..., top-level


def filter_subtree(
    incidence: npt.ArrayLike,
    code_labels: Sequence[Hashable],
    parent_of: Mapping[Hashable, Hashable | None],
    subtree: Hashable,
) -> tuple[BoolMatrix, list[Hashable]]:
    """Keep the codes at or below ``subtree`` in the codebook hierarchy.

    A code is kept when ``subtree`` is the code itself or one of its ancestors, following
    ``parent_of`` (code id -> parent id, ``None`` or absent for a top-level theme).

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    code_labels : sequence, length S
    parent_of : mapping
    subtree : hashable

    Returns
    -------
    (ndarray of bool, shape (N, S'), list of the kept labels)

    References
    ----------
    Francis et al. (2010) apply their stopping rule per construct (specification §6).

    Examples
    --------
    >>> m, labels = filter_subtree([[1, 1, 0]], ["a1", "b1", "a2"], {"a1": "A", "a2": "A", "b1": "B"}, "A")
    >>> labels, m.astype(int).tolist()
    (['a1', 'a2'], [[1, 0]])
    """
    x = _as_incidence(incidence)
    labels = list(code_labels)
    if len(labels) != x.shape[1]:
        raise SaturationInputError("invalid_labels", f"expected {x.shape[1]} code labels, got {len(labels)}")
    keep = [k for k, c in enumerate(labels) if subtree in _ancestors(c, parent_of)]
    return x[:, keep], [labels[k] for k in keep]


def collapse_to_themes(
    incidence: npt.ArrayLike,
    code_labels: Sequence[Hashable],
    parent_of: Mapping[Hashable, Hashable | None],
    *,
    root: Hashable | None = None,
) -> tuple[BoolMatrix, list[Hashable]]:
    """Collapse codes to themes: a theme is present in an interview if any of its codes is.

    Each code is mapped to its top-level ancestor by following ``parent_of`` (code id ->
    parent id; ``None`` or absent marks a top-level theme, so a top-level code is its own
    theme). With ``root`` (a subtree), only codes below ``root`` are kept and each maps to its
    ancestor that is a direct child of ``root`` (a code equal to ``root`` maps to ``root``).
    ``theme_present[i, t] = OR_{k -> t} incidence[i, k]`` (specification §1.3).

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    code_labels : sequence, length S
    parent_of : mapping
    root : hashable, optional

    Returns
    -------
    (ndarray of bool, shape (N, T), list of theme labels in order of first listed code)

    References
    ----------
    Guest, Bunce & Johnson (2006), *Field Methods* 18:59-82 (codes grouped into themes).

    Examples
    --------
    >>> m, themes = collapse_to_themes(
    ...     [[1, 0, 0], [0, 1, 1]], ["a1", "a2", "b1"], {"a1": "A", "a2": "A", "b1": "B"})
    >>> themes, m.astype(int).tolist()
    (['A', 'B'], [[1, 0], [1, 1]])
    """
    x = _as_incidence(incidence)
    labels = list(code_labels)
    if len(labels) != x.shape[1]:
        raise SaturationInputError("invalid_labels", f"expected {x.shape[1]} code labels, got {len(labels)}")
    themes: list[Hashable] = []
    column_of: dict[Hashable, int] = {}
    target: list[int] = []
    source: list[int] = []
    for k, c in enumerate(labels):
        chain = _ancestors(c, parent_of)
        if root is None:
            theme = chain[-1]
        elif root not in chain:
            continue
        else:
            j = chain.index(root)
            theme = chain[j - 1] if j > 0 else root
        if theme not in column_of:
            column_of[theme] = len(themes)
            themes.append(theme)
        target.append(column_of[theme])
        source.append(k)
    out = np.zeros((x.shape[0], len(themes)), dtype=np.bool_)
    for k, t in zip(source, target, strict=True):
        out[:, t] |= x[:, k]
    return out, themes


# --------------------------------------------------------------------------------------------
# §2 Accumulation curve
# --------------------------------------------------------------------------------------------


def _first_positions(x: BoolMatrix) -> IntArray:
    """1-based first interview containing each code; 0 for a code never applied."""
    if x.shape[0] == 0:
        return np.zeros(x.shape[1], dtype=np.int64)
    any_ = x.any(axis=0)
    first = np.argmax(x, axis=0).astype(np.int64) + 1
    return np.where(any_, first, 0).astype(np.int64)


def _new_counts(x: BoolMatrix) -> IntArray:
    n = x.shape[0]
    first = _first_positions(x)
    return np.bincount(first[first > 0] - 1, minlength=n).astype(np.int64)[:n]


def accumulation_curve(
    incidence: npt.ArrayLike,
    *,
    interview_labels: Sequence[str] | None = None,
    code_labels: Sequence[str] | None = None,
    batch_size: int | None = None,
) -> JSONDict:
    """Code accumulation curve: new and cumulative codes per interview (specification §2).

    With ``C_i`` the codes in interview ``i`` (analysis order)::

        new_i      = |C_i minus union(C_1, ..., C_{i-1})|
        cum_i      = |union(C_1, ..., C_i)|         (cum_N = S_obs)
        prop_new_i = new_i / |C_i|                  (null when |C_i| = 0)
        Y_k        = #{i : k ∈ C_i}                 (incidence, interviews not segments)
        first_interview_reaching[x] = min{i : cum_i >= x · cum_N}   (exact; null if cum_N = 0)

    ``share_of_final`` is ``cum_i / cum_N``: a *retrospective* share whose denominator is
    the codes found so far, not the unknown universe. ``batch_new_codes`` sums ``new_i``
    over consecutive batches (Guest et al. 2006 used batches of six).

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
        Rows in analysis order.
    interview_labels, code_labels : sequences of str, optional
    batch_size : int, optional

    Returns
    -------
    dict
        See the module docstring (``"accumulation"``). ``status`` is ``ok``, ``no_codes``
        (every interview empty) or ``no_interviews``.

    References
    ----------
    Guest, Bunce & Johnson (2006), *Field Methods* 18:59-82; Hennink, Kaiser & Marconi (2017),
    *Qual Health Res* 27:591-608.

    Examples
    --------
    >>> c = accumulation_curve([[1, 1, 0], [0, 0, 0], [0, 1, 1]])
    >>> c["new_codes"], c["cumulative"], c["prop_new"]
    ([2, 0, 1], [2, 2, 3], [1.0, None, 0.5])
    >>> c["first_interview_reaching"]
    {'0.90': 3, '0.95': 3, '1.00': 3}
    """
    x = _as_incidence(incidence)
    n, s = x.shape
    ilabels = _labels(interview_labels, n, "", "interview")
    clabels = _labels(code_labels, s, "code_", "code")
    if batch_size is not None:
        batch_size = _positive_int(batch_size, "batch_size")
    first = _first_positions(x)
    new = _new_counts(x)
    cum = np.cumsum(new)
    per = x.sum(axis=1)
    incid = x.sum(axis=0)
    s_obs = int(cum[-1]) if n else 0
    reaching: dict[str, int | None] = {}
    for key in REACHING_TARGETS:
        frac = Fraction(key)
        hit = None
        if s_obs > 0:
            for i in range(n):
                if int(cum[i]) * frac.denominator >= frac.numerator * s_obs:
                    hit = i + 1
                    break
        reaching[key] = hit
    batches = None
    if batch_size is not None:
        batches = [
            {"start": a + 1, "end": min(a + batch_size, n), "new_codes": int(new[a : a + batch_size].sum())}
            for a in range(0, n, batch_size)
        ]
    status = "no_interviews" if n == 0 else ("no_codes" if s_obs == 0 else "ok")
    return {
        "status": status,
        "n_interviews": n,
        "n_codes": s_obs,
        "new_codes": [int(v) for v in new],
        "cumulative": [int(v) for v in cum],
        "prop_new": [None if per[i] == 0 else float(new[i] / per[i]) for i in range(n)],
        "codes_per_interview": [int(v) for v in per],
        "share_of_final": [float(c / s_obs) if s_obs else None for c in cum],
        "first_appearance": {clabels[k]: (int(first[k]) if first[k] else None) for k in range(s)},
        "incidence": {clabels[k]: int(incid[k]) for k in range(s)},
        "first_interview_reaching": reaching,
        "batch_size": batch_size,
        "batch_new_codes": batches,
        "empty_interviews": [ilabels[i] for i in range(n) if per[i] == 0],
    }


# --------------------------------------------------------------------------------------------
# §3 Guest, Namey & Chen (2020)
# --------------------------------------------------------------------------------------------


def guest_saturation(
    new_codes: npt.ArrayLike,
    *,
    base_size: int = 4,
    run_length: int = 2,
    threshold: ThresholdLike = Fraction(1, 20),
    codes_per_interview: Sequence[int] | None = None,
    interview_labels: Sequence[str] | None = None,
) -> JSONDict:
    """Guest, Namey & Chen's (2020) base / run / new-information-threshold rule.

    With ``b`` the base size, ``r`` the run length and ``tau = num/den`` the threshold::

        B        = cum_b                                   (fixed for every run)
        n_run(s) = new_{s+1} + ... + new_{s+r},   s = b, b+1, ..., N-r
        meets(s) = n_run(s) * den <= num * B               (exact, inclusive)
        s*       = min{s : meets(s)}      -> "s*+r", degree of saturation = cum_{s*} / cum_N

    Runs overlap (the run moves forward one interview at a time); "new" means new relative to
    interviews ``1..s``. All runs are listed, including those after the first success.
    ``late_new_codes = cum_N - cum_{s*+r}``. Status: ``reached``, ``not_reached``,
    ``insufficient_data`` (``N < b + r``; ``base_codes`` still given when ``N >= b``),
    ``empty_base`` (``B = 0``) or ``no_interviews``.

    Parameters
    ----------
    new_codes : array_like of int, shape (N,)
        ``new_i`` in analysis order (see :func:`accumulation_curve`).
    base_size, run_length : int >= 1
    threshold : Fraction, Decimal, str or float in [0, 1)
        See :func:`parse_threshold`.
    codes_per_interview : sequence of int, optional
        ``|C_i|``; used to flag empty interviews inside runs
        (warning ``run_contains_empty_interviews`` for the runs up to the deciding one).
    interview_labels : sequence of str, optional

    Returns
    -------
    dict
        See the module docstring (``"guest"``).

    References
    ----------
    Guest, G., Namey, E., & Chen, M. (2020). A simple method to assess and report thematic
    saturation in qualitative research. *PLoS ONE* 15(5): e0232076.

    Examples
    --------
    Base of 4 interviews with 20 codes; a run adding exactly 1 code is 1/20 = 5% and meets
    the inclusive threshold:

    >>> g = guest_saturation([8, 5, 4, 3, 2, 0, 1, 0, 0])
    >>> g["status"], g["notation"], [run["new_codes"] for run in g["runs"]]
    ('reached', '5+2', [2, 1, 1, 0])
    >>> g["degree_of_saturation"], g["late_new_codes"]
    (0.9565217391304348, 0)
    """
    new = _as_new_codes(new_codes)
    b = _positive_int(base_size, "base_size")
    r = _positive_int(run_length, "run_length")
    tau = parse_threshold(threshold)
    n = len(new)
    labels = _labels(interview_labels, n, "", "interview")
    if codes_per_interview is not None and len(codes_per_interview) != n:
        raise SaturationInputError(
            "invalid_labels", f"expected {n} codes_per_interview values, got {len(codes_per_interview)}"
        )
    cum = list(itertools.accumulate(new))
    out: JSONDict = {
        "method": "guest_2020",
        "status": None,
        "base_size": b,
        "run_length": r,
        "threshold": float(tau),
        "threshold_fraction": _fraction_str(tau),
        "n_interviews": n,
        "base_codes": cum[b - 1] if n >= b else None,
        "runs": [],
        "saturation_point": None,
        "notation": None,
        "codes_at_saturation": None,
        "total_codes": cum[-1] if n else None,
        "degree_of_saturation": None,
        "late_new_codes": None,
        "warnings": [],
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < b + r:
        out["status"] = "insufficient_data"
        return out
    base = cum[b - 1]
    if base == 0:
        out["status"] = "empty_base"
        return out
    empty = (
        [codes_per_interview[i] == 0 for i in range(n)] if codes_per_interview is not None else [False] * n
    )
    runs: list[JSONDict] = []
    point: int | None = None
    flagged: list[str] = []
    for s in range(b, n - r + 1):
        n_run = cum[s + r - 1] - cum[s - 1]
        meets = n_run * tau.denominator <= tau.numerator * base
        run_empty = [labels[i] for i in range(s, s + r) if empty[i]]
        runs.append(
            {
                "start": s + 1,
                "end": s + r,
                "new_codes": n_run,
                "ratio": n_run / base,
                "meets_threshold": meets,
                "empty_interviews": run_empty,
            }
        )
        if point is None:
            flagged.extend(lbl for lbl in run_empty if lbl not in flagged)
            if meets:
                point = s
    out["runs"] = runs
    if flagged:
        out["warnings"].append(
            _warning(
                "run_contains_empty_interviews",
                "Interviews with no codes contribute 0 new codes to the runs that decided the result.",
                flagged,
            )
        )
    if point is None:
        out["status"] = "not_reached"
        return out
    total = cum[-1]
    out.update(
        status="reached",
        saturation_point=point,
        notation=f"{point}+{r}",
        codes_at_saturation=cum[point - 1],
        degree_of_saturation=cum[point - 1] / total,
        late_new_codes=total - cum[point + r - 1],
    )
    return out


def guest_sensitivity_grid(
    new_codes: npt.ArrayLike,
    *,
    base_sizes: Sequence[int] = GRID_BASE_SIZES,
    run_lengths: Sequence[int] = GRID_RUN_LENGTHS,
    thresholds: Sequence[ThresholdLike] = GRID_THRESHOLDS,
) -> list[JSONDict]:
    """Guest et al.'s rule for every combination of base, run and threshold (12 by default).

    The defaults are the values the paper tested: ``b in {4, 5, 6}``, ``r in {2, 3}``,
    ``tau in {0.05, 0}`` (specification §3.4). Each row is a summary of
    :func:`guest_saturation` (without the runs).

    Parameters
    ----------
    new_codes : array_like of int, shape (N,)
    base_sizes, run_lengths, thresholds : sequences

    Returns
    -------
    list of dict
        Rows ordered by base size, then run length, then threshold as given.

    References
    ----------
    Guest, Namey & Chen (2020), *PLoS ONE* 15(5): e0232076.

    Examples
    --------
    >>> grid = guest_sensitivity_grid([8, 5, 4, 3, 2, 0, 1, 0, 0])
    >>> len(grid), [(g["run_length"], g["threshold"], g["notation"]) for g in grid[:4]]
    (12, [(2, 0.05, '5+2'), (2, 0.0, '7+2'), (3, 0.05, '5+3'), (3, 0.0, None)])
    """
    rows: list[JSONDict] = []
    for b in base_sizes:
        for r in run_lengths:
            for t in thresholds:
                g = guest_saturation(new_codes, base_size=b, run_length=r, threshold=t)
                rows.append(
                    {
                        k: g[k]
                        for k in (
                            "base_size",
                            "run_length",
                            "threshold",
                            "threshold_fraction",
                            "status",
                            "base_codes",
                            "saturation_point",
                            "notation",
                            "degree_of_saturation",
                            "late_new_codes",
                        )
                    }
                )
    return rows


# --------------------------------------------------------------------------------------------
# §6 Francis et al. (2010)
# --------------------------------------------------------------------------------------------


def francis_stopping_rule(
    new_codes: npt.ArrayLike, *, initial_sample: int = 10, stopping_criterion: int = 3
) -> JSONDict:
    """Francis et al.'s (2010) initial analysis sample plus stopping criterion ("10 + 3").

    With ``n0`` the initial sample and ``k`` the stopping criterion::

        for m = n0, ..., N - k:   window m+1..m+k;  stop if new_{m+1} = ... = new_{m+k} = 0
        saturation_point = first such m,  stop_at = m + k

    ``insufficient_data`` when ``N < n0 + k``; ``not_reached`` when no window is free of new
    codes. When the initial sample has no codes at all, the rule is still applied as written
    and the warning ``initial_sample_empty`` is added. Whenever ``cum_{n0} > 0`` the result
    equals :func:`guest_saturation` with ``b = n0, r = k, tau = 0``.

    Parameters
    ----------
    new_codes : array_like of int, shape (N,)
    initial_sample, stopping_criterion : int >= 1

    Returns
    -------
    dict
        See the module docstring (``"francis"``).

    References
    ----------
    Francis, J. J., Johnston, M., Robertson, C., et al. (2010). What is an adequate sample
    size? Operationalising data saturation for theory-based interview studies. *Psychology &
    Health* 25(10): 1229-1245.

    Examples
    --------
    >>> f = francis_stopping_rule([5, 3, 2, 2, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    >>> f["status"], f["saturation_point"], f["stop_at"], f["windows"][0]
    ('reached', 13, 16, {'start': 11, 'end': 13, 'new_codes': 1})
    """
    new = _as_new_codes(new_codes)
    n0 = _positive_int(initial_sample, "initial_sample")
    k = _positive_int(stopping_criterion, "stopping_criterion")
    n = len(new)
    out: JSONDict = {
        "method": "francis_2010",
        "status": None,
        "initial_sample": n0,
        "stopping_criterion": k,
        "n_interviews": n,
        "windows": [],
        "saturation_point": None,
        "stop_at": None,
        "warnings": [],
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < n0 + k:
        out["status"] = "insufficient_data"
        return out
    if sum(new[:n0]) == 0:
        out["warnings"].append(
            _warning("initial_sample_empty", "The initial analysis sample contains no codes.")
        )
    point = None
    for m in range(n0, n - k + 1):
        count = sum(new[m : m + k])
        out["windows"].append({"start": m + 1, "end": m + k, "new_codes": count})
        if point is None and count == 0:
            point = m
    if point is None:
        out["status"] = "not_reached"
    else:
        out.update(status="reached", saturation_point=point, stop_at=point + k)
    return out


# --------------------------------------------------------------------------------------------
# §4 Order effects
# --------------------------------------------------------------------------------------------


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
    (:func:`rarefaction_curve`) and the 2.5% and 97.5% quantiles of ``cum_t``. The §3.2 rule
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
        See the module docstring (``"order_effects"``).

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


# --------------------------------------------------------------------------------------------
# §5 Incidence estimators
# --------------------------------------------------------------------------------------------


def incidence_estimators(incidence: npt.ArrayLike) -> JSONDict:
    """Chao2, bias-corrected Chao2, sample coverage, expected new codes, first-order jackknife.

    Each interview is a sampling unit and each code a "species" (incidence data). With
    ``Q1``/``Q2`` the codes found in exactly one/two interviews, ``U = sum_k Y_k`` and
    ``a = (N - 1) / N``::

        Q0   = a Q1^2 / (2 Q2)                if Q2 > 0
             = a Q1 (Q1 - 1) / 2              if Q2 = 0
        Chao2 = S_obs + Q0,   completeness = S_obs / Chao2
        Chao2_bc = S_obs + a Q1 (Q1 - 1) / (2 (Q2 + 1))
        A = N Q0 / (N Q0 + Q1)  (1 if Q1 = 0),   coverage C = 1 - (Q1 / U) A
        expected new codes in interview N+1 = Q0 Q1 / (N Q0 + Q1)   (0 if the denominator is 0)
        jackknife1 = S_obs + Q1 (N - 1) / N

    Everything is computed in exact rational arithmetic and returned as floats. Empty
    interviews count in ``N``. ``coverage_deficit = 1 - C`` is "the estimated share of code
    mentions in the next interview that would be codes not yet seen".

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)

    Returns
    -------
    dict
        ``status`` ``ok``, ``insufficient_data`` (N < 2), ``no_codes`` or ``no_interviews``;
        warnings ``few_data`` when ``N < 5`` or ``S_obs < 5`` and when ``Q1 = 1, Q2 = 0``.

    References
    ----------
    Chao, A. (1987). *Biometrics* 43: 783-791; Chao, A., & Jost, L. (2012). *Ecology* 93:
    2533-2547; Chao, A., Gotelli, N. J., et al. (2014). *Ecol Monogr* 84: 45-67; Burnham, K.
    P., & Overton, W. S. (1978). *Biometrika* 65: 625-633 (jackknife); formulas as in iNEXT
    (Hsieh, Ma & Chao 2016).

    Examples
    --------
    Y = (1, 1, 1, 2, 2, 3, 5) over N = 5 interviews: Q1 = 3, Q2 = 2, Q0 = 0.8 * 9 / 4 = 1.8.

    >>> rows = [[1, 0, 0, 1, 1, 1, 1], [0, 1, 0, 1, 0, 1, 1], [0, 0, 1, 0, 1, 1, 1],
    ...         [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1]]
    >>> e = incidence_estimators(rows)
    >>> round(e["chao2"], 12), round(e["coverage"], 12), round(e["expected_new_codes_next_interview"], 12)
    (8.8, 0.85, 0.45)
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    y = x.sum(axis=0)
    y = y[y > 0]
    s_obs = int(y.size)
    q1 = int((y == 1).sum())
    q2 = int((y == 2).sum())
    u = int(y.sum())
    out: JSONDict = {
        "status": "ok",
        "n_interviews": n,
        "s_obs": s_obs,
        "u": u,
        "q1": q1,
        "q2": q2,
        "q0": None,
        "chao2": None,
        "chao2_bias_corrected": None,
        "completeness": None,
        "coverage": None,
        "coverage_deficit": None,
        "expected_new_codes_next_interview": None,
        "jackknife1": None,
        "warnings": [],
        "caveat": ESTIMATOR_CAVEAT,
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < 2:
        out["status"] = "insufficient_data"
        return out
    if s_obs == 0:
        out["status"] = "no_codes"
        return out
    a = Fraction(n - 1, n)
    q0 = a * q1 * q1 / (2 * q2) if q2 > 0 else a * q1 * (q1 - 1) / 2
    chao2 = s_obs + q0
    denom = n * q0 + q1
    big_a = n * q0 / denom if q1 > 0 else Fraction(1)
    coverage = 1 - Fraction(q1, u) * big_a
    expected_new = q0 * q1 / denom if denom > 0 else Fraction(0)
    out.update(
        q0=float(q0),
        chao2=float(chao2),
        chao2_bias_corrected=float(s_obs + a * q1 * (q1 - 1) / (2 * (q2 + 1))),
        completeness=float(s_obs / chao2),
        coverage=float(coverage),
        coverage_deficit=float(1 - coverage),
        expected_new_codes_next_interview=float(expected_new),
        jackknife1=float(s_obs + q1 * a),
    )
    if n < 5 or s_obs < 5:
        out["warnings"].append(
            _warning(
                "few_data", f"Few data ({n} interviews, {s_obs} codes): treat the estimates with caution."
            )
        )
    if q1 == 1 and q2 == 0:
        out["warnings"].append(
            _warning(
                "few_data",
                "One singleton and no doubletons: the estimators are degenerate "
                "(Chao2 = observed, coverage = 1).",
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# §7 Homogeneous-detection (M0, "Lowe-type") model
# --------------------------------------------------------------------------------------------


def _one_minus_pow(p: float, n: float) -> float:
    """1 - (1 - p)^n, accurate for small p."""
    if p >= 1.0:
        return 1.0
    return float(-math.expm1(n * math.log1p(-p)))


def homogeneous_detection_model(
    incidence: npt.ArrayLike, *, targets: Sequence[ThresholdLike] = ("0.90", "0.95")
) -> JSONDict:
    """Homogeneous-detection (capture-recapture M0) saturation model, "Lowe-type".

    Each of ``T`` codes appears in each interview independently with probability ``p``, so an
    observed code's incidence is zero-truncated Binomial(N, p). The conditional maximum
    likelihood estimate solves (by bisection on (0, 1) to 1e-12)::

        N p / (1 - (1 - p)^N) = Ybar = U / S_obs
        T = S_obs / (1 - (1 - p)^N),        saturation = 1 - (1 - p)^N = S_obs / T
        interviews for level S* = ceil( ln(1 - S*) / ln(1 - p) )
        expected new codes in the next interview = T p (1 - p)^N

    ``U = S_obs`` (all singletons) is ``unbounded`` (p -> 0); ``U = N S_obs`` gives ``p = 1``
    and ``T = S_obs``. This is labelled a Lowe-type model because the exact estimator of Lowe
    et al. (2018) was not available; it overstates saturation when prevalences vary.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    targets : sequence of fractions in (0, 1)
        Saturation levels ``S*`` for ``interviews_for_target`` (keys as given, e.g. "0.90").

    Returns
    -------
    dict
        See the module docstring (``"homogeneous_detection"``).

    References
    ----------
    Lowe, A., Norris, A. C., Farris, A. J., & Babbage, D. R. (2018). Quantifying thematic
    saturation in qualitative data analysis. *Field Methods* 30(3): 191-207. Otis, D. L., et
    al. (1978). Statistical inference from capture data on closed animal populations.
    *Wildlife Monographs* 62 (model M0). Weller, S. C., et al. (2018). *PLoS ONE* 13(6):
    e0198606.

    Examples
    --------
    N = 2, Y = (2, 1, 1): Ybar = 4/3, so 2 / (2 - p) = 4/3 and p = 1/2, T = 3 / 0.75 = 4.

    >>> m = homogeneous_detection_model([[1, 1, 0], [1, 0, 1]])
    >>> round(m["p_hat"], 9), round(m["estimated_total_codes"], 9), m["interviews_for_target"]
    (0.5, 4.0, {'0.90': 4, '0.95': 5})
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    y = x.sum(axis=0)
    y = y[y > 0]
    s_obs = int(y.size)
    u = int(y.sum())
    keys: list[tuple[str, Fraction]] = []
    for t in targets:
        f = parse_threshold(t)
        if f == 0:
            raise SaturationInputError("invalid_parameter", "targets must be in (0, 1)")
        keys.append((t if isinstance(t, str) else str(float(f)), f))
    out: JSONDict = {
        "method": "homogeneous_detection_m0",
        "label": M0_LABEL,
        "status": "ok",
        "n_interviews": n,
        "s_obs": s_obs,
        "u": u,
        "mean_incidence": u / s_obs if s_obs else None,
        "p_hat": None,
        "estimated_total_codes": None,
        "saturation": None,
        "interviews_for_target": {k: None for k, _ in keys},
        "expected_new_codes_next_interview": None,
        "caveat": M0_CAVEAT,
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if n < 2:
        out["status"] = "insufficient_data"
        return out
    if s_obs == 0:
        out["status"] = "no_codes"
        return out
    if u == s_obs:
        out["status"] = "unbounded"
        return out
    ybar = u / s_obs
    if u == n * s_obs:
        p = 1.0
    else:
        lo, hi = 0.0, 1.0
        while hi - lo > 1e-12:
            mid = 0.5 * (lo + hi)
            if n * mid / _one_minus_pow(mid, n) < ybar:
                lo = mid
            else:
                hi = mid
        p = 0.5 * (lo + hi)
    detected = _one_minus_pow(p, n)
    total = s_obs / detected
    needed: dict[str, int | None] = {}
    for key, f in keys:
        if p >= 1.0:
            needed[key] = 1
        else:
            needed[key] = max(1, math.ceil(math.log1p(-float(f)) / math.log1p(-p)))
    out.update(
        p_hat=p,
        estimated_total_codes=total,
        saturation=detected,
        interviews_for_target=needed,
        expected_new_codes_next_interview=total * p * (1.0 - p) ** n,
    )
    return out


# --------------------------------------------------------------------------------------------
# §8 Planning calculators
# --------------------------------------------------------------------------------------------


def _check_probability(value: float, name: str, *, closed_right: bool = False) -> float:
    v = float(value)
    ok = 0.0 < v <= 1.0 if closed_right else 0.0 < v < 1.0
    if not ok or isinstance(value, bool):
        interval = "(0, 1]" if closed_right else "(0, 1)"
        raise SaturationInputError("invalid_parameter", f"{name} must be in {interval}, got {value!r}")
    return v


def fugard_potts_sample_size(prevalence: float, *, power: float, min_occurrences: int = 1) -> int:
    """Smallest number of interviews that sees a theme at least ``k`` times with given power.

    With ``X ~ Binomial(n, p)`` the number of interviews in which a theme of population
    prevalence ``p`` appears, ``n_min = min{n : P(X >= k) >= power}``. For ``k = 1`` this is
    ``ceil(ln(1 - power) / ln(1 - p))``.

    Parameters
    ----------
    prevalence : float in (0, 1]
    power : float in (0, 1)
    min_occurrences : int >= 1
        ``k``.

    Returns
    -------
    int

    References
    ----------
    Fugard, A. J. B., & Potts, H. W. W. (2015). Supporting thinking on sample sizes for
    thematic analyses: a quantitative tool. *Int J Soc Res Methodol* 18(6): 669-684.

    Examples
    --------
    >>> fugard_potts_sample_size(0.1, power=0.8), fugard_potts_sample_size(0.1, power=0.8, min_occurrences=2)
    (16, 29)
    """
    p = _check_probability(prevalence, "prevalence", closed_right=True)
    pw = _check_probability(power, "power")
    k = _positive_int(min_occurrences, "min_occurrences")

    def enough(n: int) -> bool:
        return bool(stats.binom.sf(k - 1, n, p) >= pw)

    hi = k
    while not enough(hi):
        hi *= 2
    lo = max(k - 1, hi // 2)  # enough(lo) is False (or lo < k)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid
    return hi


def fugard_potts_min_prevalence(n_interviews: int, *, power: float, min_occurrences: int = 1) -> float:
    """Smallest theme prevalence seen at least ``k`` times in ``N`` interviews with given power.

    Solves ``P(X >= k) = power`` for ``p`` with ``X ~ Binomial(N, p)`` (Brent's method to
    1e-14); for ``k = 1`` the closed form is ``p = 1 - (1 - power)^(1/N)``.

    Parameters
    ----------
    n_interviews : int >= min_occurrences
    power : float in (0, 1)
    min_occurrences : int >= 1

    Returns
    -------
    float

    References
    ----------
    Fugard & Potts (2015), *Int J Soc Res Methodol* 18(6): 669-684.

    Examples
    --------
    With 16 interviews and 80% power, any theme held by at least 9.57% of the population is
    seen at least once:

    >>> round(100 * fugard_potts_min_prevalence(16, power=0.8), 2)
    9.57
    """
    n = _positive_int(n_interviews, "n_interviews")
    pw = _check_probability(power, "power")
    k = _positive_int(min_occurrences, "min_occurrences")
    if n < k:
        raise SaturationInputError(
            "invalid_parameter", f"n_interviews ({n}) must be >= min_occurrences ({k})"
        )

    def gap(p: float) -> float:
        return float(stats.binom.sf(k - 1, n, p)) - pw

    root = optimize.brentq(gap, 1e-300, 1.0, xtol=1e-14, rtol=4 * np.finfo(float).eps)
    return float(root)


def plugin_all_codes(
    incidence: npt.ArrayLike, *, target: float = 0.8, max_interviews: int = 100_000
) -> JSONDict:
    """Plug-in probability that every observed code is seen in ``n`` random interviews.

    With ``p_k = Y_k / N``, ``P(n) = prod_k [1 - (1 - p_k)^n]``; reported at ``n = N`` and
    the smallest ``n`` with ``P(n) >= target``. It ignores unseen codes, so it is optimistic.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    target : float in (0, 1)
    max_interviews : int
        Search limit for ``n_for_target``.

    Returns
    -------
    dict
        ``{"method": "plugin_all_codes", "label", "status", "target",
        "probability_at_n", "n_for_target"}``.

    References
    ----------
    van Rijnsoever, F. J. (2017). (I can't get no) saturation: a simulation and guidelines
    for sample sizes in qualitative research. *PLoS ONE* 12(7): e0181689.

    Examples
    --------
    Two codes each in half of 2 interviews: P(n) = (1 - 0.5^n)^2, 0.5625 at n = 2, 0.8789 at 4.

    >>> r = plugin_all_codes([[1, 0], [0, 1]])
    >>> r["probability_at_n"], r["n_for_target"]
    (0.5625, 4)
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    tgt = _check_probability(target, "target")
    y = x.sum(axis=0)
    y = y[y > 0]
    out: JSONDict = {
        "method": "plugin_all_codes",
        "label": PLUGIN_LABEL,
        "status": "ok",
        "target": tgt,
        "probability_at_n": None,
        "n_for_target": None,
    }
    if n == 0:
        out["status"] = "no_interviews"
        return out
    if y.size == 0:
        out["status"] = "no_codes"
        return out
    miss = 1.0 - y / n  # 1 - p_k

    def prob(m: int) -> float:
        return float(np.prod(1.0 - miss**m))

    out["probability_at_n"] = prob(n)
    hi = 1
    while prob(hi) < tgt and hi < max_interviews:
        hi *= 2
    if prob(hi) >= tgt:
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if prob(mid) >= tgt:
                hi = mid
            else:
                lo = mid
        out["n_for_target"] = hi
    return out


# --------------------------------------------------------------------------------------------
# Report and wording
# --------------------------------------------------------------------------------------------


def saturation_report(
    incidence: npt.ArrayLike,
    *,
    interview_labels: Sequence[str] | None = None,
    code_labels: Sequence[str] | None = None,
    parent_of: Mapping[Hashable, Hashable | None] | None = None,
    level: Literal["code", "theme"] = "code",
    subtree: str | None = None,
    base_size: int = 4,
    run_length: int = 2,
    threshold: ThresholdLike = Fraction(1, 20),
    batch_size: int | None = None,
    n_orders: int = MIN_RANDOM_ORDERS,
    seed: int | None = None,
    francis_initial_sample: int = 10,
    francis_stopping_criterion: int = 3,
    targets: Sequence[str] = ("0.90", "0.95"),
    order_by: str = "conducted",
    planning_prevalence: float | None = None,
    planning_power: float | None = None,
    planning_min_occurrences: int = 1,
) -> JSONDict:
    """Full saturation analysis of one study, as a JSON-serialisable dict (the Celery entry point).

    Runs, on the interviews x codes presence matrix (rows already in analysis order): the
    accumulation curve (§2), Guest et al. (2020) with the 12-combination sensitivity grid
    (§3), the order-randomised envelope and saturation-point distribution (§4), the incidence
    estimators (§5), Francis et al. (2010) (§6), the homogeneous-detection model (§7) and the
    planning calculators (§8), then the suggested wording. Codes never applied are dropped.
    With ``level="theme"`` codes are collapsed with :func:`collapse_to_themes` (``parent_of``
    required; ``subtree`` as ``root``); with ``level="code"`` and ``subtree`` the codes are
    filtered with :func:`filter_subtree`. The Fugard & Potts planner runs only when both
    ``planning_prevalence`` and ``planning_power`` are given.

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    interview_labels, code_labels : sequences of str, optional
    parent_of : mapping, optional
        Codebook: code id -> parent id.
    level : {"code", "theme"}
    subtree : str, optional
    base_size, run_length, threshold : Guest et al. parameters (defaults 4, 2, 0.05)
    batch_size : int, optional
    n_orders, seed : random orders (ignored when N <= 8, which is enumerated)
    francis_initial_sample, francis_stopping_criterion : int (defaults 10, 3)
    targets : M0 target levels
    order_by : str
        Recorded as given; a value other than ``"conducted"`` adds a warning.
    planning_prevalence, planning_power, planning_min_occurrences : Fugard & Potts inputs

    Returns
    -------
    dict
        See the module docstring.

    References
    ----------
    See the module docstring; specification ``SATURATION.md`` §§2-8 and §10.

    Examples
    --------
    >>> rep = saturation_report([[1, 1, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 1, 1], [0, 1, 0]],
    ...                         interview_labels=["P1", "P2", "P3", "P4", "P5", "P6"])
    >>> rep["guest"]["notation"], rep["order_effects"]["method"], rep["estimators"]["chao2"]
    ('4+2', 'enumeration', 3.0)
    >>> import json; _ = json.dumps(rep)
    """
    x = _as_incidence(incidence)
    n = x.shape[0]
    ilabels = _labels(interview_labels, n, "", "interview")
    clabels: list[Hashable] = list(_labels(code_labels, x.shape[1], "code_", "code"))
    b = _positive_int(base_size, "base_size")
    r = _positive_int(run_length, "run_length")
    tau = parse_threshold(threshold)
    if level not in ("code", "theme"):
        raise SaturationInputError("invalid_parameter", f"level must be 'code' or 'theme', got {level!r}")
    warnings: list[JSONDict] = []
    if level == "theme" or subtree is not None:
        if parent_of is None:
            raise SaturationInputError(
                "invalid_parameter", "parent_of (the codebook) is required for themes or a subtree"
            )
        if level == "theme":
            x, clabels = collapse_to_themes(x, clabels, parent_of, root=subtree)
        else:
            x, clabels = filter_subtree(x, clabels, parent_of, subtree)
    applied = x.any(axis=0)
    if not applied.all():
        dropped = [str(clabels[k]) for k in np.flatnonzero(~applied)]
        warnings.append(
            _warning(
                "unapplied_codes_ignored", f"{len(dropped)} code(s) never applied were ignored: {dropped}"
            )
        )
        x = x[:, applied]
        clabels = [clabels[k] for k in np.flatnonzero(applied)]
    labels = [str(c) for c in clabels]
    if order_by != "conducted":
        warnings.append(
            _warning(
                "order_not_conducted",
                f"Interviews were analysed in {order_by!r} order, not the order conducted.",
            )
        )

    acc = accumulation_curve(x, interview_labels=ilabels, code_labels=labels, batch_size=batch_size)
    new = acc["new_codes"]
    guest = guest_saturation(
        new,
        base_size=b,
        run_length=r,
        threshold=tau,
        codes_per_interview=acc["codes_per_interview"],
        interview_labels=ilabels,
    )
    if guest["status"] == "reached":
        cutoff = guest["saturation_point"] + r
        guest["late_codes"] = [c for c in labels if acc["first_appearance"][c] > cutoff]
    else:
        guest["late_codes"] = None
    grid = guest_sensitivity_grid(new)
    order = order_simulation(x, n_orders=n_orders, seed=seed, base_size=b, run_length=r, thresholds=[tau, 0])
    est = incidence_estimators(x)
    francis = francis_stopping_rule(
        new, initial_sample=francis_initial_sample, stopping_criterion=francis_stopping_criterion
    )
    m0 = homogeneous_detection_model(x, targets=targets)
    fugard: JSONDict | None = None
    if planning_prevalence is not None and planning_power is not None:
        fugard = {
            "method": "fugard_potts_2015",
            "prevalence": float(planning_prevalence),
            "power": float(planning_power),
            "min_occurrences": planning_min_occurrences,
            "n_for_prevalence": fugard_potts_sample_size(
                planning_prevalence, power=planning_power, min_occurrences=planning_min_occurrences
            ),
            "min_detectable_prevalence": (
                fugard_potts_min_prevalence(n, power=planning_power, min_occurrences=planning_min_occurrences)
                if n >= planning_min_occurrences
                else None
            ),
        }
    for block in (guest, est, francis):
        warnings.extend(block["warnings"])
    if 0 < n < 5 and not any(w["code"] == "few_data" for w in warnings):
        warnings.append(_warning("few_data", f"Only {n} interviews: treat every result with caution."))
    report: JSONDict = {
        "algorithm_version": ALGORITHM_VERSION,
        "level": level,
        "subtree": subtree,
        "order_by": order_by,
        "order_used": ilabels,
        "n_interviews": n,
        "n_codes": acc["n_codes"],
        "code_labels": labels,
        "parameters": {
            "base_size": b,
            "run_length": r,
            "threshold": float(tau),
            "threshold_fraction": _fraction_str(tau),
            "batch_size": batch_size,
            "n_orders": order["n_orders"],
            "seed": order["seed"],
            "francis_initial_sample": francis["initial_sample"],
            "francis_stopping_criterion": francis["stopping_criterion"],
            "targets": list(targets),
        },
        "accumulation": acc,
        "guest": guest,
        "sensitivity_grid": grid,
        "order_effects": order,
        "estimators": est,
        "francis": francis,
        "homogeneous_detection": m0,
        "planning": {"plugin_all_codes": plugin_all_codes(x), "fugard_potts": fugard},
        "warnings": warnings,
    }
    report["suggested_wording"] = suggested_wording(report)
    return report


def _pct(value: float) -> str:
    """Percent with one decimal, without a trailing '.0' (0.997 -> '99.7%', 0.01 -> '1%')."""
    text = f"{100 * value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def _threshold_words(fraction: str) -> str:
    tau = Fraction(fraction)
    return "no new information" if tau == 0 else f"≤{_pct(float(tau))} new information"


def suggested_wording(report: Mapping[str, Any]) -> str:
    """Suggested sentence for a methods section, filled in from :func:`saturation_report`.

    Follows the specification's template (§4.3)::

        Using Guest et al.'s (2020) criterion (base 4, runs of 2, ≤5% new information),
        saturation was reached at 11+2. Across 1,000 random interview orders the saturation
        point had a median of 8 (IQR 7–10) and was reached in 99.7% of orders. 25 codes were
        observed. Chao2 estimates 25.4 (completeness 98.5%). The estimated share of code
        mentions in a further interview that would be new is 1%.

    and adds "k codes emerged after saturation was declared." after a reached result (§3.3:
    always show it). ``insufficient_data`` and ``empty_base`` are worded as "could not be
    evaluated", never as "not saturated".

    Parameters
    ----------
    report : mapping
        A :func:`saturation_report` result (possibly loaded back from JSON).

    Returns
    -------
    str

    References
    ----------
    Guest, Namey & Chen (2020); Chao (1987); Chao & Jost (2012).

    Examples
    --------
    >>> rep = saturation_report([[1, 1, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 1, 1], [0, 1, 0]])
    >>> print(suggested_wording(rep))  # doctest: +NORMALIZE_WHITESPACE
    Using Guest et al.'s (2020) criterion (base 4, runs of 2, ≤5% new information), saturation
    was reached at 4+2. 0 codes emerged after saturation was declared. Across all 720 interview
    orders the saturation point had a median of 4 (IQR 4–4) and was reached in 100% of orders.
    3 codes were observed. Chao2 estimates 3.0 (completeness 100%). The estimated share of code
    mentions in a further interview that would be new is 0%.
    """
    g = report["guest"]
    n = report["n_interviews"]
    rule = (
        f"Using Guest et al.'s (2020) criterion (base {g['base_size']}, runs of {g['run_length']}, "
        f"{_threshold_words(g['threshold_fraction'])}), "
    )
    status = g["status"]
    parts: list[str] = []
    if status == "reached":
        late = g["late_new_codes"]
        parts.append(rule + f"saturation was reached at {g['notation']}.")
        parts.append(f"{late} code{'' if late == 1 else 's'} emerged after saturation was declared.")
    elif status == "not_reached":
        parts.append(rule + f"saturation was not reached in the {n} interviews analysed.")
    elif status == "insufficient_data":
        parts.append(
            rule + f"saturation could not be evaluated: {n} interviews are fewer than the base plus one "
            f"run ({g['base_size'] + g['run_length']})."
        )
    elif status == "empty_base":
        parts.append(rule + "saturation could not be evaluated because the base interviews contain no codes.")
    else:
        parts.append("No interviews were available for a saturation analysis.")
    order = report.get("order_effects") or {}
    sp = next(
        (
            s
            for s in order.get("saturation_points", [])
            if s["threshold_fraction"] == g["threshold_fraction"] and s["status"] == "ok"
        ),
        None,
    )
    if sp is not None:
        k = order["n_orders"]
        lead = (
            f"Across all {k:,} interview orders"
            if order["method"] == "enumeration"
            else f"Across {k:,} random interview orders"
        )
        if sp["median"] == "not_reached":
            parts.append(
                f"{lead} saturation was reached in {_pct(sp['proportion_reached'])} of orders, so the median "
                "saturation point was not reached."
            )
        else:
            p75 = "not reached" if sp["p75"] == "not_reached" else sp["p75"]
            parts.append(
                f"{lead} the saturation point had a median of {sp['median']} "
                f"(IQR {sp['p25']}\u2013{p75}) and was reached in {_pct(sp['proportion_reached'])} of orders."
            )
    s_obs = report["n_codes"]
    if n:
        parts.append(f"{s_obs} code{'' if s_obs == 1 else 's'} {'was' if s_obs == 1 else 'were'} observed.")
    est = report.get("estimators") or {}
    if est.get("status") == "ok":
        parts.append(f"Chao2 estimates {est['chao2']:.1f} (completeness {_pct(est['completeness'])}).")
        parts.append(
            "The estimated share of code mentions in a further interview that would be new is "
            f"{_pct(est['coverage_deficit'])}."
        )
    return " ".join(parts)
