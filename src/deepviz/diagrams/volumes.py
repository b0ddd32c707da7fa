"""3D-volume diagrams of CNNs: each feature map a cuboid sized by height, width and channels.

The figure used for VGG and AlexNet: sizes are log-scaled (a 224x224x3 input and a 7x7x512
map both stay visible), each cuboid is annotated with its shape and, above it, the kernel or
pooling that made it. Fully connected layers after the last map are thin bars. Consecutive
convolutions that keep the shape fold into one cuboid marked "xN" so deep networks stay one
page wide. The row is the main path; residual skips and the convolutions on side branches
(a 1x1/2 projection) are said under the volume where they join ("+2 skips (conv 1x1/2)").
Drawn as SVG here (no layout to solve: the volumes stand in a row).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ..style.theme import Theme
from .block import FONT
from .capture import Captured, Node

CONV = {"Conv2d", "conv2d", "ConvTranspose2d"}
POOL = {"MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "max_pool2d", "avg_pool2d",
        "adaptive_avg_pool2d", "adaptive_max_pool2d"}
POOL_NAMES = {"MaxPool2d": "maxpool", "max_pool2d": "maxpool", "AvgPool2d": "avgpool", "avg_pool2d": "avgpool",
              "AdaptiveAvgPool2d": "adaptive avgpool", "adaptive_avg_pool2d": "adaptive avgpool",
              "AdaptiveMaxPool2d": "adaptive maxpool", "adaptive_max_pool2d": "adaptive maxpool"}
JOINS = {"add", "iadd", "radd", "cat", "concat", "concatenate"}  # where a skip rejoins the main path
GAP, MARGIN = 26.0, 24.0  # points
PAGE_WIDTH = 8.5 * 72 + 150  # a row wraps past this (a landscape letter page is 792 pt)


@dataclass
class Volume:
    kind: str  # "input", "conv", "pool", "fc"
    shape: tuple[int, ...]  # (C, H, W), or (features,) for fc
    note: str  # what made it: "conv 3x3/1", "maxpool 2x2/2", "fc"
    repeat: int = 1
    skips: int = 0  # residual additions inside it (the identity path of x + f(x))
    side: list[str] = field(default_factory=list)  # convolutions off the main path (a skip's 1x1/2 projection)

    @property
    def marks(self) -> str:
        """``+3 skips (conv 1x1/2)``: what the row leaves out, said under the volume."""
        if not self.skips and not self.side:
            return ""
        text = f"+{self.skips} skip{'s' if self.skips != 1 else ''}" if self.skips else "+branch"
        return text + (f" ({', '.join(dict.fromkeys(self.side))})" if self.side else "")


def _pair(v) -> str:
    if isinstance(v, tuple):
        return f"{v[0]}\u00d7{v[1]}" if len(v) == 2 and v[0] != v[1] else str(v[0])
    return str(v)


def _note(n: Node) -> str:
    kind = "up-conv" if n.op == "ConvTranspose2d" else "conv" if n.op in CONV else POOL_NAMES.get(n.op, n.op)
    k, s = n.info.get("kernel_size"), n.info.get("stride")
    if k is None:
        return kind
    k = _pair(k)
    k = f"{k}\u00d7{k}" if "\u00d7" not in k else k
    return f"{kind} {k}" + (f"/{_pair(s)}" if s not in (None, 1, (1, 1)) else "")


def volumes(cap: Captured) -> list[Volume]:
    from . import DiagramError

    out: list[Volume] = []
    on_path = main_path(cap)
    side: list[str] = []  # convolutions off the main path, marked on the volume where their branch joins
    for n in cap.nodes:
        if n.id not in on_path:
            if n.op in CONV and n.shape is not None and len(n.shape) == 4:
                side.append(_note(n))  # a side branch (a residual block's downsampling): said, not drawn
            continue
        joins = n.op in JOINS and len(set(n.inputs)) > 1  # x + f(x), or a U-Net's concatenated skip
        if out and (joins or side and len(n.inputs) > 1):
            out[-1].skips += joins
            out[-1].side += side
            side = []
        shape = n.shape
        if n.kind == "input" and shape is not None and len(shape) == 4:
            out.append(Volume("input", shape[1:], "input"))
        elif shape is not None and len(shape) == 4 and (n.op in CONV or n.op in POOL):
            v = Volume("conv" if n.op in CONV else "pool", shape[1:], _note(n))
            last = out[-1] if out else None
            if last is not None and last.kind == v.kind == "conv" and last.shape == v.shape and last.note == v.note:
                last.repeat += 1
            else:
                out.append(v)
        elif n.kind == "module" and n.op == "Linear" and out:
            out.append(Volume("fc", (n.info.get("out_features", shape[-1] if shape else 0),), "fc"))
    if not any(v.kind in ("conv", "pool") for v in out):
        raise DiagramError("style: volumes draws the feature maps of a CNN; this model has no 2D convolution or "
                           "pooling; use --style block")
    return out


def main_path(cap: Captured) -> set[int]:
    """Node ids on the longest input-to-output path (nodes are in execution, hence topological, order)."""
    dist: dict[int, int] = {}
    best_pred: dict[int, int | None] = {}
    for n in cap.nodes:
        preds = [i for i in n.inputs if i in dist]
        best = max(preds, key=lambda i: dist[i], default=None)
        dist[n.id] = 0 if best is None else dist[best] + 1
        best_pred[n.id] = best
    end = max(cap.outputs or [cap.nodes[-1].id], key=lambda i: dist[i])
    path = set()
    while end is not None:
        path.add(end)
        end = best_pred[end]
    return path


def _slot(v: Volume, width: float) -> float:
    """The width a volume takes in the row: its cuboid's, or its widest text's (so notes never meet)."""
    texts = [(v.note + (f" \u00d7{v.repeat}" if v.repeat > 1 else ""), 9.5), ("\u00d7".join(map(str, v.shape)), 9.5),
             (v.marks, 8.5)]
    return max([width] + [0.58 * size * len(text) for text, size in texts])


def _log(v: int) -> float:
    return math.log2(max(1, v) + 1)


def draw_volumes(cap: Captured, theme: Theme):
    from . import Diagram

    vols = volumes(cap)
    sizes = []
    for v in vols:
        if v.kind == "fc":
            sizes.append((6.0, 12 + 11 * _log(v.shape[0]), 0.0))
        else:
            c, hh, ww = v.shape
            sizes.append((3 + 5 * _log(c), 8 + 13 * _log(hh), 4 + 6.5 * _log(ww)))
    # volumes stand in a row; a row longer than the page wraps onto the next
    rows: list[list[int]] = [[]]
    x = MARGIN
    for i, (t, h, d) in enumerate(sizes):
        w = _slot(vols[i], t + d * 0.7)
        if rows[-1] and x + w > PAGE_WIDTH - MARGIN:
            rows.append([])
            x = MARGIN
        rows[-1].append(i)
        x += w + GAP
    parts: list[str] = []
    colors = {"input": theme.input, "conv": theme.output, "pool": theme.kernel, "fc": theme.highlight}
    y0, width = MARGIN, 0.0
    for row in rows:
        tallest = max(sizes[i][1] + sizes[i][2] * 0.7 for i in row)
        mid = y0 + 30 + tallest / 2  # room above for the notes
        x = MARGIN
        for i in row:
            t, h, d = sizes[i]
            slot = _slot(vols[i], t + d * 0.7)
            parts += _cuboid(vols[i], x + (slot - t - d * 0.7) / 2, mid, t, h, d, colors[vols[i].kind], theme)
            x += slot + GAP
        width = max(width, x - GAP + MARGIN)
        y0 = mid + tallest / 2 + 34 + (12 if any(vols[i].marks for i in row) else 0)
    height = y0 + MARGIN / 2
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}pt" height="{height:.0f}pt" '
           f'viewBox="0 0 {width:.1f} {height:.1f}">'
           f'<rect width="100%" height="100%" fill="{theme.background}"/>'
           f'<g class="volumes">{"".join(parts)}</g></svg>')
    return Diagram("volumes", svg, width, height, None, len(vols))


def _cuboid(v: Volume, x0: float, mid: float, t: float, h: float, d: float, col: str, theme: Theme) -> list[str]:
    """A cuboid in oblique projection (front face, lid, side) with its shape under it and note above."""
    dx = dy = d * 0.7
    top = mid - h / 2 + dy / 2
    front = [(x0, top), (x0 + t, top), (x0 + t, top + h), (x0, top + h)]
    lid = [(x0, top), (x0 + dx, top - dy), (x0 + t + dx, top - dy), (x0 + t, top)]
    side = [(x0 + t, top), (x0 + t + dx, top - dy), (x0 + t + dx, top + h - dy), (x0 + t, top + h)]
    out = []
    for poly, opacity in ((side, 0.55), (lid, 0.35), (front, 0.75)):
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in poly)
        out.append(f'<polygon class="{v.kind}" points="{pts}" fill="{col}" fill-opacity="{opacity}" stroke="{col}" '
                   f'stroke-width="1" stroke-linejoin="round"/>')
    cx = x0 + (t + dx) / 2
    repeat = f" \u00d7{v.repeat}" if v.repeat > 1 else ""
    out.append(_text(cx, top + h + 14, "\u00d7".join(str(s) for s in v.shape), theme.foreground, 9.5))
    out.append(_text(cx, top - dy - 8, v.note + repeat, theme.muted, 9.5))
    if v.marks:
        out.append(_text(cx, top + h + 26, v.marks, theme.kernel, 8.5))
    return out


def _text(x: float, y: float, text: str, color: str, size: float) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" fill="{color}" '
            f'text-anchor="middle">{escape(text)}</text>')
