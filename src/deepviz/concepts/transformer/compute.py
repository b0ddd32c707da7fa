"""The tiny transformer (``deepviz.models.transformer``) run by hand on a sentence: params -> Trace.

Each sub-layer is written out from the modules' weights (the `self-attention` concept's per-head
arithmetic, then PyTorch's post-norm order: x + sublayer(x), LayerNorm), so every intermediate can be
shown; the encoder layer's result is also compared with the module's own forward.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ...models.en_es import EOS, SOS, load
from ...models.transformer import Config, greedy_decode, load_model
from ...style.numbers import fmt_num, fmt_sig
from ...trace import Trace, to_plain
from ..attention.compute import compute as gru_attention
from ..self_attention.compute import attend
from . import SENTENCE
from .schema import TransformerData


def multi_head(mha: nn.MultiheadAttention, x_q: torch.Tensor, x_kv: torch.Tensor, causal: bool) -> dict[str, Any]:
    """nn.MultiheadAttention written out: projections (with biases), each head, concatenation, W_O."""
    d, h = mha.embed_dim, mha.num_heads
    w, b = mha.in_proj_weight, mha.in_proj_bias
    assert b is not None  # PyTorch's layers have biases by default
    q, k, v = F.linear(x_q, w[:d], b[:d]), F.linear(x_kv, w[d:2 * d], b[d:2 * d]), F.linear(x_kv, w[2 * d:], b[2 * d:])
    dk = d // h
    heads = [attend(q[:, i * dk:(i + 1) * dk], k[:, i * dk:(i + 1) * dk], v[:, i * dk:(i + 1) * dk], causal)
             for i in range(h)]
    concat = torch.cat([hd["z"] for hd in heads], 1)
    return {"heads": heads, "output": mha.out_proj(concat)}


def feed_forward(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    return layer.linear2(torch.relu(layer.linear1(x)))  # pyright: ignore[reportCallIssue]


@torch.no_grad()
def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    words = SENTENCE.words(values["sentence"])
    corpus = load()
    model, _ = load_model(Config(seed=values["seed"]), corpus)
    translation = greedy_decode(model, corpus, words)
    src = torch.tensor([[corpus.source.index(w) for w in words]])
    inputs = [SOS, *(w for w in translation if w != EOS)][:len(translation)]
    tgt = torch.tensor([[corpus.target.index(w) for w in inputs]])

    enc = model.encoder
    x = model.embed_source(src)[0]
    sa = multi_head(enc.self_attn, x, x, causal=False)
    h1 = enc.norm1(x + sa["output"])
    ff = feed_forward(enc, h1)
    h2 = enc.norm2(h1 + ff)
    module = enc(x[None])[0]

    dec = model.decoder
    y = model.embed_target(tgt)[0]
    msa = multi_head(dec.self_attn, y, y, causal=True)
    g1 = dec.norm1(y + msa["output"])
    ca = multi_head(dec.multihead_attn, g1, h2, causal=False)
    g2 = dec.norm2(g1 + ca["output"])
    g3 = dec.norm3(g2 + feed_forward(dec, g2))
    probs = torch.softmax(model.out(g3), -1)

    gru = gru_attention({"sentence": values["sentence"], "attention": "additive", "hidden": 16, "dims": 4,
                         "steps": 0, "seed": 0}).data
    cfg = model.cfg
    data: TransformerData = to_plain({
        "words": words, "translation": translation, "decoder_input": inputs,
        "d_model": cfg.d_model, "heads": cfg.heads, "ff": cfg.ff, "seed": cfg.seed,
        "encoder": {"x": x, "attention": sa, "add_norm1": h1, "feed_forward": ff, "output": h2,
                    "module_output": module, "module_difference": (module - h2).abs().max()},
        "decoder": {"y": y, "self_attention": msa, "add_norm1": g1, "cross_attention": ca, "add_norm2": g2,
                    "output": g3, "p": probs.max(-1).values,
                    "predicted": [corpus.target.words[i] for i in probs.argmax(-1).tolist()]},
        "gru": {"target": gru["target"], "matrix": gru["matrix"]},
        "focus": len(words) - 1,
    })
    return Trace(concept="transformer", params={}, data=data, narration=narration(data), preset=preset)


def _peak(row: list[float], words: list[str]) -> str:
    j = max(range(len(row)), key=row.__getitem__)
    return f"\u201c{words[j]}\u201d ({fmt_num(row[j])})"


def narration(t: TransformerData) -> dict[str, str]:
    words, out = t["words"], [w for w in t["translation"] if w != EOS]
    e, d = t["encoder"], t["decoder"]
    f = t["focus"]
    mask_row = len(t["decoder_input"]) - 1
    cross = [hd["weights"] for hd in d["cross_attention"]["heads"]]
    return {
        "intro": f"A tiny transformer (one encoder layer, one decoder layer, d_model {t['d_model']}, {t['heads']} "
                 f"heads), trained by deepviz on 444 sentence pairs, translates \u201c{' '.join(words)}\u201d into "
                 f"\u201c{' '.join(out)}\u201d.",
        "encoder-attention": "Encoder, first sub-layer: multi-head self-attention over the words (word plus "
                             "learned position embeddings), its input added back (the residual connection), then "
                             f"LayerNorm, row by row. Row \u201c{words[f]}\u201d is numbered.",
        "encoder-ff": f"Second sub-layer: the same small feed-forward network ({t['d_model']} \u2192 {t['ff']} "
                      f"\u2192 {t['d_model']}, ReLU) on each word, add and LayerNorm again. "
                      f"nn.TransformerEncoderLayer gives the same numbers (largest difference "
                      f"{fmt_sig(e['module_difference'], 2)}).",
        "decoder-mask": "The decoder's self-attention is masked: \u2212\u221e above the diagonal, so after softmax "
                        "each position sees only itself and the words before it; it cannot see the future. "
                        f"Row \u201c{t['decoder_input'][mask_row]}\u201d (head 1) looks at "
                        f"{_peak(d['self_attention']['heads'][0]['weights'][mask_row], t['decoder_input'])}.",
        "cross": "Cross-attention: each decoder position's query against the encoder's keys. Each head has its "
                 f"own map; \u201c{out[0]}\u201d looks at {_peak(cross[0][0], words)} in head 1. On the right the "
                 "GRU translator's attention for the same sentence.",
        "predict": "The decoder's last LayerNorm and a linear layer give the next word at each position: "
                   + ", ".join(f"\u201c{w}\u201d (p = {fmt_num(p, 3)})" for w, p in zip(d["predicted"], d["p"])) + ".",
    }
