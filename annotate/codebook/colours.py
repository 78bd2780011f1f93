"""Colours for new codes: each code its own, so that codes stay apart in the reader, the heatmaps and the
REFI-QDA export. A code made without a colour takes the first colour of the palette no code of its
codebook uses yet."""

from __future__ import annotations

import colorsys
from collections.abc import Iterable

# Tableau 10 (Maureen Stone's palette, made to be told apart, also in print), then its lighter partners.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#bab0ac", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2",
    "#d37295", "#b6992d", "#499894", "#79706e",
)  # fmt: skip

GOLDEN_ANGLE = 0.381966  # of a turn: successive hues fall as far from all earlier ones as they can


def next_code_colour(used: Iterable[str]) -> str:
    """The first palette colour not in ``used`` (compared case-insensitively); past the palette, hues
    spread by the golden angle at a saturation and lightness that keep dark text readable.

    >>> next_code_colour([])
    '#4e79a7'
    >>> next_code_colour(["#4E79A7", "#f28e2b"])
    '#e15759'
    """
    taken = {colour.lower() for colour in used}
    for colour in PALETTE:
        if colour not in taken:
            return colour
    for step in range(1, 10_000):
        hue = (step * GOLDEN_ANGLE) % 1.0
        red, green, blue = colorsys.hls_to_rgb(hue, 0.55, 0.6)
        colour = f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
        if colour not in taken:
            return colour
    return PALETTE[0]  # ten thousand codes in one codebook: colours repeat
