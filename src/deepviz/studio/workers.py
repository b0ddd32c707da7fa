"""Training off the web server's interpreter: worker processes, one per core, each hosting many sessions.

A session's playground lives in one worker, which trains every playing session it hosts in turn (one epoch
each, round robin: a fair share whatever their number) and builds their frames. The web server only
relays: a page's messages go to the session's worker as they came, and the worker's replies and frames
(already JSON text) go back to the page. So the event loop never waits on torch or on the GIL of a
training thread, and ``/api/health`` answers in milliseconds under a full classroom.

:class:`Worker` is the whole of a worker: five methods taking and returning plain data (no shared
memory, no handles), so a worker could as well be a Ray actor on another machine. :class:`Pool` runs
workers as local processes and talks to each over one pipe.
"""
from __future__ import annotations

import base64
import json
import multiprocessing
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from itertools import count
from typing import Any

from . import protocol
from .engine import Config, Playground

FPS = 30  # frames a second a session gets at most
MIN_FPS = 12  # ... and at least, however many sessions a worker hosts
FRAME_SHARE = 0.25  # of a worker's time, spent building frames before their rate drops towards MIN_FPS
SLICE = 0.004  # seconds of training between two looks at the pipe and the frames due


def _json(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class Session:
    """One tab's playground and its play state, as its worker hosts it."""

    parse = staticmethod(protocol.parse)  # the page's messages (another page's session brings its own)

    def __init__(self) -> None:
        self.pg = Playground(Config())
        self.start()

    def start(self) -> None:
        """The play state of a new session (every page's session has it)."""
        self.playing = False
        self.speed = 1000.0  # epochs per second at most
        self.next_epoch_at = 0.0  # perf_counter time before which no epoch starts (the speed)
        self.error: dict | None = None
        self.version = 0  # bumped by every change: a frame is sent when it moved
        self.view: int | None = None  # an earlier epoch the page is looking at (the tape)
        self.received = 0  # messages handled: the page trusts a frame's play state once it has seen all of its own
        self.sent, self.sent_len, self.sent_last = -1, 0, None  # the last frame's version and history
        self.sent_data: tuple = ()  # the data set whose points the page has (they go once per data set)
        self.frame_at = 0.0  # when the last frame was built

    def received_message(self, msg) -> None:
        """Count a message the page sent; anything that changes the run leaves the tape's view."""
        self.version += 1
        self.received += 1
        if not isinstance(msg, (protocol.View, protocol.Pause, protocol.Speed)):
            self.view = None

    def play_control(self, msg) -> bool:
        """Play, pause or a speed (the same for every page's session); False for any other message."""
        if isinstance(msg, (protocol.Play, protocol.Pause)):
            self.playing = isinstance(msg, protocol.Play)
        elif isinstance(msg, protocol.Speed):
            self.speed = msg.epochs_per_second
        else:
            return False
        return True

    def history_known(self, history: list) -> int:
        """How many of ``history``'s entries the page has: those of the last frame when the run went on from it,
        none when it was cut back (a restore) or started anew (then the next frame sends all)."""
        n = self.sent_len
        known = n if len(history) >= n > 0 and history[n - 1] is self.sent_last else 0
        self.sent_len, self.sent_last = len(history), history[-1] if history else None
        return known

    def handle(self, msg) -> str | dict | None:
        """Apply a client message; returns an error text for the page, or a message to send it."""
        self.received_message(msg)
        if self.play_control(msg):
            return None
        return self.apply(msg)

    def apply(self, msg) -> str | dict | None:
        """A message other than play, pause and speed (those are every page's)."""
        if isinstance(msg, protocol.View):
            if not self.on_tape(msg.epoch):
                return f"epoch: no snapshot of epoch {msg.epoch}"
            self.playing = False
            self.view = self.pg.nearest_snapshot(msg.epoch)
        elif isinstance(msg, protocol.Configure):
            return protocol.configured(self.pg, msg.settings, protocol.check)
        elif isinstance(msg, protocol.Step):
            self.playing = False
            self.pg.train_epoch() if msg.unit == "epoch" else self.pg.step_batch()
        elif isinstance(msg, protocol.Reset):
            self.playing = False
            self.pg.reset()
        elif isinstance(msg, protocol.Restore):
            if not self.on_tape(msg.epoch):
                return f"epoch: no snapshot of epoch {msg.epoch}"
            self.pg.restore(self.pg.nearest_snapshot(msg.epoch))
        elif isinstance(msg, protocol.SetWeight):
            return self.pg.set_weight(msg.layer, tuple(msg.index), msg.value)
        elif isinstance(msg, protocol.Export):
            return self.export(msg)
        return None

    def on_tape(self, epoch: int) -> bool:
        """Within the tape's span (a long run's older epochs are thinned: the nearest kept one is used)."""
        return self.pg.tape[0].epoch <= epoch <= self.pg.tape[-1].epoch

    def export(self, msg: protocol.Export) -> dict:
        """A file for the page to save (sent over the socket: no server path is involved), or, for the MP4,
        a render request that the server turns into a job of its render queue."""
        from . import export

        stem = f"playground-{self.pg.cfg.dataset}-epoch{self.pg.epoch}"
        if msg.what == "movie":
            from .movie import movie_trace

            return {"type": "render", "title": f"playground run, {stem}", "target": "deepviz.studio.movie:render_movie",
                    "args": {"trace": movie_trace(self.pg).to_dict(), "quality": msg.quality, "theme": msg.theme}}
        if msg.what == "state_dict":
            data, name, mime = export.state_dict_bytes(self.pg), stem + ".pt", "application/octet-stream"
        else:
            data, name, mime = export.script(self.pg).encode(), stem + ".py", "text/x-python"
        return download(data, name, mime)

    def train_epoch(self, now: float) -> None:
        """One epoch of play, then the NaN guard: a run that diverged pauses and says where it was last good."""
        self.pg.train_epoch()
        self.version += 1
        self.next_epoch_at = now + 1.0 / self.speed
        if self.pg.diverged():
            self.playing = False
            self.error = {"type": "diverged", "epoch": self.pg.last_good_epoch(),
                          "detail": "training diverged (the loss is not finite)"}

    def frame(self) -> str:
        """The next frame as JSON: only the loss-history entries the page lacks (same run, not cut back), and
        the points only when the data set changed (a quarter of a frame, and most of its JSON encoding)."""
        pg = self.pg
        known = self.history_known(pg.history)
        data_set = (pg.x_train, pg.y_train, pg.x_test, pg.y_test)  # new tensors whenever the data set is made
        fresh = not self.sent_data or any(a is not b for a, b in zip(data_set, self.sent_data))
        data = protocol.frame(pg, epoch=self.view, history_from=known, points=fresh)
        self.sent_data = data_set
        self.sent = self.version
        data["playing"], data["received"] = self.playing, self.received
        return _json(data)


def download(data: bytes, filename: str, mime: str) -> dict:
    """A file for the page to save, sent over the socket (no server path is involved)."""
    return {"type": "download", "filename": filename, "mime": mime, "data": base64.b64encode(data).decode()}


def session_class(page: str) -> type:
    """The session a page's socket opens: the playground's, or another page's engine on the same machinery."""
    if page == "gan":
        from .gan_session import GanSession

        return GanSession
    if page == "vae":
        from .vae_session import VaeSession

        return VaeSession
    return Session


def _failed(what: str, err: Exception) -> str:
    """One line for the page; the traceback goes to the studio's log."""
    import sys
    import traceback

    traceback.print_exception(err, file=sys.stderr)
    return f"{what}: failed in the studio ({type(err).__name__}: {err}); see the studio's log"


class Worker:
    """Many sessions in one interpreter. Its interface is plain data in and out: ``open``, ``close``,
    ``message`` (a page's raw message: the replies to send it) and ``run`` (train for a while: the frames
    and notices due), plus ``idle`` for how long it may sleep."""

    def __init__(self) -> None:
        import torch

        torch.set_num_threads(1)  # tiny tensors: threads cost more than they save (deepviz/threads.py)
        self.sessions: dict[int, Session] = {}
        self.turn = 0  # round robin: the next session to train
        self.frame_cost = 0.004  # seconds to build a frame (a running mean)

    def open(self, sid: int, page: str = "playground") -> None:
        self.sessions[sid] = session_class(page)()

    def close(self, sid: int) -> None:
        self.sessions.pop(sid, None)

    def message(self, sid: int, raw: str | bytes) -> list[str]:
        """Handle a page's message; the replies for the page (JSON texts: an error, a file, a render request)."""
        session = self.sessions.get(sid)
        if session is None:
            return []
        msg, error = session.parse(raw)
        if msg is not None:
            try:
                error = session.handle(msg)
            except Exception as err:  # noqa: BLE001 - a defect must not take down the other sessions
                error = _failed(msg.type, err)
        else:
            session.received += 1
        if isinstance(error, dict):
            return [_json(error)]
        return [_json({"type": "error", "detail": error})] if error is not None else []

    def period(self) -> float:
        """Seconds between two frames of a session: 1/FPS, longer when frames would take more than
        FRAME_SHARE of the worker, but never longer than 1/MIN_FPS."""
        active = sum(s.playing or s.sent != s.version for s in self.sessions.values())
        return min(1.0 / MIN_FPS, max(1.0 / FPS, active * self.frame_cost / FRAME_SHARE))

    def run(self, seconds: float) -> list[tuple[int, str]]:
        """Train the playing sessions in turn, an epoch each, for about ``seconds``; then the frames due
        (sid, JSON text), and notices such as a divergence."""
        now = time.perf_counter()
        end = now + seconds
        order = list(self.sessions.values())
        while now < end:
            ready = [s for s in order if s.playing and s.next_epoch_at <= now]
            if not ready:
                break
            s = ready[self.turn % len(ready)]  # the turn moves on by one epoch whoever trained it
            try:
                s.train_epoch(now)
            except Exception as err:  # noqa: BLE001 - a defect must not take down the other sessions
                s.playing = False
                s.error = {"type": "error", "detail": _failed("play", err)}
            self.turn += 1
            now = time.perf_counter()
        return self.frames()

    def frames(self) -> list[tuple[int, str]]:
        out, period = [], self.period()
        for sid, s in self.sessions.items():
            now = time.perf_counter()
            if s.sent != s.version and now - s.frame_at >= period:
                s.frame_at = now
                out.append((sid, s.frame()))
                self.frame_cost = 0.9 * self.frame_cost + 0.1 * (time.perf_counter() - now)
            if s.error is not None:
                out.append((sid, _json(s.error)))
                s.error = None
        return out

    def idle(self) -> float:
        """Seconds until something is due (an epoch at a slow speed, a frame); 0 while training."""
        now, period = time.perf_counter(), self.period()
        waits = [1.0]
        for s in self.sessions.values():
            if s.playing:
                waits.append(s.next_epoch_at - now)
            if s.sent != s.version:
                waits.append(s.frame_at + period - now)
        return max(0.0, min(waits))


def _host(conn) -> None:
    """A worker process: messages from the server in, replies and frames out, over one pipe. Ctrl+C is the
    server's to handle (it stops its workers); a server gone away ends the worker."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker = Worker()
    calls: dict[str, Callable[..., Any]] = {"open": worker.open, "close": worker.close, "message": worker.message}
    with suppress(EOFError, OSError):
        while True:
            if conn.poll(worker.idle()):
                while conn.poll():
                    call, sid, *args = conn.recv()
                    if call == "stop":
                        return
                    replies = calls[call](sid, *args)
                    if replies:
                        conn.send([(sid, text) for text in replies])
            out = worker.run(SLICE)
            if out:
                conn.send(out)


class Remote:
    """The server's side of one session: what it sends to the session's worker, and a queue of the texts
    the worker sends back (frames and replies, in order)."""

    def __init__(self, pool: Pool, worker: int, sid: int, deliver: Callable[[str], None]) -> None:
        self.pool, self.worker, self.sid, self.deliver = pool, worker, sid, deliver

    def send(self, raw: str | bytes) -> None:
        self.pool.call(self.worker, "message", self.sid, raw)

    def close(self) -> None:
        self.pool.close(self)


class Pool:
    """Worker processes on this machine; each session goes to the worker hosting the fewest."""

    def __init__(self, size: int) -> None:
        ctx = multiprocessing.get_context("spawn")  # the server has threads and an event loop: no fork
        self.lock = threading.Lock()
        self.remotes: dict[int, Remote] = {}
        self.load = [0] * size
        self.ids = count(1)
        self.conns, self.procs = [], []
        for i in range(size):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=_host, args=(theirs,), name=f"deepviz-studio-worker-{i}", daemon=True)
            proc.start()
            theirs.close()
            self.conns.append(ours)
            self.procs.append(proc)
            threading.Thread(target=self._read, args=(i,), name=f"deepviz-studio-relay-{i}", daemon=True).start()

    def open(self, deliver: Callable[[str], None], page: str = "playground") -> Remote:
        """A new session of ``page`` on the least loaded worker; ``deliver`` gets each text for its page
        (from the pool's reader thread: it must hand over to the event loop and return)."""
        with self.lock:
            worker = min(range(len(self.load)), key=self.load.__getitem__)
            self.load[worker] += 1
            remote = Remote(self, worker, next(self.ids), deliver)
            self.remotes[remote.sid] = remote
        self.call(worker, "open", remote.sid, page)
        return remote

    def close(self, remote: Remote) -> None:
        with self.lock:
            if self.remotes.pop(remote.sid, None) is None:
                return
            self.load[remote.worker] -= 1
        self.call(remote.worker, "close", remote.sid)

    def call(self, worker: int, *message) -> None:
        with self.lock:  # one writer at a time on a pipe
            try:
                self.conns[worker].send(message)
            except (OSError, ValueError):  # the worker is gone: its sessions hear of it from the reader
                pass

    def _read(self, worker: int) -> None:
        conn = self.conns[worker]
        while True:
            try:
                batch = conn.recv()
            except (EOFError, OSError):
                break
            for sid, text in batch:
                remote = self.remotes.get(sid)
                if remote is not None:
                    _deliver(remote, text)
        lost = _json({"type": "error", "detail": "the studio's training worker stopped; reload the page"})
        for remote in [r for r in list(self.remotes.values()) if r.worker == worker]:
            _deliver(remote, lost)

    def stop(self) -> None:
        for worker in range(len(self.conns)):
            self.call(worker, "stop", 0)
        for proc in self.procs:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.terminate()


def _deliver(remote: Remote, text: str) -> None:
    with suppress(RuntimeError):  # its event loop has closed (the app stopped): nobody to tell
        remote.deliver(text)


_shared: Pool | None = None
_shared_lock = threading.Lock()


def shared_pool(size: int | None = None) -> Pool:
    """The process's pool (every studio app in a process shares it), started on first use with one
    worker per core."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit
            import os

            _shared = Pool(size or len(os.sched_getaffinity(0)) or 1)
            atexit.register(_shared.stop)
        return _shared
