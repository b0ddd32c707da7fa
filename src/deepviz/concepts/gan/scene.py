"""GAN scene: reads a Trace, draws it; computes nothing.

Colour roles: real samples are input, the generator's samples (and its manifold) output; the
discriminator's heatmap runs from output (says fake) through the background to input (says real); the
gradient of G's loss is the gradient role; covered modes are marked with the highlight.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, UR, Arrow, Circle, Transform, TransformFromCopy, UpdateFromAlphaFunc, VGroup

from ...style.animations import fade_in, fade_out
from ...style.clouds import DotCloud, Follow, Polyline, Segments, between
from ...style.heatmap import ColorField, heat_rgb
from ...style.legend import legend_row
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, fit_width, label
from ...style.numbers import fmt_num
from ...style.plane import PlaneView
from ...style.plots import Plot, nice_step
from ...style.scene import DeepvizScene
from .schema import GanData, Snapshot

PLANE = 5.9  # units: the plane's side
ARROW = 0.55  # units: the longest gradient arrow
PANEL = 6.0  # units: the right panel's width
NOISE_SIDE = 3.0  # units: the noise square of the manifold step
PLOT_HEIGHT = 3.4  # units: the loss plot's axes at most (less if the panel lacks the room)
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
        self.build_panel(t)
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

    def build_panel(self, t: GanData) -> None:
        """The right panel, laid out once: the legends and the loss plot, on screen from the start (so the
        frame is used before the training fills it); iteration 1's notes sit in the plot's empty top."""
        th, fs = self.theme, t["first_step"]
        self.legend = legend_row([("real data", th.input), ("G(z): generated", th.output)], th, PANEL)
        self.key = legend_row([("D says real", th.input), ("D says fake", th.output)], th, PANEL, size=BODY_SIZE)
        self.names = legend_row([("D's loss", th.foreground), ("G's loss", th.output)], th, PANEL - 2.4,
                                size=BODY_SIZE)
        column = VGroup(self.legend, self.key, self.names).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        probe = self.loss_plot(t, PLOT_HEIGHT)
        room = self.content_height - 0.2 - column.height - 0.35 - (probe.height - PLOT_HEIGHT)
        self.plot = self.loss_plot(t, min(PLOT_HEIGHT, room))
        self.plot.next_to(column, DOWN, aligned_edge=LEFT, buff=0.35).shift(RIGHT * 0.4)  # room for its ticks
        column.add(self.plot)
        column.move_to([self.panel_x + column.width / 2, self.content_top - column.height / 2 - 0.2, 0])
        notes = VGroup(label(f"D's step: loss {fmt_num(fs['d_loss_before'], 3)} \u2192 "
                             f"{fmt_num(fs['d_loss_after'], 3)}", th, size=LABEL_SIZE),
                       label(f"G's step: loss {fmt_num(fs['g_loss'], 3)}", th, size=LABEL_SIZE, color=th.output))
        notes.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(notes, self.plot.axes.width - 0.6)
        notes.move_to(self.plot.axes.get_corner(UR) + LEFT * 0.1 + DOWN * 0.1, aligned_edge=UR)
        self.d_text, self.g_text = notes

    # -- the players ----------------------------------------------------------------------------------
    def game(self, t: GanData) -> None:
        self.narrate("game")
        self.play(*fade_in(self.plane, self.legend, self.names, self.plot), run_time=0.6)
        self.play(*fade_in(self.real), run_time=0.6)
        self.play(*fade_in(self.fake), run_time=0.6)
        self.finish_reading()

        self.narrate("discriminator")
        self.add(self.heat)
        self.bring_to_back(self.heat)
        self.play(*fade_in(self.heat, self.key), run_time=0.8)
        self.finish_reading()

    def first_iteration(self, t: GanData) -> None:
        th, fs = self.theme, self.t["first_step"]
        # iteration 1's losses, where the curves will start
        d_dot = self.plot.dot((1, fs["d_loss_before"]), th.foreground)
        g_dot = self.plot.dot((1, fs["g_loss"]), th.output)
        self.narrate("d_step")
        before, after = self.decision_rgb(t["snapshots"][0]["decision"]), self.decision_rgb(fs["decision_after"])
        self.play(*fade_in(self.d_text, d_dot), run_time=0.5)
        self.play(self.recolor(before, after), run_time=1.2)
        self.finish_reading()

        self.narrate("g_step")
        arrows = self.arrows(t["snapshots"][0]["fake"], fs["gradient"])
        self.play(*fade_in(self.g_text, g_dot, arrows), run_time=0.8)
        self.finish_reading()
        self.play(*fade_out(arrows, self.d_text, self.g_text, d_dot, g_dot), run_time=0.4)

    # -- the training, snapshot by snapshot -------------------------------------------------------------
    def loss_plot(self, t: GanData, height: float) -> Plot:
        top = max(max(row) for row in t["losses"])
        low = min(0.0, min(min(row) for row in t["losses"]))
        step = nice_step(top - low, 4)
        plot = Plot(self.theme, (0, t["iterations"]), (np.floor(low / step) * step, np.ceil(top / step) * step),
                    PANEL - 0.6, height, x_name="iteration", y_name="loss", ticks=4)
        return plot

    def training(self, t: GanData) -> None:
        th, plot = self.theme, self.plot
        counter = label(f"iteration {t['snapshots'][1]['iteration']}", th, size=LABEL_SIZE, color=th.highlight)
        counter.move_to(self.names, aligned_edge=LEFT).set_x(plot.axes.get_right()[0] - counter.width / 2)
        curves = [Polyline([plot.c2p(0, t["losses"][0][k])], color=c, width=3) for k, c in
                  enumerate((th.foreground, th.output))]
        box = VGroup(counter, self.names, plot)
        self.narrate("training")
        self.play(*fade_in(counter), run_time=0.6)
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
        new_counter = label(f"iteration {i1}", th, size=LABEL_SIZE, color=th.highlight).move_to(counter, RIGHT)

        def grow(k):
            return lambda s: np.array(targets[k][:max(1, int(i0 + (i1 - i0) * s))])

        self.play(self.recolor(a, b), Follow(self.fake, path),
                  *(Follow(c, grow(k)) for k, c in enumerate(curves)), Transform(counter, new_counter),
                  run_time=run_time)

    # -- the manifold ---------------------------------------------------------------------------------
    def manifold(self, t: GanData) -> None:
        """The noise square's grid on the right, carried through G into the plane: at the start, then at the end."""
        th = self.theme
        self.narrate("manifold")
        first, last = t["snapshots"][0], t["snapshots"][-1]
        noise = PlaneView(th, t["noise_span"], NOISE_SIDE,
                          center=(self.content_width / 2 - NOISE_SIDE / 2 - 0.1, self.plane.c2p(0, 0)[1], 0))
        grid = VGroup(*(Polyline([noise.c2p(*p) for p in line], color=th.output, width=2.5, opacity=0.9)
                        for line in t["noise_grid"]))
        name = label("noise z", th, size=LABEL_SIZE, color=th.output).next_to(noise, UP, buff=0.2)
        arrow = Arrow(noise.get_left() + LEFT * 0.25, [self.panel_x, noise.get_y(), 0], buff=0,
                      color=th.muted, stroke_width=4)
        g = label("G", th, color=th.output).next_to(arrow, UP, buff=0.15)
        lines = VGroup(*(Polyline(self.place(line), color=th.output, width=2.5, opacity=0.9)
                         for line in first["manifold"]))
        ends = [self.place(line) for line in last["manifold"]]
        starts = [self.place(line) for line in first["manifold"]]
        self.play(*fade_out(self.heat, self.fake), *fade_in(noise, grid, name, arrow, g), run_time=0.8)
        self.play(*(TransformFromCopy(a, b) for a, b in zip(grid, lines)), run_time=1.2)
        self.play(*(Follow(line, between(s, e)) for line, s, e in zip(lines, starts, ends)), run_time=2.0)
        self.finish_reading()
