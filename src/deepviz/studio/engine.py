"""The playground's engine: 2D data sets, input features, a torch MLP, training, heatmaps.

Everything the playground page shows comes from here: the data points, every neuron's output
over the input plane (one batched forward pass over a grid, every layer at once), losses,
accuracy. The page only draws. One :class:`Playground` per browser tab.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field, replace
from typing import Callable

import torch
from torch import nn

from ..threads import one_thread

EXTENT = 6.0  # the input plane is [-6, 6]^2, as in TensorFlow Playground

CLASSIFY = ("circle", "xor", "gauss", "spiral", "three-gauss")
REGRESS = ("plane", "multi-gauss")
DATASETS = CLASSIFY + REGRESS
FEATURES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "x1": lambda a, b: a, "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a, "x2^2": lambda a, b: b * b, "x1x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: torch.sin(a), "sin(x2)": lambda a, b: torch.sin(b),
    "cos(x1)": lambda a, b: torch.cos(a), "cos(x2)": lambda a, b: torch.cos(b),
}
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity, "gelu": nn.GELU,
    "silu": nn.SiLU, "elu": nn.ELU, "leaky_relu": lambda: nn.LeakyReLU(0.1),
}
OPTIMIZERS = ("sgd", "momentum", "adam")
INITS = ("xavier", "he")
REGULARIZATION = ("none", "l1", "l2")


@dataclass(frozen=True)
class Config:
    dataset: str = "circle"
    noise: float = 0.0  # percent, 0-50
    train_ratio: float = 0.5  # 0.1-0.9
    points: int = 500
    data_seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    batch_size: int = 10
    optimizer: str = "sgd"
    init: str = "xavier"
    regularization: str = "none"
    reg_rate: float = 0.0
    dropout: float = 0.0
    seed: int = 0

    @property
    def classes(self) -> int:
        return 3 if self.dataset == "three-gauss" else 2 if self.dataset in CLASSIFY else 0


# -- data -------------------------------------------------------------------------------------
def make_data(cfg: Config) -> tuple[torch.Tensor, torch.Tensor]:
    """Points in [-6, 6]^2 and their labels (class ids) or targets (floats in [-1, 1])."""
    g = torch.Generator().manual_seed(cfg.data_seed)
    n, noise = cfg.points, cfg.noise / 100.0
    u = lambda *shape: torch.rand(*shape, generator=g)  # noqa: E731
    normal = lambda *shape: torch.randn(*shape, generator=g)  # noqa: E731
    if cfg.dataset == "circle":
        r = torch.cat([u(n // 2) * 0.5 * 5, (u(n - n // 2) * 0.3 + 0.7) * 5])
        angle = u(n) * 2 * math.pi
        x = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], 1) + normal(n, 2) * noise * 5 * 0.5
        y = (r > 2.5 * 1.0).long()
    elif cfg.dataset == "xor":
        x = u(n, 2) * 10 - 5
        x = x + torch.sign(x) * 0.3  # a gap around the axes
        y = ((x[:, 0] * x[:, 1]) > 0).long()
        x = x + normal(n, 2) * noise * 5 * 0.5
    elif cfg.dataset in ("gauss", "three-gauss"):
        k = 3 if cfg.dataset == "three-gauss" else 2
        centres = (torch.tensor([[2.0, 2.0], [-2.0, -2.0], [2.0, -2.5]]))[:k]
        y = torch.arange(n) % k
        x = centres[y] + normal(n, 2) * (0.5 + noise * 3)
    elif cfg.dataset == "spiral":
        half = n // 2
        t = u(n) * 1.0
        y = (torch.arange(n) >= half).long()
        r = t * 5
        angle = 1.75 * t * 2 * math.pi + y * math.pi
        x = torch.stack([r * torch.sin(angle), r * torch.cos(angle)], 1) + normal(n, 2) * noise * 5 * 0.3
    elif cfg.dataset == "plane":
        x = u(n, 2) * 12 - 6
        y = (x[:, 0] / 12 + x[:, 1] / 12 + normal(n) * noise).clamp(-1, 1)
    else:  # multi-gauss
        x = u(n, 2) * 12 - 6
        centres = torch.tensor([[-4.0, 2.5, 1.0], [0.0, 2.5, -1.0], [4.0, 2.5, 1.0],
                                [-4.0, -2.5, -1.0], [0.0, -2.5, 1.0], [4.0, -2.5, -1.0]])
        d2 = ((x[:, None, :] - centres[None, :, :2]) ** 2).sum(-1)
        y = (centres[:, 2] * torch.exp(-d2 / 2)).sum(1).clamp(-1, 1) + normal(n) * noise
        y = y.clamp(-1, 1)
    return x.clamp(-EXTENT, EXTENT), y


def split(cfg: Config, x: torch.Tensor, y: torch.Tensor):
    g = torch.Generator().manual_seed(cfg.data_seed + 1)
    order = torch.randperm(len(x), generator=g)
    k = max(1, int(round(len(x) * cfg.train_ratio)))
    return (x[order[:k]], y[order[:k]]), (x[order[k:]], y[order[k:]])


def featurize(x: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    return torch.stack([FEATURES[f](x[:, 0], x[:, 1]) for f in features], 1)


# -- the network ------------------------------------------------------------------------------
def build(cfg: Config) -> nn.Sequential:
    torch.manual_seed(cfg.seed)
    sizes = [len(cfg.features), *cfg.hidden, max(cfg.classes, 1)]
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        lin = nn.Linear(a, b)
        if cfg.init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:
            nn.init.xavier_normal_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[cfg.activation]())
            if cfg.dropout > 0:
                layers.append(nn.Dropout(cfg.dropout))
    return nn.Sequential(*layers)


def make_optimizer(cfg: Config, params) -> torch.optim.Optimizer:
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.learning_rate)
    return torch.optim.SGD(params, lr=cfg.learning_rate, momentum=0.9 if cfg.optimizer == "momentum" else 0.0)


@dataclass
class Snapshot:
    """The network as it was at an epoch (for the training tape)."""

    epoch: int
    state: dict[str, torch.Tensor]
    train_loss: float
    test_loss: float


@dataclass
class Playground:
    cfg: Config = field(default_factory=Config)

    def __post_init__(self) -> None:
        self.reset()

    # -- set-up ---------------------------------------------------------------------------------
    def reset(self, cfg: Config | None = None) -> None:
        """New data (if the data settings changed) and a new network at epoch 0."""
        self.cfg = cfg or self.cfg
        self.x, self.y = make_data(self.cfg)
        (self.x_train, self.y_train), (self.x_test, self.y_test) = split(self.cfg, self.x, self.y)
        self.f_train = featurize(self.x_train, self.cfg.features)
        self.f_test = featurize(self.x_test, self.cfg.features)
        self.net = build(self.cfg)
        self.opt = make_optimizer(self.cfg, self.net.parameters())
        self.epoch = 0
        self.gen = torch.Generator().manual_seed(self.cfg.seed + 7)
        self.history: list[tuple[int, float, float]] = []
        self.tape: list[Snapshot] = []
        self._record()

    def update(self, **changes) -> None:
        """Change settings live: optimiser settings keep the network; structure or data reset it."""
        cfg = replace(self.cfg, **changes)
        live = {"learning_rate", "batch_size", "regularization", "reg_rate", "optimizer"}
        if set(changes) <= live:
            self.cfg = cfg
            if "optimizer" in changes or "learning_rate" in changes:
                self.opt = make_optimizer(cfg, self.net.parameters())
            return
        self.reset(cfg)

    # -- training -------------------------------------------------------------------------------
    def loss_fn(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.cfg.classes:
            return nn.functional.cross_entropy(out, target)
        return 0.5 * nn.functional.mse_loss(out[:, 0], target)

    def penalty(self) -> torch.Tensor:
        weights = [m.weight for m in self.net if isinstance(m, nn.Linear)]
        if self.cfg.regularization == "l1":
            return self.cfg.reg_rate * sum(w.abs().sum() for w in weights)
        if self.cfg.regularization == "l2":
            return self.cfg.reg_rate * 0.5 * sum((w * w).sum() for w in weights)
        return torch.zeros(())

    def train_epoch(self) -> None:
        """One pass over the training split in shuffled mini-batches."""
        with one_thread():
            self._train_epoch()

    def _train_epoch(self) -> None:
        self.net.train()
        order = torch.randperm(len(self.f_train), generator=self.gen)
        for start in range(0, len(order), self.cfg.batch_size):
            idx = order[start:start + self.cfg.batch_size]
            loss = self.loss_fn(self.net(self.f_train[idx]), self.y_train[idx]) + self.penalty()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
        self.epoch += 1
        self._record()

    def step_batch(self) -> None:
        """One mini-batch (the page's "step" in batch mode); the epoch counter does not move."""
        self.net.train()
        idx = torch.randperm(len(self.f_train), generator=self.gen)[:self.cfg.batch_size]
        loss = self.loss_fn(self.net(self.f_train[idx]), self.y_train[idx]) + self.penalty()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    @torch.no_grad()
    def losses(self) -> tuple[float, float]:
        self.net.eval()
        train = self.loss_fn(self.net(self.f_train), self.y_train).item()
        test = self.loss_fn(self.net(self.f_test), self.y_test).item() if len(self.f_test) else float("nan")
        return train, test

    def _record(self) -> None:
        train, test = self.losses()
        self.history.append((self.epoch, train, test))
        self.tape.append(Snapshot(self.epoch, {k: v.clone() for k, v in self.net.state_dict().items()}, train, test))

    def diverged(self) -> bool:
        return not all(math.isfinite(v) for _, *vs in self.history[-1:] for v in vs)

    def last_good_epoch(self) -> int:
        """The latest epoch whose losses were finite (where "restore last good state" goes)."""
        return max((e for e, tr, te in self.history if math.isfinite(tr)), default=0)

    @contextlib.contextmanager
    def viewing(self, epoch: int):
        """The network as it was at ``epoch`` for the duration (the tape's scrubbing); nothing changes."""
        snap = next(s for s in self.tape if s.epoch == epoch)
        now = {k: v.clone() for k, v in self.net.state_dict().items()}
        self.net.load_state_dict(snap.state)
        try:
            yield snap
        finally:
            self.net.load_state_dict(now)

    def restore(self, epoch: int) -> None:
        """Go back to the network as it was at ``epoch`` (the tape); later epochs are dropped."""
        snap = next(s for s in self.tape if s.epoch == epoch)
        self.net.load_state_dict(snap.state)
        self.opt = make_optimizer(self.cfg, self.net.parameters())
        self.epoch = epoch
        self.tape = [s for s in self.tape if s.epoch <= epoch]
        self.history = [h for h in self.history if h[0] <= epoch]

    # -- what the page draws ------------------------------------------------------------------------
    @torch.no_grad()
    def heatmaps(self, resolution: int = 100) -> list[torch.Tensor]:
        """Every node's output over the plane, layer by layer: the input features, each hidden
        layer after its activation, and the output (class-1 probability, or the regression value
        in [-1, 1]), as (units, resolution, resolution) tensors, rows from top (x2 = +6) down."""
        self.net.eval()
        lin = torch.linspace(-EXTENT, EXTENT, resolution)
        x2, x1 = torch.meshgrid(lin.flip(0), lin, indexing="ij")
        pts = torch.stack([x1.reshape(-1), x2.reshape(-1)], 1)
        h = featurize(pts, self.cfg.features)
        maps = [h]
        for m in self.net:
            h = m(h)
            if not isinstance(m, (nn.Linear, nn.Dropout)):
                maps.append(h)
        if self.cfg.classes == 2:
            out = torch.softmax(h, 1)[:, 1:] * 2 - 1  # -1..1: the two classes' colours
        elif self.cfg.classes:
            out = torch.softmax(h, 1)
        else:
            out = h.clamp(-1, 1)
        maps.append(out)
        return [m.T.reshape(m.shape[1], resolution, resolution) for m in maps]

    @torch.no_grad()
    def accuracy(self) -> tuple[float, float]:
        if not self.cfg.classes:
            return float("nan"), float("nan")
        self.net.eval()
        acc = lambda f, y: (self.net(f).argmax(1) == y).float().mean().item() if len(f) else float("nan")  # noqa: E731
        return acc(self.f_train, self.y_train), acc(self.f_test, self.y_test)

    @torch.no_grad()
    def confusion(self) -> list[list[int]]:
        k = self.cfg.classes
        self.net.eval()
        pred = self.net(self.f_test).argmax(1)
        m = torch.zeros(k, k, dtype=torch.long)
        for t, p in zip(self.y_test.tolist(), pred.tolist()):
            m[t, p] += 1
        return m.tolist()
