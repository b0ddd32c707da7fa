"""Small images and 2-D code spaces: a digit as a field of pixels, many digits as one mosaic, points
placed on a plot and coloured by class (an autoencoder's code space), an encoder or decoder as a funnel.

Pixel values run from 0 (the background) to 1 (the role's colour); a mosaic is ONE
:class:`~deepviz.style.heatmap.ColorField`, so a grid of 64 decoded digits draws as one field.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from manim import DOWN, Polygon, VGroup

from .clouds import DotCloud
from .heatmap import ColorField, heat_rgb
from .mobjects import BODY_SIZE, fit_width, label
from .plots import Plot
from .theme import Theme


def digit_image(pixels: Sequence[Sequence[float]], side: float, theme: Theme, color: str) -> ColorField:
    """One image (rows x columns of values in [0, 1]) as a ``side``-wide field of ``color``."""
    rgb = heat_rgb(pixels, theme.background, color, color, 1.0)
    rows, cols = rgb.shape[:2]
    return ColorField(rgb, side, side * rows / cols)


def digit_mosaic(images: Sequence, cols: int, cell: float, theme: Theme, color: str, gap: int = 1,
                 frame: str | None = None) -> ColorField:
    """Equal-sized images (n x rows x columns, values in [0, 1]) in a grid of ``cols`` columns, ``cell`` units a
    side each, ``gap`` pixels of ``frame`` (default: the theme's faint colour) between them, as one field."""
    a = np.asarray(images, dtype=float)
    n, h, w = a.shape
    rows = -(-n // cols)
    big = np.full((rows * (h + gap) + gap, cols * (w + gap) + gap), np.nan)
    for i, img in enumerate(a):
        r, c = divmod(i, cols)
        big[gap + r * (h + gap):gap + r * (h + gap) + h, gap + c * (w + gap):gap + c * (w + gap) + w] = img
    rgb = heat_rgb(np.nan_to_num(big), theme.background, color, color, 1.0)
    rgb[np.isnan(big)] = np.array(heat_rgb([[1.0]], theme.background, frame or theme.faint, frame or theme.faint))[0, 0]
    unit = cell / w
    return ColorField(rgb, unit * big.shape[1], unit * big.shape[0])


def class_clouds(plot: Plot, points: Sequence[Sequence[float]], labels: Sequence[int], theme: Theme,
                 radius: float = 0.045) -> VGroup:
    """Points (data coordinates of ``plot``) as one dot cloud per class, each in its class's colour."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    lab = np.asarray(labels)
    clouds = VGroup()
    for k in sorted(set(lab.tolist())):
        centers = [plot.c2p(x, y) for x, y in pts[lab == k]]
        clouds.add(DotCloud(centers, radius=radius, color=theme.class_color(int(k)), opacity=0.9))
    return clouds


def code_plot(theme: Theme, window: Sequence[Sequence[float]], width: float, height: float,
              names: tuple[str, str] = ("z\u2081", "z\u2082"), ticks: int = 4, equal: bool = False) -> Plot:
    """A plot of a 2-D code space over ``window`` ([[x0, x1], [y0, y1]]), ``width`` x ``height`` units (``equal``:
    one scale on both axes, within that box)."""
    return Plot(theme, window[0], window[1], width, height, x_name=names[0], y_name=names[1], ticks=ticks,
                y_name_beside=True, equal=equal)


def funnel(theme: Theme, name: str, widths: tuple[float, float], length: float = 2.2) -> VGroup:
    """A trapezoid from ``widths[0]`` tall to ``widths[1]`` tall (a layer stack narrowing or widening), named."""
    a, b = widths[0] / 2, widths[1] / 2
    x = length / 2
    shape = Polygon(np.array([-x, a, 0.0]), np.array([x, b, 0.0]), np.array([x, -b, 0.0]), np.array([-x, -a, 0.0]))
    shape.set_stroke(theme.weight, 3).set_fill(theme.weight, theme.fill_opacity())
    return VGroup(shape, fit_width(label(name, theme, size=BODY_SIZE, color=theme.weight), max(length * 0.95, 1.5))
                  .next_to(shape, DOWN, buff=0.2))


def class_legend(theme: Theme, classes: int = 10, heading: str = "class", size: float = 22) -> VGroup:
    """A column: ``heading`` then 0, 1, ... each in its class's colour."""
    items = [label(heading, theme, size=size, color=theme.muted)]
    items += [label(str(k), theme, size=size, color=theme.class_color(k)) for k in range(classes)]
    return VGroup(*items).arrange(DOWN, buff=0.12)
