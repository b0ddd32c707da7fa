"""The base scene every concept's scene extends: theme, title, captions and a frame check.

A concept scene reads only its :class:`~deepviz.trace.Trace`. Used from the ``manim`` CLI,
a subclass may set ``params`` (and ``theme_name``) as class attributes; the trace is then
computed through the catalog, exactly as ``deepviz render`` would.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Sequence

from manim import DOWN, LEFT, RIGHT, UP, BackgroundRectangle, Mobject, Scene, VGroup, config

from ..trace import Trace
from .animations import fade_in, fade_out
from .mobjects import CAPTION_SIZE, TITLE_SIZE, fit_width, label
from .theme import Theme, get_theme

READING_RATE = 17.0  # characters per second a viewer reads comfortably
TITLE_BAND = 0.85  # units at the top kept for the title
CAPTION_BAND = 0.95  # units at the bottom kept for captions (burned in or not)
MARGIN = 0.25


@dataclass
class Cue:
    start: float
    end: float
    text: str


class OutOfFrame(AssertionError):
    pass


class DeepvizScene(Scene):
    concept: ClassVar[str] = ""
    params: ClassVar[dict[str, Any]] = {}
    preset: ClassVar[str | None] = None
    theme_name: ClassVar[str] = "dark"

    def __init__(self, trace: Trace | None = None, theme: str | Theme | None = None, burn_captions: bool = False,
                 check_frame: bool = False, on_step: Callable[[int, int, str], None] | None = None, **kwargs):
        """``on_step(done, total, caption)``, if given, hears of each narration step the scene starts
        (``done`` of the trace's ``total`` steps are finished) and of the end (``done == total``)."""
        if trace is None:
            from .. import api

            trace = api.trace(self.concept, preset=self.preset, **self.params)
        self.trace = trace
        self.theme = theme if isinstance(theme, Theme) else get_theme(theme or self.theme_name)
        self.burn_captions = burn_captions
        self.check_frame = check_frame
        self.on_step = on_step
        self.cues: list[Cue] = []
        self.frame_violations: list[str] = []
        self._caption: Mobject | None = None
        self._cue_started = 0.0
        super().__init__(**kwargs)

    # -- layout ---------------------------------------------------------------------------
    @property
    def content_top(self) -> float:
        return config.frame_height / 2 - TITLE_BAND

    @property
    def content_bottom(self) -> float:
        return -config.frame_height / 2 + CAPTION_BAND

    @property
    def content_width(self) -> float:
        return config.frame_width - 2 * MARGIN

    @property
    def content_height(self) -> float:
        return self.content_top - self.content_bottom

    def place_in_content(self, mob: Mobject, max_height: float | None = None) -> Mobject:
        """Scale a mobject down to fit the content area and centre it there."""
        h = min(self.content_height, max_height or self.content_height)
        if mob.width > self.content_width:
            mob.scale_to_fit_width(self.content_width)
        if mob.height > h:
            mob.scale_to_fit_height(h)
        return mob.move_to(UP * (self.content_top + self.content_bottom) / 2)

    def keep_in_content(self, mob: Mobject) -> Mobject:
        """Shift a mobject sideways so it lies within the content width (e.g. a long label)."""
        half = self.content_width / 2
        if mob.get_left()[0] < -half:
            mob.shift(RIGHT * (-half - mob.get_left()[0]))
        elif mob.get_right()[0] > half:
            mob.shift(LEFT * (mob.get_right()[0] - half))
        return mob

    def add_overlay(self, *mobs: Mobject) -> None:
        """Add what stays put on the screen (title, captions); a 3D scene keeps it out of the camera's moves."""
        self.add(*mobs)

    # -- time -------------------------------------------------------------------------------
    @property
    def time(self) -> float:
        return self.renderer.time

    def setup(self) -> None:
        self.camera.background_color = self.theme.background  # pyright: ignore[reportAttributeAccessIssue]

    def set_title(self, text: str) -> Mobject:
        """Show ``text`` as the title, replacing the previous one."""
        title = label(text, self.theme, size=TITLE_SIZE)
        fit_width(title, self.content_width)
        title.to_edge(UP, buff=0.22)
        title.is_title = True  # pyright: ignore[reportAttributeAccessIssue]
        old = getattr(self, "_title", None)
        self.add_overlay(title)
        if old is not None:
            self.play(*fade_out(old), *fade_in(title), run_time=0.5)
        self._title = title
        return title

    # -- captions ---------------------------------------------------------------------------
    def narrate(self, key: str) -> str:
        """Start the caption ``key`` of the trace's narration (subtitles, and burned in if asked)."""
        text = self.trace.caption(key)
        self._close_cue()
        self.cues.append(Cue(self.time, self.time, text))
        self._cue_started = self.time
        self._report_step(len(self.cues) - 1, text)
        if self.burn_captions:
            if self._caption is not None:
                self.remove(self._caption)
            self._caption = self._caption_mobject(text)
            self.add_overlay(self._caption)
        return text

    def reading_time(self) -> float:
        return len(self.cues[-1].text) / READING_RATE if self.cues else 0.0

    def finish_reading(self, minimum: float = 0.5) -> None:
        """Wait until the current caption has been on screen long enough to read."""
        if not self.cues:
            return
        left = max(minimum, self.reading_time() - (self.time - self._cue_started))
        self.wait(left)

    def _caption_mobject(self, text: str) -> Mobject:
        width_chars = 90
        lines = textwrap.wrap(text, width_chars)[:3]
        cap = label("\n".join(lines), self.theme, size=CAPTION_SIZE)
        fit_width(cap, self.content_width)
        if cap.height > CAPTION_BAND - 0.1:
            cap.scale_to_fit_height(CAPTION_BAND - 0.1)
        cap.to_edge(DOWN, buff=0.08)
        back = BackgroundRectangle(cap, color=self.theme.caption_bg, fill_opacity=0.6, buff=0.06)
        return VGroup(back, cap)

    def _close_cue(self) -> None:
        if self.cues:
            self.cues[-1].end = self.time

    def _report_step(self, done: int, text: str) -> None:
        if self.on_step is not None:
            total = max(len(self.trace.narration), 1)
            self.on_step(min(done, total), total, text)

    def tear_down(self) -> None:
        self._close_cue()
        self._report_step(len(self.trace.narration), "")
        super().tear_down()

    # -- frame check --------------------------------------------------------------------------
    def play(self, *args, **kwargs):
        super().play(*args, **kwargs)
        if self.check_frame:
            self._check_in_frame()

    def wait(self, *args, **kwargs):
        super().wait(*args, **kwargs)
        if self.check_frame:
            self._check_in_frame()

    def frame_checked(self) -> list[Mobject]:
        """The mobjects the frame check looks at: all of them in a 2D scene."""
        return list(self.mobjects)

    def _check_in_frame(self, tol: float = 1e-3) -> None:
        half_w, half_h = config.frame_width / 2 + tol, config.frame_height / 2 + tol
        for mob in self.frame_checked():
            if mob.get_num_points() == 0 and not mob.submobjects:
                continue
            left, right = mob.get_left()[0], mob.get_right()[0]
            bottom, top = mob.get_bottom()[1], mob.get_top()[1]
            if left < -half_w or right > half_w or bottom < -half_h or top > half_h:
                self.frame_violations.append(
                    f"t={self.time:.2f}s {type(mob).__name__} spans x[{left:.2f}, {right:.2f}] y[{bottom:.2f}, {top:.2f}]"
                )

    def clear_content(self, keep: Sequence[Mobject] = (), run_time: float = 0.6) -> None:
        """Fade out everything but the title, the caption and ``keep``."""
        protected = set(map(id, keep))
        if self._caption is not None:
            protected.add(id(self._caption))
        gone = [m for m in self.mobjects if id(m) not in protected and not getattr(m, "is_title", False)]
        if gone:
            self.play(*fade_out(*gone), run_time=run_time)


def sweep_durations(n: int, detailed: int = 2, fast_total: float = 6.0, fast_max: float = 0.5,
                    fast_min: float = 0.12) -> list[float]:
    """Run time of each of the ``n - detailed`` fast steps of a sweep.

    The first ``detailed`` positions are shown slowly elsewhere; the rest share about
    ``fast_total`` seconds, so a long sweep does not make a long video.
    """
    rest = max(0, n - detailed)
    if rest == 0:
        return []
    step = min(fast_max, max(fast_min, fast_total / rest))
    return [step] * rest
