"""Transformer scene: reads a Trace, draws it; computes nothing.

The translation; the encoder layer's two sub-layers as input -> operation -> output (n x 16 heatmaps with
the followed word's numbers); the decoder's masked scores and softmax; the heads' cross-attention maps
beside the GRU's attention matrix; the predicted words.
"""
from __future__ import annotations

from manim import DOWN, RIGHT, Arrow, Create, VGroup

from ...models.en_es import EOS
from ...style.animations import fade_in
from ...style.matrices import NEG_INF, Cells, Matrix, equation, op
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, colored_text, fit_width, label
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene
from ..attention.scene import _word  # the GRU video's names of <s> and </s>: the same words here
from .schema import TransformerData

ROW_NAMES = 1.5


class TransformerScene(DeepvizScene):
    concept = "transformer"

    def construct(self) -> None:
        t: TransformerData = self.trace.data
        self.t = t
        self.set_title("The transformer: " + f"\u201c{' '.join(t['words'])}\u201d")
        steps = (("intro", self.intro), ("encoder-attention", self.encoder_attention), ("encoder-ff", self.encoder_ff),
                 ("decoder-mask", self.decoder_mask), ("cross", self.cross), ("predict", self.predict))
        for key, part in steps:
            self.clear_content()
            self.narrate(key)
            part(t)
            self.finish_reading()
        self.wait(1.0)

    # -- pieces -------------------------------------------------------------------------------
    def stage(self, values, name: str, color: str | None = None) -> Matrix:
        """An n x d_model matrix as a heatmap with the followed word's numbers."""
        t = self.t
        words = t["words"]
        c = Cells.fitting(t["d_model"], self.content_width - ROW_NAMES)
        c = Cells(c.width, min(0.42, (self.content_height - 2.2) / (2 * len(words))))
        return Matrix(values, self.theme, c, name, color, rows=words,
                      row_colors=[self.theme.series_color(i) for i in range(len(words))], signed=True,
                      number_rows=[t["focus"]])

    def sublayer(self, before: Matrix, what: str, after: Matrix) -> None:
        th = self.theme
        step = label(what, th, size=LABEL_SIZE, color=th.weight)
        group = VGroup(before, step, after).arrange(DOWN, buff=0.35)
        self.place_in_content(group)
        arrow = Arrow(before.get_bottom(), after.name.get_top(), buff=0.05, color=th.muted, stroke_width=3)
        arrow.next_to(step, RIGHT, buff=0.3)
        arrow.put_start_and_end_on(arrow.get_start(), arrow.get_end())
        self.play(*fade_in(before), run_time=0.7)
        self.play(*fade_in(step), run_time=0.6)
        self.play(*fade_in(after), run_time=0.8)
        frames = VGroup(*(m.row_frame(self.t["focus"], th.highlight, width=3) for m in (before, after)))
        self.play(Create(frames), run_time=0.5)

    # -- parts --------------------------------------------------------------------------------
    def intro(self, t: TransformerData) -> None:
        th = self.theme
        src = label(" ".join(t["words"]), th, size=44, color=th.input)
        out = label(" ".join(w for w in t["translation"] if w != EOS), th, size=44, color=th.output)
        arrow = label("\u2192", th, size=44)
        line = VGroup(src, arrow, out).arrange(RIGHT, buff=0.5)
        parts = VGroup(*(label(s, th, size=BODY_SIZE, color=th.muted) for s in (
            f"encoder layer: multi-head attention ({t['heads']} heads) \u2192 add & norm \u2192 feed-forward "
            "\u2192 add & norm",
            "decoder layer: masked attention \u2192 add & norm \u2192 cross-attention \u2192 add & norm \u2192 "
            "feed-forward \u2192 add & norm",
        ))).arrange(DOWN, buff=0.3)
        fit_width(parts, self.content_width)
        group = VGroup(line, parts).arrange(DOWN, buff=0.9)
        fit_width(line, self.content_width)
        self.place_in_content(group)
        self.play(*fade_in(src), run_time=0.6)
        self.play(*fade_in(arrow, out), run_time=0.6)
        self.play(*fade_in(parts), run_time=0.6)

    def encoder_attention(self, t: TransformerData) -> None:
        e = t["encoder"]
        self.sublayer(self.stage(e["x"], "X: words + positions", self.theme.input),
                      "multi-head self-attention, + X, LayerNorm", self.stage(e["add_norm1"], "H\u2081"))

    def encoder_ff(self, t: TransformerData) -> None:
        e = t["encoder"]
        self.sublayer(self.stage(e["add_norm1"], "H\u2081"),
                      f"feed-forward {t['d_model']}\u2192{t['ff']}\u2192{t['d_model']}, + H\u2081, LayerNorm",
                      self.stage(e["output"], "encoder output H\u2082", self.theme.output))

    def decoder_mask(self, t: TransformerData) -> None:
        th = self.theme
        head = t["decoder"]["self_attention"]["heads"][0]
        words = [_word(w) for w in t["decoder_input"]]
        m = len(words)
        masked = [[v if j <= i else NEG_INF for j, v in enumerate(r)] for i, r in enumerate(head["scores"])]
        c = Cells(min(1.1, (self.content_width - 2 * ROW_NAMES - 1.0) / (2 * m)), 0.5)
        colors = [th.series_color(i) for i in range(m)]
        s = Matrix(masked, th, c, "head 1: masked scores", rows=words, row_colors=colors, heat=True, signed=True)
        a = Matrix(head["weights"], th, c, "softmax by rows", rows=words, row_colors=colors, heat=True, signed=False)
        row = self.place_in_content(equation([s, op("\u2192", th), a], buff=0.35))
        self.play(*fade_in(s), run_time=0.7)
        self.play(*fade_in(row[1], a), run_time=0.7)
        self.play(Create(a.row_frame(m - 1, th.highlight, width=3)), run_time=0.5)

    def cross(self, t: TransformerData) -> None:
        th = self.theme
        maps = [hd["weights"] for hd in t["decoder"]["cross_attention"]["heads"]] + [t["gru"]["matrix"]]
        n = len(t["words"])
        room = self.content_width - 2 * ROW_NAMES - 0.5 * len(maps) - 0.6
        c = Cells.fitting(n * len(maps), room)
        c = Cells(c.width, min(0.5, (self.content_height - 1.6) / max(len(m) for m in maps)))
        rows_t = [_word(w) for w in t["translation"]]
        mats = []
        for k, values in enumerate(maps):
            gru = k == len(maps) - 1
            name = "GRU attention" if gru else f"head {k + 1}"
            rows = [_word(w) for w in t["gru"]["target"]] if gru else rows_t if k == 0 else ()
            mat = Matrix(values, th, c, name, th.series_color(k), rows=rows, row_colors=[th.output] * len(rows),
                         heat=True, signed=False)
            for j, w in enumerate(t["words"]):
                mat.add(fit_width(label(w, th, size=18, color=th.input), c.width * 0.98)
                        .next_to(mat.grid.square(len(values) - 1, j), DOWN, buff=0.1))
            mats.append(mat)
        row = equation(mats, buff=0.5)
        row[-1].shift(RIGHT * (ROW_NAMES - 0.2))
        self.place_in_content(row)
        for mat in mats:
            self.play(*fade_in(mat), run_time=0.7)

    def predict(self, t: TransformerData) -> None:
        th, d = self.theme, t["decoder"]
        lines = VGroup(*(colored_text([(f"{_word(i)}  \u2192  ", th.muted), (_word(w), th.output),
                                       (f"   p = {fmt_num(p, 3)}", th.muted)], th, size=44)
                         for i, w, p in zip(t["decoder_input"], d["predicted"], d["p"])))
        lines.arrange(DOWN, buff=0.35, aligned_edge=RIGHT)
        head = label("decoder position reads  \u2192  predicts", th, size=LABEL_SIZE, color=th.muted)
        self.place_in_content(VGroup(head, lines).arrange(DOWN, buff=0.5))
        self.play(*fade_in(head), run_time=0.4)
        for line in lines:
            self.play(*fade_in(line), run_time=0.5)
