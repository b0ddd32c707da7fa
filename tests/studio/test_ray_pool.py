"""The classroom on a cluster: ``deepviz studio --cluster`` trains the playground sessions as Ray actors."""
import subprocess
import sys
import threading
import time

import pytest

from deepviz.cli import main
from deepviz.studio.server import create_app

pytestmark = pytest.mark.xdist_group("ray")  # one simulated cluster, on one worker
WS = "ws://127.0.0.1/ws/playground"


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


def _steps(host, sid: int, epochs: int) -> None:
    for _ in range(epochs):
        host.message(sid, '{"type":"step","unit":"epoch"}')


def test_a_snapshot_resumes_the_run_exactly_where_it_was_and_trains_on_as_it_would_have():
    import torch

    from deepviz.studio.ray_pool import Host, read_snapshot

    host = Host()
    host.open(1)
    host.message(1, '{"type":"configure","settings":{"dataset":"spiral","optimizer":"adam","dropout":0.1}}')
    _steps(host, 1, 23)
    host.message(1, '{"type":"configure","settings":{"learning_rate":0.01}}')  # a live change: in the run log
    _steps(host, 1, 8)
    (sid, data), = host.poll(0.0)[1]
    snap = read_snapshot(data)
    assert sid == 1 and snap["epoch"] == 30 and not snap["playing"] and host.poll(0.0)[1] == []  # sent once
    host.resume(2, "playground", data, received=5)
    a, b = host.sessions[1].pg, host.sessions[2].pg
    assert b.epoch == 30 and b.cfg == a.snapshot(30).resume.cfg and b.cfg.learning_rate == 0.01
    assert torch.equal(b._weights(), snap["weights"]) and torch.equal(snap["weights"], a.snapshot(30).weights)
    assert b.history == a.history[:31] and b.log == a.log[:len(b.log)] and host.sessions[2].received == 5
    a.restore(30)
    for pg in (a, b):
        pg.train_epoch()
    assert torch.equal(a._weights(), b._weights()) and a.history == b.history  # the same run from there on


def _until(tab, done, seconds: float = 120) -> dict:
    """Read a tab's messages (kept in its list) until one satisfies ``done``; that one. A test-only message
    handed to the tab's session after ``seconds`` fails the test instead of waiting forever."""
    ws, remote, seen = tab
    timer = threading.Timer(seconds, remote.deliver, ['{"type":"test-timeout"}'])
    timer.start()
    try:
        while True:
            seen.append(ws.receive_json())
            assert seen[-1]["type"] != "test-timeout", f"nothing that waited for in {seconds} s: {seen[-3:-1]}"
            if done(seen[-1]):
                return seen[-1]
    finally:
        timer.cancel()


def _frame_weights(frame: dict):
    """A frame's weights and biases as one vector in the network's parameter order (as a snapshot keeps them)."""
    import torch

    return torch.cat([torch.tensor(sum(w, []) + b, dtype=torch.float32).reshape(-1)
                      for w, b in zip(frame["weights"], frame["biases"])])


@pytest.mark.render  # the Ray tests' marker (they start processes for seconds)
def test_the_sessions_of_a_lost_node_resume_from_their_snapshots_and_the_others_play_on(ray_cluster, monkeypatch):
    import contextlib

    import ray
    import torch
    from fastapi.testclient import TestClient

    from deepviz.cluster import simulated_node
    from deepviz.studio import ray_pool

    monkeypatch.setattr(ray_pool, "_shared", {})  # this test's own pool, stopped at its end
    monkeypatch.setattr(ray_pool, "PER_ACTOR", 2)  # 4 sessions: 2 actors, one on each node (SPREAD)
    app = create_app(cluster="ray")
    pool = ray_pool._shared["ray"]
    assert app.state.cluster == "ray" and isinstance(pool, ray_pool.RayPool)
    client = TestClient(app, base_url="http://127.0.0.1")
    with contextlib.ExitStack() as stack:
        stack.callback(pool.stop)
        tabs = []  # (socket, remote, messages seen)
        for _ in range(4):
            before = set(app.state.sessions)
            ws = stack.enter_context(client.websocket_connect(WS))
            ws.receive_json()
            (remote,) = app.state.sessions - before
            ws.send_json({"type": "play"})
            tabs.append((ws, remote, []))
        nodes = pool.nodes()
        assert len(set(nodes.values())) == 2  # sessions on both nodes
        head = ray_cluster.head_node.node_id
        lost = [t for t in tabs if nodes[t[1].worker] != head]
        kept = [t for t in tabs if nodes[t[1].worker] == head]
        assert len(lost) == len(kept) == 2
        for tab in tabs:
            _until(tab, lambda m: m.get("epoch", 0) >= 25)
        paused, playing = lost
        paused[0].send_json({"type": "pause"})
        snapshot = None
        while snapshot is None or snapshot["playing"] or snapshot["epoch"] < 20:  # the one taken since the pause
            time.sleep(0.2)
            snapshot = ray_pool.read_snapshot(pool.snapshots[paused[1].sid])
        epoch = snapshot["epoch"]
        went_on_from = ray_pool.read_snapshot(pool.snapshots[playing[1].sid])["epoch"]  # it plays: may move on
        before = {t[1].sid: t[2][-1]["epoch"] for t in kept}

        ray_cluster.remove_node(next(n for n in ray_cluster.list_all_nodes() if n.node_id == nodes[lost[0][1].worker]))
        second = []  # the node added back (the next Ray tests' second node), by the test or else at its end
        stack.callback(lambda: second or ray_cluster.add_node(**simulated_node()))

        said = "the training node was lost: resumed from epoch {}"
        seen = paused[2]
        mark = len(seen)
        _until(paused, lambda m: m["type"] == "error" and "lost" in m["detail"])
        assert seen[-1]["detail"] == said.format(epoch)
        def again(m):  # the resumed session's frame: its tape starts at the snapshot
            return m["type"] == "frame" and m["tape"][0] == epoch

        resumed = next((m for m in seen[mark:] if again(m)), None) or _until(paused, again)
        assert resumed["epoch"] == epoch and resumed["tape"] == [epoch, epoch] and not resumed["playing"]
        assert torch.equal(_frame_weights(resumed), snapshot["weights"])  # the same weights, to the bit

        notice = _until(playing, lambda m: m["type"] == "error")
        assert notice["detail"].startswith("the training node was lost: resumed from epoch ")
        since = int(notice["detail"].rsplit(" ", 1)[1])
        assert since >= went_on_from
        _until(playing, lambda m: m["type"] == "frame" and m["tape"][0] == since and m["epoch"] > since + 5)  # plays on
        for tab in kept:  # untouched: no notice, and their runs never went back
            _, remote, seen = tab
            _until(tab, lambda m: m.get("epoch", 0) > before[remote.sid] + 20)
            assert all(m["type"] == "frame" for m in seen)
            epochs = [m["epoch"] for m in seen]
            assert epochs == sorted(epochs) and seen[-1]["tape"][0] == 0 and remote.worker in pool.nodes()

        # a node with a free CPU again: a lost actor's sessions go to a new actor there
        second.append(ray_cluster.add_node(**simulated_node()))
        while ray.available_resources().get("CPU", 0) < 1:
            time.sleep(0.1)
        tab = kept[0]
        killed = pool.slots[tab[1].worker].actor
        ray.kill(killed)
        notice = _until(tab, lambda m: m["type"] == "error")
        assert notice["detail"].startswith("the training node was lost: resumed from epoch ")
        assert list(pool.nodes()) == [tab[1].worker] and pool.slots[tab[1].worker].actor is not killed  # a new one


def test_another_pages_session_sends_no_snapshot_and_is_reopened_fresh():
    from deepviz.studio.gan_session import GanSession
    from deepviz.studio.ray_pool import Host

    host = Host()
    host.open(1, "gan")
    assert host.poll(0.0)[1] == []
    assert host.resume(2, "gan", None, received=3) is None  # the front tells the page it started again
    assert type(host.sessions[2]) is GanSession and host.sessions[2].received == 3
