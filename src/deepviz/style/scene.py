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

from ..render import check_signals
from ..trace import Trace
from .animations import fade_in, fade_out
from .lint import EDGE_MARGIN, MIN_CONTENT_SPAN, LintReport, SceneLint, reading_seconds
from .mobjects import CAPTION_SIZE, TITLE_SIZE, fit_width, label
from .theme import Theme, get_theme

TITLE_BAND = 0.85  # units at the top kept for the title
CAPTION_BAND = 1.1  # units at the bottom kept for captions (burned in or not)
MARGIN = 0.3  # at least the lint's edge margin (2 % of the frame width, 0.284)


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
    # The lint's smallest content span per narration step (a fraction of the frame's width or
    # height); a scene that lowers it says why in ``min_content_span_reason``.
    min_content_span: ClassVar[float] = MIN_CONTENT_SPAN
    min_content_span_reason: ClassVar[str] = ""

    def __init__(self, trace: Trace | None = None, theme: str | Theme | None = None, burn_captions: bool = False,
                 check_frame: bool = False, on_step: Callable[[int, int, str], None] | None = None,
                 speaker: Any = None, **kwargs):
        """``on_step(done, total, caption)``, if given, hears of each narration step the scene starts
        (``done`` of the trace's ``total`` steps are finished) and of the end (``done == total``).
        ``speaker`` (a :class:`deepviz.voice.Speaker`), if given, speaks each step into the sound track."""
        if trace is None:
            from .. import api

            trace = api.trace(self.concept, preset=self.preset, **self.params)
        self.trace = trace
        self.theme = theme if isinstance(theme, Theme) else get_theme(theme or self.theme_name)
        self.burn_captions = burn_captions
        self.check_frame = check_frame
        self.on_step = on_step
        self.speaker = speaker
        self._spoken_until = 0.0  # scene time at which the current step's audio ends
        self.cues: list[Cue] = []
        self.frame_violations: list[str] = []
        self._lint: SceneLint | None = None
        self._caption: Mobject | None = None
        self._cue_started = 0.0
        self._cue_key = ""
        self.play_starts: list[float] = []  # scene time at which each play (animation or wait) starts
        self.step_plays: list[int] = []  # the play index at which each narration step starts
        super().__init__(**kwargs)
        if check_frame:
            self._lint = SceneLint(config.frame_width, config.frame_height, config.pixel_height,
                                   self.min_content_span)

    @property
    def lint(self) -> LintReport:
        """What the layout and pacing checks found (empty unless rendered with ``check_frame``)."""
        return self._lint.report if self._lint is not None else LintReport()

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
        title.to_edge(UP, buff=EDGE_MARGIN * config.frame_width)
        title.is_title = True  # pyright: ignore[reportAttributeAccessIssue] - a mark the lint reads
        old = getattr(self, "_title", None)
        self.add_overlay(title)
        if old is not None:
            self.play(*fade_out(old), *fade_in(title), run_time=0.5)
        self._title = title
        return title

    # -- captions ---------------------------------------------------------------------------
    def narrate(self, key: str) -> str:
        """Start the caption ``key`` of the trace's narration (subtitles, and burned in if asked)."""
        text = self.theme.words(self.trace.caption(key))
        self._close_cue()
        self.step_plays.append(len(self.play_starts))
        self._cue_key = key
        self.cues.append(Cue(self.time, self.time, text))
        self._cue_started = self.time
        if self.speaker is not None:  # the step's audio starts with its caption
            wav, seconds = self.speaker.speak(text)
            self.add_sound(str(wav))
            self._spoken_until = self.time + seconds
        self._report_step(len(self.cues) - 1, text)
        if self.burn_captions:
            if self._caption is not None:
                self.remove(self._caption)
            self._caption = self._caption_mobject(text)
            self.add_overlay(self._caption)
        return text

    def reading_time(self) -> float:
        return reading_seconds(self.cues[-1].text) if self.cues else 0.0

    def finish_reading(self, minimum: float = 0.5) -> None:
        """Wait until the current caption has been on screen long enough to read."""
        if not self.cues:
            return
        left = max(minimum, self.reading_time() - (self.time - self._cue_started), self._audio_left())
        self.wait(left)

    def _audio_left(self, pause: float = 0.3) -> float:
        """Seconds until the current step's audio has ended, and a breath after it (0 when silent)."""
        return max(0.0, self._spoken_until + pause - self.time) if self.speaker is not None else 0.0

    def _wait_for_audio(self) -> None:
        """A step lasts at least as long as its audio: the next one (or the end) waits for it."""
        if self._audio_left() > 0:
            self.wait(self._audio_left())

    def _caption_mobject(self, text: str) -> Mobject:
        width_chars = 90
        lines = textwrap.wrap(text, width_chars)[:3]
        cap = label("\n".join(lines), self.theme, size=CAPTION_SIZE)
        fit_width(cap, self.content_width)
        room = CAPTION_BAND - EDGE_MARGIN * config.frame_width - 0.04
        if cap.height > room:
            cap.scale_to_fit_height(room)
        cap.to_edge(DOWN, buff=EDGE_MARGIN * config.frame_width)
        back = BackgroundRectangle(cap, color=self.theme.caption_bg, fill_opacity=0.6, buff=0.06)
        return VGroup(back, cap)

    def _close_cue(self) -> None:
        self._wait_for_audio()
        if self.cues:
            cue = self.cues[-1]
            cue.end = self.time
            if self._lint is not None and cue.end > cue.start:
                self._lint.step_ended(self._cue_key, cue.text, cue.start, cue.end)

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
        # Scene.wait() plays a Wait, so this sees every animation and every pause once.
        self.play_starts.append(self.time)
        super().play(*args, **kwargs)
        check_signals()
        if self.check_frame:
            self._check_in_frame()
            self._run_lint(args)

    def _run_lint(self, animations: tuple) -> None:
        from manim import Wait

        lint = self._lint
        if lint is None:
            return
        if animations and all(isinstance(a, Wait) for a in animations):
            lint.waited(self.time, self._cue_started, self.cues[-1].text if self.cues else "",
                        self._spoken_until if self.speaker is not None else 0.0)
        else:
            lint.animated(self.time)
        overlay = [m for m in (getattr(self, "_title", None), self._caption) if m is not None and m in self.mobjects]
        content = [m for m in self.lint_content() if all(m is not o for o in overlay)]
        lint.check_layout(self.time, overlay, content, self.lint_projection())

    def lint_content(self) -> list[Mobject]:
        """What the lint measures as content (the title and caption are set aside)."""
        return self.frame_checked()

    def lint_projection(self):
        """How content points map into the frame: as they are in a 2D scene."""
        return None

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
