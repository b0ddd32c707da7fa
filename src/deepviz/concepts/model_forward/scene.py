"""Model-forward scene: reads a Trace, draws it; computes nothing.

Top: the model's boxes in a row (laid out by Graphviz), edges between them. Bottom: a panel
for the box the data has reached: its output shape, a heatmap of its values and their
statistics, joined to the box by zoom lines.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, RoundedRectangle, ShowPassingFlash, VGroup

from ...style.animations import fade_in, fade_out
from ...style.graph import GraphEdge, layout
from ...style.heatmap import heat_fill
from ...style.mobjects import BODY_SIZE, Grid, fit_width, label, zoom_lines
from ...style.numbers import fmt_num, fmt_shape
from ...style.scene import DeepvizScene
from .schema import Box, ModelForwardData, Values

BOX_W, BOX_H = 1.55, 0.85
MIN_LENGTH = 22.0  # seconds
PANEL_TOP = 0.55  # the panel's top, below the diagram (frame units)


class ModelForwardScene(DeepvizScene):
    concept = "model-forward"

    def construct(self) -> None:
        t: ModelForwardData = self.trace.data
        self.set_title(f"Forward pass: {t['model'].rpartition(':')[2]}")
        self.narrate("intro")
        boxes, edges = self.diagram(t)
        self.play(*fade_in(*boxes), *(Create(e) for e in edges.values()), run_time=1.0)
        panel = self.panel(t["boxes"][0], boxes[0])
        origin = self.weights_note(t["weights"], panel)
        self.play(*fade_in(panel, origin), run_time=0.6)
        self.finish_reading()
        self.play(*fade_out(origin), run_time=0.3)
        for i in range(1, len(t["boxes"])):
            self.narrate(f"box{i}")
            incoming = [e for (a, b), e in edges.items() if b == i]
            self.play(*(ShowPassingFlash(e.path.copy().set_stroke(self.theme.highlight, 6), time_width=0.6)
                        for e in incoming), boxes[i][0].animate.set_stroke(self.theme.highlight, 4), run_time=0.6)
            new = self.panel(t["boxes"][i], boxes[i])
            self.play(*fade_out(panel), *fade_in(new), boxes[i - 1][0].animate.set_stroke(self.theme.grid, 2),
                      run_time=0.6)
            panel = new
            self.finish_reading()
        self.narrate("output")
        self.finish_reading()
        self.wait(max(0.8, MIN_LENGTH - self.time))  # a tiny model still gets time to look at the result

    # -- the diagram -----------------------------------------------------------------------------
    def diagram(self, t: ModelForwardData):
        th = self.theme
        lay = layout({i: (BOX_W, BOX_H) for i in range(len(t["boxes"]))}, [(a, b) for a, b in t["edges"]],
                     rankdir="LR", nodesep=0.3, ranksep=0.22)
        boxes = []
        for i, b in enumerate(t["boxes"]):
            rect = RoundedRectangle(width=BOX_W, height=BOX_H, corner_radius=0.08)
            rect.set_stroke(th.input if b["kind"] == "input" else th.grid, 2).set_fill(th.faint, 1.0)
            name = b["label"] + (f" \u00d7{b['repeat']}" if b["repeat"] > 1 else "")
            head = fit_width(label(name, th, size=BODY_SIZE), BOX_W - 0.15)
            shape = fit_width(label(fmt_shape(b["shape"]), th, size=18, color=th.muted), BOX_W - 0.12)
            text = VGroup(head, shape).arrange(DOWN, buff=0.06).move_to(rect)
            boxes.append(VGroup(rect, text).move_to(lay.positions[i]))
        edges = {tuple(e): GraphEdge(lay.splines[(e[0], e[1])], th.muted, width=2.5) for e in t["edges"]}
        group = VGroup(*boxes, *edges.values())
        room = self.content_top - PANEL_TOP - 0.35
        group.scale(min(1.0, self.content_width / group.width, room / group.height))
        group.move_to(UP * (self.content_top - group.height / 2 - 0.1))
        return boxes, edges

    # -- the panel of one box's output -------------------------------------------------------------
    def panel(self, box: Box, drawn: VGroup) -> VGroup:
        th, v = self.theme, box["values"]
        name = "input" if box["kind"] == "input" else f"{box['label']} output"
        head = label(f"{name}  {fmt_shape(box['shape'])}", th, size=BODY_SIZE)
        if v is None:
            group = VGroup(head)
        elif v.get("channels"):
            group = VGroup(head, VGroup(self.feature_maps(v), self.stats(v)).arrange(RIGHT, buff=0.5))
            group.arrange(DOWN, buff=0.25)
        else:
            rows, cols = len(v["grid"]), len(v["grid"][0])
            numbers = cols <= 10 and rows <= 2  # few values: written in the cells
            cell = min(0.42, 2.6 / max(rows, cols)) if not numbers else 0.55
            grid = Grid(v["grid"] if numbers else [[None] * cols for _ in range(rows)], th, cell,
                        cell_width=cell * (1.55 if numbers else 1.0), fmt=lambda x: fmt_num(x, 2))
            heat_fill(grid, v["grid"], th)
            what = label(self.summary_note(box), th, size=BODY_SIZE, color=th.muted)
            body = VGroup(grid, VGroup(self.stats(v), what).arrange(DOWN, buff=0.25)).arrange(RIGHT, buff=0.5)
            group = VGroup(head, body).arrange(DOWN, buff=0.25)
        room = PANEL_TOP - self.content_bottom - 0.1
        if group.height > room:
            group.scale_to_fit_height(room)
        fit_width(group, self.content_width)
        group.move_to(UP * (PANEL_TOP - group.height / 2))
        return VGroup(group, zoom_lines(drawn, group, th.highlight))

    def weights_note(self, origin: str, below) -> VGroup:
        """Where the weights come from, under the first panel: random ones are said to be random."""
        th = self.theme
        text = {"random": "random, untrained weights: this shows how data flows, not what a model learned",
                "fixed": "weights set by the model's builder", "unknown": "weights not checked (a large model)"}[origin]
        note = fit_width(label(text, th, size=BODY_SIZE, color=th.highlight if origin == "random" else th.muted),
                         self.content_width)
        return note.move_to((0, max(self.content_bottom + 0.25, below.get_bottom()[1] - 0.35), 0))

    def stats(self, v: Values) -> VGroup:
        th = self.theme
        return VGroup(*(label(s, th, size=BODY_SIZE, color=th.muted) for s in (
            f"min {fmt_num(v['min'])}   max {fmt_num(v['max'])}",
            f"mean {fmt_num(v['mean'])}   std {fmt_num(v['std'])}",
            f"{fmt_num(100 * v['zeros'], 0)}% zeros"))).arrange(DOWN, buff=0.12, aligned_edge=LEFT)

    def feature_maps(self, v: Values) -> VGroup:
        """Every kept channel as its own heatmap, on one colour scale, each named by its channel."""
        assert "channels" in v and "channel_count" in v  # (N, C, H, W) values only (the caller checks)
        th, maps = self.theme, v["channels"]
        per_row = len(maps) if len(maps) <= 4 else (len(maps) + 1) // 2
        rows_of_maps = (len(maps) + per_row - 1) // per_row
        side = max(max(len(m), len(m[0])) for m in maps)
        # as large as the panel allows beside the statistics (about 3.5 units wide)
        size = min(2.6, (self.content_width - 4.5) / per_row - 0.3,
                   (PANEL_TOP - self.content_bottom - 0.9) / rows_of_maps - 0.5)
        flat = [x for m in maps for row in m for x in row]
        scale = max((abs(x) for x in flat), default=1.0) or 1.0
        signed = any(x < 0 for x in flat)
        tiles = VGroup()
        for k, m in enumerate(maps):
            grid = Grid([[None] * len(m[0]) for _ in m], th, size / side)
            grid.squares.set_stroke(width=0)
            heat_fill(grid, m, th, signed=signed, scale=scale)
            name = label(f"channel {k}", th, size=BODY_SIZE, color=th.muted)
            tiles.add(VGroup(grid, name).arrange(DOWN, buff=0.1))
        tiles.arrange_in_grid(rows=rows_of_maps, cols=per_row, buff=(0.3, 0.2))
        notes = []
        if v["channel_count"] > len(maps):
            notes.append(f"the first {len(maps)} of {v['channel_count']} channels")
        side_from = v.get("channel_side_from")
        if side_from:
            h, w = side_from
            notes.append(f"each averaged from {h}\u00d7{w}")
        if notes:
            return VGroup(tiles, label("; ".join(notes), th, size=BODY_SIZE, color=th.muted)).arrange(DOWN, buff=0.15)
        return tiles

    @staticmethod
    def summary_note(box: Box) -> str:
        shape = box["shape"]
        if len(shape) == 4:
            return "heatmap: the mean over channels\n(average-pooled to at most 8\u00d78)"
        if len(shape) == 3:
            return "heatmap: the first 8 positions \u00d7\nthe first 8 features"
        return "the first values\n(blue negative, orange positive)"
