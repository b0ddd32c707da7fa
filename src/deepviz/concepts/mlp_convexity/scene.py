"""mlp-convexity scene: reads a Trace, draws it; computes nothing.

1. the trained 2-H-1 network (each hidden unit's edges in its own colour) and the data set;
2. a forward pass and the loss; the weights as a table, one column per hidden unit;
3. the swap: two hidden units trade places, their edges follow, their columns trade places;
4. the same forward pass and loss again;
5. the loss along the straight line between the two settings: two minima, a barrier, the chords;
6. every ordering of the hidden units: H! equivalent minima.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import DOWN, LEFT, PI, RIGHT, UP, UR, Circle, Create, DashedLine, Indicate, Line, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, Grid, Neuron, fit_width, label
from ...style.numbers import SUPERSCRIPT, fmt_num, fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import Forward, MlpConvexityData

LAYER_GAP = 2.3  # between the network's layers
UNIT_GAP = 1.25  # between two hidden units
NET_WIDTH = 6.4  # the network's largest width on screen
ROWS = ("W1 · x1", "W1 · x2", "b1", "W2")


def _w(v: float) -> str:
    return fmt_num(v, 2)


def _sig(v: float) -> str:
    return fmt_sig(v, 3)


class MlpConvexityScene(DeepvizScene):
    concept = "mlp-convexity"

    def construct(self) -> None:
        t: MlpConvexityData = self.trace.data
        self.set_title("Why a network's loss is not convex")
        net = self.network(t)
        scatter = self.scatter(t)
        self.narrate("intro")
        self.play(*fade_in(net["group"], scatter["group"]), run_time=0.8)
        self.finish_reading()

        self.narrate("forward")
        self.play(Create(scatter["ring"]), run_time=0.4)
        self.forward(net, t["forward"])
        notes = self.loss_notes(t, net, t["forward"], t["loss"])
        self.finish_reading()

        self.narrate("minimum")
        table = self.weight_table(t, net)
        self.play(*fade_out(scatter["group"], scatter["ring"]), run_time=0.4)
        self.play(*fade_in(table["group"]), run_time=0.7)
        self.finish_reading()

        self.narrate("swap")
        self.show_names(net)
        self.swap(t, net, table)
        self.finish_reading()

        self.narrate("again")
        self.forward(net, t["forward_swapped"], order=t["perm"])
        self.play(*fade_out(notes), run_time=0.3)
        notes = self.loss_notes(t, net, t["forward_swapped"], t["loss_swapped"], change=t["loss_change"])
        self.finish_reading()

        self.clear_content()
        self.narrate("line")
        line = self.line_plot(t)
        self.finish_reading()

        self.narrate("proof")
        self.midpoint(t, line)
        self.finish_reading()

        self.narrate("concave")
        self.neighbours(t, line)
        self.finish_reading()

        self.clear_content()
        self.narrate("count")
        self.orderings(t)
        self.finish_reading()
        self.wait(0.6)

    # -- colours -----------------------------------------------------------------------------
    def unit_color(self, t: MlpConvexityData, j: int) -> str:
        """The two swapped units are the first two items of one list (series colours); the others muted."""
        a, b = t["units"]
        return self.theme.series_color(0) if j == a else self.theme.series_color(1) if j == b else self.theme.muted

    # -- the network --------------------------------------------------------------------------
    def network(self, t: MlpConvexityData) -> dict[str, Any]:
        th, h = self.theme, t["hidden"]
        inputs = VGroup(*(Neuron(th, th.foreground, name=f"x{i + 1}") for i in range(2))).arrange(DOWN, buff=1.3)
        hidden = VGroup(*(Neuron(th, self.unit_color(t, j), name=f"h{j + 1}") for j in range(h)))
        hidden.arrange(DOWN, buff=UNIT_GAP - 0.76)
        output = Neuron(th, th.output, name="y")
        inputs.move_to(LEFT * LAYER_GAP)
        output.move_to(RIGHT * LAYER_GAP)
        edges = VGroup()
        for j, unit in enumerate(hidden):
            color = self.unit_color(t, j)
            for x in inputs:
                edges.add(self.follow(x, unit, color))  # pyright: ignore[reportArgumentType]
            edges.add(self.follow(unit, output, color))  # pyright: ignore[reportArgumentType]
        act = label("tanh", th, size=BODY_SIZE, color=th.muted).next_to(hidden, UP, buff=0.15)
        group = VGroup(edges, inputs, hidden, output, act)
        group.scale_to_fit_width(NET_WIDTH)  # the network is the main object: as wide as its half allows
        if group.height > self.content_height - 1.5:
            group.scale_to_fit_height(self.content_height - 1.5)
        group.to_edge(LEFT, buff=0.5).align_to(UP * (self.content_top - 0.1), UP)
        for e in edges:
            e.update()
        return {"group": group, "inputs": inputs, "hidden": list(hidden), "output": output, "edges": edges,
                "act": act, "slots": [u.get_center().copy() for u in hidden]}

    @staticmethod
    def follow(a: Neuron, b: Neuron, color: str) -> Line:
        """An edge from ``a`` to ``b`` that stays attached when either moves."""
        line = Line(a.get_right(), b.get_left()).set_stroke(color, 3, opacity=0.85)

        def attach(m):
            start, end = a.circle.get_center(), b.circle.get_center()
            d = (end - start) / np.linalg.norm(end - start)
            m.put_start_and_end_on(start + d * a.circle.width / 2, end - d * b.circle.width / 2)

        line.add_updater(attach)
        return line

    def set_contents(self, neurons, texts, run_time: float = 0.4) -> None:
        anims = []
        for n, text in zip(neurons, texts):
            new = n.make_content(text, fmt=_w)
            anims += [*fade_out(n.content), *fade_in(new)]
            n.remove(n.content)
            n.content = new
            n.add(new)
        self.play(*anims, run_time=run_time)

    def forward(self, net: dict[str, Any], f: Forward, order: list[int] | None = None) -> None:
        """Values into the neurons: inputs, then hidden (each unit shows its own value), then the output."""
        self.set_contents(net["inputs"], f["x"])
        # f["h"][slot] is the value at hidden position ``slot``; after a swap that position holds unit order[slot]
        units = net["hidden"] if order is None else [net["hidden"][j] for j in order]
        self.set_contents(units, f["h"])
        self.set_contents([net["output"]], [f["y"]])

    def show_names(self, net: dict[str, Any]) -> None:
        self.set_contents(net["inputs"], ["x1", "x2"], run_time=0.3)
        self.set_contents(net["hidden"], [f"h{j + 1}" for j in range(len(net["hidden"]))], run_time=0.3)
        self.set_contents([net["output"]], ["y"], run_time=0.3)

    def loss_notes(self, t: MlpConvexityData, net: dict[str, Any], f: Forward, loss: float,
                   change: float | None = None) -> VGroup:
        th = self.theme
        lines = [label(f"y = {_w(f['y'])}    target t = {fmt_num(f['t'])}", th, size=LABEL_SIZE, color=th.output),
                 label(f"L = 1/{len(t['x'])} \u00b7 \u03a3 (y \u2212 t)\u00b2 = {_sig(loss)}", th, size=LABEL_SIZE)]
        if change is not None:
            lines.append(label(f"change in L: {fmt_sig(change, 2)}", th, size=BODY_SIZE, color=th.muted))
        notes = VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(notes, self.content_width / 2)
        notes.next_to(net["group"], DOWN, buff=0.35).align_to(net["group"], LEFT)
        if notes.get_bottom()[1] < self.content_bottom:
            notes.shift(UP * (self.content_bottom - notes.get_bottom()[1]))
        for line in lines:
            self.play(*fade_in(line), run_time=0.4)
        return notes

    # -- the data set -------------------------------------------------------------------------
    def scatter(self, t: MlpConvexityData) -> dict[str, Any]:
        th = self.theme
        xs = [p[0] for p in t["x"]] + [p[1] for p in t["x"]]
        lim = max(abs(v) for v in xs) * 1.1
        plot = Plot(th, (-lim, lim), (-lim, lim), 4.0, 4.0, "x1", "x2", equal=True, y_name_beside=True, ticks=4)
        colors = [th.class_color(1) if v > 0 else th.class_color(0) for v in t["t"]]
        dots = plot.dots(t["x"], colors, radius=0.07)
        legend = VGroup(label("t = +1", th, size=BODY_SIZE, color=th.class_color(1)),
                        label("t = \u22121", th, size=BODY_SIZE, color=th.class_color(0))).arrange(DOWN, aligned_edge=LEFT)
        group = VGroup(plot, dots)
        legend.next_to(plot.axes, RIGHT, buff=0.3).align_to(plot.axes, UP)
        group.add(legend)
        self.place_right(group)
        ring = Circle(radius=0.16).set_stroke(th.foreground, 3).move_to(dots[t["example"]])
        return {"group": group, "ring": ring}

    def place_right(self, mob) -> None:
        room = self.content_width - NET_WIDTH - 0.9
        fit_width(mob, room)
        if mob.height > self.content_height - 0.2:
            mob.scale_to_fit_height(self.content_height - 0.2)
        right = self.content_width / 2
        mob.move_to([right - room / 2, (self.content_top + self.content_bottom) / 2, 0])

    # -- the weights ----------------------------------------------------------------------------
    def weight_table(self, t: MlpConvexityData, net: dict[str, Any]) -> dict[str, Any]:
        th, p, h = self.theme, t["theta"], t["hidden"]
        rows = [p["W1"][0], p["W1"][1], p["b1"], [w[0] for w in p["W2"]]]
        colors = [[self.unit_color(t, j) for j in range(h)] for _ in rows]
        grid = Grid(rows, th, 0.58, colors=colors, cell_width=1.2, fmt=_w)
        heads = [label(f"h{j + 1}", th, size=LABEL_SIZE, color=self.unit_color(t, j))
                 .next_to(grid.square(0, j), UP, buff=0.12) for j in range(h)]
        side = VGroup(*(label(name, th, size=BODY_SIZE, color=th.muted).next_to(grid.square(r, 0), LEFT, buff=0.15)
                        for r, name in enumerate(ROWS)))
        b2 = label(f"b2 = {_w(p['b2'][0])}", th, size=BODY_SIZE, color=th.muted)
        grad = label(f"gradient norm {_sig(t['gradient_norm'])}", th, size=BODY_SIZE, color=th.muted)
        foot = VGroup(b2, grad).arrange(RIGHT, buff=0.6).next_to(grid, DOWN, buff=0.3)
        group = VGroup(grid, VGroup(*heads), side, foot)
        self.place_right(group)
        columns = [VGroup(heads[j], *(grid.square(r, j) for r in range(4)), *(grid.value(r, j) for r in range(4)))  # pyright: ignore[reportArgumentType]
                   for j in range(h)]
        return {"group": group, "grid": grid, "columns": columns}

    # -- the swap -------------------------------------------------------------------------------
    def swap(self, t: MlpConvexityData, net: dict[str, Any], table: dict[str, Any]) -> None:
        a, b = t["units"]
        na, nb = net["hidden"][a], net["hidden"][b]
        ca, cb = table["columns"][a], table["columns"][b]
        pa, pb = na.get_center().copy(), nb.get_center().copy()
        dx = cb.get_center() - ca.get_center()
        self.play(Indicate(VGroup(na, nb), scale_factor=1.1, color=self.theme.foreground), run_time=0.6)
        self.play(na.animate(path_arc=PI / 2).move_to(pb), nb.animate(path_arc=PI / 2).move_to(pa),
                  ca.animate(path_arc=-PI / 2).shift(dx), cb.animate(path_arc=-PI / 2).shift(-dx), run_time=2.0)

    # -- the loss along the line ------------------------------------------------------------------
    def line_plot(self, t: MlpConvexityData) -> dict[str, Any]:
        th = self.theme
        s, loss = t["line"]["s"], t["line"]["loss"]
        top = max(loss) * 1.08
        a, b = t["units"]
        plot = Plot(th, (s[0], s[-1]), (0, top), 8.6, 3.7, "s", "L", ticks=6)
        name = label(f"\u03b8(s) = (1 \u2212 s)\u00b7\u03b8 + s\u00b7\u03b8\u2032,  "
                     f"\u03b8\u2032 = \u03b8 with h{a + 1} and h{b + 1} swapped", th, size=BODY_SIZE, color=th.muted)
        group = VGroup(plot, name)
        name.next_to(plot.axes, UP, buff=0.5)
        self.place_in_content(group)
        curve = plot.polyline(list(zip(s, loss)), th.foreground, 3)
        k0, k1 = s.index(0.0), s.index(1.0)
        ends = VGroup(plot.dot((0.0, loss[k0]), th.series_color(0)), plot.dot((1.0, loss[k1]), th.series_color(1)))
        tags = VGroup(plot.label_at("\u03b8", (0.0, loss[k0]), UR, color=th.series_color(0), size=LABEL_SIZE,
                                    buff=0.08),
                      plot.label_at("\u03b8\u2032", (1.0, loss[k1]), UR, color=th.series_color(1),
                                    size=LABEL_SIZE, buff=0.08))
        self.play(*fade_in(plot, name), run_time=0.6)
        self.play(Create(curve), run_time=2.0)
        self.play(*fade_in(ends, tags), run_time=0.5)
        return {"plot": plot, "s": s, "loss": loss, "group": group}

    def verdict(self, line: dict[str, Any], text: str, color: str) -> None:
        """One line of conclusion under the plot (the second under the first)."""
        lab = label(text, self.theme, size=LABEL_SIZE, color=color)
        below = line.setdefault("verdicts", [])
        anchor = below[-1] if below else line["group"]
        lab.next_to(anchor, DOWN, buff=0.15 if below else 0.3)
        lab.set_x(0) if not below else lab.align_to(below[-1], LEFT)
        if not below:
            lab.align_to(line["plot"].axes, LEFT)
        below.append(lab)
        self.play(*fade_in(lab), run_time=0.4)

    def midpoint(self, t: MlpConvexityData, line: dict[str, Any]) -> None:
        th, plot, mid = self.theme, line["plot"], t["midpoint"]
        chord = DashedLine(plot.c2p(0.0, t["loss"]), plot.c2p(1.0, t["loss_swapped"])).set_stroke(th.muted, 3)
        on_curve = plot.dot((0.5, mid["loss"]), th.highlight, radius=0.09)
        on_chord = plot.dot((0.5, mid["chord"]), th.muted, radius=0.09)
        gap = Line(on_chord.get_center(), on_curve.get_center()).set_stroke(th.highlight, 4)
        lab_curve = label(f"midpoint L = {_sig(mid['loss'])}", th, size=BODY_SIZE, color=th.highlight)
        lab_curve.next_to(plot.c2p(0.5, mid["loss"]), RIGHT, buff=0.25).shift(UP * 0.15)
        lab_curve.shift(RIGHT * max(0.0, plot.c2p(0.68, 0)[0] - lab_curve.get_left()[0]))
        lab_chord = label(f"chord = {_sig(mid['chord'])}", th, size=BODY_SIZE, color=th.muted)
        lab_chord.next_to(on_chord, UP, buff=0.25).shift(RIGHT * 1.0)
        verdict = (f"midpoint {_sig(mid['loss'])} > chord {_sig(mid['chord'])}: not convex" if mid["above"]
                   else f"midpoint {_sig(mid['loss'])} \u2264 chord {_sig(mid['chord'])}: no proof here")
        self.play(Create(chord), run_time=0.8)
        self.play(*fade_in(on_chord, lab_chord), run_time=0.4)
        self.play(Create(gap), *fade_in(on_curve), run_time=0.8)
        self.play(*fade_in(lab_curve), run_time=0.4)
        self.verdict(line, verdict, th.highlight)

    def neighbours(self, t: MlpConvexityData, line: dict[str, Any]) -> None:
        th, plot, nb = self.theme, line["plot"], t["neighbours"]
        (s0, s1), (l0, l1) = nb["s"], nb["loss"]
        chord = DashedLine(plot.c2p(s0, l0), plot.c2p(s1, l1)).set_stroke(th.muted, 3)
        ends = VGroup(plot.dot((s0, l0), th.muted, radius=0.06), plot.dot((s1, l1), th.muted, radius=0.06))
        mid = plot.dot((0.0, nb["chord"]), th.muted, radius=0.07)
        drop = Line(mid.get_center(), plot.c2p(0.0, t["loss"])).set_stroke(th.muted, 4)
        self.play(Create(chord), *fade_in(ends), run_time=0.8)
        self.play(*fade_in(mid), Create(drop), run_time=0.6)
        text = (f"minimum {_sig(t['loss'])} < chord {_sig(nb['chord'])}: not concave" if nb["below"]
                else f"minimum {_sig(t['loss'])} \u2265 chord {_sig(nb['chord'])}")
        self.verdict(line, text, th.muted)

    # -- all the orderings --------------------------------------------------------------------------
    def orderings(self, t: MlpConvexityData) -> None:
        th, h = self.theme, t["hidden"]
        orders = t["orders"]
        cols = 1 if len(orders) <= 2 else 2 if len(orders) <= 6 else 4
        cells = VGroup()
        for order in orders:
            units = VGroup(*(Neuron(th, self.unit_color(t, j), radius=0.3, name=f"h{j + 1}") for j in order))
            cells.add(units.arrange(RIGHT, buff=0.15))
        cells.arrange_in_grid(cols=cols, buff=(0.8, 0.3))
        head = label(f"{h}! = {t['orderings']} orderings of the hidden units, one loss", th, size=LABEL_SIZE)
        flips = label(f"with tanh, sign flips too: {t['orderings']} \u00d7 2{str(h).translate(SUPERSCRIPT)} = "
                      f"{t['equivalent']} equivalent "
                      "settings", th, size=BODY_SIZE, color=th.muted)
        group = VGroup(head, cells, flips).arrange(DOWN, buff=0.4)
        group.scale(min(0.75 * self.content_width / group.width, 0.95 * self.content_height / group.height))
        self.place_in_content(group)
        self.play(*fade_in(head), run_time=0.4)
        self.play(*fade_in(cells), run_time=1.0)
        self.play(*fade_in(flips), run_time=0.4)
