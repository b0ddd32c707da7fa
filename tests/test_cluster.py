"""The gallery on a Ray cluster: Ray's own 2-node simulation on this machine (tiny nodes: one CPU each)."""
import socket
import subprocess
import sys

import pytest

from deepviz.cluster import FAULT_ENV, check_address, run_jobs
from deepviz.gallery import build_gallery, is_current, key_file, plan
from deepviz.params import ParamError
from deepviz.render import render_concept

ray = pytest.importorskip("ray", reason="Ray is the extra deepviz[cluster] (make test installs it)")
cluster_utils = pytest.importorskip("ray.cluster_utils")

pytestmark = pytest.mark.render

CONCEPT = "activations"  # two presets, one on each node
NODE = {"num_cpus": 1, "object_store_memory": 80 * 1024**2}  # the smallest store Ray accepts, on 2 shared cores

def node(**more):
    """A node's settings. Its agents' ports are chosen here: else the raylet waits at most 15 s for its agents to
    publish them, and under load (their Python starting slowly) it gives up and the node never starts."""
    agents = ("metrics_agent_port", "metrics_export_port", "dashboard_agent_listen_port", "runtime_env_agent_port")
    sockets = [socket.socket() for _ in agents]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = {name: s.getsockname()[1] for name, s in zip(agents, sockets)}
    for s in sockets:
        s.close()
    return {**NODE, **ports, **more}


def frame_hashes(video):
    out = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(video), "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if not line.startswith("#")]


@pytest.fixture(scope="module")
def cluster():
    """Two simulated nodes; this process connected to them, so ``cluster="ray"`` uses them."""
    c = cluster_utils.Cluster(initialize_head=True, head_node_args=node(include_dashboard=False))
    c.add_node(**node())
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
    yield c
    ray.shutdown()
    c.shutdown()


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
