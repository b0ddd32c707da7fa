"""The optimiser page's export: a path and its settings as a standalone PyTorch script (torch only).

The script builds the same surface (the quadratic's Hessian, Rosenbrock's gradient, or the trained network
with its two directions and its data, every float64 inlined as a literal that reads back to the same bits),
runs the same ``torch.optim`` optimisers from the same start with the same gradient code, and prints the
path (and each racer's) as JSON: the page's numbers, which the tests check by running it.
"""
from __future__ import annotations

from string import Template

from .export import _literal
from .optimise import EXTENTS, Settings, hessian, racers

ROW = 4  # literals a line

SCRIPT = Template('''\
#!/usr/bin/env python3
"""A path of the deepviz optimiser page, reproduced in plain PyTorch.

$header

Run it with  python THIS_FILE.py
It prints [{"optimizer": name, "points": [[x, y], ...]}, ...] as JSON, the page's path first: the page's points (a path that diverged
goes on here; the page stops it at its last point inside [-1e6, 1e6] around the plot).
"""
import json

import torch

torch.set_num_threads(1)  # as the page: the same float operations, in the same order
torch.set_default_dtype(torch.float64)

START = $start
STEPS = $steps

$surface

OPTIMIZERS = [  # (name, the optimiser built on the point w): the page's path, then its racers
$optimizers
]

paths = []
for name, make in OPTIMIZERS:
    w = torch.tensor(START, requires_grad=True)
    opt = make(w)
    points = [w.tolist()]
    for _ in range(STEPS):
        with torch.no_grad():
            w.grad = gradient(w.detach())
        opt.step()
        points.append(w.tolist())
    paths.append({"optimizer": name, "points": points})
print(json.dumps(paths))
''')

QUADRATIC = Template('''\
# f(w) = 1/2 w^T A w: eigenvalues 1 and 1/$condition, eigenvectors turned by $rotation degrees
A = torch.tensor($hessian)


def gradient(w):
    return w @ A  # A is symmetric: the gradient A w''')

ROSENBROCK = '''\
# Rosenbrock's banana f(x, y) = (1 - x)^2 + 100 (y - x^2)^2


def gradient(w):
    x, y = w[..., 0], w[..., 1]
    inner = y - x * x
    return torch.stack((-2 * (1 - x) - 400 * x * inner, 200 * inner), -1)'''

NETWORK = Template('''\
# A 2-8-2 tanh network's cross-entropy on $points points, along two filter-normalised random directions
# d1, d2 through its trained weights (Li et al. 2018): the point (a, b) is the network with the weights
# THETA + a D1 + b D2, flattened in the order of nn.Sequential(Linear(2, 8), Tanh(), Linear(8, 2)).
SHAPES = $shapes
THETA = torch.tensor([
$theta
])
D1 = torch.tensor([
$d1
])
D2 = torch.tensor([
$d2
])
X = torch.tensor([  # (x1, x2) of each point
$x
])
Y = torch.tensor([
$y
])
BASIS = torch.stack((THETA, D1, D2))


def loss(ab):
    flat = ab @ BASIS[1:] + BASIS[0]
    sizes = [torch.Size(s).numel() for s in SHAPES]
    w1, b1, w2, b2 = (p.reshape(s) for p, s in zip(flat.split(sizes), SHAPES))
    h = torch.tanh(X @ w1.transpose(-1, -2) + b1[None, :])
    out = h @ w2.transpose(-1, -2) + b2[None, :]
    return torch.nn.functional.cross_entropy(out, Y, reduction="none").mean(-1)


def gradient(ab):
    with torch.enable_grad():
        p = ab.detach().requires_grad_()
        (g,) = torch.autograd.grad(loss(p).sum(), p)
    return g''')


def _code(r: Settings) -> str:
    """The ``torch.optim`` call of one run, as the page's ``optimise.optimizer`` makes it."""
    if r.optimizer in ("adam", "adamw"):
        decay = f", weight_decay={r.decay!r}" if r.optimizer == "adamw" else ""
        kind = "Adam" if r.optimizer == "adam" else "AdamW"
        return f"torch.optim.{kind}([w], lr={r.alpha!r}, betas=({r.beta1!r}, {r.beta2!r}), foreach=False{decay})"
    if r.optimizer == "rmsprop":
        return f"torch.optim.RMSprop([w], lr={r.alpha!r}, alpha={r.beta2!r}, foreach=False)"
    momentum = r.beta if r.optimizer == "momentum" else 0.0
    return f"torch.optim.SGD([w], lr={r.alpha!r}, momentum={momentum!r}, foreach=False)"


def _rows(values: list) -> str:
    text = [repr(v) + "," for v in values]
    return "\n".join("    " + " ".join(text[i:i + ROW]) for i in range(0, len(text), ROW))


def _surface_code(s: Settings) -> str:
    if s.surface == "quadratic":
        return QUADRATIC.substitute(condition=_num(s.condition), rotation=_num(s.rotation),
                                    hessian=repr(hessian(s.condition, s.rotation).tolist()))
    if s.surface == "rosenbrock":
        return ROSENBROCK
    from .optimise_landscape import landscape

    land = landscape()
    theta, d1, d2 = land.basis.tolist()
    return NETWORK.substitute(
        points=len(land.x), shapes=repr([tuple(p.shape) for p in land.net.parameters()]),
        theta=_rows(theta), d1=_rows(d1), d2=_rows(d2),
        x=_rows([tuple(r) for r in land.x.tolist()]), y=_rows(land.y.tolist()))


def _num(v: float) -> str:
    return f"{v:g}"


def script(s: Settings) -> str:
    """A standalone script that runs the path of ``s`` (and its racers) and prints every point as JSON."""
    runs = [s, *racers(s)]
    x0, x1, y0, y1 = EXTENTS[s.surface]
    shape = f" (condition {_num(s.condition)}, rotation {_num(s.rotation)} degrees)" if s.surface == "quadratic" else ""
    header = "\n".join([
        f"Surface: {s.surface}{shape}, plotted over [{_num(x0)}, {_num(x1)}] x [{_num(y0)}, {_num(y1)}]",
        f"Start: ({_num(s.start[0])}, {_num(s.start[1])}); {s.steps} steps",
        "Optimisers: " + "; ".join(f"{r.optimizer} (step size {_num(r.alpha)})" for r in runs)])
    optimizers = "\n".join(f"    ({_literal(r.optimizer)}, lambda w: {_code(r)})," for r in runs)
    return SCRIPT.substitute(header=header, start=repr(tuple(s.start)), steps=s.steps,
                             surface=_surface_code(s), optimizers=optimizers)

