"""CNN page latency: from a pen move on the drawing canvas to every activation map and the prediction drawn,
in a real headless Chromium; the server's forward of all activation maps; and the page's live training rate on the
digits (epochs/s, one full-batch epoch per step).

Opens ``/cnn`` (the digits CNN) and draws strokes on the canvas, one mouse move at a time, waiting for each
answer. The page measures each latency itself: from the pointer event's time stamp until the new maps and bars
are painted (a task posted from the next animation frame runs once that frame is on screen). The server's part is
timed in this process too: ``cnn.forward`` (one forward pass recorded by the capture, every layer's output kept)
and the frame as JSON.

    .venv/bin/python benchmarks/cnn_page.py [--moves 80]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time

from engine_rate import cpu_model
from playground_rate import ARGS, serve_studio


def draw(page, moves: int) -> list[float]:
    """The page's latencies (ms) over ``moves`` pen moves: strokes down the canvas, left to right."""
    box = page.locator("#draw").bounding_box()
    before = page.evaluate("window.cnn.latencies.length")
    per = 20
    for stroke in range(max(1, moves // per)):
        x = box["x"] + box["width"] * (0.2 + 0.6 * stroke / max(1, moves // per - 1 or 1))
        page.mouse.move(x, box["y"] + box["height"] * 0.1)
        page.mouse.down()
        for i in range(per):
            seen = page.evaluate("window.cnn.latencies.length")
            page.mouse.move(x + 10 * (i % 3), box["y"] + box["height"] * (0.1 + 0.8 * (i + 1) / per))
            page.wait_for_function(f"window.cnn.latencies.length > {seen}")
        page.mouse.up()
        page.click("#clear")
        page.wait_for_timeout(100)
    return page.evaluate(f"window.cnn.latencies.slice({before})")


def server_ms(repeat: int = 50) -> tuple[float, float]:
    """Median ms of the forward with every map kept, and of the frame's JSON, on a test digit."""
    from deepviz.studio import cnn
    from deepviz.threads import one_thread

    net = cnn.digits_network()
    x = net.examples[7][1]
    fwd, enc = [], []
    for _ in range(repeat + 5):
        t = time.perf_counter()
        with one_thread():  # as in the server's worker threads: two threads on tensors this small cost 25x
            p = cnn.forward(net, x)
        t1 = time.perf_counter()
        json.dumps(p.frame(), separators=(",", ":"))
        fwd.append((t1 - t) * 1000)
        enc.append((time.perf_counter() - t1) * 1000)
    return statistics.median(fwd[5:]), statistics.median(enc[5:])


def training_rate(arch: dict | None = None) -> tuple[float, float, int]:
    """The page's live trainer (``cnn_train.LiveTraining``, the default architecture unless ``arch``) from random
    weights to its last step: (epochs/s, seconds, torch threads). Each step is one full-batch epoch over the 1,437
    training digits; the rate includes the page's snapshots (every 10 steps: the weights and both accuracies)."""
    import torch

    from deepviz.models import digits_cnn
    from deepviz.studio import cnn_train

    digits_cnn.load()  # the data set loaded, as on the page once the network is shown
    t = time.perf_counter()
    run = cnn_train.LiveTraining(arch)
    run.thread.join()
    seconds = time.perf_counter() - t
    if run.error or run.latest().step != run.steps:
        raise SystemExit(f"training failed: {run.error}")
    return run.steps / seconds, seconds, torch.get_num_threads()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=80)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"CPU: {cpu_model()}; {args.moves} pen moves; goal <= 50 ms median")
    fwd, enc = server_ms()
    print(f"server: forward of every activation map {fwd:.2f} ms, the frame as JSON {enc:.2f} ms (medians)")
    rate, seconds, threads = training_rate()
    print(f"live training (default architecture, {threads} torch threads): {rate:.1f} epochs/s ({seconds:.1f} s)")
    studio, base = serve_studio()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "cnn")
        page.wait_for_function("window.cnn && window.cnn.forwards > 0", timeout=180_000)
        got = sorted(draw(page, args.moves))
        server = page.evaluate("window.cnn.server")
        browser.close()
    studio.should_exit = True
    p95 = got[int(0.95 * (len(got) - 1))]
    print(f"draw to drawn maps and prediction: median {statistics.median(got):.1f} ms, p95 {p95:.1f} ms, "
          f"max {max(got):.1f} ms over {len(got)} answers (pen moves and clears; server forward in the page's frames: median "
          f"{statistics.median(server[1:]):.2f} ms)")


if __name__ == "__main__":
    main()
