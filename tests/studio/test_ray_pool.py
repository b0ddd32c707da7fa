"""The classroom on a cluster: ``deepviz studio --cluster`` trains the playground sessions as Ray actors."""
import subprocess
import sys

import pytest

from deepviz.cli import main

pytestmark = pytest.mark.xdist_group("ray")  # one simulated cluster, on one worker


def test_the_studio_command_refuses_a_bad_cluster_address_or_a_missing_ray_in_one_line(capsys, monkeypatch):
    assert main(["studio", "--cluster", "ray://head"]) == 2
    assert capsys.readouterr().err.strip() == ("deepviz: error: --cluster: must be 'ray' (a local Ray instance) or "
                                               "'ray://HOST:PORT', got 'ray://head'")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    assert main(["studio", "--cluster", "ray"]) == 2
    assert capsys.readouterr().err.strip() == "deepviz: error: --cluster: needs Ray: pip install 'deepviz[cluster]'"


def test_without_cluster_the_studio_keeps_its_local_pool_and_never_imports_ray():
    code = ("import sys; from deepviz.studio.server import create_app; app = create_app(); "
            "sys.exit(app.state.cluster is not None or 'ray' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def _play(host, sid: int, epochs: int) -> None:
    while host.sessions[sid].pg.epoch < epochs:
        host.run(0.01)


def test_a_snapshot_resumes_the_run_exactly_where_it_was_and_trains_on_as_it_would_have():
    import torch

    from deepviz.studio.ray_pool import Host, read_snapshot

    host = Host()
    host.open(1)
    host.send(1, '{"type":"configure","settings":{"dataset":"spiral","optimizer":"adam","dropout":0.1}}')
    host.send(1, '{"type":"play"}')
    _play(host, 1, 23)
    host.send(1, '{"type":"configure","settings":{"learning_rate":0.01}}')  # a live change: in the run log
    _play(host, 1, 31)
    host.send(1, '{"type":"pause"}')
    (sid, data), = host.poll(0.0)[1]
    snap = read_snapshot(data)
    assert sid == 1 and snap["epoch"] == 30 and not snap["playing"] and host.poll(0.0)[1] == []  # sent once
    host.resume(2, "playground", data, received=5)
    a, b = host.sessions[1].pg, host.sessions[2].pg
    assert b.epoch == 30 and b.cfg == a.tape[-2].resume.cfg and b.cfg.learning_rate == 0.01
    assert torch.equal(b._weights(), snap["weights"]) and torch.equal(snap["weights"], a.snapshot(30).weights)
    assert b.history == a.history[:31] and b.log == a.log[:len(b.log)] and host.sessions[2].received == 5
    a.restore(30)
    for pg in (a, b):
        pg.train_epoch()
    assert torch.equal(a._weights(), b._weights()) and a.history == b.history  # the same run from there on
