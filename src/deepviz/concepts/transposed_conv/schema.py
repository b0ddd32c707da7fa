"""The shape of a `transposed-conv` trace's data (docs/traces/transposed-conv.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Step(TypedDict):
    """`data.transposed.steps[k]`."""

    output_cell: list[int]
    window_origin: list[int]  # , the top-left cell of the window in the padded input
    window_values: list[list[float]]  # , the input cells under the (dilated) kernel
    products: list[list[float]]
    sum: float
    text: str  # , the multiply-accumulate as shown on screen


class SizeFormula(TypedDict):
    """`data.direct.size_formula[k]`."""

    axis: str  # `"height"`/`"width"`
    input: int  # the input x (`input_size`)
    kernel: int  # the kernel w (`kernel_size`)
    effective_kernel: int
    stride: int
    padding: int
    dilation: int
    output: int  # y = the sliding sums (computed from the products below)
    remainder: int  # = `(i + 2p - k') mod s`
    text: str  # , the multiply-accumulate as shown on screen
    inputs_with_same_output: list[int]


class Direct(TypedDict):
    """`data.direct`."""

    input: list[list[float]]  # the input x (`input_size`)
    kernel: list[list[float]]  # the kernel w (`kernel_size`)
    padded_input: list[list[float]]  # x with `padding` zeros on every side
    output: list[list[float]]  # y = the sliding sums (computed from the products below)
    reference_conv2d: list[list[float]]  # `torch.nn.functional.conv2d(x, w, stride, padding, dilation)`; equals `output`
    steps: list[Step]  # one entry per output cell, in row-major order (below)
    size_formula: list[SizeFormula]  # per axis (below)


class TransposedSizeFormula(TypedDict):
    """`data.transposed.size_formula[k]`."""

    axis: str  # `"height"`/`"width"`
    input: int  # the input x (`input_size`)
    output_padding: int  # the additional padding `a` on the bottom/right: by default the `remainder` above
    output: int  # y = the sliding sums (computed from the products below)
    text: str  # , the multiply-accumulate as shown on screen


class Transposed(TypedDict):
    """`data.transposed`."""

    input: list[list[float]]  # the input x (`input_size`)
    zero_inserted: list[list[float]]  # y with those zeros inserted
    inserted_zeros: list[int]  # `s - 1` zeros inserted between neighbouring cells, per axis
    padding: list[int]
    output_padding: list[int]  # the additional padding `a` on the bottom/right: by default the `remainder` above
    output_padding_derived: bool  # true when `a` was derived, false when the user set it
    padded_input: list[list[float]]  # x with `padding` zeros on every side
    kernel_rotated: list[list[float]]  # the kernel rotated by 180 degrees
    output: list[list[float]]  # y = the sliding sums (computed from the products below)
    output_size: list[int]  # size of the direct convolution's output
    reference_conv_transpose2d: list[list[float]]  # `torch.nn.functional.conv_transpose2d(y, w, stride, padding, a, dilation)`
    max_abs_diff_vs_torch: float  # max absolute difference between `output` and the reference (0 for integer examples)
    steps: list[Step]  # one entry per output cell, in row-major order (below)
    size_formula: list[TransposedSizeFormula]  # per axis (below)
    recovers_input_shape: bool  # whether `output_size` equals the direct `input_size`


class Matrix(TypedDict):
    """`data.matrix`."""

    shown: bool  # whether the video shows it (`--matrix-view`)
    C: list[list[float]]  # the sparse matrix with `conv2d(x).flatten() == C @ x.flatten()`, shape `(oh*ow, ih*iw)`
    x_flat: list[float]
    y_flat: list[float]
    CT_y: list[float]  # `C.T @ y_flat`: equals `conv_transpose2d(y, w)` flattened


class TransposedConvData(TypedDict):
    """`data`."""

    input_size: list[int]
    kernel_size: list[int]
    stride: list[int]
    padding: list[int]
    dilation: list[int]
    effective_kernel_size: list[int]  # `d (k - 1) + 1`: the span of a dilated kernel
    output_size: list[int]  # size of the direct convolution's output
    direct: Direct
    transposed: Transposed
    matrix: Matrix


DATA = TransposedConvData  # the type of Trace.data (the contract test checks every preset against it)

