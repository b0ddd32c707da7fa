"""The shape of an `adversarial` trace's data (docs/traces/adversarial.md): no torch, no Manim.

Images are [row][column], 16 x 16, pixel values 0..1; perturbations are adversarial image minus input.
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

Image = list[list[float]]


class Outcome(TypedDict):
    """One attacked image and what the network makes of it."""

    epsilon: float
    image: Image
    perturbation: Image  # image - input: every value within [-epsilon, epsilon]
    linf: float  # the largest |perturbation|
    probabilities: list[float]
    predicted: int
    confidence: float  # the probability of the predicted class
    success: bool  # the attack's goal is met: the target class, or any class but the original prediction


class Step(TypedDict):
    """`data.path[n]`: the attack after step n (n = 1..steps)."""

    step: int
    linf: float
    predicted: int
    confidence: float
    goal_probability: float  # the target's probability (targeted), else the original class's


class Snapshot(TypedDict):
    step: int
    perturbation: Image


class Sweep(TypedDict):
    """`data.sweep`: the chosen attack at evenly spaced epsilons from 0 to `epsilon`."""

    outcomes: list[Outcome]
    first: int | None  # index of the first outcome that succeeds (None: none does)


class Smallest(TypedDict):
    """`data.smallest`: the smallest epsilon (up to 1) that meets the attack's goal, or None."""

    fgsm: float | None
    pgd: float | None


class AdversarialData(TypedDict):
    """`data`."""

    part: Literal["attack", "sweep"]
    attack: Literal["fgsm", "pgd"]
    source: str
    test_size: int
    correct: int
    accuracy: float
    digit: int
    label: int
    input: Image
    probabilities: list[float]  # the network's softmax for the input
    predicted: int
    confidence: float
    epsilon: float
    steps: int  # 1 for FGSM
    alpha: float  # the step size (epsilon for FGSM, 2.5 epsilon / steps for PGD)
    target: int  # the target class, or -1: away from the predicted class
    loss_class: int  # the class whose cross-entropy the attack differentiates
    loss: float  # that cross-entropy at the input
    gradient: Image  # d loss / d input
    gradient_scale: float  # the largest |gradient|
    direction: Image  # the first step's sign pattern: sign(gradient), negated when targeted
    result: Outcome  # the chosen attack at epsilon
    fgsm: Outcome  # FGSM at epsilon (the same as result when the attack is FGSM)
    path: list[Step]  # the chosen attack after each step
    snapshots: list[Snapshot]  # the perturbation after a few of the steps (the last included)
    sweep: Sweep
    smallest: Smallest


DATA = AdversarialData  # the type of Trace.data (the contract test checks every preset against it)
