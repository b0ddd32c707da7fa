"""The shape of an `approximation` trace's data (docs/traces/approximation.md): no torch, no Manim.

`show` selects one of two shapes: sums of sigmoids fitted to curves, or an MLP reading digits.
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class Snapshot(TypedDict):
    """`data.neuron.<fit>.snapshots[k]`: the fit during training."""

    step: int
    w: float
    b: float
    y: list[float]  # the fitted curve at `xs`


class NeuronFit(TypedDict):
    """`data.neuron.linear` (y = w x + b) and `data.neuron.sigmoid` (y = sigmoid(w x + b)), by MSE."""

    w: float
    b: float
    loss: float
    snapshots: list[Snapshot]  # at steps 0, 10, 30, 80, 200 and the last


class Neuron(TypedDict):
    """`data.neuron`: one neuron fitted to S-shaped data."""

    x: list[float]  # 25 points, seeded noise
    y: list[float]
    linear: NeuronFit
    sigmoid: NeuronFit


class Target(TypedDict):
    """`data.target`: the curve the sums of sigmoids are fitted to."""

    name: str
    x: list[float]  # 61 samples
    y: list[float]
    curve: list[float]  # the target at `xs`


class Fit(TypedDict):
    """`data.fits[k]`: y = sum_j v_j sigmoid(w_j x + b_j) + c with n units."""

    n: int
    w: list[float]
    b: list[float]
    v: list[float]
    c: float
    loss: float  # mean squared error on the target's samples
    units: list[list[float]]  # n rows: v_j sigmoid(w_j x + b_j) at `xs`
    sum: list[float]  # y at `xs`
    partial: list[list[float]]  # n rows: the running sum of the first j+1 units plus c, at `xs`


class CurvesData(TypedDict):
    """`data` with `show = curves`."""

    show: Literal["curves"]
    seed: int
    steps: int
    lr: float  # Adam's learning rate
    x_range: list[float]  # the x window
    xs: list[float]  # the 121 x values every curve is drawn at
    neuron: Neuron
    target: Target
    fits: list[Fit]  # one per `--units` entry


class Weights(TypedDict):
    """`data.weights`: the digit MLP, as nn.Linear holds it."""

    W1: list[list[float]]  # hidden x 64
    b1: list[float]
    W2: list[list[float]]  # 10 x hidden
    b2: list[float]


class Example(TypedDict):
    """`data.examples[k]`: one test digit through the network."""

    index: int  # into load_digits()
    pixels: list[list[float]]  # 8 x 8, in 0..1
    label: int
    hidden: list[float]  # activations
    logits: list[float]
    probabilities: list[float]  # softmax
    prediction: int  # argmax


class DigitsData(TypedDict):
    """`data` with `show = digits`."""

    show: Literal["digits"]
    seed: int
    hidden: int
    steps: int  # `--digit-steps`
    lr: float
    n_train: int
    n_test: int
    train_index: list[int]
    test_index: list[int]
    weights: Weights
    loss_history: list[list[float]]  # [step, loss]
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    test_predictions: list[int]
    examples: list[Example]  # the first `--digits` test digits


ApproximationData = CurvesData | DigitsData
DATA = ApproximationData  # the type of Trace.data (the contract test checks every preset against it)
