"""Many points drawn as one mobject: dot clouds, polylines and segment sets whose points are set from arrays.

A VGroup of a few hundred Dots costs a mobject (and a Cairo draw call) per dot; a :class:`DotCloud` is
one VMobject whose subpaths are the dots, so it draws in one call and moves by replacing one array.
In a 3D scene each dot can face the camera (``facing`` returns the camera's rotation matrix), so dots
stay round while the camera orbits. :class:`Follow` animates any of these along a path of point sets.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from manim import Animation, VMobject

_K = 0.5522847498  # cubic Bezier handle length of a quarter circle
# a unit circle as four cubic Bezier curves (4 points each), in the plane facing the viewer
_CIRCLE = np.array([
    [1, 0, 0], [1, _K, 0], [_K, 1, 0], [0, 1, 0],
    [0, 1, 0], [-_K, 1, 0], [-1, _K, 0], [-1, 0, 0],
    [-1, 0, 0], [-1, -_K, 0], [-_K, -1, 0], [0, -1, 0],
    [0, -1, 0], [_K, -1, 0], [1, -_K, 0], [1, 0, 0],
], dtype=float)


def as_points3d(points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Rows of 1, 2 or 3 coordinates -> an N x 3 array (missing coordinates are 0)."""
    a = np.asarray(points, dtype=float).reshape(len(points), -1) if len(points) else np.zeros((0, 3))
    out = np.zeros((len(a), 3))
    out[:, :a.shape[1]] = a
    return out


class DotCloud(VMobject):
    """Filled dots of one colour at ``centers`` (N x 3), as ONE VMobject."""

    def __init__(self, centers, radius: float = 0.05, color: str = "#FFFFFF", opacity: float = 1.0,
                 facing: Callable[[], np.ndarray] | None = None, **kwargs):
        self.radius = radius
        self.facing = facing
        self.centers = as_points3d(centers)
        super().__init__(**kwargs)
        self.set_fill(color, opacity).set_stroke(width=0)
        self.refresh()

    def set_centers(self, centers) -> "DotCloud":
        self.centers = as_points3d(centers)
        return self.refresh()

    def refresh(self) -> "DotCloud":
        """Rebuild the dots around the centres (turned towards the camera when ``facing`` is set)."""
        offsets = _CIRCLE * self.radius
        if self.facing is not None:
            offsets = offsets @ self.facing()  # camera plane -> world: the rotation matrix's transpose
        self.set_points((self.centers[:, None, :] + offsets[None, :, :]).reshape(-1, 3))
        return self


class Polyline(VMobject):
    """A path through ``points`` (N x 3), straight between them."""

    def __init__(self, points, color: str = "#FFFFFF", width: float = 2.0, opacity: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.set_stroke(color, width, opacity).set_fill(opacity=0)
        self.set_centers(points)

    def set_centers(self, points) -> "Polyline":
        pts = as_points3d(points)
        if len(pts) >= 2:
            self.set_points_as_corners(pts)
        else:
            self.clear_points()
        return self


class Segments(VMobject):
    """Many separate line segments ``[[x0, y0, x1, y1], ...]`` (or 3D ``[a, b]`` pairs) as ONE VMobject."""

    def __init__(self, segments, color: str = "#FFFFFF", width: float = 4.0, place: Callable | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.set_stroke(color, width).set_fill(opacity=0)
        seg = np.asarray(segments, dtype=float).reshape(-1, 2, 2) if len(segments) else np.zeros((0, 2, 2))
        a, b = as_points3d(seg[:, 0]), as_points3d(seg[:, 1])
        if place is not None:
            a, b = place(a), place(b)
        self.set_centers(np.stack([a, b], 1))

    def set_centers(self, pairs) -> Segments:
        """Move the segments to ``pairs`` (N x 2 x 3 screen points), e.g. along a :class:`Follow` path."""
        pairs = np.asarray(pairs, dtype=float).reshape(-1, 2, 3)
        a, b = pairs[:, 0], pairs[:, 1]
        t = np.array([0, 1 / 3, 2 / 3, 1.0])[None, :, None]
        pts = a[:, None, :] + (b - a)[:, None, :] * t
        self.set_points(pts.reshape(-1, 3))
        return self


class Follow(Animation):
    """Move a DotCloud or Polyline along ``path(alpha)`` -> N x 3 points, alpha from 0 to 1 (after the
    rate function), e.g. the straight interpolation between two computed point sets."""

    def __init__(self, mobject: VMobject, path: Callable[[float], np.ndarray], **kwargs):
        self.path = path
        super().__init__(mobject, **kwargs)

    def create_starting_mobject(self):
        return VMobject()  # the path is all the state this animation needs (no deep copy of the cloud)

    def interpolate_mobject(self, alpha: float) -> None:
        self.mobject.set_centers(self.path(self.rate_func(alpha)))


def between(start, end,
            place: Callable[[np.ndarray, float], np.ndarray] | None = None) -> Callable[[float], np.ndarray]:
    """The straight path from point set ``start`` to ``end`` (N x d data coordinates), placed on screen by
    ``place(points, alpha)`` (e.g. a scale that changes along the way)."""
    a, b = as_points3d(start), as_points3d(end)

    def path(alpha: float) -> np.ndarray:
        p = a + (b - a) * alpha
        return place(p, alpha) if place is not None else p

    return path
