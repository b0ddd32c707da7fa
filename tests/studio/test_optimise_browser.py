"""The optimiser page's views in headless Chromium: the URL restores a view, the phase diagram sets (α, β),
the network surface races optimisers and shows the mini-batch cloud, a diverging path stops, the export
downloads a script. Fixtures (a real server on a free port, Chromium) are those of test_browser."""
import pytest

from .test_browser import page, server  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser


def settled(pg, after: int = 0) -> dict:
    """The page's reply once a path newer than ``after`` came in."""
    pg.wait_for_function(f"window.optimise && window.optimise.paths > {after} && window.optimise.last.type === 'path'",
                         timeout=60_000)
    return pg.evaluate("window.optimise.last")


def test_a_link_restores_the_view_and_a_change_goes_into_the_url(server, page):  # noqa: F811
    page.goto(server + "/optimise?surface=rosenbrock&optimizer=adam&alpha=0.05&start=-1.5,2.5&race=sgd,momentum")
    reply = settled(page)
    assert page.input_value("#surface") == "rosenbrock" and page.input_value("#optimizer") == "adam"
    assert page.input_value("#formula-adam input[type=number][data-field=alpha]") == "0.05"
    assert reply["points"][0] == [-1.5, 2.5] and [r["optimizer"] for r in reply["race"]] == ["sgd", "momentum"]
    assert page.locator("#legend .item").count() == 3 and page.locator("path.racer").count() == 2
    assert page.is_checked("input[name=race][value=sgd]") and not page.is_checked("input[name=race][value=adam]")
    paths = page.evaluate("window.optimise.paths")
    page.check("input[name=race][value=rmsprop]")
    settled(page, paths)
    assert "race=sgd%2Cmomentum%2Crmsprop" in page.evaluate("location.search")
    paths = page.evaluate("window.optimise.paths")
    page.select_option("#surface", "network")  # the server's start and step size for it (schema x-starts, x-rates)
    reply = settled(page, paths)
    assert reply["points"][0] == [-0.8, 0.6] and "alpha=0.02" in page.evaluate("location.search")
    page.goto(server + "/optimise?alpha=abc&surface=nowhere")  # values the schema refuses fall back to defaults
    settled(page)
    assert page.input_value("#surface") == "quadratic" and page.errors == []


def test_a_click_on_the_phase_diagram_sets_alpha_and_beta_and_the_rate_is_shown(server, page):  # noqa: F811
    page.goto(server + "/optimise?optimizer=sgd")
    settled(page)
    hit = page.locator("#phases rect.hit").bounding_box()
    paths = page.evaluate("window.optimise.paths")
    page.mouse.click(hit["x"] + hit["width"] * 0.9, hit["y"] + hit["height"] * 0.1)  # large α, β near 0.9
    reply = settled(page, paths)
    alpha = float(page.input_value("#formula-momentum input[type=number][data-field=alpha]"))
    beta = float(page.input_value("#formula-momentum input[type=number][data-field=beta]"))
    assert page.input_value("#optimizer") == "momentum" and alpha > 1 and 0.85 < beta < 0.95
    assert reply["phase"] in page.inner_text("#phase-note") and f"{reply['rate']:.3g}" in page.inner_text("#phase-note")
    marker = page.locator("#phases circle.marker").bounding_box()
    assert abs(marker["x"] + 6 - (hit["x"] + hit["width"] * 0.9)) < 4
    assert page.locator("#chart path.series").count() == 3  # the loss and its two eigen-components
    assert page.locator("line.eigenvector").count() == 2


def test_a_diverging_path_is_shown_as_diverging_and_stops_never_nan(server, page):  # noqa: F811
    page.goto(server + "/optimise?optimizer=sgd&alpha=5")
    reply = settled(page)
    assert reply["diverged"] is not None
    assert page.inner_text("#status").startswith(f"diverged at step {reply['diverged']}")
    assert page.locator("g.end path.end").count() == 1 and "diverges" in page.inner_text("#phase-note")
    text = page.inner_text("body")
    assert "NaN" not in text and "Infinity" not in text
    assert "NaN" not in (page.get_attribute("path.path", "d") or "")


def test_the_network_races_optimisers_and_the_gradient_cloud_shrinks_with_the_batch(server, page):  # noqa: F811
    page.goto(server + "/optimise?surface=network&optimizer=sgd&alpha=0.1&start=-0.8,0.6&race=adam,rmsprop&batch_size=2")
    reply = settled(page)
    assert len(reply["race"]) == 2 and page.locator("path.racer").count() == 2
    assert page.locator("path.arrow.batch").count() == 40 and page.locator("path.arrow.full").count() == 1
    small = reply["noise"]["spread"]
    paths = page.evaluate("window.optimise.paths")
    page.evaluate("const s = document.querySelector('#batch-size'); s.value = '150'; s.dispatchEvent(new Event('input'))")
    big = settled(page, paths)["noise"]
    assert big["batch_size"] == 150 and big["spread"] < small / 4
    assert page.is_hidden("#phase-panel") and page.errors == []


def test_the_export_downloads_the_script_of_the_view(server, page):  # noqa: F811
    page.goto(server + "/optimise?optimizer=adam&alpha=0.1&race=sgd")
    settled(page)
    with page.expect_download() as download:
        page.click("#export")
    text = open(download.value.path(), encoding="utf-8").read()
    assert download.value.suggested_filename == "optimiser_path.py"
    assert "torch.optim.Adam([w], lr=0.1" in text and "torch.optim.SGD([w], lr=1.0" in text


def test_a_drag_past_the_plots_edge_keeps_the_start_on_the_edge(server, page):  # noqa: F811
    page.goto(server + "/optimise")
    settled(page)
    box = page.locator("circle.start").bounding_box()
    plot = page.locator("#plot").bounding_box()
    paths = page.evaluate("window.optimise.paths")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(plot["x"] + plot["width"] + 300, plot["y"] + plot["height"] + 200, steps=6)
    page.mouse.up()
    page.wait_for_function(f"window.optimise.paths > {paths} && window.optimise.last.type === 'path'"
                           " && window.optimise.last.points[0][0] === 3")
    assert page.evaluate("window.optimise.last.points[0]") == [3, -3]
    assert page.inner_text("#error") == "" and page.errors == []
