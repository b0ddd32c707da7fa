"""The shape of a `perceptron` trace's data (docs/traces/perceptron.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Flipped(TypedDict):
    """`data.one.flipped`."""

    w: float
    b: float
    z: list[float]  # = `w x + b`
    y: list[float]
    boundary: float  # 1, 2, 3 inputs and the general form


class One(TypedDict):
    """`data.one`."""

    w: float
    b: float
    x: list[float]  # the six temperatures
    z: list[float]  # = `w x + b`
    y: list[float]
    boundary: float  # 1, 2, 3 inputs and the general form
    window: list[int]  # number line
    on_right: bool
    flipped: Flipped  # `w`, `b`, `z`, `y`, `boundary` with both signs flipped


class Two(TypedDict):
    """`data.two`."""

    w: list[float]
    b: float
    x: list[list[float]]  # the six temperatures
    z: list[float]  # = `w x + b`
    y: list[float]
    segment: list[list[float]]  # the boundary line's two ends in the window
    on: list[list[float]]
    off: list[list[float]]  # the half-planes' polygons


class Three(TypedDict):
    """`data.three`."""

    w: list[float]
    b: float
    x: list[list[float]]  # the six temperatures
    z: list[float]  # = `w x + b`
    y: list[float]
    polygon: list[list[float]]  # the plane cut by the box, corners in order
    changed: list[int]  # days whose output differs from `two`


class General(TypedDict):
    """`data.general`."""

    W: list[list[float]]  # 1 x 3
    x: list[float]  # the six temperatures
    b: float
    products: list[float]
    Wx: list[float]
    z: list[float]  # = `w x + b`
    y: list[float]


class StatesItem(TypedDict):
    """`data.learning.states[k]`."""

    w: list[float]
    b: float
    segment: list[list[float]]  # the boundary line's two ends in the window
    on: list[list[float]]


class UpdatesItem(TypedDict):
    """`data.learning.updates[k]`."""

    epoch: int
    index: int
    x: list[float]  # the six temperatures
    t: float  # 8 separable points and targets
    z: float  # = `w x + b`
    y: float
    delta_w: list[float]  # = `lr (t - y) x`
    delta_b: float
    w_before: list[float]
    b_before: float
    w: list[float]
    b: float
    state: int


class EpochsItem(TypedDict):
    """`data.learning.epochs[k]`."""

    epoch: int
    mistakes: int
    updates: list[int]


class Learning(TypedDict):
    """`data.learning`."""

    x: list[list[float]]  # the six temperatures
    t: list[float]  # 8 separable points and targets
    lr: float
    init: list[float]  # `[w1, w2, b]`
    states: list[StatesItem]  # one per line drawn: `w`, `b`, `segment`, `on` polygon; `states[0]` is the start
    updates: list[UpdatesItem]
    epochs: list[EpochsItem]  # `epoch`, `mistakes`, `updates` indices; stops after an epoch without mistakes
    converged: bool
    correct: int
    y_final: list[float]
    w: list[float]
    b: float
    wrong_at_start: int


class PerceptronData(TypedDict):
    """`data`."""

    part: str  # `boundary` (1, 2, 3 inputs and the general form) or `learning` (the learning rule)
    features: list[str]
    units: list[str]
    box: list[list[float]]
    days: list[list[float]]  # the eight example days `[temperature, humidity, wind]`
    one: One  # one input: `w`, `b`, `x` (the six temperatures), `z` = `w x + b`, `y`
    two: Two  # two inputs: `w`, `b`, `x` (days' temperature and humidity), `z`, `y`, `segment`
    three: Three
    general: General  # day 1 through `y = H(W x + b)`: `W` (1 x 3), `x`, `b`, `products`, `Wx`, `z`, `y`
    learning: Learning  # the learning rule (below)


DATA = PerceptronData  # the type of Trace.data (the contract test checks every preset against it)

