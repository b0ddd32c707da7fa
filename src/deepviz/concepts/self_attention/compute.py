"""Self-attention computed step by step with torch: params -> Trace.

Embeddings (one random row per corpus word) plus the sinusoidal positional encoding give X (n x d).
Q = X W_Q, K = X W_K, V = X W_V (the paper's convention: a row vector times a d x d matrix; PyTorch's
``in_proj_weight`` holds the transposes). Head h takes columns h*d_k .. (h+1)*d_k - 1 of each:

    scores_h = Q_h K_hᵀ / √d_k      (−∞ above the diagonal when causal)
    A_h      = softmax(scores_h) by rows
    Z_h      = A_h V_h
    output   = [Z_1 ... Z_H] W_O    (n x d, the input's size)
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ...models.en_es import load
from ...models.positional import sinusoidal
from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from . import SENTENCE
from .schema import ModelAttentionData, SelfAttentionData

WEIGHT_NAMES = ("w_q", "w_k", "w_v", "w_o")
MAX_POSITIONS = 64  # queries or keys of a model's map: beyond, its cells are under a pixel at 480p


def _rounded(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    """Random normal numbers rounded to one decimal: short to read, exact in the trace."""
    return torch.round(torch.randn(*shape, generator=g) * scale * 10) / 10


def weights(vocab_size: int, d: int, seed: int) -> dict[str, torch.Tensor]:
    """The embedding table and W_Q, W_K, W_V, W_O (d x d, scaled by 1/√d as a layer's initialisation)."""
    g = torch.Generator().manual_seed(seed)
    out = {"table": _rounded(g, vocab_size, d)}
    for name in WEIGHT_NAMES:
        out[name] = _rounded(g, d, d, scale=1 / math.sqrt(d))
    return out


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool) -> dict[str, torch.Tensor]:
    """One head written out: scaled scores, causal mask, softmax by rows, weighted sum of the value rows.

    Queries and keys may come from different sequences (cross-attention: n_q x n_k scores)."""
    scores = q @ k.T / math.sqrt(q.shape[1])
    future = torch.ones(len(q), len(k), dtype=torch.bool).triu(1) if causal else torch.zeros_like(scores).bool()
    a = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    return {"q": q, "k": k, "v": v, "scores": scores, "weights": a, "z": a @ v}


@torch.no_grad()
def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    if values["model"]:
        return compute_model(values, preset)
    words = SENTENCE.words(values["sentence"])
    corpus = load()
    n, d, h = len(words), values["d_model"], values["heads"]
    dk = d // h
    w = weights(len(corpus.source), d, values["seed"])
    emb = w["table"][torch.tensor([corpus.source.index(x) for x in words])]
    pe = sinusoidal(n, d) if values["positional"] else torch.zeros(n, d)
    x = emb + pe
    q, k, v = x @ w["w_q"], x @ w["w_k"], x @ w["w_v"]
    heads = [attend(q[:, s], k[:, s], v[:, s], values["causal"])
             for s in (slice(i * dk, (i + 1) * dk) for i in range(h))]
    concat = torch.cat([hd["z"] for hd in heads], dim=1)
    data: SelfAttentionData = to_plain({
        "words": words, "d_model": d, "heads": h, "d_k": dk, "causal": values["causal"],
        "positional": values["positional"], "seed": values["seed"],
        "embeddings": emb, "encoding": pe, "x": x,
        **{name: w[name] for name in WEIGHT_NAMES},
        "q": q, "k": k, "v": v, "per_head": heads, "concat": concat, "output": concat @ w["w_o"],
        "focus": max(0, n - 2) if values["causal"] else n - 1,  # masked: a row with a zero weight
    })
    return Trace(concept="self-attention", params={}, data=data, narration=narration(data), preset=preset)


def narration(t: SelfAttentionData) -> dict[str, str]:
    words, n, d, dk, h = t["words"], len(t["words"]), t["d_model"], t["d_k"], t["heads"]
    f = t["focus"]
    head = t["per_head"][0]
    a = head["weights"][f]
    top = max(range(n), key=a.__getitem__)
    pos = " plus its positional encoding" if t["positional"] else " (no positional encoding)"
    out = {
        "intro": f"Self-attention: every word of \u201c{' '.join(words)}\u201d looks at every word at once, "
                 "with no recurrence.",
        "embed": f"Each word's {{color:input}} embedding (random, seed {t['seed']}){pos} is a row of X: "
                 f"{n} words x {d} numbers.",
        "qkv": "Three {color:weight} weight matrices turn X into queries Q = X W_Q, keys K = X W_K and "
               "values V = X W_V" + (f"; head 1 uses their first {dk} columns." if h > 1 else "."),
        "scores": f"Scores: each query times each key, divided by \u221ad_k = {fmt_num(math.sqrt(dk))}. "
                  f"Row \u201c{words[f]}\u201d holds how well its query matches every key.",
    }
    if t["causal"]:
        out["mask"] = ("The causal mask sets every score above the diagonal to \u2212\u221e: a word cannot "
                       "look at the words after it (the decoder must not see the future).")
    out["softmax"] = (f"Softmax turns each row into weights that sum to 1: \u201c{words[f]}\u201d attends most to "
                      f"\u201c{words[top]}\u201d ({fmt_num(a[top])}).")
    out["output"] = (f"Each word's output is the weighted sum of the value rows: row \u201c{words[f]}\u201d = "
                     + " + ".join(f"{fmt_num(x)}\u00b7v{j + 1}" for j, x in enumerate(a)) + ".")
    if h > 1:
        out["heads"] = (f"{h} heads of size d_model/h = {dk} do this side by side, each with its own columns "
                        "of W_Q, W_K, W_V, so each can attend to something else.")
    out["project"] = (f"The heads' outputs are concatenated ({n} x {h * dk}) and W_O projects them back to "
                      f"d_model = {d}: the output has the input's size, so layers can be stacked.")
    return out


def compute_model(values: dict[str, Any], preset: str | None = None) -> Trace:
    """``--model``: one head's map of one attention call of the user's model, captured in a real forward pass
    (:func:`deepviz.studio.transformer_own.layers_of`: the weights from the call's own Q and K)."""
    from ...params import ParamError
    from ...studio.transformer_own import layers_of

    spec = values["model"]
    layers, args = layers_of(spec, values["input"], values["weights"] or None)
    if values["layer"] >= len(layers):
        raise ParamError("layer", f"{values['layer']}: {spec} makes {len(layers)} attention call(s), "
                                  f"0..{len(layers) - 1}")
    layer = layers[values["layer"]]
    if values["head"] >= layer.weights.shape[0]:
        raise ParamError("head", f"{values['head']}: {layer.name} has {layer.weights.shape[0]} head(s), "
                                 f"0..{layer.weights.shape[0] - 1}")
    weights = layer.weights[values["head"]]
    if max(weights.shape) > MAX_POSITIONS:
        raise ParamError("input", f"the map is {weights.shape[0]} x {weights.shape[1]} positions; the video shows "
                                  f"at most {MAX_POSITIONS}: give a shorter input")
    first = args[0] if args else None
    ids = first[0].tolist() if isinstance(first, torch.Tensor) and first.dim() == 2 and not first.is_floating_point() else []
    focus = weights.shape[0] - 1
    data: ModelAttentionData = to_plain({
        "model": spec, "layers": len(layers), "layer": values["layer"], "layer_name": layer.name, "kind": layer.kind,
        "heads": layer.weights.shape[0], "head": values["head"], "ids": ids, "weights": weights, "focus": focus,
        "top": int(weights[focus].argmax()),
    })
    return Trace(concept="self-attention", params={}, data=data, narration=model_narration(data), preset=preset)


def model_narration(t: ModelAttentionData) -> dict[str, str]:
    n_q, n_k = len(t["weights"]), len(t["weights"][0])
    f, top = t["focus"], t["top"]
    return {
        "model-intro": f"Your model {t['model']}: one forward pass on {n_q} random tokens makes {t['layers']} "
                       f"attention call(s); this is call {t['layer']} ({t['layer_name']}), head {t['head']} of "
                       f"{t['heads']}.",
        "model-map": f"Its {{color:weight}} attention weights, softmax(QK\u1d40/\u221ad) from the Q and K it "
                     f"computed: {n_q} queries (rows) by {n_k} keys (columns); each row sums to 1.",
        "model-row": f"The last query (row {f + 1}) attends most to key {top + 1}, with weight "
                     f"{fmt_num(t['weights'][f][top])}.",
    }
