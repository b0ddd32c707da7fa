"""The shape of an `overfitting` trace's data (docs/traces/overfitting.md): no torch, no Manim.

Polynomial fits y = sum_k w_k P_k(x) (Legendre polynomials) of a small noisy sample of sin(pi x). The keys
shared by every part come first; each part adds its own.
"""
from __future__ import annotations

from typing import Union

from typing_extensions import TypedDict


class Fit(TypedDict):
    """One fitted polynomial."""

    w: list[float]  # weights of P_0 .. P_d
    train: float  # training MSE
    test: float  # test MSE
    log_train: float  # log10 of train
    log_test: float
    curve: list[list[list[float]]]  # the polynomial over [-1, 1] as polyline runs inside the plot


class DegreeFit(Fit):
    """`data.fits[k]` (capacity): the least-squares fit of one degree."""

    degree: int


class PenalisedFit(Fit):
    """`data.plain` (penalties): the fit with the sizes of its weights."""

    norm2: float  # sum_{k>=1} w_k^2
    norm1: float  # sum_{k>=1} |w_k|
    zeros: int  # weights w_1.. exactly 0


class L2Fit(PenalisedFit):
    """`data.l2[k]`: the minimum of MSE + lam sum_{k>=1} w_k^2."""

    lam: float


class L1Fit(L2Fit):
    """`data.l1[k]`: the minimum of MSE + lam sum_{k>=1} |w_k|."""

    iterations: int  # proximal-gradient iterations before the exact solve on the support


class StepFit(Fit):
    """`data.snapshots[k]`, `data.stopped`, `data.final` (early stopping): the fit after some steps."""

    step: int


class Common(TypedDict):
    """The keys of every part."""

    part: str
    x: list[float]
    t: list[float]
    test_x: list[float]
    test_t: list[float]
    n: int
    y_window: list[float]
    truth: list[list[list[float]]]


class CapacityData(Common):
    """`data` of the capacity part."""

    fits: list[DegreeFit]
    best_degree: int
    shown: list[int]


class PenaltiesData(Common):
    """`data` of the penalties part."""

    degree: int
    plain: PenalisedFit
    l2: list[L2Fit]
    l1: list[L1Fit]


class EarlyStoppingData(Common):
    """`data` of the early-stopping part."""

    degree: int
    lr: float
    lr_fraction: float
    steps: int
    val_x: list[float]
    val_t: list[float]
    log_steps: list[float]  # log10 of the steps 1 .. steps (the loss plot's x; step 0 is not on it)
    train_loss: list[float]
    val_loss: list[float]
    test_loss: list[float]
    log_train_loss: list[float]
    log_val_loss: list[float]
    log_test_loss: list[float]
    stop: int
    snapshots: list[StepFit]
    stopped: StepFit
    final: StepFit


OverfittingData = Union[CapacityData, PenaltiesData, EarlyStoppingData]

DATA = OverfittingData  # the type of Trace.data (the contract test checks every preset against it)
