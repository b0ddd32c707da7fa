"""A classroom on a cluster: the studio's sessions in Ray actors (``deepviz studio --cluster``).

Each actor (:class:`Host`, one CPU) is a :class:`~deepviz.studio.workers.Worker`: it hosts many sessions
and trains them in turn. The web server stays a thin front: :class:`RayPool` has :class:`~.workers.Pool`'s
interface, and one relay thread per actor asks it for what is due (``poll``: it trains for up to
``BUDGET`` seconds and returns the frames, notices and snapshots); a page's message is a call whose
result, its replies, goes to the page as soon as it comes.

A playground session sends its snapshot when it starts or stops playing, and every ``SNAPSHOT_SECONDS``
at most while its training goes on: the run at its newest resume point (weights, optimizer, generators,
settings, the loss history the page shows and the run log, as bytes: 10-60 kB, 10 of them the generators'
states). The front keeps the last one. When an actor or its node dies, its sessions are reopened from
their snapshots, on a new actor when the cluster has a free CPU, else on the live actors, and each page
is told in one line where its run resumed (playing if it was). Ray is imported only here.
"""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from itertools import count
from typing import Any

from . import protocol
from .engine import Playground
from .workers import Remote, Session, Worker, _deliver, _json, session_class

BUDGET = 0.02  # seconds an actor trains per poll: a page's message waits at most about this long behind it
SNAPSHOT_SECONDS = 2.0  # a playing session's snapshot goes to the front at most this often
PER_ACTOR = 4  # sessions an actor takes before the next starts (up to one per CPU; an actor keeps ~18 at 30 epochs/s)
READY_SECONDS = 60.0  # for a new actor to start (its process imports torch) before it counts as unplaceable


def snapshot(session: Session) -> bytes:
    """A playground session's run at its newest resume point, as bytes (torch.save of plain data)."""
    import torch

    data = {**session.pg.checkpoint(protocol.HISTORY), "playing": session.playing, "speed": session.speed}
    buf = io.BytesIO()
    torch.save(data, buf)
    return buf.getvalue()


def read_snapshot(data: bytes) -> dict:
    import torch

    return torch.load(io.BytesIO(data), weights_only=True)


def resumed(data: bytes) -> Session:
    """A playground session at its snapshot (playing if it was): training on goes exactly as it would have."""
    d = read_snapshot(data)
    session = Session.__new__(Session)
    session.pg = Playground.from_checkpoint(d)
    session.start()
    session.playing, session.speed = d["playing"], d["speed"]
    return session


class Host(Worker):
    """A worker as a Ray actor: ``poll`` trains and returns what is due, snapshots included."""

    def __init__(self) -> None:
        super().__init__()
        self.snapped: dict[int, tuple[Any, bool, float]] = {}  # sid: the resume point and play state sent, when

    def node(self) -> str:
        import ray

        return ray.get_runtime_context().get_node_id()

    def close(self, sid: int) -> None:
        super().close(sid)
        self.snapped.pop(sid, None)

    def resume(self, sid: int, page: str, data: bytes | None, received: int) -> int | None:
        """Reopen a session lost with its actor: from its snapshot (the epoch resumed), or fresh (None)."""
        session = resumed(data) if data is not None else session_class(page)()
        session.received = received  # the page's messages so far: it trusts this session's frames again
        self.sessions[sid] = session
        return session.pg.epoch if data is not None else None

    def poll(self, budget: float) -> tuple[list[tuple[int, str]], list[tuple[int, bytes]], float]:
        """Train for up to ``budget`` seconds: the frames and notices for the pages, the new snapshots, and
        how long the front may wait before the next poll when nothing is playing."""
        return self.run(budget), self.snapshots(), self.idle()

    def snapshots(self) -> list[tuple[int, bytes]]:
        now, out = time.monotonic(), []
        for sid, s in self.sessions.items():
            if type(s) is not Session:  # another page's session is reopened fresh
                continue
            newest = next(t for t in reversed(s.pg.tape) if t.resume is not None)
            sent, playing, at = self.snapped.get(sid, (None, False, -SNAPSHOT_SECONDS))
            if s.playing != playing or (newest is not sent and now - at >= SNAPSHOT_SECONDS):  # play: at once
                self.snapped[sid] = (newest, s.playing, now)
                out.append((sid, snapshot(s)))
        return out


class Slot:
    """One actor as the front sees it: its handle, its relay thread's wake-up, its sessions' count."""

    def __init__(self, index: int, actor: Any) -> None:
        self.index, self.actor, self.load = index, actor, 0
        self.wake = threading.Event()
        self.alive = True


class RayPool:
    """Sessions in Ray actors (one CPU each, spread over the cluster's nodes); :class:`~.workers.Pool`'s
    interface. An actor starts when every actor has ``per_actor`` sessions, up to ``actors``."""

    def __init__(self, actors: int, per_actor: int | None = None) -> None:
        import ray

        self.ray, self.size, self.per_actor = ray, actors, per_actor or PER_ACTOR
        self.host = ray.remote(num_cpus=1, max_restarts=0, scheduling_strategy="SPREAD")(Host)
        self.lock = threading.Lock()
        self.slots: list[Slot] = []
        self.remotes: dict[int, Remote] = {}
        self.pages: dict[int, str] = {}
        self.sent: dict[int, int] = {}  # messages each page sent (the count a resumed session starts from)
        self.snapshots: dict[int, bytes] = {}  # the last snapshot of each playground session
        self.ids = count(1)
        self.stopped = False

    def _follow(self, slot: Slot) -> Slot:
        threading.Thread(target=self._relay, args=(slot,), name=f"deepviz-studio-ray-relay-{slot.index}",
                         daemon=True).start()
        return slot

    def open(self, deliver: Callable[[str], None], page: str = "playground") -> Remote:
        """A new session of ``page`` on the least loaded actor (a new actor when all are full)."""
        with self.lock:
            live = [s for s in self.slots if s.alive]
            slot = min(live, key=lambda s: s.load, default=None)
            if slot is None or (slot.load >= self.per_actor and len(live) < self.size):
                slot = self._follow(Slot(len(self.slots), self.host.remote()))
                self.slots.append(slot)
            slot.load += 1
            remote = Remote(self, slot.index, next(self.ids), deliver)  # type: ignore[arg-type]
            self.remotes[remote.sid], self.pages[remote.sid], self.sent[remote.sid] = remote, page, 0
        self.call(slot.index, "open", remote.sid, page)
        return remote

    def close(self, remote: Remote) -> None:
        with self.lock:
            if self.remotes.pop(remote.sid, None) is None:
                return
            for table in (self.pages, self.sent, self.snapshots):
                table.pop(remote.sid, None)
            slot = self.slots[remote.worker]
            slot.load -= 1
        self.call(slot.index, "close", remote.sid)

    def call(self, worker: int, call: str, sid: int, *args) -> None:
        """Send a call to an actor without waiting (Ray runs one caller's calls to an actor in order); a
        message's replies go to its page as soon as they come (not with the next poll's frames)."""
        slot = self.slots[worker]
        done = getattr(slot.actor, call).remote(sid, *args)
        if call == "message":
            self.sent[sid] = self.sent.get(sid, 0) + 1
            done.future().add_done_callback(lambda f: self._replies(sid, f))
        slot.wake.set()

    def _replies(self, sid: int, future) -> None:
        remote = self.remotes.get(sid)
        if remote is not None and future.exception() is None:  # an actor that died: the relay tells the page
            for text in future.result():
                _deliver(remote, text)

    def _relay(self, slot: Slot) -> None:
        """Poll the actor while it is the slot's; a lost actor's sessions go on from their snapshots."""
        from ray.exceptions import ActorUnavailableError, RayActorError

        while not self.stopped:
            try:
                out, snaps, idle = self.ray.get(slot.actor.poll.remote(BUDGET))
            except ActorUnavailableError:  # unreachable for now: lost only once Ray says it died
                time.sleep(0.5)
                continue
            except RayActorError:
                if not self.stopped:
                    self._lost(slot)
                return
            for sid, data in snaps:
                if sid in self.remotes:
                    self.snapshots[sid] = data
            for sid, text in out:
                remote = self.remotes.get(sid)
                if remote is not None:
                    _deliver(remote, text)
            if idle > 0 and slot.wake.wait(min(idle, 1.0)):
                slot.wake.clear()

    def _lost(self, dead: Slot) -> None:
        """Reopen the dead actor's sessions: on a new actor if the cluster has a free CPU, else on the
        least loaded live ones; each page hears where its run resumed."""
        from ray.exceptions import RayActorError

        with self.lock:
            dead.alive = False
            moved = [r for r in self.remotes.values() if r.worker == dead.index]
        fresh = self._replacement(dead.index) if moved else None
        for remote in moved:
            with self.lock:
                if self.stopped or remote.sid not in self.remotes:  # closed meanwhile
                    continue
                live = [s for s in self.slots if s.alive]
                if not live:
                    _deliver(remote, _json({"type": "error", "detail": "the training node was lost and the cluster "
                                                                       "has no free CPU; reload the page later"}))
                    continue
                slot = fresh or min(live, key=lambda s: s.load)
                dead.load -= 1
                slot.load += 1
                data, received = self.snapshots.get(remote.sid), self.sent.get(remote.sid, 0)
                done = slot.actor.resume.remote(remote.sid, self.pages[remote.sid], data, received)
                remote.worker = slot.index  # the page's next messages go after the resume
            try:
                epoch = self.ray.get(done)
            except RayActorError:  # that actor died too: its own relay moves the session on
                continue
            slot.wake.set()
            said = f"resumed from epoch {epoch}" if epoch is not None else "the session started again"
            _deliver(remote, _json({"type": "error", "detail": f"the training node was lost: {said}"}))

    def _replacement(self, index: int) -> Slot | None:
        """A new actor in ``index``'s place when a CPU is free on a live node (the dead node's are gone)."""
        if self.ray.available_resources().get("CPU", 0) < 1:
            return None
        slot = Slot(index, self.host.remote())
        try:
            self.ray.get(slot.actor.node.remote(), timeout=READY_SECONDS)
        except Exception:  # noqa: BLE001 - not placed or not started: the live actors take the sessions
            self.ray.kill(slot.actor)
            return None
        with self.lock:
            self.slots[index] = slot
        return self._follow(slot)

    def nodes(self) -> dict[int, str]:
        """Each live actor's node id (tests, benchmarks)."""
        return {s.index: self.ray.get(s.actor.node.remote()) for s in self.slots if s.alive}

    def stop(self) -> None:
        self.stopped = True
        for slot in self.slots:
            slot.wake.set()
            if slot.alive:
                self.ray.kill(slot.actor)


_shared: dict[str, RayPool] = {}
_shared_lock = threading.Lock()


def shared_ray_pool(address: str) -> RayPool:
    """The process's pool on the cluster at ``address`` (connected on first use): up to one actor per CPU."""
    from ..cluster import connect

    with _shared_lock:
        if address not in _shared:
            ray = connect(address)
            _shared[address] = RayPool(max(1, int(ray.cluster_resources().get("CPU", 1))))
        return _shared[address]
