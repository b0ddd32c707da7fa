"""Plots on Manim Axes: a framed plot with readable tick labels, curves and point sets in data coordinates.

The axes meet at the window's lower-left corner (a plot frame), not at zero, so tick labels never sit
on top of the data; tick labels are plain text (no LaTeX), sized to read at 480p.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from manim import DOWN, LEFT, UP, Axes, Dot, Line, VGroup, VMobject

from .mobjects import fit_width, label
from .numbers import fmt_num
from .theme import Theme

TICK_SIZE = 16
AXIS_LABEL_SIZE = 20


class CornerAxes(Axes):
    """Manim Axes whose two axes cross at the lower-left corner of the window, with a tick at every step
    (zero included)."""

    @staticmethod
    def _origin_shift(axis_range: Sequence[float]) -> float:
        return axis_range[0]

    def _create_axis(self, range_terms, axis_config, length):
        return super()._create_axis(range_terms, {**axis_config, "exclude_origin_tick": False}, length)


def nice_step(span: float, ticks: int = 5) -> float:
    """A 1, 2 or 5 times a power of ten giving about ``ticks`` intervals over ``span``."""
    raw = span / max(1, ticks)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def tick_values(lo: float, hi: float, step: float) -> list[float]:
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def tick_digits(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


class Plot(VGroup):
    """Axes over a window ``x_range`` x ``y_range`` (each (lo, hi)) drawn ``width`` x ``height`` units,
    with tick labels and axis names. ``equal=True`` keeps one scale on both axes (shapes stay true):
    the plot then shrinks along one side to fit the box. ``fmt`` writes the tick labels (``y_fmt``, if given,
    the y axis's: e.g. 10 ** v for a y axis of log10 values)."""

    def __init__(self, theme: Theme, x_range: Sequence[float], y_range: Sequence[float], width: float,
                 height: float, x_name: str = "", y_name: str = "", equal: bool = False, ticks: int = 5,
                 fmt: Callable[[float, int], str] = fmt_num, y_name_beside: bool = False,
                 y_fmt: Callable[[float, int], str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        (x0, x1), (y0, y1) = x_range, y_range
        if equal:
            scale = min(width / (x1 - x0), height / (y1 - y0))
            width, height = scale * (x1 - x0), scale * (y1 - y0)
        xs, ys = nice_step(x1 - x0, ticks), nice_step(y1 - y0, ticks)
        self.axes = CornerAxes(
            x_range=[x0, x1, xs], y_range=[y0, y1, ys], x_length=width, y_length=height,
            axis_config={"include_tip": False, "color": theme.grid, "stroke_width": 2, "tick_size": 0.05,
                         "include_ticks": False},
        )
        self.ticks = VGroup()
        self.tick_labels = VGroup()
        for v in tick_values(x0, x1, xs):
            p = self.axes.c2p(v, y0)
            self.ticks.add(Line(p, p + DOWN * 0.08).set_stroke(theme.grid, 2))
            self.tick_labels.add(label(fmt(v, tick_digits(xs)), theme, size=TICK_SIZE, color=theme.muted)
                                 .next_to(p, DOWN, buff=0.12))
        for v in tick_values(y0, y1, ys):
            p = self.axes.c2p(x0, v)
            self.ticks.add(Line(p, p + LEFT * 0.08).set_stroke(theme.grid, 2))
            self.tick_labels.add(label((y_fmt or fmt)(v, tick_digits(ys)), theme, size=TICK_SIZE, color=theme.muted)
                                 .next_to(p, LEFT, buff=0.12))
        self.x_name = label(x_name, theme, size=AXIS_LABEL_SIZE).next_to(self.axes.x_axis, DOWN, buff=0.45) \
            if x_name else VMobject()
        if not y_name:
            self.y_name = VMobject()
        elif y_name_beside:
            self.y_name = label(y_name, theme, size=AXIS_LABEL_SIZE).next_to(self.tick_labels, LEFT, buff=0.15)
            self.y_name.set_y(self.axes.y_axis.get_center()[1])
        else:
            self.y_name = label(y_name, theme, size=AXIS_LABEL_SIZE)
            self.y_name.next_to(self.axes.c2p(x0, y1), UP, buff=0.15)
        self.add(self.axes, self.ticks, self.tick_labels, self.x_name, self.y_name)

    def c2p(self, x: float, y: float) -> np.ndarray:
        return self.axes.c2p(x, y)

    def polyline(self, points: Sequence[Sequence[float]], color: str, width: float = 3,
                 opacity: float = 1.0) -> VMobject:
        """A curve through data points (straight between them), not yet added."""
        line = VMobject()
        line.set_points_as_corners([self.c2p(x, y) for x, y in points])
        return line.set_stroke(color, width, opacity=opacity).set_fill(opacity=0)

    def dot(self, point: Sequence[float], color: str, radius: float = 0.07) -> Dot:
        return Dot(self.c2p(*point), radius=radius, color=color)

    def dots(self, points: Sequence[Sequence[float]], colors: Sequence[str], radius: float = 0.06) -> VGroup:
        return VGroup(*(self.dot(p, c, radius) for p, c in zip(points, colors)))

    def label_at(self, text: str, point: Sequence[float], direction=UP, color: str | None = None,
                 size: float = TICK_SIZE, buff: float = 0.1, max_width: float | None = None) -> VMobject:
        lab = label(text, self.theme, size=size, color=color)
        if max_width:
            fit_width(lab, max_width)
        return lab.next_to(self.c2p(*point), direction, buff=buff)

