"""Playground rate: epochs and frames per second in a real headless Chromium page, deepviz and TensorFlow
Playground measured in the same run.

Starts the studio server, opens the playground, presses play and counts for ``--seconds``: epochs trained
(the page's epoch counter) and frames drawn (each frame: the 100x100 output map and every neuron's 40x40
map, losses, weights). When a build of TensorFlow Playground is at ``--tfp`` (its ``dist`` folder), the
same setups run there too (its iteration counter), served from this machine; the runs alternate between
the two pages so that both see the same machine load. Every figure is printed with the CPU model.

    .venv/bin/python benchmarks/playground_rate.py [--seconds 30] [--runs 3] [--tfp /work/tfp/src/dist]

Setups, as in the issue: (a) the default (circle, X1 X2, hidden 4 and 2, tanh, learning rate 0.03, batch
10, 50 % training data); (b) spiral with hidden layers 8, 8, 8, 8.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import socket
import statistics
import threading
import time
from pathlib import Path

from engine_rate import cpu_model

SETUPS = {"a: circle, 4-2": "", "b: spiral, 8-8-8-8": "dataset=spiral&hidden=8,8,8,8"}
TFP_SETUPS = {"a: circle, 4-2": "dataset=circle&networkShape=4,2", "b: spiral, 8-8-8-8": "dataset=spiral&networkShape=8,8,8,8"}
TFP_COMMON = "activation=tanh&learningRate=0.03&batchSize=10&percTrainData=50&noise=0&x=true&y=true&regularization=none"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_studio(**options) -> tuple[object, str]:
    import uvicorn

    from deepviz.studio.server import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(**options), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return srv, f"http://127.0.0.1:{port}/"


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()),
                                          functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/index.html"


def measure(page, url: str, ready: str, counter, play: str, seconds: float, frames: str | None):
    """(epochs/s, frames/s or None) over ``seconds`` after a second of warm-up; ``counter`` reads the page's
    epoch, ``frames`` (JavaScript) its count of frames drawn."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_function(ready)
    page.click(play)
    time.sleep(1.0)
    count = (lambda: page.evaluate(frames)) if frames else (lambda: 0)
    e0, f0, t0 = counter(page), count(), time.perf_counter()
    time.sleep(seconds)
    e1, f1, t1 = counter(page), count(), time.perf_counter()
    page.click(play)
    return (e1 - e0) / (t1 - t0), (f1 - f0) / (t1 - t0) if frames else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tfp", type=Path, default=Path("/work/tfp/src/dist"),
                    help="a build of TensorFlow Playground (its dist folder); skipped when absent")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tfp = args.tfp if (args.tfp / "index.html").is_file() and (args.tfp / "bundle.js").is_file() else None
    print(f"CPU: {cpu_model()}; median of {args.runs} runs of {args.seconds:.0f} s, alternating pages")
    if tfp is None:
        print(f"TensorFlow Playground: skipped (no build at {args.tfp}; build it with npm ci && npm run build "
              "in a checkout of tensorflow/playground and pass --tfp CHECKOUT/dist)")
    studio, base = serve_studio()
    folder = serve_folder(tfp) if tfp else None
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 820})
        # nothing leaves this machine (TensorFlow Playground's page asks for web fonts and analytics)
        local = ("http://127.0.0.1", "about:", "data:")
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(local) else route.abort())
        for _ in range(args.runs):
            for name, fragment in SETUPS.items():
                url = base + ("#" + fragment if fragment else "")
                results.setdefault(("deepviz", name), []).append(measure(
                    page, url, "window.playground && window.playground.frames > 0",
                    lambda p: int(p.inner_text("#epoch")), "#play", args.seconds, "window.playground.frames"))
                if folder:
                    results.setdefault(("TensorFlow Playground", name), []).append(measure(
                        page, folder[1] + "#" + TFP_SETUPS[name] + "&" + TFP_COMMON,
                        "document.querySelector('#iter-number').textContent.length > 0",
                        lambda p: int(p.inner_text("#iter-number").replace(",", "")), "#play-pause-button",
                        args.seconds, None))
        browser.close()
    studio.should_exit = True
    if folder:
        folder[0].shutdown()
    print(f"{'page':22s} {'setup':20s} {'epochs/s':>9s} {'frames/s':>9s}   runs (epochs/s)")
    for (who, name), runs in results.items():
        frames = statistics.median(r[1] for r in runs) if runs[0][1] is not None else float("nan")
        print(f"{who:22s} {name:20s} {statistics.median(r[0] for r in runs):9.1f} {frames:9.1f}   "
              + ", ".join(f"{r[0]:.1f}" for r in runs))
    if folder:
        for name in SETUPS:
            ours = statistics.median(r[0] for r in results[("deepviz", name)])
            theirs = statistics.median(r[0] for r in results[("TensorFlow Playground", name)])
            print(f"deepviz / TensorFlow Playground, {name}: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
