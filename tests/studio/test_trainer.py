"""The hand-derived training step against the engine it replaced: plain autograd and torch.optim.

The reference below is the playground's training as it was before ``studio/trainer.py`` (kept here as the
independent reference): ``loss.backward()`` through the ``nn.Sequential`` and a ``torch.optim`` optimizer,
one mini-batch of ``f_train[idx]`` at a time, dropout's masks from the global RNG.
"""
import pytest
import torch
from torch import nn

from deepviz.studio.engine import ACTIVATIONS, Config, Playground, build, make_optimizer
from deepviz.threads import one_thread


class Reference:
    """The pre-trainer engine's training loop (autograd + torch.optim), on a Playground's data."""

    def __init__(self, pg: Playground) -> None:
        self.pg, self.cfg = pg, pg.start_cfg
        with torch.random.fork_rng(devices=[]):
            self.net = build(self.cfg)
            self.rng = torch.get_rng_state()
        self.opt = make_optimizer(self.cfg, self.net.parameters())
        self.gen = torch.Generator().manual_seed(self.cfg.seed + 7)

    def loss(self, out, target):
        if self.cfg.classes:
            return nn.functional.cross_entropy(out, target)
        return 0.5 * nn.functional.mse_loss(out[:, 0], target)

    def penalty(self):
        weights = [m.weight for m in self.net if isinstance(m, nn.Linear)]
        if self.cfg.regularization == "l1":
            return self.cfg.reg_rate * sum(w.abs().sum() for w in weights)
        if self.cfg.regularization == "l2":
            return self.cfg.reg_rate * 0.5 * sum((w * w).sum() for w in weights)
        return torch.zeros(())

    def step(self, idx):
        loss = self.loss(self.net(self.pg.f_train[idx]), self.pg.y_train[idx]) + self.penalty()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def run(self, fn):
        with one_thread(), torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self.rng)
            self.net.train()
            fn()
            self.rng = torch.get_rng_state()

    def epoch(self):
        def fn():
            order = torch.randperm(len(self.pg.f_train), generator=self.gen)
            for start in range(0, len(order), self.cfg.batch_size):
                self.step(order[start:start + self.cfg.batch_size])
        self.run(fn)

    def batch(self):
        self.run(lambda: self.step(torch.randperm(len(self.pg.f_train), generator=self.gen)[:self.cfg.batch_size]))

    def set(self, **changes):
        from dataclasses import replace

        fresh = {k for k, v in changes.items() if getattr(self.cfg, k) != v} & Playground.FRESH_OPTIMIZER
        self.cfg = replace(self.cfg, **changes)
        if fresh:
            self.opt = make_optimizer(self.cfg, self.net.parameters())

    @torch.no_grad()
    def losses(self):
        self.net.eval()
        with one_thread():
            return (self.loss(self.net(self.pg.f_train), self.pg.y_train).item(),
                    self.loss(self.net(self.pg.f_test), self.pg.y_test).item())


CASES = [Config(optimizer=o, regularization=r, reg_rate=0.003 if r != "none" else 0.0)
         for o in ("sgd", "momentum", "adam") for r in ("none", "l1", "l2")]
CASES += [Config(dataset="spiral", hidden=(6, 5, 4), activation=a, optimizer="adam", points=160, batch_size=7)
          for a in ACTIVATIONS]
CASES += [
    Config(dataset="xor", hidden=(8, 8), activation="relu", dropout=0.3, optimizer="momentum", batch_size=9),
    Config(dataset="three-gauss", hidden=(5,), dropout=0.1, regularization="l2", reg_rate=0.01, points=200),
    Config(dataset="multi-gauss", hidden=(6, 3), activation="sigmoid", learning_rate=0.1, points=200),
    Config(dataset="plane", hidden=(3,), activation="linear", optimizer="adam", regularization="l1", reg_rate=0.01),
    Config(dataset="spiral", hidden=(8, 8, 8, 8), features=("x1", "x2", "x1^2", "x2^2", "sin(x1)"), batch_size=1,
           points=60, init="he", activation="elu", dropout=0.2, optimizer="adam"),
]


def _name(cfg: Config) -> str:
    return f"{cfg.dataset}-{'x'.join(map(str, cfg.hidden))}-{cfg.activation}-{cfg.optimizer}-{cfg.regularization}" \
           f"-dropout{cfg.dropout}"


@pytest.mark.parametrize("cfg", CASES, ids=[_name(c) for c in CASES])
def test_the_trainer_trains_as_autograd_and_torch_optim_do(cfg):
    pg = Playground(cfg)
    ref = Reference(pg)
    for epoch in range(12):
        pg.train_epoch()
        ref.epoch()
        if epoch == 5:  # a live change, single batches
            pg.update(learning_rate=0.05, batch_size=4)
            ref.set(learning_rate=0.05, batch_size=4)
            pg.step_batch()
            ref.batch()
        train, test = pg.losses()
        want_train, want_test = ref.losses()
        assert train == pytest.approx(want_train, rel=1e-5, abs=1e-7), epoch
        assert test == pytest.approx(want_test, rel=1e-5, abs=1e-7), epoch
    for ours, theirs in zip(pg.net.parameters(), ref.net.parameters()):
        assert torch.equal(ours, theirs)  # the same kernels in the same order: the same bits
