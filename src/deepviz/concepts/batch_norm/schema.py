"""The shape of a `batch-norm` trace's data (docs/traces/batch-norm.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Network(TypedDict):
    """`data.network`."""

    W1: list[list[float]]
    b1: list[float]
    W2: list[list[float]]
    b2: list[float]
    gamma: list[float]
    beta: list[float]
    affine: bool


class Batch(TypedDict):
    """`data.batches[k]`."""

    rows: list[int]
    x: list[list[float]]  # the whole data set (rows x 2)
    h: list[list[float]]  # hidden values, the input of BatchNorm1d
    mean: list[float]
    var: list[float]  # biased: divided by n, as BatchNorm1d normalises in training mode
    var_unbiased: list[float]  # divided by n - 1: what BatchNorm1d feeds the running variance
    std: list[float]  # = `sqrt(var + eps)`
    h_hat: list[list[float]]  # = `(h - mean) / std`
    z: list[list[float]]  # = `gamma * h_hat + beta`
    y: list[list[float]]
    running_mean_before: list[float]
    running_var_before: list[float]
    running_mean: list[float]
    running_var: list[float]


class Eval(TypedDict):
    """`data.eval`."""

    running_mean: list[float]
    running_var: list[float]
    std: list[float]  # = `sqrt(var + eps)`
    h: list[list[float]]  # hidden values, the input of BatchNorm1d
    z: list[list[float]]  # = `gamma * h_hat + beta`
    y: list[list[float]]
    z_train: list[list[float]]  # the same batch in training mode


class BatchNormData(TypedDict):
    """`data`."""

    network: Network  # `W1`, `b1`, `W2`, `b2`, `gamma`, `beta`, `affine`
    momentum: float
    eps: float
    batch_size: int
    x: list[list[float]]  # the whole data set (rows x 2)
    batches: list[Batch]  # one entry per batch, in order (below); the running statistics carry over
    detail: int  # index (from 0) of the batch the video details
    eval: Eval  # the detailed batch in evaluation mode, after all batches (below)


DATA = BatchNormData  # the type of Trace.data (the contract test checks every preset against it)

