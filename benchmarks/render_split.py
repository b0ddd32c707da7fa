"""One video on every core: a render split into parts (deepviz.split) against the same render in one process.

Renders each preset twice in fresh processes (`deepviz render ... -j 1` and `-j N`), checks that the two
videos hold the same frames, and prints wall times, the speed-up, and what the split costs on top: the
skipping first pass and each part rebuilding the mobjects of the plays before it (timed in-process with
the plan alone). Never fails on timing.

    .venv/bin/python benchmarks/render_split.py [--quality high] [--parts 2] [--concept NAME --preset P]
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = [("perceptron", "weather"), ("transposed-conv", "padding-strided"), ("batch-norm", "three-batches")]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def frame_hashes(video: Path) -> list[str]:
    out = subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(video), "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if not line.startswith("#")]


def render(concept: str, preset: str, quality: str, jobs: int, out: Path) -> tuple[float, Path]:
    exe = Path(sys.executable).with_name("deepviz")
    start = time.perf_counter()
    res = subprocess.run([str(exe), "render", concept, "--preset", preset, "-q", quality, "-j", str(jobs),
                          "-o", str(out)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if res.returncode:
        sys.exit(res.stderr.strip())
    video = next(line.split(None, 1)[1] for line in res.stdout.splitlines() if line.startswith("video"))
    return wall, Path(video)


def plan_seconds(concept: str, preset: str, quality: str, parts: int) -> float:
    """The skipping first pass alone (what every part also pays for the plays before it)."""
    from deepviz import catalog
    from deepviz.render import QUALITIES
    from deepviz.split import plan

    width, height, fps = QUALITIES[quality]
    trace = catalog.get(concept).trace(preset)
    settings = {"pixel_width": width, "pixel_height": height, "frame_rate": fps, "disable_caching": True,
                "progress_bar": "none", "verbosity": "ERROR"}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        plan(catalog.get(concept).load_scene(), trace, {"theme": "dark", "burn_captions": False}, settings,
             Path(tmp), parts)
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quality", default="high")
    ap.add_argument("--parts", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--concept")
    ap.add_argument("--preset")
    args = ap.parse_args()
    cases = [(args.concept, args.preset)] if args.concept else DEFAULT
    print(f"CPU: {cpu_model()}  cores: {os.cpu_count()}  load: {os.getloadavg()[0]:.1f}  quality: {args.quality}  "
          f"parts: {args.parts}")
    print(f"{'preset':36s} {'video s':>8s} {'serial s':>9s} {'split s':>8s} {'speed-up':>9s} {'plan s':>7s}  same frames")
    with tempfile.TemporaryDirectory() as tmp:
        for concept, preset in cases:
            serial, a = render(concept, preset, args.quality, 1, Path(tmp) / "serial")
            split, b = render(concept, preset, args.quality, args.parts, Path(tmp) / "split")
            seconds = float(subprocess.check_output(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                                     "-of", "csv=p=0", str(a)], text=True))
            same = frame_hashes(a) == frame_hashes(b)
            print(f"{concept + ' ' + preset:36s} {seconds:8.1f} {serial:9.1f} {split:8.1f} {serial / split:8.2f}x "
                  f"{plan_seconds(concept, preset, args.quality, args.parts):7.1f}  {same}")


if __name__ == "__main__":
    main()
