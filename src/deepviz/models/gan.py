"""A GAN's training step in torch: one discriminator update, then one generator update.

The discriminator D maps a sample to one number, a logit (its probability of "real" is sigmoid of it; the
least-squares loss reads the number itself). The losses, per batch mean:

==================  =====================================================  ==================================
kind                D minimises                                            G minimises
==================  =====================================================  ==================================
``non-saturating``  -log s(D(x)) - log(1 - s(D(G(z))))                     -log s(D(G(z)))
``saturating``      the same                                               log(1 - s(D(G(z))))  (the minimax)
``least-squares``   1/2 (D(x) - 1)^2 + 1/2 D(G(z))^2                       1/2 (D(G(z)) - 1)^2
==================  =====================================================  ==================================

with s the sigmoid. ``gan_step`` takes any G and D (``nn.Module``) and their optimisers, so the concepts and
the studio's GAN page run the very same update.

>>> import torch
>>> from torch import nn
>>> _ = torch.manual_seed(0)
>>> G, D = nn.Linear(2, 2), nn.Linear(2, 1)
>>> opt_g, opt_d = torch.optim.SGD(G.parameters(), lr=0.1), torch.optim.SGD(D.parameters(), lr=0.1)
>>> step = gan_step(G, D, opt_g, opt_d, torch.randn(8, 2), torch.randn(8, 2), torch.randn(8, 2))
>>> sorted(step)
['d_loss', 'g_loss']
"""
from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

LossKind = Literal["non-saturating", "saturating", "least-squares"]
LOSSES: tuple[LossKind, ...] = ("non-saturating", "saturating", "least-squares")


def d_loss(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, kind: LossKind = "non-saturating") -> torch.Tensor:
    """The discriminator's loss on a batch of real and of generated samples (see the module's table)."""
    dr, df = D(real), D(fake)
    if kind == "least-squares":
        return 0.5 * ((dr - 1) ** 2).mean() + 0.5 * (df ** 2).mean()
    return F.binary_cross_entropy_with_logits(dr, torch.ones_like(dr)) + \
        F.binary_cross_entropy_with_logits(df, torch.zeros_like(df))


def g_loss(D: nn.Module, fake: torch.Tensor, kind: LossKind = "non-saturating") -> torch.Tensor:
    """The generator's loss on generated samples (see the module's table)."""
    df = D(fake)
    if kind == "least-squares":
        return 0.5 * ((df - 1) ** 2).mean()
    if kind == "saturating":
        return -F.binary_cross_entropy_with_logits(df, torch.zeros_like(df))  # log(1 - s(D(G(z))))
    return F.binary_cross_entropy_with_logits(df, torch.ones_like(df))


def gan_step(G: nn.Module, D: nn.Module, opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer,
             real: torch.Tensor, noise_d: torch.Tensor, noise_g: torch.Tensor,
             kind: LossKind = "non-saturating") -> dict[str, float]:
    """One D step, then one G step; returns both losses, each measured before its own update.

    D's step: fakes ``G(noise_d)`` (no gradient into G) against ``real``; ``opt_d`` updates D. G's step: fakes
    ``G(noise_g)`` through the updated D; ``opt_g`` updates G, D is left untouched. For k D steps per G step
    (or the reverse), call :func:`d_step` and :func:`g_step` directly.
    """
    d = d_step(G, D, opt_d, real, noise_d, kind)
    g = g_step(G, D, opt_g, noise_g, kind)
    return {"d_loss": d, "g_loss": g}


def d_step(G: nn.Module, D: nn.Module, opt_d: torch.optim.Optimizer, real: torch.Tensor, noise: torch.Tensor,
           kind: LossKind = "non-saturating") -> float:
    """One update of D; returns its loss before the update."""
    with torch.no_grad():
        fake = G(noise)
    opt_d.zero_grad(set_to_none=True)
    loss = d_loss(D, real, fake, kind)
    loss.backward()
    opt_d.step()
    return loss.item()


def g_step(G: nn.Module, D: nn.Module, opt_g: torch.optim.Optimizer, noise: torch.Tensor,
           kind: LossKind = "non-saturating") -> float:
    """One update of G through a fixed D; returns its loss before the update."""
    opt_g.zero_grad(set_to_none=True)
    for p in D.parameters():  # D stays as it is: its gradients from G's loss are not kept
        p.requires_grad_(False)
    try:
        loss = g_loss(D, G(noise), kind)
        loss.backward()
    finally:
        for p in D.parameters():
            p.requires_grad_(True)
    opt_g.step()
    return loss.item()


def sample_gradient(D: nn.Module, fake: torch.Tensor, kind: LossKind = "non-saturating") -> torch.Tensor:
    """d(G's loss)/d(each generated sample), n x 2: minus it is where G's update pushes each sample (the loss is a
    batch mean, so the gradient is scaled by the batch size to read per sample)."""
    x = fake.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(g_loss(D, x, kind) * len(x), x)
    return grad


def ring(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05,
         generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` samples of a ring of ``modes`` Gaussians (centres on a circle of ``radius``, spread ``std``)."""
    k = torch.randint(modes, (n,), generator=generator)
    angle = 2 * math.pi * k / modes
    centres = radius * torch.stack([torch.cos(angle), torch.sin(angle)], 1)
    return centres + std * torch.randn(n, 2, generator=generator)


def mlp(sizes: list[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Linear layers of ``sizes`` with ``activation`` between them (none after the last)."""
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), activation()]
    return nn.Sequential(*layers[:-1])
