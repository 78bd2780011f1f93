"""Agreement over time and over codebook versions, drawn from a stored agreement run's ``drift``.

The run computes Krippendorff's alpha (MASI distance over each unit's set of codes) on the units completed in each time window and on the units
completed under each codebook version (``annotate.analysis.services``, point estimates). This figure is
what a PI looks at to see whether agreement grows as coders learn the codebook, or drops after a change
to it. Two panels, each with the reliability thresholds (0.667 and 0.800, Krippendorff 2004): alpha per
window (each point labelled with its units) and alpha per codebook version. Windows or versions where
alpha is undefined (too few units, no variation) are left out of the line and said so in the title.

Artists carry ``gid`` values (``alpha_by_window``, ``alpha_by_version``, ``threshold``) for tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .render import render

__all__ = ["drift_figure", "drift_points", "render"]

LINE = "#1f77b4"
THRESHOLDS = ((0.667, "tentative 0.667"), (0.800, "reliable 0.800"))


def drift_points(rows: Sequence[Mapping[str, Any]]) -> tuple[list[int], list[float], list[int], int]:
    """The rows whose overall alpha is defined: (their indices, alpha, units) and how many were undefined.

    >>> drift_points([{"overall": {"alpha_masi": {"value": 0.5}}, "counts": {"n_pairable_units": 4}},
    ...               {"overall": {"alpha_masi": {"value": None}}, "counts": {"n_pairable_units": 1}}])
    ([0], [0.5], [4], 1)
    """
    index, alpha, units, undefined = [], [], [], 0
    for i, row in enumerate(rows):
        value = (row.get("overall") or {}).get("alpha_masi", {}).get("value")
        if value is None:
            undefined += 1
            continue
        index.append(i)
        alpha.append(float(value))
        units.append(int((row.get("counts") or {}).get("n_pairable_units") or 0))
    return index, alpha, units, undefined


def _panel(ax: Axes, rows: Sequence[Mapping[str, Any]], labels: list[str], title: str, gid: str) -> None:
    index, alpha, units, undefined = drift_points(rows)
    for level, label in THRESHOLDS:
        ax.axhline(level, color="#999999", linestyle="--", linewidth=0.8, gid="threshold")
        ax.annotate(
            label,
            (0, level),
            xycoords=("axes fraction", "data"),
            fontsize=8,
            color="#555555",
            xytext=(2, 2),
            textcoords="offset points",
        )
    if index:
        ax.plot(index, alpha, marker="o", color=LINE, gid=gid)
        for x, y, n in zip(index, alpha, units, strict=True):
            ax.annotate(
                f"{n} units", (x, y), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8
            )
    ax.set_xticks(
        range(len(labels)),
        labels,
        rotation=30 if len(labels) > 6 else 0,
        ha="right" if len(labels) > 6 else "center",
    )
    ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    low = min([*alpha, 0.0]) if alpha else 0.0
    ax.set_ylim(min(low - 0.05, 0.0), 1.02)
    ax.set_ylabel("Krippendorff's α (MASI)")
    note = f" ({undefined} undefined, not shown)" if undefined else ""
    ax.set_title(title + note, fontsize=10)


def drift_figure(result: Mapping[str, Any]) -> Figure:
    """Alpha per time window and per codebook version from an agreement run's ``result``."""
    fig = Figure(figsize=(9, 6.5), layout="constrained")
    drift = result.get("drift") or {}
    windows = drift.get("by_window") or []
    versions = drift.get("by_codebook_version") or []
    if not windows and not versions:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "No completed double-coded units yet.", ha="center", va="center")
        return fig
    top, bottom = fig.subplots(2, 1)
    days = drift.get("window_days") or 7
    window_labels = [dt.datetime.fromisoformat(w["from"]).date().isoformat() for w in windows]
    _panel(top, windows, window_labels, f"Agreement by {days}-day window of completion", "alpha_by_window")
    version_labels = [f"v{v['codebook_version']}" for v in versions]
    _panel(bottom, versions, version_labels, "Agreement by codebook version in force", "alpha_by_version")
    return fig
