"""The shape of an `mlp-convexity` trace's data (docs/traces/mlp-convexity.md): no torch, no Manim.

The network is h = tanh(x W1 + b1), y = h W2 + b2 with H hidden units.
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Weights(TypedDict):
    """`data.theta`, `data.swapped`, `data.midpoint.merged`: one point in weight space."""

    W1: list[list[float]]  # 2 x H (column j feeds hidden unit j)
    b1: list[float]  # H
    W2: list[list[float]]  # H x 1 (row j reads hidden unit j)
    b2: list[float]  # 1


class Forward(TypedDict):
    """`data.forward`, `data.forward_swapped`: the example point through one set of weights."""

    x: list[float]
    t: float  # its target
    h: list[float]  # hidden values
    y: float  # output


class Line(TypedDict):
    """`data.line`: the loss on the segment between theta and swapped."""

    s: list[float]  # from -0.35 to 1.35 in steps of 1/40
    loss: list[float]  # at (1 - s) theta + s swapped


class Midpoint(TypedDict):
    """`data.midpoint`: s = 1/2."""

    loss: float
    chord: float  # the mean of the two end losses
    above: bool  # loss > chord: the non-convexity proof holds
    merged: Weights  # the midpoint's weights


class Neighbours(TypedDict):
    """`data.neighbours`: s = -0.25 and 0.25."""

    s: list[float]
    loss: list[float]
    chord: float  # their mean
    below: bool  # loss < chord: not concave either


class MlpConvexityData(TypedDict):
    """`data`."""

    hidden: int  # H
    units: list[int]  # the two swapped units, from 0
    perm: list[int]  # the new order: position j holds unit perm[j]
    seed: int
    steps: int  # full-batch Adam steps
    lr: float
    x: list[list[float]]  # the data set (24 x 2)
    t: list[float]  # its targets (+-1)
    loss_history: list[list[float]]  # [step, loss]
    theta: Weights  # the trained weights
    swapped: Weights  # the same with the two units swapped
    gradient_norm: float  # the loss's gradient at theta (small: a minimum)
    example: int  # the point the forward pass shows (from 0)
    forward: Forward
    forward_swapped: Forward
    y: list[float]  # outputs on every point
    y_swapped: list[float]
    max_output_change: float
    loss: float
    loss_swapped: float
    loss_change: float  # |loss - loss_swapped| (rounding only)
    line: Line
    midpoint: Midpoint
    neighbours: Neighbours
    orderings: int  # H!
    sign_flips: int  # 2^H (tanh is odd)
    equivalent: int  # H! 2^H
    orders: list[list[int]]  # every ordering, as unit indices


DATA = MlpConvexityData  # the type of Trace.data (the contract test checks every preset against it)
