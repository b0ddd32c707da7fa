"""A coordinate plane drawn to one scale on both axes: a faint background grid, the two axes, and
segments, arrows and polygons placed by data coordinates.

Everything placed on it is a plain VMobject whose points are corners in data coordinates mapped to the
screen, so a Transform from one set of points to another moves each point in a straight line: a linear
map's smooth interpolation (1 - s) p + s W p is exactly that.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import DOWN, LEFT, Arrow, Dot, Line, VGroup, VMobject

from .mobjects import label
from .plots import TICK_SIZE, nice_step, tick_values
from .theme import Theme

MIN_ARROW = 1e-6  # data units: a shorter arrow is drawn as a dot (a vector mapped to zero)


class PlaneView(VGroup):
    """The square window [-half, half]^2 of the plane, ``size`` screen units wide, centred on ``center``."""

    def __init__(self, theme: Theme, half: float, size: float, center: Sequence[float] = (0, 0, 0),
                 ticks: int = 6, **kwargs):
        super().__init__(**kwargs)
        self.theme, self.half, self.size = theme, half, size
        self.center_point = np.array(center, dtype=float)
        self.unit = size / (2 * half)
        step = nice_step(2 * half, 2 * ticks)
        self.background = VGroup()
        for v in tick_values(-half, half, step):
            if abs(v) < 1e-12:
                continue
            self.background.add(Line(self.c2p(v, -half), self.c2p(v, half)),
                                Line(self.c2p(-half, v), self.c2p(half, v)))
        self.background.set_stroke(theme.faint if theme.name == "dark" else theme.grid, 1.5,
                                   opacity=1.0 if theme.name == "dark" else 0.35)
        self.axes = VGroup(Line(self.c2p(-half, 0), self.c2p(half, 0)), Line(self.c2p(0, -half), self.c2p(0, half)))
        self.axes.set_stroke(theme.muted, 2)
        self.tick_labels = VGroup()
        for v in tick_values(-half, half, nice_step(2 * half, ticks)):
            if abs(v) < 1e-12 or abs(abs(v) - half) < step / 2:
                continue
            text = str(int(v)) if float(v).is_integer() else f"{v:g}"
            self.tick_labels.add(label(text.replace("-", "\u2212"), theme, size=TICK_SIZE, color=theme.muted)
                                 .next_to(self.c2p(v, 0), DOWN, buff=0.08))
            self.tick_labels.add(label(text.replace("-", "\u2212"), theme, size=TICK_SIZE, color=theme.muted)
                                 .next_to(self.c2p(0, v), LEFT, buff=0.08))
        self.add(self.background, self.axes, self.tick_labels)

    def c2p(self, x: float, y: float) -> np.ndarray:
        return self.center_point + np.array([x * self.unit, y * self.unit, 0.0])

    def segment(self, p: Sequence[float], q: Sequence[float], color: str, width: float = 2.5,
                opacity: float = 1.0) -> VMobject:
        """A straight segment from p to q (data coordinates); it may have zero length."""
        line = VMobject()
        line.set_points_as_corners([self.c2p(*p), self.c2p(*q)])
        return line.set_stroke(color, width, opacity=opacity).set_fill(opacity=0)

    def polygon(self, points: Sequence[Sequence[float]], color: str, opacity: float = 0.35) -> VMobject:
        """A filled polygon through the points, closed (a parallelogram may be flat: points on a line)."""
        shape = VMobject()
        corners = [self.c2p(*p) for p in points]
        shape.set_points_as_corners([*corners, corners[0]])
        return shape.set_stroke(color, 2).set_fill(color, opacity)

    def arrow(self, p: Sequence[float], q: Sequence[float], color: str, width: float = 6) -> VMobject:
        """An arrow from p to q; a dot at p when q is (almost) p."""
        a, b = self.c2p(*p), self.c2p(*q)
        length = float(np.linalg.norm(b - a))
        if length < MIN_ARROW * self.unit:
            return Dot(a, radius=0.07, color=color)
        tip = min(0.25, 0.45 * length)
        return Arrow(a, b, buff=0, stroke_width=width, tip_length=tip, max_tip_length_to_length_ratio=0.45,
                     max_stroke_width_to_length_ratio=100).set_color(color)

    def dot(self, p: Sequence[float], color: str, radius: float = 0.07) -> Dot:
        return Dot(self.c2p(*p), radius=radius, color=color)

    def clip(self, ends: np.ndarray) -> np.ndarray:
        """Segments ``ends`` (N x 2 x 2, data coordinates) cut to the window (Liang-Barsky); a segment that misses
        it becomes a zero-length one at the origin (drawn as nothing)."""
        ends = np.asarray(ends, dtype=float).reshape(-1, 2, 2)
        p, d = ends[:, 0], ends[:, 1] - ends[:, 0]
        t0, t1 = np.zeros(len(p)), np.ones(len(p))
        for axis in (0, 1):
            for sign in (-1.0, 1.0):  # the edges x = -half, x = half (then y)
                num = self.half - sign * p[:, axis]
                den = sign * d[:, axis]
                with np.errstate(divide="ignore", invalid="ignore"):
                    t = num / den
                t0 = np.where(den < 0, np.maximum(t0, t), t0)
                t1 = np.where(den > 0, np.minimum(t1, t), t1)
                t1 = np.where((den == 0) & (num < 0), -1.0, t1)  # parallel to the edge and outside it
        out = np.stack([p + d * t0[:, None], p + d * t1[:, None]], 1)
        out[t1 < t0] = 0.0
        return out


class GridSheet(VMobject):
    """Grid lines on a :class:`PlaneView`, cut to its window: ``set_centers(ends)`` (N x 2 x 2 data coordinates)
    moves them, so a :class:`~deepviz.style.clouds.Follow` can carry a whole grid through a map."""

    def __init__(self, plane: PlaneView, ends, color: str, width: float = 2.5, opacity: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.plane = plane
        self.set_stroke(color, width, opacity=opacity).set_fill(opacity=0)
        self.set_centers(ends)

    def set_centers(self, ends) -> GridSheet:
        cut = self.plane.clip(ends)
        a = self.plane.center_point + np.pad(cut[:, 0], ((0, 0), (0, 1))) * self.plane.unit
        b = self.plane.center_point + np.pad(cut[:, 1], ((0, 0), (0, 1))) * self.plane.unit
        t = np.array([0, 1 / 3, 2 / 3, 1.0])[None, :, None]
        self.set_points((a[:, None, :] + (b - a)[:, None, :] * t).reshape(-1, 3))
        return self

