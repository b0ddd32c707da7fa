"""Why gates, computed with torch: params -> Trace.

For each cell (nn.RNN, nn.GRU, nn.LSTM, same hidden size) and each gap, a reader is trained at first
use on the long-memory task (``deepviz.models.long_memory``, cached) and its accuracy measured on new
sequences. Before training, on a batch of sequences of the longest gap, the loss L (cross-entropy
at the last step) is differentiated with respect to every hidden state: |dL/dh(t)| by autograd,
the module run one step at a time so that each h(t) is a node of the graph.
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from ...models import long_memory as lm
from ...style.numbers import fmt_num, fmt_sig
from ...trace import Trace, to_plain
from .schema import LongMemoryData

NAMES = {"rnn": "vanilla RNN", "gru": "GRU", "lstm": "LSTM"}
GRADIENT_BATCH = 64
EXAMPLE_GAP = 5


def gradients(model: lm.Reader, ids: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The loss on the batch and dL/dh(t) for every step."""
    hs = model.hidden_states(ids)
    loss = F.cross_entropy(model.head(hs[-1][0]), labels)
    return loss, list(torch.autograd.grad(loss, hs))


def reader(cell: str, k: int, values: dict[str, Any], ids: torch.Tensor, labels: torch.Tensor) -> dict[str, Any]:
    hid, seed = values["hidden"], values["seed"]
    loss, grads = gradients(lm.initial(cell, hid, seed), ids, labels)
    norms = torch.stack([g.norm() for g in grads]).double()
    accuracy = [lm.accuracy(lm.trained(cell, gap, hid, seed), gap, seed) for gap in lm.GAPS]
    return {"cell": cell, "name": NAMES[cell], "role": f"series{k}", "initial_loss": loss.detach(),
            "dL_dh_norm": norms, "log10_norm": torch.log10(norms), "first_over_last": norms[0] / norms[-1],
            "accuracy": accuracy, "percent": [100 * a for a in accuracy]}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    seed = values["seed"]
    longest = max(lm.GAPS)
    ids, labels = lm.sequences(GRADIENT_BATCH, longest, seed, test=True)
    example, _ = lm.sequences(1, EXAMPLE_GAP, seed, test=True)
    cells = [reader(cell, k, values, ids, labels) for k, cell in enumerate(lm.CELLS)]
    logs = [v for c in cells for v in c["log10_norm"].tolist()]
    tokens = [lm.TOKENS[i] for i in example[0].tolist()]
    data = {
        "tokens": list(lm.TOKENS), "gaps": list(lm.GAPS), "hidden_size": values["hidden"], "seed": seed,
        "keep_bias": lm.KEEP_BIAS, "n_train": lm.N_TRAIN, "n_test": lm.N_TEST, "steps": lm.STEPS, "lr": lm.LR,
        "chance": 1 / len(lm.TOKENS),
        "example": {"gap": EXAMPLE_GAP, "tokens": tokens, "answer": tokens[0]},
        "gradient": {"gap": longest, "ids": ids, "labels": labels},
        "cells": cells,
        "log10_range": [math.floor(min(logs)), math.ceil(max(logs))],
    }
    plain: LongMemoryData = to_plain(data)
    return Trace(concept="long-memory", params={}, data=plain, narration=narration(plain), preset=preset)


def _pct(v: float) -> str:
    return f"{fmt_num(v, 0)}%"


def gated_text(cells) -> str:
    """How the gated cells' share of the gradient at h(1) compares with the vanilla RNN's, from the numbers."""
    rnn = next(c["first_over_last"] for c in cells if c["cell"] == "rnn")
    gated = min(c["first_over_last"] for c in cells if c["cell"] != "rnn")
    if gated <= rnn:
        return "Here the vanilla RNN keeps at least as much of it."
    return f"The gated cells keep at least {fmt_sig(gated / rnn, 2)} times more of it."


def narration(d: LongMemoryData) -> dict[str, str]:
    ex, cells, gaps = d["example"], d["cells"], d["gaps"]
    longest, t_last = d["gradient"]["gap"], d["gradient"]["gap"] + 1
    names = ", ".join(f"{c['name']} ({{color:{c['role']}}})" for c in cells)
    ratios = "; ".join(f"{c['name']} {fmt_sig(c['first_over_last'], 2)}" for c in cells)
    at_longest = ", ".join(f"{c['name']} {_pct(c['percent'][-1])}" for c in cells)
    return {
        "intro": f"The task: a string of A\u2019s and B\u2019s; the answer is its first letter, and every letter after it "
                 f"is filler to ignore. With a gap of {ex['gap']}: {' '.join(ex['tokens'])} \u2192 {ex['answer']}.",
        "readers": f"Three readers of hidden size {d['hidden_size']}: {names}. Each is trained on {d['n_train']} "
                   f"sequences per gap; the gated ones start with their keeping gate\u2019s bias at "
                   f"+{fmt_num(d['keep_bias'])}.",
        "gradient": f"Before training, with a gap of {longest}: the size of the loss\u2019s gradient at each step, "
                    f"|dL/dh(t)|, on a log scale, from h({t_last}) back to h(1), the first letter.",
        "ratio": f"|dL/dh(1)| over |dL/dh({t_last})|: {ratios}. {gated_text(cells)}",
        "accuracy": f"After training, accuracy on {d['n_test']} new sequences per gap ({', '.join(map(str, gaps))}); "
                    f"chance is {_pct(100 * d['chance'])}. At a gap of {longest}: {at_longest}.",
    }
