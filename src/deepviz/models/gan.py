"""A GAN's losses, networks, optimisers and ring data in torch: the one home of the GAN code that the ``gan``
concept and the studio's GAN page (``studio/gan.py``) both train with.

The discriminator D maps a sample to one number, a logit (its probability of "real" is sigmoid of it; the
least-squares and WGAN losses read the number itself). The losses, per batch mean:

==================  =====================================================  ==================================
kind                D minimises                                            G minimises
==================  =====================================================  ==================================
``non-saturating``  -log s(D(x)) - log(1 - s(D(G(z))))                     -log s(D(G(z)))
``saturating``      the same                                               log(1 - s(D(G(z))))  (the minimax)
``least-squares``   1/2 (D(x) - 1)^2 + 1/2 D(G(z))^2                       1/2 (D(G(z)) - 1)^2
``wgan-gp``         D(G(z)) - D(x) + w (|grad D(x_hat)| - 1)^2             -D(G(z))
==================  =====================================================  ==================================

with s the sigmoid and, for WGAN-GP, x_hat = eps x + (1 - eps) G(z), one mixing weight eps per sample, and w the
penalty's weight. ``gan_step`` takes any G and D (``nn.Module``) and their optimisers.

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

LossKind = Literal["non-saturating", "saturating", "least-squares", "wgan-gp"]
LOSSES: tuple[LossKind, ...] = ("non-saturating", "saturating", "least-squares")  # D's step needs only the batch
KINDS: tuple[LossKind, ...] = (*LOSSES, "wgan-gp")  # WGAN-GP's D step also takes the mixing weights
LOG_LOSSES: tuple[LossKind, ...] = ("non-saturating", "saturating")  # D's sigmoid is a probability of "real"
ADAM_BETAS = (0.5, 0.999)  # DCGAN's: a lower beta1 than torch's default keeps up with the moving opponent


def d_loss(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, kind: LossKind = "non-saturating",
           gp_weight: float = 1.0, eps: torch.Tensor | None = None) -> torch.Tensor:
    """The discriminator's loss on a batch of real and of generated samples (see the module's table); WGAN-GP
    needs ``eps``, one mixing weight per sample (n x 1), and weighs its penalty by ``gp_weight``."""
    dr, df = D(real), D(fake)
    if kind == "least-squares":
        return 0.5 * ((dr - 1) ** 2).mean() + 0.5 * (df ** 2).mean()
    if kind == "wgan-gp":
        if eps is None:
            raise ValueError("d_loss: the wgan-gp loss needs eps, the mixing weights of real and fake samples")
        mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(D(mixed).sum(), mixed, create_graph=True)
        return df.mean() - dr.mean() + gp_weight * ((grad.norm(dim=1) - 1) ** 2).mean()
    return F.binary_cross_entropy_with_logits(dr, torch.ones_like(dr)) + \
        F.binary_cross_entropy_with_logits(df, torch.zeros_like(df))


def g_loss(D: nn.Module, fake: torch.Tensor, kind: LossKind = "non-saturating") -> torch.Tensor:
    """The generator's loss on generated samples (see the module's table)."""
    df = D(fake)
    if kind == "least-squares":
        return 0.5 * ((df - 1) ** 2).mean()
    if kind == "saturating":
        return -F.binary_cross_entropy_with_logits(df, torch.zeros_like(df))  # log(1 - s(D(G(z))))
    if kind == "wgan-gp":
        return -df.mean()
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
           kind: LossKind = "non-saturating", gp_weight: float = 1.0, eps: torch.Tensor | None = None) -> float:
    """One update of D; returns its loss before the update (``gp_weight`` and ``eps``: see :func:`d_loss`)."""
    with torch.no_grad():
        fake = G(noise)
    opt_d.zero_grad(set_to_none=True)
    loss = d_loss(D, real, fake, kind, gp_weight, eps)
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


def decision(D: nn.Module, points: torch.Tensor, kind: LossKind) -> torch.Tensor:
    """What D says of each point: its probability of "real" (the log losses) or its raw output (the others)."""
    out = D(points)
    return torch.sigmoid(out) if kind in LOG_LOSSES else out


# -- the networks and their optimisers -----------------------------------------------------------------------
def mlp(sizes: list[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Linear layers of ``sizes`` with ``activation`` between them (none after the last)."""
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), activation()]
    return nn.Sequential(*layers[:-1])


def optimizer(kind: str, lr: float, params) -> torch.optim.Optimizer:
    """``"adam"`` (betas ADAM_BETAS) or plain SGD (any other ``kind``) at learning rate ``lr``."""
    return torch.optim.Adam(params, lr=lr, betas=ADAM_BETAS) if kind == "adam" else torch.optim.SGD(params, lr=lr)


# -- the data ---------------------------------------------------------------------------------------------------
def circle(angle: torch.Tensor) -> torch.Tensor:
    """The points of the unit circle at ``angle`` (radians), n x 2."""
    return torch.stack([torch.cos(angle), torch.sin(angle)], 1)


def ring_centres(modes: int, radius: float = 2.0) -> torch.Tensor:
    """The centres of a ring of ``modes`` Gaussians: evenly spaced on a circle of ``radius``, the first on +x."""
    return radius * circle(2 * math.pi * torch.arange(modes) / modes)


def mixture(n: int, centres: torch.Tensor, std: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` samples of an even mixture of Gaussians of spread ``std`` at ``centres`` (k x 2)."""
    k = torch.randint(len(centres), (n,), generator=generator)
    return centres[k] + std * torch.randn(n, 2, generator=generator)


def ring(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.05,
         generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` samples of a ring of ``modes`` Gaussians (centres on a circle of ``radius``, spread ``std``)."""
    return mixture(n, ring_centres(modes, radius), std, generator)
