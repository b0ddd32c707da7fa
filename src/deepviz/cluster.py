"""The gallery on a Ray cluster: each preset is a Ray task with one CPU; its files come back as bytes.

``deepviz gallery --cluster ray`` uses the Ray instance this process is connected to, or starts a local
one; ``--cluster ray://HOST:PORT`` connects to an existing cluster through Ray Client. Ray is the
optional extra ``deepviz[cluster]`` and is imported only here.

A task renders its preset into a private folder on its node (with ``jobs=1``: one CPU per task) and
returns the files' bytes (a long 1080p or 4K render is split, its runs Ray tasks too: see
:mod:`deepviz.split`); the caller removes the preset's cache key, writes each file atomically into
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


def simulated_node(**more: Any) -> dict[str, Any]:
    """Settings of a small node of ``ray.cluster_utils.Cluster`` (tests, benchmarks): one CPU, an 80 MB store.

    Its agents' ports are chosen here: else the raylet waits at most 15 s for its agents to publish
    them, and under load (their Python starting slowly) it gives up and the node never starts.
    """
    import socket

    agents = ("metrics_agent_port", "metrics_export_port", "dashboard_agent_listen_port", "runtime_env_agent_port")
    sockets = [socket.socket() for _ in agents]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = {name: s.getsockname()[1] for name, s in zip(agents, sockets)}
    for s in sockets:
        s.close()
    return {"num_cpus": 1, "object_store_memory": 80 * 1024**2, **ports, **more}


def simulated_cluster(nodes: int = 2, attempts: int = 3) -> Any:
    """Ray's multi-node simulation on this machine (``ray.cluster_utils.Cluster``) of ``nodes`` small nodes.

    A node's raylet gives its Python agents 15 s to start (hard-coded in Ray): on a loaded machine they
    sometimes take longer and the node dies, so the whole cluster is started again (Ray stops what it began).
    """
    from ray.cluster_utils import Cluster

    for attempt in range(attempts):
        cluster = Cluster()
        try:
            cluster.add_node(**simulated_node(include_dashboard=False))  # the first is the head
            for _ in range(nodes - 1):
                cluster.add_node(**simulated_node())
            return cluster
        except Exception:
            cluster.shutdown()
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


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
    from . import split

    parts = 1
    if job.quality in split.AUTO_QUALITIES and not job.voice:  # a long render: its runs are Ray tasks too
        import ray

        parts = max(1, min(int(ray.cluster_resources().get("CPU", 1)), split.MAX_PARTS))
    folder = _scratch()
    split.RUNS = ray_runs  # this worker runs one task at a time
    try:
        duration = render_files(folder, job, jobs=parts)
        made = folder / job.concept
        return duration, {p.name: p.read_bytes() for p in made.iterdir() if p.name.startswith(f"{job.stem}.")}
    finally:
        split.RUNS = None
        shutil.rmtree(folder, ignore_errors=True)


def run_task(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any],
             run: tuple[int, int]) -> tuple[bytes, list, dict[int, float]]:
    """A Ray task: one run of a split render (:func:`deepviz.split.render_run`), its video as bytes."""
    from .split import render_run

    folder = _scratch()
    try:
        video, cues, lengths = render_run(scene_cls, trace, scene_kwargs, settings, run, folder)
        return video.read_bytes(), cues, lengths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ray_runs(scene_cls: type, trace: Any, scene_kwargs: dict[str, Any], settings: dict[str, Any], folder: Path,
             p: Any) -> dict[int, tuple[str, list, dict[int, float]]]:
    """A split render's runs as Ray tasks (for :data:`deepviz.split.RUNS`); their videos land in ``folder``."""
    import ray

    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(run_task)
    refs = [task.remote(scene_cls, trace, scene_kwargs, settings, run) for run in p.runs]
    results = {}
    for i, ref in enumerate(refs):
        try:
            data, cues, lengths = ray.get(ref)
        except Exception as err:  # noqa: BLE001 - the render fails with one line
            raise RenderError(f"part {i + 1} of {len(refs)} of the split render failed: {why(err)}") from None
        video = folder / f"run{i}.mp4"
        video.write_bytes(data)
        results[i] = (str(video), cues, lengths)
    return results


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
        return f"its Ray worker died on each of {MAX_RETRIES + 1} tries ({type(err).__name__})"
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
