"""The shape of a `transformer` trace's data (docs/traces/transformer.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict

from ..self_attention.schema import Head, Matrix


class MultiHead(TypedDict):
    """One attention sub-layer: its heads (the `self-attention` trace's per-head shape) and W_O's output."""

    heads: list[Head]
    output: Matrix  # concat(z) W_Oᵀ + b_O, n_q x d_model


class Encoder(TypedDict):
    """`data.encoder`: the one encoder layer."""

    x: Matrix  # word embeddings + learned position embeddings, n x d_model
    attention: MultiHead
    add_norm1: Matrix  # LayerNorm(x + attention)
    feed_forward: Matrix  # linear2(relu(linear1(add_norm1)))
    output: Matrix  # LayerNorm(add_norm1 + feed_forward): the memory the decoder attends to
    module_output: Matrix  # nn.TransformerEncoderLayer's own forward on x
    module_difference: float  # max |module_output - output|


class Decoder(TypedDict):
    """`data.decoder`: the one decoder layer over the decoder's inputs (<s> and the emitted words)."""

    y: Matrix
    self_attention: MultiHead  # causal
    add_norm1: Matrix
    cross_attention: MultiHead  # queries from add_norm1, keys and values from the encoder's output
    add_norm2: Matrix
    output: Matrix  # after the feed-forward's add & norm
    p: list[float]  # the most likely next word's probability at each position
    predicted: list[str]  # that word (= the translation)


class Gru(TypedDict):
    """`data.gru`: the `attention` concept's GRU translator on the same sentence (its default model)."""

    target: list[str]
    matrix: Matrix  # its attention weights, one row per emitted word


class TransformerData(TypedDict):
    """`data`."""

    words: list[str]
    translation: list[str]  # greedy, ends with </s>
    decoder_input: list[str]  # <s> then the translation without </s>: one row per decoder position
    d_model: int
    heads: int
    ff: int
    seed: int
    encoder: Encoder
    decoder: Decoder
    gru: Gru
    focus: int  # the encoder row whose numbers the video shows (the last word)


DATA = TransformerData  # the type of Trace.data (the contract test checks every preset against it)
