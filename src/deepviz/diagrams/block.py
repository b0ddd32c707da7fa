"""Block diagrams: one box per layer or folded module, laid out by Graphviz (or a fallback).

Graphviz's ``dot`` lays out what it handles well; a guard estimates the cost first (box and
edge counts, fan-out) and sends what it handles badly to a layered layout of our own (longest
path ranks, barycentre order), drawn by Graphviz's ``neato -n2`` with fixed positions, so both
paths give the same fonts, colours and formats.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

from ..style.numbers import fmt_shape
from ..style.theme import Theme
from .capture import Captured
from .fold import Box, Folded, fold, max_depth

FONT = "DejaVu Sans"
MAX_BOXES = 40  # the default depth is the deepest whose diagram has at most this many boxes
PAGE = (8.5 * 72, 11.5 * 72)  # points: the default view must fit one page (with some margin)
DOT_MAX_BOXES, DOT_MAX_FANOUT, DOT_TIMEOUT = 400, 24, 20.0
FRAME_MARGIN = 10  # points between a frame and the boxes inside it
FRAME_TITLE = 34  # characters of a module path a frame's title shows


class GraphvizError(RuntimeError):
    """Graphviz failed; ``str(err)`` is one line. ``timeout`` when it only took too long."""

    def __init__(self, message: str, timeout: bool = False):
        super().__init__(message)
        self.timeout = timeout


@dataclass
class Layout:
    dot: str  # the DOT source that draws the diagram
    engine: str  # "dot", or "neato" for positions we computed
    width: float  # points
    height: float


def _esc(text: str) -> str:
    """Text for a quoted DOT string; new lines become DOT's centred line breaks."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def shape_text(shape) -> str:
    """``1x20x512``; a 0-d tensor is a "scalar" (an empty label is not valid Graphviz HTML)."""
    return fmt_shape(shape) if shape else "scalar"


def box_head(b: Box) -> str:
    """What a box is: the input's name, or the kind, "#k" for the k-th call of a module called more
    than once, "(N layers)" for a stacked RNN, and "xN" for a folded repeat."""
    if b.kind == "input":
        return b.name
    head = b.label
    if b.calls > b.repeat:  # called again elsewhere (not only in its own folded run): which call
        head += f" #{b.key.partition('#')[2] or 1}"
    if b.info.get("num_layers", 1) > 1:
        head += f" ({b.info['num_layers']} layers)"
    return head + (f" \u00d7{b.repeat}" if b.repeat > 1 else "")


def box_label(b: Box, theme: Theme) -> str:
    """A one-line HTML label: the kind (and "xN"), then the output shapes smaller and muted."""
    head = html.escape(box_head(b))
    if b.repeat > 1:
        head = f"<B>{head}</B>"
    if b.shape is None and not b.shapes:
        return f"<{head}>"
    shape = html.escape(", ".join(shape_text(s) for s in (b.shapes or [b.shape])))
    return f'<{head}  <FONT POINT-SIZE="8.5" COLOR="{theme.muted}">{shape}</FONT>>'


def _node_attrs(b: Box, theme: Theme, residual_target: bool) -> str:
    color = {"input": theme.input, "module": theme.foreground, "group": theme.output, "function": theme.muted,
             "constant": theme.extra, "stub": theme.extra}[b.kind]
    shape = {"function": "ellipse", "stub": "note", "constant": "note"}.get(b.kind, "box")
    style = "rounded,filled" if shape == "box" else "filled"
    size = 9 if b.kind in ("stub", "function", "constant") else 10.5
    return (f'label={box_label(b, theme)}, shape={shape}, style="{style}", color="{color}", '
            f'fillcolor="{theme.faint}", fontcolor="{theme.foreground}", fontsize={size}, penwidth=1.4')


def to_dot(f: Folded, theme: Theme, positions: dict[str, tuple[float, float]] | None = None) -> str:
    """DOT for a folded graph; with ``positions`` (points) every node is pinned (neato -n2)."""
    ids = {b.key: f"b{i}" for i, b in enumerate(f.boxes)}
    lines = [
        "digraph G {",
        f'  graph [rankdir=TB, bgcolor="{theme.background}", fontname="{FONT}", fontcolor="{theme.muted}", '
        f'nodesep=0.25, ranksep=0.22, margin=0.2, pad=0.2{", splines=line" if positions else ""}];',
        f'  node [fontname="{FONT}", margin="0.1,0.03", height=0.26];',
        f'  edge [color="{theme.muted}", arrowsize=0.6, penwidth=1.1];',
    ]
    residual_targets = {b for _, b in f.residual}

    def node_line(b: Box, indent: str) -> str:
        pos = f', pos="{positions[b.key][0]:.1f},{positions[b.key][1]:.1f}!"' if positions else ""
        return f"{indent}{ids[b.key]} [{_node_attrs(b, theme, b.key in residual_targets)}{pos}];"

    if positions:  # no frames in the fallback (neato does not draw clusters)
        lines += [node_line(b, "  ") for b in f.boxes]
    else:
        lines += _clusters(f, theme, node_line)
    for a, b in f.edges:
        if (a, b) in f.residual:
            attrs = f'color="{theme.kernel}", style=dashed, penwidth=1.6'
        elif a.count(">") and f.boxes and next(x for x in f.boxes if x.key == a).kind == "stub":
            attrs = f'color="{theme.extra}", arrowsize=0.4'
        else:
            attrs = ""
        lines.append(f"  {ids[a]} -> {ids[b]} [{attrs}];")
    lines.append("}")
    return "\n".join(lines)


def _clusters(f: Folded, theme: Theme, node_line) -> list[str]:
    """Nested ``subgraph cluster`` blocks, one per frame (a module whose inside is shown)."""
    children: dict[tuple[str, ...], list] = {}
    for b in f.boxes:
        for depth in range(len(b.frames) + 1):
            prefix = b.frames[:depth]
            if depth < len(b.frames):
                key = b.frames[:depth + 1]
                if key not in children.setdefault(prefix, []):
                    children[prefix].append(key)
            else:
                children.setdefault(prefix, []).append(b)
    out: list[str] = []

    def emit(prefix: tuple[str, ...], indent: str) -> None:
        for item in children.get(prefix, []):
            if isinstance(item, Box):
                out.append(node_line(item, indent))
                continue
            name = item[-1]
            kind, repeat = f.frames.get(name, ("", 1))
            cid = re.sub(r"\W", "_", name)
            out.append(f'{indent}subgraph cluster_{cid} {{')
            # margin in points here (the graph's is in inches, and clusters would inherit it as 0.2 pt)
            out.append(f'{indent}  label="{_esc(frame_title(name, kind, repeat))}"; labeljust=l; fontsize=10; '
                       f'margin={FRAME_MARGIN}; style="rounded,dashed"; '
                       f'color="{theme.output if repeat > 1 else theme.grid}"; penwidth={2 if repeat > 1 else 1};')
            emit(item, indent + "  ")
            out.append(f"{indent}}}")

    emit((), "  ")
    return out


def frame_title(call: str, kind: str, repeat: int) -> str:
    """``encoder.layers.0: EncoderLayer x6``; a long module path keeps its end (the part that differs)."""
    name, _, k = call.partition("#")
    if len(name) > FRAME_TITLE:
        name = "\u2026" + name[-(FRAME_TITLE - 1):].partition(".")[2]
    return f"{name}{f' #{k}' if k else ''}: {kind}" + (f" \u00d7{repeat}" if repeat > 1 else "")


def _run(engine: str, dot: str, fmt: str, timeout: float = DOT_TIMEOUT) -> bytes:
    exe = shutil.which(engine)
    if exe is None:
        raise GraphvizError("Graphviz is not installed (scripts/setup.sh installs it: apt-get install graphviz)")
    args = [exe, f"-T{fmt}"] + (["-n2"] if engine == "neato" else [])
    try:
        res = subprocess.run(args, input=dot.encode(), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz's {engine} took longer than {timeout:.0f} s", timeout=True) from None
    if res.returncode != 0:
        said = " ".join(res.stderr.decode(errors="replace").split())[:200] or f"exit status {res.returncode}"
        raise GraphvizError(f"Graphviz's {engine} failed: {said}")
    return res.stdout


def render(dot: str, engine: str, fmt: str) -> bytes:
    return _run(engine, dot, fmt)


def _size(dot: str, engine: str) -> tuple[float, float]:
    head = _run(engine, dot, "plain").decode().split("\n", 1)[0].split()
    return float(head[2]) * 72, float(head[3]) * 72


def graphviz_can(f: Folded) -> bool:
    """The guard: whether ``dot`` lays this graph out in reasonable time."""
    fanout: dict[str, int] = {}
    for a, _ in f.edges:
        fanout[a] = fanout.get(a, 0) + 1
    return len(f.boxes) <= DOT_MAX_BOXES and max(fanout.values(), default=0) <= DOT_MAX_FANOUT


def layered_positions(f: Folded) -> dict[str, tuple[float, float]]:
    """Our own layered layout: rank = longest path from a source; order by barycentre."""
    preds: dict[str, list[str]] = {b.key: [] for b in f.boxes}
    for a, b in f.edges:
        preds[b].append(a)
    rank: dict[str, int] = {}
    for b in f.boxes:  # boxes are in execution order, so predecessors come first
        rank[b.key] = 1 + max((rank[p] for p in preds[b.key] if p in rank), default=-1)
    layers: dict[int, list[str]] = {}
    for key, r in rank.items():
        layers.setdefault(r, []).append(key)
    x: dict[str, float] = {}
    for r in sorted(layers):
        keys = layers[r]
        keys.sort(key=lambda k: sum(x.get(p, 0) for p in preds[k]) / max(1, len(preds[k])))
        for i, k in enumerate(keys):
            x[k] = i - (len(keys) - 1) / 2
    top = max(layers)
    return {k: (300 + 170 * x[k], 40 + 52 * (top - rank[k])) for k in rank}


def lay_out(f: Folded, theme: Theme) -> Layout:
    if graphviz_can(f):
        dot = to_dot(f, theme)
        try:
            w, h = _size(dot, "dot")
            return Layout(dot, "dot", w, h)
        except GraphvizError as err:
            if not err.timeout:
                raise  # a real failure says what dot said; only a slow layout takes the fallback
    dot = to_dot(f, theme, layered_positions(f))
    w, h = _size(dot, "neato")
    return Layout(dot, "neato", w, h)


def default_depth(cap: Captured, theme: Theme) -> tuple[Folded, Layout]:
    """The deepest view with at most MAX_BOXES boxes that fits a page (else the shallowest)."""
    best = None
    for depth in range(max(1, max_depth(cap)), 0, -1):
        f = fold(cap, depth)
        if len(f.boxes) > MAX_BOXES:
            continue
        lay = lay_out(f, theme)
        best = best or (f, lay)
        if lay.width <= PAGE[0] and lay.height <= PAGE[1]:
            return f, lay
    if best is None:
        f = fold(cap, 1)
        best = (f, lay_out(f, theme))
    return best


def draw_block(cap: Captured, theme: Theme, depth: int | None = None):
    from . import DiagramError

    try:
        return _draw_block(cap, theme, depth)
    except GraphvizError as err:
        raise DiagramError(f"model: {err}") from None


def _draw_block(cap: Captured, theme: Theme, depth: int | None):
    from . import Diagram, DiagramError

    deepest = max(1, max_depth(cap))
    if depth is None:
        f, lay = default_depth(cap, theme)
    elif not 1 <= depth <= deepest:
        raise DiagramError(f"depth: this model's modules nest {deepest} deep; use 1 to {deepest}, got {depth}")
    else:
        f = fold(cap, depth)
        lay = lay_out(f, theme)
    svg = render(lay.dot, lay.engine, "svg").decode()
    return Diagram("block", svg, lay.width, lay.height, f.depth, len(f.boxes), lay.dot, lay.engine)
