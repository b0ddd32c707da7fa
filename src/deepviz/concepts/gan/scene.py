"""GAN scene: reads a Trace, draws it; computes nothing.

Colour roles: real samples are input, the generator's samples (and its manifold) output; the
discriminator's heatmap runs from output (says fake) through the background to input (says real); the
gradient of G's loss is the gradient role; covered modes are marked with the highlight.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, Transform, UpdateFromAlphaFunc, VGroup

from ...style.animations import fade_in, fade_out
from ...style.clouds import DotCloud, Follow, Polyline, Segments, between
from ...style.heatmap import ColorField, heat_rgb
from ...style.legend import legend_row
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, label
from ...style.numbers import fmt_num
from ...style.plane import PlaneView
from ...style.plots import Plot, nice_step
from ...style.scene import DeepvizScene
from .schema import GanData, Snapshot

PLANE = 5.9  # units: the plane's side
ARROW = 0.55  # units: the longest gradient arrow
PANEL = 6.0  # units: the right panel's width
HEAT_STRENGTH = 0.65  # a sure D is drawn this far from the background towards its colour: the dots stay visible


class GanScene(DeepvizScene):
    concept = "gan"

    def construct(self) -> None:
        t: GanData = self.trace.data
        self.t = t
        self.set_title("A GAN: generator against discriminator" if t["g_steps"] == 1 else
                       f"A GAN with {t['g_steps']} G steps per D step")
        th = self.theme
        half = t["half"]
        self.plane = PlaneView(th, half, PLANE, center=(-6.8 + 0.3 + PLANE / 2 + 0.4, -0.05, 0))
        self.panel_x = self.plane.c2p(half, 0)[0] + 0.6
        self.heat = ColorField(self.decision_rgb(t["snapshots"][0]["decision"]), PLANE, PLANE)
        self.heat.move_to(self.plane.c2p(0, 0))
        first = t["snapshots"][0]
        self.real = DotCloud(self.place(t["real"]), radius=0.04, color=th.input, opacity=0.9)
        self.fake = DotCloud(self.place(first["fake"]), radius=0.05, color=th.output)
        self.game(t)
        self.first_iteration(t)
        self.training(t)
        self.manifold(t)
        self.wait(1.0)

    # -- helpers ------------------------------------------------------------------------------------
    def place(self, points) -> np.ndarray:
        """Data points -> screen points on the plane, held inside its window."""
        p = np.clip(np.asarray(points, dtype=float).reshape(-1, 2), -self.t["half"], self.t["half"])
        return np.array([self.plane.c2p(x, y) for x, y in p])

    def decision_rgb(self, decision) -> np.ndarray:
        """D's decision (0: fake .. 1: real) as colours: output below one half, input above."""
        v = (np.asarray(decision, dtype=float) - 0.5) * 2
        return heat_rgb(v * HEAT_STRENGTH, self.theme.background, self.theme.output, self.theme.input, 1.0)

    def arrows(self, snap_fake, gradient) -> Segments:
        """The gradient's opposite (where G's loss pushes each sample) as segments, the longest ARROW long."""
        g = -np.asarray(gradient, dtype=float)
        top = float(np.linalg.norm(g, axis=1).max()) or 1.0
        start = self.place(snap_fake[:len(g)])
        end = start[:, :2] + g / top * ARROW
        return Segments(np.concatenate([start[:, :2], end], 1), color=self.theme.gradient, width=3)

    def recolor(self, before: np.ndarray, after: np.ndarray) -> UpdateFromAlphaFunc:
        """The heatmap's colours running from ``before`` to ``after``."""
        return UpdateFromAlphaFunc(self.heat, lambda m, a: m.set_colors(before + (after - before) * a))

    def panel(self, *mobs) -> VGroup:
        group = VGroup(*mobs).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        group.move_to([self.panel_x + group.width / 2, self.content_top - group.height / 2 - 0.2, 0])
        return group

    # -- the players ----------------------------------------------------------------------------------
    def game(self, t: GanData) -> None:
        th = self.theme
        legend = legend_row([("real data", th.input), ("G(z): generated", th.output)], th, PANEL)
        self.header = self.panel(legend)
        self.narrate("game")
        self.play(*fade_in(self.plane, legend), run_time=0.6)
        self.play(*fade_in(self.real), run_time=0.6)
        self.play(*fade_in(self.fake), run_time=0.6)
        self.finish_reading()

        self.narrate("discriminator")
        key = legend_row([("D says real", th.input), ("D says fake", th.output)], th, PANEL, size=BODY_SIZE)
        key.next_to(legend, DOWN, aligned_edge=LEFT, buff=0.25)
        self.add(self.heat)
        self.bring_to_back(self.heat)
        self.play(*fade_in(self.heat, key), run_time=0.8)
        self.header.add(key)
        self.finish_reading()

    def first_iteration(self, t: GanData) -> None:
        th, fs = self.theme, self.t["first_step"]
        self.narrate("d_step")
        d_text = label(f"D's step: loss {fmt_num(fs['d_loss_before'], 3)} \u2192 {fmt_num(fs['d_loss_after'], 3)}",
                       th, size=LABEL_SIZE)
        d_text.next_to(self.header, DOWN, aligned_edge=LEFT, buff=0.45)
        before, after = self.decision_rgb(t["snapshots"][0]["decision"]), self.decision_rgb(fs["decision_after"])
        self.play(*fade_in(d_text), run_time=0.5)
        self.play(self.recolor(before, after), run_time=1.2)
        self.finish_reading()

        self.narrate("g_step")
        g_text = label(f"G's step: loss {fmt_num(fs['g_loss'], 3)}", th, size=LABEL_SIZE, color=th.output)
        g_text.next_to(d_text, DOWN, aligned_edge=LEFT, buff=0.25)
        arrows = self.arrows(t["snapshots"][0]["fake"], fs["gradient"])
        self.play(*fade_in(g_text, arrows), run_time=0.8)
        self.finish_reading()
        self.play(*fade_out(arrows, d_text, g_text), run_time=0.4)

    # -- the training, snapshot by snapshot -------------------------------------------------------------
    def loss_plot(self, t: GanData) -> Plot:
        top = max(max(row) for row in t["losses"])
        low = min(0.0, min(min(row) for row in t["losses"]))
        step = nice_step(top - low, 4)
        plot = Plot(self.theme, (0, t["iterations"]), (np.floor(low / step) * step, np.ceil(top / step) * step),
                    PANEL - 0.6, 3.0, x_name="iteration", y_name="loss", ticks=4)
        return plot

    def training(self, t: GanData) -> None:
        th = self.theme
        plot = self.loss_plot(t)
        names = legend_row([("D's loss", th.foreground), ("G's loss", th.output)], th, PANEL - 1.0, size=BODY_SIZE)
        counter = label(f"iteration {t['snapshots'][1]['iteration']}", th, size=LABEL_SIZE, color=th.highlight)
        box = VGroup(counter, names, plot).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        box.next_to(self.header, DOWN, aligned_edge=LEFT, buff=0.45)
        box.shift(RIGHT * 0.4)
        curves = [Polyline([plot.c2p(0, t["losses"][0][k])], color=c, width=3) for k, c in
                  enumerate((th.foreground, th.output))]
        self.narrate("training")
        self.play(*fade_in(box), run_time=0.6)
        self.add(*curves)
        snaps = t["snapshots"]
        shown = snaps[1]
        for snap in snaps[2:]:
            self.advance(shown, snap, plot, curves, counter, run_time=1.3)
            shown = snap
        self.finish_reading()

        self.narrate("result")
        last = snaps[-1]
        marks = VGroup()
        for k, share in enumerate(last["coverage"]):
            angle = 2 * np.pi * k / t["modes"]
            centre = (t["radius"] * np.cos(angle), t["radius"] * np.sin(angle))
            covered = share >= 0.05
            marks.add(Circle(radius=0.3).move_to(self.plane.c2p(*centre))
                      .set_stroke(th.highlight if covered else th.muted, 4 if covered else 2))
        arrows = self.arrows(last["fake"], last["gradient"])
        self.play(*fade_in(marks, arrows), run_time=0.8)
        self.finish_reading()
        self.play(*fade_out(marks, arrows, box, *curves), run_time=0.5)

    def advance(self, old: Snapshot, new: Snapshot, plot: Plot, curves, counter, run_time: float) -> None:
        """From snapshot ``old`` to ``new``: the heatmap, the samples, the loss curves and the counter."""
        th, t = self.theme, self.t
        a, b = self.decision_rgb(old["decision"]), self.decision_rgb(new["decision"])
        path = between(self.place(old["fake"]), self.place(new["fake"]))
        losses = t["losses"]
        i0, i1 = old["iteration"], new["iteration"]
        targets = [[plot.c2p(i + 1, losses[i][k]) for i in range(i1)] for k in range(2)]
        new_counter = label(f"iteration {i1}", th, size=LABEL_SIZE, color=th.highlight).move_to(counter, LEFT)

        def grow(k):
            return lambda s: np.array(targets[k][:max(1, int(i0 + (i1 - i0) * s))])

        self.play(self.recolor(a, b), Follow(self.fake, path),
                  *(Follow(c, grow(k)) for k, c in enumerate(curves)), Transform(counter, new_counter),
                  run_time=run_time)

    # -- the manifold ---------------------------------------------------------------------------------
    def manifold(self, t: GanData) -> None:
        th = self.theme
        self.narrate("manifold")
        first, last = t["snapshots"][0], t["snapshots"][-1]
        lines = VGroup(*(Polyline(self.place(line), color=th.output, width=2.5, opacity=0.9)
                         for line in first["manifold"]))
        ends = [self.place(line) for line in last["manifold"]]
        starts = [self.place(line) for line in first["manifold"]]
        tag = label("G(noise grid)", th, size=LABEL_SIZE, color=th.output)
        tag.move_to(RIGHT * (self.panel_x + tag.width / 2) + UP * self.plane.c2p(0, 0)[1])
        self.play(*fade_out(self.heat, self.fake), *fade_in(lines, tag), run_time=0.8)
        self.play(*(Follow(line, between(s, e)) for line, s, e in zip(lines, starts, ends)), run_time=2.0)
        self.finish_reading()
