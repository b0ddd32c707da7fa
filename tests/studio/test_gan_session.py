"""The GAN page on the studio's session machinery: a worker hosts its sessions, messages are validated by
field, the NaN guard restores and keeps the session, the exports reproduce the run, the server routes it."""
import io
import json
import math
import subprocess
import sys

import pytest
import torch
from fastapi.testclient import TestClient

from deepviz.studio import gan
from deepviz.studio.server import create_app
from deepviz.studio.workers import Worker

SMALL = '{"g_layers":1,"g_units":8,"d_layers":1,"d_units":8,"batch":16}'


def _worker() -> Worker:
    worker = Worker()
    worker.open(1, "gan")
    worker.message(1, f'{{"type":"configure","settings":{SMALL}}}')
    return worker


def _frame(worker: Worker) -> dict:
    worker.sessions[1].frame_at = 0.0  # a frame is due at once
    return next(json.loads(t) for s, t in worker.run(0.0) if t.startswith('{"type":"frame"'))


def test_steps_of_each_player_and_a_frame_of_every_view():
    worker = _worker()
    for unit in ("iteration", "d", "g"):
        assert worker.message(1, json.dumps({"type": "step", "unit": unit})) == []
    f = _frame(worker)
    assert f["iteration"] == 3 and len(f["history"]) == 4 and f["history_from"] == 0
    assert len(f["heatmap"]["values"]) == gan.GRID ** 2 and f["heatmap"]["probability"]
    assert len(f["real"]) == len(f["fake"]) == len(f["gradients"]) == gan.SHOWN
    assert len(f["manifold"]) == 1 and len(f["manifold"][0]) == 2 * gan.MANIFOLD_LINES
    run = worker.sessions[1].run
    torch.testing.assert_close(torch.tensor(f["heatmap"]["values"]), run.discriminator_map().reshape(-1),
                               atol=5e-4, rtol=0)
    assert all(v is not None for v in f["divergences"])  # single-player steps measure them
    worker.message(1, '{"type":"step"}')
    assert _frame(worker)["history_from"] == 4  # later frames carry only the new entries


@pytest.mark.parametrize("settings,field", [
    ('{"distribution":"drawn","drawn":[[0.1,0.2],[0.3,0.4]]}', "drawn:"),  # too few points
    ('{"drawn":[[1.5,0.2]]}', "drawn.0.0:"),  # off the canvas
    ('{"d_lr":0}', "d_lr:"), ('{"g_layers":6}', "g_layers:"), ('{"g_units":101}', "g_units:"),
    ('{"loss":"hinge"}', "loss:"), ('{"noise_dim":4}', "noise_dim:"),
])
def test_bad_settings_get_one_line_naming_the_field_and_change_nothing(settings, field):
    worker = _worker()
    (reply,) = worker.message(1, f'{{"type":"configure","settings":{settings}}}')
    assert json.loads(reply)["detail"].removeprefix("settings.").startswith(field)
    assert worker.sessions[1].run.cfg.distribution == "ring"
    worker.message(1, '{"type":"step","unit":"d"}')
    assert _frame(worker)["iteration"] == 1  # the session goes on


def test_a_drawn_distribution_trains():
    worker = _worker()
    drawn = [[-0.5 + 0.1 * i, 0.3] for i in range(10)]
    assert worker.message(1, json.dumps({"type": "configure", "settings": {"distribution": "drawn",
                                                                           "drawn": drawn}})) == []
    run = worker.sessions[1].run
    assert run.cfg.distribution == "drawn" and abs(run.real_eval[:, 1].mean() - 0.3) < 0.01
    worker.message(1, '{"type":"step"}')
    assert _frame(worker)["iteration"] == 1


def test_a_diverged_run_is_restored_to_its_last_good_iteration_and_the_session_goes_on():
    worker = _worker()
    for _ in range(3):
        worker.message(1, '{"type":"step"}')
    with torch.no_grad():
        next(worker.sessions[1].run.G.parameters()).fill_(math.inf)
    worker.message(1, '{"type":"play"}')
    out = [json.loads(t) for _, t in worker.run(0.05)]
    (notice,) = [m for m in out if m["type"] == "diverged"]
    assert notice["epoch"] == 3 and "restored iteration 3" in notice["detail"]
    session = worker.sessions[1]
    assert not session.playing and session.run.iteration == 3 and not session.run.diverged()
    worker.message(1, '{"type":"step"}')
    assert _frame(worker)["iteration"] == 4


def test_the_tape_views_and_restores_an_earlier_iteration():
    worker = _worker()
    for _ in range(6):
        worker.message(1, '{"type":"step"}')
    worker.message(1, '{"type":"view","epoch":2}')
    f = _frame(worker)
    assert f["viewing"] and f["iteration"] == 2 and f["tape"] == [0, 6]
    (reply,) = worker.message(1, '{"type":"restore","epoch":9}')
    assert json.loads(reply)["detail"].startswith("epoch:")
    worker.message(1, '{"type":"restore","epoch":2}')
    worker.message(1, '{"type":"step"}')
    f = _frame(worker)
    assert not f["viewing"] and f["iteration"] == 3 and f["tape"] == [0, 3]


def test_the_exported_script_reproduces_the_weights_and_the_state_dict_loads(tmp_path):
    worker = _worker()
    for message in ('{"type":"step"}', '{"type":"step","unit":"d"}',
                    '{"type":"configure","settings":{"g_lr":0.01,"d_steps":2,"loss":"least-squares"}}',
                    '{"type":"step"}', '{"type":"step","unit":"g"}', '{"type":"step"}'):
        worker.message(1, message)
    run = worker.sessions[1].run
    files = {}
    for what in ("script", "state_dict"):
        (reply,) = worker.message(1, json.dumps({"type": "export", "what": what}))
        files[what] = json.loads(reply)
    script = tmp_path / files["script"]["filename"]
    script.write_bytes(__import__("base64").b64decode(files["script"]["data"]))
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "w.pt")], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    mine = torch.load(tmp_path / "w.pt", weights_only=True)
    saved = torch.load(io.BytesIO(__import__("base64").b64decode(files["state_dict"]["data"])), weights_only=True)
    for name, net in (("generator", run.G), ("discriminator", run.D)):
        for key, value in net.state_dict().items():
            assert torch.equal(mine[name][key], value) and torch.equal(saved[name][key], value)
    assert saved["settings"]["loss"] == "least-squares"


def test_the_server_serves_the_page_the_schema_and_a_session():
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    schema = client.get("/api/gan/schema").json()["properties"]
    assert schema["g_layers"]["maximum"] == 5 and schema["g_units"]["maximum"] == 100
    assert schema["distribution"]["default"] == "ring" and schema["d_lr"].get("x-live")
    assert client.get("/gan").status_code == 200
    with client.websocket_connect("ws://127.0.0.1/ws/gan") as ws:
        ws.send_text('{"type":"step","unit":"g"}')
        while (msg := ws.receive_json())["type"] != "frame" or msg["iteration"] < 1:
            pass
        assert msg["losses"][1] is not None
