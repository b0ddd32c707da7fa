"""Studio load: N playground sessions at once on one studio, as a classroom's tabs would be.

Starts ``deepviz studio`` in its own process, opens N websocket sessions (the page's protocol, no browser),
presses play on each and measures for ``--seconds``: epochs per second in total and per session, how
fairly they share (each session's distance from the mean), frames per second per session, the
latency of ``GET /api/health`` asked every 50 ms meanwhile (p50, p95), and the CPU the studio used (its
server and worker processes, in cores, and epochs per CPU second: what a shared machine does not change).

    .venv/bin/python benchmarks/studio_load.py [--sessions 1 4 16] [--seconds 20]

Run it with another checkout's ``src`` first on PYTHONPATH to measure that studio (before/after).
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

from engine_rate import cpu_model

EPOCH = re.compile(r'^\{"type":\s*"frame",\s*"epoch":\s*(\d+)')


def start_studio(max_sessions: int) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "deepviz.cli", "studio", "--port", str(port)]
    if max_sessions != 16:
        cmd += ["--max-sessions", str(max_sessions)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the studio did not start: " + proc.stderr.read().decode()[-2000:])


def wait_until_empty(port: int) -> None:
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(100):
        conn.request("GET", "/api/health")
        if json.loads(conn.getresponse().read())["sessions"] == 0:
            return
        time.sleep(0.1)


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) used so far by the process ``root`` and its children (the workers)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == root or int(fields[1]) == root:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


class Tab:
    """One session: the epochs its frames show and when they came."""

    def __init__(self) -> None:
        self.epoch = 0
        self.frames: list[tuple[float, int]] = []  # (time, epoch) of each frame


async def run_tab(port: int, tab: Tab, ready: asyncio.Event, go: asyncio.Event, stop: asyncio.Event) -> None:
    import websockets

    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/playground", max_size=None) as ws:
        async def read():
            async for text in ws:
                m = EPOCH.match(text)
                if m:
                    tab.epoch = int(m.group(1))
                    tab.frames.append((time.perf_counter(), tab.epoch))
                    ready.set()

        reader = asyncio.create_task(read())
        await go.wait()
        await ws.send('{"type":"play"}')
        await stop.wait()
        await ws.send('{"type":"pause"}')
        reader.cancel()


def probe_health(port: int, stop: threading.Event, latencies: list[float]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set():
        t = time.perf_counter()
        conn.request("GET", "/api/health")
        conn.getresponse().read()
        latencies.append(time.perf_counter() - t)
        time.sleep(max(0.0, 0.05 - (time.perf_counter() - t)))


async def measure(port: int, pid: int, n: int, seconds: float, warmup: float) -> dict:
    tabs = [Tab() for _ in range(n)]
    readies = [asyncio.Event() for _ in range(n)]
    go, stop = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(run_tab(port, t, r, go, stop)) for t, r in zip(tabs, readies)]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    go.set()
    await asyncio.sleep(warmup)
    latencies: list[float] = []
    halt = threading.Event()
    prober = threading.Thread(target=probe_health, args=(port, halt, latencies))
    t0, cpu0 = time.perf_counter(), cpu_seconds(pid)
    start = [t.epoch for t in tabs]
    prober.start()
    await asyncio.sleep(seconds)
    t1, cpu1 = time.perf_counter(), cpu_seconds(pid)
    end = [t.epoch for t in tabs]
    halt.set()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    prober.join()
    rates = [(b - a) / (t1 - t0) for a, b in zip(start, end)]
    fps = [sum(t0 <= when <= t1 for when, _ in tab.frames) / (t1 - t0) for tab in tabs]
    mean = statistics.mean(rates)
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    return {"n": n, "total": sum(rates), "mean": mean, "min": min(rates), "max": max(rates),
            "spread": max(abs(r - mean) for r in rates) / mean * 100 if mean else float("nan"),
            "fps_min": min(fps), "fps_mean": statistics.mean(fps),
            "p50": statistics.median(latencies) * 1e3, "p95": q[18] * 1e3, "probes": len(latencies),
            "cores": (cpu1 - cpu0) / (t1 - t0), "per_cpu": sum(rates) * (t1 - t0) / max(cpu1 - cpu0, 1e-9)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    args = ap.parse_args()
    print(f"CPU: {cpu_model()} ({os.cpu_count()} cores); default setup (circle, 4-2, batch 10) in every session")
    print(f"{'sessions':>8s} {'total ep/s':>10s} {'per session ep/s (min-max)':>27s} {'spread':>7s} "
          f"{'frames/s min/mean':>18s} {'health p50/p95 ms':>18s} {'studio cores':>12s} {'ep/CPU s':>9s}")
    proc, port = start_studio(max(args.sessions))
    try:
        for n in args.sessions:
            wait_until_empty(port)  # the last round's sessions are closed before the next opens
            r = asyncio.run(measure(port, proc.pid, n, args.seconds, args.warmup))
            print(f"{r['n']:8d} {r['total']:10.1f} {r['mean']:11.1f} ({r['min']:6.1f}-{r['max']:6.1f}) "
                  f"{r['spread']:6.1f}% {r['fps_min']:8.1f}/{r['fps_mean']:<8.1f} "
                  f"{r['p50']:8.1f}/{r['p95']:<8.1f} {r['cores']:12.2f} {r['per_cpu']:9.1f}", flush=True)
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
