"""Autodiff scene: reads a Trace, draws it; computes nothing.

1. the formula, decomposed into named steps (each substitution morphs the lines);
2. the graph (Graphviz layout), built node by node;
3. forward: values appear under the nodes in topological order, each with its formula;
4. backward: the chain rule per node, the error signal's path glowing, the gradient above.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    BackgroundRectangle,
    Create,
    Indicate,
    MathTex,
    ReplacementTransform,
    TransformMatchingShapes,
    VGroup,
)

from ...style.animations import fade_in, fade_out
from ...style.graph import GraphDrawing
from ...style.mobjects import fit_width, label
from ...style.scene import DeepvizScene
from .schema import AutodiffData

FORMULA_BAND = 2.0  # height of the formula box under a wide graph
FORMULA_SIDE = 5.6  # width of the formula box beside a tall graph
LABEL_GAP = 0.62  # between two nodes of a rank, in frame units: a value and a gradient label fit
RANK_GAP = 0.5  # between ranks, in frame units: the widest label fits
NODE = 0.62  # node diameter before scaling
LABEL_ROOM = 0.6  # above and below the graph, for the labels of its top and bottom nodes
DETAILED_STEPS = 3  # backward steps shown line by line; later ones appear whole
FAST_TOTAL = 15.0  # seconds the other backward steps share (each between 1 and 2 s)
FORWARD_TOTAL = 7.0  # seconds the forward pass's steps share
MAX_NODE = 0.95  # largest node diameter, in frame units
VALUE_SIZE = 20  # font size of the value and gradient labels, in the graph's own units (they scale with it)
MIN_VALUE_SIZE = 15.5  # the smallest they may get on screen: 12 px at 480p
MAX_VALUE_SIZE = 24  # and the largest: numbers, not headlines
SIDE_ROOM = 0.35  # kept clear at each side of the content: labels reach past the outer nodes
LEAF_ROOM = 0.8  # left of the graph, for the labels of the inputs (they stand left of their node), at least
MAX_STRETCH = 1.6  # the most the nodes of a small graph are spread apart to fill the room
FILL = 0.7  # the formula alone on screen fills this much of the content's width (or its height)


@dataclass
class FormulaBox:
    below: bool  # under the graph (else beside it)
    centre: np.ndarray
    width: float
    height: float


class AutodiffScene(DeepvizScene):
    concept = "autodiff"

    def construct(self) -> None:
        t: AutodiffData = self.trace.data
        self.set_title("Automatic differentiation")
        self.narrate("intro")
        self.show_formula(t)
        self.finish_reading()

        self.narrate("decompose")
        self.decompose(t)
        self.finish_reading()
        self.clear_content()

        self.narrate("graph")
        graph = self.build_graph(t)
        self.finish_reading()

        self.narrate("forward")
        self.forward(t, graph)
        self.finish_reading()

        self.narrate("backward")
        self.backward(t, graph)
        self.finish_reading()

        self.narrate("result")
        assert self._formula is not None  # the backward pass leaves its last formula
        self.play(*fade_out(self._formula), run_time=0.4)
        self._formula = None
        inputs = [graph.nodes[n["id"]] for n in t["nodes"] if n["op"] == "input"]
        self.play(*(Indicate(m, color=self.theme.highlight, scale_factor=1.15) for m in inputs), run_time=1.0)
        self.finish_reading()
        self.wait(0.8)

    # -- formulas ----------------------------------------------------------------------------
    def tex(self, *lines: str, size: float = 40) -> MathTex:
        return MathTex(*lines, font_size=size, color=self.theme.foreground)

    def show_formula(self, t: AutodiffData) -> None:
        formula = self.tex(t["full"], size=42)
        values = label(", ".join(f"{self.name_of(t, k)} = {self.value_of(t, k)}" for k in t["inputs"]), self.theme,
                       color=self.theme.input)
        group = VGroup(formula, values).arrange(DOWN, buff=0.5)
        self.fill_content(group)
        self.play(*fade_in(group), run_time=0.8)
        self._lines, self._values = formula, values

    def decompose(self, t: AutodiffData) -> None:
        steps = t["decomposition"]
        old = self._lines
        self.play(*fade_out(self._values), run_time=0.4)
        each = max(0.5, min(1.4, 10.0 / len(steps)))
        before = steps[0]["lines"]
        for step in steps[1:]:
            lines = [line.replace(" = ", " &= ", 1) + (r" \\" if i < len(step["lines"]) - 1 else "")
                     for i, line in enumerate(step["lines"])]
            new = self.tex(*lines)
            self.fill_content(new)
            new[-1].set_color(self.theme.highlight)  # the quantity just named
            # unchanged lines slide into place; the named part moves from the lines it left
            same = [i for i, line in enumerate(before) if line == step["lines"][i]]
            changed = [i for i in range(len(before)) if i not in same]
            self.play(*(ReplacementTransform(old[i], new[i]) for i in same),
                      TransformMatchingShapes(VGroup(*(old[i] for i in changed)),  # pyright: ignore[reportArgumentType]
                                              VGroup(*(new[i] for i in changed), new[-1])), run_time=each)  # pyright: ignore[reportArgumentType]
            self.remove(old)
            self.add(new)
            old, before = new, step["lines"]
        self.wait(0.5)
        self.play(old.animate.set_color(self.theme.foreground), run_time=0.3)

    def fill_content(self, mob) -> None:
        """Enlarge (or shrink) a formula standing alone so it fills the content area, centred."""
        mob.scale(min(FILL * self.content_width / mob.width, FILL * self.content_height / mob.height))
        self.place_in_content(mob)

    def set_formula(self, *lines: str, run_time: float = 0.5, reveal: bool = False) -> None:
        """Show one derivation (``lhs = a``, ``= b``, ...) in the formula box, replacing the last one.

        Below a wide graph two steps share a row; beside a tall graph each step has its own row.
        """
        per_row = 2 if self.box.below else 1
        parts = []
        for i, line in enumerate(lines):
            line = line.replace(" = ", " &= ", 1) if i == 0 else "&" + line if i % per_row == 0 else line
            if i % per_row == per_row - 1 and i < len(lines) - 1:
                line += r" \\"
            parts.append(line)
        new = self.tex(*parts, size=36)
        if new.height > self.box.height:
            new.scale_to_fit_height(self.box.height)
        fit_width(new, self.box.width)
        new.move_to(self.box.centre)
        old = getattr(self, "_formula", None)
        gone = fade_out(old) if old is not None else []  # the old one leaves as the new one comes
        if reveal:
            for k, part in enumerate(new):
                self.play(*(gone if k == 0 else []), *fade_in(part), run_time=run_time)
        else:
            self.play(*gone, *fade_in(new), run_time=run_time)
        self._formula = new

    # -- the graph ---------------------------------------------------------------------------
    def build_graph(self, t: AutodiffData) -> GraphDrawing:
        th = self.theme
        names: dict[Hashable, str] = {n["id"]: n["label"] for n in t["nodes"]}
        self.leaves: set[int] = set()  # the inputs in the first rank (set once the graph is laid out)
        self.leaf_room = LEAF_ROOM
        colors: dict[Hashable, str] = {n["id"]: th.input if n["op"] == "input" else th.foreground for n in t["nodes"]}
        colors[t["output"]] = th.output
        edges: list[tuple[Hashable, Hashable]] = [(e[0], e[1]) for e in t["edges"]]
        # The value and gradient labels scale with the graph, so the gap LABEL_GAP left for them
        # between two nodes of a rank holds at any scale; only when the graph must shrink so far
        # that the labels would be unreadable do they keep a readable size and the gaps grow for them.
        relax = 1.0
        for _ in range(4):
            graph = GraphDrawing(th, names, colors, edges, nodesep=LABEL_GAP * relax, ranksep=RANK_GAP * relax)
            self.box = self.arrange(graph)
            scale = graph.nodes[t["output"]].circle.width / NODE
            need = max(1.0, MIN_VALUE_SIZE / (VALUE_SIZE * scale))
            if need <= relax * 1.05:
                break
            relax = need
        # The scale is set by one side of the room (usually the height): spread the nodes along the
        # other until the graph fills the room, nodes and labels at the same size.
        room_w, room_h = self.graph_room()
        fill = (min(room_w / scale, graph.width / scale * MAX_STRETCH), min(room_h / scale, graph.height / scale))
        if fill[0] > graph.width / scale * 1.05:
            graph = GraphDrawing(th, names, colors, edges, nodesep=LABEL_GAP * relax, ranksep=RANK_GAP * relax,
                                 fill=fill)
            self.box = self.arrange(graph)
            scale = graph.nodes[t["output"]].circle.width / NODE
        self.label_size = min(max(VALUE_SIZE * scale, MIN_VALUE_SIZE), MAX_VALUE_SIZE)
        # the inputs of the first rank have nothing to their left: their labels go there. If they are
        # wider than the room left for them, make more.
        first = min(node.get_x() for node in graph.nodes.values())
        self.leaves = {n["id"] for n in t["nodes"] if n["op"] == "input"
                       and graph.nodes[n["id"]].get_x() < first + 0.05}
        widest = max(label(n[k], th, size=self.label_size).width for n in t["nodes"] if n["id"] in self.leaves
                     for k in ("value_text", "grad_text"))
        if widest + 0.15 > self.leaf_room:
            self.leaf_room = widest + 0.15
            self.box = self.arrange(graph.scale(1 / scale))
        self.play_build(t, graph)
        return graph

    def graph_room(self) -> tuple[float, float]:
        """The width and height the graph may take, beside or above the formula box as arranged."""
        w, h = self.content_width - 2 * SIDE_ROOM - self.leaf_room, self.content_height - LABEL_ROOM
        return (w, h - FORMULA_BAND) if self.box.below else (w - FORMULA_SIDE, h)

    def arrange(self, graph: GraphDrawing) -> "FormulaBox":
        """Scale and place the graph, below or beside it the formula box: whichever shows it larger."""
        w, h, top = self.content_width - 2 * SIDE_ROOM, self.content_height - LABEL_ROOM, self.content_top - LABEL_ROOM / 2
        # (graph_room() says the same of the two arrangements); the inputs' labels stand left of the graph
        gw = w - self.leaf_room
        node = max(n.circle.width for n in graph.nodes.values())
        below = min(gw / graph.width, (h - FORMULA_BAND) / graph.height, MAX_NODE / node)
        beside = min((gw - FORMULA_SIDE) / graph.width, h / graph.height, MAX_NODE / node)
        graph.scale(max(below, beside))
        if below >= beside:
            graph.move_to(UP * (top - graph.height / 2) + RIGHT * self.leaf_room / 2)
            band_top = graph.get_bottom()[1] - LABEL_ROOM / 2
            return FormulaBox(True, np.array([0.0, (band_top + self.content_bottom) / 2, 0.0]), w,
                              band_top - self.content_bottom - 0.1)
        graph.move_to(RIGHT * (-w / 2 + self.leaf_room + graph.width / 2) + UP * (top - h / 2))
        side = w - self.leaf_room - graph.width - 0.3
        return FormulaBox(False, np.array([w / 2 - side / 2, (self.content_top + self.content_bottom) / 2, 0.0]),
                          side, self.content_height - 0.2)

    def play_build(self, t: AutodiffData, graph: GraphDrawing) -> None:
        each = max(0.15, min(0.6, 6.0 / len(t["nodes"])))
        for n in t["nodes"]:
            node = graph.nodes[n["id"]]
            self.play(*fade_in(node), *(Create(e) for e in graph.incoming(n["id"])), run_time=each)

    def value_label(self, graph: GraphDrawing, node_id: int, text: str, color: str, above: bool):
        node = graph.nodes[node_id]
        lab = label(text, self.theme, size=self.label_size, color=color)
        if node_id in self.leaves:
            # an input has no edge coming in: its two labels stand left of it, the gradient on top,
            # and leave the room between the inputs of a rank free
            lab.next_to(node.circle, LEFT, buff=0.06).shift((UP if above else DOWN) * (lab.height / 2 + 0.05))
        else:
            lab.next_to(node.circle, UP if above else DOWN, buff=0.05)
        # readable where it crosses an edge: the edge passes under it
        back = BackgroundRectangle(lab, color=self.theme.background, fill_opacity=1.0, buff=0.04)
        return VGroup(back, lab)

    def forward(self, t: AutodiffData, graph: GraphDrawing) -> None:
        th = self.theme
        nodes = t["nodes"]
        inputs = [self.value_label(graph, n["id"], n["value_text"], th.input, False)
                  for n in nodes if n["op"] == "input"]
        self.play(*fade_in(*inputs), run_time=0.6)
        each = max(0.3, min(0.9, FORWARD_TOTAL / len(t["forward"])))
        for i in t["forward"]:
            n = nodes[i]
            assert "forward" in n  # t["forward"] lists operations only
            self.set_formula(n["forward"], run_time=each * 0.6)
            edges = graph.incoming(i)
            self.play(*(e.animate.set_color_role(th.output) for e in edges), run_time=each * 0.5)
            value = self.value_label(graph, i, n["value_text"], th.output, False)
            self.play(*fade_in(value), *(e.animate.set_color_role(th.muted) for e in edges), run_time=each * 0.5)

    def backward(self, t: AutodiffData, graph: GraphDrawing) -> None:
        th = self.theme
        out = t["output"]
        self.set_formula(t["backward_seed"])
        self.graph, self.gradient_labels = graph, []  # what the tests measure
        self.play(*fade_in(self.value_label(graph, out, step_text(t, out), th.gradient, True)), run_time=0.5)
        fast = max(0, len(t["backward"]) - DETAILED_STEPS)
        pace = max(0.35, min(1.0, FAST_TOTAL / (2.0 * fast))) if fast else 1.0  # 1.0: about 2 s a step
        for k, step in enumerate(t["backward"]):
            i = step["node"]
            detailed = k < DETAILED_STEPS
            p = 1.0 if detailed else pace
            path = graph.downstream_edges(i)
            direct = [e for e in path if e[0] == i]
            self.play(*(graph.edges[e].animate.set_color_role(th.gradient, 6 if e in direct else 4,
                                                              1.0 if e in direct else 0.5) for e in path),
                      run_time=0.4 * p)
            self.set_formula(*step["lines"], run_time=0.5 if detailed else 0.6 * p, reveal=detailed)
            grad = self.value_label(graph, i, step_text(t, i), th.gradient, True)
            self.gradient_labels.append(grad)
            self.play(*fade_in(grad), run_time=0.4 * p)
            if detailed:
                self.wait(0.8)
            self.play(*(graph.edges[e].animate.set_color_role(th.gradient, 3, 0.35) for e in path),
                      run_time=0.3 * p)

    # -- text from the trace ---------------------------------------------------------------
    @staticmethod
    def name_of(t: AutodiffData, name: str) -> str:
        return next(n["label"] for n in t["nodes"] if n["name"] == name)

    @staticmethod
    def value_of(t: AutodiffData, name: str) -> str:
        return next(n["value_text"] for n in t["nodes"] if n["name"] == name)


def step_text(t: AutodiffData, node_id: int) -> str:
    return t["nodes"][node_id]["grad_text"]
