"""The playground page in headless Chromium, against a real server on a free port."""
import shutil
import socket
import threading
import time

import pytest

pytestmark = pytest.mark.browser

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def server():
    import uvicorn

    from deepviz.studio.pages import STATIC
    from deepviz.studio.server import create_app

    if not STATIC.joinpath("playground.js").is_file():
        pytest.fail("the studio front end is not built: run scripts/setup.sh (npm ci && npm run build)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


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
    page.goto(server + "/")
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.click("#play")
    page.wait_for_function("Number(document.querySelector('#epoch').textContent) >= 30", timeout=30_000)
    page.click("#play")
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
    text = page.inner_text("#formula")
    assert text.startswith("h1_1 = tanh(") and "x1" in text and "x2" in text
