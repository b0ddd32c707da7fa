"""Attention scene: reads a Trace, draws it; computes nothing.

Left, one row per source word: the word, its encoder state h(i) (first ``dims`` numbers, in
the word's own colour), the score e_i and the weight alpha_i as a bar; arrows from every row
into the context vector c, as thick as alpha_i. Right, the decoder: previous state, context,
the top words of the output distribution; the emitted word joins the translation at the top.
The video ends with the attention matrix as a heatmap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Arrow,
    Create,
    GrowFromEdge,
    Indicate,
    Rectangle,
    Transform,
    VGroup,
)

from ...models.en_es import EOS, SOS
from ...style.animations import fade_in, fade_out
from ...style.heatmap import heat_fill
from ...style.mobjects import BODY_SIZE, Grid, colored_text, fit_width, label
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene
from .schema import AttentionData, Step

ALPHA_BAR = 1.3  # length of the bar of alpha = 1
DECODER_TOP = 2.3  # the decoder's vectors start this far under the content top (p(next word) above)
FIXED_WIDTH = 7.1  # everything in a row but the cells: word, name, score, bar, arrows, gaps


@dataclass
class Columns:
    """Left edges of a row's parts and the decoder's vectors, and the cell size (from the room)."""

    word: float
    state: float
    score: float
    alpha: float
    arrows: float
    context: float
    decoder: float
    cell_w: float
    cell_h: float
    ys: list[float]


SUBSCRIPTS = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")


def _fmt(v: float) -> str:
    return fmt_num(v, 2)


def _word(w: str) -> str:
    return {SOS: "<start>", EOS: "<end>"}.get(w, w)


class AttentionScene(DeepvizScene):
    concept = "attention"

    def construct(self) -> None:
        t: AttentionData = self.trace.data
        self.cols = self.columns(t)
        self.set_title(f"Attention: \u201c{' '.join(t['source'])}\u201d")
        self.narrate("intro")
        self.rows = self.encoder_rows(t)
        self.play(*fade_in(*(r["word"] for r in self.rows)), *fade_in(self.headers(t)), run_time=0.8)
        self.finish_reading()

        self.narrate("encoder")
        for r in self.rows:
            self.play(*fade_in(r["state"], r["name"]), run_time=0.45)
        self.finish_reading()

        self.translation = VGroup()
        self.state = None
        self.step_parts: list = []
        for j, step in enumerate(t["decoder"]["steps"]):
            if self.step_parts:
                self.play(*fade_out(*self.step_parts), run_time=0.5)
            self.narrate(f"step{j + 1}")
            self.decoder_step(t, j, step)
            self.finish_reading()

        self.clear_content()
        self.narrate("matrix")
        grid, side = self.heatmap(t)
        self.finish_reading()
        self.narrate("notice")
        self.notice(t, grid, side)
        self.finish_reading()
        self.wait(1.0)

    # -- layout -------------------------------------------------------------------------------
    def columns(self, t: AttentionData) -> Columns:
        n, dims = len(t["source"]), t["dims"]
        top, bottom = self.content_top - 1.5, self.content_bottom + 0.85  # under the rows: c's formula
        step = min(0.85, (top - bottom) / max(n - 1, 1))
        mid = (top + bottom) / 2
        ys = [mid + (n - 1) / 2 * step - i * step for i in range(n)]
        cell_w = min(1.0, (self.content_width - FIXED_WIDTH) / (dims + 2))
        cell_h = min(0.62, step * 0.8, cell_w * 0.7)
        word_w = max(label(w, self.theme).width for w in t["source"])
        left = -self.content_width / 2 + 0.1  # the lint's margin is a little wider than the content's
        state = left + min(word_w, 1.6) + 0.75  # word, then the state's name h_i
        score = state + dims * cell_w + 0.55
        alpha = score + 0.85
        arrows = alpha + ALPHA_BAR + 0.65
        context = arrows + 1.2
        return Columns(left, state, score, alpha, arrows, context, context + cell_w + 0.45, cell_w, cell_h, ys)

    def vector(self, values: list[float], color: str, dims: int, vertical: bool = False, total: int = 0) -> VGroup:
        shown = [[v] for v in values[:dims]] if vertical else [values[:dims]]
        grid = Grid(shown, self.theme, self.cols.cell_h, colors=color, cell_width=self.cols.cell_w, fmt=_fmt,
                    widest=[-0.99])
        if total > dims:  # the state has more numbers than the video shows
            more = label("\u22ee" if vertical else "\u2026", self.theme, size=BODY_SIZE, color=self.theme.muted)
            more.next_to(grid, DOWN if vertical else RIGHT, buff=0.08)
            grid.add(more)
        return grid

    def encoder_rows(self, t: AttentionData) -> list[dict[str, Any]]:
        th, cols = self.theme, self.cols
        rows = []
        for i, (w, y) in enumerate(zip(t["source"], cols.ys)):
            color = th.series_color(i)
            word = fit_width(label(w, th, color=color), cols.state - cols.word - 0.75)
            word.move_to((cols.word, y, 0), aligned_edge=LEFT)
            name = label(f"h{i + 1}".translate(SUBSCRIPTS), th, size=BODY_SIZE, color=color)
            name.move_to((cols.state - 0.3, y, 0))
            state = self.vector(t["encoder"]["states"][i], color, t["dims"], total=t["hidden"])
            state.move_to((cols.state, y, 0), aligned_edge=LEFT)
            rows.append({"word": word, "name": name, "state": state, "y": y, "color": color})
        return rows

    def headers(self, t: AttentionData) -> VGroup:
        th, cols = self.theme, self.cols
        y = cols.ys[0] + cols.cell_h / 2 + 0.35
        return VGroup(
            label("encoder states h(i)", th, size=BODY_SIZE, color=th.muted).move_to((cols.state, y, 0),
                                                                                      aligned_edge=LEFT),
            label("score", th, size=BODY_SIZE, color=th.muted).move_to((cols.score - 0.1, y, 0), aligned_edge=LEFT),
            label("\u03b1 = softmax", th, size=BODY_SIZE, color=th.muted).move_to((cols.alpha + 0.1, y, 0),
                                                                                   aligned_edge=LEFT),
        )

    # -- one decoder step ---------------------------------------------------------------------
    def decoder_step(self, t: AttentionData, j: int, step: Step) -> None:
        th, cols = self.theme, self.cols
        if len(self.translation) > 1:  # the word fed back
            self.play(Indicate(self.translation[-1], color=th.output), run_time=0.5)
        if self.state is None:  # the decoder's state stays on screen from step to step: s(j-1) -> s(j)
            self.state = VGroup(*self.column_vector(step["state_before"], th.output, f"s({j})", cols.decoder, t))
            self.play(*fade_in(self.state), run_time=0.5)

        scores = VGroup(*(label(_fmt(e), th, size=18).move_to((cols.score + 0.3, r["y"], 0))
                          for e, r in zip(step["scores"], self.rows)))
        self.play(*fade_in(scores), run_time=0.6)
        bars, values = VGroup(), VGroup()
        for a, r in zip(step["alpha"], self.rows):
            bar = Rectangle(width=max(0.02, a * ALPHA_BAR), height=cols.cell_h * 0.7)
            bar.set_stroke(r["color"], 1.5).set_fill(r["color"], 0.7).move_to([cols.alpha, r["y"], 0],
                                                                              aligned_edge=LEFT)
            bars.add(bar)
            values.add(label(_fmt(a), th, size=18).next_to(bar, RIGHT, buff=0.08))
        self.play(*(GrowFromEdge(b, LEFT) for b in bars), *fade_in(values), run_time=0.7)

        context, c_name = self.column_vector(step["context"], th.grid, f"c({j + 1})", cols.context, t)
        arrows = VGroup(*(
            Arrow([cols.arrows, r["y"], 0], context.get_left() + LEFT * 0.08, buff=0.05, color=r["color"],
                  stroke_width=1 + 12 * a, max_tip_length_to_length_ratio=0.06 + 0.12 * a,
                  max_stroke_width_to_length_ratio=30).set_opacity(0.3 + 0.7 * a)
            for a, r in zip(step["alpha"], self.rows)
        ))  # thickness and opacity follow alpha_i: how much of h(i) goes into c
        self.play(*(Create(a) for a in arrows), run_time=0.7)
        formula = self.context_formula(j, step)
        self.play(*fade_in(context, c_name, formula), run_time=0.5)

        # the GRU: s(j-1), c(j) and the word just emitted make s(j), in place of s(j-1)
        gru = label(f"s({j + 1}) = GRU(s({j}), c({j + 1}), {_word(step['input'])})", th, size=BODY_SIZE,
                    color=th.output)
        right = self.content_width / 2 - 0.15  # the lint's margin is a little wider than the content's
        fit_width(gru, right - cols.arrows)
        gru.set_y((context.get_bottom()[1] + formula.get_top()[1]) / 2).set_x(right - gru.width / 2)
        self.play(*fade_in(gru), run_time=0.5)
        new_state = VGroup(*self.column_vector(step["state"], th.output, f"s({j + 1})", cols.decoder, t))
        self.play(Transform(self.state, new_state), Indicate(gru, color=th.output, scale_factor=1.05), run_time=1.0)

        dist = self.distribution(step, j)
        self.play(*fade_in(dist), run_time=0.6)
        emitted = dist[0][0].copy()
        target = self.place_translation(step["word"])
        self.play(emitted.animate.move_to(target).set_color(target.get_color()), run_time=0.6)
        self.remove(emitted)
        self.add(target)
        self.translation.add(target)
        self.wait(0.4)
        # cleared when the next step starts: the picture stays while its caption is read
        self.step_parts = [scores, bars, values, arrows, context, c_name, formula, dist, gru]

    def context_formula(self, j: int, step: Step) -> VGroup:
        """c(j) = alpha_1 h1 + ..., each term in its state's colour."""
        parts = [(f"c({j + 1}) = ", None)]
        for i, (a, r) in enumerate(zip(step["alpha"], self.rows)):
            parts.append(((" + " if i else "") + f"{_fmt(a)}\u00b7h" + str(i + 1).translate(SUBSCRIPTS), r["color"]))
        line = fit_width(colored_text(parts, self.theme, size=BODY_SIZE), self.content_width)
        return line.move_to((0, self.content_bottom + 0.3, 0))

    def column_vector(self, values: list[float], color: str, name: str, x: float, t: AttentionData):
        """A state as a column of cells under its name, in the decoder's column at ``x``."""
        vec = self.vector(values, color, t["dims"], vertical=True, total=t["hidden"])
        room = self.content_top - DECODER_TOP - self.content_bottom - 0.1
        if vec.height > room:
            vec.scale_to_fit_height(room)
        vec.move_to((x, self.content_top - DECODER_TOP, 0), aligned_edge=UL)
        lab = label(name, self.theme, size=BODY_SIZE, color=color).next_to(vec, UP, buff=0.12)
        return vec, lab

    def distribution(self, step: Step, j: int) -> VGroup:
        """The top words of p(next word), read from s(j) and c(j): word, bar, probability; the first is emitted."""
        th, x = self.theme, self.cols.context
        top = self.content_top
        head = label(f"p(next word) from s({j + 1}), c({j + 1})", th, size=BODY_SIZE, color=th.muted)
        head.move_to((x, top - 0.3, 0), aligned_edge=LEFT)
        rows = VGroup()
        for k, item in enumerate(step["top"]):
            color = th.output if k == 0 else th.muted
            y = top - 0.75 - 0.4 * k
            word = fit_width(label(_word(item["word"]), th, size=BODY_SIZE, color=color), 1.45)
            word.move_to((x, y, 0), aligned_edge=LEFT)
            bar = Rectangle(width=max(0.02, item["p"] * 1.0), height=0.26).set_stroke(color, 1.5).set_fill(color, 0.6)
            bar.move_to([x + 1.55, y, 0], aligned_edge=LEFT)
            rows.add(VGroup(word, bar, label(_fmt(item["p"]), th, size=18).next_to(bar, RIGHT, buff=0.08)))
        fit_width(head, self.content_width / 2 - 0.15 - x).move_to((x, top - 0.3, 0), aligned_edge=LEFT)
        return VGroup(*rows, head)

    def place_translation(self, word: str):
        th = self.theme
        w = label(_word(word), th, color=th.output if word != EOS else th.muted)
        y = self.content_top - 0.3
        if not len(self.translation):
            head = label("translation:", th, color=th.muted).move_to((self.cols.word, y, 0), aligned_edge=LEFT)
            self.add(head)
            self.translation.add(head)
        w.next_to(self.translation[-1], RIGHT, buff=0.2).set_y(y)
        return w

    # -- the attention matrix -------------------------------------------------------------------
    def heatmap(self, t: AttentionData) -> tuple[Grid, VGroup]:
        th = self.theme
        matrix = t["matrix"]
        cols, rows = len(t["source"]), len(matrix)
        cell_w = min(2.2, (self.content_width - 2.0) / cols)
        cell_h = min(1.0, (self.content_height - 1.0) / rows)
        grid = heat_fill(Grid(matrix, th, cell_h, cell_width=cell_w, fmt=_fmt), matrix, th, signed=False, scale=1.0)
        heads = VGroup(*(fit_width(label(w, th, size=BODY_SIZE, color=th.series_color(c)), cell_w * 0.95)
                         .next_to(grid.square(0, c), UP, buff=0.12) for c, w in enumerate(t["source"])))
        side = VGroup(*(label(_word(w), th, size=BODY_SIZE, color=th.output)
                        .next_to(grid.square(r, 0), LEFT, buff=0.15) for r, w in enumerate(t["target"])))
        group = VGroup(grid, heads, side)
        self.place_in_content(group)
        self.play(*fade_in(grid.squares, heads, side), run_time=0.8)
        self.play(*fade_in(grid.values), run_time=0.6)
        return grid, side

    def notice(self, t: AttentionData, grid: Grid, side: VGroup) -> None:
        """Outline where the attention leaves the source's order (or, if it never does, each row's peak)."""
        th, cross = self.theme, t["crossing"]
        if cross is None:
            cells = [(r, max(range(len(row)), key=row.__getitem__)) for r, row in enumerate(t["matrix"])]
            self.play(Create(grid.outline(cells, th.highlight, width=8)), run_time=0.8)
            return
        cells = list(zip(cross["rows"], cross["columns"]))
        self.play(Create(grid.outline(cells, th.highlight, width=8)), run_time=0.8)
        self.play(*(Indicate(side[r], color=th.highlight) for r in cross["rows"]), run_time=0.8)


