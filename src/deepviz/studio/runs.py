"""The runs page's engine: a logdir read incrementally (TensorBoard's reader) and polled by the page.

The page asks with what it has (``since``: run -> the last step it holds) and gets only what is newer,
so a run being written shows its new events at the next poll (the page polls each second) and a page
that reloads asks for everything again (every scalar; at most MAX_HISTOGRAMS histograms a tag). The
diagnosis is computed on the server (``runs.diagnose``), again only for a run that changed.
"""
from __future__ import annotations

import bisect
import json
import math
import threading
from pathlib import Path

from ..runs.diagnose import diagnose
from ..runs.logdir import Run, check_logdir, run_folders, run_name

MAX_RUNS = 64  # runs a page may name in one poll
MAX_HISTOGRAMS = 48  # per tag and poll, evenly spaced over the steps: the ridgeline draws 24


class Refused(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _number(v: float) -> float | None:  # JSON has no NaN or inf: the page draws a gap (and the diagnosis says why)
    return v if math.isfinite(v) else None


class Runs:
    """Every run under ``logdir``, kept and read on (one lock: polls come from several threads)."""

    def __init__(self, logdir: Path):
        check_logdir(logdir)
        self.logdir = logdir
        self._runs: dict[str, Run] = {}
        self._findings: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def refresh(self) -> None:
        for folder in run_folders(self.logdir):
            name = run_name(self.logdir, folder)
            if name not in self._runs:
                self._runs[name] = Run(name, folder)
        for name, run in self._runs.items():
            if run.reload() or name not in self._findings:
                self._findings[name] = [f.to_json() for f in diagnose(run.scalars)]

    def poll(self, since: dict[str, int]) -> dict:
        with self._lock:
            self.refresh()
            return {"logdir": str(self.logdir), "runs": {name: self._newer(run, since.get(name, -1))
                                                          for name, run in sorted(self._runs.items())}}

    def _newer(self, run: Run, since: int) -> dict:
        scalars = {}
        for tag, (steps, values) in run.scalars.items():
            new = _after(steps, values, since)
            if new:
                scalars[tag] = new
        histograms = {}
        for tag, hs in run.histograms.items():
            new = [h for h in hs if h.step > since]
            if len(new) > MAX_HISTOGRAMS:
                new = [new[round(i * (len(new) - 1) / (MAX_HISTOGRAMS - 1))] for i in range(MAX_HISTOGRAMS)]
            if new:
                histograms[tag] = [{"step": h.step, "lo": h.lo, "hi": h.hi, "limits": h.limits, "counts": h.counts}
                                   for h in new]
        return {"last": run.last_step, "scalars": scalars, "histograms": histograms,
                "diagnosis": self._findings.get(run.name, []), "problems": run.problems}


def _after(steps: list[int], values: list[float], since: int) -> list[list]:
    """The points after step ``since``: a binary search when the steps rise (one writer), a scan otherwise
    (a run restarted into the same folder)."""
    if steps == sorted(steps):  # timsort: one pass over a sorted list
        start = bisect.bisect_right(steps, since)
        return [[s, _number(v)] for s, v in zip(steps[start:], values[start:])]
    return [[s, _number(v)] for s, v in zip(steps, values) if s > since]


def since_from(body: bytes) -> dict[str, int]:
    """The poll's ``{"since": {run: step}}``; a Refused naming the field otherwise."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refused("body", "not valid JSON") from None
    since = data.get("since", {}) if isinstance(data, dict) else None
    if not isinstance(since, dict):
        raise Refused("since", "must be an object {run: last step held}")
    if len(since) > MAX_RUNS:
        raise Refused("since", f"names {len(since)} runs; at most {MAX_RUNS}")
    for name, step in since.items():
        if isinstance(step, bool) or not isinstance(step, int) or step < -1:
            raise Refused(f"since.{name}", f"must be a step number >= -1, got {json.dumps(step)}")
    return since
