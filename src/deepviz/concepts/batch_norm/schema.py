"""The shape of a `batch-norm` trace's data (docs/traces/batch-norm.md): no torch, no Manim.

Rows are examples, columns the two hidden units.
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Network(TypedDict):
    """`data.network`: the fixed 2-2-1 network around the BatchNorm1d layer."""

    W1: list[list[float]]
    b1: list[float]
    W2: list[list[float]]
    b2: list[float]
    gamma: list[float]  # the scale (1 without affine)
    beta: list[float]  # the shift (0 without affine)
    affine: bool


class Batch(TypedDict):
    """`data.batches[k]`: one batch in training mode; the running statistics carry over."""

    rows: list[int]  # [start, stop) in the data set
    x: list[list[float]]  # the batch's inputs
    h: list[list[float]]  # hidden values, the input of BatchNorm1d
    mean: list[float]
    var: list[float]  # biased (divided by n), as BatchNorm1d normalises in training mode
    var_unbiased: list[float]  # divided by n - 1: what feeds the running variance
    std: list[float]  # sqrt(var + eps)
    h_hat: list[list[float]]  # (h - mean) / std
    z: list[list[float]]  # gamma * h_hat + beta (= nn.BatchNorm1d in training mode)
    y: list[list[float]]  # W2 z + b2
    running_mean_before: list[float]
    running_var_before: list[float]
    running_mean: list[float]  # (1 - momentum) * before + momentum * batch
    running_var: list[float]


class Eval(TypedDict):
    """`data.eval`: the detailed batch in evaluation mode, after all batches."""

    running_mean: list[float]
    running_var: list[float]
    std: list[float]  # sqrt(running_var + eps)
    h: list[list[float]]  # the detailed batch's hidden values
    z: list[list[float]]  # nn.BatchNorm1d in eval mode
    y: list[list[float]]
    z_train: list[list[float]]  # the same batch in training mode
    batches_seen: int  # how many batches updated the running statistics
    start_weight: float  # (1 - momentum) ** batches_seen: the share of the start (mean 0, variance 1) still held
    batch_mean: list[float]  # the detailed batch's statistics, which training mode uses
    batch_std: list[float]


class BatchNormData(TypedDict):
    """`data`."""

    network: Network
    momentum: float
    eps: float
    batch_size: int
    x: list[list[float]]  # the whole data set (rows x 2)
    batches: list[Batch]  # in order
    detail: int  # index (from 0) of the batch the video details
    eval: Eval


DATA = BatchNormData  # the type of Trace.data (the contract test checks every preset against it)
