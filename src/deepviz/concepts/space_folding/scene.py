"""space-folding scene: reads a Trace, draws it; computes nothing.

The points live in the middle (world coordinates: a stage's window, the cube ``center +- half`` fitted to its
points in the trace, spans the axes' square; ticks on its edges give the scale, which changes between stages);
left, fixed in the frame, the formula of the current stage with its weights; right, the network with
the current layer lit, and the colour legend. A stage in 3D tilts the camera; a 3D fold turns it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from manim import DEGREES, DOWN, LEFT, RIGHT, UP, Create, Line, Polygon, VGroup

from ...style.animations import fade_in, fade_out
from ...style.clouds import DotCloud, Follow, Polyline, Segments, as_points3d, between
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, Grid, fit_width, label
from ...style.numbers import fmt_num
from ...style.plots import TICK_SIZE, nice_step, tick_digits, tick_values
from ...style.scene3d import Deepviz3DScene
from .schema import Layer, SpaceFoldingData, Stage, Window

HALF = 2.45  # half the axes' length on screen: a stage's window center +- half spans [-HALF, HALF]
DOT = 0.045
PANEL_X = (-6.75, -3.05)  # left panel: formula and weights
NET_X = (3.2, 6.75)  # right panel: network and legend
FLAT: dict[str, Any] = {"phi": 0.0, "theta": -90 * DEGREES, "zoom": 1.0}
TILT: dict[str, Any] = {"phi": 62 * DEGREES, "theta": -35 * DEGREES, "zoom": 1.0}  # the plane rotates into space
TURN: dict[str, Any] = {"phi": 58 * DEGREES, "theta": 35 * DEGREES, "zoom": 1.0}  # looking into the octant: its faces show
MORPH = 2.2


def _w(v: float) -> str:
    return fmt_num(v, 2)


class SpaceFoldingScene(Deepviz3DScene):
    concept = "space-folding"

    def construct(self) -> None:
        t: SpaceFoldingData = self.trace.data
        self.stages = t["stages"]
        what = {"square": "random weights", "circles": "trained on two circles", "moons": "trained on two moons"}
        self.set_title(f"A {t['architecture']} network folds space ({what[t['dataset']]})")
        self.groups = self.point_groups(t)
        self.axes = self.make_axes(self.stages[0]["window"])
        self.net = self.network(t)
        self.panel = None
        self.ticks = self.tick_marks(self.stages[0]["window"])
        self.narrate("intro")
        self.add_overlay(self.net["group"])
        self.play(*fade_in(self.axes["plane"], self.net["group"], self.ticks), run_time=0.6)
        self.play(*fade_in(*self.clouds()), run_time=0.8)
        self.show_panel("x", None, 0)
        self.finish_reading()

        self.octant = None
        for k, stage in enumerate(self.stages[1:], start=1):
            self.narrate(f"stage{k}")
            self.step(t, k, stage)
            self.finish_reading()

        if t["trained"]:
            self.narrate("line")
            self.separating_line(t)
            self.finish_reading()
            self.narrate("boundary")
            self.input_boundary(t)
            self.finish_reading()
        else:
            self.narrate("end")
            self.finish_reading()
        self.wait(0.8)

    # -- the points ----------------------------------------------------------------------------------
    def point_groups(self, t: SpaceFoldingData) -> list[dict[str, Any]]:
        """One cloud per colour (sign pattern or class), the indices of its points, and the outline."""
        facing = self.camera.get_rotation_matrix
        groups = []
        for lab in sorted(set(t["labels"])):
            idx = [i for i, v in enumerate(t["labels"]) if v == lab]
            cloud = DotCloud(self.place(self.rows(self.stages[0]["points"], idx), self.stages[0]["window"]), DOT,
                             self.color_of(t, lab), facing=facing)
            cloud.add_updater(lambda m: m.refresh())
            groups.append({"label": lab, "index": idx, "cloud": cloud})
        if t["outline"]:
            line = Polyline(self.place(self.stages[0]["outline"], self.stages[0]["window"]), self.theme.foreground, 2,
                            0.7)
            groups.append({"label": None, "index": None, "cloud": line})
        return groups

    def color_of(self, t: SpaceFoldingData, lab: int) -> str:
        """A trained network's points are classes; the square's are sign patterns (items of one list)."""
        return self.theme.class_color(lab) if t["trained"] else self.theme.series_color(lab)

    @staticmethod
    def rows(points: list, index: list[int] | None) -> list:
        return points if index is None else [points[i] for i in index]

    def clouds(self) -> list:
        return [g["cloud"] for g in self.groups]

    @staticmethod
    def place(points, window: Window) -> np.ndarray:
        """Data points -> the screen: the window's centre at the middle, its half-width at HALF."""
        return (as_points3d(points) - as_points3d([window["center"]])[0]) * (HALF / window["half"])

    @staticmethod
    def sliding(before: Stage, after: Stage) -> Callable[[np.ndarray, float], np.ndarray]:
        """``place`` with the window moving from one stage's to the next's (centre and half-width together)."""
        c0, c1 = (as_points3d([s["window"]["center"]])[0] for s in (before, after))
        h0, h1 = before["window"]["half"], after["window"]["half"]

        def place(p, alpha):
            return (p - (c0 + (c1 - c0) * alpha)) * (HALF / (h0 + (h1 - h0) * alpha))

        return place

    def moves(self, before: Stage, after: Stage) -> list[Follow]:
        """Every cloud along the straight path from one stage's points to the next, the window (and the axes
        through the origin) moving with them."""
        place = self.sliding(before, after)
        anims = []
        for g in self.groups:
            key = "points" if g["index"] is not None else "outline"
            a, b = self.rows(before[key], g["index"]), self.rows(after[key], g["index"])
            anims.append(Follow(g["cloud"], between(a, b, place), run_time=MORPH))
        anims.append(Follow(self.axes["xy"], lambda a: self.axis_pairs(range(2), place, a), run_time=MORPH))
        if self.axes["z"] in self.mobjects:
            anims.append(Follow(self.axes["z"], lambda a: self.axis_pairs([2], place, a), run_time=MORPH))
        else:  # not shown (a 2D stage): placed where the next stage needs it
            self.axes["z"].set_centers(self.axis_pairs([2], place, 1.0))
        return anims

    # -- axes -------------------------------------------------------------------------------------------
    def make_axes(self, window: Window) -> dict[str, Any]:
        th = self.theme
        frame = Polygon(*(np.array(c) * HALF for c in ([-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0])))
        frame.set_stroke(th.grid, 1.5, opacity=0.6).set_fill(opacity=0)

        def fixed(p, alpha):
            return self.place(p, window)

        xy = Segments([], th.muted, 2).set_centers(self.axis_pairs(range(2), fixed, 0.0))
        z = Segments([], th.muted, 2).set_centers(self.axis_pairs([2], fixed, 0.0))
        return {"plane": VGroup(frame, xy), "xy": xy, "z": z}

    @staticmethod
    def axis_pairs(axes, place, alpha: float) -> np.ndarray:
        """The coordinate axes through the data's origin, across the window (a point where the axis misses it)."""
        zero = place(np.zeros((1, 3)), alpha)[0]
        pairs = []
        for i in axes:
            a, b = zero.copy(), zero.copy()
            others = [j for j in range(3) if j != i]
            if all(abs(zero[j]) <= HALF + 1e-9 for j in others):
                a[i], b[i] = -HALF, HALF
            else:
                a = b = np.clip(zero, -HALF, HALF)
            pairs.append([a, b])
        return np.array(pairs)

    def tick_marks(self, window: Window) -> VGroup:
        """Tick values of the window on the square's bottom (x1) and left (x2) edges: the scale of this stage."""
        th, (cx, cy), half = self.theme, window["center"][:2], window["half"]
        step = nice_step(2 * half, 6)
        group = VGroup()
        for axis, c in ((0, cx), (1, cy)):
            for v in tick_values(c - half, c + half, step):
                at = (v - c) * HALF / half
                if axis == 1 and at < -HALF + 0.3:
                    continue  # beside the corner the x1 labels already crowd (tilted in 3D, they meet)
                p = np.array([at, -HALF, 0]) if axis == 0 else np.array([-HALF, at, 0])
                out = DOWN if axis == 0 else LEFT
                mark = Line(p, p + out * 0.1).set_stroke(th.grid, 2)
                text = label(fmt_num(v, tick_digits(step)), th, size=TICK_SIZE, color=th.muted)
                text.next_to(p + out * 0.1, out, buff=0.06)
                self.add_fixed_orientation_mobjects(text)
                group.add(mark, text)
        return group

    def region_faces(self, dim: int, function: str, window: Window) -> VGroup:
        """Where the activation puts the points, faintly filled, within the window: for ReLU the first quadrant
        (2D) or the first octant's faces (3D); for a sigmoid (tanh) the box (0, 1) ((-1, 1)) per coordinate."""
        th = self.theme
        c, h = np.array(window["center"], dtype=float), window["half"]
        a, b = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(function, (0.0, np.inf))
        lo, hi = np.maximum(c - h, a), np.minimum(c + h, b)
        if (hi < lo).any():
            return VGroup()
        if dim == 2:
            quads = [[[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]]]
        else:  # the box's edges would clutter the view: its three faces through the low corner
            quads = [[[lo[0], lo[1], lo[2]], [hi[0], lo[1], lo[2]], [hi[0], hi[1], lo[2]], [lo[0], hi[1], lo[2]]],
                     [[lo[0], lo[1], lo[2]], [lo[0], hi[1], lo[2]], [lo[0], hi[1], hi[2]], [lo[0], lo[1], hi[2]]],
                     [[lo[0], lo[1], lo[2]], [hi[0], lo[1], lo[2]], [hi[0], lo[1], hi[2]], [lo[0], lo[1], hi[2]]]]
        return VGroup(*(Polygon(*self.place(q, window)).set_stroke(th.muted, 1.5, 0.6).set_fill(th.muted, 0.12)
                        for q in quads))

    # -- one stage ------------------------------------------------------------------------------------------
    def step(self, t: SpaceFoldingData, k: int, stage: Stage) -> None:
        before = self.stages[k - 1]
        layer = stage["layer"]
        self.show_panel(stage["formula"], t["weights"][layer - 1], stage["kind"], layer)
        self.light_layer(layer)
        if stage["dim"] == 3 and before["dim"] == 2:
            self.move_camera(**TILT, added_anims=fade_in(self.axes["z"]), run_time=1.5)
        if stage["kind"] == "activation":
            # where the activation will put the points, in the window they are going to
            self.octant = self.region_faces(stage["dim"], stage["function"], stage["window"])
        self.play(*self.moves(before, stage), *self.retick(stage["window"]),
                  *(fade_in(self.octant, run_time=MORPH) if stage["kind"] == "activation" and self.octant is not None else []))
        if stage["kind"] == "activation" and stage["dim"] == 3:
            self.move_camera(**TURN, run_time=2.0)
        if stage["kind"] == "linear" and self.octant is not None:
            self.play(*fade_out(self.octant), run_time=0.4)
            self.octant = None
        if stage["dim"] == 2 and before["dim"] == 3:
            self.move_camera(**FLAT, added_anims=fade_out(self.axes["z"]), run_time=1.5)

    def retick(self, window: Window) -> list:
        """The ticks of the new window fade in as the old ones fade out (as the scale changes)."""
        new = self.tick_marks(window)
        old, self.ticks = self.ticks, new
        return [*fade_out(old, run_time=MORPH), *fade_in(new, run_time=MORPH)]

    # -- the left panel ---------------------------------------------------------------------------------------
    def show_panel(self, formula: str, weights: Layer | None, kind: Any, layer: int = 0) -> None:
        th = self.theme
        parts = [label(formula, th, size=LABEL_SIZE + 4)]
        if weights is not None:
            w = Grid(weights["W"], th, 0.5, colors=th.kernel, fmt=_w, cell_width=0.95)
            b = Grid([[v] for v in weights["b"]], th, 0.5, colors=th.output, fmt=_w, cell_width=0.95)
            wl = label(f"W{layer} =", th, size=LABEL_SIZE, color=th.kernel).next_to(w, LEFT, buff=0.15)
            bl = label(f"b{layer} =", th, size=LABEL_SIZE, color=th.output).next_to(b, LEFT, buff=0.15)
            wg, bg = VGroup(wl, w), VGroup(bl, b)
            if kind == "linear":
                bg.set_opacity(0.25)
            parts += [wg, bg]
        panel = VGroup(*parts).arrange(DOWN, buff=0.4, aligned_edge=LEFT)
        fit_width(panel, PANEL_X[1] - PANEL_X[0])
        panel.move_to([PANEL_X[0] + panel.width / 2, 0, 0]).align_to(UP * (self.content_top - 0.5), UP)
        self.add_overlay(panel)
        anims = fade_in(panel, run_time=0.5)
        if self.panel is not None:
            anims += fade_out(self.panel, run_time=0.5)
        self.play(*anims)
        self.panel = panel

    # -- the right panel: the network ---------------------------------------------------------------------------
    def network(self, t: SpaceFoldingData) -> dict[str, Any]:
        th = self.theme
        sizes = list(t["layers"]) + ([1] if t["trained"] else [])
        cols = []
        for i, n in enumerate(sizes):
            col = VGroup(*(self.unit(th.input if i == 0 else th.muted) for _ in range(n))).arrange(DOWN, buff=0.3)
            cols.append(col)
        layers = VGroup(*cols).arrange(RIGHT, buff=0.7)
        edges = []
        for a, b in zip(cols, cols[1:]):
            edges.append(VGroup(*(Line(u.get_center(), v.get_center(), buff=0.17).set_stroke(th.grid, 2)
                                  for u in a for v in b)))
        names = ["x"] + [f"h{i}" if t["trained"] or i < len(t["layers"]) - 1 else "y"
                         for i in range(1, len(t["layers"]))] + (["p"] if t["trained"] else [])
        tags = VGroup(*(label(n, th, size=BODY_SIZE, color=th.muted).next_to(c, DOWN, buff=0.2)
                        .set_y(layers.get_bottom()[1] - 0.3) for n, c in zip(names, cols)))
        legend = self.legend(t)
        group = VGroup(VGroup(*edges), layers, tags, legend)
        legend.next_to(VGroup(layers, tags), DOWN, buff=0.45)
        fit_width(group, NET_X[1] - NET_X[0])
        group.move_to(((NET_X[0] + NET_X[1]) / 2, 0, 0)).align_to(UP * (self.content_top - 0.5), UP)
        return {"group": group, "cols": cols, "edges": edges}

    def unit(self, color: str):
        from manim import Circle

        return Circle(radius=0.17).set_stroke(color, 3).set_fill(color, self.theme.fill_opacity())

    def light_layer(self, layer: int) -> None:
        th, net = self.theme, self.net
        anims = []
        for i, e in enumerate(net["edges"]):
            anims.append(e.animate.set_stroke(th.kernel if i == layer - 1 else th.grid, 3 if i == layer - 1 else 2))
        for i, col in enumerate(net["cols"][1:], start=1):
            c = th.highlight if i == layer else (th.output if i < layer else th.muted)
            anims.append(col.animate.set_stroke(c).set_fill(c, th.fill_opacity()))
        self.play(*anims, run_time=0.4)

    def legend(self, t: SpaceFoldingData) -> VGroup:
        th = self.theme
        rows = VGroup()
        if t["trained"]:
            names = {"circles": ("outer ring", "inner ring"), "moons": ("upper moon", "lower moon")}[t["dataset"]]
            entries = [(lab, f"class {lab}: {names[lab]}") for lab in sorted(set(t["labels"]))]
            head = None
        else:
            n = t["layers"][1]
            entries = [(lab, " ".join("+" if lab >> i & 1 else "\u2212" for i in range(n)))
                       for lab in sorted(set(t["labels"]))]
            head = label("signs of W1 x + b1", th, size=BODY_SIZE - 2, color=th.muted)
        for lab, text in entries:
            dot = DotCloud([[0, 0, 0]], 0.09, self.color_of(t, lab))
            rows.add(VGroup(dot, label(text, th, size=BODY_SIZE, color=self.color_of(t, lab), mono=not t["trained"]))
                     .arrange(RIGHT, buff=0.15))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        if not t["trained"] and len(entries) > 4:
            rows.arrange_in_grid(cols=2, buff=(0.35, 0.12), flow_order="dr", col_alignments="ll")
        return VGroup(head, rows).arrange(DOWN, buff=0.15) if head is not None else rows

    # -- the trained network's last layer ------------------------------------------------------------------------
    def separating_line(self, t: SpaceFoldingData) -> None:
        assert "classifier" in t  # trained networks only
        th, c, last = self.theme, t["classifier"], self.stages[-1]
        self.light_layer(len(t["weights"]) + 1)
        if c["window_line"]:
            line = Line(*self.place(c["window_line"], last["window"])).set_stroke(th.foreground, 5)
            self.play(Create(line), run_time=1.2)
            self.line = line
        acc = label(f"accuracy {fmt_num(100 * c['accuracy'], 1)}%", th, size=LABEL_SIZE, color=th.foreground)
        loss = label(f"loss {fmt_num(c['loss'], 3)} after {t['steps']} steps", th, size=BODY_SIZE, color=th.muted)
        note = VGroup(acc, loss).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        fit_width(note, PANEL_X[1] - PANEL_X[0])
        note.next_to(self.panel, DOWN, buff=0.45).align_to(self.panel, LEFT)
        self.add_overlay(note)
        self.play(*fade_in(note), run_time=0.5)

    def input_boundary(self, t: SpaceFoldingData) -> None:
        assert "boundary" in t  # trained networks only
        th, first, b = self.theme, self.stages[0], t["boundary"]
        gone = [m for m in (getattr(self, "line", None), self.octant) if m is not None]
        if gone:
            self.play(*fade_out(*gone), run_time=0.4)
        self.show_panel("back in the input plane: x", None, "input")
        self.play(*self.moves(self.stages[-1], first), *self.retick(first["window"]))
        curve = Segments(b["segments"], th.foreground, 5, place=lambda p: self.place(p, first["window"]))
        self.play(Create(curve), run_time=1.5)
