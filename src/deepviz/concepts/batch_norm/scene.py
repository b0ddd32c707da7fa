"""Batch-norm scene: reads a Trace, draws it; computes nothing.

Left, the 2-2-1 network with a BN box after the hidden layer, showing ONE example at a time (its
row is outlined in the table); right, a table with one row per example of the detailed batch,
filled column by column as the forward pass proceeds. Then the batches' statistics side by side,
and evaluation mode: the running statistics against the batch's, and what they do to z.
"""
from __future__ import annotations

from typing import Any, Iterable

from manim import DOWN, LEFT, RIGHT, UP, Create, Indicate, Rectangle, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, Grid, Neuron, edge, fit_width, label
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene
from .schema import BatchNormData

COLUMNS = ("x1", "x2", "h1", "h2", "\u01251", "\u01252", "z1", "z2", "y")
COL_INPUT, COL_H, COL_HAT, COL_Z, COL_Y = 0, 2, 4, 6, 8
ROW_NAMES_WIDTH = 0.8  # room left of the table for "#1", "mean", "std"
RADIUS = 0.45  # neurons drawn at their final size, so a value fits its circle at a readable size
WEIGHT_SIZE = 18
STAGES = {"h": "h = W1\u00b7x", "h_hat": "\u0125", "z": "z = \u03b3\u0125 + \u03b2"}


def _fmt(v: float) -> str:
    return fmt_num(v, 2)


def _pair(values) -> str:
    return "(" + ", ".join(_fmt(v) for v in values) + ")"


class BatchNormScene(DeepvizScene):
    concept = "batch-norm"

    def construct(self) -> None:
        t: BatchNormData = self.trace.data
        b = t["batches"][t["detail"]]
        self.set_title(f"Batch normalisation: batch {t['detail'] + 1} of {len(t['batches'])}")
        net = self.net = self.network(t)
        table = self.table(t, b, net)
        self.narrate("intro")
        self.play(*fade_in(net["group"], table["frame"]), run_time=0.8)
        self.finish_reading()

        # the network follows one example at a time; after the pass it stays on the last one
        self.narrate("hidden")
        for r in range(table["n"]):
            self.show_example(net, table, b, r, run_time=0.9 if r else 1.2)
        self.finish_reading()
        shown = table["n"] - 1

        self.narrate("stats")
        self.fill_stats(table, b)
        self.finish_reading()

        self.narrate("normalise")
        self.fill_column(table, COL_HAT, b["h_hat"], net, "h_hat", b["h_hat"][shown])
        self.finish_reading()

        self.narrate("affine")
        self.fill_column(table, COL_Z, b["z"], net, "z", b["z"][shown])
        self.finish_reading()

        self.narrate("output")
        self.fill_column(table, COL_Y, [[v[0]] for v in b["y"]], net, None, None)
        self.play(*self.swap_values(net["output"], b["y"][shown]), run_time=0.6)
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
        inputs = VGroup(*(Neuron(th, th.input, RADIUS, name=f"x{i + 1}") for i in range(2))).arrange(DOWN, buff=1.5)
        hidden = VGroup(*(Neuron(th, th.output, RADIUS, name=f"h{i + 1}") for i in range(2))).arrange(DOWN, buff=1.5)
        output = VGroup(Neuron(th, th.output, RADIUS, name="y"))
        hidden.next_to(inputs, RIGHT, buff=1.2)
        bn = Rectangle(width=0.55, height=hidden.height + 0.4).set_stroke(th.foreground, 3)
        bn.next_to(hidden, RIGHT, buff=0.3)
        bn_label = label("BN", th).move_to(bn)  # inside the box: above it is the hidden layer's stage
        output.next_to(bn, RIGHT, buff=0.7)
        stage = label("", th, size=BODY_SIZE)
        edges, weights = VGroup(), VGroup()
        for j, h in enumerate(hidden):
            for i, x in enumerate(inputs):
                e = edge(x, h, th.weight)
                edges.add(e)
                w = label(_fmt(net["W1"][j][i]), th, size=WEIGHT_SIZE, color=th.weight)
                weights.add(w.move_to(e.point_from_proportion(0.25 if i == j else 0.2)).shift(UP * 0.22))
        for j in range(2):
            e = edge(bn, output[0], th.weight)
            e.put_start_and_end_on(bn.get_right() + UP * 0.6 * (1 if j == 0 else -1), output[0].get_left())
            edges.add(e)
            w2 = label(_fmt(net["W2"][0][j]), th, size=WEIGHT_SIZE, color=th.weight)
            weights.add(w2.move_to(e.point_from_proportion(0.45)).shift(UP * 0.25 * (1 if j == 0 else -1)))
        gb = _pair(net["gamma"]), _pair(net["beta"])
        affine = label(f"\u03b3 = {gb[0]}\n\u03b2 = {gb[1]}" if net["affine"] else "no \u03b3, \u03b2", th,
                       size=BODY_SIZE, color=th.weight).next_to(bn, DOWN, buff=0.15)
        example = label("", th, size=BODY_SIZE)
        group = VGroup(inputs, hidden, bn, bn_label, output, edges, weights, affine)
        group.to_edge(LEFT, buff=0.4).set_y((self.content_top + self.content_bottom) / 2 - 0.2)
        example.next_to(inputs, UP, buff=0.3)
        return {"group": group, "inputs": inputs, "hidden": hidden, "output": output, "bn": bn,
                "stage": stage, "example": example}

    def swap_values(self, neurons: Iterable[Neuron], values) -> list:
        """Animations replacing the values shown in ``neurons`` (all of a layer at once)."""
        anims = []
        for n, v in zip(neurons, values):
            c = n.make_content(v, fmt=_fmt)
            anims += [*fade_out(n.content), *fade_in(c)]
            n.remove(n.content)
            n.content = c
            n.add(c)
        return anims

    def relabel(self, net, key: str, text: str, where) -> list:
        """Cross-fade the network's label ``key`` (the example shown, or what the hidden layer holds)."""
        old = net[key]
        new = label(text, self.theme, size=BODY_SIZE, color=self.theme.highlight if key == "example" else None)
        new.next_to(where, UP, buff=0.3)
        if key == "example":
            new.align_to(where, LEFT)
        net[key] = new
        return [*fade_out(old), *fade_in(new)]

    def show_example(self, net, table, b, r: int, run_time: float) -> None:
        """Example r through the first layer: its inputs and hidden values together, its table row filled."""
        grid: Grid = table["grid"]
        cells = [grid.set_value(r, COL_INPUT + k, v) for k, v in enumerate(b["x"][r] + b["h"][r])]
        anims = [*self.swap_values(net["inputs"], b["x"][r]), *self.swap_values(net["hidden"], b["h"][r]),
                 *fade_in(*cells), *self.relabel(net, "example", f"example #{b['rows'][0] + r + 1}", net["inputs"])]
        if r == 0:
            anims += self.relabel(net, "stage", STAGES["h"], net["hidden"])
        mark = grid.outline([(r, c) for c in range(len(COLUMNS))], self.theme.highlight, width=3)
        if "mark" in table:
            anims.append(table["mark"].animate.move_to(mark))
        else:
            table["mark"] = mark
            anims.append(Create(mark))
        self.play(*anims, run_time=run_time)

    # -- the table ------------------------------------------------------------------------------
    def table(self, t, b, net) -> dict[str, Any]:
        th = self.theme
        rows = len(b["x"]) + 2  # examples, then mean and std
        colors = [[th.input] * 2 + [th.output] * 7 for _ in range(rows)]
        for r in range(rows - 2, rows):
            colors[r] = [th.faint] * 2 + [th.output] * 2 + [th.faint] * 5
        width = self.content_width - net["group"].width - 0.45 - ROW_NAMES_WIDTH
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
        frame.next_to(net["group"], RIGHT, buff=0.45).align_to(UP * (self.content_top - 0.3), UP)
        self.keep_in_content(frame)
        grid.values.move_to(grid.squares)  # values are placed per cell later; keep them together
        self.add(grid.values)
        return {"grid": grid, "frame": frame, "n": rows - 2}

    def fill(self, table, r: int, c0: int, values, run_time: float = 0.4) -> None:
        grid: Grid = table["grid"]
        cells = [grid.set_value(r, c0 + k, v) for k, v in enumerate(values)]
        self.play(*fade_in(*cells), run_time=run_time)

    def fill_column(self, table, c0: int, rows, net, stage: str | None, hidden_values) -> None:
        """Fill columns from ``c0`` for every example; the network's hidden layer shows the same stage
        of the example it already shows."""
        grid: Grid = table["grid"]
        cells = [grid.set_value(r, c0 + k, v) for r, row in enumerate(rows) for k, v in enumerate(row)]
        anims = [*fade_in(*cells)]
        if stage is not None:
            anims += [*self.swap_values(net["hidden"], hidden_values),
                      *self.relabel(net, "stage", STAGES[stage], net["hidden"])]
        self.play(*anims, run_time=0.9)

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
        table["formula"] = formula
        self.play(*fade_in(formula), run_time=0.5)

    def running_stats(self, t, b, table) -> None:
        """The momentum update, under the table where the formula was (one line per statistic)."""
        th, m = self.theme, t["momentum"]

        def lines(name, before, now, after):
            lhs = label(f"running {name} = {_fmt(1 - m)}\u00b7{_pair(before)} + {_fmt(m)}\u00b7{_pair(now)}", th,
                        size=BODY_SIZE, mono=True)
            rhs = label(f"= {_pair(after)}", th, size=BODY_SIZE, mono=True, color=th.output)
            return VGroup(lhs, rhs.next_to(lhs, DOWN, buff=0.1).align_to(lhs, RIGHT))

        block = VGroup(lines("mean", b["running_mean_before"], b["mean"], b["running_mean"]),
                       lines("var", b["running_var_before"], b["var_unbiased"], b["running_var"]),
                       ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        squares = table["grid"].squares  # the table may touch the content's edge; the text keeps a margin
        fit_width(block, squares.width - 0.2)
        block.next_to(table["frame"], DOWN, buff=0.3).set_x(squares.get_x())
        self.play(*fade_out(table["formula"]), *fade_in(block), run_time=0.8)

    # -- all batches, and evaluation mode ---------------------------------------------------
    def stats_table(self, rows: list[list[float]], names: list[str], heads: tuple[str, ...], cell_w: float):
        th = self.theme
        grid = Grid(rows, th, 0.75, colors=th.output, cell_width=cell_w, fmt=_fmt)
        top = VGroup(*(label(n, th, size=BODY_SIZE).next_to(grid.square(0, c), UP, buff=0.12)
                       for c, n in enumerate(heads)))
        side = VGroup(*(label(n, th, size=BODY_SIZE, color=th.muted).next_to(grid.square(r, 0), LEFT, buff=0.15)
                        for r, n in enumerate(names)))
        return grid, VGroup(grid, top, side)

    def batch_comparison(self, t) -> None:
        th = self.theme
        values = [b["mean"] + b["std"] for b in t["batches"]]
        names = [f"batch {r + 1}" for r in range(len(values))]
        grid, group = self.stats_table(values, names, ("mean h1", "mean h2", "std h1", "std h2"), 2.0)
        self.place_in_content(group)
        self.play(*fade_in(group), run_time=0.8)
        mark = grid.outline([(t["detail"], c) for c in range(4)], th.highlight)
        self.play(Create(mark), run_time=0.5)

    def train_vs_eval(self, t, b) -> None:
        """The statistics each mode uses, then what they make of the same hidden values."""
        th, ev = self.theme, t["eval"]
        k = t["detail"] + 1
        stats = [ev["batch_mean"] + ev["batch_std"], ev["running_mean"] + ev["std"]]
        s_grid, s_group = self.stats_table(stats, [f"training: batch {k}", f"eval: running, {ev['batches_seen']} batches"],
                                           ("mean h1", "mean h2", "std h1", "std h2"), 1.55)
        rows = [[*h, *zt, *ze] for h, zt, ze in zip(ev["h"], ev["z_train"], ev["z"])]
        z_grid = Grid(rows, th, 0.6, colors=th.output, cell_width=1.3, fmt=_fmt)
        heads = VGroup(*(label(n, th, size=BODY_SIZE).next_to(z_grid.square(0, c), UP, buff=0.12)
                         for c, n in enumerate(("h1", "h2", "z1 train", "z2 train", "z1 eval", "z2 eval"))))
        side = VGroup(*(label(f"#{b['rows'][0] + r + 1}", th, size=BODY_SIZE, color=th.muted)
                        .next_to(z_grid.square(r, 0), LEFT, buff=0.15) for r in range(len(rows))))
        z_group = VGroup(z_grid, heads, side)
        whole = VGroup(s_group, z_group).arrange(DOWN, buff=0.5)
        self.place_in_content(whole)
        self.play(*fade_in(s_group), run_time=0.8)
        self.play(Create(s_grid.outline([(1, c) for c in range(4)], th.highlight)), run_time=0.5)
        self.play(*fade_in(z_group), run_time=0.8)
        self.play(Create(z_grid.outline([(0, 2), (0, 4)], th.highlight)), run_time=0.5)
