"""The full saturation analysis of one study (the Celery entry point) and its suggested wording.

:func:`saturation_report` runs every analysis of the package on one incidence matrix (specification
§§2-8 and §10) and returns a JSON-serialisable dict; :func:`suggested_wording` fills in the
specification's methods-section template (§4.3) from it.

JSON shape of :func:`saturation_report`
---------------------------------------
::

    {
      "algorithm_version": "saturation-1",
      "level": "code" | "theme", "subtree": str | null,
      "order_by": str,                          # the order the rows are in ("sequence" | "conducted")
      "order_used": [interview label, ...],     # analysis order
      "excluded_interviews": [{"interview": label, "reason": str}],  # left out by the caller (§1.1)
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
        "first_run_percent": int | null,        # first run's ratio, whole percent (Guest's "19%")
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
                     "lower": [int], "upper": [int], "minimum": [int], "maximum": [int],
                     "min_max_over": "all orders" | "the drawn orders", "simulated_mean": [float]},
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
        "method": "homogeneous_detection_m0", "label",
        "status": "ok" | "unbounded" | "undefined" | "insufficient_data" | "no_codes" | "no_interviews",
        "n_interviews", "s_obs", "u", "mean_incidence", "p_hat", "estimated_total_codes", "saturation",
        "interviews_for_target": {"0.90": int, "0.95": int},
        "expected_new_codes_next_interview", "reason": str | null, "caveat"},
      "planning": {"plugin_all_codes": {...},   # plugin_all_codes()
                   "fugard_potts": {                # only when prevalence and power are given
                       "method", "prevalence", "power", "min_occurrences", "n_for_prevalence",
                       "power_at_n_for_prevalence", "min_detectable_prevalence"} | null},
      "warnings": [{"code": str, "message": str, "interviews": [label]?}],
      "suggested_wording": str                  # suggested_wording()
    }

Every float is a plain Python float and every integer a plain ``int``, so ``json.dumps``
works on the result directly.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from workers.stats.saturation.accumulation import accumulation_curve
from workers.stats.saturation.estimators import homogeneous_detection_model, incidence_estimators
from workers.stats.saturation.incidence import collapse_to_themes, filter_subtree
from workers.stats.saturation.order_effects import MIN_RANDOM_ORDERS, order_simulation
from workers.stats.saturation.planning import (
    fugard_potts_min_prevalence,
    fugard_potts_power,
    fugard_potts_sample_size,
    plugin_all_codes,
)
from workers.stats.saturation.stopping_rules import (
    francis_stopping_rule,
    guest_saturation,
    guest_sensitivity_grid,
)
from workers.stats.saturation.validation import (
    JSONDict,
    SaturationInputError,
    ThresholdLike,
    _as_incidence,
    _fraction_str,
    _labels,
    _positive_int,
    _warning,
    parse_threshold,
)

ALGORITHM_VERSION = "saturation-1"


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
    excluded_interviews: Sequence[Mapping[str, str]] = (),
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
        The order the rows are in, recorded as given; a value other than ``"conducted"`` adds a
        warning.
    planning_prevalence, planning_power, planning_min_occurrences : Fugard & Potts inputs
        Prevalence and power go together (one without the other is refused).
    excluded_interviews : sequence of {"interview": label, "reason": str}
        Interviews left out of the analysis by the caller (specification §1.1: coding not complete),
        recorded in the result with a warning.

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
    if (planning_prevalence is None) != (planning_power is None):
        raise SaturationInputError(
            "invalid_parameter", "the Fugard-Potts planner needs both planning_prevalence and planning_power"
        )
    if planning_prevalence is not None and planning_power is not None:
        n_min = fugard_potts_sample_size(
            planning_prevalence, power=planning_power, min_occurrences=planning_min_occurrences
        )
        fugard = {
            "method": "fugard_potts_2015",
            "prevalence": float(planning_prevalence),
            "power": float(planning_power),
            "min_occurrences": planning_min_occurrences,
            "n_for_prevalence": n_min,
            "power_at_n_for_prevalence": fugard_potts_power(
                n_min, planning_prevalence, min_occurrences=planning_min_occurrences
            ),
            "min_detectable_prevalence": (
                fugard_potts_min_prevalence(n, power=planning_power, min_occurrences=planning_min_occurrences)
                if n >= planning_min_occurrences
                else None
            ),
        }
    for block in (guest, est, francis):
        warnings.extend(block["warnings"])
    excluded = [{"interview": str(e["interview"]), "reason": str(e["reason"])} for e in excluded_interviews]
    if excluded:
        warnings.append(
            _warning(
                "interviews_excluded",
                f"{len(excluded)} interview(s) left out: their coding is not complete.",
                [e["interview"] for e in excluded],
            )
        )
    if 0 < n < 5 and not any(w["code"] == "few_data" for w in warnings):
        warnings.append(_warning("few_data", f"Only {n} interviews: treat every result with caution."))
    report: JSONDict = {
        "algorithm_version": ALGORITHM_VERSION,
        "level": level,
        "subtree": subtree,
        "order_by": order_by,
        "order_used": ilabels,
        "excluded_interviews": excluded,
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
