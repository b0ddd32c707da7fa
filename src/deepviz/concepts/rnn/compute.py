"""A recurrent network reading a sentence, computed with torch: params -> Trace.

    x(t) = E[word(t)]                                    embedding look-up (nn.Embedding)
    a(t) = W_hh h(t-1) + W_ih x(t) + b,  b = b_ih + b_hh,  h(0) = 0
    h(t) = f(a(t))                                       f = tanh, relu or the identity (nn.RNN)
    z = relu(W1 h(T) + b1),  logits = W2 z + b2          the MLP head (two nn.Linear)
    p = softmax(logits),  L = -log p[target]             cross-entropy

Back-propagation through time: dL/dh(t-1) = W_hh^T (f'(a(t)) * dL/dh(t)), and
dL/dW_hh = sum_t (f'(a(t)) * dL/dh(t)) h(t-1)^T. Truncated BPTT with k steps detaches
h(T-k), so the gradient of the loss (taken at the last step) reaches only h(T-k+1) .. h(T).

The weights are trained at first use on the shipped sentences (``deepviz.models.sentiment``;
``trained=False`` keeps the seed's random initial weights, and the video says so), then rounded
to one decimal so the numbers on screen stay short; every later number, the reported accuracy
included, is exact for the rounded weights (float64).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from . import CLASSES
from .numbers import fmt_grad, fmt_vec
from .schema import RNNData
from .vocab import INDEX, VOCAB, tokenize

HEAD_SIZE = 3  # hidden units of the MLP head
DECIMALS = 1  # weights are rounded to this many decimals
ALL_DETAILED = 3  # sentences up to this long get a caption per word and per step; longer ones are sped up

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda a: a}


def build_modules(values: dict[str, Any]) -> dict[str, nn.Module]:
    """The real torch modules, initialised from the seed, trained if asked, in float64, weights rounded."""
    from ...models import sentiment

    torch.manual_seed(values["seed"])
    # nn.RNN has no identity nonlinearity: for 'linear' its (tanh) module only supplies the
    # initial weights, and the recurrence below applies no activation (tested against a
    # manual torch reference instead of nn.RNN).
    nonlinearity = "tanh" if values["nonlinearity"] == "linear" else values["nonlinearity"]
    modules = {
        "embedding": nn.Embedding(len(VOCAB), values["embed_dim"]),
        "rnn": nn.RNN(values["embed_dim"], values["hidden"], nonlinearity=nonlinearity, batch_first=True),
        "fc1": nn.Linear(values["hidden"], HEAD_SIZE),
        "fc2": nn.Linear(HEAD_SIZE, len(CLASSES)),
    }
    for m in modules.values():
        m.double()
    if values.get("trained", False):
        config = (values["hidden"], values["embed_dim"], values["nonlinearity"], values["seed"])
        sentiment.train(modules, config, CLASSES, INDEX, ACTIVATIONS[values["nonlinearity"]])
    with torch.no_grad():
        for m in modules.values():
            for p in m.parameters():
                p.copy_(torch.round(p, decimals=DECIMALS))
    return modules


def forward(modules, index: torch.Tensor, nonlinearity: str, target: int, truncate: int = 0) -> dict[str, Any]:
    """One pass, step by step (every piece kept); ``truncate`` > 0 detaches h(T - truncate)."""
    rnn = modules["rnn"]
    w_ih, w_hh = rnn.weight_ih_l0, rnn.weight_hh_l0
    b = rnn.bias_ih_l0 + rnn.bias_hh_l0
    act = ACTIVATIONS[nonlinearity]
    x = modules["embedding"](index)
    n = len(index)
    h = torch.zeros(rnn.hidden_size, dtype=torch.float64)
    steps, hs = [], []
    for t in range(n):
        h_prev = h.detach() if truncate and t == n - truncate else h
        whh_h, wih_x = w_hh @ h_prev, w_ih @ x[t]
        a = whh_h + wih_x + b
        h = act(a)
        hs.append(h)
        steps.append({"x": x[t], "h_prev": h_prev, "Whh_h": whh_h, "Wih_x": wih_x, "b": b, "a": a, "h": h})
    pre = modules["fc1"](h)
    z = torch.relu(pre)
    logits = modules["fc2"](z)
    loss = F.cross_entropy(logits[None], torch.tensor([target]))
    return {"x": x, "steps": steps, "hs": hs, "pre": pre, "z": z, "logits": logits,
            "probs": torch.softmax(logits, 0), "loss": loss}


def slope(a: torch.Tensor, nonlinearity: str) -> torch.Tensor:
    """f'(a): the local factor each step back multiplies the gradient by (elementwise)."""
    if nonlinearity == "tanh":
        return 1 - torch.tanh(a) ** 2
    if nonlinearity == "relu":
        return (a > 0).double()
    return torch.ones_like(a)


def backward(modules, index, nonlinearity: str, target: int, truncate: int) -> dict[str, Any]:
    """dL/dh(t) for every step and dL/dW_hh, by autograd; truncated by detaching h(T - k)."""
    w_hh = modules["rnn"].weight_hh_l0
    n = len(index)

    def grads(k: int) -> tuple[list[torch.Tensor], torch.Tensor]:
        run = forward(modules, index, nonlinearity, target, truncate=k)
        found = torch.autograd.grad(run["loss"], [*run["hs"], w_hh], allow_unused=True)
        dh = [g if g is not None else torch.zeros_like(h) for g, h in zip(found[:n], run["hs"])]
        return dh, found[n]

    run = forward(modules, index, nonlinearity, target)
    dh, dw = grads(0)
    local = [slope(s["a"], nonlinearity) for s in run["steps"]]
    out: dict[str, Any] = {
        "dL_dh": dh, "norm": [g.norm() for g in dh], "slope": local,
        "delta": [g * f for g, f in zip(dh, local)], "dL_dW_hh": dw, "dL_dW_hh_norm": dw.norm(),
        "ratio": dh[-1].norm() / dh[0].norm() if dh[0].norm() > 0 else None,  # |dL/dh(T)| / |dL/dh(1)|
        "truncate": truncate, "truncated": None,
    }
    if truncate:
        tdh, tdw = grads(truncate)
        out["truncated"] = {"dL_dh": tdh, "norm": [g.norm() for g in tdh],
                            "reached": [t >= n - truncate for t in range(n)],
                            "dL_dW_hh": tdw, "dL_dW_hh_norm": tdw.norm(), "difference_norm": (dw - tdw).norm()}
    return out


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    words = tokenize(values["sentence"])
    index = torch.tensor([INDEX[w] for w in words])
    nl, target = values["nonlinearity"], CLASSES.index(values["target"])
    modules = build_modules(values)
    with torch.no_grad():
        run = forward(modules, index, nl, target)
    training = None
    if values["trained"]:
        from ...models import sentiment

        training = sentiment.evaluate(modules, CLASSES, INDEX, ACTIVATIONS[nl])
        training["test_percent"] = 100 * training["test_accuracy"]
    rnn: Any = modules["rnn"]  # an nn.RNN: torch does not type its weight attributes
    n = len(words)
    data = {
        "sentence": values["sentence"], "words": words, "nonlinearity": nl,
        "hidden_size": values["hidden"], "embed_dim": values["embed_dim"], "head_size": HEAD_SIZE,
        "seed": values["seed"], "training": training,
        "vocab": list(VOCAB),
        "embedding": {"table": modules["embedding"].weight, "index": index},
        "rnn": {"W_ih": rnn.weight_ih_l0, "W_hh": rnn.weight_hh_l0, "b_ih": rnn.bias_ih_l0, "b_hh": rnn.bias_hh_l0,
                "b": rnn.bias_ih_l0 + rnn.bias_hh_l0},
        "h0": torch.zeros(values["hidden"], dtype=torch.float64),
        "steps": [{"t": t + 1, "word": w, **s} for t, (w, s) in enumerate(zip(words, run["steps"]))],
        "head": {"W1": modules["fc1"].weight, "b1": modules["fc1"].bias, "W2": modules["fc2"].weight,
                 "b2": modules["fc2"].bias, "pre": run["pre"], "hidden": run["z"], "logits": run["logits"],
                 "probs": run["probs"]},
        "classes": list(CLASSES), "target_index": target,
        "target": [1.0 if c == target else 0.0 for c in range(len(CLASSES))],
        "loss": run["loss"],
        "detailed_words": n if n <= ALL_DETAILED else 0,
        "detailed_steps": n if n <= ALL_DETAILED else 1,
        "backward": (backward(modules, index, nl, target, values["truncate"]) if values["backward"] else None),
    }
    plain: RNNData = to_plain(data)
    return Trace(concept="rnn", params={}, data=plain, narration=narration(plain), preset=preset)


# -- captions -----------------------------------------------------------------------------------
def _h(t: int) -> str:
    return f"h({t})"


def recurrence_text(nl: str) -> str:
    inner = "W_hh\u00b7h(t\u22121) + W_ih\u00b7x(t) + b"
    return f"h(t) = {inner}" if nl == "linear" else f"h(t) = {nl}({inner})"


def weights_text(d: RNNData) -> str:
    """Where the weights come from, said in the intro and shown on screen."""
    tr = d["training"]
    if tr is None:
        return (f"The weights are untrained (random, seed {d['seed']}): the prediction below means nothing yet.")
    return (f"The weights were trained on {tr['n_train']} labelled sentences; the network gets "
            f"{fmt_num(tr['test_percent'], 0)}% of {tr['n_test']} sentences it never saw right.")


def narration(d: RNNData) -> dict[str, str]:
    words, steps, n, nl = d["words"], d["steps"], len(d["words"]), d["nonlinearity"]
    index = d["embedding"]["index"]
    target = d["classes"][d["target_index"]]
    act = "no activation" if nl == "linear" else nl
    out = {
        "intro": f"An RNN reads \u201c{' '.join(words)}\u201d word by word; target: {target}, "
                 f"t = {fmt_vec(d['target'])}. Hidden size {d['hidden_size']}, {act}. {weights_text(d)}",
    }
    table = f"{len(d['vocab'])} \u00d7 {d['embed_dim']}"
    if d["detailed_words"] == 0:
        out["embed"] = (f"Step 1: each word\u2019s row of the {table} embedding table is its x(t); "
                        f"\u2018{words[0]}\u2019 is row {index[0]}: x(1) = {fmt_vec(steps[0]['x'])}.")
    for t in range(d["detailed_words"]):
        lookup = f"\u2018{words[t]}\u2019 is row {index[t]}: x({t + 1}) = {fmt_vec(steps[t]['x'])}."
        out[f"embed_{t + 1}"] = (f"Step 1: each word\u2019s row of the {table} embedding table is its x(t); {lookup}"
                                 if t == 0 else lookup)
    out["recurrence"] = (f"Step 2, one step at a time: {recurrence_text(nl)}, the same weights at every step, "
                         f"from h(0) = 0.")
    for t in range(d["detailed_steps"]):
        s = steps[t]
        f = "" if nl == "linear" else f" {nl}"
        out[f"step_{t + 1}"] = (f"t = {t + 1}, \u2018{words[t]}\u2019: W_hh\u00b7{_h(t)} + W_ih\u00b7x({t + 1}) + b "
                                f"= {fmt_vec(s['a'])};{f} gives {_h(t + 1)} = {fmt_vec(s['h'])}.")
    if d["detailed_steps"] < n:
        first = d["detailed_steps"] + 1
        out["steps_rest"] = f"Steps {first} to {n} the same way; the last is {_h(n)} = {fmt_vec(steps[-1]['h'])}."
    head = d["head"]
    out["head"] = (f"Step 3, the head: z = ReLU(W1\u00b7{_h(n)} + b1) = {fmt_vec(head['hidden'])}; "
                   f"logits = W2\u00b7z + b2 = {fmt_vec(head['logits'])}.")
    probs = ", ".join(f"{c} {fmt_num(p, 2)}" for c, p in zip(d["classes"], head["probs"]))
    out["softmax"] = f"Softmax turns the logits into probabilities: {probs}."
    p_t = head["probs"][d["target_index"]]
    out["loss"] = (f"Cross-entropy against the target {fmt_vec(d['target'])}: L = \u2212log p({target}) = "
                   f"\u2212log {fmt_num(p_t, 2)} = {fmt_num(d['loss'], 2)}.")
    if d["backward"] is not None:
        out.update(backward_narration(d))
    return out


def backward_narration(d: RNNData) -> dict[str, str]:
    bw, n, nl = d["backward"], len(d["words"]), d["nonlinearity"]
    assert bw is not None  # called with --backward only
    norms = bw["norm"]
    factor = {"tanh": " and the tanh slope 1 \u2212 h\u00b2", "relu": " and the ReLU slope (0 or 1)", "linear": ""}[nl]
    out = {
        "bptt": f"Backward through time: dL/d{_h(n)} = {fmt_vec(bw['dL_dh'][-1], 3)} comes from the head; "
                f"each step back multiplies by W_hh\u1d40{factor}.",
    }
    first, last, ratio = norms[0], norms[-1], bw["ratio"]
    if ratio is None:
        trend = "nothing reaches h(1): the first word does not change W_hh."
    elif ratio > 1:
        trend = f"{fmt_num(ratio, 1 if ratio < 10 else 0)} times smaller: early words barely change W_hh."
    else:
        trend = "no smaller: here the gradient does not vanish."
    out["shrink"] = (f"|dL/dh(t)| along the steps: {fmt_grad(last)} at {_h(n)}, {fmt_grad(first)} at h(1), "
                     f"{trend}" if n > 1 else f"With one word there is one step: |dL/dh(1)| = {fmt_grad(last)}.")
    tr = bw["truncated"]
    if tr is not None:
        k = bw["truncate"]
        reached = [_h(t) for t in range(n - k + 1, n + 1)]
        reached_text = reached[0] if k == 1 else ", ".join(reached[:-1]) + " and " + reached[-1]
        out["truncate"] = (f"Truncated BPTT, k = {k}: {_h(n - k)} is detached, so the gradient reaches only "
                           f"{reached_text}.")
        out["weights"] = (f"dL/dW_hh sums the reached steps: norm {fmt_grad(bw['dL_dW_hh_norm'])} in full, "
                          f"{fmt_grad(tr['dL_dW_hh_norm'])} truncated; "
                          f"they differ by {fmt_grad(tr['difference_norm'])}.")
    return out
