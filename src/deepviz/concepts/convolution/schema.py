"""The shape of a `convolution` trace's data (docs/traces/convolution.md): no torch, no Manim.

Volumes are [channel][row][column]; filters [filter][channel][row][column].
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class Position(TypedDict):
    """`data.position`: filter 1 at its first position, as one dot product."""

    output_cell: list[int]  # [r, c]
    window_origin: list[int]  # top-left cell of the chunk in the padded input
    window: list[list[list[float]]]  # the C x F x F chunk under the filter
    products: list[list[list[float]]]  # window * weights[0], element-wise
    channel_sums: list[float]  # products summed per channel
    bias: float
    total: float  # sum of all products + bias: maps[0][r][c]


class Step(TypedDict):
    """`data.steps[n]`: one output cell of a map, row-major."""

    output_cell: list[int]
    window_origin: list[int]


class SizeCase(TypedDict):
    """`data.sizes[n]`: (N - F)/stride + 1 for one stride, without padding."""

    stride: int
    exact: float  # the formula's value (not whole when the stride does not fit)
    fits: bool
    output: int  # what F.conv2d gives: the floor
    window_starts: list[int]  # first column of each window along a row
    next_start: int | None  # where the next window would start when the stride does not fit
    overhang: int  # columns that window would hang off the edge
    unused: int  # columns at the right no window covers


class SamePadding(TypedDict):
    """`data.same_padding`: the padding (F - 1)/2 that keeps the size (for odd F)."""

    padding: int
    padded_size: int
    output: int  # F.conv2d's output side with that padding, stride 1


class Volume(TypedDict):
    """`data.volume`: the K filters' shape on the full-size photo."""

    input_shape: list[int]  # [3, S, S]
    kernel: int
    image: list[list[list[float]]]  # 3 x S x S in [0, 1]
    maps: list[list[list[float]]]  # K x (S - F + 1) x (S - F + 1)
    output_shape: list[int]


class Pooling(TypedDict):
    """`data.pooling`: max pooling on each activation map on its own."""

    size: int
    stride: int
    output_size: int
    shown_maps: int  # how many maps the video draws (the first ones)
    output: list[list[list[float]]]  # K x P x P: F.max_pool2d(maps)
    window_origins: list[list[int]]  # top-left cell of each window, row-major
    argmax: list[list[list[int]]]  # [map][window] -> [r, c] of the maximum in the map


class HandFilter(TypedDict):
    """`data.real.filters[n]`: one hand-made 3x3 filter and its activation map on the grey photo."""

    name: str
    weights: list[list[float]]  # 3 x 3: shown / divisor
    shown: list[list[float]]  # the whole numbers the video shows
    divisor: int
    map: list[list[float]]  # (S - 2) x (S - 2): F.conv2d(photo, weights)
    scale: float  # the map's largest |value|


class LearnedFilter(TypedDict):
    """`data.real.learned.filters[n]`: one of the digits CNN's conv1 filters and its map on the grey photo."""

    weights: list[list[float]]  # 3 x 3, as trained
    bias: float
    map: list[list[float]]  # (S - 2) x (S - 2): F.conv2d(photo, weights, bias), no padding, before ReLU
    scale: float  # the map's largest |value|
    weight_sum: float  # the sum of its weights (near 0: it answers changes, not brightness)
    cancels: bool  # |weight_sum| < 0.25 x the sum of |weights|


class Learned(TypedDict):
    """`data.real.learned`: the trained digits CNN's first-layer filters on the photo."""

    source: str  # where the filters were learned
    accuracy: float  # the digits CNN's held-out accuracy
    side: int  # the side of the digits it was trained on
    filters: list[LearnedFilter]


class RealImage(TypedDict):
    """`data.real`: the full-size photo's brightness through hand-made filters and learned ones (no padding)."""

    image: list[list[float]]  # S x S in [0, 1]
    filters: list[HandFilter]
    learned: Learned | None  # only for part real-image (loading the CNN trains it at first use)


class ConvolutionData(TypedDict):
    """`data`."""

    part: Literal["channels", "output-size", "pooling", "real-image"]
    image_source: str
    channel_names: list[str]
    input_size: int
    channels: int
    kernel: int
    stride: int
    padding: int
    filters: int
    input: list[list[list[float]]]  # C x N x N, one decimal
    padded_input: list[list[list[float]]]
    weights: list[list[list[list[float]]]]  # K x C x F x F
    bias: list[float]
    position: Position
    output_size: int
    output_shape: list[int]  # [K, O, O]
    maps: list[list[list[float]]]  # K x O x O: F.conv2d(input, weights, bias)
    steps: list[Step]
    sizes: list[SizeCase]
    same_padding: SamePadding
    volume: Volume
    pooling: Pooling
    real: RealImage


DATA = ConvolutionData  # the type of Trace.data (the contract test checks every preset against it)
