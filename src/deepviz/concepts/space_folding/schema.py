"""The shape of a `space-folding` trace's data (docs/traces/space-folding.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Weights(TypedDict):
    """`data.weights[k]`."""

    W: list[list[float]]
    b: list[float]  # the output neuron


class Stage(TypedDict):
    """`data.stages[k]`."""

    kind: str  # `input`, `linear`, `bias`, `activation`
    layer: int  # 1-based; 0 for the input
    formula: str  # as shown,
    dim: int  # 2 or 3
    points: list[list[float]]  # N x dim
    outline: list[list[float]]  # the square's border (M x 2, closed), or `[]`
    extent: float  # largest absolute coordinate
    limit: float
    function: NotRequired[str]
    folded: NotRequired[int]  # points with a negative coordinate before it
    to_origin: NotRequired[int]  # points with all coordinates negative
    negatives_after: NotRequired[int]  # negative coordinates after it
    range: NotRequired[list[float]]  # `[min, max]` of the coordinates


class Classifier(TypedDict):
    """`data.classifier`."""

    w: list[float]
    b: float  # the output neuron
    logits: list[float]
    predicted: list[int]
    accuracy: float
    loss: float
    loss_history: list[list[float]]  # `[step, loss]`
    lr: float
    line: list[list[float]]  # the ends of `w . h + b = 0` inside the last stage's axes


class Boundary(TypedDict):
    """`data.boundary`."""

    limit: float
    grid: int
    segments: list[list[float]]


class SpaceFoldingData(TypedDict):
    """`data`."""

    layers: list[int]  # sizes of the spaces, e.g. `[2, 3, 2]`
    activation: str
    activation_name: str
    leak: float
    dataset: str
    trained: bool
    seed: int
    steps: int
    n_points: int
    x: list[list[float]]  # the input points (N x 2): a k x k lattice on [-1, 1]^2, or the two classes
    labels: list[int]  # per point: the sign pattern of `W1 x + b1`
    outline: list[list[float]]  # the square's border (M x 2, closed), or `[]`
    weights: list[Weights]  # per layer `{W, b}`
    stages: list[Stage]  # the points after every operation, in order (below)
    classifier: NotRequired[Classifier]  # trained only (below)
    boundary: NotRequired[Boundary]


DATA = SpaceFoldingData  # the type of Trace.data (the contract test checks every preset against it)

