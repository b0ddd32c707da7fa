"""The shape of a `linear-map` trace's data (docs/traces/linear-map.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Grid(TypedDict):
    """`data.grid`."""

    k: list[int]  # the line's coordinate
    start: list[list[list[float]]]  # ends of the lines `x = k` then `y = k`, k = -2..2, shape lines x 2 x 2
    linear: list[list[list[float]]]
    affine: list[list[list[float]]]


class Basis(TypedDict):
    """`data.basis`."""

    vectors: list[list[float]]  # i-hat, j-hat
    linear: list[list[float]]
    affine: list[list[float]]


class Square(TypedDict):
    """`data.square`."""

    corners: list[list[float]]  # of the unit square,
    linear: list[list[float]]
    affine: list[list[float]]


class Vector(TypedDict):
    """`data.vector`."""

    x: list[float]
    linear: list[float]
    affine: list[float]
    parts: list[list[float]]  # = `[x1 * column 1, x2 * column 2]`


class Origin(TypedDict):
    """`data.origin`."""

    linear: list[float]
    affine: list[float]


class Kind(TypedDict):
    """`data.kind`."""

    name: str  # `rotation`, `reflection`, `scaling`, `shear`, `symmetric`, `singular`, `zero`
    text: str
    eigenvalues: NotRequired[list[float]]
    eigenvectors: NotRequired[list[list[float]]]  # torch.linalg.eigh
    angle: NotRequired[float]  # for rotations and reflections


class LinearMapData(TypedDict):
    """`data`."""

    matrix: list[list[float]]
    bias: list[float]
    columns: list[list[float]]  # `W`'s columns: `columns[0]` = `W (1, 0)` (where i-hat lands), `columns[1]` = `W (0, 1)`
    det: float
    area: float
    rank: int
    has_bias: bool  # whether `b` is non-zero (the video then shows the shift; otherwise the fixed origin)
    grid: Grid
    basis: Basis  # `vectors` (i-hat, j-hat), `linear`, `affine` (their tips' images)
    square: Square  # `corners` of the unit square, `linear`, `affine`
    vector: Vector
    origin: Origin  # `linear` = `W 0` (always 0), `affine` = `b`
    kind: Kind
    view: float  # half-width of the square window drawn


DATA = LinearMapData  # the type of Trace.data (the contract test checks every preset against it)

