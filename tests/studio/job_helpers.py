"""Job functions for the job queue's tests: standard library only, so a spawned process starts fast."""
import os
import time
from pathlib import Path


def timed(out_dir: Path, progress, seconds: float = 0.5, steps: int = 4) -> Path:
    """Report ``steps`` progress values over ``seconds``; the file holds the start and end times."""
    started = time.time()
    progress(0.0, f"pid {os.getpid()}")
    for k in range(1, steps + 1):
        time.sleep(seconds / steps)
        progress(k / steps, f"step {k} of {steps}")
    out = out_dir / "times.txt"
    out.write_text(f"{started} {time.time()}\n")
    return out


def failing(out_dir: Path, progress, message: str = "no\ngood") -> Path:
    (out_dir / "half-written.txt").write_text("partial")
    raise ValueError(message)


def outside(out_dir: Path, progress) -> Path:
    return out_dir.parent
