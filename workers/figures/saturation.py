"""Saturation figures drawn from a stored :func:`workers.stats.saturation.saturation_report` result.

Three figures (specification ``SATURATION.md`` §4.3), each a :class:`matplotlib.figure.Figure`
built without pyplot (so no global figure state in a worker) and rendered with the Agg/SVG
canvases:

1. :func:`accumulation_figure`: cumulative unique codes in analysis order with new codes per
   interview as bars, the order-randomised exact mean and 95% envelope with the lowest and highest
   curve over the orders (the minimum/maximum envelope), the Guest saturation
   point with its confirming run shaded and labelled "s+r (base b, run r, ≤τ)", and the Chao2
   estimate as a dotted line;
2. :func:`run_ratio_figure`: new-in-run / base ratio (%) per run at the run's last interview,
   with the threshold line and the runs that meet it highlighted;
3. :func:`saturation_point_figure`: distribution of the saturation point over random (or all)
   orders, with "not reached" as a separate bar.

:func:`render` turns a figure into ``{"svg": bytes, "png": bytes}``; :func:`saturation_figures`
does all three. The artists carry ``gid`` values (``observed``, ``expected``, ``envelope``,
``new_codes``, ``envelope_minimum``, ``envelope_maximum``, ``saturation``, ``confirming_run``, ``chao2``, ``run_ratio``, ``threshold``,
``meets_threshold``, ``saturation_points``, ``not_reached``) so that tests and the web app can
find them.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .render import render

__all__ = [
    "accumulation_figure",
    "render",
    "run_ratio_figure",
    "saturation_figures",
    "saturation_point_figure",
]

OBSERVED = "#1f77b4"
EXPECTED = "#7f7f7f"
MEETS = "#2ca02c"
FAILS = "#ff7f0e"
CHAO = "#d62728"


def _pct(value: float) -> str:
    text = f"{100 * value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def _rule_label(guest: Mapping[str, Any]) -> str:
    tau = Fraction(guest["threshold_fraction"])
    return f"base {guest['base_size']}, run {guest['run_length']}, ≤{_pct(float(tau))}"


def _unit(report: Mapping[str, Any]) -> str:
    return "themes" if report.get("level") == "theme" else "codes"


def _empty(fig: Figure, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    return fig


def _interview_axis(ax: Axes, n: int) -> None:
    step = max(1, -(-n // 20))
    ax.set_xticks(range(1, n + 1, step))
    ax.set_xlim(0.3, n + 0.7)


def accumulation_figure(report: Mapping[str, Any]) -> Figure:
    """Accumulation curve with order envelope, saturation marker and Chao2 line.

    Parameters
    ----------
    report : mapping
        A saturation report (as returned, or loaded back from JSON).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    acc = report["accumulation"]
    n = int(acc["n_interviews"])
    unit = _unit(report)
    if n == 0:
        return _empty(fig, "No coded interviews yet.")
    ax = fig.add_subplot()
    xs = list(range(1, n + 1))
    ax.bar(
        xs,
        acc["new_codes"],
        width=0.6,
        color=OBSERVED,
        alpha=0.25,
        label=f"new {unit} in interview",
        gid="new_codes",
    )
    order = report.get("order_effects") or {}
    env = order.get("envelope")
    if env:
        what = (
            f"all {order['n_orders']:,} orders"
            if order.get("method") == "enumeration"
            else f"{order['n_orders']:,} random orders"
        )
        ax.fill_between(
            xs,
            env["lower"],
            env["upper"],
            color=EXPECTED,
            alpha=0.2,
            label=f"95% envelope, {what}",
            gid="envelope",
        )
        if env.get("minimum") and env.get("maximum"):
            over = env.get("min_max_over") or what
            for key, gid in (("minimum", "envelope_minimum"), ("maximum", "envelope_maximum")):
                ax.step(
                    xs,
                    env[key],
                    where="mid",
                    linestyle=":",
                    linewidth=1,
                    color=EXPECTED,
                    label=f"lowest and highest, {over}" if key == "minimum" else None,
                    gid=gid,
                )
        ax.plot(
            xs,
            env["mean"],
            linestyle="--",
            color=EXPECTED,
            label="expected curve (random order, exact)",
            gid="expected",
        )
    ax.plot(
        xs,
        acc["cumulative"],
        marker="o",
        color=OBSERVED,
        linewidth=2,
        label="observed order (as analysed)",
        gid="observed",
    )
    guest = report["guest"]
    if guest["status"] == "reached":
        s = int(guest["saturation_point"])
        r = int(guest["run_length"])
        ax.axvline(s, color=MEETS, linewidth=1.5, gid="saturation")
        ax.axvspan(s + 0.5, s + r + 0.5, color=MEETS, alpha=0.12, gid="confirming_run")
        y_at = acc["cumulative"][s - 1]
        ax.annotate(
            f"saturation {guest['notation']}\n({_rule_label(guest)})",
            xy=(s, y_at),
            xytext=(0.45, 0.35),
            textcoords="axes fraction",
            arrowprops={"arrowstyle": "->", "color": "black"},
        )
    else:
        note = {
            "not_reached": "saturation not reached",
            "insufficient_data": "too few interviews to evaluate the rule",
            "empty_base": "base interviews contain no codes: rule not evaluable",
        }.get(guest["status"], str(guest["status"]))
        ax.text(0.02, 0.96, f"{note} ({_rule_label(guest)})", transform=ax.transAxes, va="top")
    est = report.get("estimators") or {}
    if est.get("status") == "ok":
        ax.axhline(
            est["chao2"],
            linestyle=":",
            color=CHAO,
            label=f"Chao2 estimate of total {unit} = {est['chao2']:.1f}",
            gid="chao2",
        )
    _interview_axis(ax, n)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("interview number (analysis order)")
    ax.set_ylabel(f"unique {unit}")
    ax.set_title(f"{unit.capitalize()[:-1]} saturation, {n} interviews")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def run_ratio_figure(report: Mapping[str, Any]) -> Figure:
    """Guest et al. run ratio (new in run / base codes, %) at each run's last interview.

    Parameters
    ----------
    report : mapping

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    guest = report["guest"]
    runs = guest["runs"]
    if not runs:
        reason = {
            "insufficient_data": "Too few interviews for a base plus one run.",
            "empty_base": "The base interviews contain no codes, so the ratio is undefined.",
            "no_interviews": "No coded interviews yet.",
        }.get(guest["status"], "No runs.")
        return _empty(fig, reason)
    ax = fig.add_subplot()
    ends = [run["end"] for run in runs]
    pct = [100 * run["ratio"] for run in runs]
    colors = [MEETS if run["meets_threshold"] else FAILS for run in runs]
    ax.bar(ends, pct, color=colors, label="new in run / base", gid="run_ratio")
    tau = 100 * float(Fraction(guest["threshold_fraction"]))
    ax.axhline(tau, linestyle="--", color="black", label=f"threshold {_pct(tau / 100)}", gid="threshold")
    met = [(e, p) for e, p, run in zip(ends, pct, runs, strict=True) if run["meets_threshold"]]
    if met:
        ax.plot(
            [e for e, _ in met],
            [p for _, p in met],
            linestyle="none",
            marker="o",
            color=MEETS,
            label="run meets threshold",
            gid="meets_threshold",
        )
    _interview_axis(ax, int(guest["n_interviews"]))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("interview number (bars at the last interview of each run)")
    ax.set_ylabel("new in run /\nbase codes (%)")
    ax.set_title(f"Run ratios ({_rule_label(guest)})")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def saturation_point_figure(report: Mapping[str, Any]) -> Figure:
    """Distribution of the saturation point over interview orders, one panel per threshold.

    Orders that never reach saturation (including those with an empty base) are one separate
    "not reached" bar; they are never dropped.

    Parameters
    ----------
    report : mapping

    Returns
    -------
    matplotlib.figure.Figure
    """
    order = report.get("order_effects") or {}
    points = [sp for sp in order.get("saturation_points", []) if sp["status"] == "ok"]
    fig = Figure(figsize=(9, 3.2 * max(1, len(points))), layout="constrained")
    if not points:
        return _empty(fig, "Too few interviews to evaluate the rule over interview orders.")
    n = int(report["n_interviews"])
    total = int(order["n_orders"])
    what = f"all {total:,}" if order.get("method") == "enumeration" else f"{total:,} random"
    axes = fig.subplots(len(points), 1, squeeze=False)[:, 0]
    for ax, sp in zip(axes, points, strict=True):
        xs = [d["saturation_point"] for d in sp["distribution"]]
        share = [d["count"] / total for d in sp["distribution"]]
        ax.bar(xs, share, color=OBSERVED, gid="saturation_points", label="saturation point")
        never = (sp["not_reached"] + sp["empty_base"]) / total
        ax.bar([n + 2], [never], color=FAILS, gid="not_reached", label="not reached")
        ticks = list(range(1, n + 1, max(1, -(-n // 20))))
        ax.set_xticks([*ticks, n + 2], [*map(str, ticks), "not\nreached"])
        ax.set_xlim(0.3, n + 2.7)
        median = sp["median"]
        ax.set_title(
            f"Saturation point over {what} orders "
            f"(base {sp['base_size']}, run {sp['run_length']}, ≤{_pct(sp['threshold'])}): "
            f"median {median}, reached in {_pct(sp['proportion_reached'])}"
        )
        ax.set_ylabel("share of orders")
    axes[-1].set_xlabel("saturation point s (interview number)")
    return fig


def saturation_figures(report: Mapping[str, Any]) -> dict[str, dict[str, bytes]]:
    """All three saturation figures as ``{name: {"svg": bytes, "png": bytes}}``.

    Parameters
    ----------
    report : mapping

    Returns
    -------
    dict
        Keys ``accumulation``, ``run_ratio`` and ``saturation_points``.
    """
    return {
        "accumulation": render(accumulation_figure(report)),
        "run_ratio": render(run_ratio_figure(report)),
        "saturation_points": render(saturation_point_figure(report)),
    }
