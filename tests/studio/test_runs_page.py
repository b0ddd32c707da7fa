"""The runs page (/runs) in headless Chromium: runs overlaid, the diagnosis panel, live events, bad input."""
from __future__ import annotations

import math
import time
import warnings

import pytest

import deepviz
from runs.test_watch import Tiny

from .test_browser import page, serve  # noqa: F401 - page: headless Chromium, on this module's server

pytestmark = pytest.mark.browser


def record(logdir, steps: int, nan_at: int | None = None) -> None:
    import torch

    model = Tiny()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with warnings.catch_warnings(), deepviz.watch(model, opt, logdir=logdir, every=1) as w:
        warnings.simplefilter("ignore")
        for step in range(steps):
            opt.zero_grad()
            model(torch.randn(16, 4)).square().mean().backward()
            opt.step()
            loss = math.nan if nan_at is not None and step >= nan_at else 2.0 / (step + 1)
            w.step(loss=loss, val_loss=2.2 / (step + 1) ** 0.5)


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    record(root / "calm", 40)
    record(root / "nan", 40, nan_at=25)
    return root


@pytest.fixture(scope="module")
def server(logdir):
    yield from serve(logdir=logdir)


def test_runs_overlaid_with_the_diagnosis_and_a_run_written_live(server, page, logdir, tmp_path):  # noqa: F811
    page.goto(f"{server}/runs")
    page.wait_for_function("window.runs.polls > 0")
    assert page.locator('.chart[data-tag="loss"] path.series').count() == 2  # both runs on one chart
    assert page.locator('.chart[data-tag="val_loss"]').count() == 1
    nan = page.locator('.run-findings[data-run="nan"]')
    assert nan.locator('.finding[data-kind="divergence"]').inner_text().startswith("divergence · from step 25")
    assert page.locator('.run-findings[data-run="calm"] .ok').inner_text() == "no problem found"
    assert page.locator("#grad-heatmap canvas").count() == 1 and page.locator("#ridgeline path.ridge").count() >= 20
    page.screenshot(path=str(tmp_path / "runs.png"), full_page=True)

    # a run written while the page is open: each event drawn within about two seconds
    latencies = []
    with deepviz.watch(Tiny(), logdir=logdir / "live", every=1, histograms=False) as w:
        for step in range(4):
            w.step(loss=1.0 / (step + 1))
            w._writer.flush()  # what the writer does each second (flush_secs=1)
            written = time.time()
            page.wait_for_function(f"(window.runs.last['live'] ?? -1) >= {step}", timeout=5000)
            latencies.append(page.evaluate("window.runs.drawnAt") / 1000 - written)
    assert max(latencies) < 2.5, latencies
    assert page.locator('.chart[data-tag="loss"] path.series').count() == 3
    assert not page.errors


def test_bad_polls_are_field_errors(server):
    import httpx

    r = httpx.post(f"{server}/api/runs/poll", content=b'{"since": {"calm": "x"}}')
    assert r.status_code == 422 and r.json()["detail"].startswith("since.calm")
    assert httpx.post(f"{server}/api/runs/poll", content=b"{oops").status_code == 422
    assert httpx.post(f"{server}/api/runs/poll", json={"since": {"calm": 10**9}}).json()["runs"]["calm"]["scalars"] == {}


def test_a_long_run_sends_a_sample_of_its_histograms(tmp_path):
    from deepviz.studio.runs import MAX_HISTOGRAMS, Runs

    record(tmp_path / "long", MAX_HISTOGRAMS + 30)
    hs = Runs(tmp_path).poll({})["runs"]["long"]["histograms"]["weights/fc1"]
    assert len(hs) == MAX_HISTOGRAMS and hs[0]["step"] == 0 and hs[-1]["step"] == MAX_HISTOGRAMS + 29
