"""Figures to bytes: every server-side figure is rendered the same way, to SVG and PNG."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["render"]


def render(fig: Figure) -> dict[str, bytes]:
    """Render a figure to SVG and PNG bytes with the Agg canvas (no pyplot).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    dict
        ``{"svg": bytes, "png": bytes}``.
    """
    FigureCanvasAgg(fig)
    out: dict[str, bytes] = {}
    for fmt, meta in (("svg", {"Date": None}), ("png", {"Software": None})):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=110, metadata=meta)
        out[fmt] = buf.getvalue()
    return out
