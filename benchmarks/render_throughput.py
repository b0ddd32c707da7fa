"""Render throughput: seconds of video per second of wall time, per preset and quality.

Each render runs as a user would run it (`deepviz render ...` in a fresh process, so the
figure includes importing torch and Manim). Prints a table; never fails on timing.

    .venv/bin/python benchmarks/render_throughput.py [--quality low high] [--concept NAME]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The hand-made video deepviz replaces: 79 s of 480p video rendered in about 19 s on 2 cores.
REFERENCE = {"video_s": 79.0, "wall_s": 19.0}


def video_seconds(path: Path) -> float:
    out = subprocess.check_output(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                   "-of", "csv=p=0", str(path)], text=True)
    return float(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", nargs="+", default=["low", "high"])
    ap.add_argument("--concept", action="append")
    ap.add_argument("--repeat", type=int, default=1, help="runs per render; the fastest counts (this VM is noisy)")
    ap.add_argument("--no-gallery", action="store_true", help="skip the whole-gallery measurement")
    args = ap.parse_args()

    from deepviz import catalog

    exe = Path(sys.executable).with_name("deepviz")
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")
    print(f"reference (hand-made video, 480p): {REFERENCE['video_s'] / REFERENCE['wall_s']:.2f} s video / s wall")
    print(f"{'concept':16s} {'preset':26s} {'quality':8s} {'video s':>8s} {'wall s':>8s} {'video/wall':>10s}")
    totals: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for c in catalog.concepts():
            if args.concept and c.name not in args.concept:
                continue
            for p in c.presets:
                for q in args.quality:
                    wall = float("inf")
                    for _ in range(max(1, args.repeat)):
                        t0 = time.perf_counter()
                        res = subprocess.run([str(exe), "render", c.name, "--preset", p.name, "-q", q,
                                              "--output", tmp], capture_output=True, text=True)
                        wall = min(wall, time.perf_counter() - t0)
                    if res.returncode != 0:
                        print(f"{c.name:16s} {p.name:26s} {q:8s} failed: {res.stderr.strip()[-200:]}")
                        continue
                    video = Path(next(line.split(None, 1)[1] for line in res.stdout.splitlines()
                                      if line.startswith("video")))
                    secs = video_seconds(video)
                    totals.setdefault(q, [0.0, 0.0])
                    totals[q][0] += secs
                    totals[q][1] += wall
                    print(f"{c.name:16s} {p.name:26s} {q:8s} {secs:8.1f} {wall:8.1f} {secs / wall:10.2f}", flush=True)
    if not args.no_gallery:
        gallery_throughput(exe, totals.get("low", [0.0])[0])
    for q, (secs, wall) in totals.items():
        ratio = secs / wall
        ref = REFERENCE["video_s"] / REFERENCE["wall_s"]
        print(f"total {q}: {secs:.1f} s of video in {wall:.1f} s wall = {ratio:.2f} s/s "
              f"({ratio / ref:.2f}x the hand-made reference)" if q == "low" else
              f"total {q}: {secs:.1f} s of video in {wall:.1f} s wall = {ratio:.2f} s/s")


def gallery_throughput(exe: Path, video_s: float) -> None:
    """`make demo`'s job: every preset at 480p, one process per core, imports paid once per process."""
    jobs = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([str(exe), "gallery", "--force", "--output", tmp, "--jobs", str(jobs)],
                       capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
    if video_s:
        print(f"gallery (low, {jobs} processes): {video_s:.1f} s of video in {wall:.1f} s wall = {video_s / wall:.2f} s/s")
    else:
        print(f"gallery (low, {jobs} processes): {wall:.1f} s wall")


if __name__ == "__main__":
    main()
