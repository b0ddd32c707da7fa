"""The shape of a `gradient-descent` trace's data (docs/traces/gradient-descent.md): no torch, no Manim.

A one-neuron regression y = w x + b, its loss J(w, b) over the cases, and descents on it. A point in weight
space is [w, b].
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Truth(TypedDict):
    """`data.truth`: the line the cases were generated from."""

    slope: float
    intercept: float
    noise: float


class Contour(TypedDict):
    """`data.contours[k]`: one level of J drawn."""

    level: float
    segments: list[list[list[float]]]


class Run(TypedDict):
    """`data.runs[k]`: one descent."""

    optimizer: str  # "SGD" or "Adam"
    lr: float
    momentum: float
    batch: int
    fraction: float | None  # lr / (2 / lambda_max); None for Adam
    path: list[list[float]]  # (w, b) at the start and after each step
    J: list[float]
    grad: list[list[float]]  # full-batch (dJ/dw, dJ/db) at each point of the path
    samples: list[int]  # case gradients computed before each point of the path
    steps: int
    diverged: bool
    remaining: float
    shown: list[list[float]]  # the path up to where it leaves the window (ending on its edge)
    log_J: list[float]  # log10 J, the loss plots' y
    line: list[list[float]]  # y = w x + b at x_ends, for each point of the path
    uphill: list[list[float]]  # point + lr * grad: the gradient's step, drawn uphill
    verdict: str  # crawls, converges, oscillates or diverges
    steps_per_epoch: int  # ceil(n / batch)


class GradientDescentData(TypedDict):
    """`data`."""

    part: str
    x: list[float]
    t: list[float]
    n: int
    x_ends: list[float]  # smallest and largest x
    x_centre: float  # mean of x
    truth: Truth
    hessian: list[list[float]]
    eigenvalues: list[float]
    eigenvectors: list[list[float]]
    condition: float
    w_min: list[float]
    J_min: float
    start: list[float]
    J_start: float
    lr_max: float
    window: list[list[float]]
    contours: list[Contour]
    runs: list[Run]
    detailed: int  # descent part: the first steps spelled out with their gradient (0 in the other parts)


DATA = GradientDescentData  # the type of Trace.data (the contract test checks every preset against it)
