"""The GAN page's engine: a 2-D GAN trained live by PyTorch, and everything the page draws of it.

A generator G maps noise (1-, 2- or 3-D, uniform in [-1, 1] or Gaussian) to points of the plane, shown
over the square [-1, 1]^2; a discriminator D scores points. Both are ReLU MLPs trained with ``torch.optim`` (SGD or
Adam, each its own), with one of four losses: the log loss with the non-saturating or the saturating
generator loss, least squares, or WGAN with gradient penalty. An iteration is ``d_steps`` updates of D,
then ``g_steps`` updates of G, each on a fresh batch of real points and noise.

What the page draws comes from fixed evaluation samples (the same real points and noise every frame, so
that frames differ only by training): D over a 30x30 grid, the fake samples with the gradient of G's loss
on each, the generator's manifold (a grid of noise space carried into the plane), both losses, and the
KL and JS divergences between grid density estimates of the real and fake points, and their MMD.

The tape keeps the whole training state (both networks, both optimizers, the sampling generator and the
live settings) at every iteration (thinned as it ages), so any kept iteration is restored exactly; the
run log replays the run in the exported script (``studio/gan_export.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from ..models.gan import (
    LOG_LOSSES,
    LossKind,
    circle,
    d_loss,
    d_step,
    decision,
    g_loss,
    g_step,
    mixture,
    mlp,
    optimizer,
    sample_gradient,
)
from ..threads import one_thread

DISTRIBUTIONS = ("line", "gaussians", "ring", "disjoint", "drawn")
NOISES = ("uniform", "gaussian")
# The page's loss names (its URL and schema's since it shipped) -> models.gan's kinds: the one map between them.
LOSS_KINDS: dict[str, LossKind] = {"nonsaturating": "non-saturating", "saturating": "saturating",
                                   "least-squares": "least-squares", "wgan-gp": "wgan-gp"}
LOSSES = tuple(LOSS_KINDS)
OPTIMIZERS = ("sgd", "adam")
GRID = 30  # D's heatmap and the density estimates: GRID x GRID cells over the square [-1, 1]^2
DENSITY_EPS = 1e-4  # probability mass added to every density cell (KL is finite where one has none)
MMD_BANDWIDTH = 0.2  # the Gaussian kernel's sigma for the MMD
EVAL_POINTS = 1024  # real points and noise samples the divergences are measured on
MMD_POINTS = 256  # of those, the points the MMD compares (its cost grows with the square)
MEASURE_EVERY = 10  # iterations between two measures of the divergences while playing
SHOWN = 200  # of those, the points (and gradient arrows) the page draws
MANIFOLD_LINES = 11  # lines of the noise grid per direction
MIN_DRAWN, MAX_DRAWN = 8, 2000
DRAWN_SPREAD = 0.04  # each sample of a drawn distribution: a drawn point plus this much Gaussian noise


@dataclass(frozen=True)
class GanConfig:
    distribution: str = "ring"
    drawn: tuple[tuple[float, float], ...] = ()  # the "drawn" distribution's points, in [-1, 1]^2
    noise: str = "uniform"
    noise_dim: int = 2
    g_layers: int = 2
    g_units: int = 16
    d_layers: int = 2
    d_units: int = 16
    loss: str = "nonsaturating"
    d_optimizer: str = "adam"
    g_optimizer: str = "adam"
    d_lr: float = 0.003
    g_lr: float = 0.003
    d_steps: int = 1
    g_steps: int = 1
    batch: int = 64
    gp_weight: float = 1.0  # WGAN-GP's penalty weight
    seed: int = 0


LIVE = frozenset({"loss", "d_optimizer", "g_optimizer", "d_lr", "g_lr", "d_steps", "g_steps", "batch", "gp_weight"})
FRESH_D = frozenset({"d_optimizer", "d_lr"})  # a live change of these starts a new optimizer for D
FRESH_G = frozenset({"g_optimizer", "g_lr"})


# -- the real distributions and the noise -------------------------------------------------------------
def sample_real(cfg: GanConfig, n: int, gen: torch.Generator) -> torch.Tensor:
    """``n`` points of the real distribution, in the square [-1, 1]^2, drawn with ``gen``."""
    if cfg.distribution == "drawn":
        return mixture(n, torch.tensor(cfg.drawn, dtype=torch.float32), DRAWN_SPREAD, gen)
    return _unit_real(cfg.distribution, n, gen) * 2 - 1


def _unit_real(distribution: str, n: int, gen: torch.Generator) -> torch.Tensor:
    """The built-in distributions, laid out in the unit square."""
    if distribution == "line":
        t = torch.rand(n, 1, generator=gen)
        return torch.cat([0.2 + 0.6 * t, 0.25 + 0.5 * t], 1) + 0.01 * torch.randn(n, 2, generator=gen)
    if distribution == "gaussians":
        return mixture(n, torch.tensor([[0.3, 0.3], [0.7, 0.7], [0.3, 0.7], [0.7, 0.3]]), 0.05, gen)
    if distribution == "ring":  # GAN Lab's: one continuous ring (the video's is models.gan.ring, of Gaussians)
        angle = 2 * math.pi * torch.rand(n, generator=gen)
        radius = 0.3 + 0.015 * torch.randn(n, generator=gen)
        return 0.5 + radius[:, None] * circle(angle)
    # "disjoint": two squares apart (no continuous G covers both without a bridge between them)
    corner = torch.tensor([[0.12, 0.6], [0.62, 0.12]])
    k = torch.randint(2, (n,), generator=gen)
    return corner[k] + torch.rand(n, 2, generator=gen) * 0.26


def sample_noise(cfg: GanConfig, n: int, gen: torch.Generator) -> torch.Tensor:
    if cfg.noise == "gaussian":
        return torch.randn(n, cfg.noise_dim, generator=gen)
    return torch.rand(n, cfg.noise_dim, generator=gen) * 2 - 1


def noise_grid_axis(cfg: GanConfig, steps: int) -> torch.Tensor:
    """Evenly spaced values of one noise coordinate: over [-1, 1] for uniform noise, at evenly spaced
    quantiles (2 % to 98 %) for Gaussian noise, so each line of the grid carries the same share of noise."""
    if cfg.noise == "gaussian":
        return torch.special.ndtri(torch.linspace(0.02, 0.98, steps))
    return torch.linspace(-1.0, 1.0, steps)


# -- the networks and their updates (models.gan's losses, networks and optimisers) --------------------------
def network(n_in: int, layers: int, units: int, n_out: int) -> nn.Sequential:
    """``layers`` hidden ReLU layers of ``units`` (0: a single linear map): the page's settings for ``mlp``."""
    return mlp([n_in, *[units] * layers, n_out])


def build(cfg: GanConfig) -> tuple[nn.Sequential, nn.Sequential]:
    """G and D, initialised from ``cfg.seed`` (G first) with torch's default initialisation."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        return network(cfg.noise_dim, cfg.g_layers, cfg.g_units, 2), network(2, cfg.d_layers, cfg.d_units, 1)


def d_update(cfg: GanConfig, G: nn.Module, D: nn.Module, opt: torch.optim.Optimizer, gen: torch.Generator) -> float:
    """One update of D on a fresh batch drawn from ``gen`` (real points, noise, then WGAN-GP's mixing weights);
    returns D's loss before it."""
    real, noise = sample_real(cfg, cfg.batch, gen), sample_noise(cfg, cfg.batch, gen)
    eps = torch.rand(cfg.batch, 1, generator=gen) if cfg.loss == "wgan-gp" else None
    return d_step(G, D, opt, real, noise, LOSS_KINDS[cfg.loss], cfg.gp_weight, eps)


def g_update(cfg: GanConfig, G: nn.Module, D: nn.Module, opt: torch.optim.Optimizer, gen: torch.Generator) -> float:
    """One update of G on a fresh batch of noise drawn from ``gen``; returns G's loss before it."""
    return g_step(G, D, opt, sample_noise(cfg, cfg.batch, gen), LOSS_KINDS[cfg.loss])


# -- the divergences ----------------------------------------------------------------------------------
def density(points: torch.Tensor, grid: int = GRID) -> torch.Tensor:
    """A grid density estimate: the share of ``points`` in each of grid x grid cells of [-1, 1]^2 (points
    outside count in the nearest edge cell), plus DENSITY_EPS per cell, normalised to sum 1."""
    cell = ((points.clamp(-1, 1 - 1e-6) + 1) * (grid / 2)).long()
    counts = torch.bincount(cell[:, 1] * grid + cell[:, 0], minlength=grid * grid).double()
    p = counts / len(points) + DENSITY_EPS
    return p / p.sum()


def kl(p: torch.Tensor, q: torch.Tensor) -> float:
    return float((p * (p / q).log()).sum())


def js(p: torch.Tensor, q: torch.Tensor) -> float:
    m = 0.5 * (p + q)
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def mmd(x: torch.Tensor, y: torch.Tensor, sigma: float = MMD_BANDWIDTH) -> float:
    """The squared maximum mean discrepancy with a Gaussian kernel (the biased estimate)."""
    x, y = x.double(), y.double()
    k = lambda a, b: torch.exp(-torch.cdist(a, b) ** 2 / (2 * sigma * sigma))  # noqa: E731
    return float(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())


# -- a run --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One change since the reset: "iteration" (k D steps then k G steps), "d" or "g" (one player's
    update alone), or "set" (live settings)."""

    kind: str
    changes: tuple[tuple[str, Any], ...] = ()


@dataclass
class Snapshot:
    """The whole training state after an iteration (the tape): restoring it continues exactly."""

    iteration: int
    cfg: GanConfig
    g_state: dict
    d_state: dict
    g_opt: dict
    d_opt: dict
    rng: torch.Tensor
    log_at: int
    losses: tuple[float, float]


@dataclass
class Record:
    """What the curves plot of one iteration (on the fixed evaluation samples)."""

    iteration: int
    d_loss: float
    g_loss: float
    kl: float = math.nan  # measured every MEASURE_EVERY iterations (and after a single player's step)
    js: float = math.nan
    mmd: float = math.nan

    def row(self) -> list:
        return [self.iteration, *(_finite(v) for v in (self.d_loss, self.g_loss, self.kl, self.js, self.mmd))]


@dataclass
class GanRun:
    """One GAN being trained: both networks and optimizers, the tape, the curves and the run log."""

    cfg: GanConfig = field(default_factory=GanConfig)
    TAPE_DENSE = 1000  # the last iterations kept one by one on the tape (older ones are thinned)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self, cfg: GanConfig | None = None) -> None:
        self.cfg = self.start_cfg = cfg or self.cfg
        self.G, self.D = build(self.cfg)
        self.g_opt = optimizer(self.cfg.g_optimizer, self.cfg.g_lr, self.G.parameters())
        self.d_opt = optimizer(self.cfg.d_optimizer, self.cfg.d_lr, self.D.parameters())
        self.gen = torch.Generator().manual_seed(self.cfg.seed + 1)  # the training batches
        evaluation = torch.Generator().manual_seed(self.cfg.seed + 2)  # the fixed samples the page is shown
        self.real_eval = sample_real(self.cfg, EVAL_POINTS, evaluation)
        self.noise_eval = sample_noise(self.cfg, EVAL_POINTS, evaluation)
        self.p_real = density(self.real_eval)
        self.iteration = 0
        self.log: list[Event] = []
        self.history: list[Record] = []
        self.tape: list[Snapshot] = []
        self.last_good: Snapshot | None = None
        with one_thread():
            self.losses = self.batch_losses()
        self._record()

    def update(self, **changes) -> None:
        """Live settings keep the networks (a new optimizer for a player whose optimizer or rate changed, and
        the change is logged); any other setting starts a new run."""
        cfg = replace(self.cfg, **changes)
        if not set(changes) <= LIVE:
            self.reset(cfg)
            return
        changes = {k: v for k, v in changes.items() if getattr(self.cfg, k) != v}
        if not changes:
            return
        self.cfg = cfg
        if set(changes) & FRESH_D:
            self.d_opt = optimizer(cfg.d_optimizer, cfg.d_lr, self.D.parameters())
        if set(changes) & FRESH_G:
            self.g_opt = optimizer(cfg.g_optimizer, cfg.g_lr, self.G.parameters())
        self.log.append(Event("set", tuple(sorted(changes.items()))))

    @property
    def kind(self) -> LossKind:
        """The loss as models.gan names it."""
        return LOSS_KINDS[self.cfg.loss]

    @property
    def probability(self) -> bool:
        """Whether D's map reads as a probability of "real" (the log losses) or as a raw score."""
        return self.kind in LOG_LOSSES

    # -- training ---------------------------------------------------------------------------------------
    def step(self, kind: str = "iteration") -> None:
        """One iteration (``d_steps`` D updates, then ``g_steps`` G updates), or one player's update alone
        ("d" or "g"); each moves the iteration counter by one, and is kept on the tape."""
        with one_thread():
            if kind in ("iteration", "d"):
                for _ in range(self.cfg.d_steps if kind == "iteration" else 1):
                    self.losses = (d_update(self.cfg, self.G, self.D, self.d_opt, self.gen), self.losses[1])
            if kind in ("iteration", "g"):
                for _ in range(self.cfg.g_steps if kind == "iteration" else 1):
                    self.losses = (self.losses[0], g_update(self.cfg, self.G, self.D, self.g_opt, self.gen))
        self.iteration += 1
        self.log.append(Event(kind))
        self._record(measure=kind != "iteration" or self.iteration % MEASURE_EVERY == 0)

    def batch_losses(self) -> tuple[float, float]:
        """Both losses on a batch drawn from a generator of its own (iteration 0's, before any update)."""
        gen = torch.Generator().manual_seed(self.cfg.seed + 3)
        cfg = self.cfg
        real, fake = sample_real(cfg, cfg.batch, gen), self.G(sample_noise(cfg, cfg.batch, gen)).detach()
        eps = torch.rand(cfg.batch, 1, generator=gen)
        d = d_loss(self.D, real, fake, self.kind, cfg.gp_weight, eps).item()
        with torch.no_grad():
            return d, g_loss(self.D, fake, self.kind).item()

    # -- the tape ---------------------------------------------------------------------------------------
    def _record(self, measure: bool = True) -> None:
        """The iteration's losses (its last D and G updates' batch losses) and, every MEASURE_EVERY
        iterations, the divergences; and its snapshot on the tape."""
        rec = Record(self.iteration, *self.losses)
        if measure:
            with one_thread():
                rec.kl, rec.js, rec.mmd = self.divergences()
        self.history.append(rec)
        snap = Snapshot(self.iteration, self.cfg, _clone(self.G.state_dict()), _clone(self.D.state_dict()),
                        _copy_state(self.g_opt.state_dict()), _copy_state(self.d_opt.state_dict()), self.gen.get_state(),
                        len(self.log), self.losses)
        self.tape.append(snap)
        if all(math.isfinite(v) for v in self.losses) and self._weights_finite():
            self.last_good = snap
        if self.iteration % 100 == 0:
            self._thin_tape()

    def _thin_tape(self) -> None:
        """Memory bounded on long runs: every iteration of the last TAPE_DENSE, then every 10th, 100th and
        1000th as they age tenfold (every snapshot holds the whole state: any kept one restores exactly)."""
        now, dense = self.iteration, self.TAPE_DENSE

        def every(age: int) -> int:
            return 1 if age < dense else 10 if age < 10 * dense else 100 if age < 100 * dense else 1000

        self.tape = [s for s in self.tape if s.iteration % every(now - s.iteration) == 0]

    def nearest(self, iteration: int) -> Snapshot:
        """The kept snapshot closest to ``iteration``."""
        return min(self.tape, key=lambda s: (abs(s.iteration - iteration), s.iteration))

    def restore(self, iteration: int) -> None:
        """Back to the kept iteration nearest ``iteration``: weights, optimizers, the batch generator, the
        live settings and the run log, so that training on is as if the later iterations never happened."""
        self._load(self.nearest(iteration))

    def _load(self, snap: Snapshot) -> None:
        self.cfg = snap.cfg
        self.G.load_state_dict(snap.g_state)
        self.D.load_state_dict(snap.d_state)
        self.g_opt = optimizer(snap.cfg.g_optimizer, snap.cfg.g_lr, self.G.parameters())
        self.d_opt = optimizer(snap.cfg.d_optimizer, snap.cfg.d_lr, self.D.parameters())
        self.g_opt.load_state_dict(_copy_state(snap.g_opt))
        self.d_opt.load_state_dict(_copy_state(snap.d_opt))
        self.gen.set_state(snap.rng)
        self.iteration, self.losses = snap.iteration, snap.losses
        self.tape = [s for s in self.tape if s.iteration <= snap.iteration]
        self.history = [h for h in self.history if h.iteration <= snap.iteration]
        del self.log[snap.log_at:]

    def viewing(self, iteration: int):
        """The networks as they were at ``iteration`` (the tape's scrubbing), for a ``with`` block."""
        return _Viewing(self, self.nearest(iteration))

    # -- the NaN guard ----------------------------------------------------------------------------------
    def _weights_finite(self) -> bool:
        return all(bool(torch.isfinite(p).all()) for m in (self.G, self.D) for p in m.parameters())

    def diverged(self) -> bool:
        last = self.history[-1]
        return not (math.isfinite(last.d_loss) and math.isfinite(last.g_loss)) or not self._weights_finite()

    def restore_last_good(self) -> int:
        """Back to the last iteration whose losses and weights were finite; returns it."""
        assert self.last_good is not None  # iteration 0 is finite: torch's initialisation is
        self._load(self.last_good)
        return self.iteration

    # -- what the page draws ----------------------------------------------------------------------------
    @torch.no_grad()
    def divergences(self) -> tuple[float, float, float]:
        """KL(real || fake) and JS between the grid densities of the fixed real points and G's points of
        the fixed noise, and their MMD (on the first MMD_POINTS of each)."""
        fake = self.G(self.noise_eval)
        if not torch.isfinite(fake).all():
            return math.nan, math.nan, math.nan
        q = density(fake)
        return kl(self.p_real, q), js(self.p_real, q), mmd(self.real_eval[:MMD_POINTS], fake[:MMD_POINTS])

    @torch.no_grad()
    def discriminator_map(self, grid: int = GRID) -> torch.Tensor:
        """D over grid x grid cell centres of [-1, 1]^2, rows from the top (y = 1) down: the
        probability of "real" for the log loss, the raw score otherwise."""
        centres = (torch.arange(grid) + 0.5) * (2 / grid) - 1
        y, x = torch.meshgrid(centres.flip(0), centres, indexing="ij")
        return decision(self.D, torch.stack([x.reshape(-1), y.reshape(-1)], 1), self.kind).view(grid, grid)

    def fake_and_gradients(self, n: int = SHOWN) -> tuple[torch.Tensor, torch.Tensor]:
        """The first ``n`` fake evaluation points and the gradient of G's loss with respect to each (the
        generator moves its points along minus that)."""
        fake = self.G(self.noise_eval[:n]).detach()
        return fake, sample_gradient(self.D, fake, self.kind)

    @torch.no_grad()
    def manifold(self, steps: int = 30) -> list[list[torch.Tensor]]:
        """The noise grid carried into the plane by G: for 1-D noise one curve; for 2-D the grid's lines in
        both directions; for 3-D the lines of each pair of coordinates' grid, the third at its middle
        value (three projections). Returns, per projection, a list of (steps, 2) polylines."""
        axis, lines = noise_grid_axis(self.cfg, steps), noise_grid_axis(self.cfg, MANIFOLD_LINES)
        mid = noise_grid_axis(self.cfg, 3)[1]
        d = self.cfg.noise_dim
        if d == 1:
            return [[self.G(axis[:, None])]]
        out = []
        for a, b in ((0, 1), (0, 2), (1, 2))[: 1 if d == 2 else 3]:
            polylines = []
            for along, across in ((a, b), (b, a)):
                z = torch.full((MANIFOLD_LINES, steps, d), float(mid))
                z[:, :, along] = axis
                z[:, :, across] = lines[:, None]
                polylines += list(self.G(z.view(-1, d)).view(MANIFOLD_LINES, steps, 2))
            out.append(polylines)
        return out


class _Viewing:
    def __init__(self, run: GanRun, snap: Snapshot) -> None:
        self.run, self.snap = run, snap

    def __enter__(self) -> Snapshot:
        self.now = (_clone(self.run.G.state_dict()), _clone(self.run.D.state_dict()), self.run.cfg)
        self.run.G.load_state_dict(self.snap.g_state)
        self.run.D.load_state_dict(self.snap.d_state)
        self.run.cfg = self.snap.cfg
        return self.snap

    def __exit__(self, *exc) -> None:
        g, d, self.run.cfg = self.now
        self.run.G.load_state_dict(g)
        self.run.D.load_state_dict(d)


def _clone(state: dict) -> dict:
    return {k: v.detach().clone() for k, v in state.items()}


def _copy_state(sd: dict) -> dict:
    """A copy of an optimizer's state_dict, its tensors cloned (``load_state_dict`` keeps the tensors it is
    given, and deepcopy costs ten times as much)."""
    return {"state": {i: _clone(s) for i, s in sd["state"].items()},
            "param_groups": [dict(g, params=list(g["params"])) for g in sd["param_groups"]]}


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None
