"""The transformer page in headless Chromium: typing asks torch, the sliders re-run only the softmax (equal to
torch's with top-k and top-p), hovering lights the token pair, a head is ablated. Fixtures from test_browser."""
import pytest
import torch

from deepviz.models import tiny_gpt
from deepviz.studio import transformer

from .test_browser import page, server  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser


def passed(pg, after: int = 0) -> dict:
    pg.wait_for_function(f"window.transformer && window.transformer.requests > {after}", timeout=60_000)
    return pg.evaluate("window.transformer")


def reference(logits: torch.Tensor, t: float, k: int, p: float) -> torch.Tensor:
    """Temperature, then top-k, then top-p (the smallest set whose mass reaches p), renormalised: torch only."""
    probs = (logits / t).softmax(-1)
    order = probs.argsort(descending=True)
    keep = torch.zeros_like(probs, dtype=torch.bool)
    kept = (probs[order].cumsum(0) - probs[order]) < p  # mass before each one is still short of p
    if k:
        kept[k:] = False
    keep[order[kept]] = True
    out = torch.where(keep, probs, 0)
    return out / out.sum()


def test_typing_asks_torch_and_the_sliders_only_rerun_the_softmax(server, page):  # noqa: F811
    page.goto(server + "/transformer")
    state = passed(page)
    page.fill("#text", "the dog ran to the")
    page.wait_for_function("window.transformer.pass.tokens[2] === 'dog'", timeout=60_000)
    state = page.evaluate("window.transformer")
    want = transformer.compute(transformer.tokens_of("the dog ran to the"))["logits"]
    torch.testing.assert_close(torch.tensor(state["pass"]["logits"]), want, rtol=1e-3, atol=1e-3)
    requests = state["requests"]
    page.evaluate("const s = document.querySelector('#temperature'); s.value = '0.5'; s.dispatchEvent(new Event('input'))")
    page.fill("#topk", "5")
    page.evaluate("const s = document.querySelector('#topp'); s.value = '0.8'; s.dispatchEvent(new Event('input'))")
    state = page.evaluate("window.transformer")
    assert state["requests"] == requests  # no request: the page ran the softmax
    got = torch.tensor(state["probs"], dtype=torch.float64)
    torch.testing.assert_close(got, reference(want.double(), 0.5, 5, 0.8), rtol=1e-3, atol=1e-3)
    assert 1 <= int((got > 0).sum()) <= 5
    top = tiny_gpt.load().vocab.words[int(got.argmax())]
    assert page.locator("#probs .bar").first.get_attribute("data-token") == top
    assert page.errors == []


def test_hover_lights_the_pair_and_an_unknown_word_is_named(server, page):  # noqa: F811
    page.goto(server + "/transformer")
    passed(page)
    page.hover("#attention .map:nth-child(4) rect[data-row='4'][data-col='2']")
    assert page.inner_text("#tokens span.query") == "on" and page.inner_text("#tokens span.key") == "cat"
    assert page.locator("#attention rect.hot").count() == 4 and "weight =" in page.inner_text("#readout")
    n = page.evaluate("window.transformer.requests")
    page.fill("#text", "the cat sat on the kitchn")
    passed(page, n)
    assert "kitchn" in page.inner_text("#error") and "kitchen" in page.inner_text("#error")
    page.click("#tour-next")
    assert page.locator("#part-embedding.tour-target").count() == 1
    assert page.errors == []


def test_ablating_a_head_zeroes_it_and_moves_the_probabilities(server, page):  # noqa: F811
    page.goto(server + "/transformer")
    state = passed(page)
    page.select_option("#block", "1")
    page.select_option("#head", "2")
    page.check("#ablate")
    state = passed(page, state["requests"])
    assert state["ablate"] == [[1, 2]]
    assert all(v == 0 for row in state["pass"]["blocks"][1]["heads"][2]["out"] for v in row)
    want = transformer.compute(transformer.tokens_of("the cat sat on the"), [(1, 2)])["logits"]
    torch.testing.assert_close(torch.tensor(state["pass"]["logits"]), want, rtol=1e-3, atol=1e-3)
    assert page.locator("#probs .ghost").count() > 0 and "block 1 head 2" in page.inner_text("#ablated")
    assert page.errors == []


def test_training_live_fills_the_tape_and_the_slider_looks_back(server, page):  # noqa: F811
    from deepviz.studio import transformer_train

    page.goto(server + "/transformer")
    passed(page)
    page.click("#train")
    page.wait_for_function("window.transformer.live.tape.length > 0 && !window.transformer.live.running", timeout=120_000)
    live = page.evaluate("window.transformer.live")
    assert [s["step"] for s in live["tape"]] == list(range(0, tiny_gpt.STEPS + 1, transformer_train.EVERY))
    assert live["tape"][-1]["held_out_loss"] == pytest.approx(tiny_gpt.load().held_out_loss, abs=1e-4)
    assert page.locator("#loss-curve polyline").count() == 2 and "(done)" in page.inner_text("#train-status")
    page.evaluate("const s = document.querySelector('#tape'); s.value = '0'; s.dispatchEvent(new Event('input'))")
    assert "step 0" in page.inner_text("#tape-step")
    page.screenshot(path="/tmp/tf-live-page.png", full_page=True)
    # another head: every snapshot's maps are asked for again
    page.select_option("#head", "3")
    page.wait_for_function("window.transformer.live.tape.length > 0 && "
                           "document.querySelector('#live-map .title').textContent.includes('head 3')", timeout=60_000)
    first = torch.tensor(page.evaluate("window.transformer.live.tape[0].weights"))
    assert first.shape == (6, 6) and torch.allclose(first.sum(1), torch.ones(6), atol=1e-3)
    assert page.errors == []
