"""A loss over two weights as contour lines on a plot with one scale on both axes, and paths drawn on it."""
from __future__ import annotations

from typing import Any, Sequence

from manim import UP, Dot, VGroup, VMobject

from .mobjects import BODY_SIZE, fit_width, label
from .plots import Plot
from .theme import Theme


class ContourPlot(VGroup):
    """Contour lines (``contours``: ``[{"segments": [[[x, y], ...], ...]}, ...]``, in data coordinates) over
    ``window`` ``[[x0, x1], [y0, y1]]``, drawn at most ``width`` x ``height`` units with one scale on both axes,
    and the minimum as a dot; ``title`` (if any) above it, no wider than the plot's box. Build paths with
    :meth:`path` and :meth:`step` after placing the plot."""

    def __init__(self, theme: Theme, window: Sequence[Sequence[float]], contours: Sequence[Any],
                 minimum: Sequence[float], width: float, height: float, names: tuple[str, str] = ("w", "b"),
                 title: str = "", title_size: float = BODY_SIZE, **kwargs):
        super().__init__(**kwargs)
        (x0, x1), (y0, y1) = window
        self.theme = theme
        self.plot = Plot(theme, (x0, x1), (y0, y1), width, height, names[0], names[1], equal=True,
                         y_name_beside=True)
        self.curves = VGroup(*(self.plot.polyline(seg, theme.muted, 2) for c in contours for seg in c["segments"]))
        self.minimum = self.plot.dot(minimum, theme.foreground, radius=0.08)
        self.head = fit_width(label(title, theme, size=title_size), width) if title else VMobject()
        if title:
            self.head.next_to(self.plot.axes, UP, buff=0.15)
        self.add(self.head, self.plot, self.curves, self.minimum)

    def step(self, a: Sequence[float], b: Sequence[float], color: str, width: float = 3) -> VGroup:
        """The segment of one step and a dot where it lands."""
        return VGroup(self.plot.polyline([a, b], color, width), Dot(self.plot.c2p(*b), radius=0.04, color=color))

    def path(self, points: Sequence[Sequence[float]], color: str, width: float = 3) -> VMobject:
        return self.plot.polyline(points, color, width)

    def dot(self, point: Sequence[float], color: str, radius: float = 0.07) -> Dot:
        return self.plot.dot(point, color, radius)
