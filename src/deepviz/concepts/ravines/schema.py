"""The shape of a `ravines` trace's data (docs/traces/ravines.md): no torch, no Manim."""
from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict


class Normalisation(TypedDict):
    """`data.normalisation`."""

    std_kind: str  # `biased` or `unbiased`
    correction: int
    mean: list[float]
    std: list[float]  # of each input column
    z: list[list[float]]  # the normalised inputs
    z_mean: list[float]
    z_std: list[float]


class Contour(TypedDict):
    """`data.normalised.contours[k]`."""

    level: float  # a value of J
    segments: list[list[list[float]]]  # , the parts of the ellipse


class Raw(TypedDict):
    """`data.raw`."""

    x: list[list[float]]
    t: list[float]
    A: list[list[float]]
    b: list[float]
    c: float
    coefficients: dict[str, float]  # J as a polynomial: keys `w1^2`, `w1w2`, `w2^2`, `w1`, `w2`, `1`
    hessian: list[list[float]]  # `2 A = 2/N X^T X`
    eigenvalues: list[float]  # of the Hessian, ascending (`torch.linalg.eigh`)
    eigenvectors: list[list[float]]  # the matching unit vectors, one per row
    condition: float  # `torch.linalg.cond(hessian)` = largest / smallest eigenvalue
    correlation: float  # `A12 / sqrt(A11 A22)`: for the normalised inputs, the correlation of x1 and x2
    w_min: list[float]
    J_min: float
    lr_max: float  # `2 / lambda_max`: gradient descent converges exactly for rates below it
    lr: float  # `lr_fraction * lr_max`, the rate used
    path: list[list[float]]
    J_path: list[float]
    remaining: float  # distance to `w_min` after the last step, as a fraction of the start's
    window: list[list[float]]  # `[[w1_lo, w1_hi], [w2_lo, w2_hi]]`: the plot's window
    contours: list[Contour]  # one entry per level drawn: `level` (a value of J) and `segments`
    skipped_levels: list[Any]  # levels asked for with `--contours` that lie at or below `J_min` (no contour)


class Normalised(TypedDict):
    """`data.normalised`."""

    x: list[list[float]]
    t: list[float]
    A: list[list[float]]
    b: list[float]
    c: float
    coefficients: dict[str, float]  # J as a polynomial: keys `w1^2`, `w1w2`, `w2^2`, `w1`, `w2`, `1`
    hessian: list[list[float]]  # `2 A = 2/N X^T X`
    eigenvalues: list[float]  # of the Hessian, ascending (`torch.linalg.eigh`)
    eigenvectors: list[list[float]]  # the matching unit vectors, one per row
    condition: float  # `torch.linalg.cond(hessian)` = largest / smallest eigenvalue
    correlation: float  # `A12 / sqrt(A11 A22)`: for the normalised inputs, the correlation of x1 and x2
    w_min: list[float]
    J_min: float
    lr_max: float  # `2 / lambda_max`: gradient descent converges exactly for rates below it
    lr: float  # `lr_fraction * lr_max`, the rate used
    path: list[list[float]]
    J_path: list[float]
    remaining: float  # distance to `w_min` after the last step, as a fraction of the start's
    window: list[list[float]]  # `[[w1_lo, w1_hi], [w2_lo, w2_hi]]`: the plot's window
    contours: list[Contour]  # one entry per level drawn: `level` (a value of J) and `segments`
    skipped_levels: list[Any]  # levels asked for with `--contours` that lie at or below `J_min` (no contour)


class RavinesData(TypedDict):
    """`data`."""

    rows: list[list[float]]  # the training cases, `[x1, x2, t]` per row
    n: int  # N, the number of cases
    scale_ratio: float  # mean \
    start: list[float]  # the weights both descents start from
    lr_fraction: float  # `--lr`: each descent's learning rate as a fraction of its problem's largest stable rate
    steps: int  # gradient descent steps on each problem
    normalisation: Normalisation  # below
    raw: Raw
    normalised: Normalised


DATA = RavinesData  # the type of Trace.data (the contract test checks every preset against it)

