"""The shape of a `perceptron` trace's data (docs/traces/perceptron.md): no torch, no Manim.

y = H(w . x + b) with H(z) = 1 for z >= 0, else 0 (torch.heaviside, H(0) = 1).
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Flipped(TypedDict):
    """`data.one.flipped`: the same neuron with both signs flipped."""

    w: float
    b: float
    z: list[float]
    y: list[float]
    boundary: float


class One(TypedDict):
    """`data.one`: one input (temperature)."""

    w: float
    b: float
    x: list[float]  # the six temperatures
    z: list[float]  # w x + b
    y: list[float]
    boundary: float  # -b / w
    window: list[int]  # the number line's range
    on_right: bool  # the neuron fires right of the boundary
    flipped: Flipped


class Two(TypedDict):
    """`data.two`: two inputs (temperature, humidity)."""

    w: list[float]
    b: float
    x: list[list[float]]  # the days' temperature and humidity
    z: list[float]
    y: list[float]
    segment: list[list[float]]  # the boundary line's two ends in the window
    on: list[list[float]]  # the half-planes' polygons
    off: list[list[float]]


class Three(TypedDict):
    """`data.three`: three inputs (temperature, humidity, wind)."""

    w: list[float]
    b: float
    x: list[list[float]]
    z: list[float]
    y: list[float]
    polygon: list[list[float]]  # the plane cut by the box, corners in order
    changed: list[int]  # days whose output differs from `two`


class General(TypedDict):
    """`data.general`: day 1 through y = H(W x + b)."""

    W: list[list[float]]  # 1 x 3
    x: list[float]
    b: float
    products: list[float]
    Wx: list[float]
    z: list[float]
    y: list[float]


class State(TypedDict):
    """`data.learning.states[k]`: one line drawn (states[0] is the start)."""

    w: list[float]
    b: float
    segment: list[list[float]]
    on: list[list[float]]  # the positive half-plane's polygon
    wrong: list[int]  # the points this line puts on the wrong side


class Update(TypedDict):
    """`data.learning.updates[k]`: one mistake and the update it causes."""

    epoch: int
    index: int  # the point
    x: list[float]
    t: float
    z: float
    y: float
    delta_w: list[float]  # lr (t - y) x
    delta_b: float
    w_before: list[float]
    b_before: float
    w: list[float]
    b: float
    state: int  # index into `states`


class Epoch(TypedDict):
    """`data.learning.epochs[k]`."""

    epoch: int
    mistakes: int
    updates: list[int]  # indices into `updates`


class Learning(TypedDict):
    """`data.learning`: the perceptron learning rule on 8 separable points."""

    x: list[list[float]]
    t: list[float]  # targets
    lr: float
    init: list[float]  # [w1, w2, b]
    states: list[State]
    updates: list[Update]
    epochs: list[Epoch]  # stops after an epoch without mistakes
    converged: bool
    correct: int
    y_final: list[float]
    w: list[float]
    b: float
    wrong_at_start: int
    arrow_scale: float  # one factor for every arrow w drawn from the origin


class PerceptronData(TypedDict):
    """`data`."""

    part: str  # boundary or learning
    features: list[str]  # temperature, humidity, wind speed
    units: list[str]
    box: list[list[float]]  # the on-screen window of each feature
    days: list[list[float]]  # the eight example days [temperature, humidity, wind]
    one: One
    two: Two
    three: Three
    general: General
    learning: Learning


DATA = PerceptronData  # the type of Trace.data (the contract test checks every preset against it)
