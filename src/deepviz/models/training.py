"""Full-batch training for the small networks concepts train: a plain Adam loop, seeded and deterministic.

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


def adam(params: Sequence[torch.Tensor], loss_fn: Callable[[], torch.Tensor], steps: int, lr: float,
         record: int = 10, after_step: Callable[[int], None] | None = None) -> list[list[float]]:
    """Minimise ``loss_fn()`` over ``params`` (leaf tensors, updated in place) with ``steps`` Adam steps.

    Returns the loss history ``[[step, loss], ...]`` at about ``record`` evenly spaced steps plus the end.
    ``after_step(k)`` is called after the k-th update (e.g. to keep snapshots of the parameters).
    """
    b1, b2 = BETAS
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    every = max(1, steps // max(1, record))
    history = []
    with one_thread():
        for step in range(1, steps + 1):
            loss = loss_fn()
            if (step - 1) % every == 0:
                history.append([step - 1, loss.item()])
            grads = torch.autograd.grad(loss, list(params))
            with torch.no_grad():  # one multi-tensor call per operation, as torch.optim.Adam(foreach=True)
                torch._foreach_lerp_(m, grads, 1 - b1)
                torch._foreach_mul_(v, b2)
                torch._foreach_addcmul_(v, grads, grads, 1 - b2)
                denom = torch._foreach_sqrt(v)
                torch._foreach_div_(denom, (1 - b2 ** step) ** 0.5)
                torch._foreach_add_(denom, EPS)
                torch._foreach_addcdiv_(list(params), m, denom, -lr / (1 - b1 ** step))
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
    velocity: list[torch.Tensor] = []
    with one_thread():
        for step in range(1, steps + 1):
            grads = list(torch.autograd.grad(loss_fn(), list(params)))
            with torch.no_grad():
                if momentum and velocity:
                    torch._foreach_mul_(velocity, momentum)
                    torch._foreach_add_(velocity, grads)
                elif momentum:
                    velocity = [g.clone() for g in grads]
                torch._foreach_add_(list(params), velocity if momentum else grads, alpha=-lr)
            if after_step is not None and after_step(step):
                return
