"""A real loss for the optimiser page: a small trained network's loss along two directions through its minimum.

The network (2 → 8 tanh → 2, cross-entropy) is trained once on the playground's noisy "circle" data
(:func:`deepviz.models.cached.trained`). As in Li et al., "Visualizing the Loss Landscape of Neural Nets"
(2018), the two directions are random and filter-normalised: each row of each weight matrix of a direction
has the norm of that row of the trained weights, and the biases stay put. The page's 2-D point ``(a, b)`` is
the network with weights ``θ* + a d₁ + b d₂``; its loss, its gradient (autograd through the network) and the
gradients of single mini-batches are computed here, and ``torch.optim`` moves ``(a, b)`` on it.

>>> land = landscape()
>>> round(float(land.loss(torch.zeros(2, dtype=torch.float64))), 3) == round(land.minimum_loss, 3)
True
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn

MODEL_VERSION = 1
HIDDEN = 8
POINTS = 200  # training points (the playground's generator, its "circle" with 25 % noise)
NOISE = 25.0
SCALE = 6.0  # the playground's points span [-6, 6]: the network sees them divided by this
STEPS, LR, SEED, DIRECTION_SEED = 600, 0.05, 0, 1


def build() -> nn.Sequential:
    torch.manual_seed(SEED)
    return nn.Sequential(nn.Linear(2, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 2))


def data() -> tuple[torch.Tensor, torch.Tensor]:
    """The training points (float64, scaled to about [-1, 1]) and their classes."""
    from .engine import Config, make_data

    x, y = make_data(Config(dataset="circle", noise=NOISE, points=POINTS, data_seed=SEED))
    return x.double() / SCALE, y


def directions(params: dict[str, torch.Tensor], seed: int = DIRECTION_SEED) -> tuple[dict, dict]:
    """Two random directions, filter-normalised (Li et al. §4): per row of a weight matrix, the norm of the
    trained row; zero on the biases."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(2):
        d = {}
        for name, p in params.items():
            r = torch.randn(p.shape, generator=g, dtype=p.dtype)
            if p.dim() > 1:
                r = r * (p.norm(dim=1, keepdim=True) / r.norm(dim=1, keepdim=True))
            else:
                r = torch.zeros_like(p)
            d[name] = r
        out.append(d)
    return out[0], out[1]


@dataclass(frozen=True)
class Landscape:
    net: nn.Sequential  # its layers: Linear, Tanh, Linear
    basis: torch.Tensor  # (3, n): the trained weights θ* and the directions d₁, d₂, flattened as the net's
    x: torch.Tensor
    y: torch.Tensor

    @property
    def minimum_loss(self) -> float:
        return float(self.loss(torch.zeros(2, dtype=torch.float64)))

    def weights(self, ab: torch.Tensor) -> list[torch.Tensor]:
        """The net's parameters at points ``ab`` (..., 2): θ* + a d₁ + b d₂, each with the leading dims of ``ab``."""
        flat = ab @ self.basis[1:] + self.basis[0]
        out, at = [], 0
        for p in self.net.parameters():
            out.append(flat[..., at:at + p.numel()].reshape(*ab.shape[:-1], *p.shape))
            at += p.numel()
        return out

    def sample_losses(self, ab: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Each point's cross-entropy for the networks at ``ab`` (..., 2): shape (..., len(x)). The forward pass
        is the net's own layers as batched matrix products, one network per point of ``ab``."""
        w1, b1, w2, b2 = self.weights(ab)
        h = self.net[1](x @ w1.transpose(-1, -2) + b1[..., None, :])
        out = h @ w2.transpose(-1, -2) + b2[..., None, :]
        return nn.functional.cross_entropy(out.flatten(0, -2), y.expand(*out.shape[:-1]).flatten(),
                                           reduction="none").reshape(out.shape[:-1])

    def loss(self, ab: torch.Tensor, chunk: int = 512) -> torch.Tensor:
        """The mean training loss at points ``ab`` (..., 2), ``chunk`` networks at a time."""
        flat = ab.reshape(-1, 2)
        parts = [self.sample_losses(c, self.x, self.y).mean(-1) for c in flat.split(chunk)]
        return torch.cat(parts).reshape(ab.shape[:-1])

    def gradient(self, ab: torch.Tensor) -> torch.Tensor:
        """∂L/∂(a, b) at points ``ab`` (..., 2), by autograd through the network (one backward pass for all)."""
        with torch.enable_grad():
            p = ab.detach().requires_grad_()
            (g,) = torch.autograd.grad(self.sample_losses(p, self.x, self.y).mean(-1).sum(), p)
        return g

    def batch_gradients(self, ab: torch.Tensor, batch_size: int, count: int, seed: int = 0) -> torch.Tensor:
        """The gradients of ``count`` mini-batches of ``batch_size`` points (each drawn without replacement),
        (count, 2): each is the mean of its points' own gradients (one backward pass gives them all, as each
        point's loss depends on ``ab`` alone)."""
        with torch.enable_grad():
            p = ab.detach().expand(len(self.x), 2).clone().requires_grad_()
            losses = self.sample_losses(p, self.x[:, None, :], self.y[:, None])  # net i on point i alone
            (per_point,) = torch.autograd.grad(losses.sum(), p)
        g = torch.Generator().manual_seed(seed)
        picks = torch.stack([torch.randperm(len(self.x), generator=g)[:batch_size] for _ in range(count)])
        return per_point[picks].mean(1)


def _fit(net: nn.Module) -> None:
    from ..models.training import adam

    x, y = data()
    net.double()
    adam(list(net.parameters()), lambda: nn.functional.cross_entropy(net(x), y), STEPS, LR)


@lru_cache(maxsize=1)
def landscape() -> Landscape:
    """The trained network and its two directions (trained at first use, then cached on disk)."""
    from ..models.cached import trained

    key = (MODEL_VERSION, HIDDEN, POINTS, NOISE, STEPS, LR, SEED)
    net, _ = trained("optimise-landscape", key, lambda: build().double(), _fit)
    theta = {k: v.detach().clone() for k, v in net.named_parameters()}
    d1, d2 = directions(theta)
    flat = [torch.cat([d[k].flatten() for k in theta]) for d in (theta, d1, d2)]
    x, y = data()
    return Landscape(net, torch.stack(flat), x, y)
