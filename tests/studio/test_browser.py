"""The playground page in headless Chromium, against a real server on a free port."""
import shutil
import socket
import threading
import time

import pytest

pytestmark = pytest.mark.browser

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def serve(**options):
    """A real studio (``create_app(**options)``) on a free port, in a thread: yields its URL."""
    import uvicorn

    from deepviz.studio.pages import STATIC
    from deepviz.studio.server import create_app

    if not STATIC.joinpath("playground.js").is_file():
        pytest.fail("the studio front end is not built: run scripts/setup.sh (npm ci && npm run build)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(**options), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def server():
    yield from serve()


@pytest.fixture()
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 820})
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        yield pg
        browser.close()


def epoch(pg) -> int:
    return int(pg.inner_text("#epoch"))


def loss(pg) -> float:
    return float(pg.inner_text("#train-loss"))


def play_until(pg, url: str, epochs: int) -> None:
    """Open the page at ``url``, play until at least ``epochs`` epochs are shown, and pause."""
    pg.goto(url)
    pg.wait_for_function("window.playground && window.playground.frames > 0")
    pg.click("#play")
    pg.wait_for_function(f"Number(document.querySelector('#epoch').textContent) >= {epochs}", timeout=30_000)
    pg.click("#play")


def test_play_trains_the_loss_goes_down_and_the_page_is_drawn(server, page, tmp_path):
    page.goto(server + "/")
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '–'")
    start = loss(page)
    page.click("#play")
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 60", timeout=30_000)
    page.click("#play")
    assert epoch(page) >= 60 and loss(page) < 0.5 * start
    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot))
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    out = img.crop((1042, 105, 1342, 405))  # the output heatmap: both class colours present
    colours = out.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50
    blue = sum(n for n, (r, g, b) in colours if b > r + 40)
    orange = sum(n for n, (r, g, b) in colours if r > b + 40)
    assert blue > 1000 and orange > 1000
    assert page.errors == []


def test_a_feature_toggle_and_a_layer_change_take_effect_and_the_url_keeps_them(server, page):
    page.goto(server + "/")
    page.wait_for_selector("#network .layer canvas")
    page.click("#features button[data-feature='x1^2']")
    page.click("#add-layer")
    page.wait_for_function("document.querySelectorAll('#network .layer').length === 4")
    assert page.locator("#network .layer").nth(0).locator("canvas").count() == 3
    url = page.url
    assert "features=x1%2Cx2%2Cx1%5E2" in url and "hidden=4%2C2%2C2" in url
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector("#network .layer canvas")
    assert page.locator("#network .layer").count() == 4
    assert page.locator("#features button.on").count() == 3
    # the restored setup trains: the network on the server has 3 inputs
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '–'")
    page.click("#step")
    page.wait_for_function("document.querySelector('#epoch').textContent === '1'")
    assert page.errors == []


def test_keyboard_shortcuts(server, page):
    page.goto(server + "/")
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '–'")
    page.keyboard.press("s")
    page.wait_for_function("document.querySelector('#epoch').textContent === '1'")
    page.keyboard.press("r")
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")


def test_the_tape_shows_an_earlier_epoch_and_training_continues_from_it(server, page):
    play_until(page, server + "/", 30)
    page.wait_for_function("document.querySelector('#play').textContent === 'play'")
    page.evaluate("const t = document.querySelector('#tape'); t.value = '5'; t.dispatchEvent(new Event('input'))")
    page.wait_for_function("document.querySelector('#tape-label').textContent === 'viewing epoch 5'")
    assert epoch(page) == 5
    page.click("#resume")
    page.wait_for_function("document.querySelector('#tape').max === '5'")
    page.click("#step")
    page.wait_for_function("document.querySelector('#epoch').textContent === '6'")


def test_a_diverging_run_stops_and_restores_the_last_good_state(server, page):
    page.goto(server + "/#dataset=plane&activation=linear&learning_rate=10&hidden=8,8")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.click("#play")
    page.wait_for_selector("#restore-good", timeout=30_000)
    assert "diverged" in page.inner_text("#error")
    page.click("#restore-good")
    page.wait_for_function("document.querySelector('#train-loss').textContent !== '–'")
    assert page.inner_text("#play") == "play"


def test_hovering_a_neuron_shows_its_formula_with_the_actual_weights(server, page):
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.hover("#network .layer:nth-of-type(2) canvas.neuron")
    text = page.inner_text("#neuron-formula")
    assert text.startswith("h1_1 = tanh(") and "x1" in text and "x2" in text


def _drag(page, points):
    """Mouse strokes on the output panel, in data coordinates (x1, x2) in [-6, 6]."""
    box = page.locator("#points-canvas").bounding_box()
    at = lambda x1, x2: (box["x"] + (x1 + 6) / 12 * box["width"], box["y"] + (6 - x2) / 12 * box["height"])  # noqa: E731
    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*at(*p), steps=6)
    page.mouse.up()


def test_a_drawn_data_set_trains(server, page, tmp_path):
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.select_option("#dataset", "custom")
    assert page.is_visible("#draw-row") and not page.is_visible("#formula-row")
    page.click("#draw-row button[data-class='0']")
    _drag(page, [(-5, -4), (-4, 4), (-3, -4), (-2, 4)])  # class 0 strokes on the left
    page.click("#draw-row button[data-class='1']")
    _drag(page, [(2, -4), (3, 4), (4, -4), (5, 4)])  # class 1 on the right
    n = page.evaluate("playground.settings.custom.length")
    assert n >= 20 and page.evaluate("playground.settings.custom.filter(p => p[2] === 1).length") >= 10
    # the server trains on exactly the drawn points
    page.wait_for_function(f"playground.last.points.train.length + playground.last.points.test.length === {n}")
    page.click("#play")
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 40", timeout=30_000)
    page.click("#play")
    page.wait_for_function("document.querySelector('#test-acc').textContent === '100%' || "
                           "document.querySelector('#train-acc').textContent === '100%'", timeout=10_000)
    assert "dataset=custom" in page.url and "custom=" in page.url
    shot = tmp_path / "drawn.png"
    page.locator("#output").screenshot(path=str(shot))
    from PIL import Image

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert sum(n for n, (r, g, b) in colours if b > r + 40) > 2000  # blue on the left
    assert sum(n for n, (r, g, b) in colours if r > b + 40) > 2000  # orange on the right
    assert page.errors == []


def test_a_formula_boundary_and_a_csv_upload_make_data_sets(server, page, tmp_path):
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.select_option("#dataset", "formula")
    page.fill("#formula", "y > sinn(3*x)")
    page.click("#formula-apply")
    page.wait_for_function("document.querySelector('#error').textContent.includes('did you mean sin')")
    page.fill("#formula", "x*x + y*y < 9")
    page.click("#formula-apply")
    # class 1 inside the circle of radius 3: the points the server sends say so (off the rim,
    # where their 3-decimal rounding could cross it)
    page.wait_for_function("playground.last && playground.last.points.train.every("
                           "([a, b, c]) => Math.abs(a*a + b*b - 9) < 0.05 || (a*a + b*b < 9) === (c === 1))")
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,label\n" + "\n".join(f"{i % 7 - 3},{i % 5 - 2},{i % 3}" for i in range(60)))
    page.set_input_files("#csv", str(csv))
    page.wait_for_function("playground.last.output.classes === 3 && "
                           "playground.last.points.train.length + playground.last.points.test.length === 60")
    assert "60 points, 3 classes" in page.inner_text("#csv-note")
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,0\n3,oops,1\n")
    page.set_input_files("#csv", str(bad))
    page.wait_for_function("document.querySelector('#error').textContent.includes('row 2')")
    assert page.errors == []


def test_a_click_on_a_link_edits_that_weight_live(server, page):
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.locator("#network g.link[data-layer='0'][data-to='1'][data-from='0'] line.hit").click(force=True)
    assert page.is_visible("#editor") and "x1 → h1_2" in page.inner_text("#editor-label")
    page.fill("#editor-input", "2.5")
    page.press("#editor-input", "Enter")
    page.wait_for_function("playground.last.weights[0][1][0] === 2.5")
    page.locator("#network .layer:nth-of-type(2) .bias").first.click()
    page.fill("#editor-input", "-1.25")
    page.press("#editor-input", "Enter")
    page.wait_for_function("playground.last.biases[0][0] === -1.25")


def test_training_goes_on_while_the_page_is_frozen_like_a_background_tab(server, page):
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.select_option("#speed", "100")
    page.click("#play")
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 5")
    cdp = page.context.new_cdp_session(page)
    e0 = epoch(page)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})  # what a browser may do to a hidden tab
    time.sleep(2.0)
    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    # at 100 epochs/s, 2 s frozen: the first frames after waking already show the epochs trained meanwhile
    page.wait_for_function(f"Number(document.querySelector('#epoch').textContent) >= {e0 + 120}", timeout=1500)


def test_exports_the_model_a_script_that_reproduces_the_run_the_view_and_an_mp4(server, page, tmp_path):
    import subprocess
    import sys

    import torch

    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    for _ in range(3):
        page.keyboard.press("s")
    page.wait_for_function("document.querySelector('#epoch').textContent === '3'")
    files = {}
    for button in ("#export-model", "#export-script", "#export-png", "#export-svg"):
        with page.expect_download() as dl:
            page.click(button)
        files[button] = tmp_path / dl.value.suggested_filename
        dl.value.save_as(files[button])
    state = torch.load(files["#export-model"], weights_only=True)
    assert [tuple(v.shape) for v in state.values()] == [(4, 2), (4,), (2, 4), (2,), (2, 2), (2,)]
    out = subprocess.run([sys.executable, str(files["#export-script"])], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    final = [line for line in out.stdout.splitlines() if line.startswith("final")][-1]
    words = final.split()  # "final train loss <float> test loss <float>": the run the page shows
    assert float(words[3]) == pytest.approx(page.evaluate("playground.last.loss.train"), rel=1e-5)
    assert float(words[6]) == pytest.approx(page.evaluate("playground.last.loss.test"), rel=1e-5)
    from PIL import Image

    png = Image.open(files["#export-png"]).convert("RGB")
    assert png.size == (600, 600) and len(png.getcolors(maxcolors=1 << 20)) > 100
    svg = files["#export-svg"].read_text()
    assert svg.startswith("<svg") and svg.count("<circle") == 250 and "data:image/png;base64," in svg
    page.click("#export-movie")
    page.wait_for_selector("#movie-link:not([hidden])", timeout=120_000)
    mp4 = page.evaluate("fetch(document.querySelector('#movie-link').href).then(r => r.blob()).then(b => b.size)")
    assert mp4 > 10_000


# -- the settings schema: served once by the server, the page's URL codec derived from it ---------------------------
KNOWN_TEXT = {"formula": "x*x + y*y < 9"}  # a free-text setting needs a valid value written here


def _other(name, prop):
    """A value the schema allows for setting ``name`` that is not its default."""
    default = prop["default"]
    if "enum" in prop:
        return next(v for v in reversed(prop["enum"]) if v != default)
    if prop["type"] == "string":
        assert name in KNOWN_TEXT, f"a new free-text setting {name!r}: add a valid value to KNOWN_TEXT"
        return KNOWN_TEXT[name]
    if prop["type"] == "array":
        items = prop["items"]
        if "prefixItems" in items:  # rows such as drawn points (x1, x2, class): spread over the allowed ranges
            def entry(col, i):
                lo, hi = col["minimum"], col["maximum"]
                return lo + i % 2 if col["type"] == "integer" else round(lo + (hi - lo) * (i + 1) / 8, 2)
            return [[entry(col, i) for col in items["prefixItems"]] for i in range(6)]
        if "enum" in items:
            return [v for v in items["enum"] if v not in default][:1] + default
        return [items["minimum"] + 2, items["maximum"]]
    lo = prop.get("minimum", prop.get("exclusiveMinimum"))
    hi = prop.get("maximum", prop.get("exclusiveMaximum"))
    if prop["type"] == "integer":
        return default + 1 if default + 1 <= hi else default - 1
    value = (lo + hi) / 2 if (lo + hi) / 2 != default else lo + (hi - lo) / 4
    return round(value, 3)


def test_every_server_setting_round_trips_through_the_page_url(server, page):
    import json
    from urllib.parse import parse_qs, urlsplit

    from deepviz.studio import protocol

    schema = json.loads(page.request.get(server + "/api/playground/schema").text())
    assert schema == json.loads(json.dumps(protocol.settings_schema()))
    values = {name: _other(name, prop) for name, prop in schema["properties"].items()}
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.evaluate("v => playground.configure(v)", values)
    url = page.url
    # the page encodes exactly the server's settings (none hard-coded in the page, none left out)
    assert set(parse_qs(urlsplit(url).fragment, keep_blank_values=True)) == set(schema["properties"])
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function("window.playground && window.playground.frames > 0")
    assert page.evaluate("playground.settings") == values
    # the server took them all (no error) and trains on them: the drawn points, the hidden layers
    page.wait_for_function(f"playground.last.points.train.length + playground.last.points.test.length === "
                           f"{len(values['custom'])} && playground.last.weights.length === {len(values['hidden']) + 1}")
    assert page.inner_text("#error") == ""
    # every plain setting has a control showing its value, the ones the page did not hand-make included
    for name, value in values.items():
        if not isinstance(value, list):
            shown = page.eval_on_selector(f"[id='{name}']", "el => el.value")
            assert (shown if isinstance(value, str) else float(shown)) == value, name
    assert page.errors == []


def test_a_split_without_test_points_says_no_test_data_and_trains(server, page):
    play_until(page, server + "/#dataset=custom&train_ratio=0.9&custom=-3:-3:0;3:3:1;3:-3:1", 20)
    assert page.inner_text("#test-loss") == "no test data" and page.inner_text("#test-acc") == "no test data"
    assert page.inner_text("#error") == "" and float(page.inner_text("#train-loss")) > 0
    assert page.errors == []


def test_the_optimiser_path_follows_a_drag_of_the_start_and_a_slider_and_bad_input_is_a_field_error(server, page):
    page.goto(server + "/optimise")
    page.wait_for_function("window.optimise && window.optimise.paths > 0")
    before = page.get_attribute("path.path", "d")
    box = page.locator("circle.start").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 60, steps=8)
    page.mouse.up()
    # the drag sends several starts; wait for the reply to the last one (the one the start box shows)
    page.wait_for_function("""() => { const l = window.optimise.last;
        return l.type === 'path' && l.points[0][0] > 0 && l.points[0][0] === parseFloat(document.getElementById('start-x').value); }""")
    dragged = page.get_attribute("path.path", "d")
    assert dragged != before
    start = page.evaluate("window.optimise.last.points[0]")
    assert float(page.input_value("#start-x")) == start[0] and 0 < start[0] <= 3  # the start box follows the drag
    # a slider on the formula: β (momentum) one notch up runs the path again
    paths = page.evaluate("window.optimise.paths")
    page.focus("#formula-momentum input[type=range][data-field=beta]")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"window.optimise.paths > {paths} && window.optimise.last.type === 'path'")
    assert page.get_attribute("path.path", "d") != dragged
    # α out of range: one line naming it, the field marked; a good value brings the path back
    page.fill("#formula-momentum input[type=number][data-field=alpha]", "20")
    page.wait_for_function("document.querySelector('#error').textContent.startsWith('alpha:')")
    assert "bad" in page.get_attribute("#formula-momentum input[type=number][data-field=alpha]", "class")
    page.fill("#formula-momentum input[type=number][data-field=alpha]", "0.5")
    page.wait_for_function("document.querySelector('#error').textContent === '' && window.optimise.last.type === 'path'")
    assert page.errors == []


def test_the_points_stay_drawn_when_later_frames_leave_them_out(server, page):
    # the server sends a data set's points with its first frame only: the page keeps and redraws them
    page.goto(server + "/")
    page.wait_for_function("window.playground && playground.last && playground.last.received >= 1")  # its configure
    page.evaluate("""() => { window.seen = []; const ws = playground.ws, on = ws.onmessage;
        ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.type === 'frame') seen.push('points' in m); on(e); }; }""")
    page.click("#play")
    page.wait_for_function("window.seen.length >= 5")
    page.click("#play")
    assert not any(page.evaluate("window.seen")), "a frame of the same data set carried its points again"
    n = page.evaluate("playground.last.points.train.length + playground.last.points.test.length")
    assert n == page.evaluate("playground.settings.points")
    drawn = page.evaluate("""() => { const c = document.getElementById('points-canvas');
        return c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((v, i) => i % 4 === 3 && v > 0).length; }""")
    assert drawn > 1000 and page.errors == []
