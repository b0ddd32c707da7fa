"""The shape of a `pooling` trace's data (docs/traces/pooling.md): no torch, no Manim.

Maps are [map][row][column].
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

Maps = list[list[list[float]]]


class Window(TypedDict):
    """`data.windows[n]`: one window position, row-major over the output."""

    output_cell: list[int]  # [r, c]
    origin: list[int]  # top-left cell in map coordinates (negative inside the padding)
    argmax: list[list[int]]  # per map, [r, c] of the window's maximum in the map (max pooling)
    sums: list[float]  # per map, the window's sum (padding counts as 0)


class Backward(TypedDict):
    """`data.backward`: the gradient through both kinds of pooling, for map 1."""

    upstream: list[list[float]]  # d loss / d output, random whole numbers (seeded)
    max_grad: list[list[float]]  # d loss / d map through max pooling (autograd)
    avg_grad: list[list[float]]  # d loss / d map through average pooling (autograd)
    share: float  # 1 / kernel^2: the part of a gradient each window cell gets from average pooling
    overlap: bool  # windows overlap (stride < kernel): a cell's gradients add up


class PoolingData(TypedDict):
    """`data`."""

    part: Literal["forward", "global", "backward"]
    mode: Literal["max", "average"]
    input_size: int
    kernel: int
    stride: int
    padding: int
    maps: Maps  # K x N x N, random whole numbers 0..9
    output_size: int
    shown_maps: int  # how many maps the forward part draws (the first ones; all are pooled alike)
    output: Maps  # K x O x O: F.max_pool2d or F.avg_pool2d of maps (the chosen mode)
    max_output: Maps  # F.max_pool2d
    avg_output: Maps  # F.avg_pool2d (padding counted as zeros)
    windows: list[Window]
    global_avg: list[float]  # per map, its mean: F.adaptive_avg_pool2d(maps, 1)
    backward: Backward


DATA = PoolingData  # the type of Trace.data (the contract test checks every preset against it)
