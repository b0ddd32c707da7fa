"""Batch normalisation in a 2-2-1 network, computed with torch: params -> Trace.

    h = W1 x + b1                       hidden pre-activations (what BatchNorm1d normalises)
    mu = mean_batch(h), var = mean_batch((h - mu)^2)          (biased, as in training mode)
    h_hat = (h - mu) / sqrt(var + eps),  z = gamma * h_hat + beta
    y = W2 z + b2
    running_mean <- (1 - m) running_mean + m mu
    running_var  <- (1 - m) running_var  + m var_unbiased     (BatchNorm1d uses n / (n - 1) here)
"""
from __future__ import annotations

from typing import Any

import torch

from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .data import batches, load_rows
from .schema import BatchNormData

W1 = ((0.5, 3.0), (0.1, 0.2))  # the seed's weights: hidden unit 1 is dominated by x2
B1 = (0.0, 0.0)
W2 = ((1.0, -1.0),)
B2 = (0.0,)
GAMMA = (2.0, 0.5)  # learned scale and shift, fixed for the example
BETA = (0.5, -1.0)


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    rows = load_rows(values["data"])
    x = torch.tensor(rows, dtype=torch.float64)
    w1, b1 = torch.tensor(W1, dtype=torch.float64), torch.tensor(B1, dtype=torch.float64)
    w2, b2 = torch.tensor(W2, dtype=torch.float64), torch.tensor(B2, dtype=torch.float64)
    affine = values["affine"]
    gamma = torch.tensor(GAMMA if affine else (1.0, 1.0), dtype=torch.float64)
    beta = torch.tensor(BETA if affine else (0.0, 0.0), dtype=torch.float64)
    m, eps = values["momentum"], values["eps"]

    running_mean = torch.zeros(2, dtype=torch.float64)
    running_var = torch.ones(2, dtype=torch.float64)
    per_batch = []
    for idx in batches(len(rows), values["batch_size"]):
        xb = x[idx.start:idx.stop]
        h = xb @ w1.T + b1
        mu = h.mean(0)
        var = ((h - mu) ** 2).mean(0)
        var_unbiased = ((h - mu) ** 2).sum(0) / (h.shape[0] - 1)
        std = torch.sqrt(var + eps)
        h_hat = (h - mu) / std
        z = gamma * h_hat + beta
        y = z @ w2.T + b2
        before_mean, before_var = running_mean.clone(), running_var.clone()
        running_mean = (1 - m) * running_mean + m * mu
        running_var = (1 - m) * running_var + m * var_unbiased
        per_batch.append({
            "rows": [idx.start, idx.stop], "x": xb, "h": h, "mean": mu, "var": var, "var_unbiased": var_unbiased,
            "std": std, "h_hat": h_hat, "z": z, "y": y,
            "running_mean_before": before_mean, "running_var_before": before_var,
            "running_mean": running_mean.clone(), "running_var": running_var.clone(),
        })

    detail = per_batch[values["batch"] - 1]
    h = detail["h"]
    eval_std = torch.sqrt(running_var + eps)
    # how much of the start (mean 0, variance 1) the running statistics still hold: (1 - m)^batches
    start_weight = torch.tensor(1.0 - m, dtype=torch.float64) ** len(per_batch)
    z_eval = gamma * (h - running_mean) / eval_std + beta
    data = {
        "network": {"W1": w1, "b1": b1, "W2": w2, "b2": b2, "gamma": gamma, "beta": beta, "affine": affine},
        "momentum": m, "eps": eps, "batch_size": values["batch_size"],
        "x": x, "batches": per_batch, "detail": values["batch"] - 1,
        "eval": {"running_mean": running_mean, "running_var": running_var, "std": eval_std,
                 "h": h, "z": z_eval, "y": z_eval @ w2.T + b2, "z_train": detail["z"],
                 "batches_seen": len(per_batch), "start_weight": start_weight,
                 "batch_mean": detail["mean"], "batch_std": detail["std"]},
    }
    plain: BatchNormData = to_plain(data)
    return Trace(concept="batch-norm", params={}, data=plain, narration=narration(plain), preset=preset)


def narration(t: BatchNormData) -> dict[str, str]:
    d = t["batches"][t["detail"]]
    k = t["detail"] + 1
    n = len(d["h"])
    mean = ", ".join(fmt_num(v) for v in d["mean"])
    std = ", ".join(fmt_num(v) for v in d["std"])
    rm = ", ".join(fmt_num(v, 3) for v in d["running_mean"])
    rv = ", ".join(fmt_num(v, 3) for v in d["running_var"])
    means = "; ".join(f"batch {i + 1}: {', '.join(fmt_num(v) for v in b['mean'])}" for i, b in enumerate(t["batches"]))
    gb = ("Then gamma scales and beta shifts them: z = \u03b3\u00b7\u0125 + \u03b2." if t["network"]["affine"]
          else "Without affine parameters, z is the normalised value itself.")
    return {
        "intro": f"A 2-2-1 network with batch normalisation after the hidden layer. Batch {k} holds {n} examples.",
        "hidden": "Each example goes through the first layer: h = W1\u00b7x. These hidden values are what gets normalised.",
        "stats": f"Per hidden unit, over the batch: mean {mean}; standard deviation {std} "
                 f"(biased variance plus \u03b5 = {fmt_num(t['eps'], 8)}).",
        "normalise": "Each hidden value becomes \u0125 = (h \u2212 mean) / std: per unit, mean 0 and variance 1 in this batch.",
        "affine": gb,
        "output": "The output neuron reads the normalised hidden layer: y = W2\u00b7z.",
        "running": f"Running statistics move towards the batch's with momentum {fmt_num(t['momentum'])}: "
                   f"mean {rm}, variance {rv} (the running variance uses the unbiased variance).",
        "batches": f"Every batch has its own statistics. Hidden means, {means}.",
        "eval": _eval_text(t),
    }


def _eval_text(t: BatchNormData) -> str:
    ev, k = t["eval"], t["detail"] + 1

    def pair(values) -> str:
        return ", ".join(fmt_num(x) for x in values)

    return (f"In evaluation mode the running statistics replace the batch's. After {ev['batches_seen']} batches "
            f"with momentum {fmt_num(t['momentum'])} they still hold {fmt_num(100 * ev['start_weight'], 0)}% of "
            f"their start (mean 0, variance 1): running mean {pair(ev['running_mean'])} against batch {k}'s "
            f"{pair(ev['batch_mean'])}. So example #{t['batches'][t['detail']]['rows'][0] + 1} gets "
            f"z1 = {fmt_num(ev['z'][0][0])} instead of {fmt_num(ev['z_train'][0][0])}.")
