"""The gallery and the studio's jobs on a Ray cluster: Ray's own 2-node simulation on this machine (tiny
nodes: one CPU each)."""
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from deepviz import catalog, split
from deepviz.cluster import FAULT_ENV, check_address, ray_runs, run_jobs
from deepviz.gallery import build_gallery, is_current, key_file, plan
from deepviz.params import ParamError
from deepviz.render import render_concept, render_trace
from deepviz.studio.gallery_api import RENDER_JOB
from deepviz.studio.jobs import JobQueue
from deepviz.studio.server import create_app
from studio.test_gallery import HELPERS, wait_until  # tests/ is on sys.path (pytest's rootdir-based import)

ray = pytest.importorskip("ray", reason="Ray is the extra deepviz[cluster] (make test installs it)")

pytestmark = [pytest.mark.render, pytest.mark.xdist_group("ray")]  # one simulated cluster, on one worker

CONCEPT = "activations"  # two presets, one on each node
def frame_hashes(video):
    out = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(video), "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if not line.startswith("#")]


@pytest.fixture(scope="module")
def cluster(ray_cluster):
    """Two simulated nodes (conftest.py's, shared with the studio's Ray tests)."""
    return ray_cluster


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The second preset rendered here, without Ray."""
    job = plan("test", "dark", only=[CONCEPT])[1]
    return job, render_concept(job.concept, job.preset, quality="test", output=tmp_path_factory.mktemp("local"), jobs=1)


@pytest.fixture(scope="module")
def gallery(cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("cluster-gallery")
    assert build_gallery(out, quality="test", only=[CONCEPT], cluster="ray") == 0
    return out


def test_a_cluster_render_is_the_local_render_and_shares_its_cache(gallery, local, capsys):
    job, local = local
    remote = gallery / job.concept / job.stem
    assert frame_hashes(f"{remote}.mp4") == frame_hashes(local.video)
    assert open(f"{remote}.srt").read() == local.srt.read_text()
    assert open(f"{remote}.trace.json").read() == local.trace.read_text()
    capsys.readouterr()
    assert build_gallery(gallery, quality="test", only=[CONCEPT]) == 0  # the local gallery finds it current
    assert "0 to render" in capsys.readouterr().out


def test_a_killed_worker_is_retried_by_ray(gallery, tmp_path, monkeypatch):
    job = plan("test", "dark", only=[CONCEPT])[0]
    marker = tmp_path / "killed-once"
    monkeypatch.setenv(FAULT_ENV, f"{job.concept}/{job.preset}:{marker}")
    done = []
    run_jobs(tmp_path / "out", [job], "ray", lambda j, error: done.append(error))
    assert marker.exists() and done == [None] and is_current(tmp_path / "out", job)
    assert frame_hashes(tmp_path / "out" / job.concept / f"{job.stem}.mp4") == frame_hashes(
        gallery / job.concept / f"{job.stem}.mp4")


def test_a_split_render_runs_its_parts_as_ray_tasks(gallery, tmp_path, monkeypatch):
    job = plan("test", "dark", only=[CONCEPT])[0]
    used = []
    monkeypatch.setattr(split, "RUNS", lambda *a: used.append(a[-1].runs) or ray_runs(*a))
    two = render_trace(catalog.get(job.concept).trace(job.preset), output=tmp_path, quality="test", parts=2)
    assert len(used) == 1 and len(used[0]) == 2
    serial = gallery / job.concept / job.stem
    assert frame_hashes(two.video) == frame_hashes(f"{serial}.mp4") and two.srt.read_text() == open(f"{serial}.srt").read()
    assert sorted(p.name for p in (tmp_path / job.concept).iterdir()) == sorted(
        p.name for p in (two.video, two.srt, two.vtt, two.trace))  # no runs left behind


def test_a_failed_task_is_one_line_and_writes_nothing(cluster, tmp_path):
    job = plan("test", "dark", only=[CONCEPT])[0]
    other = type(job)(**{**job.__dict__, "key": "0" * 64})  # a key this deepviz does not compute
    done = []
    run_jobs(tmp_path, [other], "ray", lambda j, error: done.append(error))
    assert len(done) == 1 and done[0].startswith("RenderError: this node's deepviz differs") and "\n" not in done[0]
    assert not key_file(tmp_path, other).exists() and not any(tmp_path.rglob("*.*"))


def test_cluster_addresses_are_checked_and_ray_stays_out_of_the_default_path(tmp_path):
    assert check_address("ray://head:10001") == "ray://head:10001"
    for bad in ("ray://head", "http://head:10001", "local"):
        with pytest.raises(ParamError, match="cluster"):
            check_address(bad)
    code = "import sys, deepviz.cli, deepviz.gallery, deepviz.render; sys.exit('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    studio = ("import sys, time, deepviz.studio.server as s; from deepviz.studio.jobs import JobQueue; "
              "q = JobQueue(sys.argv[1], workers=1); j = q.submit('t', sys.argv[2], {'seconds': 0.01}); "
              "[time.sleep(0.05) for _ in range(400) if not j.finished_state]; q.shutdown(); "
              "sys.exit(2 if 'ray' in sys.modules else j.state != 'done')")
    path = os.pathsep.join(sys.path)  # the job's module: tests/ is on this process's path
    assert subprocess.run([sys.executable, "-c", studio, str(tmp_path), f"{HELPERS}:timed"],
                          env={**os.environ, "PYTHONPATH": path}).returncode == 0


# -- the studio's jobs ----------------------------------------------------------------------------------------
ON_RAY = "tests.studio.job_helpers"  # Ray's workers import from the caller's working directory (the repository)


@pytest.fixture(scope="module")
def studio_jobs(cluster, tmp_path_factory):
    queue = JobQueue(tmp_path_factory.mktemp("studio-jobs"), cluster="ray")
    yield queue
    queue.shutdown()


def test_a_studio_render_job_on_the_cluster_makes_the_local_render(studio_jobs, local):
    job, local = local
    trace = catalog.get(job.concept).trace(job.preset).to_dict()
    render = studio_jobs.submit("a render", RENDER_JOB, {"trace": trace, "quality": "test", "theme": "dark"})
    seen = set()
    wait_until(lambda: seen.add(render.progress) or render.finished_state, timeout=120)
    assert render.state == "done", render.error
    assert render.file == render.out_dir / job.concept / local.video.name  # the local render's name (and cache key)
    assert render.file.with_suffix(".vtt").read_bytes() == local.vtt.read_bytes()
    assert frame_hashes(render.file) == frame_hashes(local.video)
    assert any(0.05 < f < 0.9 for f in seen)  # the task's steps reached the studio
    assert not [p for p in render.out_dir.rglob(".*")]  # no temporary file left in the job's folder


def test_a_studio_job_whose_worker_dies_is_retried_and_errors_are_one_line(studio_jobs, tmp_path, monkeypatch):
    marker = tmp_path / "killed-once"
    monkeypatch.setenv(FAULT_ENV, f"retried:{marker}")
    retried = studio_jobs.submit("retried", f"{ON_RAY}:timed", {"seconds": 0.1})
    bad = studio_jobs.submit("bad", f"{ON_RAY}:failing", {})
    stray = studio_jobs.submit("stray", f"{ON_RAY}:outside", {})
    wait_until(lambda: all(j.finished_state for j in (retried, bad, stray)), timeout=120)
    assert marker.exists() and retried.state == "done", retried.error
    assert retried.file == retried.out_dir / "times.txt" and retried.progress == 1.0
    assert (bad.state, bad.error) == ("failed", "ValueError: no good") and not bad.out_dir.exists()
    assert stray.state == "failed" and "inside its folder" in stray.error


def test_cancelling_a_studio_job_kills_its_ray_worker(studio_jobs):
    long = studio_jobs.submit("long", f"{ON_RAY}:timed", {"seconds": 60})
    wait_until(lambda: long.text.startswith("pid "), timeout=60)
    pid = int(long.text.split()[1])
    studio_jobs.cancel(long.id)
    assert long.state == "cancelled" and not long.out_dir.exists()
    wait_until(lambda: not alive(pid), timeout=20)  # ray.cancel(force=True)
    after = studio_jobs.submit("after", f"{ON_RAY}:timed", {"seconds": 0.1})
    wait_until(lambda: after.finished_state, timeout=60)
    assert after.state == "done"


def test_the_studio_started_with_a_cluster_sizes_its_queue_by_the_cluster(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # this machine's cores no longer bound the queue
    with TestClient(create_app(media=tmp_path, cluster="ray"), base_url="http://127.0.0.1") as client:
        assert client.app.state.cluster == client.app.state.jobs.cluster == "ray"
        assert client.get("/api/jobs").json()["workers"] == 2  # two nodes of one CPU


def alive(pid):
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
