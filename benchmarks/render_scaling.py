"""Cost curves: render time and peak memory against the size of the example, and Ray's per-task overhead.

Each render runs in a fresh process (so its peak memory is its own) and is timed around
``render_concept`` alone (imports excluded). Beside each render: the video's length, its narration
steps and the wall time per second of video; a curve that is linear in the animated steps keeps that
last figure flat as the example grows. Prints tables; never fails on timing.

    .venv/bin/python benchmarks/render_scaling.py [--quality test|low] [--curve NAME] [--overhead]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

# (curve, concept, parameter, the sizes, the value for a size)
CURVES = {
    "transposed-conv": ("input", [3, 6, 9, 12], lambda n: f"{n},{n}"),
    "attention": ("sentence", [2, 5, 8], lambda n: " ".join(["she", "does", "not", "want", "the", "big", "black", "cat"][:n])),
    "rnn": ("sentence", [2, 5, 10], lambda n: " ".join("I feel thankful and happy today with my good friends".split()[:n])),
    "autodiff": ("expr", [2, 4, 8], lambda n: "; ".join(["a1 = x*w"] + [f"a{i} = a{i - 1}*w + x" for i in range(2, n)]
                                                         + [f"L = a{n - 1}**2"])),
    "space-folding": ("points", [40, 160, 400], str),
}
EXTRA = {"autodiff": {"values": "x=0.5, w=0.8"}}

ONE = """
import json, resource, sys, time
from deepviz import catalog
from deepviz.render import render_concept
concept, quality, out, values = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
steps = len(catalog.get(concept).trace(None, **values).narration)
t0 = time.perf_counter()
r = render_concept(concept, None, quality=quality, output=out, jobs=1, **values)
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "video": r.duration, "steps": steps,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def curve(name: str, quality: str, out: str) -> None:
    param, sizes, value = CURVES[name]
    print(f"\n{name} ({param})")
    print(f"{'size':>5s} {'steps':>5s} {'video s':>8s} {'wall s':>7s} {'wall/video':>10s} {'peak MB':>8s}")
    for n in sizes:
        values = {param: value(n), **EXTRA.get(name, {})}
        res = subprocess.run([sys.executable, "-c", ONE, name, quality, out, json.dumps(values)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            print(f"{n:5d} failed: {res.stderr.strip().splitlines()[-1][:160]}")
            continue
        m = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"{n:5d} {m['steps']:5d} {m['video']:8.1f} {m['wall']:7.1f} {m['wall'] / m['video']:10.3f} "
              f"{m['rss_mb']:8.0f}", flush=True)


def overhead(tasks: int = 200) -> None:
    """Ray's cost per task on the simulated 2-node cluster: empty tasks, one CPU each, one at a time and all at once."""
    import ray

    from deepviz.cluster import simulated_cluster

    t0 = time.perf_counter()
    c = simulated_cluster(nodes=2)
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - t0

    @ray.remote(num_cpus=1)
    def empty(i: int) -> int:
        return i

    ray.get([empty.remote(i) for i in range(20)])  # warm: a worker on each node
    t0 = time.perf_counter()
    for i in range(tasks):
        ray.get(empty.remote(i))
    serial = (time.perf_counter() - t0) / tasks
    t0 = time.perf_counter()
    ray.get([empty.remote(i) for i in range(tasks)])
    batch = (time.perf_counter() - t0) / tasks
    payload = ray.put(b"x" * (4 * 1024**2))  # a 480p video's size, returned through the object store
    t0 = time.perf_counter()
    for _ in range(20):
        ray.get(empty.remote(payload))
    mb4 = (time.perf_counter() - t0) / 20
    ray.shutdown()
    c.shutdown()
    print(f"\nsimulated cluster: 2 nodes x 1 CPU, started in {started:.1f} s")
    print(f"per task, one at a time (submit -> result): {serial * 1000:.1f} ms")
    print(f"per task, {tasks} submitted at once:           {batch * 1000:.1f} ms")
    print(f"per task with a 4 MB argument:               {mb4 * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", default="test", choices=["test", "low"])
    ap.add_argument("--curve", action="append", choices=list(CURVES))
    ap.add_argument("--overhead", action="store_true", help="only Ray's per-task overhead on the simulated cluster")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  quality: {args.quality}")
    if args.overhead:
        overhead()
        return
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        for name in args.curve or CURVES:
            curve(name, args.quality, out)


if __name__ == "__main__":
    main()
