"""activations scene: reads a Trace, draws it; computes nothing.

1. each activation f(x) (left) with its derivative f'(x) (right), one after another, each plot's y range fitted
   to the function (from the trace) so its height is used and its key values (0.5, 1) have ticks;
2. the sigmoid as the step joined at both ends: sigmoid(k x) for growing k;
3. the sigmoid's output read as a probability;
4. two linear layers collapsing into one matrix product, checked on one input; a ReLU breaks the collapse.
"""
from __future__ import annotations

from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Create, DashedLine, Transform, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, Grid, colored_text, fit_width, label
from ...style.numbers import fmt_num
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import ActivationsData, Curve

GAP = 0.8  # between the two plots


def _n(v: float) -> str:
    return fmt_num(v, 2)


def _v(p) -> str:
    return "(" + ", ".join(_n(c) for c in p) + ")"


class ActivationsScene(DeepvizScene):
    concept = "activations"

    def construct(self) -> None:
        t: ActivationsData = self.trace.data
        self.set_title("Activation functions")
        self.narrate("intro")
        first = self.plot_pair(t, t["curves"][0])
        self.play(*fade_in(first["f"], first["df"]), run_time=0.6)
        self.finish_reading()
        self.tour(t, first)

        self.clear_content()
        self.narrate("joined")
        sig = self.joined(t)
        self.finish_reading()

        self.narrate("probability")
        self.probability(t, sig)
        self.finish_reading()

        self.clear_content()
        self.narrate("collapse")
        rows = self.collapse(t)
        self.finish_reading()

        self.narrate("check")
        self.check(t, rows)
        self.finish_reading()

        self.narrate("relu")
        self.relu(t, rows)
        self.finish_reading()
        self.wait(0.6)

    # -- f and f' ----------------------------------------------------------------------------------
    def plot_pair(self, t: ActivationsData, c: Curve) -> dict[str, Plot]:
        """The f and f' plots of one function, each over its own y range."""
        th, win = self.theme, t["window"]
        width = (self.content_width - GAP) / 2 - 0.75
        height = self.content_height - 2.0
        left = Plot(th, win["x"], c["y_range"], width, height, "x", "f(x)", ticks=4)  # 0, 0.25, 0.5.. on (0, 1)
        right = Plot(th, win["x"], c["dy_range"], width, height, "x", "f\u2032(x)", ticks=5)
        pair = VGroup(left, right).arrange(RIGHT, buff=GAP + 0.5)
        fit_width(pair, self.content_width - 0.4)  # tick labels keep off the frame's edge
        pair.move_to([0, self.content_bottom + pair.height / 2 + 0.05, 0])
        return {"f": left, "df": right}

    def curves(self, plot: Plot, segments, color: str) -> VGroup:
        return VGroup(*(plot.polyline(seg, color, 4) for seg in segments if len(seg) > 1))

    def formula(self, text: str, plot: Plot, color: str):
        lab = label(text, self.theme, size=BODY_SIZE, color=color)
        fit_width(lab, plot.width)
        return lab.next_to(plot, UP, buff=0.2).align_to(plot.axes, LEFT)

    def tour(self, t: ActivationsData, first: dict[str, Plot]) -> None:
        """Each function in turn; ``first`` holds the plots already shown for the first one."""
        th = self.theme
        now = None
        for i, c in enumerate(t["curves"]):
            self.narrate(f"fn_{c['name']}")
            color = th.series_color(i)
            plots = first if i == 0 else self.plot_pair(t, c)
            f, df = plots["f"], plots["df"]
            new = {"f": self.curves(f, c["segments"], color), "df": self.curves(df, c["dsegments"], color),
                   "name": label(c["title"], th, size=LABEL_SIZE, color=color),
                   "formula": self.formula(c["formula"], f, color), "dformula": self.formula(c["dformula"], df, color),
                   "plots": VGroup(f, df)}
            new["name"].next_to(new["formula"], UP, buff=0.15).align_to(f.axes, LEFT)
            if now is None:
                self.play(*fade_in(new["name"], new["formula"], new["dformula"]), run_time=0.5)
                self.play(Create(new["f"]), Create(new["df"]), run_time=1.2)
                now = new
            else:
                # the axes change with the function: the old curve moves into the new axes as they fade in
                self.play(*fade_out(now["name"], now["formula"], now["dformula"], now["plots"]),
                          *fade_in(new["name"], new["formula"], new["dformula"], new["plots"]),
                          Transform(now["f"], new["f"]), Transform(now["df"], new["df"]), run_time=1.0)
                now.update({k: new[k] for k in ("name", "formula", "dformula", "plots")})
            self.finish_reading()

    # -- the sigmoid -------------------------------------------------------------------------------------
    def joined(self, t: ActivationsData) -> dict[str, Any]:
        th, j = self.theme, t["joined"]
        x0, x1 = t["window"]["x"]
        plot = Plot(th, (x0, x1), (0, 1), 7.4, self.content_height - 1.0, "x", "", ticks=8)
        middle = (self.content_top + self.content_bottom) / 2
        plot.move_to((-self.content_width / 2 + 0.4 + plot.width / 2, middle - 0.2, 0))
        step = VGroup(*(DashedLine(plot.c2p(*seg[0]), plot.c2p(*seg[-1])) for seg in j["step"]))
        step.set_stroke(th.muted, 4)
        step_tag = label("step H(x)", th, size=BODY_SIZE, color=th.muted)
        step_tag.next_to(plot.c2p(0, 1), DOWN + LEFT, buff=0.2)
        curve = plot.polyline(j["curves"][0], th.output, 4)
        k_tag = label(f"\u03c3({_n(j['k'][0])} x)", th, size=LABEL_SIZE, color=th.output)
        k_tag.next_to(plot.c2p(x1, 1), DOWN + LEFT, buff=0.25)
        self.play(*fade_in(plot, step, step_tag), run_time=0.6)
        self.play(Create(curve), *fade_in(k_tag), run_time=1.0)
        for k, pts in zip(j["k"][1:], j["curves"][1:]):
            tag = label(f"\u03c3({_n(k)} x)", th, size=LABEL_SIZE, color=th.output).move_to(k_tag, aligned_edge=RIGHT)
            self.play(Transform(curve, plot.polyline(pts, th.output, 4)), Transform(k_tag, tag), run_time=1.0)
        plain = label("\u03c3(x)", th, size=LABEL_SIZE, color=th.output).move_to(k_tag, aligned_edge=RIGHT)
        self.play(Transform(curve, plot.polyline(j["curves"][0], th.output, 4)), Transform(k_tag, plain), run_time=0.8)
        return {"plot": plot, "curve": curve}

    def probability(self, t: ActivationsData, sig: dict[str, Any]) -> None:
        th, p, plot = self.theme, t["probability"], sig["plot"]
        x0 = t["window"]["x"][0]
        z, prob = p["z"], p["p"]
        up = DashedLine(plot.c2p(z, 0), plot.c2p(z, prob)).set_stroke(th.input, 3)
        across = DashedLine(plot.c2p(z, prob), plot.c2p(x0, prob)).set_stroke(th.input, 3)
        dot = plot.dot((z, prob), th.input, radius=0.09)
        z_tag = label(f"z = {_n(z)}", th, size=BODY_SIZE, color=th.input).next_to(plot.c2p(z, 0), UP + RIGHT,
                                                                                   buff=0.1)
        lines = VGroup(
            label(f"\u03c3({_n(z)}) = {fmt_num(prob, 3)}", th, size=LABEL_SIZE, color=th.input),
            label(f"P(class 1) = {fmt_num(100 * prob, 1)}%", th, size=LABEL_SIZE, color=th.output),
            label(f"P(class 0) = 1 \u2212 \u03c3(z) = \u03c3(\u2212z) = {fmt_num(p['q'], 3)}", th, size=BODY_SIZE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        room = self.content_width / 2 - plot.get_right()[0] - 0.6  # off the frame's edge
        fit_width(lines, room)
        lines.next_to(plot, RIGHT, buff=0.4).set_y(plot.get_center()[1])
        self.play(Create(up), *fade_in(z_tag), run_time=0.6)
        self.play(*fade_in(dot), Create(across), run_time=0.6)
        for line in lines:
            self.play(*fade_in(line), run_time=0.4)

    # -- the collapse ---------------------------------------------------------------------------------------
    def collapse(self, t: ActivationsData) -> dict[str, Any]:
        th, c = self.theme, t["collapse"]

        def grid(values, color):
            rows = values if isinstance(values[0], list) else [[v] for v in values]
            return Grid(rows, th, 0.55, colors=color, cell_width=1.0)

        def sym(text, color=None):
            return label(text, th, size=LABEL_SIZE, color=color)

        weights = VGroup(grid(c["W2"], th.weight), sym("\u00b7"), grid(c["W1"], th.input), sym("="),
                         grid(c["W"], th.output)).arrange(RIGHT, buff=0.25)
        names = VGroup(*(label(n, th, size=BODY_SIZE, color=col).next_to(weights[i], UP, buff=0.12)
                         for n, i, col in (("W2", 0, th.weight), ("W1", 2, th.input), ("W = W2 W1", 4, th.output))))
        biases = VGroup(grid(c["W2"], th.weight), sym("\u00b7"), grid(c["b1"], th.input), sym("+"),
                        grid(c["b2"], th.weight), sym("="), grid(c["b"], th.output)).arrange(RIGHT, buff=0.25)
        bnames = VGroup(*(label(n, th, size=BODY_SIZE, color=col).next_to(biases[i], UP, buff=0.12)
                          for n, i, col in (("W2", 0, th.weight), ("b1", 2, th.input), ("b2", 4, th.weight),
                                            ("b", 6, th.output))))
        formula = colored_text([("W2 (W1 x + b1) + b2  =  ", None), ("W", th.output), (" x + ", None),
                                ("b", th.output)], th, LABEL_SIZE)
        top = VGroup(VGroup(weights, names), VGroup(biases, bnames)).arrange(RIGHT, buff=0.9, aligned_edge=DOWN)
        group = VGroup(formula, top).arrange(DOWN, buff=0.4)
        fit_width(group, self.content_width)
        group.move_to([0, self.content_top - 0.1 - group.height / 2, 0])
        self.play(*fade_in(formula), run_time=0.5)
        self.play(*fade_in(weights, names), run_time=0.7)
        self.play(*fade_in(biases, bnames), run_time=0.7)
        return {"group": group}

    def add_below(self, rows: dict[str, Any], mob) -> None:
        fit_width(mob, self.content_width)
        anchor = rows.get("last", rows["group"])
        mob.next_to(anchor, DOWN, buff=0.35)
        mob.set_x(0)
        rows["last"] = mob
        self.play(*fade_in(mob), run_time=0.5)

    def check(self, t: ActivationsData, rows: dict[str, Any]) -> None:
        th, c = self.theme, t["collapse"]
        line = VGroup(
            label(f"x = {_v(c['x'])}:   two layers  W2 (W1 x + b1) + b2 = {_v(c['y_two'])}", th, size=BODY_SIZE),
            colored_text([("one map  ", None), ("W", th.output), (" x + ", None), ("b", th.output),
                          (f" = {_v(c['y_one'])}", None)], th, BODY_SIZE),
        ).arrange(DOWN, buff=0.15)
        self.add_below(rows, line)

    def relu(self, t: ActivationsData, rows: dict[str, Any]) -> None:
        th, c = self.theme, t["collapse"]
        color = th.highlight if c["relu_active"] else th.muted
        line = VGroup(
            label(f"with a ReLU:  h = W1 x + b1 = {_v(c['h'])}  \u2192  ReLU(h) = {_v(c['h_relu'])}", th,
                  size=BODY_SIZE, color=color),
            label(f"W2 ReLU(h) + b2 = {_v(c['y_relu'])}   vs   W x + b = {_v(c['y_one'])}", th, size=BODY_SIZE,
                  color=color),
        ).arrange(DOWN, buff=0.15)
        self.add_below(rows, line)
