"""The training loop the four examples share: the digits CNN on mini-batches, watched by deepviz.

Each example changes one thing (the learning rate, the initialisation, the labels) and
``deepviz runs diagnose`` should name what went wrong. Run one with ``python examples/good.py``
(writes runs/good; ``--steps`` and ``--logdir`` to change), then ``deepviz runs diagnose runs/``.
"""
from __future__ import annotations

import argparse
from typing import Callable

import torch
from torch import nn

import deepviz
from deepviz.models.digits_cnn import DigitsCNN, load, prepare


def train(logdir: str, steps: int = 600, lr: float = 3e-3, optimizer: str = "adam", every: int = 10,
          batch: int = 64, init: Callable[[DigitsCNN], None] | None = None, shuffle_labels: int = 0,
          seed: int = 0) -> None:
    """Train a fresh digits CNN for ``steps`` mini-batches, recording into ``logdir``.

    ``init`` changes the fresh model's weights; ``shuffle_labels`` > 0 trains on that many digits with
    their labels shuffled (a network can only memorise them), validated on the true held-out digits.
    """
    torch.set_num_threads(1)  # a tiny model: one thread is fastest, and fair on a shared machine
    torch.manual_seed(seed)
    train_set, test_set = load()
    x, y = prepare(train_set.images), train_set.labels
    if shuffle_labels:
        x, y = x[:shuffle_labels], y[:shuffle_labels][torch.randperm(shuffle_labels)]
    x_val, y_val = prepare(test_set.images), test_set.labels
    model = DigitsCNN()
    if init is not None:
        with torch.no_grad():
            init(model)
    opt = (torch.optim.Adam(model.parameters(), lr) if optimizer == "adam"
           else torch.optim.SGD(model.parameters(), lr, momentum=0.9))
    with deepviz.watch(model, opt, logdir=logdir, every=every) as w:
        for _ in range(steps):
            i = torch.randint(0, len(y), (min(batch, len(y)),))
            loss = nn.functional.cross_entropy(model(x[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            val = {}
            if w.recording:  # the held-out loss only when this step is recorded
                with torch.no_grad():
                    val["val_loss"] = nn.functional.cross_entropy(model(x_val), y_val)
            w.step(loss=loss, **val)


def main(name: str, **options) -> None:
    ap = argparse.ArgumentParser(description=f"train the digits CNN: {name}")
    ap.add_argument("--logdir", default=f"runs/{name}")
    ap.add_argument("--steps", type=int, default=options.pop("steps", 600))
    args = ap.parse_args()
    train(args.logdir, steps=args.steps, **options)
    print(f"wrote {args.logdir}; now: deepviz runs diagnose {args.logdir}")
