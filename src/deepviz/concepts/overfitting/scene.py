"""Overfitting scene: reads a Trace, draws it; computes nothing.

Every part opens with the training cases (and the test cases, small) on a plot of t against x, then:
capacity        three fits of growing degree, then training and test loss against the degree (the U);
penalties       the high-degree fit and its weights, then L2's shrinking and L1's exactly-zero weights;
early-stopping  the fit as gradient descent goes, the training and held-out loss per step, the stop.
"""
from __future__ import annotations

from typing import Sequence

from manim import DOWN, LEFT, RIGHT, UP, Create, Indicate, Line, VGroup

from ...style.animations import fade_in, fade_out
from ...style.legend import legend_row
from ...style.mobjects import BODY_SIZE, Grid, fit_width, label
from ...style.numbers import fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import CapacityData, Common, EarlyStoppingData, Fit, PenaltiesData, StepFit

GAP = 0.6
TEST = 4  # series colour of the test (and held-out) cases and loss: pink
FITS = (3, 6, 1)  # series colours of three fits side by side: yellow, blue, orange (pink is the test cases')
EDGE = 0.1  # the content width reaches into the lint's edge margin
SMALL = 0.01  # a weight below this reads as about zero in the tables


def _sig(v: float) -> str:
    return fmt_sig(v, 3)


def _weight(v: float) -> str:
    """A weight in a table cell: an exact zero reads 0, a small non-zero one \u22480 (L2's are never exactly 0)."""
    return "0" if v == 0 else "\u22480" if abs(v) < SMALL else fmt_sig(v, 2)


def _log_fmt(v: float, digits: int) -> str:
    return fmt_sig(10 ** v, 2)


class OverfittingScene(DeepvizScene):
    concept = "overfitting"

    def construct(self) -> None:
        d = self.trace.data  # the part's own shape: CapacityData, PenaltiesData or EarlyStoppingData
        self.set_title("Overfitting and regularisation")
        self.narrate("data")
        getattr(self, "part_" + d["part"].replace("-", "_"))(d)
        self.wait(0.6)

    # -- shared ----------------------------------------------------------------------------------------
    @property
    def half(self) -> float:
        return (self.content_width - GAP) / 2 - EDGE

    def half_x(self, side) -> float:
        return (1 if side is RIGHT else -1) * (self.content_width + GAP) / 4

    def data_plot(self, d: Common, width: float, height: float, center) -> Plot:
        """t against x with the truth, the training cases and the test cases; fades them in."""
        th = self.theme
        plot = Plot(th, (-1, 1), d["y_window"], width, height, "x", "t", y_name_beside=True)
        plot.move_to(center)
        truth = VGroup(*(plot.polyline(seg, th.muted, 2) for seg in d["truth"]))
        tests = plot.dots(list(zip(d["test_x"], d["test_t"])), [th.series_color(TEST)] * len(d["test_x"]),
                          radius=0.025).set_opacity(0.6)
        train = plot.dots(list(zip(d["x"], d["t"])), [th.input] * len(d["x"]), radius=0.07)
        self.play(*fade_in(plot), run_time=0.5)
        self.play(Create(truth), run_time=0.6)
        self.play(*fade_in(tests), run_time=0.5)
        self.play(*fade_in(train), run_time=0.5)
        return plot

    def fit_curve(self, plot: Plot, fit: Fit, color: str, width: float = 4) -> VGroup:
        return VGroup(*(plot.polyline(seg, color, width) for seg in fit["curve"]))

    def loss_plot(self, xs: Sequence[float], ys: Sequence[float], x_name: str, center, width: float, height: float,
                  x_fmt=None) -> Plot:
        lo, hi = min(ys), max(ys)
        pad = 0.06 * (hi - lo)
        plot = Plot(self.theme, (min(xs), max(xs)), (lo - pad, hi + pad), width, height, x_name, "loss",
                    y_name_beside=True, y_fmt=_log_fmt, **({"fmt": x_fmt} if x_fmt else {}))
        plot.move_to(center)
        return plot

    def key(self, items: list[tuple[str, str]], anchor, buff: float = 0.3) -> VGroup:
        return legend_row(items, self.theme, self.half).next_to(anchor, DOWN, buff=buff)

    def tall_data_plot(self, d: Common) -> tuple[Plot, float]:
        """The data plot on the left half, as tall as the content allows; read before going on."""
        height = self.content_height - 1.6
        plot = self.data_plot(d, self.half - 1.2, height - 0.4,
                              [self.half_x(LEFT) + 0.4, self.content_top - height / 2 - 0.55, 0])
        self.finish_reading()
        return plot, height

    # -- capacity -------------------------------------------------------------------------------------
    def part_capacity(self, d: CapacityData) -> None:
        th = self.theme
        plot, height = self.tall_data_plot(d)
        curve, note = VGroup(), VGroup()  # nothing yet
        for k, deg in enumerate(d["shown"]):
            self.narrate(f"fit{k}")
            fit = d["fits"][deg]
            new_curve = self.fit_curve(plot, fit, th.output)
            new_note = label(f"degree {deg}: training loss {_sig(fit['train'])}, test loss {_sig(fit['test'])}", th,
                             size=BODY_SIZE, color=th.output)
            fit_width(new_note, self.half).next_to(plot, UP, buff=0.15).set_x(plot.axes.get_center()[0])
            self.play(*fade_out(curve, note), Create(new_curve), *fade_in(new_note),
                      run_time=1.2)
            curve, note = new_curve, new_note
            self.finish_reading()
        self.narrate("losses")
        fits = d["fits"]
        degrees = [f["degree"] for f in fits]
        logs = [f["log_train"] for f in fits] + [f["log_test"] for f in fits]
        lp = self.loss_plot(degrees, logs, "degree", [self.half_x(RIGHT), self.content_top - height / 2 - 0.2, 0],
                            self.half - 1.3, height - 1.0)
        train = lp.polyline([(f["degree"], f["log_train"]) for f in fits], th.input, 4)
        test = lp.polyline([(f["degree"], f["log_test"]) for f in fits], th.series_color(TEST), 4)
        key = self.key([("training loss", th.input), ("test loss", th.series_color(TEST))], lp)
        self.play(*fade_in(lp, key), run_time=0.5)
        self.play(Create(train), Create(test), run_time=2.0)
        best = fits[d["best_degree"]]
        mark = lp.dot((best["degree"], best["log_test"]), th.highlight, radius=0.09)
        tag = label(f"lowest test loss: degree {best['degree']}", th, size=BODY_SIZE, color=th.highlight)
        tag.next_to(key, DOWN, buff=0.2)
        self.play(*fade_in(mark, tag), run_time=0.5)
        self.finish_reading()
        self.narrate("overfit")
        self.play(Indicate(test, color=th.highlight, scale_factor=1.05), run_time=1.0)
        self.finish_reading()

    # -- penalties ------------------------------------------------------------------------------------
    def part_penalties(self, d: PenaltiesData) -> None:
        th = self.theme
        top_h = self.content_height - 2.5
        plot = self.data_plot(d, self.half - 1.2, top_h - 0.9, [self.half_x(LEFT) + 0.4,
                                                               self.content_top - top_h / 2 + 0.1, 0])
        empty = self.weight_table(d, [("least squares", None, th.output)])  # the weights a fit will have
        self.play(*fade_in(empty), run_time=0.5)
        self.finish_reading()
        self.narrate("plain")
        curve = self.fit_curve(plot, d["plain"], th.output)
        table = self.weight_table(d, [("least squares", d["plain"], th.output)])
        losses = self.loss_lines([("least squares", d["plain"], th.output)], plot)
        self.play(Create(curve), run_time=1.0)
        self.play(*fade_out(empty), *fade_in(table, losses), run_time=0.8)
        self.finish_reading()
        shown = [curve, table, losses]
        for name in ("l2", "l1"):
            self.narrate(name)
            rows = [(f"{name.upper()}, \u03bb = {_sig(f['lam'])}", f, th.series_color(FITS[k]))
                    for k, f in enumerate(d[name])]
            curves = [self.fit_curve(plot, f, color, 3) for _, f, color in rows]
            new_table = self.weight_table(d, [("least squares", d["plain"], th.output)] + rows)
            self.play(*fade_out(*shown), run_time=0.4)
            self.play(*fade_in(new_table), *(Create(c) for c in curves), run_time=1.2)
            self.finish_reading()
            self.narrate(name + "_loss")
            losses = self.loss_lines(rows, plot)
            self.play(*fade_in(losses), run_time=0.6)
            self.finish_reading()
            shown = [*curves, new_table, losses]

    def weight_table(self, d: PenaltiesData, rows: Sequence[tuple[str, Fit | None, str]]) -> VGroup:
        """One row of weights per fit, exactly-zero weights on a highlighted cell; row names in the fit's colour."""
        th = self.theme
        size = d["degree"] + 1
        values = [r[1]["w"] if r[1] else [None] * size for r in rows]
        colors = [[th.highlight if v == 0 else th.grid for v in w] for w in values]  # exact zeros stand out
        grid = Grid(values, th, 0.44, colors=colors, cell_width=1.0, fmt=_weight)
        heads = VGroup(*(label(f"w{str(k).translate(SUB)}", th, size=BODY_SIZE).next_to(grid.square(0, k), UP,
                                                                                       buff=0.08)
                         for k in range(len(values[0]))))
        names = VGroup(*(label(name, th, size=BODY_SIZE, color=color).next_to(grid.square(r, 0), LEFT, buff=0.15)
                         for r, (name, _, color) in enumerate(rows)))
        table = VGroup(grid, heads, names)
        fit_width(table, self.content_width - 2 * EDGE)
        table.move_to((0.0, 0.0, 0.0)).align_to((0.0, self.content_bottom + 0.05, 0.0), DOWN)
        return table

    def loss_lines(self, rows: Sequence[tuple[str, Fit, str]], plot: Plot) -> VGroup:
        th = self.theme
        lines = VGroup(*(label(f"{name}: training {_sig(f['train'])}, test {_sig(f['test'])}", th, size=BODY_SIZE,
                               color=color) for name, f, color in rows))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(lines, self.half)
        return lines.move_to((self.half_x(RIGHT), float(plot.get_center()[1]), 0.0))

    # -- early stopping --------------------------------------------------------------------------------
    def part_early_stopping(self, d: EarlyStoppingData) -> None:
        th = self.theme
        plot, height = self.tall_data_plot(d)
        self.narrate("train")
        xs = d["log_steps"]
        series = [("training loss", d["log_train_loss"][1:], th.input),
                  ("held-out loss", d["log_val_loss"][1:], th.series_color(TEST))]
        lp = self.loss_plot(xs, [v for _, ys, _ in series for v in ys], "step",
                            [self.half_x(RIGHT), self.content_top - height / 2 - 0.2, 0], self.half - 1.3,
                            height - 1.0, x_fmt=_log_fmt)
        key = self.key([(name, color) for name, _, color in series], lp)
        self.play(*fade_in(lp, key), run_time=0.5)
        snaps = d["snapshots"]
        curve = self.fit_curve(plot, snaps[0], th.output)
        note = self.step_note(plot, snaps[0])
        self.play(Create(curve), *fade_in(note), run_time=0.5)
        drawn = 0
        for snap in snaps[1:]:
            upto = snap["step"]
            pieces = [lp.polyline(list(zip(xs[max(0, drawn - 1):upto], ys[max(0, drawn - 1):upto])), color, 3)
                      for _, ys, color in series]
            new_curve = self.fit_curve(plot, snap, th.output)
            new_note = self.step_note(plot, snap)
            self.play(*(Create(p) for p in pieces), *fade_out(curve, note), *fade_in(new_curve, new_note),
                      run_time=0.6)
            curve, note, drawn = new_curve, new_note, upto
        self.finish_reading()
        self.narrate("curves")
        stop = d["stopped"]
        x_stop = xs[max(0, stop["step"] - 1)]
        marker = Line(lp.c2p(x_stop, lp.axes.y_range[0]), lp.c2p(x_stop, lp.axes.y_range[1]))
        marker.set_stroke(th.highlight, 3)
        tag = label(f"step {stop['step']}", th, size=BODY_SIZE, color=th.highlight)
        tag.next_to(marker, UP, buff=0.1)
        self.play(Create(marker), *fade_in(tag), run_time=0.6)
        self.finish_reading()
        self.narrate("stop")
        early = self.fit_curve(plot, stop, th.highlight)
        self.play(*fade_out(note), Create(early), run_time=1.0)
        notes = VGroup(label(f"step {stop['step']}: test loss {_sig(stop['test'])}", th, size=BODY_SIZE,
                             color=th.highlight),
                       label(f"step {d['final']['step']}: test loss {_sig(d['final']['test'])}", th, size=BODY_SIZE,
                             color=th.output)).arrange(RIGHT, buff=0.5)
        fit_width(notes, self.half).next_to(plot, UP, buff=0.15).set_x(plot.axes.get_center()[0])
        self.play(*fade_in(notes), run_time=0.5)
        self.finish_reading()

    def step_note(self, plot: Plot, fit: StepFit):
        note = label(f"step {fit['step']}: training loss {_sig(fit['train'])}", self.theme, size=BODY_SIZE,
                     color=self.theme.output)
        return fit_width(note, self.half).next_to(plot, UP, buff=0.15).set_x(plot.axes.get_center()[0])


SUB = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
