"""The session of a page that trains one run object (the GAN page's ``gan.GanRun``, its VAE mode's ``vae.VaeRun``)
on the playground's machinery: what those sessions share, once.

The run has ``step()``, ``diverged()``, ``restore_last_good()`` (the last good iteration) and ``iteration``. A
subclass says how to build it (:meth:`RunSession.new_run`), applies the page's own messages (:meth:`apply`),
builds its frame's data (:meth:`frame_data`) and words a divergence (:attr:`DIVERGED`).
"""
from __future__ import annotations

from typing import Any

from .workers import Session, _json


class RunSession(Session):
    run: Any
    DIVERGED: str  # the page's line for a divergence, formatted with the iterations ``bad`` and ``good``

    def __init__(self) -> None:
        self.run = self.new_run()
        self.start()

    def new_run(self) -> Any:
        raise NotImplementedError

    def train_epoch(self, now: float) -> None:
        """One step of play (the worker's turn), then the NaN guard."""
        self.run.step()
        self.version += 1
        self.next_epoch_at = now + 1.0 / self.speed
        self.guard()

    def guard(self) -> None:
        """A diverged run goes back to its last good iteration and pauses, and the page is told."""
        if not self.run.diverged():
            return
        bad = self.run.iteration
        good = self.run.restore_last_good()
        self.playing = False
        self.error = {"type": "diverged", "epoch": good, "detail": self.DIVERGED.format(bad=bad, good=good)}

    def frame_data(self) -> dict:
        raise NotImplementedError

    def frame(self) -> str:
        """The next frame as JSON, with the play state the page checks its own messages against."""
        data = self.frame_data()
        self.sent = self.version
        data["playing"], data["received"] = self.playing, self.received
        return _json(data)
