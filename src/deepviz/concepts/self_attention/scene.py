"""Self-attention scene: reads a Trace, draws it; computes nothing.

The sentence; E + PE = X; X · W_Q = Q (then K, V); Q_h · K_hᵀ / √d_k = scores (masked); softmax by rows;
A · V = Z; with several heads their maps and outputs side by side; [Z_1 .. Z_h] · W_O = output.
The row of the followed word (``focus``) is framed in every matrix.
"""
from __future__ import annotations

from typing import Any

from manim import DOWN, LEFT, RIGHT, UP, Create, Indicate, ReplacementTransform, VGroup

from ...style.animations import fade_in, fade_out
from ...style.matrices import NEG_INF, Cells, Matrix, equation, op, stack
from ...style.mobjects import LABEL_SIZE, fit_width, label
from ...style.scene import DeepvizScene
from .schema import ModelAttentionData, SelfAttentionData

SUB = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
ROW_NAMES = 1.3  # room left of a matrix for its rows' words
OPS = 0.75  # room one operator takes, with its gaps


def transpose(m: list[list[float]]) -> list[list[float]]:
    return [list(c) for c in zip(*m)]


class SelfAttentionScene(DeepvizScene):
    concept = "self-attention"

    def construct(self) -> None:
        if "layer_name" in self.trace.data:  # --model: the user's model's own map
            self.model_map(self.trace.data)
            return
        t: SelfAttentionData = self.trace.data
        th = self.theme
        self.t = t
        self.word_colors = [th.series_color(i) for i in range(len(t["words"]))]
        sentence = " ".join(t["words"])
        self.set_title("Self-attention" + (f": \u201c{sentence}\u201d" if len(sentence) <= 24 else ""))  # one line
        self.narrate("intro")
        chips = VGroup(*(label(w, th, size=40, color=c) for w, c in zip(t["words"], self.word_colors)))
        chips.arrange(RIGHT, buff=0.6)
        chips.scale_to_fit_width(min(self.content_width * 0.75, chips.width * 2.5)).move_to(UP * 1.2)
        arrows = self.all_pairs(chips)
        self.play(*fade_in(chips), run_time=0.8)
        self.play(Create(arrows), run_time=1.2)
        self.finish_reading()

        self.clear_content()
        self.narrate("embed")
        x = self.embed_part(t)
        self.finish_reading()

        self.clear_content()
        self.narrate("qkv")
        self.qkv_part(t, x)
        self.finish_reading()

        self.clear_content()
        self.head_part(t, 0)

        if t["heads"] > 1:
            self.clear_content()
            self.narrate("heads")
            self.heads_part(t)
            self.finish_reading()

        self.clear_content()
        self.narrate("project")
        self.project_part(t)
        self.finish_reading()
        self.wait(1.0)

    def model_map(self, t: ModelAttentionData) -> None:
        """One head's attention weights of the user's model as a heatmap; the last query's row framed."""
        from manim import Rectangle

        from ...style.heatmap import ColorField, framed, ink_rgb

        th = self.theme
        w = t["weights"]
        n_q, n_k = len(w), len(w[0])
        self.set_title("Self-attention in your model")
        self.narrate("model-intro")
        side = min(self.content_height - 0.6, self.content_width * 0.6)  # room for the axis labels
        cell = side / max(n_q, n_k)
        top = max(max(r) for r in w)  # the brightest cell is the largest weight
        field = framed(ColorField(ink_rgb(w, th, "weight", top), cell * n_k, cell * n_q), th)
        keys = label("keys →", th, color=th.muted).next_to(field, UP, buff=0.15).align_to(field, LEFT)
        queries = label("queries ↓", th, color=th.muted).rotate(1.5708).next_to(field, LEFT, buff=0.15)
        queries.align_to(field, UP)
        picture = self.place(VGroup(field, keys, queries))
        self.play(*fade_in(picture), run_time=1.0)
        self.finish_reading()

        self.narrate("model-map")
        self.play(Indicate(field, scale_factor=1.03), run_time=1.0)
        self.finish_reading()

        self.narrate("model-row")
        box: Any = field[0].box  # a Mobject (a Manim method of the same name hides it from the checker)
        left, top = box.get_left()[0], box.get_top()[1]
        row = Rectangle(width=box.width, height=cell).set_stroke(th.highlight, 4).set_fill(opacity=0)
        row.move_to([left + box.width / 2, top - (t["focus"] + 0.5) * cell, 0])
        best = Rectangle(width=cell, height=cell).set_stroke(th.highlight, 6).set_fill(opacity=0)
        best.move_to([left + (t["top"] + 0.5) * cell, top - (t["focus"] + 0.5) * cell, 0])
        self.play(Create(row), run_time=0.8)
        self.play(Create(best), run_time=0.6)
        self.finish_reading()
        self.wait(1.0)

    # -- helpers ------------------------------------------------------------------------------
    def all_pairs(self, chips: VGroup) -> VGroup:
        """Arcs from every word to every other: each one looks at all of them."""
        from manim import ArcBetweenPoints

        arcs = VGroup()
        for i, a in enumerate(chips):
            for j, b in enumerate(chips):
                if i < j:
                    arcs.add(ArcBetweenPoints(a.get_bottom() + DOWN * 0.15, b.get_bottom() + DOWN * 0.15,
                                              angle=2.2).set_stroke(self.theme.muted, 2.5))
        return arcs

    def cells(self, columns: int, operators: int, row_names: bool = True) -> Cells:
        room = self.content_width - operators * OPS - (ROW_NAMES if row_names else 0.0)
        return Cells.fitting(columns, room)

    def mat(self, values, cells: Cells, name: str, color: str | None = None, rows: bool = False,
            heat: bool = False, signed: bool | None = None) -> Matrix:
        return Matrix(values, self.theme, cells, name, color, rows=self.t["words"] if rows else (),
                      row_colors=self.word_colors if rows else (), heat=heat, signed=signed)

    def focus_frames(self, *mats: Matrix) -> VGroup:
        return VGroup(*(m.row_frame(self.t["focus"], self.theme.highlight) for m in mats))

    def place(self, group: VGroup) -> VGroup:
        """Centre a part in the content area (shrunk only if it does not fit)."""
        self.place_in_content(group)
        return group

    # -- parts --------------------------------------------------------------------------------
    def embed_part(self, t: SelfAttentionData) -> Matrix:
        th, d = self.theme, t["d_model"]
        if t["positional"]:
            c = self.cells(3 * d, 2)
            e = self.mat(t["embeddings"], c, "embeddings E", th.input, rows=True)
            p = self.mat(t["encoding"], c, "positional encoding PE", th.muted, heat=True)
            x = self.mat(t["x"], c, "X = E + PE", th.input)
            row = self.place(equation([e, op("+", th), p, op("=", th), x]))
            self.play(*fade_in(e), run_time=0.6)
            self.play(*fade_in(row[1], p), run_time=0.6)
            self.play(*fade_in(row[3], x), run_time=0.6)
        else:
            x = self.mat(t["x"], self.cells(d, 0), "X = E (embeddings)", th.input, rows=True)
            self.place(VGroup(x))
            self.play(*fade_in(x), run_time=0.8)
        shape = label(f"{len(t['words'])} \u00d7 {d}", th, size=LABEL_SIZE, color=th.muted)
        self.play(*fade_in(shape.next_to(x, DOWN, buff=0.2)), run_time=0.4)
        return x

    def qkv_part(self, t: SelfAttentionData, _: Matrix) -> None:
        th, d = self.theme, t["d_model"]
        c = self.cells(3 * d, 2)
        x = self.mat(t["x"], c, "X", th.input, rows=True)
        parts = []
        for key, w in (("q", "w_q"), ("k", "w_k"), ("v", "w_v")):
            name = key.upper()
            parts.append((self.mat(t[w], c, f"W_{name}", th.weight, heat=True, signed=True),
                          self.mat(t[key], c, name)))
        w0, r0 = parts[0]
        row = self.place(equation([x, op("\u00b7", th), w0, op("=", th), r0]))
        self.play(*fade_in(x, row[1]), run_time=0.5)
        self.play(*fade_in(w0, row[3]), run_time=0.5)
        self.play(*fade_in(r0), run_time=0.6)
        for w, r in parts[1:]:
            w.move_to(w0, aligned_edge=UP)
            r.move_to(r0, aligned_edge=UP)
            self.play(ReplacementTransform(w0, w), ReplacementTransform(r0, r), run_time=0.8)
            self.wait(0.4)
            w0, r0 = w, r
        if t["heads"] > 1:  # head 1's columns of the result
            dk = t["d_k"]
            frame = VGroup(*(r0.column_frame(j, th.highlight) for j in range(dk)))
            self.play(Create(frame), run_time=0.6)

    def head_part(self, t: SelfAttentionData, h: int) -> None:
        th, n, dk = self.theme, len(t["words"]), t["d_k"]
        hd = t["per_head"][h]
        suffix = f"{h + 1}".translate(SUB) if t["heads"] > 1 else ""
        self.narrate("scores")
        c = self.cells(dk + dk + n, 4, row_names=True)  # ·, / √d_k, = and the room K's column words take
        q = self.mat(hd["q"], c, f"Q{suffix}", rows=True)
        kt = self.mat(transpose(hd["k"]), c, f"K{suffix}\u1d40")
        for j, w in enumerate(t["words"]):  # K's columns are the words
            kt.add(fit_width(label(w, th, size=18, color=self.word_colors[j]), c.width * 1.1)
                   .next_to(kt.grid.square(dk - 1, j), DOWN, buff=0.1))
        s = self.mat(hd["scores"], c, "scores", heat=True, signed=True)
        scale = label(f"/ \u221a{dk}", th, size=LABEL_SIZE)
        row = equation([q, op("\u00b7", th), kt, scale, op("=", th), s])
        self.place(row)
        self.play(*fade_in(q, row[1], kt), run_time=0.6)
        self.play(*fade_in(scale, row[4], s), run_time=0.6)
        frames = self.focus_frames(q, s)
        self.play(Create(frames), run_time=0.6)
        self.finish_reading()

        shown = hd["scores"]
        if t["causal"]:
            self.narrate("mask")
            shown = [[v if j <= i else NEG_INF for j, v in enumerate(r)] for i, r in enumerate(hd["scores"])]
            masked = self.mat(shown, c, "masked scores", heat=True, signed=True)
            masked.scale(s.grid.width / masked.grid.width)  # as placed (shrunk) as the scores it replaces
            masked.shift(s.grid.get_center() - masked.grid.get_center())
            upper = masked.grid.cells([(i, j) for i in range(n) for j in range(i + 1, n)])
            self.play(ReplacementTransform(s, masked), run_time=0.8)
            self.play(Indicate(upper, color=th.gradient, scale_factor=1.05), run_time=0.8)
            s = masked
            self.finish_reading()

        self.narrate("softmax")
        self.play(*fade_out(q, row[1], kt, scale, row[4], frames), run_time=0.5)
        big = Cells(min(1.2, (self.content_width - 2 * ROW_NAMES - OPS) / (2 * n)), 0.55)
        s_big = self.mat(shown, big, "masked scores" if t["causal"] else "scores", rows=True, heat=True,
                         signed=True)
        a = self.mat(hd["weights"], big, "A = softmax by rows", rows=True, heat=True, signed=False)
        arrow = op("\u2192", th)
        self.place(equation([s_big, arrow, a], buff=0.35))
        self.play(ReplacementTransform(s, s_big), run_time=0.6)
        self.play(*fade_in(arrow, a), run_time=0.7)
        self.play(Create(self.focus_frames(a)), run_time=0.5)
        self.finish_reading()

        self.narrate("output")
        self.play(*fade_out(*[m for m in self.mobjects if m is not a and not getattr(m, "is_title", False)
                              and m is not self._caption]), run_time=0.4)
        v = self.mat(hd["v"], c, f"V{suffix}")
        z = self.mat(hd["z"], c, f"Z{suffix} = A V{suffix}", th.output)
        for i, w in enumerate(t["words"]):
            v.add(fit_width(label(f"v{i + 1}".translate(SUB), th, size=18, color=self.word_colors[i]), 0.6)
                  .next_to(v.grid.square(i, dk - 1), RIGHT, buff=0.1))
        moved = a.copy()
        target = self.place(equation([moved, op("\u00b7", th), v, op("=", th), z]))
        self.play(ReplacementTransform(a, moved), run_time=0.6)
        a = moved
        self.play(*fade_in(target[1], v, target[3]), run_time=0.6)
        self.play(*fade_in(z), run_time=0.6)
        self.play(Create(self.focus_frames(a, z)), run_time=0.6)
        self.finish_reading()

    def heads_part(self, t: SelfAttentionData) -> None:
        th, n, h = self.theme, len(t["words"]), t["heads"]
        room = (self.content_width - ROW_NAMES - (h - 1) * 0.5) / h
        c = Cells.fitting(n, room)
        maps = [self.mat(hd["weights"], c, f"head {i + 1}: A" + f"{i + 1}".translate(SUB), th.series_color(i),
                         rows=i == 0, heat=True, signed=False) for i, hd in enumerate(t["per_head"])]
        zc = Cells.fitting(t["d_model"], self.content_width - ROW_NAMES)
        zs = [self.mat(hd["z"], Cells(zc.width), f"Z{i + 1}".translate(SUB), th.series_color(i), rows=i == 0)
              for i, hd in enumerate(t["per_head"])]
        top = equation(maps, buff=0.5)
        bottom = equation(zs, buff=0.0)
        self.place_in_content(stack(top, bottom, top=0, buff=0.45), max_height=self.content_height - 0.3)
        for m in maps:
            self.play(*fade_in(m), run_time=0.5)
        self.play(*fade_in(*zs), run_time=0.6)

    def project_part(self, t: SelfAttentionData) -> None:
        th, d = self.theme, t["d_model"]
        c = self.cells(3 * d, 2)
        concat = self.mat(t["concat"], c, "concat(Z\u2081..Z\u2095)" if t["heads"] > 1 else "Z", th.output, rows=True)
        if t["heads"] > 1:
            dk = t["d_k"]
            for i in range(t["heads"]):  # each head's block of columns in its colour
                for r in range(len(t["words"])):
                    for j in range(i * dk, (i + 1) * dk):
                        concat.grid.square(r, j).set_fill(th.series_color(i), th.fill_opacity())
        w = self.mat(t["w_o"], c, "W_O", th.weight, heat=True, signed=True)
        out = self.mat(t["output"], c, "output", th.output)
        row = self.place(equation([concat, op("\u00b7", th), w, op("=", th), out]))
        self.play(*fade_in(concat), run_time=0.5)
        self.play(*fade_in(row[1], w, row[3]), run_time=0.6)
        self.play(*fade_in(out), run_time=0.6)
        n = len(t["words"])
        sizes = VGroup(*(label(f"{n} \u00d7 {d}", th, size=LABEL_SIZE, color=th.muted).next_to(m, DOWN, buff=0.2)
                         for m in (concat, out)))
        self.play(*fade_in(sizes), Create(self.focus_frames(out)), run_time=0.6)
