"""Ravines scene: reads a Trace, draws it; computes nothing.

1. the training cases as a table, and J written out with their numbers;
2. the raw problem's contour lines (one scale on both axes: the ellipses' true shape) and its Hessian;
3. the normalisation: means, standard deviations, the normalised table;
4. the normalised problem's contours beside the raw ones;
5. gradient descent on both, step by step, and where each got to.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, Indicate, VGroup

from ...style.animations import fade_in
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, Grid, fit_width, label
from ...style.numbers import fmt_num, fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene, sweep_durations
from .formulas import fmt_pct, quadratic, residual
from .schema import Problem, RavinesData

PLOT_W, PLOT_H = 6.3, 4.0  # the box each contour plot fits in (one scale on both axes)
GAP = 0.5  # between the two halves of the screen


ROUND_OFF = 1e-12


def _sig(v: float) -> str:
    return fmt_sig(v, 3)


class RavinesScene(DeepvizScene):
    concept = "ravines"

    def construct(self) -> None:
        t: RavinesData = self.trace.data
        self.set_title("Ravines: unnormalised inputs stretch the error surface")
        self.narrate("data")
        table = self.data_table(t)
        model = self.model_line(table)
        self.play(*fade_in(table), run_time=0.8)
        self.play(*fade_in(model[0]), run_time=0.5)  # the cost J comes with the next step
        self.finish_reading()

        self.narrate("cost")
        self.cost_lines(t, table, model)
        self.finish_reading()
        self.clear_content()

        self.narrate("contours_raw")
        raw = self.contour_plot(t["raw"], "raw inputs", LEFT)
        self.finish_reading()

        self.narrate("hessian_raw")
        self.hessian_panel(t["raw"], "raw inputs")
        self.finish_reading()

        self.narrate("normalise")
        self.clear_content(keep=raw["parts"], run_time=0.5)
        self.normalisation_table(t)
        self.finish_reading()

        self.narrate("contours_norm")
        self.clear_content(keep=raw["parts"], run_time=0.5)
        norm = self.contour_plot(t["normalised"], "normalised inputs", RIGHT, why=True)
        self.finish_reading()

        self.narrate("descent")
        self.contours = VGroup(raw["curves"], norm["curves"])
        self.descend(t, raw, norm)
        self.finish_reading()

        self.narrate("compare")
        self.outcome(t, raw, norm)
        self.finish_reading()

        self.narrate("bias")
        self.play(Indicate(norm["minimum"], color=self.theme.output, scale_factor=1.6), run_time=0.8)
        self.finish_reading()
        self.wait(0.6)

    # -- the data and the cost ------------------------------------------------------------------
    def data_table(self, t: RavinesData) -> VGroup:
        th = self.theme
        rows = t["rows"]
        colors = [[th.input, th.input, th.output] for _ in rows]
        grid = Grid(rows, th, 0.85, colors=colors, cell_width=1.8, fmt=lambda v: fmt_num(v, 2))
        heads = VGroup(*(label(n, th, size=LABEL_SIZE).next_to(grid.square(0, c), UP, buff=0.12)
                         for c, n in enumerate(("x\u2081", "x\u2082", "t"))))
        table = VGroup(grid, heads)
        if table.height > self.content_height - 0.4:
            table.scale_to_fit_height(self.content_height - 0.4)
        table.to_edge(LEFT, buff=0.6).align_to(UP * (self.content_top - 0.35), UP)
        return table

    def model_line(self, table: VGroup) -> VGroup:
        """The neuron beside the table, and after it the cost (shown later)."""
        th = self.theme
        model = VGroup(label("y = w\u2081x\u2081 + w\u2082x\u2082", th, size=LABEL_SIZE + 4),
                       label("J = 1/N \u00b7 \u03a3 (y \u2212 t)\u00b2", th, size=LABEL_SIZE + 4))
        model.arrange(RIGHT, buff=0.9)
        model.next_to(table, RIGHT, buff=0.9).align_to(table, UP).shift(DOWN * 0.4)
        self.keep_in_content(fit_width(model, self.content_width - table.width - 1.2))
        return model

    def cost_lines(self, t: RavinesData, table: VGroup, model: VGroup) -> None:
        th = self.theme
        rows = t["rows"]
        # J = 1/N [ (..)^2      one residual per case, the signs in a column of their own
        #         + (..)^2 ]
        heads = [f"J = 1/{t['n']} \u00b7 [", *("+" for _ in rows[1:])]
        terms = VGroup()
        for k, (head, r) in enumerate(zip(heads, rows)):
            h = label(head, th, size=LABEL_SIZE, mono=True)
            body = label(residual(*r) + (" ]" if k == len(rows) - 1 else ""), th, size=LABEL_SIZE, mono=True)
            terms.add(VGroup(h, body))
        head_w = max(line[0].width for line in terms)
        for k, line in enumerate(terms):
            line[1].next_to(line[0], RIGHT, buff=0.2)
            line.shift(DOWN * 0.5 * k)
            line.shift(RIGHT * (head_w - line[0].width))
        # the polynomial on two short lines (quadratic terms, then the rest): long Text lines wrap at tiny sizes
        quad, rest = quadratic(t["raw"]["coefficients"])
        expanded = VGroup(label("= " + quad, th, size=LABEL_SIZE, mono=True),
                          label("  " + rest, th, size=LABEL_SIZE, mono=True))
        expanded.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        expanded.next_to(terms, DOWN, buff=0.4).align_to(terms[-1][1], LEFT).shift(LEFT * 0.45)
        block = VGroup(terms, expanded)
        if block.height > table.get_bottom()[1] - 0.5 - self.content_bottom:
            block.scale_to_fit_height(table.get_bottom()[1] - 0.5 - self.content_bottom)
        fit_width(block, self.content_width)
        block.next_to(table, DOWN, buff=0.5).align_to(table, LEFT)
        self.keep_in_content(block)
        self.play(*fade_in(model[1]), run_time=0.5)
        self.play(*fade_in(terms), run_time=0.8)
        self.play(*fade_in(expanded), run_time=0.6)

    # -- contour plots ----------------------------------------------------------------------------
    def contour_plot(self, p: Problem, name: str, side, why: bool = False) -> dict[str, Any]:
        """``why``: say under the head what the condition number comes from (the inputs' correlation)."""
        th = self.theme
        (x0, x1), (y0, y1) = p["window"]
        plot = Plot(th, (x0, x1), (y0, y1), PLOT_W, PLOT_H, "w\u2081", "w\u2082", equal=True, y_name_beside=True)
        # level lines of J are context: muted, so the descent path (highlight) is the one line in colour
        curves = VGroup(*(plot.polyline(seg, th.muted, 2.5) for c in p["contours"] for seg in c["segments"]))
        minimum = plot.dot(p["w_min"], th.output, radius=0.09)
        head = label(f"{name}: condition number {_sig(p['condition'])}" + (f"\n= (1 + |r|)/(1 \u2212 |r|), "
                     f"r = {fmt_num(p['correlation'], 2)}" if why else ""), th, size=LABEL_SIZE)
        fit_width(head, PLOT_W)
        body = VGroup(plot, curves, minimum)
        head.next_to(plot.axes, UP, buff=0.2)
        group = VGroup(head, body)
        half = (self.content_width - GAP) / 2
        if group.height > self.content_height:
            group.scale_to_fit_height(self.content_height)
        fit_width(group, half)
        x_centre = (-1 if np.array_equal(side, LEFT) else 1) * (half + GAP) / 2
        group.move_to((x_centre, (self.content_top + self.content_bottom) / 2, 0))
        self.play(*fade_in(plot, head), run_time=0.6)
        self.play(Create(curves), run_time=1.2)
        self.play(*fade_in(minimum), run_time=0.3)
        return {"group": group, "plot": plot, "minimum": minimum, "head": head, "curves": curves,
                "parts": [plot, head, curves, minimum]}

    def hessian_panel(self, p: Problem, name: str) -> VGroup:
        th = self.theme
        grid = Grid(p["hessian"], th, 0.6, colors=th.gradient, cell_width=1.5, fmt=_sig)
        h_name = label("H = 2/N \u00b7 X\u1d40X =", th, size=LABEL_SIZE).next_to(grid, LEFT, buff=0.2)
        lo, hi = p["eigenvalues"]
        eig = label(f"eigenvalues {_sig(lo)} and {_sig(hi)}", th, size=BODY_SIZE)
        cond = label(f"condition number {_sig(hi)} / {_sig(lo)} = {_sig(p['condition'])}", th, size=LABEL_SIZE,
                     color=th.highlight)
        levels = label("contours at J = " + ", ".join(_sig(c["level"]) for c in p["contours"]), th,
                       size=BODY_SIZE, color=th.muted)
        minimum = label(f"minimum J = {_sig(p['J_min'])} at w = ({_sig(p['w_min'][0])}, {_sig(p['w_min'][1])})", th,
                        size=BODY_SIZE, color=th.output)
        panel = VGroup(VGroup(h_name, grid), eig, cond, levels, minimum).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        self.fit_right(panel)
        self.play(*fade_in(panel), run_time=0.8)
        return panel

    def fit_right(self, mob) -> None:
        half = (self.content_width - GAP) / 2
        fit_width(mob, half)
        if mob.height > self.content_height - 0.2:
            mob.scale_to_fit_height(self.content_height - 0.2)
        mob.move_to([(half + GAP) / 2, (self.content_top + self.content_bottom) / 2, 0])

    # -- the normalisation -------------------------------------------------------------------------
    def normalisation_table(self, t: RavinesData) -> None:
        th = self.theme
        nz = t["normalisation"]
        rows = [[r[0], r[1], z[0], z[1], r[2]] for r, z in zip(t["rows"], nz["z"])]
        rows += [[*nz["mean"], *nz["z_mean"], None], [*nz["std"], *nz["z_std"], None]]
        n = len(t["rows"])
        colors = [[th.input] * 4 + [th.output] for _ in range(n)]
        colors += [[th.faint] * 4 + [th.background]] * 2
        # the normalised means are 0 up to float round-off (1e-16): shown as 0, read at 480p
        rows = [[None if v is None else 0.0 if abs(v) < ROUND_OFF else v for v in r] for r in rows]
        everything = [v for r in rows for v in r if v is not None]
        grid = Grid([[None] * 5 for _ in rows], th, 0.5, colors=colors, cell_width=1.15, fmt=_sig, widest=everything)
        heads = VGroup(*(label(s, th, size=BODY_SIZE).next_to(grid.square(0, c), UP, buff=0.1)
                         for c, s in enumerate(("x\u2081", "x\u2082", "x\u2081\u2032", "x\u2082\u2032", "t"))))
        side = VGroup(*(label(s, th, size=BODY_SIZE, color=th.muted).next_to(grid.square(n + k, 0), LEFT, buff=0.1)
                        for k, s in enumerate(("mean", "std"))))
        kind = "std: biased (\u00f7N)" if nz["correction"] == 0 else "std: unbiased (\u00f7(N\u22121))"
        formula = label(f"x\u2032 = (x \u2212 mean) / std     {kind}", th, size=BODY_SIZE)
        block = VGroup(VGroup(grid.squares, heads, side), formula)
        formula.next_to(grid.squares, DOWN, buff=0.3)
        self.fit_right(block)
        grid.values.move_to(grid.squares)
        self.add(grid.values)
        self.play(*fade_in(grid.squares, heads, side), run_time=0.6)
        raw = [grid.set_value(r, c, rows[r][c]) for r in range(n) for c in (0, 1, 4)]  # pyright: ignore[reportArgumentType]
        self.play(*fade_in(*raw), run_time=0.5)
        stats = [grid.set_value(n + k, c, rows[n + k][c]) for k in range(2) for c in (0, 1)]  # pyright: ignore[reportArgumentType]
        self.play(*fade_in(*stats), run_time=0.6)
        self.play(*fade_in(formula), run_time=0.4)
        normed = [grid.set_value(r, c, rows[r][c]) for r in range(n) for c in (2, 3)]  # pyright: ignore[reportArgumentType]
        self.play(*fade_in(*normed), run_time=0.7)
        checks = [grid.set_value(n + k, c, rows[n + k][c]) for k in range(2) for c in (2, 3)]  # pyright: ignore[reportArgumentType]
        self.play(*fade_in(*checks), run_time=0.5)

    # -- gradient descent --------------------------------------------------------------------------
    def descend(self, t: RavinesData, raw: dict[str, Any], norm: dict[str, Any]) -> None:
        th = self.theme
        paths = [t["raw"]["path"], t["normalised"]["path"]]
        plots = [raw["plot"], norm["plot"]]
        starts = [plot.dot(path[0], th.foreground, radius=0.07) for plot, path in zip(plots, paths)]
        self.play(*fade_in(*starts), run_time=0.4)
        counter = label("step 0", th, size=BODY_SIZE).move_to((0, self.content_bottom + 0.2, 0))
        self.add(counter)
        steps = len(paths[0]) - 1
        times = [0.45, 0.45] + sweep_durations(steps, detailed=2, fast_total=5.0, fast_max=0.3, fast_min=0.08)
        self.descent = VGroup()  # every step's segment and dot, both plots (tests read their colour)
        for k in range(steps):
            segs = [plot.polyline([path[k], path[k + 1]], th.highlight, 3) for plot, path in zip(plots, paths)]
            dots = [plot.dot(path[k + 1], th.highlight, radius=0.045) for plot, path in zip(plots, paths)]
            new_counter = label(f"step {k + 1}", th, size=BODY_SIZE).move_to(counter)
            self.remove(counter)
            counter = new_counter
            self.add(counter)
            self.descent.add(*segs, *dots)
            self.play(*(Create(s) for s in segs), *fade_in(*dots), run_time=times[k])
        self._counter = counter

    def outcome(self, t: RavinesData, raw: dict[str, Any], norm: dict[str, Any]) -> None:
        th = self.theme
        self.remove(self._counter)
        notes = []
        for key, part in (("raw", raw), ("normalised", norm)):
            p = t[key]
            note = label(f"lr {_sig(p['lr'])}: {fmt_pct(p['remaining'])} of the distance left", th, size=BODY_SIZE,
                         color=th.highlight)
            fit_width(note, part["group"].width)
            notes.append(note.move_to((part["plot"].axes.get_center()[0], 0, 0)))
        bottom = min(raw["group"].get_bottom()[1], norm["group"].get_bottom()[1])
        for note in notes:
            note.set_y(max(bottom - 0.2 - note.height / 2, self.content_bottom + note.height / 2))
        self.play(*fade_in(*notes), run_time=0.6)
