"""Playground rate: epochs per second and frames per second in a real headless Chromium page.

Starts the studio server, opens the playground, presses play and counts for ``--seconds``
(three runs per setup, the median reported): epochs trained (the page's epoch counter) and
frames drawn (each frame: the 100x100 output map and every neuron's 40x40 map, losses, weights).

    .venv/bin/python benchmarks/playground_rate.py [--seconds 30] [--runs 3]

Setups, as in the issue: (a) the default (circle, X1 X2, hidden 4 and 2, tanh, learning rate
0.03, batch 10, 50 % training data); (b) spiral with hidden layers 8, 8, 8, 8.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import threading
import time

SETUPS = {"a: circle, 4-2": "", "b: spiral, 8-8-8-8": "#dataset=spiral&hidden=8,8,8,8"}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def serve():
    import uvicorn

    from deepviz.studio.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return srv, f"http://127.0.0.1:{port}/"


def measure(page, url: str, seconds: float) -> tuple[float, float]:
    page.goto(url)
    page.wait_for_function("window.playground && window.playground.frames > 0")
    page.click("#play")
    time.sleep(1.0)  # warm up
    e0, f0, t0 = int(page.inner_text("#epoch")), page.evaluate("window.playground.frames"), time.perf_counter()
    time.sleep(seconds)
    e1, f1, t1 = int(page.inner_text("#epoch")), page.evaluate("window.playground.frames"), time.perf_counter()
    page.click("#play")
    return (e1 - e0) / (t1 - t0), (f1 - f0) / (t1 - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    srv, base = serve()
    print(f"{'setup':22s} {'epochs/s':>9s} {'frames/s':>9s}   (median of {args.runs} runs of {args.seconds:.0f} s)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 820})
        for name, fragment in SETUPS.items():
            runs = [measure(page, base + fragment, args.seconds) for _ in range(args.runs)]
            print(f"{name:22s} {statistics.median(r[0] for r in runs):9.1f} "
                  f"{statistics.median(r[1] for r in runs):9.1f}   runs: "
                  + ", ".join(f"{e:.0f}/{f:.0f}" for e, f in runs))
        browser.close()
    srv.should_exit = True


if __name__ == "__main__":
    main()
