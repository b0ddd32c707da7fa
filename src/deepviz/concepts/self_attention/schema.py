"""The shape of a `self-attention` trace's data (docs/traces/self-attention.md): no torch, no Manim.

Matrices are lists of rows; values are float32, as torch computes them.
"""
from __future__ import annotations

from typing_extensions import TypedDict

Matrix = list[list[float]]


class Head(TypedDict):
    """`data.per_head[h]`: one head (columns h*d_k .. (h+1)*d_k - 1 of Q, K, V)."""

    q: Matrix  # n x d_k
    k: Matrix
    v: Matrix
    scores: Matrix  # n x n, Q_h K_hᵀ / √d_k before the mask
    weights: Matrix  # n x n, softmax by rows (after the mask: 0 above the diagonal when causal)
    z: Matrix  # n x d_k, weights @ v


class SelfAttentionData(TypedDict):
    """`data`."""

    words: list[str]  # the sentence's words (lower case)
    d_model: int
    heads: int
    d_k: int  # d_model / heads
    causal: bool
    positional: bool
    seed: int
    embeddings: Matrix  # n x d_model: each word's row of the random embedding table
    encoding: Matrix  # n x d_model: the sinusoidal positional encoding (zeros when positional is false)
    x: Matrix  # embeddings + encoding
    w_q: Matrix  # d_model x d_model; Q = X W_Q (PyTorch's in_proj_weight holds the transposes)
    w_k: Matrix
    w_v: Matrix
    w_o: Matrix  # output = concat W_O
    q: Matrix  # n x d_model
    k: Matrix
    v: Matrix
    per_head: list[Head]
    concat: Matrix  # n x d_model: the heads' z side by side
    output: Matrix  # n x d_model
    focus: int  # the row the video follows: the last word; the one before it when causal (it has a zero weight)


class ModelAttentionData(TypedDict):
    """`data` with `--model`: one head's map of the user's model, captured in a forward pass."""

    model: str  # the --model spec
    layers: int  # attention calls in the forward pass
    layer: int  # the one shown (0-based, in the order they ran)
    layer_name: str  # the module that made the call, e.g. "blocks.1.attn"
    kind: str  # "scaled_dot_product_attention" or "MultiheadAttention"
    heads: int
    head: int
    ids: list[int]  # the example's token ids (empty when the input is not one row of them)
    weights: Matrix  # queries x keys, softmax by rows (0 where masked)
    focus: int  # the row the video follows: the last query
    top: int  # the key it attends to most


DATA = SelfAttentionData | ModelAttentionData  # the type of Trace.data (the contract test checks every preset against it)
