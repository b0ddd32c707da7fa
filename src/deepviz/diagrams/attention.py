"""Attention maps of any model, seen in one forward pass: every ``F.scaled_dot_product_attention`` and every
``nn.MultiheadAttention`` (``F.multi_head_attention_forward``, which the encoder and decoder layers call).

The pass is :func:`deepviz.diagrams.capture.capture`'s, with a recorder that also catches those two functions'
arguments. The weights are computed from what was caught: softmax(Q Kᵀ · scale + mask), where Q and K are
the SDPA's own arguments, or the MultiheadAttention's input projected by its own in-projection weights,
split into heads. The layer is named by the module whose forward made the call (``blocks.0.attn``).

>>> import torch
>>> mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
>>> layers = attention_maps(mha, [torch.randn(1, 5, 8)] * 3)
>>> layers[0].kind, tuple(layers[0].weights.shape)
('MultiheadAttention', (2, 5, 5))
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .capture import _Recorder, capture


@dataclass
class Layer:
    name: str  # the call of the module that ran the attention
    kind: str  # "scaled_dot_product_attention" or "MultiheadAttention"
    weights: torch.Tensor  # (heads, queries, keys) of the first example in the batch


class Unsupported(ValueError):
    """An attention call whose weights this module does not compute (named in the message)."""


def _softmax(scores: torch.Tensor) -> torch.Tensor:
    """Softmax over keys; a row with every key masked attends to nothing (0, not NaN)."""
    return scores.softmax(-1).nan_to_num(0.0)


def sdpa_weights(query, key, value=None, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                 enable_gqa=False) -> torch.Tensor:
    """``F.scaled_dot_product_attention``'s weights, (heads, L, S) of the first example: softmax(Q Kᵀ · scale +
    mask), the mask True = may attend (or added when float), ``is_causal`` the top-left lower triangle, and
    grouped-query attention's K heads repeated as SDPA repeats them."""
    q, k = query.float(), key.float()
    if q.dim() < 3:
        q, k = q[None], k[None]
    if q.dim() >= 4 and k.shape[-3] != q.shape[-3]:
        k = k.repeat_interleave(q.shape[-3] // k.shape[-3], dim=-3)
    scores = q @ k.transpose(-1, -2) * (scale if scale is not None else 1 / math.sqrt(q.shape[-1]))
    L, S = scores.shape[-2:]
    if is_causal:
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=scores.device).tril(), float("-inf"))
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask.float())
    weights = _softmax(scores).reshape(-1, *scores.shape[-3:])[0] if scores.dim() >= 4 else _softmax(scores)[:1]
    return weights


_MHA = inspect.signature(F.multi_head_attention_forward)


def mha_weights(*args, **kwargs) -> torch.Tensor:
    """``F.multi_head_attention_forward``'s per-head weights (heads, L, S) of the first example, from its own
    arguments: the query and key (sequence first, as nn.MultiheadAttention passes them) through the
    in-projection, split into heads; softmax(Q Kᵀ / √d + attn_mask + key_padding_mask)."""
    a = _MHA.bind(*args, **kwargs).arguments
    if a.get("bias_k") is not None or a.get("add_zero_attn") or a.get("static_k") is not None:
        raise Unsupported("nn.MultiheadAttention with add_bias_kv, add_zero_attn or a static key")
    query, key, heads = a["query"].float(), a["key"].float(), a["num_heads"]
    if query.dim() == 2:  # unbatched (L, E)
        query, key = query[:, None], key[:, None]
    E = query.shape[-1]
    if a.get("use_separate_proj_weight"):
        w_q, w_k = a["q_proj_weight"], a["k_proj_weight"]
    else:
        w_q, w_k, _ = a["in_proj_weight"].chunk(3)
    bias = a.get("in_proj_bias")
    b_q, b_k = (bias.chunk(3)[:2] if bias is not None else (None, None))
    d = E // heads

    def split(x: torch.Tensor, w: torch.Tensor, b) -> torch.Tensor:  # (T, N, E) -> (N, heads, T, d)
        y = F.linear(x, w.float(), None if b is None else b.float())
        return y.reshape(x.shape[0], x.shape[1], heads, d).permute(1, 2, 0, 3)

    q, k = split(query, w_q, b_q), split(key, w_k, b_k)
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    L, S = scores.shape[-2:]
    mask = a.get("attn_mask")
    if mask is None and a.get("is_causal"):
        mask = ~torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()
    if mask is not None:  # (L, S) or (N * heads, L, S); True = may NOT attend
        mask = mask.reshape(-1, heads, L, S) if mask.dim() == 3 else mask
        scores = scores.masked_fill(mask, float("-inf")) if mask.dtype == torch.bool else scores + mask.float()
    padding = a.get("key_padding_mask")
    if padding is not None:  # (N, S) or (S,); True = a padded key
        padding = padding.reshape(-1, 1, 1, S)
        scores = scores.masked_fill(padding, float("-inf")) if padding.dtype == torch.bool else scores + padding.float()
    return _softmax(scores)[0]


class _AttentionRecorder(_Recorder):
    """The capture's recorder, also keeping every attention call's weights and the module that made it."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__(model)
        self.layers: list[Layer] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kinds = {F.scaled_dot_product_attention: ("scaled_dot_product_attention", sdpa_weights),
                 F.multi_head_attention_forward: ("MultiheadAttention", mha_weights)}
        if func in kinds:
            kind, weights = kinds[func]
            where = self.scope[-1] if self.scope else "(model)"
            self.layers.append(Layer(where or "(model)", kind, weights(*args, **(kwargs or {})).detach().cpu()))
        return super().__torch_function__(func, types, args, kwargs)


def attention_maps(model: nn.Module, inputs: Sequence, kwargs: dict[str, Any] | None = None) -> list[Layer]:
    """Each attention call of one real forward pass of ``model(*inputs, **kwargs)``, in the order they ran.

    Raises :class:`~deepviz.diagrams.capture.CaptureError` when the forward fails and :class:`Unsupported`
    for an attention this module cannot recompute; an empty list means no attention the capture can see.
    """
    recorder = _AttentionRecorder(model)
    capture(model, inputs, device="real", kwargs=kwargs, recorder=recorder)
    return recorder.layers
