"""The studio server: sessions over websockets, validation, origins."""
import base64
import json

import pytest
from fastapi.testclient import TestClient

from deepviz.studio.server import create_app

WS = "ws://127.0.0.1/ws/playground"  # the studio answers requests that name this machine


@pytest.fixture()
def client():
    return TestClient(create_app(), base_url="http://127.0.0.1")


def frames(ws, n=1):
    got = []
    while len(got) < n:
        msg = ws.receive_json()
        if msg["type"] == "frame":
            got.append(msg)
    return got


def test_a_session_sends_a_frame_with_every_heatmap(client):
    with client.websocket_connect(WS) as ws:
        f = frames(ws)[0]
        assert f["epoch"] == 0 and f["loss"]["train"] > 0
        assert len(base64.b64decode(f["output"]["maps"][0])) == 100 * 100
        sizes = [len(layer) for layer in f["neurons"]["layers"]]
        assert sizes == [2, 4, 2]  # inputs x1, x2; hidden 4 and 2
        assert all(len(base64.b64decode(m)) == 40 * 40 for layer in f["neurons"]["layers"] for m in layer)
        assert [len(w) for w in f["weights"]] == [4, 2, 2]


def test_play_trains_and_the_loss_goes_down(client):
    with client.websocket_connect(WS) as ws:
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
    with client.websocket_connect(WS) as ws:
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
    ({"type": "configure", "settings": {"dataset": "formula", "formula": "x > 0 and 1"}}, "settings.formula"),
])
def test_invalid_messages_get_an_error_naming_the_field(client, message, field):
    with client.websocket_connect(WS) as ws:
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
        with client.websocket_connect(WS, headers={"origin": "https://evil.example"}) as ws:
            ws.receive_json()


def test_a_rebound_host_name_is_refused_even_with_a_matching_origin(client):
    # DNS rebinding: evil.example now resolves to 127.0.0.1, and its page talks to "its own" server
    rebound = {"host": "evil.example:8765", "origin": "http://evil.example:8765"}
    r = client.get("/api/health", headers=rebound)
    assert r.status_code == 403 and r.json()["detail"].startswith("host:")
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect(WS, headers=rebound) as ws:
            ws.receive_json()
    for name in ("localhost:8765", "127.0.0.1", "[::1]:8765"):
        assert client.get("/api/health", headers={"host": name}).status_code == 200
    lan = TestClient(create_app(host="0.0.0.0"), base_url="http://192.168.1.20")  # bound to all on purpose
    assert lan.get("/api/health").status_code == 200
    named = TestClient(create_app(host="myhost.lan"), base_url="http://myhost.lan")
    assert named.get("/api/health").status_code == 200


def test_closing_the_socket_frees_the_session(client):
    app = client.app
    with client.websocket_connect(WS) as ws:
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


def test_an_uploaded_csv_becomes_points_and_bad_files_get_a_clear_error():
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    ok = client.post("/api/points", content=b"x1,x2,label\n1,2,-1\n3,4,1\n12,0,1\n")
    assert ok.status_code == 200
    body = ok.json()
    assert body["points"] == [[0.5, 1.0, 0], [1.5, 2.0, 1], [6.0, 0.0, 1]]  # scaled by 6/12, labels -1,1 -> 0,1
    assert "scaled by 0.5" in body["note"] and "-1 → 0" in body["note"]
    for data, status, text in [
        (b"1,2,0\n3,x,1\n", 422, "file: row 2 must be three numbers"),
        (b"1,2,0\n3,4,0\n", 422, "file: the label column must hold 2 or 3 distinct integers"),
        (b"1,2,0\n3,4,0.5\n", 422, "file: the label column must hold 2 or 3 distinct integers, got 0, 0.5"),
        (b"\xff\xfe\x00", 422, "file: is not UTF-8 text"),
        (b"1,2,0\n" * 60_000, 413, "file: larger than the 256 KB limit"),
        (b"1" * 140_000 + b",2,0\n3,4,1\n", 422, "file: is not CSV"),  # longer than the csv module's field limit
    ]:
        r = client.post("/api/points", content=data)
        assert r.status_code == status and r.json()["detail"].startswith(text) and r.json()["field"] == "file"


def test_the_formula_and_custom_points_are_validated_by_field():
    from deepviz.studio import protocol

    for settings, field in [({"formula": "y > sinn(x)"}, "settings.formula"),
                            ({"custom": [[1, 7, 0]]}, "settings.custom.0.1"),
                            ({"custom": [[1, 2, 3]]}, "settings.custom.0.2")]:
        msg, error = protocol.parse(json.dumps({"type": "configure", "settings": settings}))
        assert msg is None and error.startswith(field + ":")


def test_frames_carry_only_new_loss_history_and_the_whole_of_it_after_a_cut(client):
    from deepviz.studio.engine import Config, Playground

    with client.websocket_connect(WS) as ws:
        page: list = []

        def take(f):
            nonlocal page
            page = f["history"] if f["history_from"] == 0 else page + f["history"]
            return f

        take(frames(ws)[0])
        for _ in range(6):
            ws.send_json({"type": "step"})
            take(frames(ws)[0])
        while page[-1][0] < 6:
            f = take(frames(ws)[0])
            assert f["history_from"] > 0  # a continuation: only the new entries travel
        here = Playground(Config())  # the same run in this process (the session's is in a worker): the same bits
        for _ in range(6):
            here.train_epoch()
        assert page == [[e, a, b] for e, a, b in here.history]
        ws.send_json({"type": "restore", "epoch": 2})  # the history is cut back: sent whole again
        f = take(frames(ws)[0])
        while f["epoch"] != 2:
            f = take(frames(ws)[0])
        assert f["history_from"] == 0 and [h[0] for h in page] == [0, 1, 2]


def test_two_tabs_train_at_once_each_with_its_own_session(client):
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        frames(a), frames(b)
        a.send_json({"type": "configure", "settings": {"dataset": "xor", "hidden": [3]}})
        b.send_json({"type": "play"})
        fa = frames(a)[-1]
        while fa["epoch"] != 0 or len(fa["neurons"]["layers"]) != 2:
            fa = frames(a)[-1]
        fb = frames(b)[-1]
        while fb["epoch"] < 5:
            fb = frames(b)[-1]
        b.send_json({"type": "pause"})
        a.send_json({"type": "step"})
        while fa["epoch"] != 1:
            fa = frames(a)[-1]
        assert len(client.app.state.sessions) == 2
        assert [len(layer) for layer in fa["neurons"]["layers"]] == [2, 3]  # a: xor with one layer of 3
        assert [len(layer) for layer in fb["neurons"]["layers"]] == [2, 4, 2]  # b: the default, trained apart


def test_a_slow_speed_paces_the_epochs_without_holding_up_a_pause(client):
    import time

    with client.websocket_connect(WS) as ws:
        frames(ws)
        ws.send_json({"type": "speed", "epochs_per_second": 4})
        ws.send_json({"type": "play"})
        started = time.perf_counter()
        f = frames(ws)[0]
        while f["epoch"] < 6:
            f = frames(ws)[0]
        took = time.perf_counter() - started
        assert 1.0 < took < 2.5  # 6 epochs at 4 a second: about 1.25-1.5 s
        ws.send_json({"type": "speed", "epochs_per_second": 1})
        last = f["epoch"]
        while f["epoch"] == last:  # an epoch has just been trained: the next is a second away
            f = frames(ws)[0]
        ws.send_json({"type": "pause"})
        asked = time.perf_counter()
        while f["playing"] or f["received"] < 4:
            f = frames(ws)[0]
        assert time.perf_counter() - asked < 0.5  # the wait between epochs does not hold up the frames


def test_a_binary_message_is_read_like_text_and_garbage_gets_an_error_not_a_closed_socket(client):
    with client.websocket_connect(WS) as ws:
        frames(ws)
        ws.send_bytes(b"\xff\x00")
        msg = ws.receive_json()
        while msg["type"] != "error":
            msg = ws.receive_json()
        assert msg["detail"].startswith("message: Invalid JSON")
        ws.send_bytes(json.dumps({"type": "step"}).encode())
        assert frames(ws)[0]["epoch"] == 1


def test_the_settings_schema_is_served_once_with_the_engines_defaults(client):
    from dataclasses import asdict, fields

    from deepviz.studio import protocol
    from deepviz.studio.engine import Config, Playground

    schema = client.get("/api/playground/schema").json()
    props = schema["properties"]
    # one setting per engine setting, none missing on either side (the page derives its list from this)
    assert set(props) == set(protocol.Settings.model_fields) == {f.name for f in fields(Config)}
    defaults = json.loads(json.dumps(asdict(Config())))
    assert {k: p["default"] for k, p in props.items()} == defaults
    assert protocol.Settings.model_validate(defaults).changes() == asdict(Config())  # the defaults are allowed
    assert {k for k, p in props.items() if p.get("x-live")} == Playground.LIVE
    assert props["dropout"]["exclusiveMaximum"] == 1 and props["hidden"]["maxItems"] == protocol.MAX_LAYERS


def test_every_page_has_one_navigation_bar_listing_every_page():
    from deepviz.studio.pages import PAGES, STATIC, page

    present = [(name, path) for name, path, _ in PAGES if STATIC.joinpath(f"{name}.html").is_file()]
    assert len(present) >= 4
    for name, _ in present:
        html = page(name)
        assert html.count('<nav class="pages">') == 1
        nav = html[html.index('<nav class="pages">'):html.index("</nav>")]
        assert [p for _, p in present if f'href="{p}"' in nav] == [p for _, p in present]
        assert nav.count('aria-current="page"') == 1 and f'href="{dict(present)[name]}" aria-current' in nav
