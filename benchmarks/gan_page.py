"""The GAN page's rates: iterations per second of the default setup as a studio worker plays it (frames
included, at most ``workers.FPS`` a second), the engine's iterations alone, and a frame's cost and size.

    .venv/bin/python benchmarks/gan_page.py [--seconds 5]   (PYTHONPATH=src to measure a checkout)

Reported per second of the process's own CPU time (steady on a machine shared with other work) and per second
of wall time. GAN Lab (poloclub/ganlab, TensorFlow.js 0.12 in the browser) is not measured beside it: its
build needs Polymer's bower components and tfjs from the network.
"""
from __future__ import annotations

import argparse
import json
import time


def _timed(seconds: float, work) -> tuple[int, float, float]:
    """Run ``work()`` (returns how many units it did) for about ``seconds`` of CPU time: (units, cpu s, wall s)."""
    n, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while time.process_time() - cpu0 < seconds:
        n += work()
    return n, time.process_time() - cpu0, time.perf_counter() - wall0


def engine_rate(seconds: float) -> tuple[float, float]:
    from deepviz.studio.gan import GanConfig, GanRun

    run = GanRun(GanConfig())

    def one() -> int:
        run.step()
        return 1

    n, cpu, wall = _timed(seconds, one)
    return n / cpu, n / wall


def worker_rate(seconds: float) -> tuple[float, float, float]:
    """(iterations per CPU second, per wall second, frames per wall second) of one playing session."""
    from deepviz.studio.gan_session import GanSession
    from deepviz.studio.workers import Worker

    worker = Worker()
    worker.open(1, "gan")
    worker.message(1, '{"type":"play"}')
    session = worker.sessions[1]
    assert isinstance(session, GanSession)
    frames = 0

    def slice_() -> int:
        nonlocal frames
        before = session.run.iteration
        frames += sum(t.startswith('{"type":"frame"') for _, t in worker.run(0.004))
        return session.run.iteration - before

    n, cpu, wall = _timed(seconds, slice_)
    return n / cpu, n / wall, frames / wall


def frame_cost(count: int = 50) -> tuple[float, int]:
    """(CPU milliseconds per frame, bytes per frame) of a playing session's steady frames."""
    from deepviz.studio.gan_session import GanSession

    s = GanSession()
    s.frame()
    total, size = 0.0, 0
    for _ in range(count):
        s.run.step()
        cpu0 = time.process_time()
        text = s.frame()
        total += time.process_time() - cpu0
        size += len(text)
        json.loads(text)
    return 1000 * total / count, size // count


def main() -> None:
    import torch
    from engine_rate import cpu_model  # benchmarks/ is the script's folder: first on sys.path

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"CPU: {cpu_model()}; torch {torch.__version__}; one torch thread, as a studio worker")
    cpu, wall = engine_rate(args.seconds)
    print(f"engine alone (default setup: ring, 2x16 G and D, Adam, batch 64): {cpu:.0f} iterations/s of CPU, "
          f"{wall:.0f} of wall time")
    cpu, wall, fps = worker_rate(args.seconds)
    print(f"played in a worker with its frames: {cpu:.0f} iterations/s of CPU, {wall:.0f} of wall time, "
          f"{fps:.1f} frames/s")
    ms, size = frame_cost()
    print(f"a frame: {ms:.1f} ms of CPU, {size / 1024:.1f} KB of JSON")


if __name__ == "__main__":
    main()
