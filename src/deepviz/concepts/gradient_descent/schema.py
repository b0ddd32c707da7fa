"""The gradient-descent trace's typed shape (no torch, no Manim): what compute returns and the scene reads."""
from __future__ import annotations

from typing import TypedDict


class Truth(TypedDict):
    slope: float
    intercept: float
    noise: float


class Contour(TypedDict):
    level: float
    segments: list[list[list[float]]]


class Run(TypedDict, total=False):
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
    verdict: str  # learning-rates part only
    steps_per_epoch: int  # batches part only


class GradientDescentData(TypedDict):
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
