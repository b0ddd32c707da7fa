"""Colour a Grid's cells by value: a heatmap that keeps the theme's roles.

Signed values use the playground's convention (negative blue, positive orange, zero the
background); non-negative values (weights of a softmax, probabilities) run from the
background to the highlight colour. Intensity is |value| / the largest |value|.
"""
from __future__ import annotations

from typing import Sequence

from manim import ManimColor, interpolate_color

from .mobjects import Grid
from .theme import Theme


def heat_fill(grid: Grid, values: Sequence[Sequence[float]], theme: Theme, signed: bool | None = None,
              scale: float | None = None) -> Grid:
    flat = [v for row in values for v in row]
    signed = any(v < 0 for v in flat) if signed is None else signed
    top = scale or max((abs(v) for v in flat), default=1.0) or 1.0
    back = ManimColor(theme.background)
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            end = ManimColor(theme.input if signed and v < 0 else theme.kernel if signed else theme.highlight)
            grid.square(r, c).set_fill(interpolate_color(back, end, min(1.0, abs(v) / top)), 1.0)
    return grid
