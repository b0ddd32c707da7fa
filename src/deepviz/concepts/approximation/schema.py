"""The shape of a `approximation` trace's data (docs/traces/approximation.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Weights(TypedDict):
    """`data.weights`."""

    W1: list[list[float]]  # hidden x 64
    b1: list[float]
    W2: list[list[float]]  # 10 x hidden
    b2: list[float]  # , as


class Example(TypedDict):
    """`data.examples[k]`."""

    index: int
    pixels: list[list[float]]  # 8 x 8
    label: int
    hidden: list[float]
    logits: list[float]
    probabilities: list[float]  # softmax
    prediction: int  # argmax


class Snapshot(TypedDict):
    """`data.neuron.sigmoid.snapshots[k]`."""

    step: int
    w: float
    b: float
    y: list[float]  # 25 points of S-shaped data, seeded noise


class Linear(TypedDict):
    """`data.neuron.linear`."""

    w: float
    b: float
    loss: float  # , and
    snapshots: list[Snapshot]  # `step`, `w`, `b`, `y` at `xs`


class Sigmoid(TypedDict):
    """`data.neuron.sigmoid`."""

    w: float
    b: float
    loss: float  # , and
    snapshots: list[Snapshot]  # `step`, `w`, `b`, `y` at `xs`


class Neuron(TypedDict):
    """`data.neuron`."""

    x: list[float]
    y: list[float]  # 25 points of S-shaped data, seeded noise
    linear: Linear
    sigmoid: Sigmoid  # below


class Target(TypedDict):
    """`data.target`."""

    name: str
    x: list[float]
    y: list[float]  # 25 points of S-shaped data, seeded noise
    curve: list[float]  # the target at `xs`


class Fit(TypedDict):
    """`data.fits[k]`."""

    n: int  # units
    w: list[float]
    b: list[float]
    v: list[float]
    c: float
    loss: float  # , and
    units: list[list[float]]
    sum: list[float]  # `y` at `xs`


class ApproximationData(TypedDict):
    """`data`."""

    show: str
    seed: int
    hidden: NotRequired[int]
    steps: int
    lr: float
    n_train: NotRequired[int]
    n_test: NotRequired[int]
    train_index: NotRequired[list[int]]
    test_index: NotRequired[list[int]]
    weights: NotRequired[Weights]  # `W1` (hidden x 64), `b1`, `W2` (10 x hidden), `b2`, as `nn.Linear`
    loss_history: NotRequired[list[list[float]]]  # `[step, loss]`
    train_loss: NotRequired[float]
    train_accuracy: NotRequired[float]
    test_loss: NotRequired[float]
    test_accuracy: NotRequired[float]
    test_predictions: NotRequired[list[int]]
    examples: NotRequired[list[Example]]  # the first `--digits` test digits: `index`, `pixels` (8 x 8), `label`, `hidden`
    x_range: NotRequired[list[float]]
    xs: NotRequired[list[float]]
    neuron: NotRequired[Neuron]  # `x`, `y` (25 points of S-shaped data, seeded noise), `linear` and `sigmoid` (below)
    target: NotRequired[Target]  # `name`, `x`, `y` (61 samples the sums are fitted to), `curve` (the target at `xs`)
    fits: NotRequired[list[Fit]]  # one per `--units` entry (below)


DATA = ApproximationData  # the type of Trace.data (the contract test checks every preset against it)

