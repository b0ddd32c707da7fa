"""The shape of a `attention` trace's data (docs/traces/attention.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Encoder(TypedDict):
    """`data.encoder`."""

    embeddings: list[list[float]]
    states: list[list[float]]


class TopItem(TypedDict):
    """`data.decoder.steps[k].top[k]`."""

    word: str  # greedy: the most likely
    p: float


class Step(TypedDict):
    """`data.decoder.steps[k]`."""

    input: str  # the word fed in: `<s>` first, then the previous emitted word
    state_before: list[float]  # s(j-1),
    scores: list[float]  # e_i,
    alpha: list[float]
    context: list[float]  # c(j) = sum alpha_i h(i),
    state: list[float]  # s(j),
    top: list[TopItem]  # the 3 most likely next words with `p`
    word: str  # greedy: the most likely
    p: float


class Decoder(TypedDict):
    """`data.decoder`."""

    initial: list[float]
    steps: list[Step]


class AttentionData(TypedDict):
    """`data`."""

    source: list[str]  # the sentence's words (lower case)
    target: list[str]  # the emitted words, `</s>` = end of sentence
    attention: str
    hidden: int
    dims: int
    encoder: Encoder
    decoder: Decoder
    matrix: list[list[float]]  # the attention weights, one row per step (= each step's `alpha`)


DATA = AttentionData  # the type of Trace.data (the contract test checks every preset against it)

