"""Gradient-descent scene: reads a Trace, draws it; computes nothing.

Every part opens with the data and the fitted line (left) and the loss's contour lines over (w, b) (right), then:
descent       the gradient's two partial derivatives at the start, the first steps spelled out, the rest fast;
learning-rates four contour plots side by side, one descent each;
batches       full batch and mini-batch paths on the contours, and the loss against the work done;
momentum      SGD, SGD with momentum and Adam on a ravine, and the loss per step.
"""
from __future__ import annotations

from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Arrow, Create, Indicate, VGroup

from ...style.animations import fade_in, fade_out
from ...style.contours import ContourPlot
from ...style.legend import legend_row
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, fit_width, label
from ...style.numbers import fmt_num, fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene, sweep_durations
from .schema import GradientDescentData, Run

GAP = 0.6  # between the two halves of the screen
RUN_COLORS = (3, 4, 6)  # series colours of the runs: yellow, pink, blue (not a role's colour)


def _sig(v: float) -> str:
    return fmt_sig(v, 3)


class GradientDescentScene(DeepvizScene):
    concept = "gradient-descent"

    def construct(self) -> None:
        d: GradientDescentData = self.trace.data
        self.set_title("Gradient descent on a loss surface")
        self.narrate("data")
        data_plot = self.data_plot(d)
        self.finish_reading()
        self.narrate("surface")
        surface = self.surface(d, RIGHT, (self.content_width - GAP) / 2, self.content_height - 1.3)
        self.finish_reading()
        getattr(self, "part_" + d["part"].replace("-", "_"))(d, data_plot, surface)
        self.wait(0.6)

    # -- the shared opening ----------------------------------------------------------------------
    def half_x(self, side) -> float:
        return (1 if side is RIGHT else -1) * (self.content_width + GAP) / 4

    def data_plot(self, d: GradientDescentData) -> dict[str, Any]:
        th = self.theme
        xs, ts = d["x"], d["t"]
        lo, hi = min(xs), max(xs)
        ys = ts + [y for run in d["runs"] for y in run["line"][0]]
        pad_x, pad_y = 0.08 * (hi - lo), 0.1 * (max(ys) - min(ys))
        plot = Plot(th, (lo - pad_x, hi + pad_x), (min(ys) - pad_y, max(ys) + pad_y),
                    (self.content_width - GAP) / 2 - 1.3, self.content_height - 2.1, "x", "t", y_name_beside=True)
        self.place_half(plot, LEFT, self.content_height - 1.3)
        dots = plot.dots(list(zip(xs, ts)), [th.input] * len(xs), radius=0.06)
        self.play(*fade_in(plot), run_time=0.5)
        self.play(*fade_in(dots), run_time=0.6)
        line = self.fitted_line(plot, d, d["runs"][0]["line"][0])
        self.play(Create(line), run_time=0.5)
        return {"plot": plot, "dots": dots, "line": line, "parts": [plot, dots]}

    def fitted_line(self, plot: Plot, d: GradientDescentData, ends: list[float]):
        return plot.polyline([(d["x_ends"][0], ends[0]), (d["x_ends"][1], ends[1])], self.theme.output, 4)

    def place_half(self, mob, side, height: float) -> None:
        fit_width(mob, (self.content_width - GAP) / 2)
        if mob.height > height:
            mob.scale_to_fit_height(height)
        mob.move_to((self.half_x(side), self.content_top - height / 2, 0.0))

    def surface(self, d: GradientDescentData, side, width: float, height: float, head: str = "") -> ContourPlot:
        th = self.theme
        title = head or f"J(w, b): minimum {_sig(d['J_min'])} at ({_sig(d['w_min'][0])}, {_sig(d['w_min'][1])})"
        cp = ContourPlot(th, d["window"], d["contours"], d["w_min"], width - 1.3, height - 1.4, title=title)
        self.place_half(cp, side, height)
        self.play(*fade_in(cp.plot, cp.head), run_time=0.5)
        self.play(Create(cp.curves), run_time=1.0)
        self.play(*fade_in(cp.minimum), run_time=0.3)
        return cp

    # -- descent ----------------------------------------------------------------------------------
    def part_descent(self, d: GradientDescentData, data: dict[str, Any], cp: ContourPlot) -> None:
        th = self.theme
        run = d["runs"][0]
        path, lines = run["path"], run["line"]
        start = cp.dot(path[0], th.foreground)
        self.narrate("gradient")
        arrow = self.uphill_arrow(cp, path[0], run["uphill"][0])
        panel = self.gradient_panel(run, 0)
        self.play(*fade_in(start, arrow, panel), run_time=0.8)
        self.finish_reading()
        self.narrate("step")
        line = data["line"]
        detailed = d["detailed"]
        for k in range(detailed):
            if k:
                new_arrow = self.uphill_arrow(cp, path[k], run["uphill"][k])
                new_panel = self.gradient_panel(run, k)
                self.play(*fade_out(arrow, panel), *fade_in(new_arrow, new_panel), run_time=0.5)
                arrow, panel = new_arrow, new_panel
            update = self.update_panel(run, k, panel)
            self.play(*fade_in(update), run_time=0.6)
            self.wait(1.2)
            step = cp.step(path[k], path[k + 1], th.highlight)
            new_line = self.fitted_line(data["plot"], d, lines[k + 1])
            self.play(Create(step), line.animate.become(new_line), run_time=0.8)
            self.play(*fade_out(update), run_time=0.3)
        self.finish_reading()
        self.narrate("steps")
        self.play(*fade_out(arrow, panel), run_time=0.3)
        times = sweep_durations(run["steps"], detailed=detailed, fast_total=5.0, fast_max=0.6, fast_min=0.2)
        counter = None
        for k, rt in zip(range(detailed, run["steps"]), times):
            note = self.step_note(run, k + 1)
            step = cp.step(path[k], path[k + 1], th.highlight)
            self.play(Create(step), line.animate.become(self.fitted_line(data["plot"], d, lines[k + 1])),
                      *(fade_out(counter) if counter else []), *fade_in(note), run_time=rt)
            counter = note
        self.finish_reading()

    def uphill_arrow(self, cp: ContourPlot, a, b) -> Arrow:
        p, q = cp.plot.c2p(*a), cp.plot.c2p(*b)
        return Arrow(p, q, buff=0, stroke_width=5, tip_length=0.2, max_tip_length_to_length_ratio=0.4,
                     color=self.theme.gradient)

    def bottom_line(self, mob):
        mob.move_to((0.0, self.content_bottom + 0.75, 0.0))
        return self.keep_in_content(fit_width(mob, self.content_width))

    def gradient_panel(self, run: Run, k: int):
        g, p = run["grad"][k], run["path"][k]
        text = (f"at (w, b) = ({_sig(p[0])}, {_sig(p[1])}):   \u2202J/\u2202w = {_sig(g[0])}    "
                f"\u2202J/\u2202b = {_sig(g[1])}")
        return self.bottom_line(label(text, self.theme, size=LABEL_SIZE, color=self.theme.gradient))

    def update_panel(self, run: Run, k: int, above):
        g, p, q, lr = run["grad"][k], run["path"][k], run["path"][k + 1], run["lr"]
        text = (f"w \u2190 {_sig(p[0])} \u2212 {_sig(lr)}\u00b7({_sig(g[0])}) = {_sig(q[0])}      "
                f"b \u2190 {_sig(p[1])} \u2212 {_sig(lr)}\u00b7({_sig(g[1])}) = {_sig(q[1])}")
        mob = label(text, self.theme, size=LABEL_SIZE, color=self.theme.highlight)
        fit_width(mob, self.content_width)
        return mob.next_to(above, DOWN, buff=0.15)

    def step_note(self, run: Run, k: int):
        p = run["path"][k]
        text = f"step {k}:  (w, b) = ({_sig(p[0])}, {_sig(p[1])})   J = {_sig(run['J'][k])}"
        return self.bottom_line(label(text, self.theme, size=LABEL_SIZE, color=self.theme.highlight))

    # -- learning rates ---------------------------------------------------------------------------
    def part_learning_rates(self, d: GradientDescentData, data: dict[str, Any], cp: ContourPlot) -> None:
        th = self.theme
        self.narrate("rates")
        self.clear_content(run_time=0.5)
        w = (self.content_width - GAP) / 2
        h = (self.content_height - 0.3) / 2
        plots, verdicts = [], []
        for k, run in enumerate(d["runs"]):
            head = f"\u03b7 = {_sig(run['lr'])}  ({fmt_num(run['fraction'] or 0.0, 3)} \u00d7 2/\u03bbmax)"
            small = ContourPlot(th, d["window"], d["contours"], d["w_min"], w - 3.3, h - 1.5, title=head)
            verdict = label(run["verdict"] + (f"\nstopped at step {run['steps']}" if run["diverged"] else ""),
                            th, size=BODY_SIZE, color=th.highlight)
            verdict.next_to(small.plot.axes, RIGHT, buff=0.3).align_to(small.plot.axes, UP)
            group = VGroup(small, verdict)  # the verdict shows later, but has its room now
            fit_width(group, w - 0.1)  # the content width reaches into the lint's edge margin
            if group.height > h:
                group.scale_to_fit_height(h)
            row, col = divmod(k, 2)
            group.move_to((self.half_x(RIGHT if col else LEFT), self.content_top - h / 2 - row * (h + 0.3), 0.0))
            plots.append(small)
            verdicts.append(verdict)
        self.play(*fade_in(*(p for s in plots for p in (s.plot, s.curves, s.minimum, s.head))), run_time=0.8)
        self.finish_reading()
        for k, (run, small, verdict) in enumerate(zip(d["runs"], plots, verdicts)):
            self.narrate(f"rate{k}")
            path = small.path(run["shown"], th.highlight)
            start = small.dot(run["path"][0], th.foreground, radius=0.06)
            self.play(*fade_in(start), run_time=0.3)
            self.play(Create(path), run_time=2.0)
            self.play(*fade_in(verdict), run_time=0.4)
            self.finish_reading()

    # -- mini-batches -----------------------------------------------------------------------------
    def loss_plot(self, d: GradientDescentData, x_key: str, x_name: str, side, height: float) -> Plot:
        runs = d["runs"]
        xs = [v for r in runs for v in (r["samples"] if x_key == "samples" else range(len(r["J"])))]
        ys = [v for r in runs for v in r["log_J"]]
        lo, hi = min(ys), max(ys)
        pad = 0.05 * (hi - lo)
        plot = Plot(self.theme, (0, max(xs)), (lo - pad, hi + pad), (self.content_width - GAP) / 2 - 1.3,
                    height - 1.4, x_name, "J", y_name_beside=True, y_fmt=lambda v, dg: fmt_sig(10 ** v, 2))
        self.place_half(plot, side, height)
        self.play(*fade_in(plot), run_time=0.5)
        return plot

    def legend(self, names: list[str], anchor, side) -> VGroup:
        items = [(n, self.theme.series_color(RUN_COLORS[k])) for k, n in enumerate(names)]
        row = legend_row(items, self.theme, (self.content_width - GAP) / 2)
        return row.next_to(anchor, DOWN, buff=0.35).set_x(self.half_x(side))

    def surface_on_left(self, d: GradientDescentData, key: str, head: str = "") -> tuple[ContourPlot, float]:
        """Start step ``key`` on a clear screen with the contour plot on the left half; the room it takes."""
        height = self.content_height - 0.9
        self.narrate(key)
        self.clear_content(run_time=0.5)
        return self.surface(d, LEFT, (self.content_width - GAP) / 2, height, head), height

    def part_batches(self, d: GradientDescentData, data: dict[str, Any], cp: ContourPlot) -> None:
        th = self.theme
        runs = d["runs"]
        cp, height = self.surface_on_left(d, "batches")
        names = [("full batch " if r["batch"] == d["n"] else "batch ") + str(r["batch"]) for r in runs]
        legend = self.legend(names, cp, LEFT)
        start = cp.dot(runs[0]["path"][0], th.foreground)
        plot = self.loss_plot(d, "samples", "case gradients computed", RIGHT, height)
        self.play(*fade_in(legend, start), run_time=0.5)
        self.finish_reading()
        self.narrate("paths")
        # epoch by epoch: every batch size has done the same work at the end of each play
        curves = []
        for e in range(max(1, runs[0]["steps"])):
            pieces = []
            for k, run in enumerate(runs):
                per, color = run["steps_per_epoch"], th.series_color(RUN_COLORS[k])
                span = slice(e * per, (e + 1) * per + 1)
                pieces.append(cp.path(run["path"][span], color, 3 if k == 0 else 2))
                curve = plot.polyline(list(zip(run["samples"][span], run["log_J"][span])), color, 3)
                pieces.append(curve)
                curves.append(curve)
            self.play(*(Create(p) for p in pieces), run_time=1.2)
        self.finish_reading()
        self.narrate("cost")
        self.play(*(Indicate(c, color=th.highlight, scale_factor=1.0) for c in curves[-len(runs):]), run_time=1.0)
        self.finish_reading()

    # -- momentum and Adam ------------------------------------------------------------------------
    def part_momentum(self, d: GradientDescentData, data: dict[str, Any], cp: ContourPlot) -> None:
        th = self.theme
        runs = d["runs"]
        cp, height = self.surface_on_left(d, "ravine", head=f"a ravine: condition number {_sig(d['condition'])}")
        start = cp.dot(runs[0]["path"][0], th.foreground)
        plot = self.loss_plot(d, "steps", "step", RIGHT, height)
        self.play(*fade_in(start), run_time=0.3)
        self.finish_reading()
        names = ["SGD", f"momentum {fmt_num(runs[1]['momentum'], 2)}", "Adam"]
        legend = self.legend(names, cp, LEFT)
        for k, (key, run) in enumerate(zip(("sgd", "momentum", "adam"), runs)):
            self.narrate(key)
            color = th.series_color(RUN_COLORS[k])
            path = cp.path(run["shown"], color, 3)
            curve = plot.polyline(list(enumerate(run["log_J"])), color, 3)
            self.play(*fade_in(legend[k]), run_time=0.3)
            self.play(Create(path), Create(curve), run_time=2.5)
            self.finish_reading()
