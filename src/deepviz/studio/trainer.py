"""The playground's training step without autograd: the MLP's backward pass and the optimizers by hand.

On the playground's tiny tensors (a batch of 10 points through a 4-2 network) every torch operation
costs microseconds of dispatch and nanoseconds of arithmetic, so autograd's graph and ``torch.optim``'s
bookkeeping cost far more than the numbers. This module calls the very kernels they call, in the same
order (``addmm`` for ``nn.Linear``, ``_log_softmax_backward_data`` and ``mse_loss_backward`` for the
losses, each activation's own ``*_backward``, the optimizers' update formulas over every tensor at once
with ``torch._foreach_*``), so the weights it trains are autograd's and ``torch.optim``'s to the bit;
``tests/studio/test_trainer.py`` checks that against both over whole runs.
"""
# torch._foreach_* and the *_backward kernels are what torch.optim and autograd run; torch does not export them
# pyright: reportPrivateImportUsage=false
from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from ..models.training import adam_update, sgd_update

aten = torch.ops.aten
# Each activation's forward (the kernel its nn module calls) and backward (the kernel autograd calls, from
# the incoming gradient, the pre-activation z and the activation's output h).
Kernel = tuple[Callable[[torch.Tensor], torch.Tensor], Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]]
KERNELS: dict[str, Kernel] = {
    "relu": (torch.relu, lambda g, z, h: aten.threshold_backward.default(g, h, 0)),
    "tanh": (torch.tanh, lambda g, z, h: aten.tanh_backward.default(g, h)),
    "sigmoid": (torch.sigmoid, lambda g, z, h: aten.sigmoid_backward.default(g, h)),
    "linear": (lambda z: z, lambda g, z, h: g),
    "gelu": (F.gelu, lambda g, z, h: aten.gelu_backward.default(g, z)),
    "silu": (F.silu, lambda g, z, h: aten.silu_backward.default(g, z)),
    "elu": (F.elu, lambda g, z, h: aten.elu_backward.default(g, 1.0, 1, 1, False, z)),
    "leaky_relu": (lambda z: F.leaky_relu(z, 0.1), lambda g, z, h: aten.leaky_relu_backward.default(g, z, 0.1, False)),
}
MOMENTUM = 0.9  # as engine.make_optimizer uses it (Adam: torch.optim's defaults, see models.training)


class Optimizer:
    """SGD, SGD with momentum 0.9, or Adam, as ``torch.optim`` computes them on the CPU (one tensor at a
    time: ``_foreach_*`` on the CPU runs that very kernel per tensor), over a list of parameters."""

    def __init__(self, kind: str, lr: float, params: list[torch.Tensor]) -> None:
        self.kind, self.lr, self.params = kind, lr, params
        self.steps = 0
        self.buffers: list[list[torch.Tensor]] = []  # momentum: [buf]; adam: [exp_avg, exp_avg_sq]

    def state(self) -> tuple[int, list[list[torch.Tensor]]]:
        """A copy of what the optimizer carries between steps (for the tape's resume points)."""
        return self.steps, [[t.clone() for t in ts] for ts in self.buffers]

    def load(self, state: tuple[int, list[list[torch.Tensor]]]) -> None:
        self.steps, self.buffers = state[0], [[t.clone() for t in ts] for ts in state[1]]

    def step(self, grads: list[torch.Tensor]) -> None:
        self.steps += 1
        if self.kind == "adam":
            if not self.buffers:
                self.buffers = [[torch.zeros_like(p) for p in self.params], [torch.zeros_like(p) for p in self.params]]
            m, v = self.buffers
            adam_update(self.params, grads, m, v, self.steps, self.lr)
        elif self.kind == "momentum":
            if not self.buffers:
                self.buffers = [[]]  # the velocity: the first step fills it
            sgd_update(self.params, grads, self.buffers[0], MOMENTUM, self.lr)
        else:
            sgd_update(self.params, grads, [], 0.0, self.lr)


class Trainer:
    """Mini-batch steps on an ``nn.Sequential`` of Linear, activation (and Dropout) layers, updating its
    parameters in place. ``classes``: cross-entropy over that many classes, or 0 for half the mean squared
    error of the single output; ``penalty``: "none", "l1" or "l2" at ``reg_rate`` over the weights."""

    def __init__(self, net: nn.Sequential, activation: str, dropout: float, classes: int) -> None:
        linears = [m for m in net if isinstance(m, nn.Linear)]
        # detached views of the parameters: updated in place, with no autograd bookkeeping
        self.weights = [m.weight.detach() for m in linears]
        self.biases = [m.bias.detach() for m in linears]
        self.weights_t = [w.t() for w in self.weights]
        self.params = [t for pair in zip(self.weights, self.biases) for t in pair]  # net.parameters() order
        self.grads = [torch.empty_like(p) for p in self.params]
        self.grad_weights, self.grad_biases = self.grads[0::2], self.grads[1::2]
        self.forward_act, self.backward_act = KERNELS[activation]
        self.keep = 1.0 - dropout
        self.classes = classes
        self.half = torch.tensor(0.5)  # d(0.5 * mse)/d(mse), as autograd passes it on
        self._layout: tuple[int, int, int] | None = None  # the mini-batch buffers' (points, batch, features)

    def targets(self, y: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """What the loss's backward needs of the targets ``y``: the gradient of the mean NLL with respect
        to the log-probabilities (-1/B at the target, ``rows`` = B, the size of each point's mini-batch), or
        the regression targets themselves."""
        if not self.classes:
            return y
        return F.one_hot(y, self.classes).float().mul_(rows.reciprocal().neg_()[:, None])

    def batches(self, x: torch.Tensor, y: torch.Tensor, order: torch.Tensor, batch: int):
        """The mini-batches of the points ``x`` (targets ``y``) in the shuffled ``order``: (inputs, targets)
        pairs of views into buffers laid out afresh each epoch. Each batch starts 64-byte aligned, as a
        freshly gathered ``x[idx]`` does: matrix kernels take other paths (and round differently) on
        unaligned rows, and autograd's reference gathers each batch."""
        n = len(order)
        count = -(-n // batch)
        if self._layout != (n, batch, x.shape[1]):
            self._layout = (n, batch, x.shape[1])
            self._x = _aligned(count, batch, x.shape[1])
            self._t = _aligned(count, batch, self.classes) if self.classes else _aligned(count, batch)
            sizes = [min(batch, n - k * batch) for k in range(count)]
            self._rows = torch.tensor(sizes, dtype=torch.float32).repeat_interleave(batch)
            self._views = [(self._x[k, :r], self._t[k, :r]) for k, r in enumerate(sizes)]
            self._pad = count * batch - n
        # the last batch's spare rows repeat points from the start (cyclically: a set smaller than a batch)
        padded = order[torch.arange(n + self._pad) % n] if self._pad else order
        self._x.copy_(x[padded].view(self._x.shape))
        self._t.copy_(self.targets(y[padded], self._rows).view(self._t.shape))
        return self._views

    def step(self, x: torch.Tensor, target: torch.Tensor, regularization: str, reg_rate: float,
             optimizer: Optimizer) -> None:
        """One step on the points ``x`` whose ``targets`` rows are ``target``."""
        weights, biases, act, grad_w, grad_b = self.weights, self.biases, self.forward_act, self.grad_weights, self.grad_biases
        last = len(weights) - 1
        h, inputs, pre, post, masks = x, [x], [], [], []
        for i in range(last):
            z = torch.addmm(biases[i], h, self.weights_t[i])
            h = act(z)
            pre.append(z)
            post.append(h)
            if self.keep < 1.0:  # nn.Dropout on the CPU: input * (bernoulli(1 - p) / (1 - p))
                noise = torch.empty_like(h).bernoulli_(self.keep).div_(self.keep)
                h = h * noise
                masks.append(noise)
            inputs.append(h)
        out = torch.addmm(biases[last], h, self.weights_t[last])
        if self.classes:
            dz = torch._log_softmax_backward_data(target, torch.log_softmax(out, 1), 1, out.dtype)
        else:
            dz = aten.mse_loss_backward.default(self.half, out[:, 0], target, 1).unsqueeze(1)
        for i in range(last, -1, -1):
            torch.mm(dz.t(), inputs[i], out=grad_w[i])
            torch.sum(dz, 0, out=grad_b[i])
            if i:
                dh = torch.mm(dz, weights[i])
                if masks:
                    dh = dh * masks[i - 1]
                dz = self.backward_act(dh, pre[i - 1], post[i - 1])
        if regularization == "l2":  # d/dW of rate/2 * sum(W*W): autograd's W*g + W*g with g = rate/2
            torch._foreach_add_(grad_w, torch._foreach_mul(weights, reg_rate * 0.5), alpha=2)
        elif regularization == "l1":  # d/dW of rate * sum|W|: rate * sgn(W)
            torch._foreach_add_(grad_w, torch._foreach_sign(weights), alpha=reg_rate)
        optimizer.step(self.grads)



def _aligned(count: int, *shape: int) -> torch.Tensor:
    """A (count, *shape) buffer whose count blocks each start 64-byte aligned (torch's CPU allocator
    aligns every tensor to 64 bytes; a block is padded to a multiple of 16 floats)."""
    size = math.prod(shape)
    return torch.empty(count, -(-size // 16) * 16)[:, :size].view(count, *shape)
