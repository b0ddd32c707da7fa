"""The overfitting trace's typed shape (no torch, no Manim): what compute returns and the scene reads."""
from __future__ import annotations

from typing import TypedDict


class Fit(TypedDict, total=False):
    w: list[float]  # weights of P_0 .. P_d
    train: float  # training MSE
    test: float  # test MSE
    log_train: float  # log10 of train
    log_test: float
    curve: list[list[list[float]]]  # the fitted polynomial over [-1, 1] as polyline runs inside the plot
    degree: int  # capacity fits
    lam: float  # penalised fits
    iterations: int  # L1 fits: proximal-gradient iterations
    norm2: float  # sum_{k>=1} w_k^2 (penalties part)
    norm1: float  # sum_{k>=1} |w_k|
    zeros: int  # weights w_1.. exactly 0
    step: int  # early-stopping fits


class OverfittingData(TypedDict, total=False):
    part: str
    x: list[float]
    t: list[float]
    test_x: list[float]
    test_t: list[float]
    n: int
    y_window: list[float]
    truth: list[list[list[float]]]
    # capacity
    fits: list[Fit]
    best_degree: int
    shown: list[int]
    # penalties
    degree: int
    plain: Fit
    l2: list[Fit]
    l1: list[Fit]
    # early stopping
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
    snapshots: list[Fit]
    stopped: Fit
    final: Fit
