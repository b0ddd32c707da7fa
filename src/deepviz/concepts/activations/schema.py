"""The shape of a `activations` trace's data (docs/traces/activations.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Curve(TypedDict):
    """`data.curves[k]`."""

    name: str
    title: str
    formula: str
    dformula: str  # definitions in words
    y: list[float]
    dy: list[float]  # : the plotted ranges of f and f'
    f0: float
    d0: float  # at x = 0
    segments: list[list[list[float]]]
    dsegments: list[list[list[float]]]  # polylines of `[x, y]`, split at a jump
    min: float
    argmin: float
    max_slope: float
    argmax_slope: float  # on a dense grid of 20 001 points
    slope_at_end: float
    end: float


class Window(TypedDict):
    """`data.window`."""

    x: list[float]  # the 121 samples from `-x_max` to `x_max` (0 among them)
    y: list[float]
    dy: list[float]  # : the plotted ranges of f and f'


class Joined(TypedDict):
    """`data.joined`."""

    k: list[float]  # 1, 3, 10
    curves: list[list[list[float]]]  # one entry per function, in the order of `--functions` (below)
    step: list[list[list[float]]]  # the step's two pieces
    limits: list[float]


class Probability(TypedDict):
    """`data.probability`."""

    z: float
    p: float  # = sigmoid(z),
    q: float  # = sigmoid(-z),
    one_minus_p: float


class Collapse(TypedDict):
    """`data.collapse`."""

    W1: list[list[float]]
    b1: list[float]
    W2: list[list[float]]
    b2: list[float]  # seeded, one decimal
    W: list[list[float]]  # = `W2 @ W1`
    b: list[float]  # = `W2 @ b1 + b2`
    x: list[float]  # the 121 samples from `-x_max` to `x_max` (0 among them)
    h: list[float]  # = `W1 x + b1`
    y_two: list[float]  # = `W2 h + b2`
    y_one: list[float]  # = `W x + b`
    h_relu: list[float]
    y_relu: list[float]  # = `W2 relu(h) + b2`
    relu_active: bool  # h has a negative entry


class ActivationsData(TypedDict):
    """`data`."""

    x_max: float
    slope: float
    x: list[float]  # the 121 samples from `-x_max` to `x_max` (0 among them)
    curves: list[Curve]  # one entry per function, in the order of `--functions` (below)
    window: Window  # `x`, `y`, `dy`: the plotted ranges of f and f'
    joined: Joined  # `k` (1, 3, 10), `curves` (`[x, sigmoid(k x)]` per k), `step` (the step's two pieces)
    probability: Probability  # `z`, `p` = sigmoid(z), `q` = sigmoid(-z), `one_minus_p`
    collapse: Collapse  # `W1`, `b1`, `W2`, `b2` (seeded, one decimal), `W` = `W2 @ W1`, `b` = `W2 @ b1 + b2`


DATA = ActivationsData  # the type of Trace.data (the contract test checks every preset against it)

