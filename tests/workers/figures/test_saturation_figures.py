"""Tests for workers.figures.saturation: the drawn data must match the stored result."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from workers.figures.saturation import (
    accumulation_figure,
    render,
    run_ratio_figure,
    saturation_figures,
    saturation_point_figure,
)
from workers.stats.saturation import saturation_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report() -> dict:
    rng = np.random.default_rng(13)
    prevalence = np.r_[rng.uniform(0.2, 0.7, 25), rng.uniform(0.04, 0.08, 5)]
    x = rng.random((16, 30)) < prevalence
    # Round-trip through JSON: the web app draws from the stored result.
    return json.loads(json.dumps(saturation_report(x, seed=42)))


def artist(fig: Figure, gid: str):
    found = [a for ax in fig.axes for a in [*ax.lines, *ax.collections, *ax.patches] if a.get_gid() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found


def bars(fig: Figure, gid: str) -> list[Rectangle]:
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def test_accumulation_curve_data_matches_result(report):
    fig = accumulation_figure(report)
    n = report["n_interviews"]
    (observed,) = artist(fig, "observed")
    assert isinstance(observed, Line2D)
    assert list(observed.get_xdata()) == list(range(1, n + 1))
    assert list(observed.get_ydata()) == report["accumulation"]["cumulative"]
    (expected,) = artist(fig, "expected")
    assert list(expected.get_ydata()) == report["order_effects"]["envelope"]["mean"]
    (envelope,) = artist(fig, "envelope")
    assert isinstance(envelope, PolyCollection)
    ys = envelope.get_paths()[0].vertices[:, 1]
    assert min(ys) == min(report["order_effects"]["envelope"]["lower"])
    assert max(ys) == max(report["order_effects"]["envelope"]["upper"])
    assert [p.get_height() for p in bars(fig, "new_codes")] == report["accumulation"]["new_codes"]
    (chao,) = artist(fig, "chao2")
    assert list(chao.get_ydata()) == [report["estimators"]["chao2"]] * 2


def test_accumulation_draws_the_lowest_and_highest_curve_over_orders(report):
    fig = accumulation_figure(report)
    envelope = report["order_effects"]["envelope"]
    (low,) = artist(fig, "envelope_minimum")
    (high,) = artist(fig, "envelope_maximum")
    assert list(low.get_xdata()) == list(range(1, report["n_interviews"] + 1))
    assert list(low.get_ydata()) == envelope["minimum"]
    assert list(high.get_ydata()) == envelope["maximum"]
    # the extremes bound the 95% band
    assert all(
        a <= b <= c <= d
        for a, b, c, d in zip(
            envelope["minimum"], envelope["lower"], envelope["upper"], envelope["maximum"], strict=True
        )
    )
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert any(label.startswith("lowest and highest, ") for label in labels)


def test_accumulation_marks_the_saturation_point_and_confirming_run(report):
    guest = report["guest"]
    assert guest["status"] == "reached"
    fig = accumulation_figure(report)
    (line,) = artist(fig, "saturation")
    assert list(line.get_xdata()) == [guest["saturation_point"]] * 2
    (span,) = artist(fig, "confirming_run")
    assert isinstance(span, Rectangle)
    s, r = guest["saturation_point"], guest["run_length"]
    assert (span.get_x(), span.get_x() + span.get_width()) == (s + 0.5, s + r + 0.5)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"saturation {guest['notation']}\n(base 4, run 2, ≤5%)" in texts


def test_run_ratio_chart_matches_runs(report):
    fig = run_ratio_figure(report)
    runs = report["guest"]["runs"]
    patches = bars(fig, "run_ratio")
    assert [p.get_x() + p.get_width() / 2 for p in patches] == [r["end"] for r in runs]
    assert [p.get_height() for p in patches] == pytest.approx([100 * r["ratio"] for r in runs])
    colours = [to_hex(p.get_facecolor()) for p in patches]
    assert colours == ["#2ca02c" if r["meets_threshold"] else "#ff7f0e" for r in runs]
    (tau,) = artist(fig, "threshold")
    assert list(tau.get_ydata()) == [5.0, 5.0]
    (met,) = artist(fig, "meets_threshold")
    assert list(met.get_xdata()) == [r["end"] for r in runs if r["meets_threshold"]]


def test_saturation_point_distribution_matches(report):
    fig = saturation_point_figure(report)
    order = report["order_effects"]
    assert len(fig.axes) == len(order["saturation_points"]) == 2
    for ax, sp in zip(fig.axes, order["saturation_points"], strict=True):
        patches = [p for p in ax.patches if p.get_gid() == "saturation_points"]
        assert [round(p.get_x() + p.get_width() / 2) for p in patches] == [
            d["saturation_point"] for d in sp["distribution"]
        ]
        assert [p.get_height() for p in patches] == pytest.approx(
            [d["count"] / order["n_orders"] for d in sp["distribution"]]
        )
        (never,) = [p for p in ax.patches if p.get_gid() == "not_reached"]
        assert never.get_height() == (sp["not_reached"] + sp["empty_base"]) / order["n_orders"]


def test_render_gives_valid_svg_and_png(report):
    out = saturation_figures(report)
    assert set(out) == {"accumulation", "run_ratio", "saturation_points"}
    for images in out.values():
        root = ET.fromstring(images["svg"])
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert images["png"].startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    "x",
    [
        np.zeros((0, 3), dtype=bool),  # no interviews
        np.ones((3, 2), dtype=bool),  # insufficient data
        np.r_[
            np.zeros((4, 2), dtype=bool), np.eye(2, dtype=bool), np.zeros((1, 2), dtype=bool)
        ],  # empty base
        np.eye(10, dtype=bool),  # never saturates
    ],
)
def test_edge_case_reports_still_render(x):
    rep = json.loads(json.dumps(saturation_report(x, seed=1)))
    for images in saturation_figures(rep).values():
        ET.fromstring(images["svg"])
        assert images["png"].startswith(PNG_SIGNATURE)


def test_not_reached_text_instead_of_marker():
    rep = saturation_report(np.eye(10, dtype=bool), seed=1)
    fig = accumulation_figure(rep)
    assert not [a for a in fig.axes[0].lines if a.get_gid() == "saturation"]
    assert any("saturation not reached" in t.get_text() for t in fig.axes[0].texts)
    png = render(fig)["png"]
    assert png.startswith(PNG_SIGNATURE)
