"""perceptron scene: reads a Trace, draws it; computes nothing.

Part "boundary" (the camera stays flat until the 3D step):
1. one neuron y = H(w x + b); the number line of temperatures, the boundary point, the inputs lit on/off;
2. flipping the signs of w and b flips the decision;
3. two inputs: the boundary line and the two half-planes, the days lit on/off;
4. three inputs: the boundary plane in a box, the camera moving around it;
5. the general form y = H(W x + b), built up for one day.
Part "learning": the perceptron rule on a small separable data set, the line moving with each update.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    UR,
    Arrow,
    Circle,
    Create,
    Dot,
    Dot3D,
    GrowArrow,
    Line,
    Polygon,
    ThreeDAxes,
    Transform,
    VGroup,
    VMobject,
)

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, Grid, Neuron, colored_text, fit_width, label
from ...style.numbers import fmt_factor, fmt_num
from ...style.plots import TICK_SIZE, Plot, nice_step, tick_values
from ...style.scene3d import Deepviz3DScene
from .schema import One, PerceptronData, Update

FLAT = {"phi": 0, "theta": -90 * DEGREES}
ORBIT: tuple[dict[str, Any], ...] = ({"phi": 70 * DEGREES, "theta": -105 * DEGREES},
                                     {"phi": 70 * DEGREES, "theta": -30 * DEGREES})
BOX3D = (3.6, 3.6, 2.6)  # lengths of the 3D axes on screen


def _n(v: float) -> str:
    return fmt_num(v, 2)


def _vec(v) -> str:
    return "(" + ", ".join(_n(c) for c in v) + ")"


class PerceptronScene(Deepviz3DScene):
    concept = "perceptron"

    def construct(self) -> None:
        t: PerceptronData = self.trace.data
        if t["part"] == "learning":
            self.learning(t)
        else:
            self.boundary(t)
        self.wait(0.6)

    # -- helpers ----------------------------------------------------------------------------------
    def show(self, *mobs, run_time: float = 0.6) -> None:
        """Fade in content that stays in the frame (so the frame check sees it)."""
        self.add_fixed_in_frame_mobjects(*mobs)
        self.play(*fade_in(*mobs), run_time=run_time)

    def on_off(self, y: float) -> str:
        return self.theme.output if y == 1 else self.theme.muted

    def centre_y(self) -> float:
        return (self.content_top + self.content_bottom) / 2

    # -- part 1: the boundary ------------------------------------------------------------------------
    def boundary(self, t: PerceptronData) -> None:
        self.set_title("A neuron draws a boundary")
        self.narrate("neuron")
        diagram, formula = self.neuron(t["one"])
        self.finish_reading()

        self.narrate("boundary")
        line = self.number_line(t["one"])
        self.finish_reading()

        self.narrate("inputs")
        days = self.light_inputs(t["one"], line)
        self.finish_reading()

        self.narrate("flip")
        self.flip(t["one"], diagram, formula, line, days)
        self.finish_reading()

        self.clear_content()
        self.narrate("line")
        plot = self.plane_2d(t)
        self.finish_reading()

        self.narrate("days2d")
        self.days_2d(t, plot)
        self.finish_reading()

        self.clear_content()
        self.narrate("plane")
        self.space_3d(t)
        self.finish_reading()

        self.narrate("days3d")
        self.days_3d(t)
        self.finish_reading()
        self.stop_ambient_camera_rotation()

        self.clear_content(run_time=0.5)
        self.set_camera_orientation(**FLAT)
        self.narrate("general")
        self.general(t)
        self.finish_reading()

    def neuron(self, one: One) -> tuple[VGroup, VGroup]:
        th = self.theme
        x = Neuron(th, th.input, name="x")
        h = Neuron(th, th.weight, name="H", radius=0.45)
        y = Neuron(th, th.output, name="y")
        VGroup(x, h, y).arrange(RIGHT, buff=3.2)  # wide: the diagram alone is this step's picture
        e1 = Arrow(x.get_right(), h.get_left(), buff=0.05, stroke_width=4).set_color(th.weight)
        e2 = Arrow(h.get_right(), y.get_left(), buff=0.05, stroke_width=4).set_color(th.output)
        w = label(f"w = {_n(one['w'])}", th, size=BODY_SIZE, color=th.weight).next_to(e1, UP, buff=0.1)
        b = label(f"+ b = {_n(one['b'])}", th, size=BODY_SIZE, color=th.weight).next_to(h, UP, buff=0.15)
        diagram = VGroup(e1, e2, x, h, y, w, b)
        formula = colored_text([("y = H(", None), ("w", th.weight), (" x + ", None), ("b", th.weight), (")", None),
                                ("      H(z) = 1 if z \u2265 0, else 0", th.muted)], th, LABEL_SIZE)
        group = VGroup(diagram, formula).arrange(DOWN, buff=0.35).scale(1.25)
        group.move_to([0, self.content_top - 0.1 - group.height / 2, 0])
        self.show(diagram, run_time=0.7)
        self.show(formula, run_time=0.5)
        return diagram, formula

    def number_line(self, one: One) -> dict[str, Any]:
        th = self.theme
        lo, hi = one["window"]
        width = self.content_width - 1.4
        y0 = self.content_bottom + 1.7

        def at(v: float) -> np.ndarray:
            return np.array([-width / 2 + (v - lo) / (hi - lo) * width, y0, 0])

        axis = Line(at(lo), at(hi)).set_stroke(th.grid, 3)
        ticks = VGroup()
        for v in tick_values(lo, hi, nice_step(hi - lo, 8)):
            ticks.add(Line(at(v) + DOWN * 0.08, at(v) + UP * 0.08).set_stroke(th.grid, 2))
            ticks.add(label(fmt_num(v), th, size=TICK_SIZE, color=th.muted).next_to(at(v), DOWN, buff=0.15))
        name = label("temperature x (\u00b0C)", th, size=BODY_SIZE, color=th.muted).next_to(axis, DOWN, buff=0.5)
        bx = one["boundary"]
        on_end = hi if one["on_right"] else lo
        on_side = Line(at(bx), at(on_end)).set_stroke(th.output, 9, opacity=0.7)
        mark = Line(at(bx) + DOWN * 0.1, at(bx) + UP * 0.35).set_stroke(th.foreground, 5)
        tag = label(f"w x + b = 0 at x = {_n(bx)}", th, size=BODY_SIZE).next_to(mark, UP, buff=0.75)
        self.keep_in_content(tag)
        on_tag = label("y = 1", th, size=BODY_SIZE, color=th.output)
        on_tag.next_to(at((bx + on_end) / 2), DOWN, buff=0.15).shift(UP * 0.0)
        self.show(axis, ticks, name, run_time=0.6)
        self.show(mark, tag, run_time=0.5)
        self.show(on_side, run_time=0.5)
        return {"at": at, "axis": axis, "on_side": on_side, "mark": mark, "tag": tag, "lo": lo, "hi": hi}

    def light_inputs(self, one: One, line: dict[str, Any]) -> dict[str, Any]:
        th = self.theme
        dots, values = VGroup(), VGroup()
        for x, y in zip(one["x"], one["y"]):
            d = Dot(line["at"](x), radius=0.13, color=th.muted)
            dots.add(d)
            values.add(label(f"y = {_n(y)}", th, size=BODY_SIZE, color=self.on_off(y)).next_to(d, UP, buff=0.2))
        self.show(dots, run_time=0.5)
        self.play(*(d.animate.set_color(self.on_off(y)) for d, y in zip(dots, one["y"])), run_time=0.8)
        self.show(values, run_time=0.4)
        return {"dots": dots, "values": values}

    def flip(self, one, diagram, formula, line, days) -> None:
        th, fl = self.theme, one["flipped"]
        # the same size as the labels they replace (the diagram is scaled to fill the frame)
        w = label(f"w = {_n(fl['w'])}", th, size=BODY_SIZE, color=th.weight).match_height(diagram[5]).move_to(diagram[5])
        b = label(f"+ b = {_n(fl['b'])}", th, size=BODY_SIZE, color=th.weight).match_height(diagram[6]).move_to(diagram[6])
        self.play(Transform(diagram[5], w), Transform(diagram[6], b), run_time=0.6)
        on_end = line["lo"] if one["on_right"] else line["hi"]
        side = Line(line["at"](fl["boundary"]), line["at"](on_end)).set_stroke(th.output, 9, opacity=0.7)
        values = VGroup(*(label(f"y = {_n(y)}", th, size=BODY_SIZE, color=self.on_off(y)).move_to(v)
                          for v, y in zip(days["values"], fl["y"])))
        self.play(Transform(line["on_side"], side), run_time=1.0)
        self.play(*(d.animate.set_color(self.on_off(y)) for d, y in zip(days["dots"], fl["y"])),
                  *(Transform(a, b) for a, b in zip(days["values"], values)), run_time=0.8)

    # -- two inputs ---------------------------------------------------------------------------------------
    def plane_2d(self, t: PerceptronData) -> dict[str, Any]:
        th, two = self.theme, t["two"]
        (x0, x1), (y0, y1) = t["box"][0], t["box"][1]
        plot = Plot(th, (x0, x1), (y0, y1), 6.4, self.content_height - 1.2, "temperature x1 (\u00b0C)",
                    "humidity x2 (%)", ticks=4)
        plot.move_to((-self.content_width / 2 + 0.5 + plot.width / 2, self.centre_y() + 0.15, 0))
        on = self.region(plot, two["on"], th.output, 0.3)
        off = self.region(plot, two["off"], th.muted, 0.15)
        seg = two["segment"]
        boundary = Line(plot.c2p(*seg[0]), plot.c2p(*seg[1])).set_stroke(th.foreground, 5)
        w1, w2 = two["w"]
        right = VGroup(
            colored_text([("y = H(", None), ("w1", th.weight), (" x1 + ", None), ("w2", th.weight), (" x2 + ", None),
                          ("b", th.weight), (")", None)], th, LABEL_SIZE),
            label(f"w = ({_n(w1)}, {_n(w2)}),  b = {_n(two['b'])}", th, size=BODY_SIZE, color=th.weight),
            label(f"boundary: {_n(w1)} x1 + {_n(w2)} x2 + {_n(two['b'])} = 0".replace("+ \u2212", "\u2212 "),
                  th, size=BODY_SIZE),
            label("green half-plane: y = 1", th, size=BODY_SIZE, color=th.output),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.28)
        self.panel(right, plot)
        self.show(plot, run_time=0.6)
        self.show(right[0], right[1], run_time=0.5)
        self.add_fixed_in_frame_mobjects(boundary)
        self.play(Create(boundary), *fade_in(right[2]), run_time=1.0)
        self.show(off, on, right[3], run_time=0.6)
        return {"plot": plot, "panel": right}

    def panel(self, group: VMobject, left_of: VMobject) -> None:
        room = self.content_width / 2 - left_of.get_right()[0] - 0.5
        fit_width(group, room)
        group.move_to((left_of.get_right()[0] + 0.5 + group.width / 2, self.content_top - 0.3 - group.height / 2, 0))

    def region(self, plot: Plot, points, color: str, opacity: float) -> VMobject:
        shape = VMobject()
        if len(points) >= 3:
            corners = [plot.c2p(*p) for p in points]
            shape.set_points_as_corners([*corners, corners[0]])
        else:  # an empty side: a degenerate shape in the corner
            c = plot.axes.get_corner(DOWN + LEFT)
            shape.set_points_as_corners([c, c, c])
        return shape.set_stroke(width=0).set_fill(color, opacity)

    def days_2d(self, t: PerceptronData, plot: dict[str, Any]) -> None:
        th, two = self.theme, t["two"]
        dots, names = VGroup(), VGroup()
        for i, (p, y) in enumerate(zip(two["x"], two["y"])):
            d = Dot(plot["plot"].c2p(*p), radius=0.1, color=self.on_off(y)).set_stroke(th.background, 2)
            dots.add(d)
            names.add(label(str(i + 1), th, size=TICK_SIZE).next_to(d, UR, buff=0.02))
        rows = VGroup(*(label(f"day {i + 1}: {_n(p[0])} \u00b0C, {_n(p[1])} %  \u2192  y = {_n(y)}", th,
                              size=TICK_SIZE, color=self.on_off(y))
                        for i, (p, y) in enumerate(zip(two["x"], two["y"]))))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.1).next_to(plot["panel"], DOWN, buff=0.35, aligned_edge=LEFT)
        if rows.get_bottom()[1] < self.content_bottom:
            rows.scale_to_fit_height(rows.height - (self.content_bottom - rows.get_bottom()[1]) - 0.05)
            rows.next_to(plot["panel"], DOWN, buff=0.35, aligned_edge=LEFT)
        self.show(dots, names, run_time=0.7)
        self.show(rows, run_time=0.6)

    # -- three inputs -----------------------------------------------------------------------------------------
    def space_3d(self, t: PerceptronData) -> None:
        th, three = self.theme, t["three"]
        (x0, x1), (y0, y1), (z0, z1) = t["box"]
        axes = ThreeDAxes(x_range=[x0, x1, 10], y_range=[y0, y1, 25], z_range=[z0, z1, 10],
                          x_length=BOX3D[0], y_length=BOX3D[1], z_length=BOX3D[2],
                          axis_config={"include_tip": False, "color": th.grid, "stroke_width": 2,
                                       "include_ticks": False})
        axes.shift(-axes.c2p((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2))
        self.axes3d = axes
        names = [label(n, th, size=BODY_SIZE, color=th.muted) for n in ("x1 temperature", "x2 humidity", "x3 wind")]
        out_y, out_x = y0 - 0.15 * (y1 - y0), x0 - 0.15 * (x1 - x0)
        names[0].move_to(axes.c2p((x0 + x1) / 2, out_y, z0))
        names[1].move_to(axes.c2p(out_x, (y0 + y1) / 2, z0))
        names[2].move_to(axes.c2p(x0, out_y, z1))
        box = VGroup(*(Line(axes.c2p(*a), axes.c2p(*b)) for a, b in box_edges(t["box"])))
        box.set_stroke(th.grid, 1.5, opacity=0.6)
        plane = Polygon(*(axes.c2p(*p) for p in three["polygon"])).set_stroke(th.output, 2)
        plane.set_fill(th.output, 0.35)
        w = three["w"]
        formula = VGroup(
            colored_text([("y = H(", None), ("w1", th.weight), (" x1 + ", None), ("w2", th.weight), (" x2", None)],
                         th, LABEL_SIZE),
            colored_text([("       + ", None), ("w3", th.weight), (" x3 + ", None), ("b", th.weight), (")", None)],
                         th, LABEL_SIZE),
            label(f"w = {_vec(w)}", th, size=BODY_SIZE, color=th.weight),
            label(f"b = {_n(three['b'])}", th, size=BODY_SIZE, color=th.weight),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        fit_width(formula, 3.9)
        formula.to_corner(LEFT + UP, buff=0.3).set_y(self.content_top - 0.1 - formula.height / 2)
        self.formula3d = formula
        self.add_fixed_in_frame_mobjects(formula)
        self.add_fixed_orientation_mobjects(*names)
        self.play(*fade_in(axes, box, *names, formula), run_time=0.6)
        self.move_camera(**ORBIT[0], run_time=1.5)
        self.play(Create(plane), run_time=1.0)
        self.begin_ambient_camera_rotation(rate=(ORBIT[1]["theta"] - ORBIT[0]["theta"]) / 9.0)

    def days_3d(self, t: PerceptronData) -> None:
        th, three = self.theme, t["three"]
        dots = VGroup(*(Dot3D(self.axes3d.c2p(*p), radius=0.11, color=self.on_off(y), resolution=(4, 4))
                        for p, y in zip(three["x"], three["y"])))
        legend = VGroup(label("y = 1 (on)", th, size=BODY_SIZE, color=th.output),
                        label("y = 0 (off)", th, size=BODY_SIZE, color=th.muted))
        for i in three["changed"]:
            p, y = three["x"][i], three["y"][i]
            legend.add(label(f"day {i + 1}: wind {_n(p[2])} km/h \u2192 {'on' if y == 1 else 'off'}", th,
                             size=BODY_SIZE, color=self.on_off(y)))
        legend.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        fit_width(legend, 4.0)
        legend.move_to((self.content_width / 2 - 0.1 - legend.width / 2, self.content_top - 0.1 - legend.height / 2, 0))
        self.add_fixed_in_frame_mobjects(legend)
        self.play(*fade_in(dots, legend), run_time=0.8)

    # -- the general form ----------------------------------------------------------------------------------------
    def general(self, t: PerceptronData) -> None:
        th, g = self.theme, t["general"]
        step1 = colored_text([("y = H(", None), ("w1", th.weight), (" x1 + ", None), ("w2", th.weight),
                              (" x2 + ", None), ("w3", th.weight), (" x3 + ", None), ("b", th.weight),
                              (")  =  H(", None), ("W", th.weight), (" x", th.input), (" + ", None), ("b", th.weight),
                              (")", None)], th, LABEL_SIZE)
        wg = Grid(g["W"], th, 0.6, colors=th.weight, cell_width=0.95)
        xg = Grid([[v] for v in g["x"]], th, 0.6, colors=th.input, cell_width=0.95)
        times = label("\u00b7", th, size=LABEL_SIZE)
        product = VGroup(label("W x =", th, size=LABEL_SIZE), wg, times, xg).arrange(RIGHT, buff=0.25)
        terms = " + ".join(f"{fmt_factor(w)}\u00b7{fmt_factor(x)}" for w, x in zip(g["W"][0], g["x"]))
        sums = VGroup(
            label(f"W x = {terms} = {_n(g['Wx'][0])}", th, size=BODY_SIZE),
            label(f"W x + b = {_n(g['Wx'][0])} + ({_n(g['b'])}) = {_n(g['z'][0])}", th, size=BODY_SIZE),
            label(f"y = H({_n(g['z'][0])}) = {_n(g['y'][0])}", th, size=LABEL_SIZE, color=self.on_off(g["y"][0])),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        tag = label("day 1", th, size=BODY_SIZE, color=th.input).next_to(xg, RIGHT, buff=0.2)
        product.add(tag)
        group = VGroup(step1, product, sums).arrange(DOWN, buff=0.45)
        group.scale_to_fit_height(self.content_height - 0.3)
        self.place_in_content(group)
        self.show(step1, run_time=0.6)
        self.show(product, run_time=0.7)
        for s in sums:
            self.show(s, run_time=0.4)

    # -- part 2: the learning rule ---------------------------------------------------------------------------------
    def learning(self, t: PerceptronData) -> None:
        th, L = self.theme, t["learning"]
        self.set_title("The perceptron learning rule")
        self.narrate("data")
        lo, hi = -3.0, 3.0
        side = self.content_height - 0.5
        plot = Plot(th, (lo, hi), (lo, hi), side, side, "x1", "x2", equal=True, ticks=6, y_name_beside=True)
        plot.move_to((-self.content_width / 2 + 0.3 + plot.width / 2, self.centre_y() + 0.15, 0))
        s0 = L["states"][0]
        on = self.region(plot, s0["on"], th.class_color(1), 0.18)
        line = self.segment(plot, s0["segment"])
        dots, names = VGroup(), VGroup()
        for i, (p, tt) in enumerate(zip(L["x"], L["t"])):
            d = Dot(plot.c2p(*p), radius=0.11, color=th.class_color(int(tt))).set_stroke(th.background, 2)
            dots.add(d)
            names.add(label(str(i + 1), th, size=TICK_SIZE).next_to(d, UR, buff=0.02))
        arrow = self.w_arrow(plot, s0["w"], L["arrow_scale"])
        wrong = self.wrong_marks(dots, s0["wrong"])
        state = self.state_text(s0["w"], s0["b"])
        self.panel(state, plot)
        self.show(plot, run_time=0.6)
        self.show(dots, names, run_time=0.5)
        self.show(on, line, state, run_time=0.6)
        self.show(arrow, run_time=0.6)
        self.show(wrong, run_time=0.5)
        self.finish_reading()

        self.narrate("rule")
        rule = VGroup(
            label("for each point:  y = H(w \u00b7 x + b)", th, size=BODY_SIZE),
            label("if y \u2260 t:  w \u2190 w + \u03b7 (t \u2212 y) x", th, size=BODY_SIZE, color=th.weight),
            label("          b \u2190 b + \u03b7 (t \u2212 y)", th, size=BODY_SIZE, color=th.weight),
            label(f"\u03b7 = {_n(L['lr'])}", th, size=BODY_SIZE, color=th.muted),
            label("shaded side: y = 1", th, size=BODY_SIZE, color=th.class_color(1)),
            label("circled: on the wrong side", th, size=BODY_SIZE, color=th.highlight),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        self.panel(rule, plot)
        rule.next_to(state, DOWN, buff=0.4, aligned_edge=LEFT)
        self.show(rule, run_time=0.6)
        self.finish_reading()

        ring = Circle(radius=0.24).set_stroke(th.foreground, 5)
        note = VMobject()
        for e in L["epochs"]:
            self.narrate(f"epoch{e['epoch']}")
            for u in e["updates"]:
                up = L["updates"][u]
                s = L["states"][up["state"]]
                self.add_fixed_in_frame_mobjects(ring)
                ring.move_to(dots[up["index"]])
                new_note = self.update_text(up).next_to(rule, DOWN, buff=0.4).align_to(rule, LEFT)
                fit_width(new_note, self.content_width / 2 - new_note.get_left()[0])
                # the step w + eta (t - y) x drawn from w's tip: the arrow w moves along it
                delta = self.delta_arrow(plot, up["w_before"], up["w"], L["arrow_scale"])
                self.add_fixed_in_frame_mobjects(new_note, delta)
                self.play(*fade_in(ring), *fade_out(note), *fade_in(new_note), run_time=0.5)
                self.play(GrowArrow(delta), run_time=0.6)
                note = new_note
                new_state = self.state_text(s["w"], s["b"]).move_to(state, aligned_edge=LEFT)
                new_wrong = self.wrong_marks(dots, s["wrong"])
                self.add_fixed_in_frame_mobjects(new_wrong)
                self.play(Transform(on, self.region(plot, s["on"], th.class_color(1), 0.18)),
                          Transform(line, self.segment(plot, s["segment"])), Transform(state, new_state),
                          Transform(arrow, self.w_arrow(plot, s["w"], L["arrow_scale"])),
                          *fade_out(wrong), *fade_in(new_wrong), run_time=1.0)
                wrong = new_wrong
                self.play(*fade_out(ring, delta), run_time=0.3)
            self.finish_reading()
        self.play(*fade_out(note), run_time=0.3)
        self.narrate("result")
        verdict = label(f"{L['correct']} of {len(L['x'])} points correct", th, size=LABEL_SIZE,
                        color=th.output if L["converged"] else th.highlight)
        verdict.next_to(rule, DOWN, buff=0.45).align_to(rule, LEFT)
        self.show(verdict, run_time=0.5)
        self.finish_reading()

    def w_arrow(self, plot: Plot, w, scale: float) -> VGroup:
        """w drawn from the origin (times the trace's one ``arrow_scale``): the normal of the line."""
        th = self.theme
        tip = plot.c2p(w[0] * scale, w[1] * scale)
        arrow = Arrow(plot.c2p(0, 0), tip, buff=0, stroke_width=6, max_tip_length_to_length_ratio=0.3)
        arrow.set_color(th.weight)
        name = "w" if scale == 1 else f"w \u00d7 {_n(scale)}"
        tag = label(name, th, size=BODY_SIZE, color=th.weight)
        direction = np.array([w[0], w[1], 0.0]) / max(float(np.hypot(w[0], w[1])), 1e-9)
        tag.move_to(tip + direction * 0.35)
        return VGroup(arrow, tag)

    def delta_arrow(self, plot: Plot, before, after, scale: float) -> Arrow:
        a = plot.c2p(before[0] * scale, before[1] * scale)
        b = plot.c2p(after[0] * scale, after[1] * scale)
        return Arrow(a, b, buff=0, stroke_width=5, max_tip_length_to_length_ratio=0.35).set_color(self.theme.gradient)

    def wrong_marks(self, dots: VGroup, wrong) -> VGroup:
        """A ring around every point the current line puts on the wrong side (indices from the trace)."""
        return VGroup(*(Circle(radius=0.2).set_stroke(self.theme.highlight, 3).move_to(dots[i]) for i in wrong))

    def segment(self, plot: Plot, seg) -> VMobject:
        line = VMobject()
        if len(seg) == 2:
            line.set_points_as_corners([plot.c2p(*seg[0]), plot.c2p(*seg[1])])
            return line.set_stroke(self.theme.foreground, 5)
        c = plot.c2p(0, 0)
        line.set_points_as_corners([c, c])
        return line.set_stroke(self.theme.foreground, 0)

    def state_text(self, w, b) -> VMobject:
        return label(f"w = {_vec(w)},  b = {_n(b)}", self.theme, size=LABEL_SIZE, color=self.theme.weight)

    def update_text(self, up: Update) -> VGroup:
        th = self.theme
        return VGroup(
            label(f"epoch {up['epoch']}, point {up['index'] + 1}: t = {_n(up['t'])}, y = {_n(up['y'])}", th,
                  size=BODY_SIZE),
            label(f"\u0394w = \u03b7 (t \u2212 y) x = {_vec(up['delta_w'])},  \u0394b = {_n(up['delta_b'])}", th,
                  size=BODY_SIZE, color=th.gradient),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)


def box_edges(box):
    """The 12 edges of the box (lo, hi) x (lo, hi) x (lo, hi), as pairs of corners (drawing, not data)."""
    corners = [(x, y, z) for x in box[0] for y in box[1] for z in box[2]]
    return [(a, b) for i, a in enumerate(corners) for b in corners[i + 1:] if sum(u != v for u, v in zip(a, b)) == 1]
