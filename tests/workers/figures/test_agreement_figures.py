"""The drift figure: alpha per window and per codebook version, undefined points left out and counted."""

from workers.figures.agreement import drift_figure, drift_points, render


def _row(alpha, units):
    return {"overall": {"alpha_masi": {"value": alpha}}, "counts": {"n_pairable_units": units}}


def test_points_leave_out_undefined_alpha_and_count_it():
    rows = [_row(0.5, 4), _row(None, 1), _row(0.9, 12)]
    assert drift_points(rows) == ([0, 2], [0.5, 0.9], [4, 12], 1)


def test_the_figure_draws_both_panels_with_thresholds():
    result = {
        "drift": {
            "window_days": 7,
            "by_window": [
                {"from": "2026-01-01T00:00:00+00:00", **_row(0.55, 8)},
                {"from": "2026-01-08T00:00:00+00:00", **_row(None, 1)},
                {"from": "2026-01-15T00:00:00+00:00", **_row(0.82, 10)},
            ],
            "by_codebook_version": [
                {"codebook_version": 1, **_row(0.6, 9)},
                {"codebook_version": 2, **_row(0.8, 10)},
            ],
        }
    }
    fig = drift_figure(result)
    top, bottom = fig.axes
    [window_line] = [line for line in top.get_lines() if line.get_gid() == "alpha_by_window"]
    assert list(window_line.get_ydata()) == [0.55, 0.82]
    assert list(window_line.get_xdata()) == [0, 2]
    assert "1 undefined" in top.get_title()
    [version_line] = [line for line in bottom.get_lines() if line.get_gid() == "alpha_by_version"]
    assert list(version_line.get_ydata()) == [0.6, 0.8]
    assert sorted(line.get_ydata()[0] for line in top.get_lines() if line.get_gid() == "threshold") == [
        0.667,
        0.8,
    ]
    assert render(fig)["svg"].startswith(b"<?xml")


def test_a_run_without_completed_units_says_so():
    fig = drift_figure({"drift": {"by_window": [], "by_codebook_version": []}})
    assert "No completed double-coded units yet." in [t.get_text() for t in fig.axes[0].texts]
