"""Simple neurons combined into complex functions, computed with torch: params -> Trace.

curves:  a linear neuron  y = w x + b  and a sigmoid neuron  y = sigmoid(w x + b)  fitted to curved
         data (mean squared error); then networks with one hidden layer of n sigmoid units,
             y = sum_j v_j sigmoid(w_j x + b_j) + c,
         fitted to a target curve. Each unit's scaled output v_j sigmoid(w_j x + b_j) is one bend;
         the sum of the bends (plus c) is the fit.
digits:  an MLP 64 -> hidden (sigmoid) -> 10 trained with cross-entropy on scikit-learn's 8x8
         handwritten digits (pixels / 16), a seeded train/test split; a few test digits go through it.

All the networks train with full-batch Adam (the same update as torch.optim.Adam), seeded.
"""
from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from ...models.training import adam
from ...style.numbers import fmt_num, fmt_sig
from ...trace import Trace, to_plain
from .data import unit_counts
from .schema import ApproximationData, CurvesData, DigitsData

DT = torch.float64
X_RANGE = (-3.0, 3.0)
N_DATA = 25  # points of the curved data set a single neuron fits
N_TARGET = 61  # samples of the target curve the sums fit
N_DRAW = 121  # samples of every drawn curve
LR = 0.05
SNAPSHOTS = (0, 10, 30, 80, 200)  # steps at which the single neurons' fits are kept (and the last step)
TEST_SHARE = 0.2
LR_DIGITS = 0.05

TARGETS = {
    "wave": lambda x: torch.sin(2.0 * x) + 0.3 * x,
    "bump": lambda x: torch.exp(-x ** 2) - 0.5 * torch.exp(-(x - 1.8) ** 2 / 0.3),
    "steps": lambda x: torch.where(x < -1, -1.0, torch.where(x < 1, 0.5, 1.5)).to(DT),
}
TARGET_WORDS = {"wave": "a wave, sin(2x) + 0.3x", "bump": "a bump and a dip",
                "steps": "a staircase with two steps"}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    curve = values["show"] == "curves"
    data: ApproximationData = to_plain(curves(values) if curve else digits(values))
    text = curve_narration(data) if data["show"] == "curves" else digit_narration(data)
    return Trace(concept="approximation", params={}, data=data, narration=text, preset=preset)


# -- curves ------------------------------------------------------------------------------------------------
def curved_data(g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """An S-shaped data set in (0, 1): what one sigmoid can fit and no line can."""
    x = torch.linspace(*X_RANGE, N_DATA, dtype=DT)
    y = 0.5 + 0.42 * torch.tanh(1.4 * (x - 0.4)) + 0.03 * torch.randn(N_DATA, generator=g, dtype=DT)
    return x, y


def sum_init(n: int, g: torch.Generator) -> dict[str, torch.Tensor]:
    """Bends spread over the x range: unit j steps near c_j with slope 2 to 3 (random sign), small v."""
    lo, hi = X_RANGE
    centres = torch.linspace(lo + 0.5, hi - 0.5, n, dtype=DT) if n > 1 else torch.zeros(1, dtype=DT)
    centres = centres + 0.2 * torch.randn(n, generator=g, dtype=DT)
    sign = torch.where(torch.rand(n, generator=g, dtype=DT) < 0.5, -1.0, 1.0).to(DT)
    w = sign * (2 + torch.rand(n, generator=g, dtype=DT))
    return {"w": w, "b": -w * centres, "v": 0.5 * torch.randn(n, generator=g, dtype=DT), "c": torch.zeros(1, dtype=DT)}


def units_out(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Each unit's scaled output v_j sigmoid(w_j x + b_j): len(x) x n."""
    return p["v"] * torch.sigmoid(x[:, None] * p["w"] + p["b"])


def sum_out(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    return units_out(p, x).sum(1) + p["c"]


def curves(values: dict[str, Any]) -> dict[str, Any]:
    g = torch.Generator().manual_seed(values["seed"])
    counts = unit_counts(values["units"])
    steps = values["steps"]
    xd, yd = curved_data(g)
    single = {"lin_w": torch.zeros(1, dtype=DT), "lin_b": torch.zeros(1, dtype=DT),
              "sig_w": torch.zeros(1, dtype=DT), "sig_b": torch.zeros(1, dtype=DT)}
    xt = torch.linspace(*X_RANGE, N_TARGET, dtype=DT)
    yt = TARGETS[values["target"]](xt)
    # The networks share no parameter: their units are stacked side by side (``owner`` says which network
    # each unit belongs to) so one pass computes them all, and Adam on the sum of their losses trains each
    # exactly as it would alone (its update is elementwise).
    inits = [sum_init(n, g) for n in counts]
    packed = {k: torch.cat([p[k] for p in inits]) for k in ("w", "b", "v", "c")}
    owner = torch.zeros(sum(counts), len(counts), dtype=DT)
    start = 0
    for k, n in enumerate(counts):
        owner[start:start + n, k] = 1.0
        start += n
    params = [t.requires_grad_(True) for t in (*single.values(), *packed.values())]

    def linear(x):
        return single["lin_w"] * x + single["lin_b"]

    def sigmoid(x):
        return torch.sigmoid(single["sig_w"] * x + single["sig_b"])

    def sums(x):  # len(x) x networks
        return (packed["v"] * torch.sigmoid(x[:, None] * packed["w"] + packed["b"])) @ owner + packed["c"]

    def losses():
        per_net = ((sums(xt) - yt[:, None]) ** 2).mean(0)
        return torch.cat([F.mse_loss(linear(xd), yd)[None], F.mse_loss(sigmoid(xd), yd)[None], per_net])

    xs = torch.linspace(*X_RANGE, N_DRAW, dtype=DT)
    snaps = {"linear": [], "sigmoid": []}

    def keep(step):
        if step in SNAPSHOTS or step == steps:
            with torch.no_grad():
                for key, f in (("linear", linear), ("sigmoid", sigmoid)):
                    w, b = single[key[:3] + "_w"], single[key[:3] + "_b"]
                    snaps[key].append({"step": step, "w": w[0].item(), "b": b[0].item(), "y": f(xs)})

    keep(0)
    adam(params, lambda: losses().sum(), steps, LR, after_step=keep)
    for t in params:
        t.requires_grad_(False)
    final = losses().tolist()
    fits, start = [], 0
    for k, n in enumerate(counts):
        p = {key: packed[key][start:start + n] for key in ("w", "b", "v")}
        p["c"] = packed["c"][k:k + 1]
        start += n
        fits.append({"n": n, "w": p["w"], "b": p["b"], "v": p["v"], "c": p["c"][0], "loss": final[2 + k],
                     "units": units_out(p, xs).T, "sum": sum_out(p, xs),
                     # the sum built unit by unit: c plus the first j + 1 units
                     "partial": (units_out(p, xs).cumsum(1) + p["c"]).T})
    return {
        "show": "curves", "seed": values["seed"], "steps": steps, "lr": LR, "x_range": list(X_RANGE), "xs": xs,
        "neuron": {"x": xd, "y": yd,
                   "linear": {"w": single["lin_w"][0], "b": single["lin_b"][0], "loss": final[0],
                              "snapshots": snaps["linear"]},
                   "sigmoid": {"w": single["sig_w"][0], "b": single["sig_b"][0], "loss": final[1],
                               "snapshots": snaps["sigmoid"]}},
        "target": {"name": values["target"], "x": xt, "y": yt, "curve": TARGETS[values["target"]](xs)},
        "fits": fits,
    }


def curve_narration(d: CurvesData) -> dict[str, str]:
    nl, ns = d["neuron"]["linear"], d["neuron"]["sigmoid"]
    text = {
        "data": f"{len(d['neuron']['x'])} points that rise along an S-shaped curve. Fit one neuron to them by "
                f"gradient descent ({d['steps']} Adam steps on the mean squared error).",
        "linear": f"A linear neuron, y = w x + b, can only draw a line: w = {fmt_num(nl['w'])}, b = "
                  f"{fmt_num(nl['b'])}. It misses both ends; its error stays at {fmt_sig(nl['loss'], 2)}.",
        "sigmoid": f"A sigmoid neuron, y = \u03c3(w x + b), bends once: w = {fmt_num(ns['w'])}, b = "
                   f"{fmt_num(ns['b'])}. Its error drops to {fmt_sig(ns['loss'], 2)}.",
        "sum": f"Now a harder target: {TARGET_WORDS[d['target']['name']]}. A hidden layer of n sigmoid units: each "
               "unit j adds one bend, scaled by its output weight, v\u2c7c \u03c3(w\u2c7c x + b\u2c7c); the network "
               "outputs their sum plus c.",
    }
    for f in d["fits"]:
        text[f"fit{f['n']}"] = (f"{f['n']} unit{'s' if f['n'] > 1 else ''}, one at a time: each scaled sigmoid "
                                f"(left) is added to the running sum (right). Mean squared error "
                                f"{fmt_sig(f['loss'], 2)}.")
    losses = ", ".join(f"{fmt_sig(f['loss'], 2)} with {f['n']}" for f in d["fits"])
    text["more"] = f"More units, more bends, a closer fit: the error falls from {losses}."
    return text


# -- digits -------------------------------------------------------------------------------------------------
def load_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 8x8 handwritten digits (shipped with it, nothing downloaded), pixels scaled to [0, 1]."""
    from sklearn.datasets import load_digits as sk_digits

    bunch: Any = sk_digits()  # typed as Bunch | tuple; without return_X_y it is the Bunch
    return torch.tensor(bunch.data, dtype=DT) / 16.0, torch.tensor(bunch.target, dtype=torch.long)


def split(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(n, generator=g)
    n_test = int(round(n * TEST_SHARE))
    return order[n_test:], order[:n_test]


def mlp_init(hidden: int, g: torch.Generator) -> dict[str, torch.Tensor]:
    """nn.Linear's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from the seeded generator."""
    def uniform(*shape, fan_in):
        return (torch.rand(*shape, generator=g, dtype=DT) * 2 - 1) / math.sqrt(fan_in)

    return {"W1": uniform(hidden, 64, fan_in=64), "b1": uniform(hidden, fan_in=64),
            "W2": uniform(10, hidden, fan_in=hidden), "b2": uniform(10, fan_in=hidden)}


def mlp(p: dict[str, torch.Tensor], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Hidden activations (sigmoid) and output logits."""
    h = torch.sigmoid(x @ p["W1"].T + p["b1"])
    return h, h @ p["W2"].T + p["b2"]


def digits(values: dict[str, Any]) -> dict[str, Any]:
    g = torch.Generator().manual_seed(values["seed"])
    x, y = load_digits()
    train, test = split(len(x), g)
    p = mlp_init(values["hidden"], g)
    params = [t.requires_grad_(True) for t in p.values()]
    history = adam(params, lambda: F.cross_entropy(mlp(p, x[train])[1], y[train]), values["digit_steps"], LR_DIGITS)
    for t in params:
        t.requires_grad_(False)
    _, logits_train = mlp(p, x[train])
    _, logits_test = mlp(p, x[test])
    pred_test = logits_test.argmax(1)
    shown = test[:values["digits"]]
    h, logits = mlp(p, x[shown])
    return {
        "show": "digits", "seed": values["seed"], "hidden": values["hidden"], "steps": values["digit_steps"],
        "lr": LR_DIGITS, "n_train": len(train), "n_test": len(test), "train_index": train, "test_index": test,
        "weights": p, "loss_history": history,
        "train_loss": F.cross_entropy(logits_train, y[train]),
        "train_accuracy": (logits_train.argmax(1) == y[train]).double().mean(),
        "test_loss": F.cross_entropy(logits_test, y[test]),
        "test_accuracy": (pred_test == y[test]).double().mean(),
        "test_predictions": pred_test,
        "examples": [{"index": int(i), "pixels": x[i].reshape(8, 8), "label": int(y[i]), "hidden": h[k],
                      "logits": logits[k], "probabilities": torch.softmax(logits[k], 0),
                      "prediction": int(logits[k].argmax())} for k, i in enumerate(shown)],
    }


def digit_narration(d: DigitsData) -> dict[str, str]:
    text = {
        "intro": f"scikit-learn's handwritten digits: 8x8 pixels each. An MLP with {d['hidden']} sigmoid hidden "
                 f"units and 10 outputs was trained on {d['n_train']} of them ({d['steps']} Adam steps on the "
                 f"cross-entropy).",
        "layers": "Each hidden unit is a sigmoid neuron reading all 64 pixels through its weights (the "
                  "{color:weight} lines, brighter where larger); each output adds up the hidden units with its own "
                  "weights. The largest output is the answer.",
    }
    for k, e in enumerate(d["examples"]):
        p = e["probabilities"][e["prediction"]]
        verdict = "right" if e["prediction"] == e["label"] else f"wrong: it is a {e['label']}"
        text[f"digit{k + 1}"] = (f"Test digit {k + 1}: the hidden units light up, then the outputs. The largest is "
                                 f"{e['prediction']} (probability {fmt_num(100 * p, 1)}%): {verdict}.")
    wrong = round((1 - d["test_accuracy"]) * d["n_test"])
    text["accuracy"] = (f"On all {d['n_test']} test digits, never seen in training, it is right "
                        f"{fmt_num(100 * d['test_accuracy'], 1)}% of the time ({wrong} mistakes; on the training "
                        f"digits {fmt_num(100 * d['train_accuracy'], 1)}%).")
    return text
