"""The studio server: sessions over websockets, validation, origins."""
import base64

import pytest
from fastapi.testclient import TestClient

from deepviz.studio.server import create_app


@pytest.fixture()
def client():
    return TestClient(create_app())


def frames(ws, n=1):
    got = []
    while len(got) < n:
        msg = ws.receive_json()
        if msg["type"] == "frame":
            got.append(msg)
    return got


def test_a_session_sends_a_frame_with_every_heatmap(client):
    with client.websocket_connect("/ws/playground") as ws:
        f = frames(ws)[0]
        assert f["epoch"] == 0 and f["loss"]["train"] > 0
        assert len(base64.b64decode(f["output"]["maps"][0])) == 100 * 100
        sizes = [len(layer) for layer in f["neurons"]["layers"]]
        assert sizes == [2, 4, 2]  # inputs x1, x2; hidden 4 and 2
        assert all(len(base64.b64decode(m)) == 40 * 40 for layer in f["neurons"]["layers"] for m in layer)
        assert [len(w) for w in f["weights"]] == [4, 2, 2]


def test_play_trains_and_the_loss_goes_down(client):
    with client.websocket_connect("/ws/playground") as ws:
        first = frames(ws)[0]
        ws.send_json({"type": "play"})
        later = first
        for f in frames(ws, 40):
            later = f
            if f["epoch"] >= 30:
                break
        ws.send_json({"type": "pause"})
        assert later["epoch"] >= 30 and later["loss"]["train"] < first["loss"]["train"]


def test_configure_step_and_restore(client):
    with client.websocket_connect("/ws/playground") as ws:
        frames(ws)
        ws.send_json({"type": "configure", "settings": {"dataset": "xor", "hidden": [3], "features": ["x1", "x2", "x1x2"]}})
        f = frames(ws)[0]
        assert [len(layer) for layer in f["neurons"]["layers"]] == [3, 3]
        ws.send_json({"type": "step"})
        ws.send_json({"type": "step"})
        assert frames(ws)[-1]["epoch"] in (1, 2)
        ws.send_json({"type": "restore", "epoch": 0})
        assert frames(ws)[0]["epoch"] in (0, 1, 2)


@pytest.mark.parametrize("message, field", [
    ({"type": "configure", "settings": {"noise": 80}}, "settings.noise"),
    ({"type": "configure", "settings": {"hidden": [4] * 9}}, "settings.hidden"),
    ({"type": "configure", "settings": {"dataset": "moons"}}, "settings.dataset"),
    ({"type": "configure", "settings": {"features": ["x3"]}}, "settings.features.0"),
    ({"type": "speed", "epochs_per_second": -1}, "epochs_per_second"),
    ({"type": "launch"}, "message"),
])
def test_invalid_messages_get_an_error_naming_the_field(client, message, field):
    with client.websocket_connect("/ws/playground") as ws:
        frames(ws)
        ws.send_json(message)
        while True:
            msg = ws.receive_json()
            if msg["type"] == "error":
                break
        assert msg["detail"].split(":")[0] == field, msg


def test_other_origins_are_refused(client):
    r = client.get("/api/health", headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.get("/api/health").json()["status"] == "ok"
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws/playground", headers={"origin": "https://evil.example"}) as ws:
            ws.receive_json()


def test_closing_the_socket_frees_the_session(client):
    app = client.app
    with client.websocket_connect("/ws/playground") as ws:
        frames(ws)
        assert len(app.state.sessions) == 1
    assert len(app.state.sessions) == 0


def test_the_studio_command_refuses_a_bad_port(capsys):
    from deepviz.cli import main

    assert main(["studio", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip() == "deepviz: error: --port: must be from 1 to 65535, got 70000"


def test_a_diverged_network_still_makes_a_valid_frame():
    import json

    from deepviz.studio import protocol
    from deepviz.studio.engine import Config, Playground

    p = Playground(Config(dataset="plane", activation="linear", learning_rate=10, hidden=(8, 8)))
    p.train_epoch()
    assert p.diverged() and p.last_good_epoch() == 0
    f = json.loads(json.dumps(protocol.frame(p), allow_nan=False))
    assert f["loss"]["train"] is None and f["epoch"] == 1
