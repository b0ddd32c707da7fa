"""The shape of a `long-memory` trace's data (docs/traces/long-memory.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Example(TypedDict):
    """`data.example`: one test sequence, to show the task."""

    gap: int
    tokens: list[str]  # gap + 1 of them
    answer: str  # the first


class GradientBatch(TypedDict):
    """`data.gradient`: the sequences the gradients are taken on (the longest gap)."""

    gap: int
    ids: list[list[int]]  # batch x (gap + 1) token ids
    labels: list[int]


class Reader(TypedDict):
    """`data.cells[k]`: one reader (cell type)."""

    cell: str  # rnn, gru or lstm
    name: str  # as the video says it
    role: str  # its colour role (series0 ..)
    initial_loss: float  # mean cross-entropy on the gradient batch before training
    dL_dh_norm: list[float]  # |dL/dh(t)| for t = 1 .. T, before training (Frobenius over the batch)
    log10_norm: list[float]  # their log10 (the plot's y)
    first_over_last: float  # |dL/dh(1)| / |dL/dh(T)|
    accuracy: list[float]  # on the test sequences of each gap, after training on that gap
    percent: list[float]


class LongMemoryData(TypedDict):
    """`data`."""

    tokens: list[str]  # the alphabet (A, B)
    gaps: list[int]
    hidden_size: int
    seed: int
    keep_bias: float  # added to the gated cells' keeping-gate bias at initialisation
    n_train: int  # training sequences per gap
    n_test: int  # test sequences per gap
    steps: int  # full-batch Adam steps
    lr: float
    chance: float  # the accuracy of guessing (0.5)
    example: Example
    gradient: GradientBatch
    cells: list[Reader]
    log10_range: list[int]  # the plot's y window: floor of the smallest, ceil of the largest log10 norm


DATA = LongMemoryData
