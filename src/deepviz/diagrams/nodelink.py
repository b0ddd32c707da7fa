"""Node-link diagrams of fully connected networks: neurons as circles, weights as edges.

As in TensorFlow Playground, an edge's colour gives its weight's sign (orange positive, blue
negative) and its width the magnitude. A layer wider than ``MAX_SHOWN`` shows its first and
last neurons around an ellipsis, with its size written under it. Drawn by Graphviz's
``neato -n2`` at positions computed here (the layout of a layered network is a grid).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..style.theme import Theme
from .block import FONT, _esc, _run, _size
from .capture import Captured

MAX_SHOWN = 10  # neurons drawn per layer; wider layers show HEAD + TAIL around an ellipsis
HEAD = TAIL = 4
X_STEP, Y_STEP, RADIUS = 130.0, 34.0, 11.0  # points
ACTIVATIONS = {"relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softmax", "ReLU", "Tanh", "Sigmoid",
               "GELU", "SiLU", "ELU", "LeakyReLU", "Softmax"}
PASS_THROUGH = {"Dropout", "Identity", "Flatten", "flatten"}


@dataclass
class Layer:
    size: int
    name: str  # "input", or the Linear module's qualified name
    activation: str = ""
    weight: list | None = None  # out x in, from the model (None when captured on meta)


def fully_connected_layers(cap: Captured, model) -> list[Layer]:
    from . import DiagramError

    inputs = [n for n in cap.nodes if n.kind == "input"]
    if len(inputs) != 1 or not inputs[0].shape:
        raise DiagramError("style: node-link draws a network with one input vector; use --style block")
    layers = [Layer(inputs[0].shape[-1], "input")]
    for n in cap.nodes[1:]:
        if n.kind == "module" and n.op == "Linear":
            w = model.get_submodule(n.name).weight
            layers.append(Layer(n.info["out_features"], n.name,
                                weight=None if w.device.type == "meta" else w.detach().cpu().tolist()))
        elif n.op in ACTIVATIONS:
            layers[-1].activation = n.op.lower()
        elif n.op in PASS_THROUGH:
            continue
        else:
            raise DiagramError(f"style: node-link draws fully connected networks (Linear layers and "
                               f"activations); this model has {n.op}; use --style block")
    if len(layers) < 2:
        raise DiagramError("style: node-link needs at least one Linear layer; use --style block")
    return layers


def shown(size: int) -> list[int | None]:
    """Indices of the neurons drawn; None marks the ellipsis."""
    if size <= MAX_SHOWN:
        return list(range(size))
    return list(range(HEAD)) + [None] + list(range(size - TAIL, size))


def draw_node_link(cap: Captured, model, theme: Theme):
    from . import Diagram

    layers = fully_connected_layers(cap, model)
    tallest = max(len(shown(layer.size)) for layer in layers)
    top = 60 + (tallest - 1) * Y_STEP
    pos: dict[tuple[int, int | None], tuple[float, float]] = {}
    lines = ["digraph G {",
             f'  graph [bgcolor="{theme.background}", splines=line, pad=0.25, outputorder=edgesfirst];',
             f'  node [fontname="{FONT}", fontcolor="{theme.foreground}", fixedsize=true];',
             "  edge [arrowhead=none];"]
    for li, layer in enumerate(layers):
        cells = shown(layer.size)
        x = 40 + li * X_STEP
        y0 = 60 + (tallest - len(cells)) * Y_STEP / 2
        color = theme.input if li == 0 else theme.output if li == len(layers) - 1 else theme.foreground
        for k, idx in enumerate(cells):
            y = top - (y0 - 60) - k * Y_STEP
            pos[(li, idx)] = (x, y)
            nid = f"l{li}_{'e' if idx is None else idx}"
            if idx is None:
                lines.append(f'  {nid} [label="\u22ee", shape=plaintext, fontsize=16, width=0.3, height=0.3, '
                             f'pos="{x:.1f},{y:.1f}!"];')
            else:
                lines.append(f'  {nid} [label="", shape=circle, width={2 * RADIUS / 72:.3f}, style=filled, '
                             f'fillcolor="{theme.faint}", color="{color}", penwidth=1.6, pos="{x:.1f},{y:.1f}!"];')
        caption = "input" if li == 0 else layer.name if not layer.name.rpartition(".")[2].isdigit() else "Linear"
        detail = f"{layer.size}" + (f" \u00b7 {layer.activation}" if layer.activation else "")
        lines.append(f'  cap{li} [label="{_esc(caption)}\\n{_esc(detail)}", shape=plaintext, fontsize=10, '
                     f'fontcolor="{theme.muted}", width=1.6, height=0.4, pos="{x:.1f},{12:.1f}!"];')
    for li in range(1, len(layers)):
        w = layers[li].weight
        biggest = max((abs(v) for row in w for v in row), default=1.0) if w else 1.0
        for i in shown(layers[li - 1].size):
            for j in shown(layers[li].size):
                if i is None or j is None:
                    continue
                if w is None:
                    color, width = theme.grid, 1.0
                else:
                    v = w[j][i]
                    color = theme.kernel if v >= 0 else theme.input
                    width = 0.3 + 3.2 * abs(v) / (biggest or 1.0)
                lines.append(f'  l{li - 1}_{i} -> l{li}_{j} [color="{color}", penwidth={width:.2f}];')
    lines.append("}")
    dot = "\n".join(lines)
    svg = _run("neato", dot, "svg").decode()
    w, h = _size(dot, "neato")
    return Diagram("node-link", svg, w, h, None, sum(len(shown(layer.size)) for layer in layers), dot, "neato")
