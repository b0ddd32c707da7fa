"""The gallery on a Ray cluster: Ray's own 2-node simulation on this machine (tiny nodes: one CPU each)."""
import subprocess
import sys

import pytest

from deepviz import catalog, split
from deepviz.cluster import FAULT_ENV, check_address, ray_runs, run_jobs
from deepviz.gallery import build_gallery, is_current, key_file, plan
from deepviz.params import ParamError
from deepviz.render import render_concept, render_trace

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
def gallery(cluster, tmp_path_factory):
    out = tmp_path_factory.mktemp("cluster-gallery")
    assert build_gallery(out, quality="test", only=[CONCEPT], cluster="ray") == 0
    return out


def test_a_cluster_render_is_the_local_render_and_shares_its_cache(gallery, tmp_path, capsys):
    job = plan("test", "dark", only=[CONCEPT])[1]
    local = render_concept(job.concept, job.preset, quality="test", output=tmp_path, jobs=1)
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


def test_cluster_addresses_are_checked_and_ray_stays_out_of_the_default_path():
    assert check_address("ray://head:10001") == "ray://head:10001"
    for bad in ("ray://head", "http://head:10001", "local"):
        with pytest.raises(ParamError, match="cluster"):
            check_address(bad)
    code = "import sys, deepviz.cli, deepviz.gallery, deepviz.render; sys.exit('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
