"""Positional-encoding scene: reads a Trace, draws it; computes nothing.

The formula; the table as a heatmap beside the followed row's (sin, cos) pairs with their numbers;
a few columns as waves; one pair's 2x2 rotation block times PE(pos) = PE(pos + k), with the unit circle;
the whole shift map M_k; the encoding added to a sentence's embeddings.
"""
from __future__ import annotations

import math

from manim import DOWN, LEFT, RIGHT, UP, Arc, Circle, Create, Dot, Line, SurroundingRectangle, VGroup

from ...style.animations import fade_in
from ...style.matrices import Cells, Matrix, equation, op
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, colored_text, fit_width, label
from ...style.numbers import fmt_num, fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import PositionalEncodingData

MAX_PAIRS = 12  # rows of the followed position's pairs that read at 480p

SUB = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


class PositionalEncodingScene(DeepvizScene):
    concept = "positional-encoding"

    def construct(self) -> None:
        t: PositionalEncodingData = self.trace.data
        self.set_title("Positional encoding")
        for key, part in (("intro", self.intro), ("table", self.table), ("waves", self.waves),
                          ("rotation", self.rotation), ("check", self.shift_map), ("add", self.add_part),
                          ("learned", self.learned)):
            if key not in self.trace.narration:
                continue
            self.narrate(key)  # the caption starts as the old picture leaves: the change is read, not waited through
            self.clear_content()
            part(t)
            self.finish_reading()
        self.wait(1.0)

    # -- parts --------------------------------------------------------------------------------
    def intro(self, t: PositionalEncodingData) -> None:
        th = self.theme
        lines = VGroup(
            colored_text([("PE(pos, 2i)", th.input), ("  =  sin(pos \u00b7 w\u1d62)", None)], th, size=40),
            colored_text([("PE(pos, 2i+1)", th.input), ("  =  cos(pos \u00b7 w\u1d62)", None)], th, size=40),
            colored_text([("w\u1d62  =  10000", None), (f"^(\u22122i / {t['d_model']})", th.muted)], th, size=40),
        ).arrange(DOWN, buff=0.5, aligned_edge=LEFT)
        self.place_in_content(lines.scale_to_fit_width(self.content_width * 0.6))
        for line in lines:
            self.play(*fade_in(line), run_time=0.6)

    def table(self, t: PositionalEncodingData) -> None:
        th, n, d, pos = self.theme, t["positions"], t["d_model"], t["pos"]
        h = (self.content_height - 0.6) / n
        heat = Matrix(t["encoding"], th, Cells(min(0.32, 5.8 / d), h), "PE: position \u00d7 column",
                      heat=True, signed=True)
        names = VGroup(*(label(str(p), th, size=16, color=th.muted).next_to(heat.grid.square(p, 0), LEFT, buff=0.1)
                         for p in range(0, n, 8)))
        row = t["encoding"][pos]
        shown = min(d // 2, MAX_PAIRS)
        pairs = [[row[2 * i], row[2 * i + 1]] for i in range(shown)]
        ph = min(0.5, (self.content_height - 1.2) / shown)
        more = f", pairs 0\u2013{shown - 1}" if shown < d // 2 else " by pairs"
        detail = Matrix(pairs, th, Cells(1.0, ph), f"PE({pos}){more}", th.input,
                        rows=[f"i = {i}" for i in range(shown)])
        heads = VGroup(*(label(s, th, size=BODY_SIZE, color=th.muted).next_to(detail.grid.square(0, c), UP, buff=0.1)
                         for c, s in enumerate(("sin", "cos"))))
        detail.name.next_to(heads, UP, buff=0.12)
        left, right = VGroup(heat, names), VGroup(detail, heads)
        self.place_in_content(equation([left, right], buff=1.6))
        frame = heat.row_frame(pos, th.highlight, width=3)
        self.play(*fade_in(heat, names), run_time=0.8)
        self.play(Create(frame), run_time=0.5)
        self.play(*fade_in(right), run_time=0.8)

    def waves(self, t: PositionalEncodingData) -> None:
        th, n = self.theme, t["positions"]
        plot = Plot(th, (0, n - 1), (-1.1, 1.1), self.content_width - 3.8, self.content_height - 1.0,
                    x_name="position", y_name="PE")
        names = VGroup(*(label(f"column {w['column']}: \u03bb = {fmt_sig(w['wavelength'], 3)}", th, size=BODY_SIZE,
                               color=th.series_color(j)) for j, w in enumerate(t["waves"])))
        names.arrange(DOWN, buff=0.3, aligned_edge=LEFT).next_to(plot.axes, RIGHT, buff=0.3)
        names.align_to(plot.axes, UP)
        self.place_in_content(VGroup(plot, names))
        self.play(*fade_in(plot), run_time=0.6)
        for j, (w, name) in enumerate(zip(t["waves"], names)):
            curve = plot.polyline(w["curve"], th.series_color(j), width=4)
            self.play(Create(curve), *fade_in(name), run_time=0.9)
        pos = t["pos"]
        mark = Line(plot.c2p(pos, -1.1), plot.c2p(pos, 1.1)).set_stroke(th.highlight, 3)
        self.play(Create(mark), *fade_in(plot.label_at(f"pos = {pos}", (pos, 1.0), RIGHT, th.highlight,
                                                       size=BODY_SIZE)), run_time=0.5)

    def rotation(self, t: PositionalEncodingData) -> None:
        th, r, i, pos, k = self.theme, t["rotation"], t["pair"], t["pos"], t["shift"]
        c = Cells(1.1, 0.6)
        block = Matrix(r["block"], th, c, f"rotation by w{i}".translate(SUB) + f"\u00b7{k}", th.weight)
        before = Matrix([[v] for v in r["before"]], th, c, f"PE({pos})", th.input)
        after = Matrix([[v] for v in r["after"]], th, c, "product", th.output)
        target = Matrix([[v] for v in r["target"]], th, c, f"PE({pos + k}) in the table", th.input)
        eq = equation([block, op("\u00b7", th), before, op("=", th), after, op("=", th), target], buff=0.3)
        circle = self.circle(r)
        circle.add(label("sin", th, size=BODY_SIZE, color=th.muted).next_to(circle[0], DOWN, buff=0.1),
                   label("cos", th, size=BODY_SIZE, color=th.muted).next_to(circle[0], LEFT, buff=0.1))
        group = VGroup(eq, circle).arrange(DOWN, buff=0.5)
        self.place_in_content(group)
        self.play(*fade_in(block, eq[1], before), run_time=0.7)
        self.play(*fade_in(eq[3], after), run_time=0.6)
        self.play(*fade_in(eq[5], target), run_time=0.6)
        self.play(*fade_in(circle[:2]), run_time=0.5)
        self.play(Create(circle[2]), *fade_in(*circle[3:]), run_time=0.8)

    def circle(self, r) -> VGroup:
        """The pair (sin, cos) as a point on the unit circle, before and after the rotation."""
        th, radius = self.theme, 1.1
        ring = Circle(radius=radius).set_stroke(th.grid, 2)
        a = ring.get_center() + radius * RIGHT * r["before"][0] + radius * UP * r["before"][1]
        b = ring.get_center() + radius * RIGHT * r["after"][0] + radius * UP * r["after"][1]
        p, q = Dot(a, color=th.input, radius=0.08), Dot(b, color=th.output, radius=0.08)
        start = math.atan2(r["before"][1], r["before"][0])
        arc = Arc(radius=radius + 0.18, start_angle=start, angle=-r["angle"], arc_center=ring.get_center())
        arc.set_stroke(th.weight, 4).add_tip(tip_length=0.15)
        note = label(f"\u2212{fmt_num(r['angle'])} rad", th, size=BODY_SIZE, color=th.weight)
        note.next_to(ring, RIGHT, buff=0.45)
        return VGroup(ring, p, arc, q, note)

    def shift_map(self, t: PositionalEncodingData) -> None:
        th, d, i, k = self.theme, t["d_model"], t["pair"], t["shift"]
        size = min(0.34, (self.content_height - 1.2) / d)
        m = Matrix(t["rotation"]["map"], th, Cells(size, size), f"M{k}".translate(SUB) + f" ({d} \u00d7 {d})",
                   th.weight, heat=True, signed=True)
        err = label(f"max |M{k}".translate(SUB) + f" PE(pos) \u2212 PE(pos + {k})| = "
                    f"{fmt_sig(t['rotation']['max_error'], 2)}", th, size=LABEL_SIZE)
        fit_width(err, self.content_width * 0.45)
        self.place_in_content(equation([m, err], buff=0.8))
        box = SurroundingRectangle(VGroup(m.grid.square(2 * i, 2 * i), m.grid.square(2 * i + 1, 2 * i + 1)),
                                   color=th.highlight, buff=0.02, stroke_width=4)
        self.play(*fade_in(m), run_time=0.8)
        self.play(Create(box), run_time=0.5)
        self.play(*fade_in(err), run_time=0.6)

    def add_part(self, t: PositionalEncodingData) -> None:
        th, s = self.theme, t["sentence"]
        d = t["d_model"]
        c = Cells.fitting(3 * d, self.content_width - 2 * 0.75 - 1.3)
        words = s["words"]
        colors = [th.series_color(j) for j in range(len(words))]
        e = Matrix(s["embeddings"], th, c, "embeddings E", th.input, rows=words, row_colors=colors)
        p = Matrix(s["encoding"], th, c, "PE", th.muted, heat=True, signed=True)
        x = Matrix(s["x"], th, c, "X = E + PE", th.input)
        row = equation([e, op("+", th), p, op("=", th), x])
        rows = repeated(words)
        detail = Matrix([s["x"][j] for j in rows], th, Cells.fitting(d, self.content_width - 1.6), "rows of X",
                        th.input, rows=[f"{words[j]} ({j + 1})" for j in rows], row_colors=[colors[j] for j in rows])
        self.place_in_content(VGroup(row, detail).arrange(DOWN, buff=0.6))
        self.play(*fade_in(e), run_time=0.6)
        self.play(*fade_in(row[1], p), run_time=0.6)
        self.play(*fade_in(row[3], x), run_time=0.6)
        self.play(Create(VGroup(*(x.row_frame(j, th.highlight, width=3) for j in rows))), *fade_in(detail),
                  run_time=0.8)

    def learned(self, t: PositionalEncodingData) -> None:
        th, lt = self.theme, t["learned"]
        assert lt is not None  # the step exists only then
        n = lt["positions"]
        c = Cells(min(1.0, (self.content_width - 2.4) / (2 * n)), 0.55)
        names = [str(p) for p in range(n)]
        mats = [Matrix(lt[key], th, c, title, rows=names, heat=True, signed=True)
                for key, title in (("sinusoidal", "sinusoidal: cos(PE(p), PE(q))"),
                                   ("learned", "learned by the tiny transformer"))]
        self.place_in_content(equation(mats, buff=0.9))
        for m in mats:
            self.play(*fade_in(m), run_time=0.8)

def repeated(words: list[str]) -> list[int]:
    """The first two places of the first word that comes twice (else the first two words): rows to compare."""
    for j, w in enumerate(words):
        if w in words[:j]:
            return [words.index(w), j]
    return list(range(min(2, len(words))))
