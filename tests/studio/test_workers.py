"""Training off the server's interpreter: a worker shares itself fairly, the relay merges piled-up frames,
and a full studio says so."""
import json
import time

import pytest
from fastapi.testclient import TestClient

from deepviz.studio.server import _coalesced, create_app
from deepviz.studio.workers import Worker

WS = "ws://127.0.0.1/ws/playground"


def test_a_worker_trains_its_playing_sessions_in_turn_at_equal_rates():
    worker = Worker()
    setups = ['{"dataset":"circle"}', '{"dataset":"spiral","hidden":[8,8,8,8]}', '{"batch_size":1}', "{}"]
    for sid, settings in enumerate(setups):
        worker.open(sid)
        worker.message(sid, f'{{"type":"configure","settings":{settings}}}')
        worker.message(sid, '{"type":"play"}')
    worker.open(99)  # not playing: not trained
    end = time.perf_counter() + 1.5
    while time.perf_counter() < end:
        worker.run(0.004)
    epochs = [worker.sessions[sid].pg.epoch for sid in range(len(setups))]
    mean = sum(epochs) / len(epochs)
    assert min(epochs) > 0 and all(abs(e - mean) <= 0.25 * mean for e in epochs), epochs
    assert worker.sessions[99].pg.epoch == 0


def test_a_worker_answers_a_bad_message_with_an_error_and_counts_it():
    worker = Worker()
    worker.open(1)
    (reply,) = worker.message(1, b"\xff\x00")
    assert json.loads(reply)["detail"].startswith("message: Invalid JSON")
    frame = json.loads(next(text for sid, text in worker.run(0.0) if sid == 1))
    assert frame["type"] == "frame" and frame["received"] == 1
    assert worker.message(2, '{"type":"play"}') == []  # a closed or unknown session: nothing


def test_a_worker_reports_a_divergence_once_and_pauses():
    worker = Worker()
    worker.open(1)
    worker.message(1, '{"type":"configure","settings":{"dataset":"plane","activation":"linear",'
                      '"learning_rate":10,"hidden":[8,8]}}')
    worker.message(1, '{"type":"play"}')
    notices = []
    for _ in range(50):
        notices += [json.loads(t) for _, t in worker.run(0.01) if '"diverged"' in t]
    assert len(notices) == 1 and notices[0]["epoch"] == 0 and not worker.sessions[1].playing


def _frame(epoch, history_from, history):
    return json.dumps({"type": "frame", "epoch": epoch, "history_from": history_from, "history": history},
                      separators=(",", ":"))  # as workers send them


def test_frames_that_piled_up_go_as_the_last_with_every_history_entry_and_other_messages_keep_their_place():
    texts = [_frame(3, 3, [[3, 0.3, 0.3]]), _frame(4, 4, [[4, 0.2, 0.2]]), '{"type":"error","detail":"x"}',
             _frame(5, 5, [[5, 0.1, 0.1]]), _frame(1, 0, [[0, 1, 1], [1, 0.5, 0.5]]), _frame(2, 2, [[2, 0.4, 0.4]])]
    out = [json.loads(t) for t in _coalesced(texts)]
    assert [m["type"] for m in out] == ["frame", "error", "frame"]
    assert out[0]["epoch"] == 4 and out[0]["history_from"] == 3 and [h[0] for h in out[0]["history"]] == [3, 4]
    # a restore cut the history back: the page's history is replaced from the cut on
    assert out[2]["epoch"] == 2 and out[2]["history_from"] == 0 and [h[0] for h in out[2]["history"]] == [0, 1, 2]
    assert _coalesced(texts[:1]) == texts[:1]


def _frames(worker: Worker, sid: int, rounds: int) -> list[dict]:
    out = []
    for _ in range(rounds):
        worker.sessions[sid].frame_at = 0.0  # a frame is due at once
        out += [json.loads(t) for s, t in worker.run(0.004) if s == sid and t.startswith('{"type":"frame"')]
    return out


def test_a_session_sends_its_points_once_per_data_set():
    worker = Worker()
    worker.open(1)
    worker.message(1, '{"type":"play"}')
    frames = _frames(worker, 1, 5)
    assert len(frames) == 5 and frames[-1]["epoch"] > frames[0]["epoch"]
    assert "points" in frames[0] and not any("points" in f for f in frames[1:])
    assert len(frames[0]["points"]["train"]) + len(frames[0]["points"]["test"]) == worker.sessions[1].pg.cfg.points
    worker.message(1, '{"type":"configure","settings":{"learning_rate":0.1}}')  # same data: no points
    worker.message(1, '{"type":"view","epoch":0}')  # the tape's view: same data set
    assert not any("points" in f for f in _frames(worker, 1, 2))
    worker.message(1, '{"type":"configure","settings":{"dataset":"xor","points":60}}')  # new data: the points again
    worker.message(1, '{"type":"play"}')
    frames = _frames(worker, 1, 3)
    assert "points" in frames[0] and not any("points" in f for f in frames[1:])
    assert len(frames[0]["points"]["train"]) + len(frames[0]["points"]["test"]) == 60


def test_frames_merged_by_the_relay_keep_the_points_of_the_first():
    first = {**json.loads(_frame(3, 3, [[3, 0.3, 0.3]])), "points": {"train": [[0.5, 0.5, 1]], "test": []}}
    (out,) = [json.loads(t) for t in _coalesced([json.dumps(first, separators=(",", ":")), _frame(4, 4, [[4, 0.2, 0.2]])])]
    assert out["epoch"] == 4 and out["points"] == first["points"]


def test_the_session_after_the_last_is_closed_with_1013_and_told_why():
    from starlette.websockets import WebSocketDisconnect

    client = TestClient(create_app(max_sessions=2), base_url="http://127.0.0.1")
    with client.websocket_connect(WS) as a, client.websocket_connect(WS) as b:
        a.receive_json(), b.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(WS) as c:
            c.receive_json()
        assert closed.value.code == 1013
        assert closed.value.reason == "the studio is full (2 sessions); close a tab or start it with --max-sessions"
        assert client.get("/api/health").json()["sessions"] == 2
    with client.websocket_connect(WS) as again:  # a tab closed: room again
        assert again.receive_json()["type"] == "frame"


def test_the_default_studio_holds_16_sessions_and_the_command_takes_max_sessions(capsys):
    import inspect

    from deepviz.cli import main

    assert inspect.signature(create_app).parameters["max_sessions"].default == 16
    assert main(["studio", "--max-sessions", "0"]) == 2
    assert capsys.readouterr().err.strip() == "deepviz: error: --max-sessions: must be from 1 to 1024, got 0"


@pytest.mark.browser
def test_the_page_of_a_tab_beyond_the_last_shows_why_it_was_refused():
    import shutil
    import socket
    import threading

    import uvicorn
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(max_sessions=1), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"),
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            first, second = browser.new_page(), browser.new_page()
            first.goto(f"http://127.0.0.1:{port}/")
            first.wait_for_function("window.playground && window.playground.frames > 0", timeout=60_000)
            second.goto(f"http://127.0.0.1:{port}/")
            second.wait_for_function("document.querySelector('#error').textContent.length > 0", timeout=60_000)
            assert second.inner_text("#error") == ("the studio is full (1 session); close a tab or start it "
                                                   "with --max-sessions")
            assert first.inner_text("#error") == ""
            browser.close()
    finally:
        srv.should_exit = True
        thread.join(5)


def test_a_failing_session_gets_one_line_and_the_workers_other_sessions_go_on(monkeypatch, capsys):
    from deepviz.studio.engine import Playground

    worker = Worker()
    worker.open(1), worker.open(2)
    worker.message(2, '{"type":"play"}')
    monkeypatch.setattr(Playground, "reset", lambda self, cfg=None: 1 / 0)
    (reply,) = worker.message(1, '{"type":"reset"}')
    assert json.loads(reply)["detail"] == ("reset: failed in the studio (ZeroDivisionError: division by zero); "
                                           "see the studio's log")
    assert "Traceback" in capsys.readouterr().err
    before = worker.sessions[2].pg.epoch
    worker.run(0.05)
    assert worker.sessions[2].pg.epoch > before
