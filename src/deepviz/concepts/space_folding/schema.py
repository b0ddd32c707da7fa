"""The shape of a `space-folding` trace's data (docs/traces/space-folding.md): no torch, no Manim.

Point sets are lists of rows, one per point; layer l has W_l (out x in, as nn.Linear.weight) and b_l.
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict


class Layer(TypedDict):
    """`data.weights[l]`."""

    W: list[list[float]]
    b: list[float]


class Window(TypedDict):
    """`data.stages[k].window`: the axes drawn."""

    center: list[float]
    half: float


class StageBase(TypedDict):
    """`data.stages[k]`: the points after one operation, in order."""

    layer: int  # 1-based; 0 for the input
    formula: str  # as shown
    dim: int  # 2 or 3
    points: list[list[float]]  # N x dim
    outline: list[list[float]]  # the square's border after this stage, or []
    extent: float  # largest absolute coordinate
    limit: float  # the smallest nice number >= 1.08 x extent
    window: Window


class MapStage(StageBase):
    """A stage of kind input, linear or bias."""

    kind: Literal["input", "linear", "bias"]


class ActivationStage(StageBase):
    """A stage of kind activation: what the function did to the points."""

    kind: Literal["activation"]
    function: str
    folded: int  # points with a negative coordinate before it
    to_origin: int  # points with all coordinates negative
    negatives_after: int  # negative coordinates after it
    range: list[float]  # [min, max] of the coordinates


Stage = MapStage | ActivationStage  # `kind` tells them apart


class Classifier(TypedDict):
    """`data.classifier` (trained only): p = sigmoid(w . h + b) on the last plane."""

    w: list[float]
    b: float
    logits: list[float]
    predicted: list[int]
    accuracy: float
    loss: float
    loss_history: list[list[float]]  # [step, loss]
    lr: float
    line: list[list[float]]  # the ends of w . h + b = 0 inside [-limit, limit]^2 of the last stage
    window_line: list[list[float]]  # its ends inside the last stage's window, as drawn


class Boundary(TypedDict):
    """`data.boundary` (trained only): where the logit changes sign in the input square."""

    center: list[float]  # the input stage's window is center +- limit
    limit: float
    grid: int  # marching squares' resolution
    segments: list[list[float]]  # [x0, y0, x1, y1]
    pieces: int | None  # (leaky) ReLU: straight pieces of the boundary; null for a smooth activation


class SpaceFoldingData(TypedDict):
    """`data`."""

    layers: list[int]  # sizes of the spaces, e.g. [2, 3, 2]
    architecture: str  # as drawn: 2-3-2 for the square, 2-3-2-1 for a trained one
    activation: str
    activation_name: str  # for display
    leak: float  # leaky ReLU's slope
    dataset: str  # square, circles or moons
    trained: bool  # false for the square
    seed: int
    steps: int
    n_points: int
    x: list[list[float]]  # the input points (N x 2)
    labels: list[int]  # the square: the sign pattern of W1 x + b1; else the class
    outline: list[list[float]]  # the square's border (M x 2, closed), or []
    weights: list[Layer]
    stages: list[Stage]
    classifier: NotRequired[Classifier]
    boundary: NotRequired[Boundary]


DATA = SpaceFoldingData  # the type of Trace.data (the contract test checks every preset against it)
