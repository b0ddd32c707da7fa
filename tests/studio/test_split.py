"""A custom data set split so that one side is empty (issue 13): no training point is a field error; no test
point is allowed and reported as such (null test metrics, never a NaN nor "training diverged")."""
import json

from fastapi.testclient import TestClient

from deepviz.studio.server import create_app

WS = "ws://127.0.0.1/ws/playground"
THREE = [[-3.0, -3.0, 0], [3.0, 3.0, 1], [3.0, -3.0, 1]]


def _next(ws, kind, epoch=0):
    """The next message of ``kind`` (a frame of at least ``epoch``), an error, or a divergence."""
    while True:
        msg = ws.receive_json()
        if msg["type"] in ("error", "diverged") or (msg["type"] == kind and msg.get("epoch", 0) >= epoch):
            return msg


def test_no_test_point_trains_and_reports_no_test_data_not_divergence():
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    with client.websocket_connect(WS) as ws:
        _next(ws, "frame")
        # round(3 * 0.9) = 3: every point trains, none tests
        ws.send_json({"type": "configure", "settings": {"dataset": "custom", "custom": THREE, "train_ratio": 0.9}})
        ws.send_json({"type": "play"})
        epoch, points = 0, None
        while epoch < 3:
            msg = _next(ws, "frame")
            assert msg["type"] == "frame", msg
            epoch, points = msg["epoch"], msg.get("points", points)  # points come with a new data set only
        ws.send_json({"type": "pause"})
        json.dumps(msg, allow_nan=False)  # null, never NaN
        assert points is not None and len(points["train"]) == 3 and points["test"] == []
        assert msg["loss"]["test"] is None and msg["accuracy"]["test"] is None and msg["confusion"] is None
        assert msg["loss"]["train"] > 0 and all(h[2] is None for h in msg["history"])


def test_no_training_point_is_an_error_naming_the_field():
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    with client.websocket_connect(WS) as ws:
        _next(ws, "frame")
        # round(4 * 0.1) = 0: nothing to train on
        four = THREE + [[-3.0, 3.0, 0]]
        ws.send_json({"type": "configure", "settings": {"dataset": "custom", "custom": four, "train_ratio": 0.1}})
        ws.send_json({"type": "step"})
        msg = _next(ws, "frame", epoch=1)
        assert msg["type"] == "error" and msg["detail"].startswith("train_ratio: ")
        assert "no training point" in msg["detail"]
