"""The shape of an `attention` trace's data (docs/traces/attention.md): no torch, no Manim.

Values are float32, as the model computes them.
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class Encoder(TypedDict):
    """`data.encoder`."""

    embeddings: list[list[float]]  # one row per source word
    states: list[list[float]]  # h(1..n), one row per source word (all `hidden` numbers)


class Candidate(TypedDict):
    """`data.decoder.steps[j].top[k]`: one of the 3 most likely next words."""

    word: str
    p: float


class Step(TypedDict):
    """`data.decoder.steps[j]`: one decoder step."""

    input: str  # the word fed in: <s> first, then the previous emitted word
    state_before: list[float]  # s(j-1)
    scores: list[float]  # e_i
    alpha: list[float]  # softmax(e)
    context: list[float]  # c(j) = sum alpha_i h(i)
    state: list[float]  # s(j)
    top: list[Candidate]
    word: str  # greedy: the most likely
    p: float


class Decoder(TypedDict):
    """`data.decoder`."""

    initial: list[float]  # s(0) = h(n)
    steps: list[Step]


class Crossing(TypedDict):
    """`data.crossing`: where the attention leaves the source's order."""

    rows: list[int]  # [j, j + 1]: two consecutive emitted words (not the end token)
    columns: list[int]  # [i, k], i > k: the source words their largest weights fall on
    alpha: list[float]  # those two weights


class AttentionData(TypedDict):
    """`data`."""

    source: list[str]  # the sentence's words (lower case)
    target: list[str]  # the emitted words, </s> = end of sentence
    attention: Literal["additive", "dot"]
    hidden: int
    seed: int  # the model's training seed
    dims: int  # how many numbers of each state the video shows
    encoder: Encoder
    decoder: Decoder
    matrix: list[list[float]]  # the attention weights, one row per step (each step's alpha)
    crossing: Crossing | None  # of several such pairs, the one whose smaller weight is largest; None if none


DATA = AttentionData  # the type of Trace.data (the contract test checks every preset against it)
