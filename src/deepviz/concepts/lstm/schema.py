"""The shape of an `lstm` trace's data (docs/traces/lstm.md): no torch, no Manim.

A matrix is a list of rows; time steps are named from 1 (h(1)) and indexed from 0 in lists.
Gate vectors are listed in the order of ``gates`` (PyTorch's block order).
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Gate(TypedDict):
    """`data.gates[k]`: the k-th block of the stacked weights."""

    symbol: str  # i, f, g, o (LSTM) or r, z, n (GRU)
    name: str  # "forget gate", ...
    activation: str  # σ or tanh
    role: str  # its colour role, gate0 .. gate3


class Weights(TypedDict):
    """`data.weights`: the cell's parameters exactly as PyTorch stores them (blocks stacked by rows)."""

    W_ih: list[list[float]]  # (blocks * hidden) x embed_dim
    W_hh: list[list[float]]  # (blocks * hidden) x hidden
    b_ih: list[float]  # keep_bias already added to the keeping gate's block
    b_hh: list[float]


class Step(TypedDict):
    """`data.steps[i]`: time step t = i + 1."""

    t: int
    word: str
    x: list[float]  # the word's embedding row
    h_prev: list[float]  # h(t-1)
    pre: list[list[float]]  # each gate's pre-activation (GRU n: with r applied)
    gates: list[list[float]]  # each gate's value
    state_prev: list[float]  # c(t-1) (LSTM) or h(t-1) (GRU)
    kept: list[float]  # f * c(t-1) or z * h(t-1)
    added: list[float]  # i * g or (1 - z) * n
    state: list[float]  # kept + added: c(t) or h(t)
    squashed: list[float] | None  # tanh(c(t)) (LSTM), null for the GRU
    h: list[float]  # o * tanh(c(t)) (LSTM) or the state (GRU)


class GatedData(TypedDict):
    """`data`."""

    sentence: str
    words: list[str]  # lower-cased, 1 to 10
    cell: str  # lstm or gru
    hidden_size: int
    embed_dim: int
    seed: int
    keep_bias: float  # added to the keeping gate's b_ih block
    vocab_size: int  # rows of the embedding table (the rnn concept's vocabulary)
    index: list[int]  # each word's row
    gates: list[Gate]
    keep_gate: int  # index in gates of the gate that keeps the state (f or z)
    state_name: str  # "c" (LSTM) or "h" (GRU): what runs along the highway
    weights: Weights
    steps: list[Step]
    kept_product: list[float] | None  # per unit, the keeping gate multiplied over steps 2..T (null for one word)
    detailed_steps: int  # steps with their own captions


DATA = GatedData
