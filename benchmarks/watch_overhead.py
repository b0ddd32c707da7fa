"""deepviz.watch's recording overhead on a small CNN's training step (the digits CNN, mini-batches of 64, Adam).

Times blocks of training steps without watch, with watch (no histograms) and with watch and histograms,
at the default interval (every=50), every 10 steps and every step, interleaved block by block so the
machine's load affects each alike. Prints the median CPU time per step (of all threads, so the writer's
background thread counts; wall time on a shared machine measures the neighbours) and the overhead over
the plain loop, with the CPU.

    .venv/bin/python benchmarks/watch_overhead.py [--blocks 9 --steps 400]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time

import torch
from engine_rate import cpu_model
from torch import nn

import deepviz
from deepviz.models.digits_cnn import DigitsCNN, load, prepare

BATCH = 64


def block(mode: tuple[int, bool] | None, steps: int, x, y, logdir: str) -> float:
    """CPU seconds per training step over ``steps`` steps: plain (None) or watched with (every, histograms)."""
    torch.manual_seed(0)
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    batches = torch.randint(0, len(y), (steps, BATCH))
    ctx = deepviz.watch(model, opt, logdir=logdir, every=mode[0], histograms=mode[1]) if mode else None
    with ctx or contextlib.nullcontext() as w:
        start = time.process_time()  # CPU time of every thread (the writer's too): the machine's load left out
        for i in batches:
            loss = nn.functional.cross_entropy(model(x[i]), y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if w is not None:
                w.step(loss=loss)
        took = time.process_time() - start
    return took / steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=9)
    ap.add_argument("--steps", type=int, default=400)
    args = ap.parse_args()
    torch.set_num_threads(1)
    train, _ = load()
    x, y = prepare(train.images), train.labels
    modes = {"plain": None, "watch every=50 (default)": (50, False), "watch every=50 + histograms": (50, True),
             "watch every=10": (10, False), "watch every=10 + histograms": (10, True),
             "watch every=1": (1, False), "watch every=1 + histograms": (1, True)}
    times: dict[str, list[float]] = {k: [] for k in modes}
    with tempfile.TemporaryDirectory() as tmp:
        block(None, 20, x, y, tmp)  # warm up
        for b in range(args.blocks):
            for k, mode in modes.items():
                times[k].append(block(mode, args.steps, x, y, f"{tmp}/{b}-{len(times[k])}-{k.replace(' ', '_')}"))
    base = statistics.median(times["plain"])
    print(f"CPU: {cpu_model()}, torch {torch.__version__}, 1 thread; {args.blocks} blocks x {args.steps} steps, "
          f"batch {BATCH}")
    print(f"{'mode':32s} {'CPU ms/step':>12s} {'overhead':>9s}")
    for k, t in times.items():
        m = statistics.median(t)
        print(f"{k:32s} {m * 1e3:12.3f} {100 * (m - base) / base:8.1f}%")


if __name__ == "__main__":
    main()
