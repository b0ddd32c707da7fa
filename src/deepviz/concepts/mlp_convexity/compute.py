"""Why a network's loss is not convex, computed with torch: params -> Trace.

    h = tanh(x W1 + b1)      W1: 2 x H (column j feeds hidden unit j), b1: H
    y = h W2 + b2            W2: H x 1 (row j reads hidden unit j), b2: 1
    L(theta) = 1/N sum_n (y_n - t_n)^2

Swapping hidden units a and b (columns a, b of W1, entries a, b of b1, rows a, b of W2) permutes h
and leaves every y, hence L, unchanged: theta and its swap theta' are two minima with one loss. On the
straight line theta(s) = (1 - s) theta + s theta', a convex L would stay at or below the chord between
them; the midpoint s = 1/2 averages the two units into one and its loss rises above it (not convex).
Around a minimum the curve lies below the chord between its two neighbours (not concave).
"""
from __future__ import annotations

import itertools
import math
from typing import Any

import torch

from ...style.numbers import SUPERSCRIPT, fmt_num, fmt_sig
from ...trace import Trace, to_plain
from .data import POINTS, targets
from .schema import MlpConvexityData

DT = torch.float64
LR = 0.05  # Adam's learning rate: full-batch training on the 24 points
LINE_STEPS = 40  # the line theta(s) is sampled at s = k / 40: 0, 1/2 and 1 exactly among them
LINE = (-14, 54)  # k from -14 to 54: s from -0.35 to 1.35 (0 and 1 are the two minima)
NEIGHBOUR = 0.25  # the concavity check compares L(0) with the chord from s = -0.25 to s = 0.25


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    h, a, b = values["hidden"], values["unit_a"] - 1, values["unit_b"] - 1
    x = torch.tensor(POINTS, dtype=DT)
    t = torch.tensor(targets(), dtype=DT)
    theta, history = train(x, t, h, values["seed"], values["steps"])
    perm = list(range(h))
    perm[a], perm[b] = perm[b], perm[a]
    swapped = permute(theta, perm)

    k = values["example"] - 1
    fwd, fwd_swapped = forward(theta, x), forward(swapped, x)
    loss, loss_swapped = mse(fwd[1], t), mse(fwd_swapped[1], t)
    s = torch.arange(LINE[0], LINE[1] + 1, dtype=DT) / LINE_STEPS
    line = torch.stack([mse(forward(blend(theta, swapped, v), x)[1], t) for v in s.tolist()])
    mid = mse(forward(blend(theta, swapped, 0.5), x)[1], t)
    chord = (loss + loss_swapped) / 2
    left, right = (mse(forward(blend(theta, swapped, v), x)[1], t) for v in (-NEIGHBOUR, NEIGHBOUR))
    grad_norm = gradient_norm(theta, x, t)
    data = {
        "hidden": h, "units": [a, b], "perm": perm, "seed": values["seed"], "steps": values["steps"], "lr": LR,
        "x": x, "t": t, "loss_history": history,
        "theta": as_dict(theta), "swapped": as_dict(swapped), "gradient_norm": grad_norm,
        "example": k,
        "forward": {"x": x[k], "t": t[k], "h": fwd[0][k], "y": fwd[1][k]},
        "forward_swapped": {"x": x[k], "t": t[k], "h": fwd_swapped[0][k], "y": fwd_swapped[1][k]},
        "y": fwd[1], "y_swapped": fwd_swapped[1], "max_output_change": (fwd[1] - fwd_swapped[1]).abs().max(),
        "loss": loss, "loss_swapped": loss_swapped, "loss_change": (loss_swapped - loss).abs(),
        "line": {"s": s, "loss": line},
        "midpoint": {"loss": mid, "chord": chord, "above": bool(mid > chord), "merged": as_dict(blend(theta, swapped,
                                                                                                    0.5))},
        "neighbours": {"s": [-NEIGHBOUR, NEIGHBOUR], "loss": [left, right], "chord": (left + right) / 2,
                       "below": bool(loss < (left + right) / 2)},
        "orderings": math.factorial(h), "sign_flips": 2 ** h, "equivalent": math.factorial(h) * 2 ** h,
        "orders": [list(p) for p in itertools.permutations(range(h))],
    }
    plain: MlpConvexityData = to_plain(data)
    return Trace(concept="mlp-convexity", params={}, data=plain, narration=narration(plain), preset=preset)


def init(h: int, seed: int) -> list[torch.Tensor]:
    """nn.Linear's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from a seeded generator."""
    g = torch.Generator().manual_seed(seed)

    def uniform(*shape, fan_in):
        bound = 1 / math.sqrt(fan_in)
        return (torch.rand(*shape, generator=g, dtype=DT) * 2 - 1) * bound

    return [uniform(2, h, fan_in=2), uniform(h, fan_in=2), uniform(h, 1, fan_in=h), uniform(1, fan_in=h)]


def train(x: torch.Tensor, t: torch.Tensor, h: int, seed: int, steps: int):
    """Full-batch Adam on the mean squared error; returns the parameters and the loss every 10% of the way."""
    params = [p.requires_grad_(True) for p in init(h, seed)]
    opt = torch.optim.Adam(params, lr=LR)
    history = []
    every = max(1, steps // 10)
    for step in range(steps):
        opt.zero_grad()
        loss = mse(forward(params, x)[1], t)
        if step % every == 0:
            history.append([step, loss.item()])
        loss.backward()
        opt.step()
    theta = [p.detach().clone() for p in params]
    history.append([steps, mse(forward(theta, x)[1], t).item()])
    return theta, history


def forward(theta: list[torch.Tensor], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    w1, b1, w2, b2 = theta
    hidden = torch.tanh(x @ w1 + b1)
    return hidden, (hidden @ w2 + b2)[:, 0]


def mse(y: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return ((y - t) ** 2).mean()


def permute(theta: list[torch.Tensor], perm: list[int]) -> list[torch.Tensor]:
    """Reorder the hidden units: columns of W1, entries of b1, rows of W2 (b2 is shared)."""
    w1, b1, w2, b2 = theta
    return [w1[:, perm], b1[perm], w2[perm], b2.clone()]


def blend(p: list[torch.Tensor], q: list[torch.Tensor], s: float) -> list[torch.Tensor]:
    return [(1 - s) * u + s * v for u, v in zip(p, q)]


def gradient_norm(theta: list[torch.Tensor], x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    params = [p.clone().requires_grad_(True) for p in theta]
    grads = torch.autograd.grad(mse(forward(params, x)[1], t), params)
    return torch.sqrt(sum(((g ** 2).sum() for g in grads), torch.zeros((), dtype=torch.float64)))


def as_dict(theta: list[torch.Tensor]) -> dict[str, torch.Tensor]:
    w1, b1, w2, b2 = theta
    return {"W1": w1, "b1": b1, "W2": w2, "b2": b2}


def narration(d: MlpConvexityData) -> dict[str, str]:
    h, (a, b) = d["hidden"], d["units"]
    power = str(h).translate(SUPERSCRIPT)
    ua, ub = f"h{a + 1}", f"h{b + 1}"
    f, fs = d["forward"], d["forward_swapped"]
    mid, nb = d["midpoint"], d["neighbours"]
    n = len(d["x"])
    change = d["loss_change"]
    same = "exactly the same" if change == 0 else f"the same up to rounding (they differ by {fmt_sig(change, 2)})"
    if mid["above"]:
        proof = (f"Halfway between the two settings the loss is {fmt_sig(mid['loss'], 3)}, above the chord's "
                 f"{fmt_sig(mid['chord'], 3)}: a convex loss could not rise there. The loss is not convex.")
    else:
        proof = (f"Here the midpoint's loss, {fmt_sig(mid['loss'], 3)}, is not above the chord's "
                 f"{fmt_sig(mid['chord'], 3)}: this pair of settings does not show non-convexity.")
    if nb["below"]:
        concave = (f"Nor is it concave: around a minimum the curve dips below the chord between its neighbours "
                   f"({fmt_sig(d['loss'], 3)} < {fmt_sig(nb['chord'], 3)}).")
    else:
        concave = (f"Around the first minimum the curve does not dip below its neighbours' chord "
                   f"({fmt_sig(d['loss'], 3)} vs {fmt_sig(nb['chord'], 3)}).")
    return {
        "intro": f"A 2-{h}-1 network with tanh hidden units, trained with Adam for {d['steps']} steps on {n} "
                 f"points (the XOR pattern, t = \u00b11). {ua}'s weights are {{color:series0}}, {ub}'s "
                 "{color:series1}.",
        "forward": f"A forward pass for point {d['example'] + 1}: x = ({fmt_num(f['x'][0])}, {fmt_num(f['x'][1])}) "
                   f"gives y = {fmt_num(f['y'], 3)} (target {fmt_num(f['t'])}). Over all {n} points the mean "
                   f"squared error is L = {fmt_sig(d['loss'], 3)}.",
        "minimum": f"A real minimum: the gradient's norm there is {fmt_sig(d['gradient_norm'], 2)}.",
        "swap": f"Swap {ua} and {ub}: their columns of W1, entries of b1 and rows of W2 trade places, and their "
                "edges go with them.",
        "again": f"The same point gives the same y = {fmt_num(fs['y'], 3)}: {ua} = {fmt_num(f['h'][a], 2)} and "
                 f"{ub} = {fmt_num(f['h'][b], 2)} have traded places, and the sum is the same. The loss is {same}: "
                 f"L = {fmt_sig(d['loss_swapped'], 3)}.",
        "line": "Walk in a straight line from the first setting to the swapped one and compute the loss on the way: "
                "two minima, and a barrier between them.",
        "proof": proof,
        "concave": concave,
        "count": f"Any order of the {h} hidden units gives the same loss: {h}! = {d['orderings']} equivalent "
                 f"minima. With tanh, flipping a unit's signs does too: {d['orderings']} \u00d7 2{power} = "
                 f"{d['equivalent']}.",
    }
