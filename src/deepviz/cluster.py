"""The gallery on a Ray cluster: each preset is a Ray task with one CPU; its files come back as bytes.

``deepviz gallery --cluster ray`` uses the Ray instance this process is connected to, or starts a local
one; ``--cluster ray://HOST:PORT`` connects to an existing cluster through Ray Client. Ray is the
optional extra ``deepviz[cluster]`` and is imported only here.

A task renders its preset into a private folder on its node (with ``jobs=1``: one CPU per task) and
returns the files' bytes; the caller removes the preset's cache key, writes each file atomically into
its output folder and writes the key last (:func:`deepviz.gallery.write_key`), so a cluster render and
a local render of a preset are interchangeable, and a caller killed part way leaves no key that vouches
for a partial set of files. The task first checks that the node's deepviz computes the caller's cache
key (same version, same code): a node with other code would break that promise.

A task whose worker process or node dies is retried by Ray (``max_retries``); an error raised by the
render itself repeats, so it is not retried and comes back as one line.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from .gallery import Job, key_file, plan, render_files, write_key
from .params import ParamError
from .render import TEMP_PREFIX, RenderError, remove_abandoned_temp

MAX_RETRIES = 2  # a lost worker or node: the task runs again elsewhere
FAULT_ENV = "DEEPVIZ_TEST_KILL_TASK"  # tests: "CONCEPT/PRESET:MARKER" kills that task's worker once
SCRATCH = "deepviz-cluster"  # per-node folder of the tasks' private render folders


def check_address(address: str) -> str:
    """``ray`` or ``ray://HOST:PORT``; anything else is a ParamError naming ``cluster``."""
    if address == "ray":
        return address
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not address.startswith("ray://") or not host or not port.isdigit():
        raise ParamError("cluster", f"must be 'ray' (a local Ray instance) or 'ray://HOST:PORT', got {address!r}")
    return address


def connect(address: str) -> Any:
    """Import Ray and connect (unless this process is connected already); the ``ray`` module."""
    check_address(address)
    try:
        import ray
    except ImportError:
        raise ParamError("cluster", "needs Ray: pip install 'deepviz[cluster]'") from None
    if not ray.is_initialized():
        import logging

        try:
            ray.init(address=None if address == "ray" else address, include_dashboard=False,
                     logging_level=logging.ERROR, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise ParamError("cluster", f"cannot connect to {address}: {' '.join(str(err).split())}") from None
    return ray


def _scratch() -> Path:
    """A private folder for one task; the folders of tasks whose worker died (SIGKILL) are removed."""
    base = Path(tempfile.gettempdir()) / SCRATCH
    base.mkdir(exist_ok=True)
    remove_abandoned_temp(base)
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=base))


def render_task(job: Job, fault: str = "") -> tuple[float, dict[str, bytes]]:
    """A Ray task: render ``job`` on this node and return (seconds of video, {file name: bytes})."""
    if fault.startswith(f"{job.concept}/{job.preset}:"):  # tests: this task's worker dies, once
        marker = Path(fault.split(":", 1)[1])
        if not marker.exists():
            marker.touch()
            os._exit(9)
    import torch

    torch.set_num_threads(1)  # one CPU per task
    here = [j.key for j in plan(job.quality, job.theme, [job.concept], voice=job.voice or False, slides=job.slides)
            if j.preset == job.preset]
    if here != [job.key]:
        raise RenderError("this node's deepviz differs from the caller's (version or code): install the same "
                          "deepviz on every node of the cluster")
    folder = _scratch()
    try:
        duration = render_files(folder, job)
        made = folder / job.concept
        return duration, {p.name: p.read_bytes() for p in made.iterdir() if p.name.startswith(f"{job.stem}.")}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def store(out: Path, job: Job, files: dict[str, bytes]) -> None:
    """Put a task's files in place, each atomically, and vouch for them with the key last."""
    folder = out / job.concept
    folder.mkdir(parents=True, exist_ok=True)
    key_file(out, job).unlink(missing_ok=True)
    for name, data in files.items():
        tmp = folder / f".{name}.{os.getpid()}"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    write_key(out, job)


def why(err: BaseException) -> str:
    """One line for a task that failed: the render's own error, or the lost worker after its retries."""
    import ray.exceptions as rex

    if isinstance(err, rex.RayTaskError):
        cause = err.cause if isinstance(err.cause, BaseException) else err
        return " ".join(f"{type(cause).__name__}: {cause}".split())
    if isinstance(err, (rex.WorkerCrashedError, rex.NodeDiedError, rex.OwnerDiedError, rex.ObjectLostError)):
        return f"its Ray worker was lost {MAX_RETRIES + 1} times ({type(err).__name__})"
    return " ".join(f"{type(err).__name__}: {err}".split())


def run_jobs(out: Path, todo: list[Job], address: str, finished: Callable[[Job, str | None], None]) -> None:
    """Render ``todo`` as Ray tasks and store each result as it arrives; ``finished(job, error)`` hears of each."""
    ray = connect(address)
    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(render_task)
    fault = os.environ.get(FAULT_ENV, "")  # read here: the workers' environment is the cluster's
    pending = {task.remote(job, fault): job for job in todo}
    try:
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(done[0])
            try:
                _, files = ray.get(done[0])
            except Exception as err:  # noqa: BLE001 - one line per preset; the others still render
                finished(job, why(err))
                continue
            store(out, job, files)
            finished(job, None)
    finally:
        for ref in pending:  # interrupted: the cluster stops what this build no longer waits for
            ray.cancel(ref, force=True)
