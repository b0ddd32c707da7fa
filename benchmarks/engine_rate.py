"""Engine rate: epochs per second of the playground's engine alone (no server), on one core, and a frame's cost.

Each epoch is what playing costs the server: one pass of shuffled mini-batches plus the epoch's record (the
losses on both splits, the tape's snapshot). Reported both per second of the process's own CPU time (what
the engine costs, steady on a machine shared with other work) and per second of wall time. A frame is what
a worker builds for a playing page after each change (a session's steady frames, as JSON text): its CPU
milliseconds and its size.

    .venv/bin/python benchmarks/engine_rate.py [--seconds 3] [--repeat 3]

Run it with another checkout's ``src`` first on PYTHONPATH to measure that engine (before/after).
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import time

SETUPS = {"a: circle, 4-2": {}, "b: spiral, 8-8-8-8": {"dataset": "spiral", "hidden": (8, 8, 8, 8)}}


def cpu_model() -> str:
    """The processor's name as lscpu reports it (benchmark figures depend on it)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        return next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return platform.processor() or "unknown"


def rate(settings: dict, seconds: float) -> tuple[float, float]:
    """(epochs per CPU second, epochs per wall second) over about ``seconds`` of CPU time."""
    from deepviz.studio.engine import Config, Playground

    p = Playground(Config(**settings))
    for _ in range(20):  # warm up
        p.train_epoch()
    n, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while time.process_time() - cpu0 < seconds:
        p.train_epoch()
        n += 1
    return n / (time.process_time() - cpu0), n / (time.perf_counter() - wall0)


def frame_cost(settings: dict, seconds: float) -> tuple[float, int]:
    """(CPU milliseconds per frame, bytes per frame) of a session's frames after its first."""
    from deepviz.studio.workers import Session

    s = Session()
    s.pg.update(**settings)
    for _ in range(3):
        s.pg.train_epoch()
    s.frame()
    n, cpu0 = 0, time.process_time()
    while time.process_time() - cpu0 < seconds:
        s.version += 1  # a change: the next frame is built, as after an epoch
        text = s.frame()
        n += 1
    return (time.process_time() - cpu0) / n * 1e3, len(text.encode())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import torch

    import deepviz

    torch.set_num_threads(1)
    print(f"CPU: {cpu_model()}; torch {torch.__version__}; deepviz from {deepviz.__file__}")
    print(f"{'setup':22s} {'epochs/CPU s':>13s} {'epochs/wall s':>14s} {'frame CPU ms':>13s} {'frame KB':>9s}"
          f"   (best of {args.repeat})")
    for name, settings in SETUPS.items():
        runs = [rate(settings, args.seconds) for _ in range(args.repeat)]
        frames = [frame_cost(settings, args.seconds / 2) for _ in range(args.repeat)]
        print(f"{name:22s} {max(r[0] for r in runs):13.1f} {max(r[1] for r in runs):14.1f} "
              f"{min(f[0] for f in frames):13.2f} {frames[0][1] / 1024:9.1f}")


if __name__ == "__main__":
    main()
