"""A page's live training run: a background thread per tab that keeps snapshots as it trains and stops when
the tab closes (the /cnn and /transformer pages' "train from scratch").

A subclass writes :meth:`LiveRun.train`, calling :meth:`LiveRun.keep` with each snapshot; ``keep`` raises
:class:`Stopped` once :meth:`LiveRun.stop` was called, which ends the loop at its next step.
"""
from __future__ import annotations

import threading
from typing import Generic, TypeVar

S = TypeVar("S")


class Stopped(Exception):
    """Raised from :meth:`LiveRun.keep` when the tab closed."""


class LiveRun(Generic[S]):
    """One tab's training run; ``snapshots`` grows while the thread runs (read it through :meth:`latest` or
    :meth:`since`)."""

    name = "live-training"

    def __init__(self) -> None:
        self.snapshots: list[S] = []
        self.lock = threading.Lock()
        self.stopped = False
        self.error: str | None = None
        self.thread = threading.Thread(target=self._run, daemon=True, name=self.name)
        self.thread.start()

    def train(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        try:
            self.train()
        except Stopped:
            pass
        except Exception as err:  # noqa: BLE001 - shown on the page, the studio keeps running
            self.error = f"{type(err).__name__}: {err}"

    def keep(self, snap: S | None = None) -> None:
        """Append ``snap`` (None: only check for a stop), or raise :class:`Stopped` when the tab closed."""
        if self.stopped:
            raise Stopped
        if snap is not None:
            with self.lock:
                self.snapshots.append(snap)

    def latest(self) -> S | None:
        with self.lock:
            return self.snapshots[-1] if self.snapshots else None

    def since(self, n: int) -> list[S]:
        """The snapshots from the ``n``-th on."""
        with self.lock:
            return self.snapshots[n:]

    def stop(self) -> None:
        """Stop at the next step and wait for it (one step: tens of milliseconds)."""
        self.stopped = True
        self.thread.join(timeout=10)
