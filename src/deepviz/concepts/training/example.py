"""The run the presets show when no logdir is given: a tiny MLP trained with a learning rate far too high,
recorded by deepviz.watch at first use into the cache (deterministic; no download)."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from ...models.cached import cache_path

STEPS, EVERY, LR, BATCH = 300, 5, 2.0, 32
VERSION = 2  # bump when the run below changes: the cached folder is then written again


def build() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(OrderedDict(fc1=nn.Linear(8, 32), relu1=nn.ReLU(), fc2=nn.Linear(32, 32), relu2=nn.ReLU(),
                                     out=nn.Linear(32, 3)))


def record(logdir: Path) -> None:
    from ...runs.watch import Watch

    g = torch.Generator().manual_seed(1)
    x = torch.randn(600, 8, generator=g)
    y = (x[:, :3] @ torch.randn(3, 3, generator=g)).argmax(1)  # three classes a linear map separates
    x_val, y_val, x, y = x[:100], y[:100], x[100:], y[100:]
    model = build()
    opt = torch.optim.SGD(model.parameters(), LR, momentum=0.9)
    with Watch(model, opt, logdir=logdir, every=EVERY) as w:
        for _ in range(STEPS):
            i = torch.randint(0, len(y), (BATCH,), generator=g)
            loss = nn.functional.cross_entropy(model(x[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            val = {}
            if w.recording:
                with torch.no_grad():
                    val["val_loss"] = nn.functional.cross_entropy(model(x_val), y_val)
            w.step(loss=loss, **val)


def example_logdir() -> Path:
    """The example run's folder in the cache (recorded now if missing); it appears whole or not at all."""
    path = cache_path("training-run", (STEPS, EVERY, LR, BATCH, VERSION)).with_suffix("")
    if path.is_dir():
        return path
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        with torch.random.fork_rng(), torch.enable_grad():
            record(tmp / "lr-too-high")
        try:
            os.replace(tmp, path)
        except OSError:  # another process put it there first
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path
