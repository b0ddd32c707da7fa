"""Attention in a GRU encoder-decoder, computed with torch: params -> Trace.

The model (``deepviz.models.seq2seq``) is trained on the shipped corpus at first use and cached.
This module runs it on the user's sentence, recording every quantity the video shows: encoder
states, and per decoder step the scores, the softmax weights alpha, the context vector, the new
decoder state and the output distribution; the decoder emits its most likely word (greedy).
"""
from __future__ import annotations

from itertools import pairwise
from typing import Any

import torch

from ...models.en_es import EOS, SOS, load
from ...models.seq2seq import Config, load_model
from ...params import split_words
from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .schema import AttentionData

TOP = 3  # words shown of each output distribution


@torch.no_grad()
def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    words = split_words(values["sentence"])  # checked against the vocabulary by the parameter
    corpus = load()
    cfg = Config(hidden=values["hidden"], attention=values["attention"], seed=values["seed"])
    model, _ = load_model(cfg, corpus)
    src = torch.tensor([[corpus.source.index(w) for w in words]])
    embeddings = model.src_embed(src)[0]
    states, s = model.encode(src, torch.tensor([len(words)]))
    mask = torch.ones(1, len(words), dtype=torch.bool)
    prev = torch.tensor([corpus.target.index(SOS)])
    max_steps = values["steps"] or 10
    steps = []
    for _ in range(max_steps):
        logits, s_new, e, alpha, context = model.step(prev, s, states, mask)
        probs = torch.softmax(logits[0], -1)
        top = torch.topk(probs, TOP)
        word = corpus.target.words[int(top.indices[0])]
        steps.append({
            "input": corpus.target.words[int(prev)], "state_before": s[0], "scores": e[0], "alpha": alpha[0],
            "context": context[0], "state": s_new[0],
            "top": [{"word": corpus.target.words[i], "p": p} for i, p in zip(top.indices.tolist(), top.values)],
            "word": word, "p": top.values[0],
        })
        prev, s = top.indices[:1], s_new
        if word == EOS and not values["steps"]:
            break
    data: AttentionData = to_plain({
        "source": words, "target": [st["word"] for st in steps],
        "attention": cfg.attention, "hidden": cfg.hidden, "seed": cfg.seed, "dims": values["dims"],
        "encoder": {"embeddings": embeddings, "states": states[0]},
        "decoder": {"initial": states[0, len(words) - 1], "steps": steps},
        "matrix": [st["alpha"] for st in steps],
        "crossing": crossing(torch.stack([st["alpha"] for st in steps]), [st["word"] for st in steps]),
    })
    return Trace(concept="attention", params={}, data=data, narration=narration(data), preset=preset)


def crossing(matrix: torch.Tensor, target: list[str]) -> dict[str, Any] | None:
    """The clearest place where the translation reorders the sentence: two consecutive emitted
    words (rows j, k = j + 1) whose most-attended source words come in the opposite order
    (columns i_j > i_k), the pair whose weaker weight is largest; None if the peaks keep the
    source's order."""
    rows = [j for j, w in enumerate(target) if w != EOS]
    best, best_weight = None, 0.0
    peak = matrix.argmax(dim=1)
    for j, k in pairwise(rows):
        if peak[j] > peak[k]:
            weight = torch.minimum(matrix[j, peak[j]], matrix[k, peak[k]]).item()
            if weight > best_weight:
                best, best_weight = (j, k), weight
    if best is None:
        return None
    j, k = best
    return {"rows": [j, k], "columns": [peak[j].item(), peak[k].item()],
            "alpha": [matrix[j, peak[j]].item(), matrix[k, peak[k]].item()]}


def _alphas(alpha: list[float], words: list[str], shown: int = 3, floor: float = 0.1) -> str:
    """The largest weights (at most ``shown``, each at least ``floor``): the screen shows them all."""
    top = sorted(((a, w) for w, a in zip(words, alpha) if a >= floor), reverse=True)[:shown] or [max(zip(alpha, words))]
    return ", ".join(f"\u201c{w}\u201d {fmt_num(a)}" for a, w in top)


def narration(t: AttentionData) -> dict[str, str]:
    src, steps = t["source"], t["decoder"]["steps"]
    score = "v\u00b7tanh(W\u209b s + W\u2095 h)" if t["attention"] == "additive" else "s\u00b7h"
    out = {
        "intro": f"A GRU encoder-decoder trained on deepviz's English-Spanish corpus translates "
                 f"\u201c{' '.join(src)}\u201d.",
        "encoder": f"The encoder reads one word at a time; each state h(i) summarises the sentence up to word i "
                   f"({t['hidden']} numbers; {t['dims']} shown).",
    }
    for j, st in enumerate(steps, 1):
        fed = "the start token" if st["input"] == SOS else f"\u201c{st['input']}\u201d"
        emitted = "the end of the sentence" if st["word"] == EOS else f"\u201c{st['word']}\u201d"
        how = f" (score = {score})" if j == 1 else ""
        loop = (f" The GRU turns s({j - 1}), c({j}) and {fed} into s({j}); s({j}) and c({j}) give p(next word)."
                if j == 1 else "")
        out[f"step{j}"] = (f"Step {j}: reading {fed}, the decoder scores every encoder state{how}; softmax puts "
                           f"\u03b1 on {_alphas(st['alpha'], src)}.{loop} It emits {emitted} "
                           f"(p = {fmt_num(st['p'])}).")
    translation = " ".join(w for w in t["target"] if w != EOS)
    out["matrix"] = (f"The attention matrix: one row per emitted word, one column per source word; each row sums "
                     f"to 1. Translation: \u201c{translation}\u201d.")
    cross = t["crossing"]
    if cross is None:
        out["notice"] = ("Notice the rows' largest weights keep the source's order: this translation keeps the "
                         "word order.")
    else:
        (j, k), (i, m) = cross["rows"], cross["columns"]
        tj, tk = t["target"][j], t["target"][k]
        out["notice"] = (f"Notice \u201c{tj}\u201d and \u201c{tk}\u201d: they look at \u201c{src[i]}\u201d "
                         f"({fmt_num(cross['alpha'][0])}) and \u201c{src[m]}\u201d ({fmt_num(cross['alpha'][1])}), "
                         "in the opposite order of the source: the highlighted cells leave the diagonal where the "
                         "two languages order the words differently.")
    return out
