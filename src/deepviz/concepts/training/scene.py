"""Training scene: reads a Trace, draws it; computes nothing.

The run's curves draw themselves (raw thin, smoothed bold) on the left; on the right each layer's gradient
norm over the steps, then one layer's histogram evolving; last, each finding of the diagnosis is marked at
the step it began, on the curves and the gradient plot, its caption the suggestion.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, Create, DashedLine, Transform, VGroup

from ...style.animations import fade_in
from ...style.legend import legend_row
from ...style.mobjects import BODY_SIZE, label
from ...style.numbers import fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import Gradients, Histogram, Snapshot, TrainingData

GAP = 0.9
EDGE = 0.1
CURVE_SECONDS = 4.0
SNAPSHOT_SECONDS = 0.45


def _pow10(v: float, digits: int) -> str:
    return fmt_sig(10 ** v, 2)


class TrainingScene(DeepvizScene):
    concept = "training"

    def construct(self) -> None:
        d: TrainingData = self.trace.data
        self.set_title("A training run, diagnosed")
        self.narrate("run")
        half = (self.content_width - GAP) / 2 - EDGE
        self.half = half
        left_x = -(self.content_width + GAP) / 4
        right_x = -left_x
        top, h = self.content_top, self.content_height
        x_range = (d["first_step"], max(d["last_step"], d["first_step"] + 1))
        self.loss = Plot(self.theme, x_range, d["y_range"], half - 1.0, h - 1.4, "step",
                         "value (log scale)" if d["log_y"] else "value", y_fmt=_pow10 if d["log_y"] else None)
        self.loss.move_to(np.array([left_x + 0.3, top - (h - 1.4) / 2 - 0.45, 0]))
        colors = [self.theme.role(c["role"]) for c in d["curves"]]
        key = legend_row([(c["tag"], col) for c, col in zip(d["curves"], colors)], self.theme, half)
        key.next_to(self.loss, DOWN, buff=0.2)
        self.play(*fade_in(self.loss, key), run_time=0.8)
        self.finish_reading()

        self.narrate("curves")
        raw = [self.loss.polyline(list(zip(c["steps"], c["plot"])), col, 1.5, opacity=0.45)
               for c, col in zip(d["curves"], colors)]
        smooth = [self.loss.polyline(list(zip(c["steps"], c["plot_smooth"])), col, 4)
                  for c, col in zip(d["curves"], colors)]
        self.play(*(Create(m) for m in raw + smooth), run_time=CURVE_SECONDS)
        self.finish_reading()

        self.grad = None
        self.marks: list[tuple[Plot, DashedLine]] = []  # each finding's line on each plot
        if d["gradients"]["layers"]:
            self.narrate("gradients")
            self.grad = self.gradient_plot(d["gradients"], x_range, right_x, half)
            self.finish_reading()
        if d["histogram"]:
            self.narrate("histogram")
            self.evolve(d["histogram"], right_x, half)
            self.finish_reading()
        for k, f in enumerate(d["findings"]):
            self.narrate(f"finding{k}")
            self.mark(f["step"], str(k + 1), k)
            self.finish_reading()
        self.narrate("end")
        self.finish_reading()
        self.wait(0.5)

    def gradient_plot(self, g: Gradients, x_range, x: float, width: float) -> Plot:
        th = self.theme
        height = self.content_height / 2 - 1.2
        plot = Plot(th, x_range, g["y_range"], width - 1.0, height, "", "gradient norm", y_fmt=_pow10)
        plot.move_to(np.array([x + 0.3, self.content_top - height / 2 - 0.45, 0]))
        colors = [th.role(r) for r in g["roles"]]
        lines = [plot.polyline(list(zip(s["steps"], s["log10"])), col, 3) for s, col in zip(g["series"], colors)]
        key = legend_row(list(zip(g["layers"], colors)), th, width).next_to(plot, DOWN, buff=0.15)
        self.play(*fade_in(plot, key), run_time=0.6)
        self.play(*(Create(m) for m in lines), run_time=CURVE_SECONDS / 2)
        self.grad_key = key
        return plot

    def histogram_plot(self, h: Histogram, s: Snapshot, x: float, width: float) -> VGroup:
        th = self.theme
        height = self.content_height / 2 - 1.5
        plot = Plot(th, s["x_range"], (0, s["max_count"]), width - 1.4, height,
                    f"{h['tag']} at step {s['step']}", "count", ticks=4)
        plot.move_to(np.array([x + 0.2, self.content_bottom + height / 2 + 0.9, 0]))
        outline = [(s["edges"][0], 0.0)]
        for lo, hi, c in zip(s["edges"], s["edges"][1:], s["counts"]):
            outline += [(lo, c), (hi, c)]
        outline.append((s["edges"][-1], 0.0))
        shape = plot.polyline(outline, th.role(h["role"]), 3)
        shape.set_fill(th.role(h["role"]), opacity=th.fill_opacity())
        return VGroup(plot, shape)

    def evolve(self, h: Histogram, x: float, width: float) -> None:
        snaps = h["snapshots"]
        shown = self.histogram_plot(h, snaps[0], x, width)
        self.play(*fade_in(shown), run_time=0.6)
        for s in snaps[1:]:
            self.play(Transform(shown, self.histogram_plot(h, s, x, width)), run_time=SNAPSHOT_SECONDS)

    def mark(self, step: int, name: str, k: int) -> None:
        """A dashed line at ``step`` on both plots, numbered (the k-th mark's number sits lower: two findings
        may share a step)."""
        th = self.theme
        marks = VGroup()
        for plot in (self.loss, self.grad):
            if plot is None:
                continue
            y0, y1 = plot.axes.y_range[:2]
            line = DashedLine(plot.c2p(step, y0), plot.c2p(step, y1), color=th.highlight, stroke_width=3)
            tag = label(name, th, size=BODY_SIZE, color=th.highlight)
            tag.next_to(plot.c2p(step, y1 - (0.1 + 0.12 * k) * (y1 - y0)), RIGHT, buff=0.08)
            marks.add(line, tag)
            self.marks.append((plot, line))
        self.play(*fade_in(marks), run_time=0.6)
