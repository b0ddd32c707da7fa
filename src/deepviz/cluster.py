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

``deepviz studio --cluster`` runs the studio's render jobs the same way (:class:`RemoteJobs`): each job is
a task that runs the job's function in a private folder and returns its files' bytes, which the studio
writes into the job's folder; the task reports its progress to a small actor the studio reads.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

from .gallery import Job, key_file, plan, render_files, write_key
from .params import ParamError
from .render import TEMP_PREFIX, RenderError, remove_abandoned_temp

MAX_RETRIES = 2  # a lost worker or node: the task runs again elsewhere
FAULT_ENV = "DEEPVIZ_TEST_KILL_TASK"  # tests: "CONCEPT/PRESET:MARKER" (a studio job: "TITLE:MARKER") kills that task's worker once
POLL = 0.25  # seconds between two looks at a studio job's progress
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


def die_once(fault: str, name: str) -> None:
    """Tests: the worker of the task called ``name`` dies if ``fault`` is ``NAME:MARKER`` (once: the marker
    file then exists)."""
    if fault.startswith(f"{name}:"):
        marker = Path(fault[len(name) + 1:])
        if not marker.exists():
            marker.touch()
            os._exit(9)


def files_under(folder: Path, prefix: str = "") -> dict[str, bytes]:
    """{path relative to ``folder``: bytes} of the files under it whose name starts with ``prefix``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob(f"{prefix}*"))
            if p.is_file()}


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write a task's files (by path relative to ``folder``), each atomically: never a partial file."""
    for name, data in files.items():
        dest = folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, dest)


def render_task(job: Job, fault: str = "") -> tuple[float, dict[str, bytes]]:
    """A Ray task: render ``job`` on this node and return (seconds of video, {file name: bytes})."""
    die_once(fault, f"{job.concept}/{job.preset}")
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
        return duration, files_under(folder / job.concept, f"{job.stem}.")
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
    (out / job.concept).mkdir(parents=True, exist_ok=True)
    key_file(out, job).unlink(missing_ok=True)
    write_files(out / job.concept, files)
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


# -- the studio's jobs --------------------------------------------------------------------------------------
class ProgressBoard:
    """A Ray actor (no CPU): the latest progress of each studio job, written by its task, read by the studio."""

    def __init__(self) -> None:
        self.latest: dict[str, tuple[float, str]] = {}

    def report(self, job_id: str, fraction: float, text: str) -> None:
        self.latest[job_id] = (fraction, text)

    def take(self, job_id: str) -> tuple[float, str] | None:
        return self.latest.pop(job_id, None)


def job_task(fn: str, kwargs: dict[str, Any], job_id: str, board: Any, fault: str = "",
             name: str = "") -> tuple[Any, ...]:
    """A Ray task: the studio job ``fn`` (``module:function``, see :mod:`deepviz.studio.jobs`) in a private
    folder on this node: ("done", its file's path relative to the folder, {relative path: bytes}) or
    ("failed", one line). An error of the job is an answer, not an exception: Ray retries only lost workers."""
    die_once(fault, name)
    from .studio.jobs import job_error, progress_message, run_job

    def progress(fraction: float, text: str = "") -> None:
        board.report.remote(job_id, *progress_message(fraction, text))  # Ray keeps a caller's calls in order

    folder = _scratch()
    try:
        file = run_job(fn, folder, kwargs, progress)
        return "done", os.path.relpath(file, folder), files_under(folder)
    except Exception as err:  # noqa: BLE001 - the job's one-line error
        return "failed", job_error(err)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class RemoteJobs:
    """The studio's job queue's jobs as Ray tasks with one CPU (:class:`deepviz.studio.jobs.JobQueue`)."""

    def __init__(self, address: str):
        self.ray = connect(address)  # now: a wrong address stops the studio before it serves
        self.task = self.ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(job_task)
        self.board: Any = None  # the progress actor, made with the first job

    def cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def submit(self, job_id: str, title: str, fn: str, kwargs: dict[str, Any]) -> Any:
        if self.board is None:
            self.board = self.ray.remote(num_cpus=0)(ProgressBoard).remote()
        fault = os.environ.get(FAULT_ENV, "")  # read here: the workers' environment is the cluster's
        return self.task.remote(fn, kwargs, job_id, self.board, fault, title)

    def follow(self, ref: Any, job_id: str, progress: Callable[[float, str], None]) -> tuple[str, ...]:
        """Hand the task's progress to ``progress`` until it ends; then its answer (see :func:`job_task`), or
        ("failed", one line) if it was lost on every try or cancelled."""
        while True:
            ready, _ = self.ray.wait([ref], timeout=POLL)
            latest = self.ray.get(self.board.take.remote(job_id))
            if latest is not None:
                progress(*latest)
            if ready:
                break
        try:
            return self.ray.get(ref)
        except Exception as err:  # noqa: BLE001 - one line
            return "failed", why(err)

    def cancel(self, ref: Any) -> None:
        self.ray.cancel(ref, force=True)  # its worker is killed, and whatever the render started with it

    def close(self) -> None:
        if self.board is not None:
            self.ray.kill(self.board)
            self.board = None
