"""The shape of a `ravines` trace's data (docs/traces/ravines.md): no torch, no Manim.

A linear neuron without bias and its cost J(w) = w^T A w - 2 b^T w + c over N cases, on the raw and
on the normalised inputs. Vectors are [w1, w2] or [x1, x2].
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Normalisation(TypedDict):
    """`data.normalisation`: (x - mean) / std per input column."""

    std_kind: str  # biased or unbiased
    correction: int  # 0 or 1, as in torch.std(..., correction=)
    mean: list[float]
    std: list[float]
    z: list[list[float]]  # the normalised inputs
    z_mean: list[float]  # 0 up to rounding
    z_std: list[float]  # 1 up to rounding
    condition_from_correlation: float  # (1 + |r|) / (1 - |r|): the normalised Hessian's condition number


class Contour(TypedDict):
    """`data.<problem>.contours[k]`: one level of J drawn."""

    level: float
    segments: list[list[list[float]]]  # the parts of the ellipse J = level inside the window


# J as a polynomial; the keys are its monomials (not identifiers, hence the functional form).
Coefficients = TypedDict("Coefficients", {"w1^2": float, "w1w2": float, "w2^2": float, "w1": float, "w2": float,
                                          "1": float})


class Problem(TypedDict):
    """`data.raw`, `data.normalised`: the cost on one set of inputs and a gradient descent on it."""

    x: list[list[float]]  # the inputs this problem uses
    t: list[float]  # the targets (never normalised)
    A: list[list[float]]  # X^T X / N
    b: list[float]  # X^T t / N
    c: float  # t^T t / N
    coefficients: Coefficients
    hessian: list[list[float]]  # 2 A
    eigenvalues: list[float]  # of the Hessian, ascending (torch.linalg.eigh)
    eigenvectors: list[list[float]]  # the matching unit vectors, one per row
    condition: float  # largest / smallest eigenvalue
    correlation: float  # A12 / sqrt(A11 A22)
    w_min: list[float]
    J_min: float
    lr_max: float  # 2 / lambda_max: descent converges for rates below it
    lr: float  # lr_fraction * lr_max, the rate used
    path: list[list[float]]  # the weights after 0, 1, ..., steps steps
    J_path: list[float]
    remaining: float  # distance to w_min after the last step, as a fraction of the start's
    window: list[list[float]]  # [[w1_lo, w1_hi], [w2_lo, w2_hi]]
    contours: list[Contour]
    skipped_levels: list[float]  # levels asked for at or below J_min (no contour)


class RavinesData(TypedDict):
    """`data`."""

    rows: list[list[float]]  # the training cases, [x1, x2, t] per row
    n: int  # N
    scale_ratio: float  # mean |x2| / mean |x1|
    start: list[float]  # the weights both descents start from
    lr_fraction: float  # `--lr`: a fraction of each problem's largest stable rate
    steps: int  # gradient descent steps on each problem
    normalisation: Normalisation
    raw: Problem
    normalised: Problem


DATA = RavinesData  # the type of Trace.data (the contract test checks every preset against it)
