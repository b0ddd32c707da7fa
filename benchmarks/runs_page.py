"""The runs page with a big logdir: 10 runs x 10,000 training steps, in a real headless Chromium.

Writes the runs with deepviz.watch (a small MLP on random data, recorded every ``--every`` steps with
histograms: 10,000 / every records per run), then measures: the server's first read of the whole logdir
(TensorBoard's loader), the page's load (from navigation to every run drawn), and the time from an event
written (flushed) in an 11th run to it being drawn, over ``--live`` events. Printed with the CPU model.

    .venv/bin/python benchmarks/runs_page.py [--runs 10 --steps 10000 --every 10 --live 10]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import torch
from engine_rate import cpu_model
from playground_rate import ARGS, serve_studio
from torch import nn

import deepviz


def write_run(logdir: Path, steps: int, every: int, seed: int) -> None:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = torch.randn(256, 16), torch.randint(0, 4, (256,))
    with deepviz.watch(model, opt, logdir=logdir, every=every) as w:
        for _ in range(steps):
            i = torch.randint(0, 256, (32,))
            loss = nn.functional.cross_entropy(model(x[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            w.step(loss=loss, val_loss=loss * 1.1) if w.recording else w.step()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--live", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(1)
    from playwright.sync_api import sync_playwright

    from deepviz.studio.runs import Runs

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        for r in range(args.runs):
            write_run(root / f"run{r:02d}", args.steps, args.every, r)
        written = time.perf_counter() - t
        size = sum(f.stat().st_size for f in root.rglob("events.out.tfevents.*"))
        t = time.perf_counter()
        Runs(root).poll({})
        read = time.perf_counter() - t
        srv, url = serve_studio(logdir=root)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t = time.perf_counter()
            page.goto(f"{url}runs")
            page.wait_for_function(f"Object.keys(window.runs.last).length >= {args.runs}", timeout=600_000)
            load = time.perf_counter() - t
            latencies = []
            with deepviz.watch(nn.Linear(4, 4), logdir=root / "live", every=1, histograms=False) as w:
                for step in range(args.live):
                    w.step(loss=1.0 / (step + 1))
                    w._writer.flush()  # the writer flushes each second by itself (flush_secs=1)
                    t0 = time.time()
                    page.wait_for_function(f"(window.runs.last['live'] ?? -1) >= {step}", timeout=10_000)
                    latencies.append(page.evaluate("window.runs.drawnAt") / 1000 - t0)
            browser.close()
        srv.should_exit = True
    print(f"CPU: {cpu_model()}; {args.runs} runs x {args.steps} steps, recorded every {args.every} with histograms "
          f"({args.steps // args.every} records a run), {size / 1e6:.1f} MB of event files, written in {written:.0f} s")
    print(f"server's first read of the logdir (TensorBoard's loader + diagnosis): {read:.2f} s")
    print(f"page load to every run drawn: {load:.2f} s")
    print(f"event written -> drawn, over {args.live} events: median {statistics.median(latencies):.2f} s, "
          f"max {max(latencies):.2f} s (the page polls each second)")


if __name__ == "__main__":
    main()
