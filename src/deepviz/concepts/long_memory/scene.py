"""Long-memory scene: reads a Trace, draws it; computes nothing.

The task as a row of letter chips (the first one, the answer, highlighted), the three readers,
|dL/dh(t)| before training on a log-scale plot (one curve per cell, in its series colour), and the
accuracy after training as a table of cells by gaps.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Arrow, Create, RoundedRectangle, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, TITLE_SIZE, Grid, colored_text, fit_width, label
from ...style.numbers import SUPERSCRIPT, fmt_num, fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import LongMemoryData


def _power(v: float, digits: int) -> str:
    """A log10 tick (a whole number) as the power of ten it stands for: 10⁻³."""
    return "1" if v == 0 else "10" + str(round(v)).translate(SUPERSCRIPT)


class LongMemoryScene(DeepvizScene):
    concept = "long-memory"

    def construct(self) -> None:
        t: LongMemoryData = self.trace.data
        self.set_title("Long memory: why gates")
        self.task_part(t)
        self.clear_content()
        self.set_title(f"Before training: the gradient back through {t['gradient']['gap'] + 1} steps")
        self.gradient_part(t)
        self.clear_content()
        self.set_title("After training: accuracy as the gap grows")
        self.accuracy_part(t)
        self.wait(1.0)

    def color(self, c) -> str:
        return self.theme.role(c["role"])

    def chip(self, text: str, color: str, size: float = TITLE_SIZE + 10):
        glyph = label(text, self.theme, size=size)
        box = RoundedRectangle(corner_radius=0.12, width=0.95, height=0.95).set_stroke(color, 4)
        box.set_fill(color, 0.12).move_to(glyph)
        return VGroup(box, glyph)

    # -- the task and the readers -------------------------------------------------------------------
    def task_part(self, t) -> None:
        th, ex = self.theme, t["example"]
        chips = VGroup(*(self.chip(tok, th.highlight if k == 0 else th.input) for k, tok in enumerate(ex["tokens"])))
        chips.arrange(RIGHT, buff=0.3)
        answer = self.chip(ex["answer"], th.output)
        into = Arrow(LEFT * 0.6, RIGHT * 0.6, buff=0, stroke_width=5, color=th.muted)
        row = VGroup(chips, into, answer).arrange(RIGHT, buff=0.45)
        first = label("the answer", th, size=LABEL_SIZE, color=th.highlight).next_to(chips[0], UP, buff=0.25)
        fillers = label(f"{ex['gap']} fillers to ignore", th, size=LABEL_SIZE, color=th.input)
        fillers.next_to(chips[1:], DOWN, buff=0.25)
        gaps = label(f"gaps {', '.join(map(str, t['gaps']))}: the answer up to {max(t['gaps']) + 1} letters back",
                     th, size=LABEL_SIZE, color=th.muted)
        group = VGroup(VGroup(row, first, fillers), gaps).arrange(DOWN, buff=0.8)
        self.place_in_content(group)
        self.narrate("intro")
        self.play(*fade_in(chips, first), run_time=0.8)
        self.play(Create(into), *fade_in(answer, fillers), run_time=0.6)
        self.play(*fade_in(gaps), run_time=0.4)
        self.finish_reading()
        readers = VGroup()
        for c in t["cells"]:
            name = label(c["name"], th, size=TITLE_SIZE, color=self.color(c))
            box = RoundedRectangle(corner_radius=0.15, width=max(3.2, name.width + 0.6), height=1.3)
            box.set_stroke(self.color(c), 4).move_to(name)
            readers.add(VGroup(box, name))
        readers.arrange(RIGHT, buff=0.6)
        note = label(f"hidden size {t['hidden_size']} \u00b7 {t['n_train']} training sequences per gap \u00b7 "
                     f"{t['steps']} Adam steps", th, size=LABEL_SIZE, color=th.muted)
        lower = VGroup(readers, fit_width(note, self.content_width)).arrange(DOWN, buff=0.4)
        lower.move_to(gaps).shift(DOWN * 0.2)
        self.narrate("readers")
        self.play(*fade_out(gaps), group[0].animate.shift(UP * 0.6), run_time=0.5)
        lower.next_to(group[0], DOWN, buff=0.7)
        self.play(*fade_in(lower), run_time=0.7)
        self.finish_reading()

    # -- gradients before training ----------------------------------------------------------------------
    def gradient_part(self, t) -> None:
        th = self.theme
        lo, hi = t["log10_range"]
        steps = len(t["cells"][0]["log10_norm"])
        plot = Plot(th, (1, steps), (lo, hi), width=self.content_width - 4.6, height=self.content_height - 1.3,
                    x_name="step t (the first letter is t = 1)", y_name="|dL/dh(t)|", ticks=min(6, hi - lo),
                    y_fmt=_power)
        plot.move_to((-1.6, (self.content_top + self.content_bottom) / 2 + 0.1, 0))
        curves, names = [], VGroup()
        for c in t["cells"]:
            points = [(k + 1, v) for k, v in enumerate(c["log10_norm"])]
            curves.append(VGroup(plot.polyline(points, self.color(c), width=5),
                                 plot.dots(points[:1], [self.color(c)], radius=0.09)))
            names.add(label(c["name"], th, size=LABEL_SIZE, color=self.color(c))
                      .next_to(plot.c2p(steps, c["log10_norm"][-1]), RIGHT, buff=0.25))
        spread_labels(names, 0.42)
        self.narrate("gradient")
        self.play(*fade_in(plot), run_time=0.7)
        for curve, name in zip(curves, names):
            self.play(Create(curve[0]), *fade_in(curve[1], name), run_time=1.0)
        self.finish_reading()
        self.narrate("ratio")
        # a legend beside the plot: what reaches the first letter, and that over what left the loss
        head = label(f"|dL/dh(1)| / |dL/dh({steps})|", th, size=BODY_SIZE, color=th.muted)
        rows = [label(f"{c['name']}: {fmt_sig(c['first_over_last'], 2)}", th, size=BODY_SIZE, color=self.color(c))
                for c in t["cells"]]
        ratios = VGroup(head, *rows).arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        ratios.next_to(plot.axes, RIGHT, buff=0.3).align_to(plot.axes, DOWN).shift(UP * 0.3)
        self.keep_in_content(ratios)
        self.play(*fade_in(ratios), *(curve[1].animate.scale(1.6) for curve in curves), run_time=0.6)
        self.finish_reading()

    # -- accuracy after training -----------------------------------------------------------------------
    def accuracy_part(self, t) -> None:
        th = self.theme
        rows = [c["percent"] for c in t["cells"]]
        colors = [[th.output if v >= 95 else th.faint for v in row] for row in rows]
        grid = Grid(rows, th, 0.85, colors=colors, cell_width=1.7, fmt=lambda v: f"{fmt_num(v, 0)}%")
        heads = VGroup(*(label(f"gap {g}", th, size=LABEL_SIZE, color=th.input).next_to(grid.square(0, k), UP,
                                                                                       buff=0.2)
                         for k, g in enumerate(t["gaps"])))
        names = VGroup(*(label(c["name"], th, size=LABEL_SIZE, color=self.color(c)).next_to(grid.square(k, 0), LEFT,
                                                                                           buff=0.3)
                         for k, c in enumerate(t["cells"])))
        right = names.get_right()[0]
        for name in names:
            name.shift(RIGHT * (right - name.get_right()[0]))
        chance = colored_text([("chance: ", th.muted), (f"{fmt_num(100 * t['chance'], 0)}%", None),
                               (f"   \u00b7   {t['n_test']} new sequences per gap", th.muted)], th, size=LABEL_SIZE)
        table = VGroup(grid, heads, names)
        group = VGroup(table, chance).arrange(DOWN, buff=0.6)
        self.place_in_content(group)
        self.narrate("accuracy")
        self.play(*fade_in(grid.squares, heads, names), run_time=0.7)
        for k in range(len(t["gaps"])):
            column = [grid.value(r, k) for r in range(len(rows))]
            self.play(*fade_in(*(v for v in column if v is not None)), run_time=0.45)
        self.play(*fade_in(chance), run_time=0.4)
        self.finish_reading()


def spread_labels(labels: VGroup, gap: float) -> None:
    """Move labels placed at a common x apart vertically (keeping their order) so none overlap."""
    order = sorted(labels, key=lambda m: -m.get_y())
    for above, below in zip(order, order[1:]):
        if above.get_y() - below.get_y() < gap:
            below.set_y(above.get_y() - gap)
