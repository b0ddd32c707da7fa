"""A cloud of points through a network, stage by stage, computed with torch: params -> Trace.

For each layer l (weights W_l: out x in, as nn.Linear's weight; bias b_l):

    linear      W_l h                 (a linear map: lines stay lines, the origin stays put)
    bias        W_l h + b_l           (a shift)
    activation  f(W_l h + b_l)        (ReLU folds, tanh and sigmoid squash)

The square's network has random (seeded) weights and ends in a sigmoid (the unit square). A trained
network ends in a plane too; its logistic output reads that plane, p = sigmoid(w . h + c), so its
decision boundary there is the line w . h + c = 0. Drawn back in the input plane (where the logit's
sign changes on a grid, by marching squares) the boundary is curved.
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from ...models.training import adam
from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .data import layer_sizes
from .schema import ActivationStage, SpaceFoldingData

DT = torch.float64
LEAK = 0.1  # leaky ReLU's slope for negative inputs
LR = 0.03  # Adam's learning rate for the trained networks
OUTLINE = 24  # points per side of the square's outline
BOUNDARY_GRID = 60  # cells per side of the grid the input-space boundary is traced on
NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)

ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAK),
}
NAMES = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "leaky_relu": "leaky ReLU"}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    sizes = layer_sizes(values["layers"])
    seed, act, dataset = values["seed"], values["activation"], values["dataset"]
    trained = dataset != "square"
    g = torch.Generator().manual_seed(seed)
    if trained:
        x, labels = two_classes(dataset, values["points"], g)
        outline = torch.zeros(0, 2, dtype=DT)
    else:
        x, outline = square(values["points"])
    layers = init(sizes, trained, g)
    head: dict[str, torch.Tensor] = {}  # the output neuron (trained only)
    history: list[list[float]] = []
    if trained:
        head = {"w": (torch.rand(1, sizes[-1], generator=g, dtype=DT) * 2 - 1), "b": torch.zeros(1, dtype=DT)}
        history = train(layers, head, act, x, labels, values["steps"])
    else:
        first = x @ layers[0]["W"].T + layers[0]["b"]
        labels = torch.stack([(first[:, i] > 0).long() << i for i in range(sizes[1])]).sum(0)  # ReLU's sign pattern

    stages = run_stages(layers, act, trained, x, outline)
    data: dict[str, Any] = {
        # what is drawn: a trained network's logistic output is one more unit
        "architecture": "-".join(map(str, sizes + ([1] if trained else []))),
        "layers": sizes, "activation": act, "activation_name": NAMES[act], "leak": LEAK, "dataset": dataset,
        "trained": trained, "seed": seed, "steps": values["steps"], "n_points": len(x),
        "x": x, "labels": labels, "outline": outline,
        "weights": [{"W": p["W"], "b": p["b"]} for p in layers],
        "stages": stages,
    }
    if trained:
        h = stages[-1]["points"]
        logits = (h @ head["w"].T + head["b"])[:, 0]
        predicted = (logits > 0).long()
        limit = stages[-1]["limit"]
        data["classifier"] = {
            "w": head["w"][0], "b": head["b"][0], "logits": logits, "predicted": predicted,
            "accuracy": (predicted == labels).double().mean(),
            "loss": F.binary_cross_entropy_with_logits(logits, labels.to(DT)),
            "loss_history": history, "lr": LR,
            "line": clip_line(head["w"][0], head["b"][0].item(), limit),
            "window_line": clip_to_window(head["w"][0], head["b"][0].item(), stages[-1]["window"]),
        }
        win = stages[0]["window"]
        segments = boundary(layers, head, act, win["center"], win["half"], BOUNDARY_GRID)
        data["boundary"] = {"limit": win["half"], "center": win["center"], "grid": BOUNDARY_GRID, "segments": segments,
                            "pieces": linear_pieces(layers, act, segments)}
    plain: SpaceFoldingData = to_plain(data)
    return Trace(concept="space-folding", params={}, data=plain, narration=narration(plain), preset=preset)


# -- data --------------------------------------------------------------------------------------------
def square(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A k x k lattice filling [-1, 1]^2 (k^2 <= n), and the square's outline (counter-clockwise)."""
    k = math.isqrt(n)
    ticks = torch.linspace(-1, 1, k, dtype=DT)
    x = torch.cartesian_prod(ticks, ticks)
    s = torch.linspace(-1, 1, OUTLINE + 1, dtype=DT)[:-1]
    one = torch.ones_like(s)
    outline = torch.cat([torch.stack([s, -one], 1), torch.stack([one, s], 1), torch.stack([-s, one], 1),
                         torch.stack([-one, -s], 1), torch.tensor([[-1.0, -1.0]], dtype=DT)])
    return x, outline


def two_classes(name: str, n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Two classes no line separates: concentric circles (class 1 inside) or two interleaved moons."""
    n0 = n // 2
    n1 = n - n0
    if name == "circles":
        a0 = torch.rand(n0, generator=g, dtype=DT) * 2 * math.pi
        a1 = torch.rand(n1, generator=g, dtype=DT) * 2 * math.pi
        outer = torch.stack([torch.cos(a0), torch.sin(a0)], 1)
        inner = 0.45 * torch.stack([torch.cos(a1), torch.sin(a1)], 1)
        x = torch.cat([outer, inner]) + 0.06 * torch.randn(n, 2, generator=g, dtype=DT)
    else:
        a0 = torch.rand(n0, generator=g, dtype=DT) * math.pi
        a1 = torch.rand(n1, generator=g, dtype=DT) * math.pi
        upper = torch.stack([torch.cos(a0), torch.sin(a0)], 1)
        lower = torch.stack([1 - torch.cos(a1), 0.5 - torch.sin(a1)], 1)
        x = torch.cat([upper, lower]) + 0.08 * torch.randn(n, 2, generator=g, dtype=DT)
        x = (x - torch.tensor([0.5, 0.25], dtype=DT)) / 1.25  # centred, about [-1.2, 1.2] x [-0.8, 0.8]
    labels = torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)])
    return x, labels


# -- the network ---------------------------------------------------------------------------------------
def init(sizes: list[int], trained: bool, g: torch.Generator) -> list[dict[str, torch.Tensor]]:
    """Seeded weights. Random display weights: W ~ N(0, 1), b ~ U(-0.6, 0.6). To be trained:
    U(-2/sqrt(fan_in), 2/sqrt(fan_in)) for W, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for b."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        if trained:
            bound = 1 / math.sqrt(fan_in)
            w = (torch.rand(fan_out, fan_in, generator=g, dtype=DT) * 2 - 1) * 2 * bound
            b = (torch.rand(fan_out, generator=g, dtype=DT) * 2 - 1) * bound
        else:
            w = torch.randn(fan_out, fan_in, generator=g, dtype=DT)
            b = (torch.rand(fan_out, generator=g, dtype=DT) * 2 - 1) * 0.6
        layers.append({"W": w, "b": b})
    return layers


def forward(layers, act: str, x: torch.Tensor) -> torch.Tensor:
    """Every layer with the activation (the trained network's hidden layers, all of them)."""
    for p in layers:
        x = ACTIVATIONS[act](x @ p["W"].T + p["b"])
    return x


def train(layers, head, act: str, x: torch.Tensor, labels: torch.Tensor, steps: int) -> list[list[float]]:
    params = [t.requires_grad_(True) for p in layers for t in (p["W"], p["b"])] + [head["w"].requires_grad_(True),
                                                                                    head["b"].requires_grad_(True)]
    target = labels.to(DT)

    def loss():
        logits = (forward(layers, act, x) @ head["w"].T + head["b"])[:, 0]
        return F.binary_cross_entropy_with_logits(logits, target)

    history = adam(params, loss, steps, LR)
    for t in params:
        t.requires_grad_(False)
    return history


def run_stages(layers, act: str, trained: bool, x: torch.Tensor, outline: torch.Tensor) -> list[dict[str, Any]]:
    """The points (and the outline) after every operation, with the formula of each."""
    stages = [stage("input", 0, "x", x, outline)]
    h, o = x, outline
    last = len(layers) - 1
    for l, p in enumerate(layers):
        name_in = "x" if l == 0 else f"h{l}"
        k = l + 1
        out = f"h{k}" if trained or l < last else "y"
        f = act if trained or l < last else "sigmoid"
        fname = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "\u03c3", "leaky_relu": "leaky ReLU"}[f]
        h, o = h @ p["W"].T, o @ p["W"].T
        stages.append(stage("linear", k, f"W{k} {name_in}", h, o))
        h, o = h + p["b"], o + p["b"]
        stages.append(stage("bias", k, f"W{k} {name_in} + b{k}", h, o))
        pre = h
        h, o = ACTIVATIONS[f](h), ACTIVATIONS[f](o)
        s = stage("activation", k, f"{out} = {fname}(W{k} {name_in} + b{k})", h, o)
        s["function"] = f
        s["folded"] = int((pre < 0).any(1).sum())  # points with a negative coordinate before the activation
        s["to_origin"] = int((pre < 0).all(1).sum())  # points with every coordinate negative
        s["negatives_after"] = int((h < 0).sum())
        s["range"] = [h.min(), h.max()]
        stages.append(s)
    return stages


def stage(kind: str, layer: int, formula: str, points: torch.Tensor, outline: torch.Tensor) -> dict[str, Any]:
    extent = max(points.abs().max().item(), outline.abs().max().item() if len(outline) else 0.0)
    return {"kind": kind, "layer": layer, "formula": formula, "dim": points.shape[1], "points": points,
            "outline": outline, "extent": extent, "limit": nice_limit(extent), "window": window(points, outline)}


def window(points: torch.Tensor, outline: torch.Tensor) -> dict[str, Any]:
    """The axes fitted to this stage's points: a cube (one scale on every axis, so shapes stay true) centred on
    the points' bounding box, ``half`` a nice number >= 1.08 x the box's longest half-side."""
    every = torch.cat([points, outline]) if len(outline) else points
    lo, hi = every.min(0).values, every.max(0).values
    return {"center": (lo + hi) / 2, "half": nice_limit(float((hi - lo).max()) / 2)}


def nice_limit(extent: float) -> float:
    """The smallest 'nice' number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) >= 1.08 * extent:
    the axes of a stage run from -limit to limit."""
    target = max(extent * 1.08, 1e-6)
    power = 10 ** math.floor(math.log10(target))
    for m in NICE:
        if m * power >= target - 1e-12:
            return m * power
    return 10 * power


def clip_line(w: torch.Tensor, c: float, limit: float) -> list[list[float]]:
    """The segment of the line w . h + c = 0 inside the square [-limit, limit]^2 (empty if it misses it)."""
    (w1, w2), found = w.tolist(), []
    for fixed_axis in (0, 1):
        for v in (-limit, limit):
            a, b = (w1, w2) if fixed_axis == 0 else (w2, w1)
            if abs(b) < 1e-12:
                continue
            other = -(c + a * v) / b
            if -limit - 1e-9 <= other <= limit + 1e-9:
                p = [v, other] if fixed_axis == 0 else [other, v]
                if all(math.dist(p, q) > 1e-9 for q in found):
                    found.append(p)
    return found[:2] if len(found) >= 2 else []


def clip_to_window(w: torch.Tensor, c: float, win: dict[str, Any]) -> list[list[float]]:
    """The segment of the line w . h + c = 0 inside a stage's window (a square around its centre)."""
    center = win["center"]
    shifted = clip_line(w, c + float(w @ center), win["half"])  # the line in coordinates relative to the centre
    return [[p[0] + float(center[0]), p[1] + float(center[1])] for p in shifted]


def linear_pieces(layers, act: str, segments: list[list[float]]) -> int | None:
    """How many straight pieces the input boundary has: with (leaky) ReLU the network is affine wherever the same
    units are on, so the boundary is straight there; one piece per on/off pattern met along it (None: a smooth
    activation, the boundary curves)."""
    if act not in ("relu", "leaky_relu") or not segments:
        return None
    seg = torch.tensor(segments, dtype=DT)
    h, patterns = (seg[:, :2] + seg[:, 2:]) / 2, []
    with torch.no_grad():
        for p in layers:
            z = h @ p["W"].T + p["b"]
            patterns.append(z > 0)
            h = ACTIVATIONS[act](z)
    return len(torch.unique(torch.cat(patterns, 1), dim=0))


def boundary(layers, head, act: str, center: torch.Tensor, limit: float, n: int) -> list[list[float]]:
    """Where the trained network's logit changes sign in the input square ``center`` +- ``limit`` (the input
    stage's window), as line segments [x0, y0, x1, y1] (marching squares on an n x n grid, crossings linearly
    interpolated)."""
    ticks = torch.linspace(-limit, limit, n + 1, dtype=DT)
    tx, ty = ticks + center[0], ticks + center[1]
    grid = torch.cartesian_prod(tx, ty)  # row i*(n+1)+j is (tx[i], ty[j])
    with torch.no_grad():
        z = (forward(layers, act, grid) @ head["w"].T + head["b"])[:, 0].reshape(n + 1, n + 1).tolist()
    u, t = tx.tolist(), ty.tolist()
    segments = []
    for i in range(n):
        for j in range(n):
            corners = [(u[i], t[j], z[i][j]), (u[i + 1], t[j], z[i + 1][j]),
                       (u[i + 1], t[j + 1], z[i + 1][j + 1]), (u[i], t[j + 1], z[i][j + 1])]
            cuts = []
            for a, b in zip(corners, corners[1:] + corners[:1]):
                if (a[2] > 0) != (b[2] > 0):
                    s = a[2] / (a[2] - b[2])
                    cuts.append([a[0] + s * (b[0] - a[0]), a[1] + s * (b[1] - a[1])])
            for k in range(0, len(cuts) - 1, 2):
                segments.append(cuts[k] + cuts[k + 1])
    return segments


# -- captions --------------------------------------------------------------------------------------------
def _vec(v) -> str:
    return "(" + ", ".join(fmt_num(x) for x in v) + ")"


def narration(d: SpaceFoldingData) -> dict[str, str]:
    sizes, n = d["layers"], d["n_points"]
    arch = d["architecture"]
    act = d["activation_name"]
    if "classifier" in d:  # trained
        c = d["classifier"]
        what = "two circles, one inside the other" if d["dataset"] == "circles" else "two interleaved moons"
        intro = (f"{n} points of two classes, {what}: no line separates them. A {arch} {act} network (a logistic "
                 f"output on a {'-'.join(map(str, sizes))} network) was trained on them with Adam for {d['steps']} "
                 "steps. Watch the points move.")
    else:
        intro = (f"{n} points fill the square from \u22121 to 1. They pass through a {arch} network with random "
                 f"weights (seed {d['seed']}). Colours mark the sign pattern of W1 x + b1.")
    texts = {"intro": intro}
    for k, s in enumerate(d["stages"][1:], start=1):
        w = d["weights"][s["layer"] - 1]
        dim_in, dim_out = len(w["W"][0]), len(w["W"])
        if s["kind"] == "linear":
            where = ("maps the plane into space" if dim_out == 3 and dim_in == 2 else
                     "maps space back onto a plane" if dim_out == 2 and dim_in == 3 else
                     "maps the plane onto itself" if dim_in == 2 else "maps space onto itself")
            det = ""
            if dim_in == dim_out == 2:
                (a, b), (c_, e) = w["W"]
                det = f" Areas scale by |det W{s['layer']}| = {fmt_num(abs(a * e - b * c_))}."
            text = (f"W{s['layer']} {where}: a linear map. Lines stay lines, evenly spaced points stay evenly "
                    f"spaced, the origin stays put.{det}" if s["layer"] == 1 else
                    f"The next layer starts again with a linear map: W{s['layer']} {where}.{det}")
        elif s["kind"] == "bias":
            text = f"+ b{s['layer']} = {_vec(w['b'])} shifts every point by the same vector."
        else:
            assert s["kind"] == "activation"  # stages[1:] holds no input stage
            text = activation_text(s, d, n)
        texts[f"stage{k}"] = text
    if "classifier" in d:  # trained
        c = d["classifier"]
        sign = "+" if c["b"] >= 0 else "\u2212"
        texts["line"] = (f"The output neuron reads this last plane: it says class 1 where {_vec(c['w'])} \u00b7 h "
                         f"{sign} "
                         f"{fmt_num(abs(c['b']))} > 0. Here that is a straight line, and it gets "
                         f"{fmt_num(100 * c['accuracy'], 1)}% of the points right (loss {fmt_num(c['loss'], 3)}).")
        pieces = d["boundary"]["pieces"]  # pyright: ignore[reportTypedDictNotRequiredAccess]  # trained
        shape = (f"is curved: {act} bends it smoothly." if pieces is None else
                 "is still one straight line." if pieces == 1 else
                 f"bends into {pieces} straight pieces, one per region where the same {act} units are on.")
        texts["boundary"] = ("Back in the input plane, the points where the logit is 0 form the decision boundary. "
                             f"The straight line, unfolded through the layers, {shape}")
    else:
        texts["end"] = (f"{len(d['weights'])} layers of linear maps, shifts and foldings turned the square into "
                        f"this shape inside the unit square. Every position was computed by torch.")
    return texts


def activation_text(s: ActivationStage, d: SpaceFoldingData, n: int) -> str:
    f, dim = s["function"], s["dim"]
    region = "first quadrant" if dim == 2 else "first octant"
    onto = "the axes" if dim == 2 else "the octant's faces"
    if f == "relu":
        return (f"ReLU sets every negative coordinate to 0: everything outside the {region} folds onto {onto}. "
                f"{s['folded']} of {n} points folded, {s['to_origin']} landed on the origin.")
    if f == "leaky_relu":
        return (f"Leaky ReLU multiplies negative coordinates by {fmt_num(d['leak'])}: {s['folded']} of {n} points "
                f"outside the {region} are pressed towards {onto}, but not onto them.")
    lo, hi = s["range"]
    box = "(0, 1)" if f == "sigmoid" else "(\u22121, 1)"
    space = "square" if dim == 2 else "cube"
    squeeze = "into the unit square" if f == "sigmoid" and dim == 2 else f"into the {space} {box}\u00b2" \
        if dim == 2 else f"into the {space} {box}\u00b3"
    return (f"{'The sigmoid' if f == 'sigmoid' else 'tanh'} squeezes everything {squeeze}: coordinates now run "
            f"from {fmt_num(lo)} to {fmt_num(hi)}. Far points end up crowded at the edges.")
