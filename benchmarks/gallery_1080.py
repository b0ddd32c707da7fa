"""The gallery at 1080p60 on this machine's cores, before and after the split render.

Before: `deepviz gallery -q high -j CORES --no-voice`: each preset one process, presets side by side; the
local gallery never splits a preset (gallery.render_files renders with jobs=1), so this is the gallery's
default today. After: the same presets one after another with `deepviz render -q high`, whose default
splits a long 1080p render over every core (split.auto_parts). Each run is a fresh process writing into
an empty folder; both are silent (a spoken render is never split). Checks that both videos of each
preset have the same frame count and prints wall times, their ratio, the CPU model and the load average.
Never fails on timing.

    .venv/bin/python benchmarks/gallery_1080.py [--concept NAME ...] [--all] [--quality high]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render_split import cpu_model  # benchmarks/ is this script's folder, so on its path

DEFAULT = ["convolution", "model-forward"]  # 5 presets of 21-66 s of video (the lint table's test-quality lengths)


def deepviz(*args: str) -> float:
    """Run the CLI in a fresh process; its wall time. A failed render stops the benchmark with its message."""
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "deepviz.cli", *args], capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"deepviz {' '.join(args)} failed:\n{res.stderr.strip()}")
    return time.perf_counter() - start


def frames(video: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_packets", "-of", "csv=p=0", str(video)], capture_output=True, text=True,
                         check=True).stdout
    return int(out)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concept", action="append", help=f"a concept's presets (repeatable; default {' '.join(DEFAULT)})")
    ap.add_argument("--all", action="store_true", help="the whole catalogue")
    ap.add_argument("--quality", default="high", help="(default high: 1080p60)")
    args = ap.parse_args()
    from deepviz.gallery import plan

    concepts = None if args.all else args.concept or DEFAULT
    jobs = plan(args.quality, "dark", concepts)
    cores = os.cpu_count() or 1
    print(f"CPU: {cpu_model()}  cores: {cores}  quality: {args.quality}  presets: {len(jobs)}  load: {load()}",
          flush=True)
    only = [f"--concept={c}" for c in concepts or []]
    with tempfile.TemporaryDirectory() as tmp:
        before_dir, after_dir = Path(tmp) / "gallery", Path(tmp) / "split"
        before = deepviz("gallery", "-q", args.quality, "-j", str(cores), "--no-voice", "-o", str(before_dir), *only)
        print(f"before (gallery, {cores} processes, no split): {before:.1f} s  load: {load()}", flush=True)
        after = 0.0
        for job in jobs:
            after += deepviz("render", job.concept, "--preset", job.preset, "-q", args.quality, "-o", str(after_dir))
        print(f"after (one preset at a time, split on {cores} cores): {after:.1f} s  load: {load()}")
        print(f"before / after: {before / after:.2f}x")
        for job in jobs:
            a, b = (frames(d / job.concept / f"{job.stem}.mp4") for d in (before_dir, after_dir))
            print(f"  {job.concept} {job.preset}: {a} frames{'' if a == b else f' but {b} split: NOT THE SAME'}")


if __name__ == "__main__":
    main()
