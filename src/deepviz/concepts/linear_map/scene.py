"""linear-map scene: reads a Trace, draws it; computes nothing.

1. the plane: a grid sheet over the whole window, i-hat and j-hat, the unit square with an F, one vector x,
   and the counter-clockwise turn from i-hat to j-hat;
2. W, its columns in the colours of i-hat and j-hat, and where they will land;
3. the map: every drawn point moves in a straight line to its image W p (from the trace);
4. x's image as the same mix of the moved basis vectors; 5. the unit square's area, det W, and the turn from
   W i-hat to W j-hat: clockwise (the F mirrored) when det W < 0;
6. the bias: everything shifts by b (an affine map), or, with b = 0, the origin that stays put.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import DOWN, LEFT, Arc, DashedLine, Indicate, Transform, VGroup

from ...style.animations import fade_in, fade_out
from ...style.clouds import Follow, between
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, Grid, colored_text, fit_width, label
from ...style.numbers import fmt_num
from ...style.plane import GridSheet, PlaneView
from ...style.scene import DeepvizScene
from .schema import LinearMapData

PANEL_GAP = 0.45  # between the plane and the text panel
MOVE_TIME = 3.0


def _v(p) -> str:
    return f"({fmt_num(p[0])}, {fmt_num(p[1])})"


class LinearMapScene(DeepvizScene):
    concept = "linear-map"

    def construct(self) -> None:
        t: LinearMapData = self.trace.data
        self.set_title("A weight matrix moves space")
        plane = self.plane(t)
        self.panel_items: list = []
        self.narrate("plane")
        shapes = self.shapes(t, plane, "start")
        turn = self.turn(plane, [0.0, 0.0], 0.0, np.pi / 2)
        self.play(*fade_in(plane), run_time=0.6)
        self.play(*fade_in(shapes["sheet"], shapes["square"], shapes["letter"]), run_time=0.6)
        self.play(*fade_in(shapes["i"], shapes["j"], shapes["x"], shapes["origin"]), run_time=0.6)
        self.play(*fade_in(turn), run_time=0.5)
        self.add_line(colored_text([("y = W x", None)], self.theme, size=LABEL_SIZE))
        self.finish_reading()

        self.narrate("columns")
        self.matrix(t)
        ghosts = self.ghosts(t, plane)
        self.finish_reading()

        self.narrate("move")
        self.play(*fade_out(turn), run_time=0.3)
        self.move(t, shapes, "start", self.shapes(t, plane, "linear"))
        self.play(*fade_out(ghosts), run_time=0.3)
        self.finish_reading()

        self.narrate("vector")
        self.vector_parts(t, plane)
        self.finish_reading()

        self.narrate("area")
        self.area(t, plane, shapes)
        self.finish_reading()

        if t["has_bias"]:
            self.narrate("bias")
            self.bias(t, plane, shapes)
        else:
            self.narrate("origin")
            self.origin(t, shapes)
        self.finish_reading()
        self.wait(0.6)

    # -- layout ---------------------------------------------------------------------------------
    def plane(self, t: LinearMapData) -> PlaneView:
        size = self.content_height - 0.05
        left = -self.content_width / 2 + 0.35
        center = [left + size / 2, (self.content_top + self.content_bottom) / 2, 0]
        return PlaneView(self.theme, t["view"], size, center)

    @property
    def panel_left(self) -> float:
        return -self.content_width / 2 + 0.35 + self.content_height - 0.05 + PANEL_GAP

    @property
    def panel_width(self) -> float:
        return self.content_width / 2 - self.panel_left

    def add_line(self, mob, buff: float = 0.3, run_time: float = 0.5):
        """Append a line to the text panel on the right (top to bottom) and fade it in."""
        fit_width(mob, self.panel_width)
        if self.panel_items:
            mob.next_to(self.panel_items[-1], DOWN, buff=buff)
        else:
            mob.set_y(self.content_top - 0.1 - mob.height / 2)
        mob.set_x(self.panel_left + mob.width / 2)
        self.panel_items.append(mob)
        self.play(*fade_in(mob), run_time=run_time)
        return mob

    # -- what moves ---------------------------------------------------------------------------------
    def shapes(self, t: LinearMapData, plane: PlaneView, stage: str) -> dict[str, Any]:
        """The sheet, basis vectors, unit square, F, vector x and origin at one stage: start, linear or affine."""
        th = self.theme
        basis = t["basis"]
        origin = [0.0, 0.0] if stage == "start" else t["origin"][stage]
        tips = basis["vectors"] if stage == "start" else basis[stage]
        x_tip = t["vector"]["x"] if stage == "start" else t["vector"][stage]
        square = t["square"]["corners"] if stage == "start" else t["square"][stage]
        letter = t["letter"]["corners"] if stage == "start" else t["letter"][stage]
        return {"stage": stage, "sheet": self.sheet(t, plane, stage), "square": plane.polygon(square, th.weight, 0.3),
                "letter": plane.polygon(letter, th.foreground, 0.85),
                "i": plane.arrow(origin, tips[0], th.output), "j": plane.arrow(origin, tips[1], th.highlight),
                "x": plane.arrow(origin, x_tip, th.extra), "origin": plane.dot(origin, th.foreground, 0.08)}

    def sheet(self, t: LinearMapData, plane: PlaneView, stage: str) -> VGroup:
        """The grid lines at a stage, cut to the window: [the two through the origin (brighter), the others]."""
        grid = t["grid"]
        ends = np.asarray(grid[stage], dtype=float)
        axis = np.array([k == 0 for k in grid["k"]])
        return VGroup(GridSheet(plane, ends[axis], self.theme.input, 4),
                      GridSheet(plane, ends[~axis], self.theme.input, 2.5, opacity=0.75))

    def move(self, t: LinearMapData, now: dict[str, Any], stage: str, target: dict[str, Any],
             run_time: float = MOVE_TIME) -> None:
        """Every point from the ``stage`` it is at to the target's (the grid straight from the trace's ends)."""
        grid = t["grid"]
        axis = np.array([k == 0 for k in grid["k"]])
        start, end = np.asarray(grid[stage], dtype=float), np.asarray(grid[target["stage"]], dtype=float)
        anims = [Follow(now["sheet"][part], self.lines_path(start[sel], end[sel]), run_time=run_time)
                 for part, sel in ((0, axis), (1, ~axis))]
        anims += [Transform(now[k], target[k]) for k in ("square", "letter", "i", "j", "x", "origin")]
        self.play(*anims, run_time=run_time)
        now["stage"] = target["stage"]

    @staticmethod
    def lines_path(start: np.ndarray, end: np.ndarray):
        """Segment ends moving in straight lines from ``start`` to ``end`` (N x 2 x 2)."""
        flat = between(start.reshape(-1, 2), end.reshape(-1, 2))
        return lambda alpha: flat(alpha)[:, :2].reshape(-1, 2, 2)

    def turn(self, plane: PlaneView, origin, start: float, sweep: float) -> VGroup:
        """The turn from i-hat's direction to j-hat's: an arc with a tip (counter-clockwise: sweep > 0)."""
        arc = Arc(radius=0.9, start_angle=start, angle=sweep, arc_center=plane.c2p(*origin))
        arc.set_stroke(self.theme.foreground, 5).add_tip(tip_length=0.22, tip_width=0.22)
        arc.set_color(self.theme.foreground)
        return VGroup(arc)

    # -- the matrix -----------------------------------------------------------------------------------
    def matrix(self, t: LinearMapData) -> None:
        th = self.theme
        colors = [[th.output, th.highlight]] * 2
        grid = Grid(t["matrix"], th, 0.7, colors=colors, value_colors=None, cell_width=1.0)
        name = label("W =", th, size=LABEL_SIZE).next_to(grid, LEFT, buff=0.2)
        heads = VGroup(label("W \u00ee", th, size=BODY_SIZE, color=th.output).next_to(grid.square(1, 0), DOWN, 0.15),
                       label("W \u0135", th, size=BODY_SIZE, color=th.highlight).next_to(grid.square(1, 1), DOWN, 0.15))
        self.add_line(VGroup(name, grid, heads), run_time=0.6)
        (ci, cj) = t["columns"]
        self.add_line(colored_text([("\u00ee = (1, 0) \u2192 ", th.output), (_v(ci), th.output)], th, BODY_SIZE),
                      buff=0.25)
        self.add_line(colored_text([("\u0135 = (0, 1) \u2192 ", th.highlight), (_v(cj), th.highlight)], th,
                                   BODY_SIZE), buff=0.15)

    def ghosts(self, t: LinearMapData, plane: PlaneView) -> VGroup:
        """Faint arrows where i-hat and j-hat will land (W's columns)."""
        th = self.theme
        (ci, cj) = t["columns"]
        g = VGroup(plane.arrow([0, 0], ci, th.output), plane.arrow([0, 0], cj, th.highlight))
        g.set_opacity(0.4)
        self.play(*fade_in(g), run_time=0.6)
        return g

    # -- after the map ----------------------------------------------------------------------------------
    def vector_parts(self, t: LinearMapData, plane: PlaneView) -> None:
        th = self.theme
        v = t["vector"]
        a, y = v["parts"][0], v["linear"]
        first = DashedLine(plane.c2p(0, 0), plane.c2p(*a)).set_stroke(th.output, 4)
        second = DashedLine(plane.c2p(*a), plane.c2p(*y)).set_stroke(th.highlight, 4)
        x0, x1 = (fmt_num(c) for c in v["x"])
        self.add_line(colored_text([(f"x = {_v(v['x'])}", th.extra)], th, BODY_SIZE), buff=0.3)
        self.play(*fade_in(first), run_time=0.5)
        self.play(*fade_in(second), run_time=0.5)
        self.add_line(colored_text([("W x = ", th.extra), (f"{x0}\u00b7{_v(t['columns'][0])}", th.output),
                                    (" + ", None), (f"{x1}\u00b7{_v(t['columns'][1])}", th.highlight),
                                    (f" = {_v(y)}", th.extra)], th, BODY_SIZE), buff=0.15)
        self.parts = VGroup(first, second)

    def area(self, t: LinearMapData, plane: PlaneView, shapes: dict[str, Any]) -> None:
        th, o = self.theme, t["orientation"]
        self.play(Indicate(shapes["square"], color=th.weight, scale_factor=1.05), run_time=0.8)
        self.add_line(colored_text([(f"det W = {fmt_num(t['det'])}", th.weight),
                                    ("   (area of the square \u00d7 " + fmt_num(t["area"]) + ")", th.muted)],
                                   th, BODY_SIZE), buff=0.3)
        if t["rank"] == 2:
            turn = self.turn(plane, [0.0, 0.0], o["start"], o["sweep"])
            self.play(*fade_in(turn), run_time=0.6)
            words = ("det W < 0: flipped, W \u00ee \u2192 W \u0135 turns clockwise" if o["flipped"] else
                     "det W > 0: W \u00ee \u2192 W \u0135 still turns counter-clockwise")
            self.add_line(label(words, th, size=BODY_SIZE, color=th.highlight if o["flipped"] else th.muted),
                          buff=0.15)
            self.turned = turn

    def bias(self, t: LinearMapData, plane: PlaneView, shapes: dict[str, Any]) -> None:
        th = self.theme
        self.play(*fade_out(self.parts), run_time=0.3)
        shift = plane.arrow([0, 0], t["bias"], th.foreground, width=4)
        self.add_line(colored_text([(f"b = {_v(t['bias'])}", None), ("    y = W x + b", None)], th, BODY_SIZE))
        self.play(*fade_in(shift), run_time=0.5)
        gone = [m for m in (getattr(self, "turned", None),) if m is not None]
        if gone:
            self.play(*fade_out(*gone), run_time=0.3)
        self.move(t, shapes, "linear", self.shapes(t, plane, "affine"), run_time=2.0)
        self.add_line(colored_text([("W x + b = ", th.extra), (_v(t["vector"]["affine"]), th.extra),
                                    ("   origin \u2192 ", th.muted), (_v(t["origin"]["affine"]), th.muted)],
                                   th, BODY_SIZE), buff=0.15)

    def origin(self, t: LinearMapData, shapes: dict[str, Any]) -> None:
        th = self.theme
        self.play(Indicate(shapes["origin"], color=th.foreground, scale_factor=2.0), run_time=0.8)
        self.add_line(label(f"W \u00b7 (0, 0) = {_v(t['origin']['linear'])}: the origin stays put", th,
                            size=BODY_SIZE, color=th.muted))
