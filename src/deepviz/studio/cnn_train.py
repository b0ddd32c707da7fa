"""Train the digits CNN live: from its random initial weights, with the same seed, data, steps and Adam as the
cached model (:mod:`deepviz.models.digits_cnn`), in a background thread of the page's session, keeping a
snapshot of the weights, the loss and the accuracies every ``EVERY`` steps. The page plays the snapshots as
they come: the first-layer filters and every activation map form step by step.

The architecture is the reader's choice (channels, kernel, stride, padding, pooling: ``DigitsCNN``'s
arguments, in the ranges of ``cnn_page.TrainMessage``); :func:`check_architecture` refuses one whose maps
do not fit, naming the field.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .cnn import Network, Refused
from .live import LiveRun

EVERY = 10  # steps between snapshots


@dataclass(frozen=True)
class Snapshot:
    step: int
    state: dict[str, torch.Tensor]
    loss: float
    train_accuracy: float
    test_accuracy: float


DEFAULT = {"c1": 6, "c2": 12, "kernel": 3, "stride": 1, "padding": 1, "pool": "max"}  # the cached model's


def check_architecture(arch: dict) -> None:
    """Refuse (naming the field) an architecture whose kernel is larger than a conv's padded input, or whose
    conv output is too small to pool."""
    from ..models.digits_cnn import SIDE

    side, k, stride, pad = SIDE, arch["kernel"], arch["stride"], arch["padding"]
    for i in (1, 2):
        padded = side + 2 * pad
        if k > padded:
            raise Refused("kernel", f"{k} is larger than conv{i}'s padded input ({side} + 2×{pad} = {padded} "
                                    "on a side)")
        side = (padded - k) // stride + 1
        if arch["pool"] != "none":
            if side < 2:
                raise Refused("pool", f"conv{i}'s maps are {side}×{side}, too small for 2×2 pooling")
            side //= 2


def label(arch: dict) -> str:
    """The network's name on the page: the cached model's, or its architecture."""
    if arch == DEFAULT:
        return "digits CNN"
    pool = "no pooling" if arch["pool"] == "none" else f"{arch['pool']} pooling"
    return (f"digits CNN ({arch['c1']}, {arch['c2']} channels, {arch['kernel']}×{arch['kernel']}, "
            f"stride {arch['stride']}, padding {arch['padding']}, {pool})")


class LiveTraining(LiveRun[Snapshot]):
    """One tab's training run of the digits CNN (see :class:`deepviz.studio.live.LiveRun`)."""

    name = "cnn-live-training"

    def __init__(self, arch: dict | None = None) -> None:
        from ..models import digits_cnn

        self.arch = {**DEFAULT, **(arch or {})}
        check_architecture(self.arch)
        self.steps = digits_cnn.STEPS
        super().__init__()

    def train(self) -> None:
        from ..models import digits_cnn
        from ..models.training import adam

        train, test = digits_cnn.load()
        x, y = digits_cnn.prepare(train.images), train.labels
        xt, yt = digits_cnn.prepare(test.images), test.labels
        torch.manual_seed(digits_cnn.SEED)  # the default architecture starts at the cached model's initialisation
        model = digits_cnn.DigitsCNN(**self.arch)
        params = list(model.parameters())

        def snapshot(step: int) -> None:
            self.keep()
            if step % EVERY and step != self.steps:
                return
            with torch.no_grad():
                out = model(x)
                self.keep(Snapshot(step, {k: v.detach().clone() for k, v in model.state_dict().items()},
                                   F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item(),
                                   (model(xt).argmax(1) == yt).float().mean().item()))

        snapshot(0)
        adam(params, lambda: F.cross_entropy(model(x), y), self.steps, digits_cnn.LR, after_step=snapshot)


def name_at(training: LiveTraining, snap: Snapshot) -> str:
    return f"{label(training.arch)} at step {snap.step}"


def network_at(base: Network, training: LiveTraining, snap: Snapshot) -> Network:
    """The page's digits network with a snapshot's architecture and weights (same examples, drawing and image
    handling); its exported script builds that architecture."""
    from dataclasses import replace

    from ..models import digits_cnn
    from .cnn_export import class_source

    model = digits_cnn.DigitsCNN(**training.arch)
    model.load_state_dict(snap.state)
    return replace(base, model=model, name=name_at(training, snap),
                   source=class_source(digits_cnn.DigitsCNN, {"SIDE": digits_cnn.SIDE}, training.arch))
