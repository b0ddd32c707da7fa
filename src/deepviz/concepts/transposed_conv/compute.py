"""Transposed convolution, computed with torch: params -> Trace.

The transposed convolution is shown as the equivalent direct convolution: insert s - 1 zeros
between the cells of its input, pad by k' - 1 - p (plus ``a`` on the bottom/right), and slide
the kernel rotated by 180 degrees with stride 1 and the same dilation (``arithmetic.py`` has
the shape formulas).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ...style.numbers import fmt_factor, fmt_num, fmt_pair, fmt_shape
from ...trace import Trace, to_plain
from .arithmetic import (
    check,
    effective_kernel,
    output_padding,
    output_size,
    transposed_size,
)
from .schema import TransposedConvData

# Values drawn for the example: small integers read well and keep every sum exact.
INPUT_VALUES = (1, 3)  # no zeros, so padding and inserted zeros stand out
KERNEL_VALUES = (-1, 2)


def sliding_products(padded: torch.Tensor, kernel: torch.Tensor, stride, dilation) -> dict[str, torch.Tensor]:
    """Every window of a stride/dilation sweep: its top-left cell, the products and the sum."""
    kh, kw = kernel.shape
    cols = F.unfold(padded[None, None], (kh, kw), dilation=tuple(dilation), stride=tuple(stride))[0]
    products = cols * kernel.reshape(-1, 1)  # (kh*kw, positions)
    oh = (padded.shape[0] - effective_kernel(kh, dilation[0])) // stride[0] + 1
    ow = (padded.shape[1] - effective_kernel(kw, dilation[1])) // stride[1] + 1
    rows = torch.arange(oh).repeat_interleave(ow) * stride[0]
    cols_ = torch.arange(ow).repeat(oh) * stride[1]
    return {
        "origins": torch.stack([rows, cols_], dim=1),
        "products": products.T.reshape(-1, kh, kw),
        "sums": products.sum(0).reshape(oh, ow),
    }


def conv_matrix(input_shape, kernel: torch.Tensor, stride, padding, dilation) -> torch.Tensor:
    """The sparse matrix C with conv2d(x).flatten() == C @ x.flatten()."""
    ih, iw = input_shape
    kh, kw = kernel.shape
    oh = output_size(ih, kh, stride[0], padding[0], dilation[0])
    ow = output_size(iw, kw, stride[1], padding[1], dilation[1])
    C = torch.zeros(oh * ow, ih * iw, dtype=kernel.dtype)
    for r in range(oh):
        for c in range(ow):
            for u in range(kh):
                for v in range(kw):
                    y = r * stride[0] - padding[0] + u * dilation[0]
                    x = c * stride[1] - padding[1] + v * dilation[1]
                    if 0 <= y < ih and 0 <= x < iw:
                        C[r * ow + c, y * iw + x] += kernel[u, v]
    return C


def _mac_text(out_name: str, pos, products: torch.Tensor, window_values: torch.Tensor, kernel: torch.Tensor,
              total: float, max_terms: int = 9) -> str:
    terms = [f"{fmt_factor(x)}\u00b7{fmt_factor(w)}" for x, w in zip(window_values.flatten().tolist(),
                                                                      kernel.flatten().tolist())]
    if len(terms) > max_terms:
        terms = terms[: max_terms - 1] + ["\u2026"]
    return f"{out_name}[{pos[0]},{pos[1]}] = " + " + ".join(terms) + f" = {fmt_num(total)}"


def _size_formula(axis: str, i: int, k: int, s: int, p: int, d: int) -> dict[str, Any]:
    kk = effective_kernel(k, d)
    numerator = i + 2 * p - kk
    o = numerator // s + 1
    kernel_term = str(k) if d == 1 else f"{kk}"
    text = f"{axis}: \u230a({i} + 2\u00b7{p} \u2212 {kernel_term}) / {s}\u230b + 1 = {o}"
    same = [(o - 1) * s + kk - 2 * p + j for j in range(s)]
    return {
        "axis": axis, "input": i, "kernel": k, "effective_kernel": kk, "stride": s, "padding": p,
        "dilation": d, "output": o, "remainder": numerator % s, "text": text,
        "inputs_with_same_output": [v for v in same if v >= 1],
    }


def _transposed_formula(axis: str, o: int, k: int, s: int, p: int, d: int, a: int) -> dict[str, Any]:
    kk = effective_kernel(k, d)
    out = transposed_size(o, k, s, p, d, a)
    text = f"{axis}: {s}\u00b7({o} \u2212 1) + {a} + {kk} \u2212 2\u00b7{p} = {out}"
    return {"axis": axis, "input": o, "output_padding": a, "output": out, "text": text}


def _direct_roles(i, p) -> list[list[str]]:
    """Each padded input cell's role: 'input' or 'padding'."""
    return [["input" if p[0] <= r < p[0] + i[0] and p[1] <= c < p[1] + i[1] else "padding"
             for c in range(i[1] + 2 * p[1])] for r in range(i[0] + 2 * p[0])]


def _unreached(i, p, remainder) -> list[list[int]]:
    """The padded input cells no window covers: its last ``remainder`` rows/columns, which the
    floor of the size formula drops (and the transposed side's output padding adds back)."""
    hp, wp = i[0] + 2 * p[0], i[1] + 2 * p[1]
    return [[r, c] for r in range(hp) for c in range(wp) if r >= hp - remainder[0] or c >= wp - remainder[1]]


def _transposed_roles(o, s, pt, a) -> list[list[str]]:
    """Each cell of the transposed side's input: 'y', 'inserted' (a zero between y cells),
    'padding' (k'-1-p on every side) or 'extra' (the output padding on the bottom/right)."""
    inner = ((o[0] - 1) * s[0] + 1, (o[1] - 1) * s[1] + 1)
    hp, wp = inner[0] + 2 * pt[0] + a[0], inner[1] + 2 * pt[1] + a[1]

    def role(r: int, c: int) -> str:
        u, v = r - pt[0], c - pt[1]
        if 0 <= u < inner[0] and 0 <= v < inner[1]:
            return "y" if u % s[0] == 0 and v % s[1] == 0 else "inserted"
        return "extra" if r >= hp - a[0] or c >= wp - a[1] else "padding"

    return [[role(r, c) for c in range(wp)] for r in range(hp)]


def _corner_tap(k, p, d) -> list[int] | None:
    """The kernel tap that joins x[0,0] to y[0,0] in the direct convolution (x[0,0] sits p cells
    into the padded input), or None when no tap of the first window lands on it."""
    u, v = (p[ax] // d[ax] if p[ax] % d[ax] == 0 and p[ax] // d[ax] < k[ax] else None for ax in range(2))
    return None if u is None or v is None else [u, v]


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    """Run the direct and the transposed convolution for validated ``values``."""
    check(values)
    i, k, s, p, d = (tuple(values[n]) for n in ("input", "kernel", "stride", "padding", "dilation"))
    a = tuple(output_padding(values, ax) for ax in range(2))
    gen = torch.Generator().manual_seed(values["seed"])
    x = torch.randint(INPUT_VALUES[0], INPUT_VALUES[1] + 1, i, generator=gen).double()
    w = torch.randint(KERNEL_VALUES[0], KERNEL_VALUES[1] + 1, k, generator=gen).double()
    if not w.any():  # an all-zero kernel would explain nothing
        w[0, 0] = 1.0

    # Direct convolution: pad, then slide with stride s and dilation d.
    padded = F.pad(x, (p[1], p[1], p[0], p[0]))
    direct = sliding_products(padded, w, s, d)
    y = direct["sums"]

    # Transposed convolution as a direct one: zero insertion, padding k'-1-p (+a), rotated kernel.
    o = tuple(y.shape)
    kk = tuple(effective_kernel(k[ax], d[ax]) for ax in range(2))
    # A padding p beyond k'-1 would need negative padding: pad 0 and crop the result instead,
    # as conv_transpose2d does (it computes the full result and drops p rows/columns per side).
    pt = tuple(max(kk[ax] - 1 - p[ax], 0) for ax in range(2))
    crop = tuple(max(p[ax] - (kk[ax] - 1), 0) for ax in range(2))
    inserted = torch.zeros((o[0] - 1) * s[0] + 1, (o[1] - 1) * s[1] + 1, dtype=y.dtype)
    inserted[:: s[0], :: s[1]] = y
    t_padded = F.pad(inserted, (pt[1], pt[1] + a[1], pt[0], pt[0] + a[0]))
    w_rot = torch.flip(w, (0, 1))
    transposed = sliding_products(t_padded, w_rot, (1, 1), d)
    t_full = transposed["sums"]
    t_out = t_full[crop[0]:t_full.shape[0] - crop[0], crop[1]:t_full.shape[1] - crop[1]]
    reference = F.conv_transpose2d(y[None, None], w[None, None], stride=s, padding=p, output_padding=a,
                                   dilation=d)[0, 0]

    C = conv_matrix(i, w, s, p, d)
    windows = F.unfold(padded[None, None], k, dilation=d, stride=s)[0].T.reshape(-1, *k)
    t_windows = F.unfold(t_padded[None, None], k, dilation=d)[0].T.reshape(-1, *k)

    def steps(sweep, win, kernel, name, out_w):
        return [
            {
                "output_cell": [n // out_w, n % out_w],
                "window_origin": sweep["origins"][n],
                "window_values": win[n],
                "products": sweep["products"][n],
                "sum": sweep["sums"].flatten()[n],
                "text": _mac_text(name, (n // out_w, n % out_w), sweep["products"][n], win[n], kernel,
                                  float(sweep["sums"].flatten()[n])),
            }
            for n in range(sweep["products"].shape[0])
        ]

    axes = ("height", "width")
    formulas = [_size_formula(axes[ax], i[ax], k[ax], s[ax], p[ax], d[ax]) for ax in range(2)]
    t_formulas = [_transposed_formula(axes[ax], o[ax], k[ax], s[ax], p[ax], d[ax], a[ax]) for ax in range(2)]
    data = {
        "input_size": i, "kernel_size": k, "stride": s, "padding": p, "dilation": d,
        "effective_kernel_size": kk, "output_size": o,
        "direct": {
            "input": x, "kernel": w, "padded_input": padded, "output": y,
            "reference_conv2d": F.conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0],
            "steps": steps(direct, windows, w, "y", o[1]),
            "size_formula": formulas,
            "cell_roles": _direct_roles(i, p), "unreached": _unreached(i, p, tuple(f["remainder"] for f in formulas)),
        },
        "transposed": {
            "input": y, "zero_inserted": inserted, "zero_inserted_size": tuple(inserted.shape),
            "inserted_zeros": [s[0] - 1, s[1] - 1],
            "padding": pt, "crop": crop, "full_output": t_full, "output_padding": a,
            "cell_roles": _transposed_roles(o, s, pt, a), "corner_tap": _corner_tap(k, p, d),
            "output_padding_derived": values["output_padding"] is None,
            "padded_input": t_padded, "kernel_rotated": w_rot, "output": t_out, "output_size": tuple(t_out.shape),
            "reference_conv_transpose2d": reference,
            "max_abs_diff_vs_torch": float((t_out - reference).abs().max()),
            "steps": steps(transposed, t_windows, w_rot, "x\u2032", t_full.shape[1]),
            "size_formula": t_formulas,
            "recovers_input_shape": tuple(t_out.shape) == i,
        },
        "matrix": {
            "shown": values["matrix_view"],
            "C": C, "x_flat": x.flatten(), "y_flat": C @ x.flatten(), "CT_y": C.T @ y.flatten(),
        },
    }
    plain: TransposedConvData = to_plain(data)
    return Trace(
        concept="transposed-conv",
        params={},  # filled in by the API, formatted as the user types them
        data=plain,
        narration=narration(plain),
        preset=preset,
    )


def narration(t: TransposedConvData) -> dict[str, str]:
    """Caption text per step, every number taken from the computed trace."""
    i, k, o = (fmt_shape(t[n]) for n in ("input_size", "kernel_size", "output_size"))
    s, p, d = (fmt_pair(t[n]) for n in ("stride", "padding", "dilation"))
    dr, tr = t["direct"], t["transposed"]
    dil = f", dilation {d}" if set(t["dilation"]) != {1} else ""
    first = dr["steps"][0]
    text = {
        "intro": f"A convolution slides a {k} kernel over a {i} input (padding {p}, stride {s}{dil}).",
        "padding": (f"Padding {p} surrounds the input with zeros: it becomes {fmt_shape(_shape(dr['padded_input']))}."
                    if any(t["padding"]) else "No padding: the kernel stays inside the input."),
        "first_step": (f"Each output cell is the sum of the kernel times the input under it: "
                       f"y[{first['output_cell'][0]},{first['output_cell'][1]}] = {fmt_num(first['sum'])}."),
        "sweep": f"The kernel moves {s} cell{'s' if max(t['stride']) > 1 else ''} at a time "
                 f"and fills all {len(dr['steps'])} output cells.",
        # the formulas with their numbers are on screen; the caption names the rule
        "size": f"Output size per axis: \u230a(input + 2\u00b7padding \u2212 kernel) / stride\u230b + 1, "
                f"here {o}.",
    }
    floors = [f for f in dr["size_formula"] if len(f["inputs_with_same_output"]) > 1]
    if floors:
        text["floor"] = "The floor drops a remainder: " + "; ".join(
            f"{f['axis']}s {_words(f['inputs_with_same_output'])} all give {f['output']}" for f in floors) + (
            ". The {color:extra} cells are never under the kernel: output padding adds them back."
            if dr["unreached"] else ". This input has no remainder: no output padding is needed.")
    a = tr["output_padding"]
    extra = f", plus {fmt_shape(a)} on the bottom/right to recover the size" if any(a) else ""
    t_first = tr["steps"][0]
    text.update({
        "transposed_intro": f"The transposed convolution maps the {o} shape back to {fmt_shape(tr['output_size'])}: "
                            "a direct convolution over a modified input.",
        "insert": (f"Insert {fmt_pair(tr['inserted_zeros'])} zero{'s' if max(tr['inserted_zeros']) > 1 else ''} "
                   "between neighbouring cells (stride minus 1)."
                   if any(tr["inserted_zeros"]) else "Stride 1: no zeros go between the cells."),
        "t_padding": _t_padding_text(t, extra),
        "rotate": "The same kernel, rotated by 180 degrees, slides with stride 1.",
    })
    tap = tr["corner_tap"]
    if tap is not None:
        u, v = tap
        w = t["direct"]["kernel"][u][v]
        text["why_padding"] = (
            f"Why k\u2212p\u22121? x[0,0] met y[0,0] through w[{u},{v}] = {fmt_num(w)}. Padding by "
            f"{fmt_pair(tr['padding'])} puts y[0,0] under that same weight in the window of x\u2032[0,0]: the "
            "same pairs, backwards.")
    text.update({
        "t_sweep": (f"Each cell is again a sum of products: x\u2032[{t_first['output_cell'][0]},"
                    f"{t_first['output_cell'][1]}] = {fmt_num(t_first['sum'])}."),
    })
    if any(tr["crop"]):
        full = fmt_shape(_shape(tr["full_output"]))
        ch, cw = tr["crop"]
        text["crop"] = (f"conv_transpose2d then drops {ch} row{'s' if ch != 1 else ''} at the top and bottom and "
                        f"{cw} column{'s' if cw != 1 else ''} at the left and right of this {full} result: "
                        f"{full} \u2192 {fmt_shape(tr['output_size'])}.")
    text.update({
        "t_result": (f"The result is {fmt_shape(tr['output_size'])}"
                     + (", the shape of the original input." if tr["recovers_input_shape"] else ".")
                     + f" torch's conv_transpose2d agrees (max difference {fmt_num(tr['max_abs_diff_vs_torch'], 6)})."),
    })
    if t["matrix"]["shown"]:
        C = t["matrix"]["C"]
        text["matrix"] = f"As matrices: y = C x, with a sparse {len(C)}\u00d7{len(C[0])} matrix C made of kernel weights."
        text["matrix_t"] = "The transposed convolution multiplies by C transposed: the same weights, read by columns."
    return text


def _t_padding_text(t: TransposedConvData, extra: str) -> str:
    tr = t["transposed"]
    if any(tr["crop"]):
        return (f"Padding {fmt_pair(t['padding'])} exceeds k\u2032\u22121 = "
                f"{fmt_pair([k - 1 for k in t['effective_kernel_size']])}: k\u2212p\u22121 would be negative, "
                f"so pad {fmt_pair(tr['padding'])}{extra} and crop the result instead, as conv_transpose2d does.")
    if any(tr["padding"]) or any(tr["output_padding"]):
        return f"Pad by k\u2212p\u22121 = {fmt_pair(tr['padding'])} on every side{extra}."
    return "k\u2212p\u22121 = 0: no padding."


def _shape(nested: list) -> tuple[int, int]:
    return (len(nested), len(nested[0]))


def _words(values: list[int]) -> str:
    return " and ".join(map(str, values)) if len(values) == 2 else ", ".join(map(str, values))
