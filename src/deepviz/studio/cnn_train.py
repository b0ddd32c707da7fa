"""Train the digits CNN live: from its random initial weights, with the same seed, data, steps and Adam as the
cached model (:mod:`deepviz.models.digits_cnn`), in a background thread of the page's session, keeping a
snapshot of the weights, the loss and the accuracies every ``EVERY`` steps. The page plays the snapshots as
they come: the first-layer filters and every activation map form step by step.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .cnn import Network

EVERY = 10  # steps between snapshots


class _Stopped(Exception):
    """Raised from the training loop's callback when the tab closed."""


@dataclass(frozen=True)
class Snapshot:
    step: int
    state: dict[str, torch.Tensor]
    loss: float
    train_accuracy: float
    test_accuracy: float


class LiveTraining:
    """One tab's training run; ``snapshots`` grows while the thread runs (read it under ``lock``)."""

    def __init__(self) -> None:
        from ..models import digits_cnn

        self.steps = digits_cnn.STEPS
        self.snapshots: list[Snapshot] = []
        self.lock = threading.Lock()
        self.stopped = False
        self.error: str | None = None
        self.thread = threading.Thread(target=self._run, daemon=True, name="cnn-live-training")
        self.thread.start()

    def _run(self) -> None:
        from ..models import digits_cnn
        from ..models.training import adam

        train, test = digits_cnn.load()
        x, y = digits_cnn.prepare(train.images), train.labels
        xt, yt = digits_cnn.prepare(test.images), test.labels
        model = digits_cnn._build()  # the cached model's own seeded initialisation
        params = list(model.parameters())

        def snapshot(step: int) -> None:
            if self.stopped:
                raise _Stopped
            if step % EVERY and step != self.steps:
                return
            with torch.no_grad():
                out = model(x)
                snap = Snapshot(step, {k: v.detach().clone() for k, v in model.state_dict().items()},
                                F.cross_entropy(out, y).item(), (out.argmax(1) == y).float().mean().item(),
                                (model(xt).argmax(1) == yt).float().mean().item())
            with self.lock:
                self.snapshots.append(snap)

        try:
            snapshot(0)
            adam(params, lambda: F.cross_entropy(model(x), y), self.steps, digits_cnn.LR, after_step=snapshot)
        except _Stopped:
            pass
        except Exception as err:  # noqa: BLE001 - shown on the page, the studio keeps running
            self.error = f"{type(err).__name__}: {err}"

    def latest(self) -> Snapshot | None:
        with self.lock:
            return self.snapshots[-1] if self.snapshots else None

    def stop(self) -> None:
        """Stop at the next step and wait for it (one step: tens of milliseconds)."""
        self.stopped = True
        self.thread.join(timeout=10)


def network_at(base: Network, snap: Snapshot) -> Network:
    """The page's digits network with a snapshot's weights (same examples, drawing and image handling)."""
    from dataclasses import replace

    from ..models import digits_cnn

    model = digits_cnn.DigitsCNN()
    model.load_state_dict(snap.state)
    return replace(base, model=model, name=f"digits CNN at step {snap.step}")
