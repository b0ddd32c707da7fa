"""A classroom on a cluster: the studio's playground sessions on the local Pool and on the RayPool.

Each pool gets one worker (a process, or a Ray actor of one CPU on Ray's simulated cluster, 2 nodes of
one CPU), N default sessions playing at full speed, and for ``--seconds`` the benchmark counts each
session's epochs (from its frames) and the CPU time the worker used. Sessions per core at 30 epochs/s
is the worker's epochs per CPU second / 30 (what a shared machine changes least), beside the largest
N measured whose every session reached 30 epochs/s of wall time. Then the Ray path's costs: starting an
actor, an empty poll (the relay's round trip), and a page's message round trip (a message answered
with an error reply) on both pools, idle and with N sessions playing. Prints figures; never fails.

    PYTHONPATH=src .venv/bin/python benchmarks/classroom.py [--sessions 1 2 4 8] [--seconds 8]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import threading
import time

from engine_rate import cpu_model

from deepviz.studio.ray_pool import SNAPSHOT_SECONDS

EPOCH = re.compile(r'^\{"type":"frame","epoch":(\d+)')
RATE = 30.0  # epochs per second a session should get


class Tab:
    """One session's page: the epochs its frames show, and its error replies."""

    def __init__(self) -> None:
        self.epoch = self.frames = self.bytes = 0
        self.replies = threading.Semaphore(0)

    def deliver(self, text: str) -> None:
        m = EPOCH.match(text)
        if m:
            self.epoch, self.frames, self.bytes = int(m.group(1)), self.frames + 1, self.bytes + len(text)
        elif text.startswith('{"type":"error"'):
            self.replies.release()


def cpu_of(pids: list[int]) -> float:
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def play(pool, pids: list[int], n: int, seconds: float) -> dict:
    tabs = [Tab() for _ in range(n)]
    remotes = [pool.open(t.deliver) for t in tabs]
    for r in remotes:
        r.send('{"type":"play"}')
    time.sleep(1.5)  # warm up: every session's first frames
    start = [(t.epoch, t.frames, t.bytes) for t in tabs]
    cpu, front, t0 = cpu_of(pids), cpu_of([os.getpid()]), time.perf_counter()
    time.sleep(seconds)
    wall = time.perf_counter() - t0
    rates = [(t.epoch - s[0]) / wall for t, s in zip(tabs, start)]
    frames = sum(t.frames - s[1] for t, s in zip(tabs, start))
    kb = sum(t.bytes - s[2] for t, s in zip(tabs, start)) / 1024
    used, front = cpu_of(pids) - cpu, cpu_of([os.getpid()]) - front
    snaps = [len(b) for b in getattr(pool, "snapshots", {}).values()]  # the RayPool's, kept by the front
    for r in remotes:
        r.close()
    return {"n": n, "min": min(rates), "mean": statistics.mean(rates), "total": sum(rates),
            "cores": used / seconds, "per_cpu_s": sum(rates) * seconds / max(used, 1e-9),
            "snapshot_kb": statistics.mean(snaps) / 1024 if snaps else None, "fps": frames / wall / n,
            "frame_kb": kb / max(frames, 1), "front_ms": front * 1000 / max(frames, 1)}


def round_trip(pool, k: int = 40) -> str:
    """Median and 90th percentile ms from a page's message to its reply (a message of no known type: an
    error reply), one message at a time at random moments."""
    tab = Tab()
    remote = pool.open(tab.deliver)
    times = []
    for _ in range(k):
        t = time.perf_counter()
        remote.send('{"type":"nope"}')
        tab.replies.acquire(timeout=30)
        times.append((time.perf_counter() - t) * 1000)
        time.sleep(random.uniform(0, 0.03))
    remote.close()
    p = sorted(times[5:])
    return f"{statistics.median(p):.1f} / {p[int(0.9 * len(p))]:.1f}"


def measure(name: str, pool, pids: list[int], sessions: list[int], seconds: float) -> None:
    print(f"\n{name}: one worker")
    print("| sessions | per session ep/s (min / mean) | total ep/s | worker cores | ep per CPU s "
          "| sessions per core at 30 ep/s | frames/s per session | kB per frame | front CPU ms per frame | snapshot kB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in sessions:
        r = play(pool, pids, n, seconds)
        kb = f"{r['snapshot_kb']:.1f}" if r["snapshot_kb"] else ""
        print(f"| {n} | {r['min']:.1f} / {r['mean']:.1f} | {r['total']:.1f} | {r['cores']:.2f} | {r['per_cpu_s']:.0f} "
              f"| {r['per_cpu_s'] / RATE:.1f} | {r['fps']:.1f} | {r['frame_kb']:.1f} | {r['front_ms']:.2f} | {kb} |",
              flush=True)
    idle = round_trip(pool)
    tabs = [Tab() for _ in range(max(sessions))]
    busy = [pool.open(t.deliver) for t in tabs]
    for r in busy:
        r.send('{"type":"play"}')
    time.sleep(1.0)
    loaded = round_trip(pool)
    for r in busy:
        r.close()
    print(f"message round trip (median / p90): {idle} ms idle, {loaded} ms with {max(sessions)} sessions playing")


def local(sessions: list[int], seconds: float) -> None:
    from deepviz.studio.workers import Pool

    pool = Pool(1)
    time.sleep(3)  # the worker imports torch
    measure("local Pool (a process)", pool, [p.pid for p in pool.procs], sessions, seconds)
    pool.stop()


def on_ray(sessions: list[int], seconds: float) -> None:
    import ray

    from deepviz.cluster import simulated_cluster
    from deepviz.studio.ray_pool import BUDGET, RayPool

    t = time.perf_counter()
    cluster = simulated_cluster(nodes=2, attempts=6)  # a loaded machine: raylets give up on their agents
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    print(f"\nsimulated cluster: 2 nodes x 1 CPU, started in {time.perf_counter() - t:.1f} s")
    try:
        pool = RayPool(1, per_actor=max(sessions) + 1)
        tab = Tab()
        t = time.perf_counter()
        first = pool.open(tab.deliver)
        while tab.frames == 0:
            time.sleep(0.01)
        print(f"first session's first frame (an actor started: a process importing torch): "
              f"{time.perf_counter() - t:.2f} s")
        first.close()
        actor = pool.slots[0].actor
        pid = ray.get(actor.__ray_call__.remote(lambda self: os.getpid()))
        polls = []
        for _ in range(50):
            t = time.perf_counter()
            ray.get(actor.poll.remote(0.0))
            polls.append((time.perf_counter() - t) * 1000)
        rtt = statistics.median(polls[5:])
        print(f"empty poll (the relay's round trip to the actor): {rtt:.2f} ms median; with {BUDGET * 1000:.0f} ms "
              f"of training per poll the actor waits {rtt / (BUDGET * 1000 + rtt):.1%} of its time")
        measure("RayPool (a Ray actor, num_cpus=1)", pool, [pid], sessions, seconds)
        recovery(ray, pool)
        pool.stop()
    finally:
        ray.shutdown()
        cluster.shutdown()


def recovery(ray, pool) -> None:
    """A playing session's actor killed: seconds until the page hears where its run resumed (a new actor on
    the other node, whose CPU is free: a process started, torch imported, the session rebuilt)."""
    notices: list[str] = []
    got = threading.Event()

    def deliver(text: str) -> None:
        if '"the training node was lost' in text:
            notices.append(text)
            got.set()

    remote = pool.open(deliver)
    remote.send('{"type":"play"}')
    time.sleep(2 * SNAPSHOT_SECONDS + 0.5)  # a snapshot past the start
    t = time.perf_counter()
    ray.kill(pool.slots[remote.worker].actor)
    got.wait(120)
    print(f"actor killed -> the page told where it resumed: {time.perf_counter() - t:.1f} s ({notices[:1]})")
    remote.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--only", choices=("local", "ray"))
    args = ap.parse_args()
    print(f"CPU: {cpu_model()}, {len(os.sched_getaffinity(0))} cores; load average {os.getloadavg()[0]:.1f}")
    if args.only != "ray":
        local(args.sessions, args.seconds)
    if args.only != "local":
        on_ray(args.sessions, args.seconds)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
