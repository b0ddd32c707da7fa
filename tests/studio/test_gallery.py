"""The studio's gallery: the API (concepts, videos, render requests, jobs), the job queue, one
real render job, and the page in headless Chromium."""
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from fastapi.testclient import TestClient

import deepviz
from deepviz import catalog
from deepviz.studio.jobs import JobQueue
from deepviz.studio.server import create_app

from . import job_helpers

HELPERS = job_helpers.__name__  # importable by the spawned processes too (they get this sys.path)
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhello\n"


def wait_until(condition, timeout=30.0, every=0.02):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the condition did not hold in time")
        time.sleep(every)


@pytest.fixture()
def media(tmp_path):
    folder = tmp_path / "media" / "gallery" / "linear-map"
    folder.mkdir(parents=True)
    (folder / "rotation_low_dark.mp4").write_bytes(b"not really a video")
    (folder / "rotation_low_dark.vtt").write_text(VTT)
    (folder / "notes.txt").write_text("not in the listing")
    return tmp_path / "media"


@pytest.fixture()
def client(media):
    with TestClient(create_app(media=media), base_url="http://127.0.0.1") as c:  # the context runs the shutdown: running jobs are killed
        yield c


# -- the API --------------------------------------------------------------------------------------------
def test_concepts_list_every_concept_with_its_declared_parameters(client):
    data = client.get("/api/concepts").json()
    by_name = {c["name"]: c for c in data["concepts"]}
    assert list(by_name) == [c.name for c in catalog.course()]
    for c in catalog.concepts():
        assert [p["name"] for p in by_name[c.name]["params"]] == c.params.names()
        assert [p["name"] for p in by_name[c.name]["presets"]] == c.preset_names()
    stride = next(p for p in by_name["transposed-conv"]["params"] if p["name"] == "stride")
    assert (stride["min"], stride["max"], stride["control"]) == (1, 4, "text")
    std = next(p for p in by_name["ravines"]["params"] if p["name"] == "std")
    assert std["choices"] == ["biased", "unbiased"] and std["control"] == "select"
    strided = next(p for p in by_name["transposed-conv"]["presets"] if p["name"] == "no-padding-strided")
    assert strided["values"]["stride"] == "2" and strided["values"]["output_padding"] == ""  # "" = auto
    assert data["qualities"] == ["low", "medium"]


@pytest.mark.parametrize("body, field, words", [
    ({"concept": "transposed-conv", "values": {"stride": "-1"}}, "stride", "from 1 to 4"),
    ({"concept": "transposed-conv", "values": {"stride": -1}}, "stride", "from 1 to 4"),
    ({"concept": "ravines", "values": {"std": "median"}}, "std", "biased, unbiased"),
    ({"concept": "transposed-conv", "values": {"strides": "2"}}, "strides", "unknown parameter"),
    ({"concept": "transposed-conv", "preset": "nope"}, "preset", "no preset 'nope'"),
    ({"concept": "transposed-conv", "quality": "4k"}, "quality", "low, medium"),
    ({"concept": "transposed-conv", "theme": "sepia"}, "theme", "dark, light"),
    ({"concept": "no-such-concept"}, "concept", "unknown concept"),
    ({"concept": "transposed-conv", "values": ["stride"]}, "values", "dictionary"),
    # parameters that may name a file or a module: nothing on the server can be named
    ({"concept": "ravines", "values": {"data": "/etc/passwd"}}, "data", "no file or module"),
    ({"concept": "batch-norm", "values": {"data": "../../pyproject.toml"}}, "data", "no file or module"),
    ({"concept": "model-forward", "values": {"model": "os:getcwd"}}, "model", "no file or module"),
    # values no file name or number conversion can hold: still a 422, not a 500
    ({"concept": "ravines", "values": {"data": "1,2,3;" * 60}}, "data", "at most 200 characters"),
    ({"concept": "transposed-conv", "values": {"stride": "2" * 5000}}, "stride", "expected N or HxW"),
    ({"concept": "autodiff", "values": {"expr": "x * " + "9" * 400}}, "expr", "too large"),
])
def test_a_bad_render_request_gets_422_naming_the_field(client, body, field, words):
    r = client.post("/api/render", json=body)
    assert r.status_code == 422
    assert r.json()["field"] == field
    assert r.json()["detail"].startswith(f"{field}: ") and words in r.json()["detail"]
    assert "\n" not in r.json()["detail"]


def test_broken_json_gets_422_not_500(client):
    r = client.post("/api/render", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 422
    # not a character position as the field; and bodies FastAPI cannot parse at all (not UTF-8, nested too deeply)
    for body in [b"{bad", b'{"concept": "\xff"}', b'{"values": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"]:
        r = client.post("/api/render", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["field"] == "body", (body[:20], r.status_code, r.text)
        assert r.json()["detail"].startswith("body: not valid JSON")
    assert client.get("/api/nope").status_code == 404 and client.post("/api/jobs").status_code == 405


@pytest.mark.parametrize("body, field, words", [
    # values the parameter checks let through but the computation refuses: once a 200, then a failed job
    ({"concept": "autodiff", "values": {"expr": "x", "values": "x=1"}}, None, ""),  # field: expr once compute
    ({"concept": "autodiff", "values": {"expr": "x**0.5", "values": "x=0"}}, None, ""),  # raises a ParamError
    ({"concept": "model-forward", "values": {"model": "deepviz.diagrams.examples:small_cnn "}}, "model", "no 'small_cnn '"),
    ({"concept": "model-forward", "values": {"input": "1,3,12,12"}}, "model", "failed on the example input"),
    ({"concept": "model-forward", "preset": "mlp", "values": {"input": "1,5"}}, "model", "failed on the example input"),
])
def test_a_render_request_whose_example_cannot_be_computed_gets_422_and_no_job(client, body, field, words):
    r = client.post("/api/render", json=body)
    assert r.status_code == 422, r.text
    if field is not None:
        assert r.json()["field"] == field and words in r.json()["detail"]
    assert "\n" not in r.json()["detail"]
    assert client.get("/api/jobs").json()["jobs"] == []


def test_what_the_computation_refuses_names_its_field(client, monkeypatch):
    from deepviz.concepts.linear_map import compute
    from deepviz.params import ParamError

    def refuse(values, preset):
        raise ParamError("matrix", "overflowed to inf")

    monkeypatch.setattr(compute, "compute", refuse)
    r = client.post("/api/render", json={"concept": "linear-map", "values": {"vector": "2,1"}})
    assert (r.status_code, r.json()) == (422, {"detail": "matrix: overflowed to inf", "field": "matrix"})
    monkeypatch.setattr(compute, "compute", lambda values, preset: {}["oops"])  # a bug, not a ParamError
    r = client.post("/api/render", json={"concept": "linear-map", "values": {"vector": "2,1"}})
    assert r.status_code == 422 and r.json()["field"] == "values" and "KeyError" in r.json()["detail"]
    assert client.get("/api/jobs").json()["jobs"] == []


def test_a_render_request_body_is_capped(client):
    from deepviz.studio.gallery_api import MAX_BODY

    r = client.post("/api/render", content=b'{"concept": "' + b"a" * MAX_BODY + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["field"] == "body"


def test_the_trace_is_computed_off_the_event_loop(client, monkeypatch):
    """While one request computes a slow trace, the studio still answers."""
    from deepviz.concepts.linear_map import compute

    original, started = compute.compute, threading.Event()

    def slow(values, preset):
        started.set()
        time.sleep(2.0)
        return original(values, preset)

    monkeypatch.setattr(compute, "compute", slow)
    answers = []
    worker = threading.Thread(target=lambda: answers.append(
        client.post("/api/render", json={"concept": "linear-map", "preset": "rotation"})))
    worker.start()
    assert started.wait(30)
    t = time.perf_counter()
    assert client.get("/api/concepts").status_code == 200
    assert time.perf_counter() - t < 1.0
    worker.join()
    assert answers[0].status_code == 200
    client.delete(f"/api/jobs/{answers[0].json()['id']}")


def test_concepts_follow_the_course_with_what_to_watch_next(client):
    concepts = client.get("/api/concepts").json()["concepts"]
    names = [c["name"] for c in concepts]
    assert names[:6] == ["perceptron", "activations", "linear-map", "space-folding", "approximation", "autodiff"]
    assert names[-1] == "model-forward" and concepts[-1]["next"] is None
    assert [c["next"]["name"] for c in concepts[:-1]] == names[1:]


def test_a_render_request_from_another_origin_is_refused(client):
    r = client.post("/api/render", json={"concept": "linear-map"}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403


def test_the_gallery_lists_rendered_videos_and_serves_only_those(client):
    videos = client.get("/api/gallery").json()["videos"]
    assert videos == [{"concept": "linear-map", "example": "rotation", "summary": "a rotation by 90 degrees",
                       "quality": "low", "theme": "dark", "captioned": False,
                       "video": "/api/gallery/linear-map/rotation_low_dark.mp4",
                       "captions": "/api/gallery/linear-map/rotation_low_dark.vtt", "poster": None, "trace": None}]
    assert client.get(videos[0]["video"]).content == b"not really a video"
    assert client.get(videos[0]["captions"]).text == VTT
    for url in ["/api/gallery/linear-map/notes.txt", "/api/gallery/../../etc/passwd",
                "/api/gallery/%2e%2e/%2e%2e/etc/passwd", "/api/gallery/linear-map/..%2f..%2f..%2fetc%2fpasswd",
                "/api/gallery/..%2F..%2F..%2F..%2Fetc/passwd", "/api/gallery/linear-map/%2fetc%2fpasswd",
                "/api/gallery/gallery/linear-map", "/api/gallery/linear-map/rotation_low_dark.mp4%00.txt"]:
        r = client.get(url)
        assert r.status_code == 404, url
        assert "root:" not in r.text


def test_a_render_request_queues_a_job_that_can_be_cancelled(client):
    r = client.post("/api/render", json={"concept": "transposed-conv", "preset": "no-padding-strided",
                                         "values": {"seed": "3"}})
    assert r.status_code == 200
    job = r.json()
    assert job["state"] in ("queued", "running") and "seed=3" in job["title"]
    assert "/" not in json.dumps({k: v for k, v in job.items() if k not in ("file", "captions")})  # no paths
    assert client.get(f"/api/jobs/{job['id']}/file").status_code == 404  # not done
    assert client.delete(f"/api/jobs/{job['id']}").json()["state"] == "cancelled"
    assert [j["id"] for j in client.get("/api/jobs").json()["jobs"]] == [job["id"]]
    # a parameter that may name a file takes numbers typed in
    typed = client.post("/api/render", json={"concept": "ravines", "values": {"data": "2,40,5;4,80,7;8,-160,1"}})
    assert typed.status_code == 200
    client.delete(f"/api/jobs/{typed.json()['id']}")


def test_unknown_jobs_get_404(client):
    for method, url in [("get", "/api/jobs/nope"), ("delete", "/api/jobs/nope"), ("get", "/api/jobs/nope/file"),
                        ("get", "/api/jobs/nope/captions")]:
        r = getattr(client, method)(url)
        assert r.status_code == 404 and "nope" in r.json()["detail"]


# -- the job queue --------------------------------------------------------------------------------------
def test_at_most_one_job_per_worker_runs_at_once_and_progress_is_reported(tmp_path):
    assert JobQueue(tmp_path, workers=10_000).workers == (os.cpu_count() or 1)
    with pytest.raises(ValueError, match="workers"):
        JobQueue(tmp_path, workers=0)
    queue = JobQueue(tmp_path / "jobs", workers=2)
    try:
        jobs = [queue.submit(f"job {n}", f"{HELPERS}:timed", {"seconds": 0.6}) for n in range(4)]
        seen = set()

        def finished():
            seen.update(j.progress for j in jobs if j.state == "running")
            return all(j.state == "done" for j in jobs)

        wait_until(finished)
    finally:
        queue.shutdown()
    assert {0.25, 0.5, 0.75} & seen  # reported from the child while it ran
    assert all(j.progress == 1.0 and j.file.parent == tmp_path / "jobs" / j.id for j in jobs)
    spans = [tuple(map(float, j.file.read_text().split())) for j in jobs]  # the children's own clocks
    most = max(sum(s <= t < e for s, e in spans) for t, _ in spans)
    assert most == min(2, queue.workers)
    assert jobs[0].to_json()["file"] == f"/api/jobs/{jobs[0].id}/file"


def test_cancel_kills_a_running_job_and_a_queued_one_never_starts(tmp_path):
    queue = JobQueue(tmp_path, workers=1)
    try:
        running = queue.submit("long", f"{HELPERS}:timed", {"seconds": 30})
        waiting = queue.submit("behind", f"{HELPERS}:timed", {"seconds": 30})
        wait_until(lambda: running.text.startswith("pid "))
        pid = int(running.text.split()[1])
        queue.cancel(waiting.id)
        queue.cancel(running.id)
        assert (running.state, waiting.state) == ("cancelled", "cancelled")
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert not (tmp_path / running.id).exists() and waiting.started is None
        after = queue.submit("after", f"{HELPERS}:timed", {"seconds": 0.1})
        wait_until(lambda: after.state == "done")  # the queue goes on
    finally:
        queue.shutdown()


def test_a_failing_job_records_one_line_and_the_queue_goes_on(tmp_path):
    queue = JobQueue(tmp_path, workers=1)
    try:
        bad = queue.submit("bad", f"{HELPERS}:failing", {})
        stray = queue.submit("stray", f"{HELPERS}:outside", {})
        missing = queue.submit("missing", "no_such_module_here:fn", {})
        good = queue.submit("good", f"{HELPERS}:timed", {"seconds": 0.1})
        wait_until(lambda: good.state == "done")
    finally:
        queue.shutdown()
    assert (bad.state, bad.error) == ("failed", "ValueError: no good")
    assert not (tmp_path / bad.id).exists()  # its half-written file went with its folder
    assert stray.state == "failed" and "inside its folder" in stray.error
    assert missing.state == "failed" and missing.error.startswith("ModuleNotFoundError")


def test_old_finished_jobs_are_forgotten_with_their_files(tmp_path, monkeypatch):
    from deepviz.studio import jobs

    monkeypatch.setattr(jobs, "KEEP", 2)
    queue = JobQueue(tmp_path, workers=1)
    try:
        first = [queue.submit(f"job {i}", f"{HELPERS}:timed", {"seconds": 0.01}) for i in range(3)]
        wait_until(lambda: all(j.state == "done" for j in first))
        assert (tmp_path / first[0].id).is_dir()
        last = queue.submit("job 3", f"{HELPERS}:timed", {"seconds": 0.01})
        wait_until(lambda: last.state == "done")
    finally:
        queue.shutdown()
    assert [j.title for j in queue.list()] == ["job 1", "job 2", "job 3"]
    assert not (tmp_path / first[0].id).exists()
    with pytest.raises(KeyError):
        queue.get(first[0].id)


# -- a real render ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """linear-map's rotation (one of the cheapest scenes) rendered by a job at the test quality."""
    queue = JobQueue(tmp_path_factory.mktemp("renders"), workers=1)
    try:
        trace = deepviz.trace("linear-map", preset="rotation").to_dict()  # computed when the job was accepted
        job = queue.submit("rotation", "deepviz.studio.jobs:render_concept_job",
                           {"trace": trace, "quality": "test", "theme": "dark"})
        seen = []

        def finished():
            if not seen or seen[-1] != (job.progress, job.text):
                seen.append((job.progress, job.text))
            return job.finished_state

        wait_until(finished, timeout=60, every=0.01)
    finally:
        queue.shutdown()
    assert job.state == "done", job.error
    return job, seen


def test_a_render_job_reports_its_steps_and_makes_a_video_with_captions(rendered):
    job, seen = rendered
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    steps = len(deepviz.trace("linear-map", preset="rotation").narration)
    assert any(text.startswith(f"step 2 of {steps}: ") for _, text in seen)  # the caption of step 2 follows
    assert any(0.05 < f < 0.9 for f in fractions)
    assert job.file.name == "rotation_test_dark.mp4" and job.file.with_suffix(".vtt").is_file()
    frames = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                             "stream=nb_read_frames", "-of", "csv=p=0", str(job.file)],
                            capture_output=True, text=True, check=True).stdout
    assert int(frames) > 50


# -- the page ---------------------------------------------------------------------------------------------
@pytest.fixture()
def server(tmp_path, rendered):
    import uvicorn

    from deepviz.studio.pages import STATIC

    if not STATIC.joinpath("gallery.js").is_file():
        pytest.fail("the studio front end is not built: run scripts/setup.sh (npm ci && npm run build)")
    job, _ = rendered
    shelf = tmp_path / "media" / "gallery" / "linear-map"
    shelf.mkdir(parents=True)
    for suffix in (".mp4", ".vtt"):
        shutil.copy(job.file.with_suffix(suffix), shelf / f"rotation_test_dark{suffix}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(media=tmp_path / "media"), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    wait_until(lambda: srv.started)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(15)


@pytest.mark.browser
def test_the_page_renders_a_concept_from_its_form(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"),
                                     args=["--headless", "--no-sandbox", "--disable-gpu",
                                           "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/gallery#linear-map")
        page.wait_for_selector("body[data-ready]")
        form = page.locator("form[data-concept='linear-map']")
        names = form.locator("[data-param]").evaluate_all("els => els.map(e => e.dataset.param)")
        assert names == catalog.get("linear-map").params.names()
        # the rendered video, with its captions track
        shelf = page.locator("section#linear-map article.video video")
        assert shelf.count() == 1 and shelf.locator("track[kind=captions]").count() == 1
        # a bad value: the server's message beside the field
        form.locator("select[name=preset]").select_option("rotation")
        assert form.locator("input[name=matrix]").input_value() == "0,-1;1,0"
        form.locator("input[name=vector]").fill("9,9")
        form.locator("button[type=submit]").click()
        error = form.locator("[data-param=vector] .error")
        error.wait_for(state="visible")
        assert error.inner_text().startswith("vector: ") and "from -2.0 to 2.0" in error.inner_text()
        assert page.locator("article.job").count() == 0
        # a good one: a job whose progress moves, then plays
        form.locator("input[name=vector]").fill("1,0.5")
        form.locator("button[type=submit]").click()
        job = page.locator("article.job").first
        job.wait_for()
        assert error.inner_text() == ""
        shown = set()
        end = time.monotonic() + 60
        while job.get_attribute("data-state") not in ("done", "failed") and time.monotonic() < end:
            shown.add(int(job.locator(".bar").get_attribute("aria-valuenow") or 0))
            time.sleep(0.05)
        assert job.get_attribute("data-state") == "done", job.locator(".status").inner_text()
        assert any(0 < p < 100 for p in shown), shown
        page.wait_for_function("() => { const v = document.querySelector('article.job video');"
                               " return v && v.readyState >= 1 && v.duration > 0; }", timeout=15_000)
        assert job.locator("video track[kind=captions]").count() == 1
        page.wait_for_timeout(1500)  # a frame or two into the video, for the screenshot
        page.screenshot(path=str(tmp_path / "gallery.png"))
        browser.close()
    assert errors == []
