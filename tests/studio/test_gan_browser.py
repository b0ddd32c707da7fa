"""The GAN page in headless Chromium (the playground's server and page fixtures): it trains, its views
update, slow motion explains each phase, a drawn distribution trains, bad drawings get a field error."""
import time

import pytest

from .test_browser import page, server  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser
SHOTS = "/tmp"  # screenshots to look at (tests/studio's browser tests keep theirs out of the tree too)


def _iteration(pg) -> int:
    return int(pg.inner_text("#iteration"))


def _open(pg, url: str, query: str = "") -> None:
    pg.goto(f"{url}/gan{query}")
    pg.wait_for_function("window.gan && window.gan.frames > 0", timeout=60_000)


def _play_until(pg, iterations: int) -> None:
    pg.click("#play")
    pg.wait_for_function(f"Number(document.querySelector('#iteration').textContent) >= {iterations}", timeout=90_000)
    pg.click("#play")
    pg.wait_for_function("(f => f && !f.playing)(window.gan.last || window.gan.vae)")  # either mode's frame


def _fake(pg) -> list:
    return pg.evaluate("window.gan.last.fake")


def test_the_page_trains_and_every_view_updates(server, page):  # noqa: F811
    _open(page, server, "#g_units=12")
    assert page.input_value("#set-g_units") == "12"  # the URL's settings reach the controls
    before = page.evaluate("JSON.stringify([window.gan.last.heatmap.values, window.gan.last.fake])")
    _play_until(page, 60)
    after = page.evaluate("JSON.stringify([window.gan.last.heatmap.values, window.gan.last.fake])")
    assert before != after
    assert page.evaluate("window.gan.history.length") >= 60
    for field in ("#d-loss", "#g-loss", "#kl", "#js", "#mmd"):
        float(page.inner_text(field))
    page.screenshot(path=f"{SHOTS}/gan-page-trained.png")
    # a step of G alone moves the fake points and says what the phase does
    fake = _fake(page)
    at = _iteration(page)
    page.click("#step-g")
    page.wait_for_function(f"window.gan.last.iteration > {at}")
    assert _fake(page) != fake and "Generator" in page.inner_text("#phase")
    heat = page.evaluate("window.gan.last.heatmap.values")
    page.click("#step-d")
    page.wait_for_function(f"window.gan.last.iteration > {at + 1}")
    assert page.evaluate("window.gan.last.heatmap.values") != heat and "Discriminator" in page.inner_text("#phase")
    assert page.errors == []


def test_slow_motion_alternates_the_phases_and_the_tape_goes_back(server, page):  # noqa: F811
    _open(page, server)
    page.check("#slow")
    page.click("#play")
    seen = set()
    end = time.time() + 20
    while len(seen) < 2 and time.time() < end:
        seen.add(page.get_attribute("#phase", "data-phase"))
        time.sleep(0.2)
    page.screenshot(path=f"{SHOTS}/gan-page-slow.png")
    page.click("#play")
    assert {"d", "g"} <= seen
    page.uncheck("#slow")
    _play_until(page, 20)
    page.fill("#tape", "5")
    page.dispatch_event("#tape", "input")
    page.wait_for_function("window.gan.last.viewing && window.gan.last.iteration === 5")
    page.click("#restore")
    page.wait_for_function("!window.gan.last.viewing && window.gan.last.tape[1] === 5")
    page.click("#step")
    page.wait_for_function("window.gan.last.iteration === 6")


def _draw(page, points) -> None:  # noqa: F811
    box = page.locator("#plot").bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.up()


def test_a_drawn_distribution_trains_and_too_few_points_is_a_field_error(server, page):  # noqa: F811
    _open(page, server)
    page.select_option("#set-distribution", "drawn")
    _draw(page, [(100, 100), (110, 104)])
    page.click("#use-drawn")
    page.wait_for_function("document.querySelector('#error').textContent.startsWith('drawn:')")
    page.click("#clear-drawn")
    _draw(page, [(100 + 8 * i, 380 - 6 * i) for i in range(40)])
    page.screenshot(path=f"{SHOTS}/gan-page-drawing.png")
    page.click("#use-drawn")
    page.wait_for_function("document.querySelector('#error').textContent === ''")
    # the real points now lie along the drawn stroke: from (100, 380) px, i.e. (-0.583, -0.583), at slope 0.75
    page.wait_for_function("window.gan.last.real.every(([x, y]) => Math.abs(y + 0.583 - 0.75 * (x + 0.583)) < 0.2)")
    _play_until(page, 40)
    assert page.evaluate("window.gan.last.iteration") >= 40
    page.screenshot(path=f"{SHOTS}/gan-page-drawn-trained.png")
    assert page.errors == []


def test_the_vae_mode_trains_and_decodes_the_code_under_the_pointer(server, page):  # noqa: F811
    _open(page, server, "?mode=vae")
    assert page.is_hidden("#step-d") and page.is_visible("#code")
    _play_until(page, 150)
    first, last = page.evaluate("[window.gan.history[0][1], window.gan.vae.losses[0]]")
    assert last < first  # the reconstruction error fell
    box = page.locator("#code").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the code (0, 0)
    readout = page.inner_text("#code-readout")
    centre = page.evaluate(f"window.gan.vae.decoded_grid[{(21 * 21) // 2}]")
    assert readout.startswith("z = (0.00, 0.00)") and f"{centre[0]:.2f}, {centre[1]:.2f}" in readout
    page.screenshot(path=f"{SHOTS}/gan-page-vae.png")
    assert page.errors == []
