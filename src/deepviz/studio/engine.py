"""The playground's engine: 2D data sets, input features, a torch MLP, training, heatmaps.

Everything the playground page shows comes from here: the data points, every neuron's output
over the input plane (one batched forward pass over a grid, every layer at once), losses,
accuracy. The page only draws. One :class:`Playground` per browser tab.
"""
from __future__ import annotations

import contextlib
import functools
import math
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable

import torch
from torch import nn

from ..threads import one_thread
from .trainer import Optimizer, Trainer

EXTENT = 6.0  # the input plane is [-6, 6]^2, as in TensorFlow Playground

CLASSIFY = ("circle", "xor", "gauss", "spiral", "three-gauss")
REGRESS = ("plane", "multi-gauss")
USER = ("formula", "custom")  # a boundary typed as a formula; points drawn or uploaded
DATASETS = CLASSIFY + REGRESS + USER
MAX_CUSTOM_POINTS = 2000
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
    formula: str = "y > sin(3*x)"  # the "formula" data set: class 1 where it holds
    custom: tuple[tuple[float, float, int], ...] = ()  # the "custom" data set: (x1, x2, class) rows

    @property
    def classes(self) -> int:
        if self.dataset == "custom":
            return 3 if any(c == 2 for _, _, c in self.custom) else 2
        return 3 if self.dataset == "three-gauss" else 2 if self.dataset in CLASSIFY + ("formula",) else 0


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
    elif cfg.dataset == "formula":
        from .boundary import labels

        x = u(n, 2) * 12 - 6
        y = labels(cfg.formula, x)
        x = x + normal(n, 2) * noise * 5 * 0.5
    elif cfg.dataset == "custom":
        rows = torch.tensor([[a, b] for a, b, _ in cfg.custom], dtype=torch.float32).reshape(-1, 2)
        y = torch.tensor([int(c) for _, _, c in cfg.custom], dtype=torch.long)
        x = rows + normal(len(rows), 2) * noise * 5 * 0.5
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


def split_sizes(cfg: Config) -> tuple[int, int]:
    """How many of ``cfg``'s points train and test: round(n * train_ratio) train. Either may be 0 for a
    few custom points; the studio refuses an empty training split (``protocol.check``)."""
    n = len(cfg.custom) if cfg.dataset == "custom" else cfg.points
    k = int(round(n * cfg.train_ratio))
    return k, n - k


def split(cfg: Config, x: torch.Tensor, y: torch.Tensor):
    g = torch.Generator().manual_seed(cfg.data_seed + 1)
    order = torch.randperm(len(x), generator=g)
    k, _ = split_sizes(cfg)
    return (x[order[:k]], y[order[:k]]), (x[order[k:]], y[order[k:]])


def featurize(x: torch.Tensor, features: tuple[str, ...]) -> torch.Tensor:
    return torch.stack([FEATURES[f](x[:, 0], x[:, 1]) for f in features], 1)


@functools.lru_cache(maxsize=32)
def _grid_features(resolution: int, features: tuple[str, ...]) -> torch.Tensor:
    """The features of a resolution x resolution grid over the plane, rows from top (x2 = +6) down
    (every frame draws the same grids: made once)."""
    lin = torch.linspace(-EXTENT, EXTENT, resolution)
    x2, x1 = torch.meshgrid(lin.flip(0), lin, indexing="ij")
    return featurize(torch.stack([x1.reshape(-1), x2.reshape(-1)], 1), features)


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
    """The ``torch.optim`` optimizer a setting names (the exported script's; the engine computes the same
    updates with ``trainer.Optimizer``)."""
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.learning_rate)
    return torch.optim.SGD(params, lr=cfg.learning_rate, momentum=0.9 if cfg.optimizer == "momentum" else 0.0)


@dataclass(frozen=True)
class Event:
    """One change to a run since its reset. The run log of them replays the run exactly: ``restore`` replays
    it from the nearest resume point, and the exported script (``studio/export.py``) replays it in plain torch."""

    kind: str  # "epoch", "batch" (one mini-batch), "set" (live settings) or "weight" (one weight edited)
    changes: tuple[tuple[str, Any], ...] = ()  # "set": (setting, new value) pairs
    layer: int = 0  # "weight": which nn.Linear, the index ((to, from) or (to,) for a bias), the new value
    index: tuple[int, ...] = ()
    value: float = 0.0


EPOCH, BATCH = Event("epoch"), Event("batch")


@dataclass
class Resume:
    """What training needs besides the weights to go on exactly as it did (kept every few epochs)."""

    cfg: Config
    optimizer: tuple  # a copy of the optimizer's state (trainer.Optimizer.state)
    shuffle: torch.Tensor  # the state of the mini-batch order's generator
    rng: torch.Tensor  # the global torch RNG as this run left it (dropout's masks)


@dataclass
class Snapshot:
    """The network as it was at an epoch (for the training tape)."""

    epoch: int
    weights: torch.Tensor  # every parameter, flattened into one vector (in net.parameters() order)
    layout: tuple[tuple[str, torch.Size], ...]  # each parameter's state_dict key and shape (shared by a run)
    train_loss: float
    test_loss: float
    log_at: int = 0  # how long the run log was at this epoch
    resume: Resume | None = None  # set every Playground.RESUME_EVERY epochs

    @property
    def state(self) -> dict[str, torch.Tensor]:
        """The weights as a state_dict (views into ``weights``)."""
        sizes = [shape.numel() for _, shape in self.layout]
        return {name: t.view(shape) for (name, shape), t in zip(self.layout, self.weights.split(sizes))}


@dataclass
class Playground:
    """One run: the data, the network and its optimizer, the tape (a snapshot per epoch) and the run log.

    The run log lists every change since the last reset (epochs, single mini-batches, live setting changes,
    weights edited by hand); with the settings the run started from (``start_cfg``) it replays the run
    exactly. Every ``RESUME_EVERY`` epochs a snapshot also keeps the optimizer's state and both random
    generators' states, so ``restore`` resumes from there and replays the log up to the epoch asked for.
    """

    cfg: Config = field(default_factory=Config)

    LIVE = frozenset({"learning_rate", "batch_size", "regularization", "reg_rate", "optimizer"})  # keep the network
    FRESH_OPTIMIZER = frozenset({"learning_rate", "optimizer"})  # a live change of these starts a new optimizer
    RESUME_EVERY = 10
    TAPE_DENSE = 1000  # the last epochs kept one by one on the tape (older ones are thinned)
    _rng_lock = threading.Lock()  # the global torch RNG (init, dropout) is shared by every tab's run

    def __post_init__(self) -> None:
        self.reset()

    # -- set-up ---------------------------------------------------------------------------------
    def reset(self, cfg: Config | None = None) -> None:
        """New data (if the data settings changed) and a new network at epoch 0; the run log starts empty."""
        self.cfg = self.start_cfg = cfg or self.cfg
        self.x, self.y = make_data(self.cfg)
        (self.x_train, self.y_train), (self.x_test, self.y_test) = split(self.cfg, self.x, self.y)
        self.f_train = featurize(self.x_train, self.cfg.features)
        self.f_test = featurize(self.x_test, self.cfg.features)
        with self._global_rng(fresh=True):
            self.net = build(self.cfg)
        self.layout = tuple((name, p.shape) for name, p in self.net.named_parameters())
        self.trainer = Trainer(self.net, self.cfg.activation, self.cfg.dropout, self.cfg.classes)
        self.opt = self._optimizer(self.cfg)
        self.epoch = 0
        self.gen = torch.Generator().manual_seed(self.cfg.seed + 7)
        self.history: list[tuple[int, float, float]] = []
        self.tape: list[Snapshot] = []
        self.log: list[Event] = []
        self._record()

    def update(self, **changes) -> None:
        """Change settings live: optimiser settings keep the network (and are logged); anything else resets it."""
        cfg = replace(self.cfg, **changes)
        if not set(changes) <= self.LIVE:
            self.reset(cfg)
            return
        changes = {k: v for k, v in changes.items() if getattr(self.cfg, k) != v}
        if not changes:
            return
        self.cfg = cfg
        if set(changes) & self.FRESH_OPTIMIZER:
            self.opt = self._optimizer(cfg)
        self.log.append(Event("set", tuple(sorted(changes.items()))))

    def _optimizer(self, cfg: Config) -> Optimizer:
        return Optimizer(cfg.optimizer, cfg.learning_rate, self.trainer.params)

    def linears(self) -> list[nn.Linear]:
        return [m for m in self.net if isinstance(m, nn.Linear)]

    def set_weight(self, layer: int, index: tuple[int, ...], value: float) -> str | None:
        """Edit one weight (``index`` = (to, from)) or bias (``index`` = (to,)) of the ``layer``-th nn.Linear
        live; returns an error text naming ``layer`` or ``index``, or None when done (and logged)."""
        linears = self.linears()
        if not 0 <= layer < len(linears):
            return f"layer: the network has {len(linears)} weight layers"
        if len(index) not in (1, 2):
            return "index: [to, from] for a weight or [to] for a bias"
        target = linears[layer].weight if len(index) == 2 else linears[layer].bias
        if any(not 0 <= i < s for i, s in zip(index, target.shape)):
            return f"index: out of range for shape {list(target.shape)}"
        with torch.no_grad():
            target[tuple(index)] = value
        self.log.append(Event("weight", layer=layer, index=tuple(index), value=float(value)))
        return None

    # -- training -------------------------------------------------------------------------------
    def loss_fn(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.cfg.classes:
            return nn.functional.cross_entropy(out, target)
        return 0.5 * nn.functional.mse_loss(out[:, 0], target)

    def penalty(self) -> torch.Tensor:
        """The regularisation term added to the loss (``trainer.Trainer.step`` applies its gradient)."""
        weights = [m.weight for m in self.linears()]
        if self.cfg.regularization == "l1":
            return self.cfg.reg_rate * sum((w.abs().sum() for w in weights), torch.zeros(()))
        if self.cfg.regularization == "l2":
            return self.cfg.reg_rate * 0.5 * sum(((w * w).sum() for w in weights), torch.zeros(()))
        return torch.zeros(())

    def train_epoch(self) -> None:
        """One pass over the training split in shuffled mini-batches."""
        cfg, step = self.cfg, self.trainer.step
        with self._training():
            order = torch.randperm(len(self.f_train), generator=self.gen)
            for x, target in self.trainer.batches(self.f_train, self.y_train, order, cfg.batch_size):
                step(x, target, cfg.regularization, cfg.reg_rate, self.opt)
        self.epoch += 1
        self.log.append(EPOCH)
        self._record()

    def step_batch(self) -> None:
        """One mini-batch (the page's "step" in batch mode); the epoch counter does not move."""
        cfg = self.cfg
        with self._training():
            idx = torch.randperm(len(self.f_train), generator=self.gen)[:cfg.batch_size]
            rows = torch.full((len(idx),), float(len(idx)))
            self.trainer.step(self.f_train[idx], self.trainer.targets(self.y_train[idx], rows),
                              cfg.regularization, cfg.reg_rate, self.opt)
        self.log.append(BATCH)

    @contextlib.contextmanager
    def _training(self):
        """Training mode on one torch thread, with this run's own global RNG when dropout draws from it."""
        with one_thread(), self._global_rng() if self.cfg.dropout else contextlib.nullcontext():
            yield

    @contextlib.contextmanager
    def _global_rng(self, fresh: bool = False):
        """The global torch RNG (weight init, dropout's masks) as this run left it: every tab's run uses it, so
        each swaps its own state in, under a lock. ``fresh``: the caller seeds it (``build``)."""
        with self._rng_lock, torch.random.fork_rng(devices=[]):
            if not fresh:
                torch.set_rng_state(self.rng)
            yield
            self.rng = torch.get_rng_state()

    @torch.no_grad()
    def losses(self) -> tuple[float, float]:
        self._eval()
        train = self.loss_fn(self.net(self.f_train), self.y_train).item()
        test = self.loss_fn(self.net(self.f_test), self.y_test).item() if len(self.f_test) else float("nan")
        return train, test

    def _record(self) -> None:
        with one_thread():  # full-split forward passes: still tiny tensors
            train, test = self.losses()
        self.history.append((self.epoch, train, test))
        resume = None
        if self.epoch % self.RESUME_EVERY == 0:
            resume = Resume(self.cfg, self.opt.state(), self.gen.get_state(), self.rng)
        self.tape.append(Snapshot(self.epoch, self._weights(), self.layout, train, test, len(self.log), resume))
        if self.epoch % 100 == 0:
            self._thin_tape()

    def _thin_tape(self) -> None:
        """Keep the tape's memory bounded on long runs: every epoch of the last TAPE_DENSE, then every
        10th, 100th and 1000th epoch as they age tenfold. The kept ones are multiples of RESUME_EVERY,
        which hold the whole training state, so restoring any of them stays exact."""
        now, dense = self.epoch, self.TAPE_DENSE

        def step(age: int) -> int:
            return 1 if age < dense else 10 if age < 10 * dense else 100 if age < 100 * dense else 1000

        self.tape = [s for s in self.tape if s.epoch % step(now - s.epoch) == 0]

    def nearest_snapshot(self, epoch: int) -> int:
        """The kept epoch closest to ``epoch`` (the tape of a long run is thinned)."""
        return min((s.epoch for s in self.tape), key=lambda e: (abs(e - epoch), e))

    def _weights(self) -> torch.Tensor:
        return torch.cat([p.detach().reshape(-1) for p in self.net.parameters()])

    @torch.no_grad()
    def _load_weights(self, weights: torch.Tensor) -> None:
        sizes = [p.numel() for p in self.net.parameters()]
        for p, w in zip(self.net.parameters(), weights.split(sizes)):
            p.copy_(w.view_as(p))

    def _eval(self) -> None:
        """Evaluation mode (no dropout) for what the page is shown; training never needs the module's mode
        (``trainer.Trainer`` applies dropout itself), so this switches once per network, not per frame."""
        if self.net.training:
            self.net.eval()

    def diverged(self) -> bool:
        """The last losses are not finite (an empty test split has no test loss: that is not divergence)."""
        return any(not math.isfinite(train) or (len(self.f_test) and not math.isfinite(test))
                   for _, train, test in self.history[-1:])

    def last_good_epoch(self) -> int:
        """The latest epoch whose losses were finite (where "restore last good state" goes)."""
        return max((e for e, tr, te in self.history if math.isfinite(tr)), default=0)

    def snapshot(self, epoch: int) -> Snapshot:
        found = next((s for s in self.tape if s.epoch == epoch), None)
        if found is None:
            raise ValueError(f"epoch: no snapshot of epoch {epoch}")
        return found

    @contextlib.contextmanager
    def viewing(self, epoch: int):
        """The network as it was at ``epoch`` for the duration (the tape's scrubbing); nothing changes."""
        snap = self.snapshot(epoch)
        now = self._weights()
        self._load_weights(snap.weights)
        try:
            yield snap
        finally:
            self._load_weights(now)

    def restore(self, epoch: int) -> None:
        """Go back to the run as it was at ``epoch`` (the tape): weights, optimizer state, the mini-batch order,
        dropout's generator, the live settings (``cfg``) and the run log, so that training on is exactly as if
        the later epochs never happened."""
        target = self.snapshot(epoch)
        start = next(s for s in reversed(self.tape) if s.resume is not None and s.epoch <= epoch)
        events = self.log[start.log_at:target.log_at]
        self._resume(start)
        for event in events:
            self.apply(event)

    def checkpoint(self, history_limit: int) -> dict[str, Any]:
        """The run at its newest resume point as plain data (tensors, numbers, lists): what
        :meth:`from_checkpoint` needs to train on exactly as this run would, with the last ``history_limit``
        entries of the loss history."""
        snap = next(s for s in reversed(self.tape) if s.resume is not None)
        r = snap.resume
        assert r is not None
        history = [h for h in self.history if h[0] <= snap.epoch][-history_limit:]
        runs: list[list] = []  # the run log, runs of equal events merged (epochs come by the thousand)
        for event in self.log[:snap.log_at]:
            if runs and runs[-1][0] == event:
                runs[-1][1] += 1
            else:
                runs.append([event, 1])
        return {"epoch": snap.epoch, "start_cfg": asdict(self.start_cfg), "cfg": asdict(r.cfg),
                "weights": snap.weights, "optimizer": r.optimizer, "shuffle": r.shuffle, "rng": r.rng,
                "history": torch.tensor(history, dtype=torch.float64),
                "log": [(tuple(asdict(e).values()), n) for e, n in runs]}

    @classmethod
    def from_checkpoint(cls, d: dict[str, Any]) -> Playground:
        """A run at a :meth:`checkpoint`: its tape and log start there."""
        pg = cls(Config(**d["start_cfg"]))  # the data set and the network's layout
        log = [Event(*fields) for fields, n in d["log"] for _ in range(n)]
        pg.history = [(int(e), tr, te) for e, tr, te in d["history"].tolist()]
        _, train, test = pg.history[-1]
        snap = Snapshot(d["epoch"], d["weights"], pg.layout, train, test, len(log),
                        Resume(Config(**d["cfg"]), d["optimizer"], d["shuffle"], d["rng"]))
        pg.tape, pg.log = [snap], log
        pg._resume(snap)
        return pg

    def _resume(self, snap: Snapshot) -> None:
        """Back to a snapshot that keeps the whole training state; the tape, history and log end there."""
        r = snap.resume
        assert r is not None  # only snapshots that keep the training state are resumed
        self.cfg = r.cfg
        self._load_weights(snap.weights)
        self.opt = self._optimizer(r.cfg)
        self.opt.load(r.optimizer)  # a copy: the optimizer updates its state in place
        self.gen.set_state(r.shuffle)
        self.rng = r.rng
        self.epoch = snap.epoch
        self.tape = [s for s in self.tape if s.epoch <= snap.epoch]
        self.history = [h for h in self.history if h[0] <= snap.epoch]
        del self.log[snap.log_at:]

    def apply(self, event: Event) -> None:
        """Replay one change of a run log."""
        if event.kind == "epoch":
            self.train_epoch()
        elif event.kind == "batch":
            self.step_batch()
        elif event.kind == "set":
            self.update(**dict(event.changes))
        else:
            self.set_weight(event.layer, event.index, event.value)

    # -- what the page draws ------------------------------------------------------------------------
    def heatmaps(self, resolution: int = 100) -> list[torch.Tensor]:
        """Every node's output over the plane, layer by layer: the input features, each hidden
        layer after its activation, and the output (class-1 probability, or the regression value
        in [-1, 1]), as (units, resolution, resolution) tensors, rows from top (x2 = +6) down."""
        return self.heatmap_sets((resolution,))[0]

    @torch.no_grad()
    def heatmap_sets(self, resolutions: tuple[int, ...]) -> list[list[torch.Tensor]]:
        """:meth:`heatmaps` at each resolution, from one pass over all their grids (a frame draws two: on
        these tiny layers each operation's overhead costs more than its rows)."""
        self._eval()
        grids = [_grid_features(r, self.cfg.features) for r in resolutions]
        h = torch.cat(grids) if len(grids) > 1 else grids[0]
        maps = [h]
        for m in self.net:
            h = m(h)
            if not isinstance(m, (nn.Linear, nn.Dropout)):
                maps.append(h)
        if self.cfg.classes:  # over the classes of a transposed view: torch's kernel for a short last dim is 8x slower
            out = torch.softmax(h.t(), 0).t()
            out = out[:, 1:] * 2 - 1 if self.cfg.classes == 2 else out  # two classes: -1..1, their two colours
        else:
            out = h.clamp(-1, 1)
        maps.append(out)
        sizes = [r * r for r in resolutions]
        return [[m.T.reshape(m.shape[1], r, r) for m in part]
                for r, part in zip(resolutions, zip(*(m.split(sizes) for m in maps)))]

    @torch.no_grad()
    def predicted(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The predicted class of every training and test point, from one forward pass over both splits."""
        self._eval()
        pred = self.net(torch.cat([self.f_train, self.f_test])).argmax(1)
        return pred[:len(self.f_train)], pred[len(self.f_train):]

    def accuracy(self, predicted: tuple[torch.Tensor, torch.Tensor] | None = None) -> tuple[float, float]:
        """Accuracy on the training and the test split (of :meth:`predicted`, made here when not given)."""
        if not self.cfg.classes:
            return float("nan"), float("nan")
        train, test = predicted or self.predicted()
        acc = lambda p, y: (p == y).float().mean().item() if len(y) else float("nan")  # noqa: E731
        return acc(train, self.y_train), acc(test, self.y_test)

    def confusion(self, predicted: tuple[torch.Tensor, torch.Tensor] | None = None) -> list[list[int]]:
        """Test points by true (rows) and predicted (columns) class."""
        k = self.cfg.classes
        pred = (predicted or self.predicted())[1]
        return torch.bincount(self.y_test * k + pred, minlength=k * k).view(k, k).tolist()
