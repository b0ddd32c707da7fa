"""Full-batch training for the small networks concepts train: a plain Adam loop, seeded and deterministic,
and the Adam and SGD updates themselves (the playground's ``studio.trainer.Optimizer`` steps with them too).

torch.optim's first use in a process imports torch._dynamo (about a second); these networks train in
a fraction of that, so the update is written out (the same formula as torch.optim.Adam with its
defaults). The tensors are tiny: one thread avoids the cost of dispatching them to a pool.
"""
# pyright: reportPrivateImportUsage=false
# (torch's fused _foreach_* ops (what torch.optim.Adam itself uses) are not in its public stubs)
from __future__ import annotations

from typing import Callable, Sequence

import torch

from ..threads import one_thread

BETAS = (0.9, 0.999)
EPS = 1e-8
Grads = list[torch.Tensor] | tuple[torch.Tensor, ...]  # what torch's _foreach_* take (autograd.grad gives a tuple)


def adam_update(params: list[torch.Tensor], grads: Grads, m: list[torch.Tensor],
                v: list[torch.Tensor], step: int, lr: float) -> None:
    """One Adam step in place (``step`` counts from 1; ``m``, ``v``: the moments, zeros before the first step):
    torch.optim.Adam's update with its defaults, one multi-tensor call per operation, as with foreach=True."""
    b1, b2 = BETAS
    with torch.no_grad():
        torch._foreach_lerp_(m, grads, 1 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, 1 - b2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, (1 - b2 ** step) ** 0.5)
        torch._foreach_add_(denom, EPS)
        torch._foreach_addcdiv_(params, m, denom, -lr / (1 - b1 ** step))


def sgd_update(params: list[torch.Tensor], grads: Grads, velocity: list[torch.Tensor],
               momentum: float, lr: float) -> None:
    """One step of ``w <- w - lr * v`` with ``v = momentum * v + grad`` in place (``velocity``: empty before the
    first step, which sets ``v = grad``); ``momentum`` 0 is plain SGD. torch.optim.SGD's update without
    dampening or weight decay."""
    with torch.no_grad():
        if momentum and velocity:
            torch._foreach_mul_(velocity, momentum)
            torch._foreach_add_(velocity, grads)
        elif momentum:
            velocity.extend(g.clone() for g in grads)
        torch._foreach_add_(params, velocity if momentum else grads, alpha=-lr)


def adam(params: Sequence[torch.Tensor], loss_fn: Callable[[], torch.Tensor], steps: int, lr: float,
         record: int = 10, after_step: Callable[[int], None] | None = None) -> list[list[float]]:
    """Minimise ``loss_fn()`` over ``params`` (leaf tensors, updated in place) with ``steps`` Adam steps.

    Returns the loss history ``[[step, loss], ...]`` at about ``record`` evenly spaced steps plus the end.
    ``after_step(k)`` is called after the k-th update (e.g. to keep snapshots of the parameters).
    """
    ps = list(params)
    m = [torch.zeros_like(p) for p in ps]
    v = [torch.zeros_like(p) for p in ps]
    every = max(1, steps // max(1, record))
    history = []
    with one_thread():
        for step in range(1, steps + 1):
            loss = loss_fn()
            if (step - 1) % every == 0:
                history.append([step - 1, loss.item()])
            adam_update(ps, torch.autograd.grad(loss, ps), m, v, step, lr)
            if after_step is not None:
                after_step(step)
        with torch.no_grad():
            history.append([steps, loss_fn().item()])
    return history


def sgd(params: Sequence[torch.Tensor], loss_fn: Callable[[], torch.Tensor], steps: int, lr: float,
        momentum: float = 0.0, after_step: Callable[[int], bool | None] | None = None) -> None:
    """``steps`` steps of ``w <- w - lr * v`` with ``v = momentum * v + grad`` (``v = grad`` at the first step):
    the update of torch.optim.SGD(lr, momentum) without dampening or weight decay.

    ``loss_fn()`` is called once per step (a mini-batch loss may draw its next batch there);
    ``after_step(k)`` runs after the k-th update and may return True to stop (e.g. a diverging run).
    """
    ps, velocity = list(params), []
    with one_thread():
        for step in range(1, steps + 1):
            sgd_update(ps, torch.autograd.grad(loss_fn(), ps), velocity, momentum, lr)
            if after_step is not None and after_step(step):
                return
