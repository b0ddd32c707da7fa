"""The playground's exports: the trained weights, and a standalone PyTorch script that reproduces the run.

The script needs torch only. It inlines the data points exactly (each float32 value as a literal that
reads back to the same bits), builds the same ``nn.Sequential`` from the same seed, trains with the same
optimizer, loss, penalty and mini-batch order, and replays the run log (live setting changes, single
mini-batches, weights edited by hand) where they happened, so its final losses are the playground's.

The code for each feature, activation, initialisation, optimizer, loss and penalty is one snippet in the
tables below, keyed like the engine's own tables; the tests check every snippet against the engine.
"""
from __future__ import annotations

import io
import json
import struct
from dataclasses import replace
from itertools import groupby
from string import Template

from .engine import EXTENT, Config, Event, Playground

FEATURE_CODE = {
    "x1": "x1", "x2": "x2", "x1^2": "x1 * x1", "x2^2": "x2 * x2", "x1x2": "x1 * x2",
    "sin(x1)": "torch.sin(x1)", "sin(x2)": "torch.sin(x2)", "cos(x1)": "torch.cos(x1)", "cos(x2)": "torch.cos(x2)",
}
ACTIVATION_CODE = {
    "relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()", "linear": "nn.Identity()",
    "gelu": "nn.GELU()", "silu": "nn.SiLU()", "elu": "nn.ELU()", "leaky_relu": "nn.LeakyReLU(0.1)",
}
INIT_CODE = {  # (code run on ``lin``, its name in words)
    "xavier": ("nn.init.xavier_normal_(lin.weight)", "Xavier-normal"),
    "he": ('nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")', "He-normal"),
}
OPTIMIZER_CODE = {  # (code reading ``net`` and ``learning_rate``, its name in words)
    "sgd": ("torch.optim.SGD(net.parameters(), lr=learning_rate)", "SGD"),
    "momentum": ("torch.optim.SGD(net.parameters(), lr=learning_rate, momentum=0.9)", "SGD, momentum 0.9"),
    "adam": ("torch.optim.Adam(net.parameters(), lr=learning_rate)", "Adam"),
}
LOSS_CODE = {  # by "are there classes": (code reading ``out`` and ``target``, its name in words)
    True: ("nn.functional.cross_entropy(out, target)", "cross-entropy of the class scores"),
    False: ("0.5 * nn.functional.mse_loss(out[:, 0], target)", "half the mean squared error"),
}
PENALTY_CODE = {  # (code reading ``weights`` and ``reg_rate``, its name in words)
    "none": ("torch.zeros(())", 'regularization "none": nothing'),
    "l1": ("reg_rate * sum(w.abs().sum() for w in weights)", 'regularization "l1": reg_rate * sum |w|'),
    "l2": ("reg_rate * 0.5 * sum((w * w).sum() for w in weights)", 'regularization "l2": reg_rate * 1/2 * sum w^2'),
}
ROWS_PER_LINE = 3
ARROW = " \u2192 "


def state_dict_bytes(pg: Playground) -> bytes:
    """The network's weights as ``torch.save`` writes a state_dict: load it with
    ``torch.load(..., weights_only=True)`` into ``engine.build(pg.cfg)``."""
    import torch

    buffer = io.BytesIO()
    torch.save(pg.net.state_dict(), buffer)
    return buffer.getvalue()


# -- the settings in words (the script's header, the movie's panel) --------------------------------------
def _num(v: float) -> str:
    return f"{v:g}"


def layer_sizes(cfg: Config) -> list[int]:
    """The network's widths, inputs to outputs (as ``engine.build`` makes it)."""
    return [len(cfg.features), *cfg.hidden, max(cfg.classes, 1)]


def sizes_text(cfg: Config, sep: str = ARROW) -> str:
    """The widths joined by ``sep``; three or more equal hidden layers in a row as ``[16]×8``."""
    sizes = layer_sizes(cfg)
    parts = [str(sizes[0])]
    for width, run in groupby(sizes[1:-1]):
        n = len(list(run))
        parts += [f"[{width}]\u00d7{n}"] if n >= 3 else [str(width)] * n
    return sep.join(parts + [str(sizes[-1])])


def describe(cfg: Config) -> dict[str, str]:
    """The settings in words, a short line for each group (the movie shows all but ``split`` and ``init``)."""
    if cfg.dataset == "custom":
        data = f"custom, {len(cfg.custom)} points drawn or uploaded"
    elif cfg.dataset == "formula":
        data = f"formula {cfg.formula}, {cfg.points} points"
    else:
        data = f"{cfg.dataset}, {cfg.points} points"
    reg = "none" if cfg.regularization == "none" else f"{cfg.regularization.upper()}, rate {_num(cfg.reg_rate)}"
    return {
        "data": f"{data}, noise {_num(cfg.noise)}%",
        "split": f"train ratio {_num(cfg.train_ratio)}, data seed {cfg.data_seed}",
        "features": ", ".join(cfg.features),
        "network": f"{sizes_text(cfg)}, {cfg.activation}",
        "init": f"{INIT_CODE[cfg.init][1]}, seed {cfg.seed}",
        "training": f"{OPTIMIZER_CODE[cfg.optimizer][1]}, learning rate {_num(cfg.learning_rate)}, "
                    f"batch {cfg.batch_size}",
        "regularization": reg + (f", dropout {_num(cfg.dropout)}" if cfg.dropout else ""),
    }


# -- the script ---------------------------------------------------------------------------------------------
SCRIPT = Template('''\
#!/usr/bin/env python3
"""A run of the deepviz playground, reproduced in plain PyTorch.

Settings at the start of the run:
$header

Run it with  python THIS_FILE.py [weights.pt]
It prints the final train and test loss (the playground's, to float precision); given a path, it
also saves the trained weights there (a state_dict of the nn.Sequential built below).
"""
import sys

import torch
from torch import nn

torch.set_num_threads(1)  # as the playground: the same float operations, in the same order

# -- settings (the training settings may change during the run: see "the run" below) -------------------
learning_rate = $learning_rate
batch_size = $batch_size
optimizer = $optimizer
regularization = $regularization
reg_rate = $reg_rate

# -- data -----------------------------------------------------------------------------------------------
# $data
# The playground's own points in [-$extent, $extent]^2 and its train/test split; every number reads back
# to the exact float32 value the playground trained on.
TRAIN = [  # (x1, x2, $target)
$train
]
TEST = [
$test
]
x_train = torch.tensor([p[:2] for p in TRAIN], dtype=torch.float32).reshape(-1, 2)
y_train = torch.tensor([p[2] for p in TRAIN], dtype=$target_dtype)
x_test = torch.tensor([p[:2] for p in TEST], dtype=torch.float32).reshape(-1, 2)
y_test = torch.tensor([p[2] for p in TEST], dtype=$target_dtype)


# -- features: what the network sees of a point -----------------------------------------------------------
def features(x):
    x1, x2 = x[:, 0], x[:, 1]
    return torch.stack([$features], 1)


f_train, f_test = features(x_train), features(x_test)


# -- the network ------------------------------------------------------------------------------------------
def linear(n_in, n_out):
    """A layer with $init_name weights and zero biases (made one after another: the seed fixes them all)."""
    lin = nn.Linear(n_in, n_out)
    $init
    nn.init.zeros_(lin.bias)
    return lin


torch.manual_seed($seed)
net = nn.Sequential(
$layers
)
linears = [m for m in net if isinstance(m, nn.Linear)]


# -- training ---------------------------------------------------------------------------------------------
def loss_fn(out, target):
    """The $loss_name."""
    return $loss


def penalty():
    """Added to the loss (over the weights, not the biases):
$penalty_names
    """
$penalty


def make_optimizer():
    """A fresh optimizer: one at the start, and a new one whenever the optimizer or learning rate changes."""
$make_optimizer


def step(idx):
    """One optimisation step on the training points idx."""
    loss = loss_fn(net(f_train[idx]), y_train[idx]) + penalty()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def train_epoch():
    """One pass over the training points in shuffled mini-batches."""
    net.train()
    order = torch.randperm(len(f_train), generator=shuffle)
    for start in range(0, len(order), batch_size):
        step(order[start:start + batch_size])


def train_batch():
    """One mini-batch of shuffled training points (the playground's step in batch mode)."""
    net.train()
    step(torch.randperm(len(f_train), generator=shuffle)[:batch_size])


# -- the run ----------------------------------------------------------------------------------------------
shuffle = torch.Generator().manual_seed($shuffle_seed)  # the order of the mini-batches
opt = make_optimizer()
$run

# -- the result -------------------------------------------------------------------------------------------
net.eval()
with torch.no_grad():
    train_loss = loss_fn(net(f_train), y_train).item()
    test_loss = loss_fn(net(f_test), y_test).item() if len(f_test) else float("nan")
print(f"final train loss {train_loss!r} test loss {test_loss!r}")
if len(sys.argv) > 1:
    torch.save(net.state_dict(), sys.argv[1])
    print(f"saved the trained weights (a state_dict) to {sys.argv[1]}")
''')


def script(pg: Playground) -> str:
    """A standalone, readable PyTorch script (torch only) that replays the run from its reset: same data,
    network, seeds and training, then prints ``final train loss <float> test loss <float>``."""
    cfg, log = pg.start_cfg, pg.log
    used = _settings_used(cfg, log)
    regularizations = [c.regularization for c in used]
    weights = "    weights = [lin.weight for lin in linears]\n" if set(regularizations) != {"none"} else ""
    classes = bool(cfg.classes)
    sizes = layer_sizes(cfg)
    after = [ACTIVATION_CODE[cfg.activation]] + ([f"nn.Dropout({cfg.dropout!r})"] if cfg.dropout else [])
    pairs = list(zip(sizes, sizes[1:]))
    layers = [f"    linear({a}, {b}),{''.join(f' {m},' for m in after) if k < len(pairs) - 1 else ''}"
              for k, (a, b) in enumerate(pairs)]  # every layer but the last: its activation (and dropout)
    words = {k: " ".join(v.split()) for k, v in describe(cfg).items()}  # one line each (the data line is a comment)
    header = "\n".join(f"  {k.capitalize():<15}{v}" for k, v in words.items()) + f"\nThe run: {_run_words(log)}."
    header = header.replace("\\", "\\\\").replace('"', '\\"')  # a formula's comment may hold \ or """: in the docstring
    return SCRIPT.substitute(
        header=header, extent=_num(EXTENT),
        learning_rate=_literal(cfg.learning_rate), batch_size=cfg.batch_size, optimizer=_literal(cfg.optimizer),
        regularization=_literal(cfg.regularization), reg_rate=_literal(cfg.reg_rate),
        data=f"{words['data']}; {words['split']}", target="class" if classes else "target",
        train=_rows(pg.x_train, pg.y_train, classes), test=_rows(pg.x_test, pg.y_test, classes),
        target_dtype="torch.long" if classes else "torch.float32",
        features=", ".join(FEATURE_CODE[f] for f in cfg.features),
        init=INIT_CODE[cfg.init][0], init_name=INIT_CODE[cfg.init][1], seed=cfg.seed, layers="\n".join(layers),
        loss=LOSS_CODE[classes][0], loss_name=LOSS_CODE[classes][1],
        penalty=weights + _choice("regularization", regularizations, PENALTY_CODE, "none"),
        penalty_names="\n".join(f"    - {PENALTY_CODE[r][1]}" for r in _distinct(regularizations)),
        make_optimizer=_choice("optimizer", [c.optimizer for c in used], OPTIMIZER_CODE, cfg.optimizer),
        shuffle_seed=pg.gen.initial_seed(), run=_run_code(log),
    )


def _settings_used(cfg: Config, log: list[Event]) -> list[Config]:
    """The settings at the start and after each live change of the run."""
    out = [cfg]
    for event in log:
        if event.kind == "set":
            out.append(replace(out[-1], **dict(event.changes)))
    return out


def _distinct(values) -> list:
    return list(dict.fromkeys(values))


def _choice(name: str, used: list[str], table: dict, last: str) -> str:
    """The body of a function returning the snippet for the setting's value: only the values the run uses,
    each behind an ``if`` (the one named ``last`` last, without one)."""
    values = [v for v in _distinct(used) if v != last] + [last]
    lines = []
    for v in values[:-1]:
        lines += [f"    if {name} == {_literal(v)}:", f"        return {table[v][0]}"]
    return "\n".join(lines + [f"    return {table[values[-1]][0]}"])


def _literal(v) -> str:
    """A setting's value as Python source (strings in double quotes)."""
    return json.dumps(v) if isinstance(v, str) else repr(v)


def float_literal(v: float) -> str:
    """The shortest literal that reads back, through a Python float, to the float32 value ``v``."""
    for digits in range(6, 10):
        text = f"{v:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == v:
            break
    else:
        text = repr(v)
    return text if any(c in text for c in ".e") else text + ".0"


def _rows(x, y, classes: bool) -> str:
    rows = [f"({float_literal(a)}, {float_literal(b)}, {int(c) if classes else float_literal(c)})"
            for (a, b), c in zip(x.tolist(), y.tolist())]
    return "\n".join("    " + " ".join(r + "," for r in rows[i:i + ROWS_PER_LINE])
                     for i in range(0, len(rows), ROWS_PER_LINE))


def _groups(log: list[Event]):
    """The log with runs of epochs or of single batches merged: (event, how many times, epochs before)."""
    epoch = 0
    out: list[list] = []
    for event in log:
        if out and event.kind in ("epoch", "batch") and out[-1][0] == event:
            out[-1][1] += 1
        else:
            out.append([event, 1, epoch])
        epoch += event.kind == "epoch"
    return out


def _run_words(log: list[Event]) -> str:
    counts = {kind: sum(e.kind == kind for e in log) for kind in ("epoch", "batch", "set", "weight")}
    words = {"epoch": ("epoch", "epochs"), "batch": ("single mini-batch", "single mini-batches"),
             "set": ("live change of settings", "live changes of settings"),
             "weight": ("weight edited by hand", "weights edited by hand")}
    parts = [f"{n} {words[k][n != 1]}" for k, n in counts.items() if n or k == "epoch"]
    return ", ".join(parts) + " (replayed in order below)"


def _run_code(log: list[Event]) -> str:
    if not log:
        return "# (no training yet: the network as initialised)"
    lines = []
    for event, times, before in _groups(log):
        if event.kind == "epoch":
            span = f"epoch {before + 1}" if times == 1 else f"epochs {before + 1}-{before + times}"
            lines += [f"for _ in range({times}):  # {span}", "    train_epoch()"]
        elif event.kind == "batch":
            lines += [f"for _ in range({times}):  # single mini-batches after epoch {before}", "    train_batch()"]
        elif event.kind == "set":
            changes = dict(event.changes)
            fresh = set(changes) & Playground.FRESH_OPTIMIZER
            lines.append(f"# after epoch {before}, changed live: "
                         + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())
                         + (" (so a fresh optimizer)" if fresh else ""))
            lines += [f"{k} = {_literal(v)}" for k, v in changes.items()]
            lines += ["opt = make_optimizer()"] if fresh else []
        else:
            what = f"weight to unit {event.index[0]} from unit {event.index[1]}" if len(event.index) == 2 \
                else f"bias of unit {event.index[0]}"
            param = "weight" if len(event.index) == 2 else "bias"
            lines += [f"with torch.no_grad():  # after epoch {before}, edited by hand: layer {event.layer}'s {what}",
                      f"    linears[{event.layer}].{param}[{', '.join(map(str, event.index))}] = {event.value!r}"]
    return "\n".join(lines)
