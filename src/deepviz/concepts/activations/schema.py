"""The shape of an `activations` trace's data (docs/traces/activations.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Curve(TypedDict):
    """`data.curves[k]`: one activation function and its derivative at the samples."""

    name: str  # as in `--functions`
    title: str
    formula: str  # the definition, in words
    dformula: str  # the derivative's definition, in words
    y: list[float]  # f(x)
    dy: list[float]  # f'(x) (the step's derivative is 0 wherever it exists)
    f0: float  # f(0)
    d0: float  # f'(0)
    segments: list[list[list[float]]]  # polylines of [x, y], split at a jump
    dsegments: list[list[list[float]]]  # the same for f'
    min: float  # on a dense grid of 20 001 points
    argmin: float
    max_slope: float
    argmax_slope: float
    slope_at_end: float
    end: float
    y_range: list[float]  # the y range of this function's plot of f
    dy_range: list[float]  # ... and of f'


class Window(TypedDict):
    """`data.window`: the plotted ranges."""

    x: list[float]
    y: list[float]  # of f
    dy: list[float]  # of f'


class Joined(TypedDict):
    """`data.joined`: sigmoid(k x) approaching the step as k grows."""

    k: list[float]  # 1, 3, 10
    curves: list[list[list[float]]]  # [x, sigmoid(k x)] points per k
    step: list[list[list[float]]]  # the step's two pieces
    limits: list[float]


class Probability(TypedDict):
    """`data.probability`: the sigmoid as a probability."""

    z: float
    p: float  # sigmoid(z)
    q: float  # sigmoid(-z)
    one_minus_p: float


class Collapse(TypedDict):
    """`data.collapse`: two linear layers collapse into one; a ReLU between them does not."""

    W1: list[list[float]]  # seeded, one decimal
    b1: list[float]
    W2: list[list[float]]
    b2: list[float]
    W: list[list[float]]  # W2 @ W1
    b: list[float]  # W2 @ b1 + b2
    x: list[float]  # `--point`
    h: list[float]  # W1 x + b1
    y_two: list[float]  # W2 h + b2
    y_one: list[float]  # W x + b (equals y_two)
    h_relu: list[float]
    y_relu: list[float]  # W2 relu(h) + b2
    relu_active: bool  # h has a negative entry


class ActivationsData(TypedDict):
    """`data`."""

    x_max: float
    slope: float  # the leaky ReLU's negative slope
    x: list[float]  # the 121 samples from -x_max to x_max (0 among them)
    curves: list[Curve]  # in the order of `--functions`
    window: Window
    joined: Joined
    probability: Probability
    collapse: Collapse


DATA = ActivationsData  # the type of Trace.data (the contract test checks every preset against it)
