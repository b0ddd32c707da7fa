"""Colour values by the theme's roles: a Grid's cells (a heatmap of a few numbers) or a whole field as an image.

Signed values use the playground's convention (negative blue, positive orange, zero the
background); non-negative values (weights of a softmax, probabilities) run from the
background to the highlight colour. Intensity is |value| / the largest |value|. Class
probabilities mix the classes' colours, fading to the background where no class stands out.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from manim import DOWN, UL, ManimColor, Rectangle, VGroup, VMobject

from .mobjects import BODY_SIZE, Grid, label
from .numbers import fmt_num
from .theme import Theme


def _rgb(color: str) -> np.ndarray:
    return np.array(ManimColor(color).to_rgb(), dtype=float)


def heat_rgb(values, background: str, negative: str, positive: str, scale: float = 1.0) -> np.ndarray:
    """Colours (``values.shape + (3,)``, 0..1) running from ``background`` at 0 to ``negative`` below zero and
    ``positive`` above, by |value| / ``scale`` (capped at 1)."""
    v = np.asarray(values, dtype=float)
    back = _rgb(background)
    end = np.where(v[..., None] < 0, _rgb(negative), _rgb(positive))
    return back + (end - back) * np.clip(np.abs(v) / scale, 0.0, 1.0)[..., None]


def mixture_rgb(probabilities, background: str, colors: Sequence[str]) -> np.ndarray:
    """Colours of class probabilities (K x ...): the classes' colours weighted by their probabilities, faded to
    ``background`` as the probabilities even out (all K equal: the background)."""
    p = np.asarray(probabilities, dtype=float)
    k = len(p)
    mix = np.tensordot(np.moveaxis(p, 0, -1), np.array([_rgb(c) for c in colors[:k]]), axes=1)
    sure = np.clip((p.max(0) - 1 / k) / (1 - 1 / k), 0.0, 1.0)[..., None]
    back = _rgb(background)
    return back + (mix - back) * sure


def signed_rgb(values, theme: Theme, scale: float | None = None) -> np.ndarray:
    """The house's diverging scale for signed values (activations, weights, gradients): zero is the
    background, below zero runs to the input role, above to the weight role, by |value| / ``scale``
    (default: the largest |value|, so the scale is symmetric about zero)."""
    top = scale or float(np.abs(np.asarray(values, dtype=float)).max(initial=0.0)) or 1.0
    return heat_rgb(values, theme.background, theme.input, theme.weight, top)


def ink_rgb(values, theme: Theme, role: str = "input", scale: float = 1.0) -> np.ndarray:
    """Non-negative values (an image's ink, 0..``scale``) from the background to a role's colour."""
    color = theme.role(role)
    return heat_rgb(values, theme.background, color, color, scale)


def framed(field: VMobject, theme: Theme, color: str | None = None, width: float = 2) -> VGroup:
    """A field with a thin frame, so its extent shows where it is mostly background."""
    box = Rectangle(width=field.width, height=field.height).set_stroke(color or theme.grid, width)
    return VGroup(field, box.set_fill(opacity=0).move_to(field))


def signed_legend(theme: Theme, scale: float, width: float, fmt: Callable[[float], str] = fmt_num,
                  steps: int = 33) -> VGroup:
    """A horizontal colour bar of :func:`signed_rgb` from -``scale`` to ``scale`` with its ends and 0 labelled."""
    ramp = np.linspace(-scale, scale, steps)[None, :]
    bar = framed(ColorField(signed_rgb(ramp, theme, scale), width, width / 12), theme)
    marks = VGroup(*(label(fmt(v), theme, size=BODY_SIZE, color=theme.muted) for v in (-scale, 0.0, scale)))
    for mark, x in zip(marks, (bar.get_left()[0], bar.get_center()[0], bar.get_right()[0])):
        mark.next_to(bar, DOWN, buff=0.08).set_x(x)
    return VGroup(bar, marks)


def heat_fill(grid: Grid, values: Sequence[Sequence[float]], theme: Theme, signed: bool | None = None,
              scale: float | None = None) -> Grid:
    flat = [v for row in values for v in row]
    signed = any(v < 0 for v in flat) if signed is None else signed
    top = scale or max((abs(v) for v in flat), default=1.0) or 1.0
    colors = heat_rgb(values, theme.background, theme.input if signed else theme.highlight,
                      theme.kernel if signed else theme.highlight, top)
    for r, row in enumerate(values):
        for c in range(len(row)):
            grid.square(r, c).set_fill(ManimColor(colors[r, c]), 1.0)
    return grid


def _resample(rgb: np.ndarray, factor: int) -> np.ndarray:
    """``factor`` times as many cells a side, each colour interpolated linearly between the given cells' centres."""
    if factor == 1:
        return rgb
    rows, cols = rgb.shape[:2]
    r = np.clip((np.arange(rows * factor) + 0.5) / factor - 0.5, 0, rows - 1)
    c = np.clip((np.arange(cols * factor) + 0.5) / factor - 0.5, 0, cols - 1)
    r0, c0 = np.minimum(r.astype(int), rows - 2), np.minimum(c.astype(int), cols - 2)
    fr, fc = (r - r0)[:, None, None], (c - c0)[None, :, None]
    top = rgb[r0][:, c0] * (1 - fc) + rgb[r0][:, c0 + 1] * fc
    bottom = rgb[r0 + 1][:, c0] * (1 - fc) + rgb[r0 + 1][:, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr


class ColorField(VGroup):
    """A field of colours (H x W x 3, 0..1, rows from the top) over a ``width`` x ``height`` box, as cells.

    Colours are rounded to ``levels`` steps a channel; each colour is ONE VMobject whose subpaths are its cells,
    merged along each row into rectangles, so a smooth 60 x 60 field draws in a few hundred paths; ``smooth``
    draws ``smooth`` times as many cells a side, interpolated linearly (a smoother picture, more paths). (Manim's
    ImageMobject would be the natural choice, but Manim 0.22 cannot draw one with Pillow 13: ``Image.fromarray``
    refuses its float canvas.) :meth:`set_colors` redraws the field, e.g. on every frame of an animation.
    """

    def __init__(self, colors, width: float, height: float, levels: int = 48, smooth: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.levels, self.smooth = levels, smooth
        self.box = Rectangle(width=width, height=height).set_stroke(width=0).set_fill(opacity=0)
        self.pool: list[VMobject] = []
        self.set_colors(colors)

    def set_colors(self, colors) -> "ColorField":
        rgb = _resample(np.asarray(colors, dtype=float), self.smooth)
        rows, cols = rgb.shape[:2]
        q = np.clip(np.round(rgb * (self.levels - 1)), 0, self.levels - 1).astype(np.int64)
        code = (q[..., 0] * self.levels + q[..., 1]) * self.levels + q[..., 2]
        starts = np.ones((rows, cols), dtype=bool)
        starts[:, 1:] = code[:, 1:] != code[:, :-1]
        flat = np.flatnonzero(starts)  # each run of one colour along a row: its first cell
        r, c0 = flat // cols, flat % cols
        c1 = np.minimum(np.append(flat[1:], rows * cols) - r * cols, cols)
        left, top = self.box.get_corner(UL)[:2]
        cw, ch = self.box.width / cols, self.box.height / rows
        x0, x1, y0, y1 = left + c0 * cw, left + c1 * cw, top - r * ch, top - (r + 1) * ch
        corners = np.stack([np.stack([x0, y0], 1), np.stack([x1, y0], 1), np.stack([x1, y1], 1),
                            np.stack([x0, y1], 1), np.stack([x0, y0], 1)], 1)  # runs x 5 x 2, closed
        corners = np.concatenate([corners, np.zeros(corners.shape[:2] + (1,))], 2)
        t = np.array([0, 1 / 3, 2 / 3, 1.0])[None, None, :, None]
        a, b = corners[:, :4, None, :], corners[:, 1:, None, :]
        curves = (a + (b - a) * t).reshape(len(flat), 16, 3)  # four straight cubic curves a rectangle
        run_code = code.reshape(-1)[flat]
        order = np.argsort(run_code, kind="stable")
        values, first = np.unique(run_code[order], return_index=True)
        while len(self.pool) < len(values):
            self.pool.append(VMobject())
        for mob, v, group in zip(self.pool, values, np.split(order, first[1:])):
            color = ManimColor(np.array([v // self.levels ** 2, v // self.levels % self.levels, v % self.levels])
                               / (self.levels - 1))
            mob.set_points(curves[group].reshape(-1, 3))
            mob.set_fill(color, 1.0).set_stroke(color, 1.2)  # the stroke closes the seams between cells
        self.submobjects = [self.box, *self.pool[:len(values)]]
        return self
