"""RNN scene: reads a Trace, draws it; computes nothing.

Colours tie each symbol to its numbers: the embedding table and x(t) are blue (input), W_hh
orange (the recurrent weights), W_ih purple, b yellow, hidden states green (output), the loss
and the gradients vermilion (highlight).

The parts have their own layouts: the embedding look-up (a minimap of the whole table and a
zoom on the word's rows), the recurrence (the unrolled chain at the top, the current step
enlarged below it as a camera zoom would), the head and the loss, and with ``--backward`` the
gradient's size as bars under the unrolled chain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedLine,
    GrowFromEdge,
    Line,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    Succession,
    Transform,
    TransformFromCopy,
    VGroup,
)

from ...style.animations import fade_in, fade_out
from ...style.mobjects import (
    BODY_SIZE,
    LABEL_SIZE,
    TITLE_SIZE,
    Bars,
    Grid,
    Neuron,
    colored_text,
    edge,
    fit_width,
    label,
    titled,
    zoom_lines,
)
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene, sweep_durations
from ...style.theme import Theme
from .numbers import fmt_grad
from .schema import RNNData

ZOOM_ROWS = 5  # rows of the embedding table shown enlarged around a word
OP_SIZE = 30  # operators between matrices: ·, +, =
ACTIVATION_NAMES = {"tanh": "tanh", "relu": "ReLU", "linear": ""}


@dataclass(frozen=True)
class Roles:
    """The colour of each symbol, so that a symbol and its matrix always match."""

    x: str
    w_ih: str
    w_hh: str
    b: str
    h: str
    grad: str

    @classmethod
    def of(cls, th: Theme) -> "Roles":
        # W_ih, W_hh and b are all learned weights: one role; the vectors they multiply tell them apart
        return cls(x=th.input, w_ih=th.weight, w_hh=th.weight, b=th.weight, h=th.output, grad=th.gradient)


def _fmt(v: float) -> str:
    return fmt_num(v, 2)


class RNNScene(DeepvizScene):
    concept = "rnn"

    def construct(self) -> None:
        t: RNNData = self.trace.data
        self.roles = Roles.of(self.theme)
        self.set_title("Recurrent network: a sentence, one word at a time")
        words = self.intro(t)
        self.set_title("Step 1: embedding look-up")
        self.embedding_part(t, words)
        self.clear_content()
        self.set_title("Step 2: one time step at a time")
        self.recurrence_part(t)
        self.clear_content()
        self.set_title("Step 3: head, softmax and cross-entropy loss")
        self.head_part(t)
        if t["backward"] is not None:
            self.clear_content()
            self.set_title("Back-propagation through time")
            self.bptt_part(t)
        self.wait(1.0)

    # -- shared pieces ----------------------------------------------------------------------------
    def vector(self, values, color: str, cell: float = 0.5, cell_width: float = 0.85, widest=()) -> Grid:
        """A column vector as one column of cells (values may be None: filled later)."""
        return Grid([[v] for v in values], self.theme, cell, colors=color, cell_width=cell_width, fmt=_fmt,
                    widest=widest)

    def matrix(self, values, color: str, cell: float = 0.5, cell_width: float = 0.85) -> Grid:
        return Grid(values, self.theme, cell, colors=color, cell_width=cell_width, fmt=_fmt)

    def op(self, symbol: str) -> Any:
        return label(symbol, self.theme, size=OP_SIZE)

    @staticmethod
    def lay_row(items: list, y: float, buff: float = 0.22) -> VGroup:
        """Items side by side, centred on x = 0; titled grids (label, grid) have their grid at ``y``."""
        x = 0.0
        for item in items:
            anchor = item[1] if isinstance(item, VGroup) and len(item) == 2 and isinstance(item[1], Grid) else item
            item.shift(RIGHT * (x - item.get_left()[0]) + UP * (y - anchor.get_y()))
            x = item.get_right()[0] + buff
        row = VGroup(*items)
        return row.shift(LEFT * row.get_x())

    # -- intro ------------------------------------------------------------------------------------
    def intro(self, t) -> VGroup:
        th, r = self.theme, self.roles
        words = VGroup(*(self.word_chip(w, size=30) for w in t["words"])).arrange(RIGHT, buff=0.25)
        fit_width(words, self.content_width)
        target = colored_text([("target: ", None), (t["classes"][t["target_index"]], th.highlight),
                               (f"   t = ({', '.join(_fmt(v) for v in t['target'])})", th.muted)], th, size=LABEL_SIZE)
        act = ACTIVATION_NAMES[t["nonlinearity"]]
        pipeline = colored_text([("word", None), ("  \u2192  ", th.muted), ("x(t)", r.x), ("  \u2192  ", th.muted),
                                 ("h(t)" if not act else f"h(t) = {act}(\u2026)", r.h), ("  \u2192  ", th.muted),
                                 ("head", th.weight), ("  \u2192  ", th.muted), ("softmax", None),
                                 ("  \u2192  ", th.muted), ("loss", th.highlight)], th, size=BODY_SIZE)
        origin = self.weights_origin(t)
        group = VGroup(words, target, fit_width(pipeline, self.content_width), origin).arrange(DOWN, buff=0.6)
        self.place_in_content(group)
        self.narrate("intro")
        self.play(*fade_in(words), run_time=0.8)
        self.play(*fade_in(target, pipeline, origin), run_time=0.6)
        self.finish_reading()
        self.play(*fade_out(target, pipeline, origin), run_time=0.4)
        return words

    def weights_origin(self, t) -> VGroup:
        """One line that says whether the weights were trained (and how well) or are random."""
        tr = t["training"]
        if tr is None:
            parts = [("untrained: random weights (seed " + str(t["seed"]) + ")", self.theme.gradient),
                     ("  — the prediction means nothing yet", self.theme.muted)]
        else:
            parts = [(f"trained on {tr['n_train']} sentences", self.theme.weight),
                     (f"  — {_fmt(100 * tr['test_accuracy'])}% right on {tr['n_test']} unseen ones",
                      self.theme.muted)]
        return fit_width(colored_text(parts, self.theme, size=BODY_SIZE), self.content_width)

    def word_chip(self, word: str, size: float = LABEL_SIZE) -> VGroup:
        text = label(word, self.theme, size=size)
        box = RoundedRectangle(corner_radius=0.1, width=text.width + 0.3, height=max(text.height, 0.3) + 0.25)
        box.set_stroke(self.theme.muted, 2).set_fill(opacity=0).move_to(text)
        return VGroup(box, text)

    # -- step 1: embeddings -------------------------------------------------------------------------
    def embedding_part(self, t, chips: VGroup) -> None:
        th = self.theme
        vocab, table, index = t["vocab"], t["embedding"]["table"], t["embedding"]["index"]
        minimap = self.minimap(len(vocab), t["embed_dim"])
        listing = self.word_list(t)
        # the chips of the intro move into the list, where each word's x(t) will arrive
        self.play(*(Transform(chip, row["chip"]) for chip, row in zip(chips, listing["rows"])),
                  *fade_in(minimap["group"], listing["rest"]), run_time=0.9)
        for chip, row in zip(chips, listing["rows"]):
            self.remove(chip)
            self.add(row["chip"])
        shown = None
        marker = None
        n_detail = t["detailed_words"]
        fast = sweep_durations(len(t["words"]), max(1, n_detail), fast_total=2.0, fast_max=0.5, fast_min=0.25)
        for k, idx in enumerate(index):
            if k < n_detail:
                self.narrate(f"embed_{k + 1}")
            elif k == 0:
                self.narrate("embed")  # one caption for the whole sentence, looked up quickly
            run_time = 0.7 if k < max(1, n_detail) else fast[k - max(1, n_detail)]
            panel = self.zoom_panel(vocab, table, idx, minimap)
            new_marker = listing["rows"][k]["chip"][0].copy().set_stroke(th.highlight, 4)
            self.play(*(fade_out(*shown) if shown else []), *fade_in(*panel["parts"]),
                      *(fade_out(marker) if marker else []), *fade_in(new_marker), run_time=run_time)
            marker, shown = new_marker, panel["parts"]
            grid: Grid = listing["rows"][k]["grid"]
            moves = []
            for c, v in enumerate(table[idx]):
                value = grid.make_value(0, c, v)
                moves.append(TransformFromCopy(panel["grid"].value(panel["row"], c), value))
                grid.attach_value(0, c, value)
            self.play(*moves, run_time=run_time)
            self.remove(*(m.mobject for m in moves))
            self.add(grid.values)
            if k < n_detail:
                self.finish_reading()
        if n_detail == 0:
            self.finish_reading()
        assert shown is not None and marker is not None  # the sentence has at least one word
        self.play(*fade_out(*shown, marker), run_time=0.4)

    def minimap(self, n_rows: int, n_cols: int) -> dict[str, Any]:
        """The whole embedding table, too small for its numbers: one thin row per word."""
        th = self.theme
        height = self.content_height - 0.7
        box = Rectangle(width=0.28 * n_cols, height=height).set_stroke(th.grid, 2).set_fill(th.input, 0.25)
        lines = VGroup(*(Line(box.get_left(), box.get_right()).shift(DOWN * (height * k / n_rows - height / 2))
                         .set_stroke(th.input, 0.6, opacity=0.6) for k in range(1, n_rows)))
        name = colored_text([("E", th.input), (f"  {n_rows}\u00d7{n_cols}", th.muted)], th, size=BODY_SIZE)
        group = VGroup(box, lines)
        group.to_edge(LEFT, buff=0.45).set_y((self.content_top + self.content_bottom) / 2 - 0.25)
        name.next_to(box, UP, buff=0.15).align_to(box, LEFT)
        return {"group": VGroup(group, name), "box": box, "row_height": height / n_rows}

    def zoom_panel(self, vocab, table, idx: int, minimap) -> dict[str, Any]:
        """The table's rows around ``idx``, enlarged beside the minimap, with the zoom lines."""
        th = self.theme
        first = min(max(0, idx - ZOOM_ROWS // 2), max(0, len(vocab) - ZOOM_ROWS))
        rows = range(first, min(len(vocab), first + ZOOM_ROWS))
        grid = Grid([table[i] for i in rows], th, 0.62, colors=th.input, cell_width=1.05, fmt=_fmt)
        box = minimap["box"]
        grid.shift(RIGHT * (box.get_right()[0] + 2.9 - grid.squares.get_left()[0]) + UP * (box.get_y() - grid.get_y()))
        names = VGroup()
        for k, i in enumerate(rows):  # right-aligned against the table
            name = colored_text([(f"{i}  ", th.muted), (vocab[i], th.foreground if i == idx else th.muted)], th,
                                size=LABEL_SIZE)
            name.next_to(grid.square(k, 0), LEFT, buff=0.2)
            names.add(name.shift(RIGHT * (grid.squares.get_left()[0] - 0.2 - name.get_right()[0])))
        body = VGroup(grid, names)
        row = list(rows).index(idx)
        mark = grid.outline([(row, c) for c in range(len(table[idx]))], th.highlight)
        h = minimap["row_height"]
        band = Rectangle(width=box.width, height=h * len(rows)).move_to(box.get_top(), aligned_edge=UP)
        band.shift(DOWN * h * first)
        lines = zoom_lines(band, grid.squares, th.highlight)
        return {"parts": [body, mark, lines], "grid": grid, "row": row}

    def word_list(self, t) -> dict[str, Any]:
        """The sentence as a list: each word, an arrow, and its (empty) x(t) cells."""
        th, r = self.theme, self.roles
        n = len(t["words"])
        pitch = min(0.85, (self.content_height - 0.3) / n)
        cell = min(0.5, pitch - 0.12)
        every_x = [v for s in t["steps"] for v in s["x"]]
        rows, rest = [], VGroup()
        for k, word in enumerate(t["words"]):
            chip = self.word_chip(word)
            arrow = label("\u2192", th, size=LABEL_SIZE, color=th.muted)
            grid = Grid([[None] * t["embed_dim"]], th, cell, colors=r.x, cell_width=0.85, fmt=_fmt, widest=every_x)
            name = label(f"x({k + 1})", th, size=BODY_SIZE, color=r.x)
            line = VGroup(chip, arrow, grid, name)
            arrow.next_to(chip, RIGHT, buff=0.2)
            grid.next_to(arrow, RIGHT, buff=0.2)
            name.next_to(grid, RIGHT, buff=0.2)
            rows.append({"line": line, "chip": chip, "grid": grid})
        top = (self.content_top + self.content_bottom) / 2 + (n - 1) * pitch / 2
        for k, row in enumerate(rows):  # chips right-aligned, so the vectors form a column
            row["line"].shift(LEFT * row["chip"].get_right()[0] + UP * (top - k * pitch - row["grid"].get_y()))
        block = VGroup(*(row["line"] for row in rows))
        block.shift(RIGHT * (self.content_width / 2 - 0.1 - block.get_right()[0]))
        for row in rows:
            rest.add(row["line"][1], row["grid"], row["line"][3])
        return {"rows": rows, "rest": rest}

    # -- step 2: the recurrence -------------------------------------------------------------------------
    def chain(self, t, with_h0: bool, filled: bool, loss_box: bool = False) -> dict[str, Any]:
        """The unrolled network along the top: one column of h(t) cells per step, words under it."""
        th, r = self.theme, self.roles
        n, hid = len(t["words"]), t["hidden_size"]
        slots = n + int(with_h0) + int(loss_box)
        pitch = min(2.6, self.content_width / slots)
        cw, ch = min(1.0, pitch - 0.45), min(0.5, 1.6 / hid)
        every_h = [v for s in t["steps"] for v in s["h"]]
        columns = []
        states = ([("h(0)", t["h0"], None)] if with_h0 else []) + [
            (f"h({k + 1})", s["h"] if filled else [None] * hid, s["word"]) for k, s in enumerate(t["steps"])]
        grid_y = self.content_top - 0.45 - hid * ch / 2
        left = -pitch * slots / 2
        for k, (name, values, word) in enumerate(states):
            grid = self.vector(values, r.h, cell=ch, cell_width=cw, widest=every_h)
            grid.move_to((left + (k + 0.5) * pitch, grid_y, 0))
            head = label(name, th, size=BODY_SIZE, color=r.h).next_to(grid, UP, buff=0.1)
            parts = VGroup(head, grid)
            if word is not None:
                up = Arrow(DOWN * 0.35, UP * 0.0, buff=0, stroke_width=3, tip_length=0.12, color=r.w_ih)
                up.next_to(grid, DOWN, buff=0.05)
                parts.add(up, self.word_below(word, up, pitch - 0.1))
            columns.append({"grid": grid, "group": parts})
        arrows = VGroup(*(Arrow(a["grid"].get_right(), b["grid"].get_left(), buff=0.04, stroke_width=3,
                                tip_length=0.14, max_tip_length_to_length_ratio=0.35, color=r.w_hh)
                          for a, b in zip(columns, columns[1:])))
        group = VGroup(*(c["group"] for c in columns), arrows)
        out = {"columns": columns if not with_h0 else columns[1:], "h0": columns[0] if with_h0 else None,
               "arrows": arrows, "group": group, "pitch": pitch}
        if loss_box:
            last = columns[-1]["grid"]
            box = label("L", th, size=LABEL_SIZE, color=r.grad)
            box = VGroup(RoundedRectangle(corner_radius=0.1, width=0.6, height=0.6).set_stroke(r.grad, 3), box)
            box[1].move_to(box[0])
            box.move_to((left + (slots - 0.5) * pitch, grid_y, 0))
            into = Arrow(last.get_right(), box.get_left(), buff=0.04, stroke_width=3, tip_length=0.14,
                         max_tip_length_to_length_ratio=0.35, color=th.muted)
            out["loss"] = VGroup(box, into)
            group.add(out["loss"])
        return out

    def word_below(self, word: str, above, max_width: float):
        """A word under ``above``, on the baseline all words share (short words do not float up)."""
        th = self.theme
        line = colored_text([("|", th.background), (word, self.roles.x)], th, size=BODY_SIZE)
        line.shift(DOWN * (line[0].get_top()[1] - above.get_bottom()[1] + 0.06))
        text = line[1]
        fit_width(text, max_width)
        return text.set_x(above.get_x())

    def recurrence_part(self, t) -> None:
        chain = self.chain(t, with_h0=True, filled=False)
        rule = self.recurrence_rule(t["nonlinearity"])
        rule.move_to((0, (chain["group"].get_bottom()[1] + self.content_bottom) / 2, 0))
        self.narrate("recurrence")
        self.play(*fade_in(chain["group"]), run_time=0.8)
        self.play(*fade_in(rule), run_time=0.6)
        self.finish_reading()
        self.play(*fade_out(rule), run_time=0.4)
        n_detail = t["detailed_steps"]
        focus = None
        for k in range(n_detail):
            self.narrate(f"step_{k + 1}")
            focus = self.detailed_step(t, k, chain, focus)
            self.finish_reading()
        rest = t["steps"][n_detail:]
        if rest:
            self.narrate("steps_rest")
            for k, run_time in zip(range(n_detail, len(t["steps"])), sweep_durations(len(t["steps"]), n_detail,
                                                                                        fast_total=4.0, fast_max=0.7)):
                column = chain["columns"][k]
                target = self.outline(column["group"])
                grid: Grid = column["grid"]
                values = [grid.set_value(i, 0, v) for i, v in enumerate(t["steps"][k]["h"])]
                self.play(Transform(focus, target), *fade_in(*values), run_time=run_time)
            self.finish_reading()

    def recurrence_rule(self, nl: str) -> VGroup:
        """The recurrence written large, each symbol in its matrix's colour: one rule for every step."""
        th, r = self.theme, self.roles
        act = ACTIVATION_NAMES[nl]
        parts = [("h(t)", r.h), (" = ", None), (f"{act}(" if act else "", None), ("W\u2095\u2095", r.w_hh),
                 ("\u00b7", None), ("h(t\u22121)", r.h), (" + ", None), ("W\u1d62\u2095", r.w_ih), ("\u00b7", None),
                 ("x(t)", r.x), (" + ", None), ("b", r.b), (")" if act else "", None)]
        rule = colored_text([p for p in parts if p[0]], th, size=TITLE_SIZE + 6)
        note = label("the same weights at every step", th, size=LABEL_SIZE, color=th.muted)
        return VGroup(fit_width(rule, self.content_width), note).arrange(DOWN, buff=0.35)

    def outline(self, mob) -> Rectangle:
        return Rectangle(width=mob.width + 0.16, height=mob.height + 0.12).move_to(mob) \
            .set_stroke(self.theme.highlight, 4).set_fill(opacity=0)

    def detailed_step(self, t, k: int, chain, focus):
        """Zoom on step k: the formula with its numbers, reduced to h(k+1), which joins the chain."""
        th, r = self.theme, self.roles
        s, nl = t["steps"][k], t["nonlinearity"]
        column = chain["columns"][k]
        target = self.outline(column["group"])
        top = chain["group"].get_bottom()[1] - 0.35
        hid, emb = t["hidden_size"], t["embed_dim"]
        cell = min(0.5, (top - self.content_bottom - 1.35) / hid)
        act = ACTIVATION_NAMES[nl]
        formula = colored_text(
            [(f"h({k + 1})", r.h), (" = ", None), (f"{act}(" if act else "", None), ("W\u2095\u2095", r.w_hh),
             ("\u00b7", None), (f"h({k})", r.h), (" + ", None), ("W\u1d62\u2095", r.w_ih), ("\u00b7", None),
             (f"x({k + 1})", r.x), (" + ", None), ("b", r.b), (")" if act else "", None)], th, size=LABEL_SIZE)
        formula.move_to((0, top - 0.25, 0))
        cw = min(1.0, (self.content_width - 3.0) / (hid + emb + 3))
        row_y = formula.get_bottom()[1] - 0.75 - hid * cell / 2

        def titled_grid(grid, text, color):
            return titled(grid, text, th, color=color, size=BODY_SIZE, buff=0.1)

        w_hh = titled_grid(self.matrix(t["rnn"]["W_hh"], r.w_hh, cell, cw), "W\u2095\u2095", r.w_hh)
        h_prev = titled_grid(self.vector(s["h_prev"], r.h, cell, cw), f"h({k})", r.h)
        w_ih = titled_grid(self.matrix(t["rnn"]["W_ih"], r.w_ih, cell, cw), "W\u1d62\u2095", r.w_ih)
        x = titled_grid(self.vector(s["x"], r.x, cell, cw), f"x({k + 1})", r.x)
        b = titled_grid(self.vector(s["b"], r.b, cell, cw), "b", r.b)
        first = [w_hh, self.op("\u00b7"), h_prev, self.op("+"), w_ih, self.op("\u00b7"), x, self.op("+"), b]
        row1 = self.lay_row(first, row_y)
        v1 = titled_grid(self.vector(s["Whh_h"], r.w_hh, cell, cw), f"W\u2095\u2095h({k})", r.w_hh)
        v2 = titled_grid(self.vector(s["Wih_x"], r.w_ih, cell, cw), f"W\u1d62\u2095x({k + 1})", r.w_ih)
        b2 = b.copy()
        a = titled_grid(self.vector(s["a"], th.grid, cell, cw), "sum", th.foreground)
        h = titled_grid(self.vector(s["h"], r.h, cell, cw), f"h({k + 1})", r.h)
        squash = VGroup(Arrow(LEFT * 0.45, RIGHT * 0.45, buff=0, stroke_width=3, tip_length=0.15, color=th.muted))
        if act:
            squash.add(label(act, th, size=BODY_SIZE).next_to(squash[0], UP, buff=0.05))
        plus1, plus2, equals = self.op("+"), self.op("+"), self.op("=")
        second = [v1, plus1, v2, plus2, b2, equals, a, squash, h]
        self.lay_row(second, row_y)
        squash.shift(UP * (row_y - squash[0].get_y()))
        body = VGroup(formula, row1)
        zoom = zoom_lines(target, VGroup(body, *second), th.highlight, buff=0.12)
        zoom.remove(zoom[0])  # the column's own outline is ``focus``

        if focus is None:
            focus = target
            self.play(Create(focus), run_time=0.4)
        else:
            self.play(Transform(focus, target), run_time=0.5)
        self.play(TransformFromCopy(focus, zoom[0]), *fade_in(*zoom[1:]), run_time=0.6)
        self.play(*fade_in(formula, row1), run_time=0.6)
        self.wait(0.6)
        self.play(ReplacementTransform(VGroup(*row1[:3]), v1), ReplacementTransform(row1[3], plus1),
                  ReplacementTransform(VGroup(*row1[4:7]), v2), ReplacementTransform(row1[7], plus2),
                  ReplacementTransform(row1[8], b2), run_time=0.9)
        self.play(*fade_in(equals, a), run_time=0.5)
        self.play(*fade_in(squash, h), run_time=0.5)
        grid: Grid = column["grid"]
        moves = []
        for i, v in enumerate(s["h"]):
            value = grid.make_value(i, 0, v)
            moves.append(TransformFromCopy(h[1].value(i, 0), value))
            grid.attach_value(i, 0, value)
        self.play(*moves, run_time=0.7)
        self.remove(*(m.mobject for m in moves))
        self.add(grid.values)
        self.wait(0.3)
        self.play(*fade_out(formula, zoom, *second), run_time=0.4)
        return focus

    # -- step 3: head, softmax, loss ---------------------------------------------------------------------
    def head_part(self, t) -> None:
        th, r = self.theme, self.roles
        head, n = t["head"], len(t["words"])
        cell, cw = 0.4, 0.7
        w1 = titled(self.matrix(head["W1"], th.weight, cell, cw), "W\u2081", th, color=th.weight, size=BODY_SIZE)
        b1 = titled(self.vector(head["b1"], th.weight, cell, cw), "b\u2081", th, color=th.weight, size=BODY_SIZE)
        w2 = titled(self.matrix(head["W2"], th.weight, cell, cw), "W\u2082", th, color=th.weight, size=BODY_SIZE)
        b2 = titled(self.vector(head["b2"], th.extra, cell, cw), "b\u2082", th, color=th.extra, size=BODY_SIZE)
        p1 = VGroup(w1, b1).arrange(RIGHT, buff=0.2, aligned_edge=UP)
        p2 = VGroup(w2, b2).arrange(RIGHT, buff=0.2, aligned_edge=UP)

        layers = []
        specs = [(f"h({n})", t["steps"][-1]["h"], r.h), ("z", head["hidden"], r.h),
                 ("logits", head["logits"], th.foreground), ("p", head["probs"], th.foreground)]
        for name, values, color in specs:
            neurons = VGroup(*(Neuron(th, color, radius=0.42) for _ in values)).arrange(DOWN, buff=0.2)
            layers.append({"neurons": neurons, "values": values, "name": label(name, th, size=BODY_SIZE, color=color)})
        x = 0.0
        for layer, gap in zip(layers, (p1.width + 0.5, p2.width + 0.5, 2.4, 0)):
            layer["neurons"].set_x(x)
            x += gap
        row = VGroup(*(layer["neurons"] for layer in layers))
        for layer in layers:
            layer["name"].next_to(layer["neurons"], UP, buff=0.12)
        names_y = max(layer["name"].get_y() for layer in layers)
        for layer in layers:
            layer["name"].set_y(names_y)
        classes = VGroup(*(label(c, th, size=BODY_SIZE).next_to(nrn, RIGHT, buff=0.2)
                           for c, nrn in zip(t["classes"], layers[3]["neurons"])))
        target = self.vector(t["target"], th.faint, cell=0.84, cell_width=0.6)
        target.next_to(classes, RIGHT, buff=0.35).set_y(layers[3]["neurons"].get_y())
        target_name = label("t", th, size=BODY_SIZE, color=th.muted).next_to(target, UP, buff=0.12).set_y(names_y)
        below = row.get_bottom()[1] - 0.3
        for params, a, b in ((p1, layers[0], layers[1]), (p2, layers[1], layers[2])):
            params.move_to([(a["neurons"].get_x() + b["neurons"].get_x()) / 2, 0, 0])
            params.shift(UP * (below - params.get_top()[1]))
        between = []
        for params, text in ((p1, f"z = ReLU(W\u2081\u00b7h({n}) + b\u2081)"),
                             (p2, "logits = W\u2082\u00b7z + b\u2082")):
            between.append(fit_width(label(text, th, size=BODY_SIZE, color=th.muted), params.width + 0.6)
                           .next_to(params, DOWN, buff=0.15))
        soft = label("softmax", th, size=BODY_SIZE, color=th.muted)
        between.append(soft.move_to(((layers[2]["neurons"].get_x() + layers[3]["neurons"].get_x()) / 2,
                                     layers[3]["neurons"].get_bottom()[1] - 0.25, 0)))
        loss = colored_text([("L = \u2212log p(" + t["classes"][t["target_index"]] + ")", r.grad),
                             (f" = \u2212log {_fmt(head['probs'][t['target_index']])}", None),
                             (f" = {_fmt(t['loss'])}", r.grad)], th, size=LABEL_SIZE)
        loss.next_to(VGroup(row, *between), DOWN, buff=0.45).set_x(row.get_x())
        everything = VGroup(row, *(layer["name"] for layer in layers), classes, target, target_name, *between,
                            p1, p2, loss)
        self.place_in_content(everything)
        edges1 = VGroup(*(edge(a, b, th.weight, width=2) for b in layers[1]["neurons"] for a in layers[0]["neurons"]))
        edges2 = VGroup(*(edge(a, b, th.weight, width=2) for b in layers[2]["neurons"] for a in layers[1]["neurons"]))
        edges3 = VGroup(*(edge(a, b, th.muted, width=2) for b in layers[3]["neurons"] for a in layers[2]["neurons"]))
        p_t = layers[3]["neurons"][t["target_index"]]

        self.narrate("head")
        first = layers[0]
        self.play(*fade_in(first["neurons"], first["name"]), run_time=0.5)
        self.show_values(first)
        self.play(Create(edges1), *fade_in(p1, layers[1]["neurons"], layers[1]["name"], between[0]), run_time=0.8)
        self.show_values(layers[1])
        self.play(Create(edges2), *fade_in(p2, layers[2]["neurons"], layers[2]["name"], between[1]), run_time=0.8)
        self.show_values(layers[2])
        self.finish_reading()
        self.narrate("softmax")
        self.play(Create(edges3), *fade_in(layers[3]["neurons"], layers[3]["name"], between[2], classes),
                  run_time=0.7)
        self.show_values(layers[3])
        self.finish_reading()
        self.narrate("loss")
        mark = self.outline(VGroup(p_t, classes[t["target_index"]]))
        self.play(*fade_in(target, target_name), Create(mark), run_time=0.6)
        self.play(*fade_in(loss), run_time=0.6)
        self.finish_reading()

    def show_values(self, layer, run_time: float = 0.5) -> None:
        anims = []
        for nrn, v in zip(layer["neurons"], layer["values"]):
            c = nrn.make_content(v, _fmt)
            anims += [*fade_out(nrn.content), *fade_in(c)]
            nrn.remove(nrn.content)
            nrn.content = c
            nrn.add(c)
        self.play(*anims, run_time=run_time)

    # -- back-propagation through time -------------------------------------------------------------------
    def bptt_part(self, t) -> None:
        th, r = self.theme, self.roles
        bw, n, nl = t["backward"], len(t["words"]), t["nonlinearity"]
        chain = self.chain(t, with_h0=False, filled=True, loss_box=True)
        slope = {"tanh": [("(1 \u2212 h(t)\u00b2)", r.h), (" \u2299 ", None)],
                 "relu": [("ReLU\u2032(a(t))", r.h), (" \u2299 ", None)], "linear": []}[nl]
        rule = colored_text([("dL/dh(t\u22121)", r.grad), (" = ", None), ("W\u2095\u2095\u1d40", r.w_hh),
                             ("\u00b7(" if slope else "\u00b7", None), *slope, ("dL/dh(t)", r.grad),
                             (")" if slope else "", None)], th, size=LABEL_SIZE)
        fit_width(rule, self.content_width)
        rule.move_to((0, self.content_bottom + 0.3, 0))
        xs = [c["grid"].get_x() for c in chain["columns"]]
        baseline = rule.get_top()[1] + 0.3
        room = chain["group"].get_bottom()[1] - 0.25 - baseline - 0.45
        width = min(0.6, chain["pitch"] * 0.5)
        bars = Bars(bw["norm"], xs, th, r.grad, max_height=room, width=width, fmt=fmt_grad, baseline=baseline,
                    label_width=chain["pitch"] - 0.12)
        axis = Line((xs[0] - chain["pitch"] / 2, baseline, 0), (xs[-1] + chain["pitch"] / 2, baseline, 0))
        axis.set_stroke(th.muted, 2)
        axis_name = label("|dL/dh(t)|", th, size=BODY_SIZE, color=r.grad)
        axis_name.next_to(bars.bars[-1], RIGHT, buff=0.35).align_to(axis, DOWN).shift(UP * 0.05)
        self.keep_in_content(axis_name)
        backs = VGroup(*(Arrow(b["grid"].get_left(), a["grid"].get_right(), buff=0.04, stroke_width=4,
                               tip_length=0.14, max_tip_length_to_length_ratio=0.35, color=r.grad)
                         .shift(DOWN * 0.22) for a, b in zip(chain["columns"], chain["columns"][1:])))
        from_loss = Arrow(chain["loss"][0].get_left(), chain["columns"][-1]["grid"].get_right(), buff=0.04,
                          stroke_width=4, tip_length=0.14, max_tip_length_to_length_ratio=0.35,
                          color=r.grad).shift(DOWN * 0.22)

        self.narrate("bptt")
        self.play(*fade_in(chain["group"], rule, axis), run_time=0.8)
        self.play(Create(from_loss), GrowFromEdge(bars.bars[-1], DOWN), *fade_in(bars.labels[-1], axis_name),
                  run_time=0.8)
        self.finish_reading()
        self.narrate("shrink")
        steps = [Succession(Create(backs[k - 1]), GrowFromEdge(bars.bars[k - 1], DOWN), run_time=0.6)
                 for k in range(n - 1, 0, -1)]
        if steps:
            self.play(Succession(*steps))
            self.play(*fade_in(*bars.labels[:-1]), run_time=0.5)
        self.finish_reading()
        tr = bw["truncated"]
        if tr is None:
            return
        k = bw["truncate"]
        cut_x = (xs[n - k - 1] + xs[n - k]) / 2
        cut = DashedLine([cut_x, chain["group"].get_top()[1], 0], [cut_x, baseline - 0.1, 0], dash_length=0.12)
        cut.set_stroke(r.grad, 4)
        cut_name = label(f"detach h({n - k})", th, size=BODY_SIZE, color=r.grad)
        cut_name.next_to(cut, LEFT, buff=0.12).align_to(axis, DOWN).shift(UP * (room * 0.55))
        self.keep_in_content(cut_name)
        self.narrate("truncate")
        zeroed = [i for i, reached in enumerate(tr["reached"]) if not reached]
        flat = [bars.make_bar(tr["norm"][i], xs[i]) for i in zeroed]
        zeros = [bars.make_label(tr["norm"][i], flat[j]) for j, i in enumerate(zeroed)]
        self.play(Create(cut), run_time=0.6)
        self.play(*(Transform(bars.bars[i], f) for i, f in zip(zeroed, flat)),
                  *(Transform(bars.labels[i], z) for i, z in zip(zeroed, zeros)),
                  *fade_out(*(backs[i] for i in zeroed)), run_time=0.9)
        self.play(*fade_in(cut_name), run_time=0.4)  # only now: the bars it stands over are flat
        self.finish_reading()
        self.narrate("weights")
        self.weight_gradients(t, chain["group"].get_bottom()[1], [bars, axis, axis_name, cut_name, cut, rule])
        self.finish_reading()

    def weight_gradients(self, t, chain_bottom: float, gone: list) -> None:
        """dL/dW_hh with full and with truncated BPTT, side by side, where the bars were."""
        th, r = self.theme, self.roles
        bw = t["backward"]
        tr = bw["truncated"]
        every = [v for m in (bw["dL_dW_hh"], tr["dL_dW_hh"]) for row in m for v in row]
        hid = t["hidden_size"]
        cell = min(0.6, (chain_bottom - self.content_bottom - 0.8) / hid)
        cw = min(1.8, (self.content_width - 1.2) / (2 * hid))
        full = Grid(bw["dL_dW_hh"], th, cell, colors=r.w_hh, cell_width=cw, fmt=fmt_grad, widest=every)
        trunc = Grid(tr["dL_dW_hh"], th, cell, colors=r.w_hh, cell_width=cw, fmt=fmt_grad, widest=every)
        a = titled(full, "dL/dW\u2095\u2095, full BPTT", th, color=r.w_hh, size=BODY_SIZE)
        b = titled(trunc, f"truncated, k = {bw['truncate']}", th, color=r.w_hh, size=BODY_SIZE)
        pair = VGroup(a, b).arrange(RIGHT, buff=1.2, aligned_edge=UP)
        pair.move_to([0, (self.content_bottom + chain_bottom) / 2, 0])
        self.play(*fade_out(*gone), run_time=0.5)
        self.play(*fade_in(pair), run_time=0.7)
