"""Batch-norm scene: reads a Trace, draws it; computes nothing.

Left, the 2-2-1 network with a BN box after the hidden layer; right, a table with one row per
example of the detailed batch, filled column by column as the forward pass proceeds.
"""
from __future__ import annotations

from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Create, Indicate, Rectangle, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, Grid, Neuron, edge, fit_width, label
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene
from .schema import BatchNormData

COLUMNS = ("x1", "x2", "h1", "h2", "\u01251", "\u01252", "z1", "z2", "y")
COL_INPUT, COL_H, COL_HAT, COL_Z, COL_Y = 0, 2, 4, 6, 8
ROW_NAMES_WIDTH = 0.9  # room left of the table for "#1", "mean", "std"


def _fmt(v: float) -> str:
    return fmt_num(v, 2)


class BatchNormScene(DeepvizScene):
    concept = "batch-norm"

    def construct(self) -> None:
        t: BatchNormData = self.trace.data
        b = t["batches"][t["detail"]]
        self.set_title(f"Batch normalisation: batch {t['detail'] + 1} of {len(t['batches'])}")
        net = self.network(t)
        table = self.table(t, b, net)
        self.narrate("intro")
        self.play(*fade_in(net["group"], table["frame"]), run_time=0.8)
        self.finish_reading()

        self.narrate("hidden")
        for r, (x, h) in enumerate(zip(b["x"], b["h"])):
            self.show_example(net, x, h, run_time=0.5 if r else 0.8)
            self.fill(table, r, COL_INPUT, b["x"][r] + h, run_time=0.4)
        self.finish_reading()

        self.narrate("stats")
        self.fill_stats(table, b)
        self.finish_reading()

        self.narrate("normalise")
        self.fill_column(table, COL_HAT, b["h_hat"])
        self.show_values(net["hidden"], b["h_hat"][0])
        self.finish_reading()

        self.narrate("affine")
        self.fill_column(table, COL_Z, b["z"])
        self.show_values(net["hidden"], b["z"][0])
        self.finish_reading()

        self.narrate("output")
        self.fill_column(table, COL_Y, [[v[0]] for v in b["y"]])
        self.show_values(net["output"], b["y"][0])
        self.finish_reading()

        self.narrate("running")
        self.running_stats(t, b, table)
        self.finish_reading()

        self.clear_content()
        self.narrate("batches")
        self.batch_comparison(t)
        self.finish_reading()

        self.clear_content()
        self.narrate("eval")
        self.train_vs_eval(t, b)
        self.finish_reading()
        self.wait(1.0)

    # -- the network ------------------------------------------------------------------------
    def network(self, t: BatchNormData) -> dict[str, Any]:
        th, net = self.theme, t["network"]
        inputs = VGroup(*(Neuron(th, th.input, name=f"x{i + 1}") for i in range(2))).arrange(DOWN, buff=1.6)
        hidden = VGroup(*(Neuron(th, th.output, name=f"h{i + 1}") for i in range(2))).arrange(DOWN, buff=1.6)
        output = VGroup(Neuron(th, th.foreground, name="y"))
        bn = Rectangle(width=0.7, height=hidden.height + 0.5).set_stroke(th.highlight, 3)
        bn_label = label("BN", th, color=th.highlight).next_to(bn, UP, buff=0.1)
        hidden.next_to(inputs, RIGHT, buff=1.6)
        bn.next_to(hidden, RIGHT, buff=0.35)
        bn_label.next_to(bn, UP, buff=0.1)
        output.next_to(bn, RIGHT, buff=1.0)
        edges, weights = VGroup(), VGroup()
        for j, h in enumerate(hidden):
            for i, x in enumerate(inputs):
                e = edge(x, h, th.kernel)
                edges.add(e)
                w = label(_fmt(net["W1"][j][i]), th, size=16, color=th.kernel)
                weights.add(w.move_to(e.point_from_proportion(0.3 if i == j else 0.22)).shift(UP * 0.18))
        for j in range(2):
            edges.add(edge(bn, output[0], th.kernel))
            w2 = label(_fmt(net["W2"][0][j]), th, size=16, color=th.kernel)
            weights.add(w2.move_to(edges[-1].point_from_proportion(0.5)).shift(UP * 0.2 * (1 if j == 0 else -1)))
        edges[-2].put_start_and_end_on(bn.get_right() + UP * 0.6, output[0].get_left())
        edges[-1].put_start_and_end_on(bn.get_right() + DOWN * 0.6, output[0].get_left())
        gb = ", ".join(_fmt(v) for v in net["gamma"]), ", ".join(_fmt(v) for v in net["beta"])
        affine = label(f"γ = ({gb[0]})\nβ = ({gb[1]})" if net["affine"] else "no γ, β", th,
                       size=20, color=th.highlight).next_to(bn, DOWN, buff=0.15)
        group = VGroup(inputs, hidden, bn, bn_label, output, edges, weights, affine)
        group.scale_to_fit_width(min(group.width, 4.8))
        group.to_edge(LEFT, buff=0.4).set_y((self.content_top + self.content_bottom) / 2)
        return {"group": group, "inputs": inputs, "hidden": hidden, "output": output, "bn": bn}

    def show_example(self, net, x, h, run_time: float) -> None:
        self.show_values(net["inputs"], x, run_time=run_time / 2)
        self.show_values(net["hidden"], h, run_time=run_time / 2)

    def show_values(self, neurons: VGroup, values, run_time: float = 0.5) -> None:
        new = [n.make_content(v) for n, v in zip(neurons, values)]
        anims = []
        for n, c in zip(neurons, new):
            anims += [*fade_out(n.content), *fade_in(c)]  # pyright: ignore[reportArgumentType]  # a Neuron's content
            n.remove(n.content)  # pyright: ignore[reportArgumentType]  # a Neuron's content
            n.content = c  # pyright: ignore[reportAttributeAccessIssue]  # a Neuron's content
            n.add(c)
        self.play(*anims, run_time=run_time)

    # -- the table ------------------------------------------------------------------------------
    def table(self, t, b, net) -> dict[str, Any]:
        th = self.theme
        rows = len(b["x"]) + 2  # examples, then mean and std
        colors = [[th.input] * 2 + [th.output] * 4 + [th.highlight] * 2 + [th.faint] for _ in range(rows)]
        for r in range(rows - 2, rows):
            colors[r] = [th.faint] * 2 + [th.output] * 2 + [th.faint] * 5
        width = self.content_width - net["group"].width - 0.6 - ROW_NAMES_WIDTH
        cell_w = min(1.1, width / len(COLUMNS))
        cell_h = min(0.62, (self.content_height - 2.6) / rows)
        everything = [v for k in ("x", "h", "h_hat", "z", "y") for row in b[k] for v in row] + b["mean"] + b["std"]
        grid = Grid([[None] * len(COLUMNS) for _ in range(rows)], th, cell_h, colors=colors, cell_width=cell_w,
                    fmt=_fmt, widest=everything)
        heads = VGroup(*(label(name, th, size=BODY_SIZE).next_to(grid.square(0, c), UP, buff=0.12)
                         for c, name in enumerate(COLUMNS)))
        row_names = [f"#{b['rows'][0] + r + 1}" for r in range(rows - 2)] + ["mean", "std"]
        side = VGroup(*(label(n, th, size=BODY_SIZE, color=th.muted).next_to(grid.square(r, 0), LEFT, buff=0.12)
                        for r, n in enumerate(row_names)))
        frame = VGroup(grid.squares, heads, side)
        frame.next_to(net["group"], RIGHT, buff=0.6).align_to(UP * (self.content_top - 0.3), UP)
        self.keep_in_content(frame)
        grid.values.move_to(grid.squares)  # values are placed per cell later; keep them together
        self.add(grid.values)
        return {"grid": grid, "frame": frame, "n": rows - 2}

    def fill(self, table, r: int, c0: int, values, run_time: float = 0.4) -> None:
        grid: Grid = table["grid"]
        cells = [grid.set_value(r, c0 + k, v) for k, v in enumerate(values)]
        self.play(*fade_in(*cells), run_time=run_time)

    def fill_column(self, table, c0: int, rows, run_time: float = 0.8) -> None:
        grid: Grid = table["grid"]
        cells = [grid.set_value(r, c0 + k, v) for r, row in enumerate(rows) for k, v in enumerate(row)]
        self.play(*fade_in(*cells), run_time=run_time)

    def fill_stats(self, table, b) -> None:
        grid: Grid = table["grid"]
        n = table["n"]
        cols = VGroup(*(grid.square(r, c) for r in range(n) for c in (COL_H, COL_H + 1)))
        self.play(Indicate(cols, color=self.theme.output, scale_factor=1.02), run_time=0.8)
        self.fill(table, n, COL_H, b["mean"], run_time=0.6)
        self.fill(table, n + 1, COL_H, b["std"], run_time=0.6)
        formula = label("mean = \u03a3h / n     std = \u221a(\u03a3(h \u2212 mean)\u00b2 / n + \u03b5)", self.theme,
                        size=BODY_SIZE)
        fit_width(formula, table["frame"].width).next_to(table["frame"], DOWN, buff=0.3)
        self.play(*fade_in(formula), run_time=0.5)

    def running_stats(self, t, b, table) -> None:
        th, m = self.theme, t["momentum"]

        def line(name, before, now, after):
            return (f"running {name} = {_fmt(1 - m)}\u00b7({', '.join(_fmt(v) for v in before)}) + "
                    f"{_fmt(m)}\u00b7({', '.join(_fmt(v) for v in now)}) = ({', '.join(_fmt(v) for v in after)})")

        lines = VGroup(
            label(line("mean", b["running_mean_before"], b["mean"], b["running_mean"]), th, size=BODY_SIZE, mono=True),
            label(line("var", b["running_var_before"], b["var_unbiased"], b["running_var"]), th, size=BODY_SIZE,
                  mono=True),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        fit_width(lines, self.content_width)
        lines.to_edge(DOWN, buff=1.05).set_x(0)
        self.play(*fade_in(lines), run_time=0.6)

    # -- all batches, and evaluation mode ---------------------------------------------------
    def batch_comparison(self, t) -> None:
        th = self.theme
        values = [b["mean"] + b["std"] for b in t["batches"]]
        grid = Grid(values, th, 0.6, colors=th.output, cell_width=1.5, fmt=_fmt)
        heads = VGroup(*(label(n, th, size=BODY_SIZE).next_to(grid.square(0, c), UP, buff=0.12)
                         for c, n in enumerate(("mean h1", "mean h2", "std h1", "std h2"))))
        side = VGroup(*(label(f"batch {r + 1}", th, size=BODY_SIZE, color=th.muted).next_to(grid.square(r, 0), LEFT,
                                                                                           buff=0.15)
                        for r in range(len(values))))
        group = VGroup(grid, heads, side)
        self.place_in_content(group)
        self.play(*fade_in(group), run_time=0.8)
        mark = grid.outline([(t["detail"], c) for c in range(4)], th.highlight)
        self.play(Create(mark), run_time=0.5)

    def train_vs_eval(self, t, b) -> None:
        th, ev = self.theme, t["eval"]
        rows = [[*h, *zt, *ze] for h, zt, ze in zip(ev["h"], ev["z_train"], ev["z"])]
        colors = [[th.output] * 2 + [th.highlight] * 2 + [th.input] * 2 for _ in rows]
        grid = Grid(rows, th, 0.6, colors=colors, cell_width=1.3, fmt=_fmt)
        heads = VGroup(*(label(n, th, size=BODY_SIZE).next_to(grid.square(0, c), UP, buff=0.12)
                         for c, n in enumerate(("h1", "h2", "z1 train", "z2 train", "z1 eval", "z2 eval"))))
        stats = label(f"eval uses running mean ({', '.join(_fmt(v) for v in ev['running_mean'])}) and std "
                      f"({', '.join(_fmt(v) for v in ev['std'])})", th, size=BODY_SIZE)
        group = VGroup(grid, heads)
        stats.next_to(group, DOWN, buff=0.4)
        fit_width(stats, self.content_width)
        self.place_in_content(VGroup(group, stats))
        self.play(*fade_in(group), run_time=0.8)
        self.play(*fade_in(stats), run_time=0.5)
