"""The CNN page in headless Chromium: the overview, a conv unit's detail against F.conv2d, the sliding kernel
following the mouse, a drawing that updates the prediction, and uploads."""
import io

import pytest
import torch
import torch.nn.functional as F

from deepviz.studio import cnn

from . import test_browser

server, page = test_browser.server, test_browser.page  # the shared fixtures: a studio on a free port, Chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def model():
    from deepviz.models import digits_cnn

    return digits_cnn.load_model()


def _open(pg, url):
    pg.goto(url + "/cnn")
    pg.wait_for_function("window.cnn && window.cnn.forwards > 0", timeout=120_000)


def test_a_conv_unit_shows_the_servers_torch_numbers_and_the_kernel_follows_the_mouse(server, page, model):
    from deepviz.models import digits_cnn

    _open(page, server)
    assert page.locator("#overview .layer").count() == 10  # input, 8 layers, softmax
    assert page.locator('canvas[data-layer="4"]').count() == 12  # conv2's 12 maps
    _, test = digits_cnn.load()
    i = int((test.labels == 0).nonzero()[0, 0])
    x = digits_cnn.prepare(test.images[i:i + 1])
    with torch.no_grad():
        p1 = model.pool1(model.relu1(model.conv1(x)))
        out = model.conv2(p1)
        probs = torch.softmax(model(x)[0], 0)
    assert page.inner_text("#prediction-line").startswith(f"{int(probs.argmax())} ({probs.max().item() * 100:.1f}%)")
    page.click('canvas[data-layer="4"][data-unit="3"]')
    page.wait_for_function("window.cnn.detail && window.cnn.detail.unit === 3 && window.cnn.cell")
    detail = page.evaluate("window.cnn.detail")
    for c in range(6):
        ref = F.conv2d(p1[:, c:c + 1], model.conv2.weight[3:4, c:c + 1], padding=1)[0, 0]
        torch.testing.assert_close(torch.tensor(detail["intermediate"][c], dtype=torch.float32), ref, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(torch.tensor(detail["output"], dtype=torch.float32), out[0, 3])
    # the kernel's numbers on the page are the layer's weights
    kernel = page.locator("#detail .eq").first.locator("table.nums").inner_text().split()
    assert [float(v) for v in kernel] == pytest.approx(model.conv2.weight[3, 0].flatten().tolist(), abs=6e-4)
    # hover the output map's cell (row 5, col 2): the sliding-kernel view jumps there
    canvas = page.locator("#conv-output")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 2.5 / 8, box["y"] + box["height"] * 5.5 / 8)
    page.wait_for_function("window.cnn.cell && window.cnn.cell.row === 5 && window.cnn.cell.col === 2")
    total = page.inner_text("#cell-total")
    assert total.endswith(f"= {out[0, 3, 5, 2].item():.3f} (the layer's output there: {out[0, 3, 5, 2].item():.3f})")
    for layer, kind in [(2, "relu"), (3, "maxpool"), (7, "flatten"), (8, "linear")]:
        page.click(f'canvas[data-layer="{layer}"]')
        page.wait_for_function(f"window.cnn.detail.kind === '{kind}'")
    page.locator("#overview .bars div.pick").nth(0).click()
    page.wait_for_function("window.cnn.detail.kind === 'softmax'")
    assert page.locator("#softmax-table tr").count() == 11
    assert page.errors == []


def test_drawing_updates_every_map_and_the_prediction(server, page, model):
    from deepviz.models import digits_cnn

    _open(page, server)
    before = page.evaluate("window.cnn.forwards")
    box = page.locator("#draw").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.15)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.85, steps=12)
    page.mouse.up()
    page.wait_for_function(f"window.cnn.forwards > {before + 3} && window.cnn.sent.drawing && window.cnn.settled()")
    sent = page.evaluate("window.cnn.sent.drawing")
    shown = page.evaluate("window.cnn.last.prediction")
    ink = torch.tensor(sent, dtype=torch.float32).reshape(32, 32)
    with torch.no_grad():
        probs = torch.softmax(model(digits_cnn.prepare(cnn.digit_blocks(ink)[None]))[0], 0)
    torch.testing.assert_close(torch.tensor(shown["probs"], dtype=torch.float32), probs, atol=1e-6, rtol=1e-4)
    assert shown["predicted"] == 1  # a vertical stroke
    assert page.inner_text("#prediction-line").startswith("1 ")
    assert page.errors == []


def test_an_upload_is_decoded_and_a_bad_one_is_one_line(server, page, tmp_path):
    from PIL import Image, ImageDraw

    _open(page, server)
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is text")
    page.set_input_files("#upload", str(bad))
    page.wait_for_function("document.querySelector('#error').textContent.startsWith('file: ')")
    img = Image.new("L", (80, 80), 255)
    ImageDraw.Draw(img).rectangle((34, 8, 46, 72), fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    good = tmp_path / "one.png"
    good.write_bytes(buf.getvalue())
    page.set_input_files("#upload", str(good))
    page.wait_for_function("document.querySelector('#upload-note').textContent.includes('inverted')")
    page.wait_for_function("window.cnn.last.type === 'forward' && window.cnn.last.prediction.predicted === 1")
    assert page.inner_text("#error") == ""


def test_the_adversarial_panel_shows_fgsm_as_torch_computes_it(server, page, model):
    from deepviz.models import digits_cnn

    _open(page, server)
    page.click("text=test digit 3")
    page.wait_for_function("window.cnn.last.type === 'forward' && window.cnn.last.prediction.predicted === 3")
    page.check("#explain-on")
    page.wait_for_function("window.cnn.attack && window.cnn.explain && window.cnn.attack.epsilon === 0.1")
    _, test = digits_cnn.load()
    i = int((test.labels == 3).nonzero()[0, 0])
    x = digits_cnn.prepare(test.images[i:i + 1]).requires_grad_(True)
    loss = F.cross_entropy(model(x), torch.tensor([3]))
    (g,) = torch.autograd.grad(loss, x)
    with torch.no_grad():
        probs = torch.softmax(model((x + 0.1 * g.sign()).clamp(0, 1)), 1)[0]
    verdict = page.inner_text("#attack-verdict")
    assert verdict.startswith("3 (") and f"→ {int(probs.argmax())} ({probs.max().item() * 100:.1f}%)" in verdict
    assert page.locator("#saliency").count() == 1 and page.locator("#occlusion").count() == 1
    page.fill("#epsilon", "0")  # no perturbation: the same class
    page.dispatch_event("#epsilon", "input")
    page.wait_for_function("window.cnn.attack.epsilon === 0")
    assert page.inner_text("#attack-verdict").endswith("the same class")
    page.click("#export-script")  # the standalone script of this input (test_cnn.py runs one)
    page.wait_for_function("window.cnn.script && window.cnn.script.includes('class DigitsCNN')")
    assert page.errors == []


def test_a_chosen_architecture_trains_live_and_a_kernel_that_does_not_fit_is_named(server, page):
    _open(page, server)
    page.fill("#arch-kernel", "7")
    page.fill("#arch-padding", "0")  # conv1 makes 10×10, pooled 5×5: too small for a 7×7 kernel
    page.click("#train")
    page.wait_for_function("window.cnn.errors > 0")
    assert page.inner_text("#error").startswith("kernel: 7 is larger than conv2's padded input")
    page.fill("#arch-kernel", "5")
    page.fill("#arch-c1", "4")
    page.select_option("#arch-pool", "avg")
    page.click("#train")
    page.wait_for_function("window.cnn.train && window.cnn.train.step >= 10", timeout=60_000)
    assert page.inner_text("#network").startswith("digits CNN (4, 12 channels, 5×5, stride 1, padding 0, avg")
    assert page.locator('canvas[data-layer="1"]').count() == 4  # the new conv1's maps in the overview
    assert page.locator("#filters canvas").count() == 4
    page.screenshot(path="/tmp/cnn-finish-train.png", full_page=True)
    page.click("#train-stop")
    page.wait_for_function("window.cnn.train && window.cnn.train.step === null")
    assert page.locator('canvas[data-layer="1"]').count() == 6
    assert page.errors == []
