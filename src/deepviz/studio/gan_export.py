"""The GAN page's exports: both networks' weights, and a standalone PyTorch script that reproduces the run.

The script carries the engine's own sampling, network, loss and update functions (their source, copied from
``studio/gan.py`` and ``models/gan.py`` when it is made: torch only), the settings the run started from, and the run log
(iterations, single-player steps, live changes) replayed in order, so its final weights are the page's.
"""
from __future__ import annotations

import inspect
import io
from dataclasses import asdict
from itertools import groupby
from string import Template

from ..models import gan as model
from . import gan
from .gan import GanRun

SOURCES = (model.circle, model.mixture, model.mlp, model.optimizer, model.d_loss, model.g_loss, model.d_step,
           model.g_step, gan.sample_real, gan._unit_real, gan.sample_noise, gan.network, gan.build, gan.d_update,
           gan.g_update)


def state_dict_bytes(run: GanRun) -> bytes:
    """``{"generator": G's state_dict, "discriminator": D's, "settings": the settings as a dict}`` as
    ``torch.save`` writes it (load with ``weights_only=True``; ``gan.build`` makes the modules)."""
    import torch

    buffer = io.BytesIO()
    torch.save({"generator": run.G.state_dict(), "discriminator": run.D.state_dict(),
                "settings": asdict(run.cfg)}, buffer)
    return buffer.getvalue()


SCRIPT = Template('''\
#!/usr/bin/env python3
"""A run of the deepviz GAN page, reproduced in plain PyTorch.

The run: $summary.
Run it with  python THIS_FILE.py [weights.pt]
It prints both players' last losses; given a path, it saves both networks' weights there.
"""
from __future__ import annotations

import math
import sys
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional as F

torch.set_num_threads(1)  # as the studio: the same float operations, in the same order
DRAWN_SPREAD = $spread
ADAM_BETAS = $betas
LOSS_KINDS = $kinds  # the page's loss names -> the functions' kinds

# -- the settings the run started from (the live ones change below, where the page changed them) --------
cfg = SimpleNamespace(**$settings)


# -- the page's own functions: the real data, the noise, the networks, the losses ---------------------------
$sources

# -- training: an iteration is d_steps updates of D, then g_steps updates of G -------------------------------
G, D = build(cfg)
gen = torch.Generator().manual_seed(cfg.seed + 1)  # every batch of real points, noise and mixing weights
d_opt = optimizer(cfg.d_optimizer, cfg.d_lr, D.parameters())
g_opt = optimizer(cfg.g_optimizer, cfg.g_lr, G.parameters())
losses = [math.nan, math.nan]


def train_d():
    losses[0] = d_update(cfg, G, D, d_opt, gen)


def train_g():
    losses[1] = g_update(cfg, G, D, g_opt, gen)


def iteration():
    for _ in range(cfg.d_steps):
        train_d()
    for _ in range(cfg.g_steps):
        train_g()


# -- the run ---------------------------------------------------------------------------------------------
$run

print(f"after $iterations iterations: D loss {losses[0]!r}, G loss {losses[1]!r}")
if len(sys.argv) > 1:
    torch.save({"generator": G.state_dict(), "discriminator": D.state_dict()}, sys.argv[1])
    print(f"saved both networks' weights to {sys.argv[1]}")
''')


def script(run: GanRun) -> str:
    """A standalone PyTorch script (torch only) that replays the run from its reset."""
    sources = "\n\n".join(inspect.getsource(f) for f in SOURCES)
    return SCRIPT.substitute(summary=_summary(run), spread=repr(gan.DRAWN_SPREAD), betas=repr(model.ADAM_BETAS),
                             kinds=repr(gan.LOSS_KINDS),
                             settings=repr(asdict(run.start_cfg)), sources=sources, run=_run_code(run.log),
                             iterations=run.iteration)


def _summary(run: GanRun) -> str:
    kinds = [e.kind for e in run.log]
    cfg = run.start_cfg
    return (f"{cfg.loss} loss on the {cfg.distribution} data, {kinds.count('iteration')} iterations, "
            f"{kinds.count('d')} steps of D alone, {kinds.count('g')} of G alone, "
            f"{kinds.count('set')} live changes of settings")


CALLS = {"iteration": "iteration()", "d": "train_d()", "g": "train_g()"}


def _run_code(log: list[gan.Event]) -> str:
    if not log:
        return "# (no training yet: the networks as initialised)"
    lines = []
    for event, group in groupby(log):
        times = len(list(group))
        if event.kind != "set":
            lines += [f"for _ in range({times}):", f"    {CALLS[event.kind]}"]
            continue
        for _ in range(times):  # the same change twice in a row is logged once; kept general anyway
            changes = dict(event.changes)
            lines += [f"cfg.{k} = {v!r}" for k, v in changes.items()]
            if set(changes) & gan.FRESH_D:
                lines.append("d_opt = optimizer(cfg.d_optimizer, cfg.d_lr, D.parameters())")
            if set(changes) & gan.FRESH_G:
                lines.append("g_opt = optimizer(cfg.g_optimizer, cfg.g_lr, G.parameters())")
    return "\n".join(lines)
