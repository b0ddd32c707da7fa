"""What deepviz needs from the system, checked in one place: `deepviz doctor` and the commands that need a tool.

Each requirement names what uses it and the Debian packages that provide it, so a missing tool is
one line saying what to install, never a traceback from deep inside Manim or Graphviz.
"""
from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from .voice import SYNTHESISERS


@dataclass(frozen=True)
class Requirement:
    name: str
    used_for: str
    packages: str  # as `apt-get install` takes them
    executable: str | None = None
    module: str | None = None  # a Python module whose import needs a system library
    glob: str | None = None  # a file a package installs (a voice)

    def present(self) -> bool:
        if self.executable is not None and shutil.which(self.executable) is None:
            return False
        if self.module is not None and importlib.util.find_spec(self.module) is None:
            return False
        return self.glob is None or any(Path("/").glob(self.glob))


REQUIREMENTS = (
    Requirement("ffmpeg", "every video: encoding, captions, posters", "ffmpeg", executable="ffmpeg"),
    Requirement("cairo/pango", "drawing the frames (Manim's renderer)", "libcairo2-dev libpango1.0-dev pkg-config",
                module="manimpango"),
    Requirement("latex", "formulas in videos (MathTex)", "texlive-latex-base texlive-latex-extra texlive-fonts-recommended",
                executable="latex"),
    Requirement("dvisvgm", "formulas in videos (MathTex)", "dvisvgm", executable="dvisvgm"),
    Requirement("graphviz", "diagrams of your own model, autodiff graphs", "graphviz", executable="dot"),
    Requirement("chromium", "the browser tests and page screenshots", "chromium", executable="chromium"),
    # the voices, as voice.py declares them (festival first, espeak-ng the fallback)
    *(Requirement(s.name, "the narrated voice (--voice)", s.packages, executable=s.executable, glob=s.needs)
      for s in SYNTHESISERS),
)
RENDER = ("ffmpeg", "cairo/pango")  # what every render needs before it starts


class MissingTool(RuntimeError):
    """A system tool a command needs is not installed; the message says what to install."""


def require(*names: str) -> None:
    """Raise :class:`MissingTool` naming the first of ``names`` that is missing and its Debian packages."""
    for r in REQUIREMENTS:
        if r.name in names and not r.present():
            raise MissingTool(f"{r.name} is not installed (needed for {r.used_for}): apt-get install {r.packages}")


def report() -> tuple[str, bool]:
    """A table of every requirement, and whether everything a render needs is there."""
    lines = []
    for r in REQUIREMENTS:
        lines.append(f"{'ok' if r.present() else 'MISSING':8s} {r.name:12s} {r.used_for}"
                     + ("" if r.present() else f"  ->  apt-get install {r.packages}"))
    ok = all(r.present() for r in REQUIREMENTS if r.name in RENDER)
    return "\n".join(lines), ok
