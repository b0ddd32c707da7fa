"""Shape arithmetic of (transposed) convolutions, per axis; plain Python, no torch.

Dumoulin & Visin, *A guide to convolution arithmetic for deep learning*, generalised to
dilation d with the effective kernel size k' = d (k - 1) + 1:

    direct:      o = floor((i + 2p - k') / s) + 1,  remainder a = (i + 2p - k') mod s
    transposed:  i = s (o - 1) + a + k' - 2p
"""
from __future__ import annotations

from typing import Any

from ...params import ParamError
from ...style.numbers import fmt_shape

MAX_GRID = 16  # largest grid side shown, cells; beyond it labels stop being legible at 480p
MAX_MATRIX = (12, 25)  # rows, columns of C in the matrix view


def effective_kernel(k: int, d: int) -> int:
    return d * (k - 1) + 1


def output_size(i: int, k: int, s: int, p: int, d: int) -> int:
    return (i + 2 * p - effective_kernel(k, d)) // s + 1


def transposed_size(o: int, k: int, s: int, p: int, d: int, a: int) -> int:
    return s * (o - 1) + a + effective_kernel(k, d) - 2 * p


def check(values: dict[str, Any]) -> None:
    """Cross-parameter constraints, each reported against the parameter to change."""
    i, k, s, p, d = (values[n] for n in ("input", "kernel", "stride", "padding", "dilation"))
    a = values["output_padding"]
    for ax, axis in enumerate(("height", "width")):
        kk = effective_kernel(k[ax], d[ax])
        if kk > i[ax] + 2 * p[ax]:
            raise ParamError(
                "kernel",
                f"the {axis} {kk} of the (dilated) kernel exceeds the padded input {axis} "
                f"{i[ax] + 2 * p[ax]}; use a kernel {axis} of at most "
                f"{(i[ax] + 2 * p[ax] - 1) // d[ax] + 1} or more padding",
            )
        if a is not None and a[ax] >= max(s[ax], d[ax]):
            raise ParamError(
                "output_padding",
                f"{axis} output padding must be smaller than the stride or the dilation "
                f"(at most {max(s[ax], d[ax]) - 1}), got {a[ax]}",
            )
    grids = shapes(values)
    for ax, axis in enumerate(("height", "width")):
        if grids["transposed output"][ax] < 1:
            need = 1 - grids["transposed output"][ax] + output_padding(values, ax)
            raise ParamError(
                "output_padding",
                f"the transposed output {axis} would be {grids['transposed output'][ax]}; "
                f"use a {axis} output padding of at least {need}",
            )
    for name, shape in grids.items():
        if max(shape) > MAX_GRID:
            raise ParamError(
                "input",
                f"the {name} grid would be {fmt_shape(shape)} cells; deepviz shows at most "
                f"{MAX_GRID} per side (use a smaller input, kernel, padding or stride)",
            )
    if values["matrix_view"]:
        rows = grids["output"][0] * grids["output"][1]
        cols = i[0] * i[1]
        if rows > MAX_MATRIX[0] or cols > MAX_MATRIX[1]:
            raise ParamError(
                "matrix_view",
                f"the matrix C would be {rows}x{cols}; the matrix view shows at most "
                f"{MAX_MATRIX[0]}x{MAX_MATRIX[1]} (use a smaller input)",
            )


def shapes(values: dict[str, Any]) -> dict[str, tuple[int, int]]:
    i, k, s, p, d = (values[n] for n in ("input", "kernel", "stride", "padding", "dilation"))
    out, padded, t_padded, t_out, full = [], [], [], [], []
    for ax in range(2):
        o = output_size(i[ax], k[ax], s[ax], p[ax], d[ax])
        a = output_padding(values, ax)
        kk = effective_kernel(k[ax], d[ax])
        out.append(o)
        padded.append(i[ax] + 2 * p[ax])
        t_padded.append((o - 1) * s[ax] + 1 + 2 * max(kk - 1 - p[ax], 0) + a)  # p > k'-1: cropped after
        t_out.append(transposed_size(o, k[ax], s[ax], p[ax], d[ax], a))
        full.append(t_out[-1] + 2 * max(p[ax] - (kk - 1), 0))
    return {
        "output": tuple(out),
        "padded input": tuple(padded),
        "zero-inserted, padded": tuple(t_padded),
        "transposed output": tuple(t_out),
        "transposed output before the crop": tuple(full),
    }


def output_padding(values: dict[str, Any], ax: int) -> int:
    """The user's output padding, or the remainder that recovers the direct input size."""
    if values["output_padding"] is not None:
        return values["output_padding"][ax]
    i, k, s, p, d = (values[n][ax] for n in ("input", "kernel", "stride", "padding", "dilation"))
    return (i + 2 * p - effective_kernel(k, d)) % s
