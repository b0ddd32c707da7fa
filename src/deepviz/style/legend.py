"""A legend as one row of labels, each in the colour of what it names."""
from __future__ import annotations

from typing import Sequence

from manim import RIGHT, VGroup

from .mobjects import BODY_SIZE, fit_width, label
from .theme import Theme


def legend_row(items: Sequence[tuple[str, str]], theme: Theme, width: float, size: float = BODY_SIZE,
               buff: float = 0.5) -> VGroup:
    """``(text, colour)`` pairs side by side, at most ``width`` wide (not yet placed)."""
    row = VGroup(*(label(text, theme, size=size, color=color) for text, color in items)).arrange(RIGHT, buff=buff)
    fit_width(row, width)
    return row
