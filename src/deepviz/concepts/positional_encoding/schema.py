"""The shape of a `positional-encoding` trace's data (docs/traces/positional-encoding.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict

Matrix = list[list[float]]


class Wave(TypedDict):
    """`data.waves[j]`: one column of the table over continuous positions."""

    pair: int  # i
    column: int  # 2i (a sine)
    wavelength: float  # 2*pi / w_i, in positions
    curve: Matrix  # [pos, sin(pos * w_i)] at 8 points per position


class Rotation(TypedDict):
    """`data.rotation`: PE(pos + k) = M_k PE(pos)."""

    angle: float  # w_i * k, radians
    block: Matrix  # 2 x 2: [[cos, sin], [-sin, cos]] of the angle
    before: list[float]  # PE(pos) columns 2i, 2i+1
    after: list[float]  # block @ before
    target: list[float]  # PE(pos + k) columns 2i, 2i+1, read from the table
    map: Matrix  # M_k, d x d, block-diagonal
    max_error: float  # max |M_k PE(p) - PE(p + k)| over every p of the table and every column


class Sentence(TypedDict):
    """`data.sentence`: the encoding added to a sentence's embeddings."""

    words: list[str]
    embeddings: Matrix  # n x d (the self-attention concept's random table, same seed, same rows)
    encoding: Matrix  # the table's first n rows
    x: Matrix  # embeddings + encoding


class Learned(TypedDict):
    """`data.learned`: the `transformer` concept's tiny model's learned source positions."""

    positions: int  # the longest source sentence of the corpus: the positions training reached
    d_model: int
    table: Matrix  # positions x d_model: its position embeddings
    sinusoidal: Matrix  # positions x positions: cosine similarity of the sinusoidal rows (same size)
    learned: Matrix  # the same for the learned rows
    neighbours: list[float]  # mean similarity of positions p, p + 1: [sinusoidal, learned]
    far: list[float]  # mean similarity of positions three or more apart: [sinusoidal, learned]


class PositionalEncodingData(TypedDict):
    """`data`."""

    positions: int
    d_model: int
    pos: int
    shift: int  # k
    pair: int  # i
    encoding: Matrix  # positions x d_model
    frequencies: list[float]  # w_i = 10000^(-2i/d), one per pair
    waves: list[Wave]
    rotation: Rotation
    sentence: Sentence
    learned: Learned | None  # None when the parameter learned is false


DATA = PositionalEncodingData  # the type of Trace.data (the contract test checks every preset against it)
