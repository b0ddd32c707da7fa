"""A queue of long jobs (renders, exports), each in a fresh process, at most one per CPU core.

A job is ``fn(out_dir, progress, **kwargs) -> Path``, named ``"module:function"`` and run in a
process of its own (the "spawn" start method: Manim's configuration is global, so a render never
runs in a thread of the server). ``out_dir`` is a fresh folder under the queue's root; the
returned file must lie inside it. ``progress(fraction, text)`` travels back to the server over
the job's own pipe: a killed job breaks nothing but its own pipe.

One scheduler thread starts waiting jobs while fewer than ``workers`` run and listens to the
running ones. A failing job records one line and the queue goes on; a cancelled job's process
(and whatever it started) is killed and its folder removed, so nothing half-written stays.

With a cluster address (``deepviz studio --cluster``) a job runs as a Ray task instead (see
:class:`deepviz.cluster.RemoteJobs`): a thread here relays its progress over the job's pipe and writes
the files it returns into the job's folder, each atomically; cancelling cancels the task (its worker is
killed), and Ray retries a task whose worker or node is lost. Without one, Ray is never imported.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import secrets
import shutil
import signal
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable

_SPAWN = multiprocessing.get_context("spawn")
ERROR_CHARS = 300  # a job's error is one line of at most this many characters
STATES = ("queued", "running", "done", "failed", "cancelled")


@dataclass
class Job:
    id: str
    title: str
    fn: str
    kwargs: dict[str, Any]
    out_dir: Path
    state: str = "queued"
    progress: float = 0.0  # 0..1, as the job's function reports it
    text: str = "waiting for a free core"
    error: str = ""
    file: Path | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None

    @property
    def finished_state(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def to_json(self) -> dict[str, Any]:
        """What a page may see: no server paths, the file as a URL once it exists."""
        return {"id": self.id, "title": self.title, "state": self.state, "progress": round(self.progress, 4),
                "text": self.text, "error": self.error, "created": self.created, "started": self.started,
                "finished": self.finished,
                "file": f"/api/jobs/{self.id}/file" if self.state == "done" and self.file is not None else None}


@dataclass
class _Running:
    job: Job
    process: Any  # multiprocessing.Process of the spawn context
    conn: Connection
    conn_open: bool = True
    result: Path | None = None
    failure: str | None = None


KEEP = 50  # finished jobs kept listed (and their files) before the oldest are forgotten


class JobQueue:
    def __init__(self, root: Path, workers: int | None = None, cluster: str | None = None):
        if workers is not None and workers < 1:
            raise ValueError(f"workers: must be at least 1, got {workers}")
        self.cluster = cluster
        self._remote = None
        if cluster is not None:
            from ..cluster import RemoteJobs

            self._remote = RemoteJobs(cluster)
        cores = self._remote.cpus() if self._remote is not None else os.cpu_count() or 1
        self.root = Path(root)
        self.workers = min(workers or cores, cores)
        self._jobs: dict[str, Job] = {}
        self._waiting: deque[Job] = deque()
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._wake_recv, self._wake_send = _SPAWN.Pipe(duplex=False)
        self._thread: threading.Thread | None = None  # started by the first submit
        self._closed = False

    # -- the interface ----------------------------------------------------------------------
    def submit(self, title: str, fn: str, kwargs: dict) -> Job:
        module, _, name = fn.partition(":")
        if not module or not name:
            raise ValueError(f"fn: expected 'module:function', got {fn!r}")
        job_id = secrets.token_hex(8)
        job = Job(id=job_id, title=title, fn=fn, kwargs=dict(kwargs), out_dir=self.root / job_id)
        with self._lock:
            if self._closed:
                raise RuntimeError("the job queue is shut down")
            self._forget_old()
            self._jobs[job_id] = job
            self._waiting.append(job)
            if self._thread is None:
                self._thread = threading.Thread(target=self._schedule, name="deepviz-jobs", daemon=True)
                self._thread.start()
        self._wake()
        return job

    def _forget_old(self) -> None:
        """Keep the newest KEEP finished jobs listed; older ones are dropped with their files."""
        done = [j for j in self._jobs.values() if j.finished_state]
        for job in done[:max(0, len(done) - KEEP)]:  # dicts keep insertion order: oldest first
            del self._jobs[job.id]
            shutil.rmtree(job.out_dir, ignore_errors=True)

    def get(self, job_id: str) -> Job:
        return self._jobs[job_id]

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def cancel(self, job_id: str) -> None:
        """A waiting job never starts; a running job's process is killed and its folder removed."""
        with self._lock:
            job = self._jobs[job_id]
            if job.finished_state:
                return
            job.state, job.text, job.finished = "cancelled", "cancelled", time.time()
            running = self._running.get(job_id)
            if running is None:
                self._waiting.remove(job)
            else:
                _kill(running.process)
        if running is not None:
            running.process.join(10)
            shutil.rmtree(job.out_dir, ignore_errors=True)
        self._wake()

    def shutdown(self) -> None:
        """Cancel every job, kill the running processes and stop the scheduler (idempotent)."""
        with self._lock:
            self._closed = True
            jobs = [j for j in self._jobs.values() if not j.finished_state]
        for job in jobs:
            self.cancel(job.id)
        self._wake()
        if self._thread is not None:
            self._thread.join(10)
        if self._remote is not None:
            self._remote.close()

    # -- the scheduler thread -------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_send.send(None)
        except OSError:  # the scheduler is gone (shut down): nothing to wake
            pass

    def _schedule(self) -> None:
        while True:
            with self._lock:
                if self._closed and not self._running:
                    return
                self._start_waiting()
                watched: dict[Any, _Running] = {}
                for r in self._running.values():
                    watched[r.process.sentinel] = r
                    if r.conn_open:
                        watched[r.conn] = r
            for ready in wait([self._wake_recv, *watched], timeout=5.0):
                if ready is self._wake_recv:
                    while self._wake_recv.poll():
                        self._wake_recv.recv()
                elif isinstance(ready, Connection):
                    self._receive(watched[ready])
                else:
                    self._reap(watched[ready])

    def _start_waiting(self) -> None:
        while self._waiting and len(self._running) < self.workers and not self._closed:
            job = self._waiting.popleft()
            job.started = time.time()
            try:
                job.out_dir.mkdir(parents=True, exist_ok=False)
                recv, send = _SPAWN.Pipe(duplex=False)
                if self._remote is not None:
                    process: Any = _RayTask(self._remote, job, send)  # it closes ``send`` when it ends
                else:
                    process = _SPAWN.Process(target=_child, args=(job.fn, str(job.out_dir), job.kwargs, send),
                                             name=f"deepviz-job-{job.id}", daemon=True)
                    process.start()
                    send.close()  # the child holds the sending end: end of file once it exits
            except Exception as err:  # noqa: BLE001 - e.g. no room for the folder: this job fails, the queue goes on
                job.state, job.text, job.error, job.finished = "failed", "failed", one_line(err), time.time()
                shutil.rmtree(job.out_dir, ignore_errors=True)
                continue
            job.state, job.text = "running", "starting"
            self._running[job.id] = _Running(job, process, recv)

    def _receive(self, r: _Running) -> None:
        try:
            while r.conn.poll():
                kind, *payload = r.conn.recv()
                with self._lock:
                    if r.job.state != "running":
                        continue  # cancelled: its last words do not matter
                    if kind == "progress":
                        r.job.progress, r.job.text = payload
                    elif kind == "done":
                        r.result = Path(payload[0])
                    elif kind == "failed":
                        r.failure = payload[0]
        except (EOFError, OSError):
            r.conn_open = False

    def _reap(self, r: _Running) -> None:
        """The process ended: read what it said last, then settle the job."""
        if r.conn_open:
            self._receive(r)
        r.process.join()
        r.conn.close()
        job = r.job
        with self._lock:
            del self._running[job.id]
            if job.state != "running":  # cancelled meanwhile: cancel() cleans up
                return
            file, error = _settle(r)
            job.finished = time.time()
            if error is None:
                job.file, job.progress, job.text = file, 1.0, "done"
                job.state = "done"
            else:
                job.error, job.text, job.state = error, "failed", "failed"
        if error is not None:
            shutil.rmtree(job.out_dir, ignore_errors=True)


def _settle(r: _Running) -> tuple[Path | None, str | None]:
    """(the produced file, None) or (None, a one-line error)."""
    if r.failure is not None:
        return None, r.failure
    if r.result is None:
        return None, f"the job's process ended without a result (exit code {r.process.exitcode})"
    out_dir = r.job.out_dir.resolve()
    file = r.result.resolve()
    if not file.is_relative_to(out_dir) or not file.is_file():
        return None, "the job's function returned a path that is not a file inside its folder"
    return file, None


class _RayTask:
    """A job running as a Ray task, seen by the scheduler as its process: a thread follows the task, relays
    its progress over the job's pipe, writes the files it returns into the job's folder (each atomically)
    and then says "done", as a job's process does; ``sentinel`` becomes readable when the thread ends."""

    def __init__(self, remote: Any, job: Job, send: Connection):
        self._ref = remote.submit(job.id, job.title, job.fn, job.kwargs)
        self.exitcode: int | None = None
        self._remote, self._job, self._send = remote, job, send
        self.sentinel, self._ended = os.pipe()
        weakref.finalize(self, os.close, self.sentinel)  # once the scheduler no longer waits on it
        self._killed = False
        self._thread = threading.Thread(target=self._follow, name=f"deepviz-job-{job.id}", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            answer = self._remote.follow(self._ref, self._job.id, lambda f, t: self._send.send(("progress", f, t)))
            if answer[0] == "done" and not self._killed:
                from ..cluster import write_files

                _, file, files = answer
                write_files(self._job.out_dir, files)
                answer = ("done", str(self._job.out_dir / file))
            self._send.send(answer)
        except Exception as err:  # noqa: BLE001 - e.g. the connection to the cluster is lost: this job fails
            self._send.send(("failed", one_line(err)))
        finally:
            self.exitcode = 0
            self._send.close()
            os.close(self._ended)

    def kill(self) -> None:
        self._killed = True
        self._remote.cancel(self._ref)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


def _kill(process) -> None:
    """Kill the job's process and everything it started (it leads a session of its own)."""
    if process.exitcode is not None:
        return  # ended (and reaped): its pid may belong to another process by now
    if isinstance(process, _RayTask):
        process.kill()
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        pass  # not yet its own group leader (or not POSIX): kill the process itself
    process.kill()


def one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    line = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1] + "…"


def run_job(fn: str, out_dir: Path, kwargs: dict[str, Any], progress: Callable[[float, str], None]) -> Path:
    """Run the job function ``fn`` (``module:function``) here: in a job's process, or in a Ray task."""
    _private_tqdm_lock()
    module, _, name = fn.partition(":")
    func: Callable[..., Path] = getattr(importlib.import_module(module), name)
    return func(out_dir, progress, **kwargs)


def progress_message(fraction: float, text: str) -> tuple[float, str]:
    """A job's progress as the queue keeps it: a fraction in 0..1 and one short line."""
    return min(1.0, max(0.0, float(fraction))), " ".join(str(text).split())[:200]


def job_error(err: BaseException) -> str:
    """A failed job's one line (a ParamError names its parameter)."""
    from ..params import ParamError

    return f"{err.param}: {err.message}" if isinstance(err, ParamError) else one_line(err)


def _child(fn: str, out_dir: str, kwargs: dict[str, Any], conn: Connection) -> None:
    """The job's process: run ``fn`` and tell the parent how it goes, then what came of it."""
    if hasattr(os, "setsid"):
        os.setsid()  # a group of its own: cancelling kills what it started (LaTeX, ffmpeg) too

    def progress(fraction: float, text: str = "") -> None:
        conn.send(("progress", *progress_message(fraction, text)))

    try:
        conn.send(("done", str(run_job(fn, Path(out_dir), kwargs, progress))))
    except BaseException as err:  # noqa: BLE001 - any failure is the job's one-line error
        conn.send(("failed", job_error(err)))
    finally:
        conn.close()


def _private_tqdm_lock() -> None:
    """Manim's progress bars (tqdm) would make a semaphore shared between processes, which a
    killed job leaks (the server then warns when it stops); within one job a thread lock does."""
    try:
        from tqdm import tqdm
    except ImportError:
        return
    tqdm.set_lock(threading.RLock())


# -- job functions ----------------------------------------------------------------------------------
TRACED = 0.05  # the fraction a render starts at: its trace was computed (and checked) before it was queued
SCENE_DONE = 0.9  # ... once the scene has played its last narration step (then: encoding, captions)


def render_concept_job(out_dir: Path, progress: Callable[[float, str], None], trace: dict[str, Any],
                       quality: str = "low", theme: str = "dark") -> Path:
    """Render one concept example's computed ``trace`` (a Trace as a dict) into ``out_dir``; returns
    the .mp4 (the .vtt lies beside it).

    The fraction: 0.05 when the job starts (the server computed the trace when it accepted the
    job); then, while Manim plays the scene, 0.05 + 0.85 * k / n when the scene starts narration
    step k + 1 of the trace's n steps (every scene narrates each step of its trace once, in
    order); 0.9 when the last step has played and Manim joins the movie and the captions are
    written; 1 when the files are in place. Steps differ in length, so the fraction counts
    steps, not seconds.
    """
    progress(TRACED, "starting the scene")
    import torch

    torch.set_num_threads(1)  # one render per core
    from ..render import render_trace
    from ..trace import Trace

    def on_step(done: int, total: int, caption: str) -> None:
        fraction = TRACED + (SCENE_DONE - TRACED) * done / total
        text = f"step {done + 1} of {total}: {caption}" if done < total else "encoding the video"
        progress(fraction, text)

    result = render_trace(Trace.from_dict(trace), output=out_dir, quality=quality, theme=theme, on_step=on_step)
    progress(1.0, "done")
    assert result.video is not None  # a video format was asked for
    return result.video
