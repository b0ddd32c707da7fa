"""A gated recurrent cell reading a sentence, computed with torch: params -> Trace.

LSTM (nn.LSTM; weight_ih_l0 stacks the blocks W_ii, W_if, W_ig, W_io, weight_hh_l0 likewise)::

    i = σ(W_ii x + b_ii + W_hi h(t-1) + b_hi)      input gate
    f = σ(W_if x + b_if + W_hf h(t-1) + b_hf)      forget gate
    g = tanh(W_ig x + b_ig + W_hg h(t-1) + b_hg)   candidate
    o = σ(W_io x + b_io + W_ho h(t-1) + b_ho)      output gate
    c(t) = f ⊙ c(t-1) + i ⊙ g,   h(t) = o ⊙ tanh(c(t)),   h(0) = c(0) = 0

GRU (nn.GRU; blocks r, z, n)::

    r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),   h(t) = z ⊙ h(t-1) + (1 - z) ⊙ n

Both read as one highway: state(t) = kept + added (LSTM: the state is c, kept = f ⊙ c(t-1),
added = i ⊙ g; GRU: the state is h, kept = z ⊙ h(t-1), added = (1 - z) ⊙ n).

The weights are the seed's random initial ones (rounded to one decimal so the numbers on screen
stay short); ``keep_bias`` is then added to the bias b_ih of the keeping gate (f or z).
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ...models.long_memory import add_keep_bias
from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from ..rnn.numbers import fmt_vec
from ..rnn.vocab import INDEX, VOCAB, tokenize
from .schema import GatedData

DECIMALS = 1
GATES = {  # per cell, in PyTorch's block order: (symbol, name, activation)
    "lstm": (("i", "input gate", "σ"), ("f", "forget gate", "σ"), ("g", "candidate", "tanh"),
             ("o", "output gate", "σ")),
    "gru": (("r", "reset gate", "σ"), ("z", "update gate", "σ"), ("n", "new state", "tanh")),
}
KEEP = 1  # the block of the gate that keeps the state (LSTM f, GRU z)


def build_modules(values: dict[str, Any]) -> dict[str, nn.Module]:
    """The embedding and the cell, initialised from the seed, in float64, weights rounded, keep_bias added."""
    torch.manual_seed(values["seed"])
    kind = nn.LSTM if values["cell"] == "lstm" else nn.GRU
    modules = {"embedding": nn.Embedding(len(VOCAB), values["embed_dim"]),
               "cell": kind(values["embed_dim"], values["hidden"], batch_first=True)}
    with torch.no_grad():
        for m in modules.values():
            m.double()
            for p in m.parameters():
                p.copy_(torch.round(p, decimals=DECIMALS))
    add_keep_bias(modules["cell"], values["keep_bias"])
    return modules


def blocks(w: torch.Tensor, n: int) -> list[torch.Tensor]:
    """PyTorch's stacked weight (or bias) cut into its ``n`` gate blocks."""
    return list(w.chunk(n, 0))


def lstm_step(cell, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> dict[str, Any]:
    wi, wh = blocks(cell.weight_ih_l0, 4), blocks(cell.weight_hh_l0, 4)
    bi, bh = blocks(cell.bias_ih_l0, 4), blocks(cell.bias_hh_l0, 4)
    pre = [wi[k] @ x + bi[k] + wh[k] @ h + bh[k] for k in range(4)]
    i, f, o = torch.sigmoid(pre[0]), torch.sigmoid(pre[1]), torch.sigmoid(pre[3])
    g = torch.tanh(pre[2])
    kept, added = f * c, i * g
    c_new = kept + added
    squashed = torch.tanh(c_new)
    return {"pre": pre, "gates": [i, f, g, o], "state_prev": c, "kept": kept, "added": added, "state": c_new,
            "squashed": squashed, "h": o * squashed}


def gru_step(cell, x: torch.Tensor, h: torch.Tensor) -> dict[str, Any]:
    wi, wh = blocks(cell.weight_ih_l0, 3), blocks(cell.weight_hh_l0, 3)
    bi, bh = blocks(cell.bias_ih_l0, 3), blocks(cell.bias_hh_l0, 3)
    hn = wh[2] @ h + bh[2]  # the reset gate scales this part only
    r_pre, z_pre = (wi[k] @ x + bi[k] + wh[k] @ h + bh[k] for k in range(2))
    r, z = torch.sigmoid(r_pre), torch.sigmoid(z_pre)
    n_pre = wi[2] @ x + bi[2] + r * hn
    n = torch.tanh(n_pre)
    kept, added = z * h, (1 - z) * n
    return {"pre": [r_pre, z_pre, n_pre], "gates": [r, z, n], "state_prev": h, "kept": kept, "added": added,
            "state": kept + added, "squashed": None, "h": kept + added}


def run(modules: dict[str, nn.Module], index: torch.Tensor, kind: str) -> list[dict[str, Any]]:
    """Every step of the cell over the sentence, every intermediate kept."""
    cell: Any = modules["cell"]  # an nn.LSTM or nn.GRU: torch does not type its attributes
    xs = modules["embedding"](index)
    h = torch.zeros(cell.hidden_size, dtype=torch.float64)
    c = torch.zeros_like(h)
    steps = []
    for x in xs:
        s = lstm_step(cell, x, h, c) if kind == "lstm" else gru_step(cell, x, h)
        steps.append({"x": x, "h_prev": h, **s})
        h, c = s["h"], s["state"]
    return steps


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    words = tokenize(values["sentence"])
    index = torch.tensor([INDEX[w] for w in words])
    kind = values["cell"]
    modules = build_modules(values)
    with torch.no_grad():
        steps = run(modules, index, kind)
    cell: Any = modules["cell"]  # torch does not type the weight attributes
    keep = KEEP
    # how much of the first step's state is still there at the last: the product of the keeping gate
    kept_product = torch.stack([s["gates"][keep] for s in steps[1:]]).prod(0) if len(steps) > 1 else None
    n = len(words)
    data = {
        "sentence": values["sentence"], "words": words, "cell": kind, "hidden_size": values["hidden"],
        "embed_dim": values["embed_dim"], "seed": values["seed"], "keep_bias": values["keep_bias"],
        "vocab_size": len(VOCAB), "index": index,
        "gates": [{"symbol": s, "name": name, "activation": act, "role": f"gate{k}"}
                  for k, (s, name, act) in enumerate(GATES[kind])],
        "keep_gate": keep,
        "state_name": "c" if kind == "lstm" else "h",
        "weights": {"W_ih": cell.weight_ih_l0, "W_hh": cell.weight_hh_l0, "b_ih": cell.bias_ih_l0,
                    "b_hh": cell.bias_hh_l0},
        "steps": [{"t": t + 1, "word": w, **s} for t, (w, s) in enumerate(zip(words, steps))],
        "kept_product": kept_product,
        "detailed_steps": min(n, values["detailed"]),
    }
    plain: GatedData = to_plain(data)
    return Trace(concept="lstm", params={}, data=plain, narration=narration(plain), preset=preset)


# -- captions -----------------------------------------------------------------------------------
def gate_list(d: GatedData) -> str:
    return ", ".join(f"{g['name']} {g['symbol']} ({{color:{g['role']}}})" for g in d["gates"])


def narration(d: GatedData) -> dict[str, str]:
    words, steps, n, lstm = d["words"], d["steps"], len(d["words"]), d["cell"] == "lstm"
    st, keep = d["state_name"], d["gates"][d["keep_gate"]]
    name = "An LSTM" if lstm else "A GRU"
    bias = f" Its {keep['name']}'s bias gets {fmt_num(d['keep_bias'], 1)} more." if d["keep_bias"] else ""
    out = {
        "intro": f"{name} reads \u201c{' '.join(words)}\u201d word by word; hidden size {d['hidden_size']}, "
                 f"random weights (seed {d['seed']}).{bias}",
        "weights": f"weight_ih and weight_hh stack {len(d['gates'])} blocks, as PyTorch stores them: {gate_list(d)}.",
    }
    if lstm:
        out["rule"] = ("The cell state c is a highway: the forget gate scales it, the input gate adds to it, "
                       "the output gate reads it. h(0) = c(0) = 0.")
    else:
        out["rule"] = ("The hidden state h is the highway: the update gate z keeps it, 1 \u2212 z lets in the new "
                       "state n, which the reset gate r computes. h(0) = 0.")
    for k in range(d["detailed_steps"]):
        s = steps[k]
        gates = ", ".join(f"{g['symbol']} = {fmt_vec(v)}" for g, v in zip(d["gates"], s["gates"]))
        out[f"gates_{k + 1}"] = f"t = {k + 1}, \u2018{words[k]}\u2019: {gates}."
        terms = f"{fmt_vec(s['kept'])} + {fmt_vec(s['added'])} = {fmt_vec(s['state'])}"
        if lstm:
            out[f"cell_{k + 1}"] = (f"c({k + 1}) = f \u2299 c({k}) + i \u2299 g = {terms}; "
                                    f"h({k + 1}) = o \u2299 tanh(c({k + 1})) = {fmt_vec(s['h'])}.")
        else:
            out[f"cell_{k + 1}"] = f"h({k + 1}) = z \u2299 h({k}) + (1 \u2212 z) \u2299 n = {terms}."
    if d["detailed_steps"] < n:
        first = d["detailed_steps"] + 1
        which = f"Step {n}" if first == n else f"Steps {first} to {n}"
        out["steps_rest"] = f"{which} the same way; the last gives {st}({n}) = {fmt_vec(steps[-1]['state'])}."
    out["memory"] = memory_text(d)
    return out


def memory_text(d: GatedData) -> str:
    """What the keeping gate did across the sentence, from its values at every step."""
    keep, n, st = d["gates"][d["keep_gate"]], len(d["words"]), d["state_name"]
    values = [s["gates"][d["keep_gate"]] for s in d["steps"]]
    low, high = min(min(v) for v in values), max(max(v) for v in values)
    text = f"The {keep['name']} {keep['symbol']} ranges from {fmt_num(low)} to {fmt_num(high)}: near 1 it keeps {st}, near 0 it forgets."
    product = d["kept_product"]
    if product is not None:
        best = max(range(d["hidden_size"]), key=lambda j: product[j])
        sym = keep["symbol"]
        text += (f" In unit {best + 1}, {sym} multiplies to {fmt_num(product[best])} from step 2 to {n}: "
                 f"that much of {st}(1) is still in {st}({n}).")
    return text
