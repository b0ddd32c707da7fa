"""The playground run's scene: reads the Trace of :func:`deepviz.studio.movie.movie_trace`, draws it; computes nothing.

Left, the input plane: the network's output over it as a heatmap in the playground's colours, the training points
and the ringed test points over it. Right, the epoch and the losses, the loss curves (log scale) and the run's
settings. Between two frames of the tape the heatmap blends and the curves grow smoothly.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UL, UP, ManimColor, Mobject, ValueTracker, VGroup, linear

from ..style.animations import fade_in
from ..style.clouds import DotCloud, Polyline
from ..style.heatmap import ColorField, heat_rgb, mixture_rgb
from ..style.mobjects import BODY_SIZE, LABEL_SIZE, colored_text, fit_width, label
from ..style.numbers import fmt_sig
from ..style.plots import Plot
from ..style.scene import DeepvizScene, sweep_durations
from ..style.theme import OKABE_ITO

CLASS_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"])  # the playground's classes 0, 1, 2
STRENGTH = 0.8  # the heatmap's strongest colour, towards the background: full-colour points stand out on it
PLANE = 5.0  # the plane's side on screen
PANEL_LEFT = 0.75  # the right panel spans from here to the content's right edge
CURVE_W, CURVE_H = 4.6, 1.9
INDENT = 0.3  # a settings line's continuation
DOT, RING = 0.045, 0.068
SMOOTH = 2  # the heatmap drawn with twice as many cells a side, interpolated
LEVELS_A_CHANNEL = 32  # the heatmap's colours rounded to this many steps a channel (fewer paths to draw)
TARGET_STEPS = 4  # a regression target's colour: rounded to quarters of the -1..1 range
TAPE_SECONDS = 12.0  # the whole tape plays in about this long


def _sig(v: float | None) -> str:
    return "\u2014" if v is None else fmt_sig(v, 3)


class PlaygroundRunScene(DeepvizScene):
    concept = "playground-run"
    step_name = "epoch"  # what the tape counts, and the names of its two curves (the GAN run's differ)
    curve_names = ("train loss", "test loss")

    def construct(self) -> None:
        t = self.trace.data
        self.frames = t["frames"]
        self.set_title(t["title"])
        self.narrate("intro")
        self.fields = [self.field_colors(f["output"]) for f in self.frames]
        plane = self.make_plane(t)
        panel = self.make_panel(t)
        self.show(0.0)
        self.add_overlay(panel)
        self.play(*fade_in(self.image, plane, panel), run_time=0.8)
        self.finish_reading()

        self.narrate("training")
        self.play_tape()
        self.narrate("end")
        self.finish_reading()
        self.wait(0.8)

    # -- hooks for the studio's job: its progress (finer than DeepvizScene's on_step, which counts captions) -------
    def on_tape_step(self, done: int, total: int, epoch: int) -> None:
        """Called after each of the tape's ``total`` steps."""

    def on_last_frame(self) -> None:
        """Called when the last frame is drawn, before Manim puts the video together."""

    def tear_down(self) -> None:
        super().tear_down()
        self.on_last_frame()

    # -- the plane: heatmap and points ------------------------------------------------------------------------
    def make_plane(self, t: dict[str, Any]) -> VGroup:
        th, e = self.theme, t["extent"]
        self.plot = Plot(th, (-e, e), (-e, e), PLANE, PLANE, "x\u2081", "x\u2082", equal=True, ticks=4,
                         y_name_beside=True)
        self.plot.move_to(((self.plot.width - self.content_width) / 2, (self.content_top + self.content_bottom) / 2, 0))
        self.tracker = ValueTracker(0.0)
        self.image = ColorField(self.fields[0], PLANE, PLANE, levels=LEVELS_A_CHANNEL, smooth=SMOOTH)
        self.image.move_to(self.plot.c2p(0, 0))
        return VGroup(self.plot, self.point_clouds(t))

    def field_colors(self, output: list) -> np.ndarray:
        """The output maps (1 x H x W in -1..1, or K x H x W class probabilities) as colours."""
        back = self.theme.background
        o = np.asarray(output, dtype=float)
        rgb = mixture_rgb(o, back, CLASS_COLORS) if len(o) > 1 else heat_rgb(o[0], back, *CLASS_COLORS[:2])
        base = np.array(ManimColor(back).to_rgb())
        return base + (rgb - base) * STRENGTH

    def point_clouds(self, t: dict[str, Any]) -> VGroup:
        """Each colour's points as one cloud over a ring (the background's colour, the foreground's for test points)."""
        th = self.theme
        rings, fills = VGroup(), VGroup()
        for split, ring in (("train", th.background), ("test", th.foreground)):
            points = t["points"][split]
            for color, group in self.by_color(t["classes"], points).items():
                centres = [self.plot.c2p(x1, x2) for x1, x2, _ in group]
                rings.add(DotCloud(centres, RING, ring))
                fills.add(DotCloud(centres, DOT, color))
        return VGroup(rings, fills)

    def by_color(self, classes: int, points: list) -> dict[str, list]:
        groups: dict[str, list] = {}
        for p in points:
            if classes:
                color = CLASS_COLORS[int(p[2])]
            else:  # a regression target in -1..1: from blue through grey to orange, in steps
                level = round(p[2] * TARGET_STEPS) / TARGET_STEPS
                color = ManimColor(heat_rgb(level, self.theme.muted, *CLASS_COLORS[:2])).to_hex()
            groups.setdefault(color, []).append(p)
        return groups

    # -- the panel: readout, loss curves, key, settings ---------------------------------------------------------
    def make_panel(self, t: dict[str, Any]) -> VGroup:
        th = self.theme
        width = self.content_width / 2 - PANEL_LEFT
        self.readout = VGroup()
        self.loss_plot = self.make_loss_plot(t["curve"])
        self.curves = [Polyline(np.zeros((0, 3)), th.foreground, 3), Polyline(np.zeros((0, 3)), th.highlight, 3)]
        key = fit_width(self.key(t["classes"]), width)
        settings = VGroup(*(line for k, v in t["settings"] for line in self.wrapped(f"{k}: {v}", width)))
        settings.arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        for line in settings:
            line.shift(RIGHT * getattr(line, "indent", 0))
        self.set_readout(0)
        body = VGroup(self.loss_plot, key, settings).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        body.next_to(self.readout, DOWN, buff=0.35, aligned_edge=LEFT)
        room = self.content_top - 0.1 - self.content_bottom
        if body.get_top()[1] - body.get_bottom()[1] > room - self.readout.height - 0.35:  # many settings lines
            body.scale_to_fit_height(room - self.readout.height - 0.35).next_to(self.readout, DOWN, 0.35, LEFT)
        placed = VGroup(self.readout, body)
        placed.shift(RIGHT * (PANEL_LEFT - placed.get_left()[0]) + UP * (self.content_top - 0.1 - placed.get_top()[1]))
        panel = VGroup(*placed, *self.curves)
        self.curve_points = [self.screen_curve(t["curve"], k) for k in (1, 2)]
        return panel

    def wrapped(self, text: str, width: float) -> list:
        """``text`` as lines at most ``width`` wide, broken after commas; continuation lines are indented
        (``indent`` set on them). Where to break is judged by the characters' mean width in the whole line."""
        make = lambda s: label(s, self.theme, size=BODY_SIZE - 4, color=self.theme.muted)  # noqa: E731
        whole = make(text)
        if whole.width <= width:
            return [whole]
        per_line = len(text) * (width - INDENT) / whole.width
        rows: list[str] = []
        for part in text.split(", "):
            if rows and len(rows[-1]) + 2 + len(part) <= per_line:
                rows[-1] += ", " + part
            else:
                rows[-1:] = [rows[-1] + ","] if rows else []
                rows.append(part)
        lines = [fit_width(make(row), width - (INDENT if k else 0)) for k, row in enumerate(rows)]
        for line in lines[1:]:
            line.indent = INDENT  # pyright: ignore[reportAttributeAccessIssue]  # a tag the layout reads
        return lines

    def make_loss_plot(self, curve: list) -> Plot:
        values = [v for _, a, b in curve for v in (a, b) if v is not None and v > 0] or [1.0]
        hi = math.ceil(math.log10(max(values)) + 1e-9)
        lo = min(math.floor(math.log10(min(values))), hi - 2)
        return Plot(self.theme, (0, max(1, curve[-1][0])), (lo, hi), CURVE_W, CURVE_H, self.step_name, "loss (log scale)",
                    ticks=min(hi - lo, 4), y_fmt=lambda v, _: fmt_sig(10 ** v, 2))

    def screen_curve(self, curve: list, column: int) -> tuple[np.ndarray, np.ndarray]:
        """A loss curve's epochs and its points on screen (the losses that are finite and positive)."""
        rows = [(r[0], r[column]) for r in curve if r[column] is not None and r[column] > 0]
        epochs = np.array([e for e, _ in rows], dtype=float)
        points = np.array([self.loss_plot.c2p(e, math.log10(v)) for e, v in rows]).reshape(-1, 3)
        return epochs, points

    def key(self, classes: int) -> VGroup:
        th = self.theme
        if classes:
            names = [(CLASS_COLORS[k], f"class {k}") for k in range(classes)]
        else:
            names = [(CLASS_COLORS[0], "\u22121"), (CLASS_COLORS[1], "+1")]
        items = [VGroup(self.key_dot(c, th.background), label(n, th, size=BODY_SIZE - 2)).arrange(RIGHT, buff=0.1)
                 for c, n in names]
        items.append(VGroup(self.key_dot(th.muted, th.foreground), label("test point", th, size=BODY_SIZE - 2))
                     .arrange(RIGHT, buff=0.1))
        return VGroup(*items).arrange(RIGHT, buff=0.35)

    @staticmethod
    def key_dot(color: str, ring: str) -> VGroup:
        return VGroup(DotCloud([[0, 0, 0]], RING * 1.4, ring), DotCloud([[0, 0, 0]], DOT * 1.4, color))

    def set_readout(self, k: int) -> None:
        """The epoch and losses of the tape's frame ``k`` (set once a step reaches it: text is slow to make)."""
        th = self.theme
        epoch, train, test = (self.frames[k][key] for key in ("epoch", "train_loss", "test_loss"))
        head = label(f"{self.step_name} {epoch}", th, size=LABEL_SIZE + 6)
        first, second = self.curve_names
        losses = colored_text([(f"{first} {_sig(train)}", th.foreground), ("     ", None),
                               (f"{second} {_sig(test)}", th.highlight)], th, size=BODY_SIZE)
        new = VGroup(head, fit_width(losses, self.content_width / 2 - PANEL_LEFT)).arrange(DOWN, aligned_edge=LEFT,
                                                                                         buff=0.15)
        if self.readout.submobjects:
            new.move_to(self.readout, aligned_edge=UL)
        self.readout.submobjects = [*new.submobjects]
        self.readout_frame = k

    # -- playing the tape ----------------------------------------------------------------------------------------
    def play_tape(self) -> None:
        steps = sweep_durations(len(self.frames), detailed=1, fast_total=TAPE_SECONDS, fast_max=0.6, fast_min=0.2)
        self.image.add_updater(lambda m: self.show(self.tracker.get_value()))
        for k, run_time in enumerate(steps, start=1):
            self.play(self.tracker.animate.set_value(k), run_time=run_time, rate_func=linear)
            self.on_tape_step(k, len(steps), self.frames[k]["epoch"])
        self.image.clear_updaters()  # still from here on: Manim draws the frame once

    def show(self, position: float) -> Mobject:
        """Everything at ``position`` along the frames (1.5: halfway from the second to the third)."""
        if position == getattr(self, "shown", None):
            return self.image
        self.shown = position
        k = min(int(position), len(self.frames) - 2) if len(self.frames) > 1 else 0
        s = position - k
        self.image.set_colors(self.fields[k] * (1 - s) + self.fields[min(k + 1, len(self.fields) - 1)] * s)
        e0, e1 = self.frames[k]["epoch"], self.frames[min(k + 1, len(self.frames) - 1)]["epoch"]
        epoch = e0 + (e1 - e0) * s
        for curve, (epochs, points) in zip(self.curves, self.curve_points):
            curve.set_centers(_prefix(epochs, points, epoch))
        reached = k + 1 if s >= 1 else k
        if reached != self.readout_frame:
            self.set_readout(reached)
        return self.image


def _prefix(epochs: np.ndarray, points: np.ndarray, epoch: float) -> np.ndarray:
    """The curve's points up to ``epoch``, the last one interpolated between its neighbours."""
    i = int(np.searchsorted(epochs, epoch, side="right"))
    if i == 0:
        return points[:0]
    if i == len(epochs) or epochs[i - 1] == epoch:
        return points[:i]
    s = (epoch - epochs[i - 1]) / (epochs[i] - epochs[i - 1])
    return np.vstack([points[:i], points[i - 1] + (points[i] - points[i - 1]) * s])
