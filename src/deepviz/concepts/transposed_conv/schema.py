"""The shape of a `transposed-conv` trace's data (docs/traces/transposed-conv.md): no torch, no Manim.

Arrays are row-major ([row][column]); pairs are [height, width].
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class Step(TypedDict):
    """`data.direct.steps[n]`, `data.transposed.steps[n]`: one output cell, row-major."""

    output_cell: list[int]  # [r, c]
    window_origin: list[int]  # the window's top-left cell in the padded input
    window_values: list[list[float]]  # the input cells under the (dilated) kernel
    products: list[list[float]]  # window_values * kernel
    sum: float
    text: str  # the multiply-accumulate as shown on screen


class SizeFormula(TypedDict):
    """`data.direct.size_formula[axis]`: output = floor((i + 2p - k') / s) + 1."""

    axis: Literal["height", "width"]
    input: int
    kernel: int
    effective_kernel: int
    stride: int
    padding: int
    dilation: int
    output: int
    remainder: int  # (i + 2p - k') mod s
    text: str  # the formula with the numbers substituted
    inputs_with_same_output: list[int]  # the floor case: every input size giving the same output


class TransposedSizeFormula(TypedDict):
    """`data.transposed.size_formula[axis]`: output = s (o - 1) + a + k' - 2p."""

    axis: Literal["height", "width"]
    input: int
    output_padding: int
    output: int
    text: str


class Direct(TypedDict):
    """`data.direct`: the convolution."""

    input: list[list[float]]  # x
    kernel: list[list[float]]  # w
    padded_input: list[list[float]]  # x with `padding` zeros on every side
    output: list[list[float]]  # y, the sliding sums
    reference_conv2d: list[list[float]]  # F.conv2d(x, w, ...): equals output
    steps: list[Step]
    size_formula: list[SizeFormula]
    cell_roles: list[list[Literal["input", "padding"]]]  # per cell of padded_input (what the video colours)
    unreached: list[list[int]]  # [r, c] of the padded cells no window covers: the last `remainder` rows/columns


class Transposed(TypedDict):
    """`data.transposed`: the transposed convolution as a direct one."""

    input: list[list[float]]  # the direct output y
    zero_inserted: list[list[float]]  # y with s - 1 zeros between neighbouring cells
    zero_inserted_size: list[int]  # its shape, s (o - 1) + 1 per axis
    inserted_zeros: list[int]  # s - 1 per axis
    padding: list[int]  # k' - 1 - p on every side, or 0 where p > k' - 1 (then `crop` applies)
    crop: list[int]  # max(p - (k' - 1), 0): rows/columns conv_transpose2d drops from each side of full_output
    full_output: list[list[float]]  # the sliding sums before the crop (equals output when crop is 0)
    output_padding: list[int]  # a, on the bottom/right
    output_padding_derived: bool  # a was derived (not set by the user)
    cell_roles: list[list[Literal["y", "inserted", "padding", "extra"]]]  # per cell of padded_input
    corner_tap: list[int] | None  # [u, v]: the kernel tap joining x[0,0] to y[0,0] (p / d), None when none does
    padded_input: list[list[float]]
    kernel_rotated: list[list[float]]  # the kernel rotated by 180 degrees
    output: list[list[float]]
    output_size: list[int]
    reference_conv_transpose2d: list[list[float]]  # F.conv_transpose2d(y, w, ...)
    max_abs_diff_vs_torch: float
    steps: list[Step]
    size_formula: list[TransposedSizeFormula]
    recovers_input_shape: bool  # output_size equals the direct input_size


class Matrix(TypedDict):
    """`data.matrix`: the convolution as a sparse matrix C."""

    shown: bool  # `--matrix-view`
    C: list[list[float]]  # conv2d(x).flatten() == C @ x.flatten(), shape (oh*ow, ih*iw)
    x_flat: list[float]
    y_flat: list[float]  # C @ x_flat
    CT_y: list[float]  # C.T @ y_flat: conv_transpose2d(y, w) flattened


class TransposedConvData(TypedDict):
    """`data`."""

    input_size: list[int]
    kernel_size: list[int]
    stride: list[int]
    padding: list[int]
    dilation: list[int]
    effective_kernel_size: list[int]  # d (k - 1) + 1
    output_size: list[int]  # the direct convolution's output size
    direct: Direct
    transposed: Transposed
    matrix: Matrix


DATA = TransposedConvData  # the type of Trace.data (the contract test checks every preset against it)
