"""Layout and pacing checks a scene runs on itself while it renders (with ``check_frame``).

The rules a review of the catalogue found broken, made checkable:

- **overlap**: no two visible text labels overlap;
- **text size**: every visible label is at least :data:`MIN_TEXT_PX` pixels high at 480p
  (the height of "Hg" at the label's effective font size);
- **margin**: no label comes closer than :data:`EDGE_MARGIN` of the frame's width to its edge;
- **span**: during each narration step the visible content (title and caption aside) spans
  at least ``scene.min_content_span`` of the frame's width or height at some moment;
- **reading**: each narration step stays on screen at least :func:`reading_seconds` of its text;
- **dead time**: no stretch longer than :data:`MAX_DEAD_SECONDS` shows neither a change nor a
  caption still being read.

The checks look at geometry only (bounding boxes of points), never at pixels, so they run at
the tests' tiny resolution. :class:`LintReport` keeps the violations and the figures (smallest
text, smallest step span) that the tests assert and the benchmarks print.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np

MIN_TEXT_PX = 12.0  # at 480p
EDGE_MARGIN = 0.02  # of the frame width
MIN_CONTENT_SPAN = 0.55  # of the frame width or height
MAX_DEAD_SECONDS = 4.0
WORDS_PER_SECOND = 2.5
READING_FLOOR = 1.0  # seconds added to every caption: the eye has to find it first
READING_TOL = 0.25  # seconds: a step's length is rounded to whole frames (0.2 s at the tests' 5 fps)
OVERLAP_TOL = 0.03  # units (about 2 px at 480p): touching is not overlapping
HG_PER_FONT_SIZE = 0.2609375 / 20  # height of "Hg" in DejaVu Sans, in units per font-size point
PX_PER_UNIT_480P = 480 / 8.0


def reading_seconds(text: str) -> float:
    """How long a caption takes to read: 2.5 words a second plus a floor."""
    return READING_FLOOR + len(text.split()) / WORDS_PER_SECOND


@dataclass
class LintReport:
    """What the checks found in one render."""

    violations: list[str] = field(default_factory=list)
    smallest_text_px: float = float("inf")
    smallest_text: str = ""
    smallest_span: float = float("inf")  # the smallest of the steps' largest spans (fraction of the frame)
    smallest_span_step: str = ""
    longest_dead: float = 0.0

    def figures(self) -> dict[str, float | str]:
        return {"smallest_text_px": round(self.smallest_text_px, 1), "smallest_text": self.smallest_text,
                "smallest_span": round(self.smallest_span, 2), "smallest_span_step": self.smallest_span_step,
                "longest_dead_s": round(self.longest_dead, 1)}


def is_text(mob) -> bool:
    from manim import MathTex, SingleStringMathTex, Tex, Text
    from manim.mobject.text.text_mobject import MarkupText, Paragraph

    return isinstance(mob, (Text, MarkupText, Paragraph, SingleStringMathTex, MathTex, Tex)) or \
        getattr(mob, "font_size_base", None) is not None


def text_units(mobjects: Iterable) -> Iterator:
    """Every text label among ``mobjects`` and their families, a label counted once as a whole."""
    for mob in mobjects:
        if is_text(mob):
            yield mob
        else:
            yield from text_units(mob.submobjects)


def effective_font_size(mob) -> float:
    """The font size a label is drawn at now, after any scaling since it was made."""
    base = getattr(mob, "font_size_base", None)
    if base is not None:
        h0 = getattr(mob, "height_base", 0.0)
        return base * mob.height / h0 if h0 > 0 else base
    return float(getattr(mob, "font_size", 0.0))


def label_of(mob) -> str:
    for attr in ("text", "tex_string", "original_text"):
        value = getattr(mob, attr, None)
        if isinstance(value, str) and value:
            return value[:40]
    return type(mob).__name__


def opacity(mob, own: bool = False) -> float:
    """The largest fill or stroke opacity of a mobject's family (or its ``own`` points; 0: invisible)."""
    best = 0.0
    for part in ([mob] if own else mob.family_members_with_points()):
        fill = getattr(part, "fill_rgbas", None)
        if fill is not None and len(fill):
            best = max(best, float(np.max(fill[:, 3])))
        stroke = getattr(part, "stroke_rgbas", None)
        if stroke is not None and len(stroke) and (part.get_stroke_width() or 0) > 0:
            best = max(best, float(np.max(stroke[:, 3])))
        if best > 0.05:
            break
    return best


def bbox(mob, visible_only: bool = False, project=None) -> np.ndarray | None:
    """[left, bottom, right, top] of a mobject's points (its visible parts' only, if asked), or None.

    ``project`` maps points to the frame (a 3D camera's projection).
    """
    parts = mob.family_members_with_points()
    pts = [p.points for p in parts if len(p.points) and (not visible_only or opacity(p, own=True) > 0.05)]
    if not pts:
        return None
    allp = np.concatenate(pts)
    if project is not None:
        allp = project(allp)
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    return np.array([lo[0], lo[1], hi[0], hi[1]])


class SceneLint:
    """The checks of one scene, fed by :class:`~deepviz.style.scene.DeepvizScene` as it renders."""

    def __init__(self, frame_width: float, frame_height: float, pixel_height: int, min_span: float):
        self.fw, self.fh = frame_width, frame_height
        self.min_span = min_span
        self.report = LintReport()
        self._step_span = 0.0
        self._step_name = ""
        self._seen: set[str] = set()
        self._last_change = 0.0

    def _flag(self, kind: str, message: str) -> None:
        # one line per distinct defect: the same overlap seen after every animation says nothing new
        key = kind + message.split(" t=")[0]
        if key not in self._seen:
            self._seen.add(key)
            self.report.violations.append(f"{kind}: {message}")

    # -- after every animation --------------------------------------------------------------
    def check_layout(self, time: float, overlay: list, content: list, project=None) -> None:
        """Check the labels of ``overlay`` (title, caption) and ``content``; measure the content's span.

        ``project`` maps the content's points into the frame (3D scenes); labels are fixed in the frame.
        """
        texts = overlay + [m for m in content if project is None or getattr(m, "fixed_in_frame", False)]
        units = [(m, bbox(m)) for m in text_units(texts) if opacity(m) > 0.05]
        units = [(m, b) for m, b in units if b is not None and (b[2] - b[0]) > 1e-3]
        self._check_text_size(time, units)
        self._check_margins(time, units)
        self._check_overlaps(time, units)
        boxes = [bbox(m, True, None if getattr(m, "fixed_in_frame", False) else project) for m in content]
        boxes = [b for b in boxes if b is not None]
        if boxes:
            arr = np.array(boxes)
            width = arr[:, 2].max() - arr[:, 0].min()
            height = arr[:, 3].max() - arr[:, 1].min()
            self._step_span = max(self._step_span, width / self.fw, height / self.fh)

    def _check_text_size(self, time: float, units) -> None:
        for mob, _ in units:
            size = effective_font_size(mob)
            if size <= 0:
                continue
            px = size * HG_PER_FONT_SIZE * PX_PER_UNIT_480P
            if px < self.report.smallest_text_px:
                self.report.smallest_text_px, self.report.smallest_text = px, label_of(mob)
            if px < MIN_TEXT_PX - 0.05:
                self._flag("text size", f"{label_of(mob)!r} is {px:.1f} px high at 480p (< {MIN_TEXT_PX:g}) t={time:.1f}s")

    def _check_margins(self, time: float, units) -> None:
        m = EDGE_MARGIN * self.fw
        x0, x1, y0, y1 = -self.fw / 2 + m, self.fw / 2 - m, -self.fh / 2 + m, self.fh / 2 - m
        for mob, b in units:
            if b[0] < x0 - 1e-3 or b[2] > x1 + 1e-3 or b[1] < y0 - 1e-3 or b[3] > y1 + 1e-3:
                self._flag("margin", f"{label_of(mob)!r} is within {EDGE_MARGIN:.0%} of the frame edge "
                                     f"(x[{b[0]:.2f}, {b[2]:.2f}] y[{b[1]:.2f}, {b[3]:.2f}]) t={time:.1f}s")

    def _check_overlaps(self, time: float, units) -> None:
        if len(units) < 2:
            return
        b = np.array([bb for _, bb in units])
        w = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
        h = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
        hit = (w > OVERLAP_TOL) & (h > OVERLAP_TOL)
        for i, j in zip(*np.nonzero(np.triu(hit, 1))):
            a, c = units[i][0], units[j][0]
            self._flag("overlap", f"{label_of(a)!r} overlaps {label_of(c)!r} t={time:.1f}s")

    # -- time -------------------------------------------------------------------------------
    def animated(self, end: float) -> None:
        """Something changed up to ``end``."""
        self._last_change = end

    def waited(self, end: float, cue_start: float, cue_text: str, spoken_until: float = 0.0) -> None:
        """Nothing changed up to ``end``: is the viewer still reading the caption (or hearing it spoken)?"""
        read_until = cue_start + reading_seconds(cue_text) if cue_text else self._last_change
        read_until = max(read_until, spoken_until)
        dead = end - max(self._last_change, read_until)
        if dead > self.report.longest_dead:
            self.report.longest_dead = dead
        if dead > MAX_DEAD_SECONDS + 1e-6:
            self._flag("dead time", f"{dead:.1f} s with no change and no caption to read before t={end:.1f}s "
                                    f"(at most {MAX_DEAD_SECONDS:g})")

    def step_ended(self, name: str, text: str, start: float, end: float) -> None:
        """A narration step ran from ``start`` to ``end``: long enough to read, big enough to see?"""
        need = reading_seconds(text)
        if end - start < need - READING_TOL:
            self._flag("reading", f"step {name!r} is on screen {end - start:.1f} s; its {len(text.split())} "
                                  f"words need {need:.1f} s")
        if self.min_span > 0:
            if self._step_span < self.report.smallest_span:
                self.report.smallest_span, self.report.smallest_span_step = self._step_span, name
            if self._step_span < self.min_span - 1e-3:
                self._flag("span", f"step {name!r}: the content spans at most {self._step_span:.0%} of the frame "
                                   f"(at least {self.min_span:.0%})")
        self._step_span = 0.0
