"""Activation functions, computed with torch: params -> Trace.

Values come from torch.nn.functional (torch.heaviside for the step, with H(0) = 1); derivatives from
torch.autograd (the step's derivative is 0 wherever it exists; autograd has none for it). The collapse:
    W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)
with the product W2 W1 computed by torch.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch
import torch.nn.functional as F

from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .data import FUNCTIONS, names
from .schema import ActivationsData, Curve

DT = torch.float64
SAMPLES = 120  # intervals on [-x_max, x_max]: x = 0 is a sample
SHARPNESS = (1.0, 3.0, 10.0)  # sigmoid(k x) for these k approaches the step
DENSE = 20_001  # for the minimum of GELU and SiLU


def activation(name: str, slope: float) -> Callable[[torch.Tensor], torch.Tensor]:
    return {
        "step": lambda x: torch.heaviside(x, torch.ones_like(x)),
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": F.relu,
        "leaky_relu": lambda x: F.leaky_relu(x, negative_slope=slope),
        "gelu": F.gelu,
        "silu": F.silu,
    }[name]


def derivative(name: str, slope: float, x: torch.Tensor) -> torch.Tensor:
    """f'(x) by autograd; the step's derivative is 0 (where it exists: everywhere but x = 0)."""
    if name == "step":
        return torch.zeros_like(x)
    xs = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(activation(name, slope)(xs).sum(), xs)
    return grad


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    x_max, slope = values["x_max"], values["slope"]
    x = torch.arange(-SAMPLES // 2, SAMPLES // 2 + 1, dtype=DT) / (SAMPLES // 2) * x_max
    curves = [curve(n, slope, x) for n in names(values["functions"])]
    data = {
        "x_max": x_max, "slope": slope, "x": x, "curves": curves,
        "window": window(curves, x_max),
        "joined": joined(x),
        "probability": probability(values["z"]),
        "collapse": collapse(values["seed"], torch.tensor(values["point"], dtype=DT)),
    }
    plain: ActivationsData = to_plain(data)
    return Trace(concept="activations", params={}, data=plain, narration=narration(plain), preset=preset)


def curve(name: str, slope: float, x: torch.Tensor) -> dict[str, Any]:
    f = activation(name, slope)
    y, dy = f(x), derivative(name, slope, x)
    zero = torch.zeros(1, dtype=DT)
    title, formula, dformula = FUNCTIONS[name]
    out = {"name": name, "title": title, "y_range": fit(y, 0.5, 1.0), "dy_range": fit(dy, 0.25, 0.25),
           "formula": formula.replace("a\u00b7x", f"{fmt_num(slope)}\u00b7x"),
           "dformula": dformula.replace("1 or a", f"1 or {fmt_num(slope)}"),
           "y": y, "dy": dy, "f0": f(zero)[0], "d0": derivative(name, slope, zero)[0],
           "segments": segments(x, y, name == "step"),
           "dsegments": segments(x, dy, name in ("step", "relu", "leaky_relu"), zero_left=name != "step")}
    dense = torch.linspace(-float(x.abs().max()), float(x.abs().max()), DENSE, dtype=DT)
    fd, dd = f(dense), derivative(name, slope, dense)
    k, j = int(torch.argmin(fd)), int(torch.argmax(dd))
    out.update({"min": fd[k], "argmin": dense[k], "max_slope": dd[j], "argmax_slope": dense[j],
                "slope_at_end": dd[-1], "end": dense[-1]})
    return out


def segments(x: torch.Tensor, y: torch.Tensor, jump_at_zero: bool, zero_left: bool = False) -> list[torch.Tensor]:
    """The curve as polylines of (x, y); a function that jumps at 0 is split there (no vertical line drawn).
    The sample x = 0 goes with the side whose value it takes (``zero_left``: the left one)."""
    pts = torch.stack([x, y], 1)
    if not jump_at_zero:
        return [pts]
    left = x <= 0 if zero_left else x < 0
    return [pts[left], pts[~left]]


def fit(values: torch.Tensor, step: float, least: float) -> list[float]:
    """The range a plot of ``values`` uses: out to whole ``step``s, 0 included, at least ``least`` wide."""
    lo = min(0.0, math.floor(float(values.min()) / step + 1e-9) * step)
    hi = max(0.0, math.ceil(float(values.max()) / step - 1e-9) * step)
    return [lo, max(hi, lo + least)]


def window(curves: list[dict[str, Any]], x_max: float) -> dict[str, list[float]]:
    lo = min([-1.0, *(float(c["y"].min()) for c in curves)])
    dlo = min([-0.25, *(float(c["dy"].min()) for c in curves)])
    dhi = max([1.0, *(float(c["dy"].max()) for c in curves)])
    return {"x": [-x_max, x_max], "y": [math.floor(lo * 2 - 1e-9) / 2, x_max],
            "dy": [math.floor(dlo * 4 - 1e-9) / 4, math.ceil(dhi * 4 + 1e-9) / 4]}


def joined(x: torch.Tensor) -> dict[str, Any]:
    """sigmoid(k x) for growing k, and the step it approaches."""
    return {"k": list(SHARPNESS), "curves": [torch.stack([x, torch.sigmoid(k * x)], 1) for k in SHARPNESS],
            "step": segments(x, torch.heaviside(x, torch.ones_like(x)), True),
            "limits": [torch.sigmoid(x[0] * SHARPNESS[-1]), torch.sigmoid(x[-1] * SHARPNESS[-1])]}


def probability(z: float) -> dict[str, Any]:
    zt = torch.tensor(z, dtype=DT)
    p, q = torch.sigmoid(zt), torch.sigmoid(-zt)
    return {"z": zt, "p": p, "q": q, "one_minus_p": 1 - p}


def collapse(seed: int, x: torch.Tensor) -> dict[str, Any]:
    """Two 2x2 linear layers with weights rounded to one decimal, their single equivalent, and one input."""
    g = torch.Generator().manual_seed(seed)

    def draw(*shape):
        return torch.round(torch.randn(*shape, generator=g, dtype=DT) * 10) / 10

    w1, b1, w2, b2 = draw(2, 2), draw(2), draw(2, 2), draw(2)
    w, b = w2 @ w1, w2 @ b1 + b2
    h = w1 @ x + b1
    y_two = w2 @ h + b2
    y_one = w @ x + b
    h_relu = F.relu(h)
    y_relu = w2 @ h_relu + b2
    return {"W1": w1, "b1": b1, "W2": w2, "b2": b2, "W": w, "b": b, "x": x, "h": h, "y_two": y_two,
            "y_one": y_one, "h_relu": h_relu, "y_relu": y_relu, "relu_active": bool((h < 0).any())}


def _n(v: float) -> str:
    return fmt_num(v, 2)


def _v(p) -> str:
    return "(" + ", ".join(_n(c) for c in p) + ")"


def _m(w) -> str:
    return "[" + ", ".join(_v(r).replace("(", "[").replace(")", "]") for r in w) + "]"


def blurb(c: Curve, slope: float) -> str:
    n, d0, f0 = c["name"], _n(c["d0"]), _n(c["f0"])
    return {
        "step": "0, then 1. Its slope is 0 (undefined at 0): no gradient flows back.",
        "sigmoid": f"squashes x into (0, 1), \u03c3(0) = {f0}; slope \u03c3\u2032(0) = {d0}, fading to "
                   f"{fmt_num(c['slope_at_end'], 3)} at x = {_n(c['end'])}.",
        "tanh": f"in (\u22121, 1) and centred at 0; its slope tanh\u2032(0) = {d0}.",
        "relu": f"max(0, x). Slope 0 or 1 (torch takes ReLU\u2032(0) = {d0}).",
        "leaky_relu": f"slope {_n(slope)} for x < 0, so the gradient is never 0.",
        "gelu": f"x \u00b7 \u03a6(x), a smooth ReLU; it dips to {_n(c['min'])} at x = {_n(c['argmin'])}.",
        "silu": f"x \u00b7 \u03c3(x); minimum {_n(c['min'])} at x = {_n(c['argmin'])}, slope up to "
                f"{_n(c['max_slope'])}.",
    }[n]


def narration(d: ActivationsData) -> dict[str, str]:
    steps = {"intro": "Left: an activation f(x) bends a neuron's sum. Right: its slope f\u2032(x), used by "
                      "backpropagation."}
    for c in d["curves"]:
        steps[f"fn_{c['name']}"] = f"{c['title']}: " + blurb(c, d["slope"])
    j, p, c = d["joined"], d["probability"], d["collapse"]
    steps["joined"] = (f"\u03c3(k x) for k = {', '.join(_n(k) for k in j['k'])} closes in on the step: the sigmoid "
                       "is a step with its corners smoothed.")
    steps["probability"] = (f"Read \u03c3(z) as a probability: z = {_n(p['z'])} gives class 1 "
                            f"{fmt_num(100 * p['p'], 1)}%; class 0 gets \u03c3(\u2212z) = "
                            f"{fmt_num(p['q'], 3)}.")
    steps["collapse"] = ("Without an activation two layers are one: W2 (W1 x + b1) + b2 = (W2 W1) x + "
                         "(W2 b1 + b2).")
    steps["check"] = (f"For x = {_v(c['x'])} both give {_v(c['y_two'])}: one matrix does the work of both.")
    if c["relu_active"]:
        steps["relu"] = (f"With a ReLU in between, h = {_v(c['h'])} becomes {_v(c['h_relu'])}: the output "
                         f"{_v(c['y_relu'])} is no longer W x + b.")
    else:
        steps["relu"] = (f"A ReLU in between changes nothing here (h = {_v(c['h'])} has no negative entry), but "
                         "where h < 0 it bends the map: no single matrix can.")
    return steps
