"""The shape of a `mlp-convexity` trace's data (docs/traces/mlp-convexity.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Theta(TypedDict):
    """`data.theta`."""

    W1: list[list[float]]  # 2 x H (column j feeds hidden unit j),
    b1: list[float]  # of length H,
    W2: list[list[float]]  # H x 1 (row j reads hidden unit j) and
    b2: list[float]  # of length 1


class Swapped(TypedDict):
    """`data.swapped`."""

    W1: list[list[float]]  # 2 x H (column j feeds hidden unit j),
    b1: list[float]  # of length H,
    W2: list[list[float]]  # H x 1 (row j reads hidden unit j) and
    b2: list[float]  # of length 1


class Forward(TypedDict):
    """`data.forward`."""

    x: list[float]
    t: float
    h: list[float]  # and output
    y: float


class ForwardSwapped(TypedDict):
    """`data.forward_swapped`."""

    x: list[float]
    t: float
    h: list[float]  # and output
    y: float


class Line(TypedDict):
    """`data.line`."""

    s: list[float]  # from -0.35 to 1.35 in steps of 1/40
    loss: list[float]


class Merged(TypedDict):
    """`data.midpoint.merged`."""

    W1: list[list[float]]  # 2 x H (column j feeds hidden unit j),
    b1: list[float]  # of length H,
    W2: list[list[float]]  # H x 1 (row j reads hidden unit j) and
    b2: list[float]  # of length 1


class Midpoint(TypedDict):
    """`data.midpoint`."""

    loss: float
    chord: float  # = the mean of the two end losses,
    above: bool  # the non-convexity proof holds
    merged: Merged  # the midpoint's weights


class Neighbours(TypedDict):
    """`data.neighbours`."""

    s: list[float]  # from -0.35 to 1.35 in steps of 1/40
    loss: list[float]
    chord: float  # = the mean of the two end losses,
    below: bool  # `loss` < chord: not concave


class MlpConvexityData(TypedDict):
    """`data`."""

    hidden: int  # H
    units: list[int]  # the two swapped units, from 0
    perm: list[int]  # the new order of the hidden units: position j holds unit `perm[j]`
    seed: int
    steps: int
    lr: float
    x: list[list[float]]
    t: list[float]
    loss_history: list[list[float]]  # `[step, loss]` pairs during training
    theta: Theta  # the trained weights: `W1`, `b1`, `W2`, `b2`
    swapped: Swapped  # the same with the two units swapped (columns of `W1`, entries of `b1`, rows of `W2`)
    gradient_norm: float  # the norm of the loss's gradient at `theta` (small: a minimum)
    example: int  # the point the forward pass shows (from 0)
    forward: Forward
    forward_swapped: ForwardSwapped
    y: list[float]
    y_swapped: list[float]
    max_output_change: float  # the largest difference between them
    loss: float
    loss_swapped: float
    loss_change: float
    line: Line
    midpoint: Midpoint  # `loss` at s = 1/2, `chord` = the mean of the two end losses, `above`
    neighbours: Neighbours  # `s` = [-0.25, 0.25], their `loss`, `chord` their mean, `below`
    orderings: int  # H!, the orderings of the hidden units (each a minimum with the same loss)
    sign_flips: int
    equivalent: int
    orders: list[list[int]]  # every ordering, as a list of unit indices


DATA = MlpConvexityData  # the type of Trace.data (the contract test checks every preset against it)

