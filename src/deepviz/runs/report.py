"""The terminal's view of a logdir: ``deepviz runs diagnose`` and ``deepviz runs summary``, run by run."""
from __future__ import annotations

import math
from pathlib import Path

from . import split_tag
from .diagnose import diagnose
from .logdir import Run, read_logdir


def _header(run: Run) -> list[str]:
    return [f"{run.name}  (steps 0-{run.last_step})"] + [f"  ! {p}" for p in run.problems]


def diagnose_lines(logdir: str | Path) -> list[str]:
    lines = []
    for run in read_logdir(logdir):
        findings = diagnose(run.scalars)
        lines += _header(run) + ([f"  {f.line()}" for f in findings] or ["  no problem found"])
    return lines


def summary_lines(logdir: str | Path) -> list[str]:
    lines = []
    for run in read_logdir(logdir):
        lines += _header(run)
        for tag, (steps, values) in sorted(run.scalars.items()):
            if split_tag(tag) is None and values:
                finite = [v for v in values if math.isfinite(v)]
                low = f"  (min {min(finite):.4g})" if finite and "loss" in tag.lower() else ""
                lines.append(f"  {tag:24s} {values[-1]:>12.4g} at step {steps[-1]}{low}")
    return lines
