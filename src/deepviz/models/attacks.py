"""Adversarial examples against any image classifier: FGSM, PGD and the smallest ε that succeeds.

- **FGSM** (Goodfellow et al. 2015): ``x' = clip(x + ε·sign(∇ₓ L(x, y)))`` moves every pixel by ε in the
  direction that raises the loss of class ``y``; *targeted* at a class ``t`` it steps down the loss of ``t``
  instead, ``x' = clip(x − ε·sign(∇ₓ L(x, t)))``.
- **PGD** (Madry et al. 2018): ``steps`` such signed steps of size ``α`` (default ``2.5 ε / steps``), each
  projected back into the ε-ball around ``x`` (every pixel within ε of its value) and into the pixel range.

``L`` is the cross-entropy of the model's logits. An input ``x`` is one image (C, H, W); ``model`` takes a batch
(N, C, H, W) to logits (N, K) and has no layer that mixes the images of a batch (no batch statistics), so the
gradient of the batch's summed loss is each image's own. ``eps`` may be one number, or a tensor of N values
(then the result is a batch: one attack per ε, at once). The concept video ``adversarial`` and the studio's
CNN page (``deepviz.studio.cnn_attack``) both attack through here.

>>> from torch import nn
>>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
>>> x = torch.full((1, 2, 2), 0.5)
>>> (fgsm(model, x, 0, 0.1) - x).abs().max().item() <= 0.1 + 1e-7
True
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

PixelRange = tuple[float, float]
GRID = 200  # ε values tried at once when looking for the smallest that succeeds
REFINE = 12  # bisection steps between the last ε that failed and the first that succeeded


def input_gradient(model: nn.Module, x: torch.Tensor, fn: Callable[[torch.Tensor], torch.Tensor]
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """(∂ fn(logits) / ∂ x, logits) for one input ``x`` (C, H, W); ``fn`` maps its logits (K,) to a number."""
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        logits = model(x[None])[0]
        (g,) = torch.autograd.grad(fn(logits), x)
    return g, logits.detach()


def loss_gradient(model: nn.Module, xs: torch.Tensor, y: int) -> torch.Tensor:
    """∇ of the cross-entropy of class ``y`` with respect to each image of the batch ``xs`` (N, C, H, W)."""
    xs = xs.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        logits = model(xs)
        loss = F.cross_entropy(logits, torch.full((len(xs),), y, dtype=torch.long), reduction="sum")
        (g,) = torch.autograd.grad(loss, xs)
    return g


def step_direction(model: nn.Module, xs: torch.Tensor, y: int, targeted: bool = False) -> torch.Tensor:
    """The signed step for each image: up the loss of ``y``, or (``targeted``) down the loss of ``y``."""
    s = loss_gradient(model, xs, y).sign()
    return -s if targeted else s


def _batch(x: torch.Tensor, eps: float | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """(images N x C x H x W, ε as N x 1 x 1 x 1, whether one image was asked for)."""
    e = torch.as_tensor(eps, dtype=x.dtype)
    one = e.dim() == 0
    e = e.reshape(-1, 1, 1, 1)
    return x[None].expand(len(e), *x.shape), e, one


def fgsm(model: nn.Module, x: torch.Tensor, y: int, eps: float | torch.Tensor, pixel_range: PixelRange = (0.0, 1.0),
         targeted: bool = False) -> torch.Tensor:
    """``clip(x ± ε·sign(∇ₓ L(x, y)))``: + against class ``y``, − towards it when ``targeted``."""
    xs, e, one = _batch(x, eps)
    direction = step_direction(model, x[None], y, targeted)
    adv = (xs + e * direction).clamp(*pixel_range)
    return adv[0] if one else adv


def pgd_path(model: nn.Module, x: torch.Tensor, y: int, eps: float | torch.Tensor, steps: int,
             pixel_range: PixelRange = (0.0, 1.0), targeted: bool = False, alpha: float | None = None
             ) -> list[torch.Tensor]:
    """PGD's images ``[x, x₁, …, x_steps]``: each a signed step of size ``alpha`` (default ``2.5 ε / steps``)
    from the last, projected into the ε-ball around ``x`` and clipped to ``pixel_range``."""
    xs, e, one = _batch(x, eps)
    a = 2.5 * e / steps if alpha is None else torch.full_like(e, alpha)
    path = [xs]
    adv = xs
    for _ in range(steps):
        adv = adv + a * step_direction(model, adv, y, targeted)
        adv = (xs + torch.maximum(torch.minimum(adv - xs, e), -e)).clamp(*pixel_range)
        path.append(adv)
    return [p[0] for p in path] if one else path


def pgd(model: nn.Module, x: torch.Tensor, y: int, eps: float | torch.Tensor, steps: int,
        pixel_range: PixelRange = (0.0, 1.0), targeted: bool = False, alpha: float | None = None) -> torch.Tensor:
    """PGD's last image (see :func:`pgd_path`)."""
    return pgd_path(model, x, y, eps, steps, pixel_range, targeted, alpha)[-1]


def smallest_epsilon(model: nn.Module, attack: Callable[[torch.Tensor], torch.Tensor],
                     succeeded: Callable[[torch.Tensor], torch.Tensor], top: float,
                     grid: int = GRID, refine: int = REFINE) -> float | None:
    """The smallest ε in (0, ``top``] for which ``attack(ε values) -> images`` gives logits that ``succeeded``
    (logits -> bools), or None: ``grid`` values in one batch, then bisection between the last failure and the
    first success (exact for an attack that, once it succeeds, keeps succeeding as ε grows)."""
    eps = torch.linspace(0, top, grid + 1)[1:]

    def works(e: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return succeeded(model(attack(e)))

    hit = works(eps).nonzero()
    if not len(hit):
        return None
    n = int(hit[0, 0])
    good, bad = (eps[n - 1].item() if n else 0.0), eps[n].item()
    for _ in range(refine):
        mid = (good + bad) / 2
        if works(torch.tensor([mid]))[0]:
            bad = mid
        else:
            good = mid
    return bad


def smallest_flip(model: nn.Module, x: torch.Tensor, y: int, pixel_range: PixelRange = (0.0, 1.0),
                  top: float | None = None, grid: int = GRID, refine: int = REFINE) -> float | None:
    """The smallest ε (up to ``top``, default the whole pixel range) for which FGSM's image of ``x`` is not
    classified ``y``, or None."""
    lo, hi = pixel_range
    direction = step_direction(model, x[None], y)  # once: every ε steps along it
    return smallest_epsilon(model, lambda e: (x + e.reshape(-1, 1, 1, 1) * direction).clamp(lo, hi),
                            lambda z: z.argmax(1) != y, hi - lo if top is None else top, grid, refine)
