"""What a client may send the studio is capped before it is read whole: every route's request body, every
websocket message (issue 13: an 18 MB file was read whole before being refused)."""
import asyncio
import json
import re
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient

from deepviz.studio import gallery_api, protocol
from deepviz.studio.server import MAX_BODY, MAX_UPLOAD, SERVER_OPTIONS, create_app

CHUNK = 64 * 1024


def _post(app, method: str, path: str, size: int, declared: bool) -> tuple[int, dict, int]:
    """Send ``size`` bytes to the app in CHUNK pieces (with or without a Content-Length); the status, the JSON
    answer and how many bytes the app pulled."""
    pulled, out = 0, {"status": 0, "body": b""}

    async def receive():
        nonlocal pulled
        if pulled >= size:
            return {"type": "http.request", "body": b"", "more_body": False}
        n = min(CHUNK, size - pulled)
        pulled += n
        return {"type": "http.request", "body": b"1" * n, "more_body": pulled < size}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
    if declared:
        headers.append((b"content-length", str(size).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "root_path": ""}
    asyncio.run(app(scope, receive, send))
    body = json.loads(out["body"]) if out["body"].startswith(b"{") else {}
    return out["status"], body, pulled


def _body_routes(app):
    """Every route that may take a body (from the app's own OpenAPI listing, included routers too)."""
    for path, methods in app.openapi()["paths"].items():
        for method in sorted({"post", "put", "patch", "delete"} & set(methods)):
            yield method.upper(), re.sub(r"\{[^}]+\}", "x", path)


def test_every_route_refuses_a_huge_body_before_reading_it():
    app = create_app()
    routes = list(_body_routes(app))
    assert ("POST", "/api/points") in routes and ("POST", "/api/render") in routes
    size = 20 * MAX_BODY
    for method, path in routes:
        cap = {"/api/points": MAX_UPLOAD, "/api/render": gallery_api.MAX_BODY}.get(path, MAX_BODY)
        status, body, pulled = _post(app, method, path, size, declared=True)
        assert status == 413 and pulled == 0, (path, status, pulled)  # a larger Content-Length is not read at all
        assert body["detail"] == f"{body['field']}: larger than the {cap // 1024} KB limit"
        status, body, pulled = _post(app, method, path, size, declared=False)  # streamed: stops at the cap
        assert pulled <= cap + CHUNK and (status == 413 or pulled == 0), (path, status, pulled)
    status, body, _ = _post(app, "POST", "/api/points", 2 * MAX_UPLOAD, declared=False)
    assert status == 413 and body["field"] == "file"


def test_a_websocket_message_over_the_cap_gets_an_error_and_the_session_goes_on():
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    with client.websocket_connect("ws://127.0.0.1/ws/playground") as ws:
        ws.send_text(json.dumps({"type": "speed", "epochs_per_second": 5, "pad": "x" * protocol.MAX_MESSAGE}))
        while (msg := ws.receive_json())["type"] != "error":
            pass
        assert msg["detail"] == f"message: larger than the {protocol.MAX_MESSAGE // 1024} KB limit"
        ws.send_json({"type": "step"})
        while (msg := ws.receive_json())["type"] != "frame" or msg["epoch"] < 1:
            assert msg["type"] == "frame", msg


def test_the_server_closes_a_websocket_message_over_its_own_cap_unread():
    import uvicorn
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                       **SERVER_OPTIONS))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        with connect(f"ws://127.0.0.1:{port}/ws/playground", max_size=None) as ws:
            ws.send("x" * (SERVER_OPTIONS["ws_max_size"] + 1))
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big
    finally:
        srv.should_exit = True
        thread.join(5)
