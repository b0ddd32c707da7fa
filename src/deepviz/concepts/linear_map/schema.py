"""The shape of a `linear-map` trace's data (docs/traces/linear-map.md): no torch, no Manim.

Points are [x, y]; `linear` holds images under W p, `affine` under W p + b.
"""
from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Grid(TypedDict):
    """`data.grid`: the grid lines x = k then y = k, k = -2..2."""

    k: list[int]  # the lines' coordinates
    start: list[list[list[float]]]  # the lines' ends (lines x 2 x 2)
    linear: list[list[list[float]]]
    affine: list[list[list[float]]]


class Basis(TypedDict):
    """`data.basis`: the tips of i-hat and j-hat."""

    vectors: list[list[float]]
    linear: list[list[float]]
    affine: list[list[float]]


class Square(TypedDict):
    """`data.square`: the unit square."""

    corners: list[list[float]]
    linear: list[list[float]]
    affine: list[list[float]]


class Letter(TypedDict):
    """`data.letter`: an F inside the unit square (no symmetry: rotations and mirror images show)."""

    corners: list[list[float]]
    linear: list[list[float]]
    affine: list[list[float]]


class Orientation(TypedDict):
    """`data.orientation`: the turn from W (1, 0) to W (0, 1)."""

    start: float  # angle of W (1, 0), radians
    sweep: float  # signed angle to W (0, 1), in (-pi, pi]: negative (clockwise) when det W < 0
    flipped: bool  # det W < 0


class Vector(TypedDict):
    """`data.vector`: the vector `--vector`."""

    x: list[float]
    linear: list[float]  # W x
    affine: list[float]  # W x + b
    parts: list[list[float]]  # [x1 * column 1, x2 * column 2]: they add up to W x


class Origin(TypedDict):
    """`data.origin`."""

    linear: list[float]  # W 0 (always 0)
    affine: list[float]  # b


class Kind(TypedDict):
    """`data.kind`: what sort of map W is, in words."""

    name: str  # rotation, reflection, scaling, shear, symmetric, singular, zero, identity, general
    text: str
    eigenvalues: NotRequired[list[float]]  # symmetric matrices (torch.linalg.eigh)
    eigenvectors: NotRequired[list[list[float]]]
    angle: NotRequired[float]  # rotations and reflections, in degrees


class LinearMapData(TypedDict):
    """`data`."""

    matrix: list[list[float]]  # W, rows
    bias: list[float]  # b
    columns: list[list[float]]  # W's columns: where i-hat and j-hat land
    det: float  # torch.linalg.det
    area: float  # |det|: the unit square's new area
    rank: int
    has_bias: bool  # b is non-zero (the video shows the shift)
    grid: Grid
    basis: Basis
    square: Square
    letter: Letter
    orientation: Orientation
    vector: Vector
    origin: Origin
    kind: Kind
    view: float  # half-width of the square window drawn


DATA = LinearMapData  # the type of Trace.data (the contract test checks every preset against it)
