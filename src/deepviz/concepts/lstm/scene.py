"""LSTM / GRU scene: reads a Trace, draws it; computes nothing.

Colours tie each symbol to its weight block: each gate (and its rows of W_ih, W_hh and the
biases) has its own role ``gate0`` .. ``gate3``; x(t) is the input role, h(t) the output role,
the LSTM's cell state c the foreground.

Three parts: the stacked weights as PyTorch stores them, the cell diagram (the state's highway
along the top, the gate boxes below it, the inputs on the left) stepped through the sentence
with every vector's numbers, and the keeping gate and the state across the whole sentence.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Circle, LaggedStart, Line, RoundedRectangle, ShowPassingFlash, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, TITLE_SIZE, Grid, colored_text, fit_width, label
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene, sweep_durations
from .schema import GatedData

HIGHWAY_Y = 1.45  # the state's line
PRODUCT_Y = 0.45  # the node where two gates multiply before joining the highway
GATE_Y = -0.95  # centres of the gate boxes
X_LEFT, X_RIGHT = -5.7, 5.75  # the state before and after the step
KEEP_X, ADD_X = -3.3, -0.3  # the highway's multiply and add nodes
# gate box centres by symbol; the LSTM's output branch (tanh, then × o) at OUT_X
GATE_X = {"f": -3.3, "i": -1.25, "g": 0.65, "o": 2.55, "z": -1.6, "n": 1.3, "r": 3.7}
OUT_X = 4.1


def _fmt(v: float) -> str:
    return fmt_num(v, 2)


def arrow(start, end, color: str, width: float = 3) -> Arrow:
    return Arrow(start, end, buff=0.04, stroke_width=width, tip_length=0.14, max_tip_length_to_length_ratio=0.3,
                 color=color)


class GatedScene(DeepvizScene):
    concept = "lstm"

    def construct(self) -> None:
        t: GatedData = self.trace.data
        lstm = t["cell"] == "lstm"
        self.set_title("LSTM: gates and the cell state" if lstm else "GRU: reset and update gates")
        self.intro(t)
        self.next_part("weights", "The weights, as PyTorch stores them")
        self.weights_part(t)
        self.next_part("rule", "Each block is a gate; the state runs through")
        self.rules_part(t)
        self.next_part("gates_1", f"One {'LSTM' if lstm else 'GRU'} step")
        self.cell_part(t)
        self.next_part("memory", f"The {t['gates'][t['keep_gate']]['name']} across the sentence")
        self.memory_part(t)
        self.wait(1.0)

    def next_part(self, key: str, title: str) -> None:
        """The next caption starts as the old picture leaves: the change is read, not waited through."""
        self.narrate(key)
        self.clear_content()
        self.set_title(title)

    def gate_color(self, t, k: int) -> str:
        return self.theme.role(t["gates"][k]["role"])

    def symbol_color(self, t, symbol: str) -> str:
        return next(self.gate_color(t, k) for k, g in enumerate(t["gates"]) if g["symbol"] == symbol)

    def state_color(self, t) -> str:
        return self.theme.foreground if t["state_name"] == "c" else self.theme.output

    # -- intro ------------------------------------------------------------------------------------
    def intro(self, t) -> None:
        th = self.theme
        chips = VGroup(*(self.word_chip(w) for w in t["words"])).arrange(RIGHT, buff=0.3)
        fit_width(chips, self.content_width)
        kind = "LSTM" if t["cell"] == "lstm" else "GRU"
        line = colored_text([("word", None), ("  \u2192  ", th.muted), ("x(t)", th.input), ("  \u2192  ", th.muted),
                             (kind, None), ("  \u2192  ", th.muted), ("h(t)", th.output)], th, size=TITLE_SIZE)
        keep = t["gates"][t["keep_gate"]]
        bias = f" \u00b7 {keep['name']} bias +{fmt_num(t['keep_bias'])}" if t["keep_bias"] else ""
        note = label(f"hidden size {t['hidden_size']} \u00b7 random weights (seed {t['seed']}), rounded to 0.1{bias}",
                     th, size=LABEL_SIZE, color=th.muted)
        group = VGroup(chips, line, fit_width(note, self.content_width)).arrange(DOWN, buff=0.7)
        self.place_in_content(group)
        self.narrate("intro")
        self.play(*fade_in(chips), run_time=0.7)
        self.play(*fade_in(line, note), run_time=0.6)
        self.finish_reading()

    def word_chip(self, word: str):
        text = label(word, self.theme, size=TITLE_SIZE + 6)
        box = RoundedRectangle(corner_radius=0.12, width=text.width + 0.4, height=max(text.height, 0.4) + 0.35)
        box.set_stroke(self.theme.input, 3).set_fill(opacity=0).move_to(text)
        return VGroup(box, text)

    # -- the stacked weights ----------------------------------------------------------------------
    def weights_part(self, t) -> None:
        th, w = self.theme, t["weights"]
        n_gates, hid = len(t["gates"]), t["hidden_size"]
        rows = n_gates * hid
        ch = min(0.5, 5.0 / rows)
        colors = [[self.gate_color(t, r // hid)] for r in range(rows)]

        def block(values, name: str, color: str):
            grid = Grid(values, th, ch, colors=[c * len(values[0]) for c in colors], cell_width=0.95, fmt=_fmt)
            return VGroup(label(name, th, size=BODY_SIZE, color=color).next_to(grid, UP, buff=0.15), grid)

        mats = VGroup(block(w["W_ih"], "W_ih  (reads x)", th.input), block(w["W_hh"], "W_hh  (reads h)", th.output),
                      block([[v] for v in w["b_ih"]], "b_ih", th.muted),
                      block([[v] for v in w["b_hh"]], "b_hh", th.muted))
        mats.arrange(RIGHT, buff=0.5, aligned_edge=DOWN)
        grid = mats[0][1]
        names = VGroup()
        for k, g in enumerate(t["gates"]):
            rows_k = VGroup(*(grid.square(r, 0) for r in range(k * hid, (k + 1) * hid)))
            name = colored_text([(g["symbol"], self.gate_color(t, k)), (f"  {g['name']}  {g['activation']}", None)],
                                th, size=LABEL_SIZE)
            names.add(name.next_to(rows_k, LEFT, buff=0.35))
        right = names.get_right()[0]
        for name in names:  # right-aligned against the matrix
            name.shift(RIGHT * (right - name.get_right()[0]))
        group = VGroup(names, mats)
        self.place_in_content(group)
        self.play(*fade_in(mats[0], mats[1]), run_time=0.8)
        self.play(*fade_in(names, mats[2], mats[3]), run_time=0.6)
        self.finish_reading()

    def rules_part(self, t) -> None:
        rules = self.rules(t)
        self.place_in_content(rules)
        self.play(*fade_in(rules), run_time=0.8)
        self.finish_reading()

    def rules(self, t) -> VGroup:
        """The cell's equations, each gate symbol and weight in its block's colour."""
        th = self.theme
        x, h = ("x(t)", th.input), ("h(t\u22121)", th.output)
        lines = []
        for k, g in enumerate(t["gates"]):
            col = self.gate_color(t, k)
            act = g["activation"]
            if g["symbol"] == "n":
                r = self.symbol_color(t, "r")
                parts = [("n", col), (f" = {act}(", None), ("W_in", col), ("\u00b7", None), x, (" + b_in + ", None),
                         ("r", r), (" \u2299 (", None), ("W_hn", col), ("\u00b7", None), h, (" + b_hn))", None)]
            else:
                parts = [(g["symbol"], col), (f" = {act}(", None), (f"W_i{g['symbol']}", col), ("\u00b7", None), x,
                         (" + ", None), (f"W_h{g['symbol']}", col), ("\u00b7", None), h, (f" + b_{g['symbol']})", None)]
            lines.append(parts)
        c = self.state_color(t)
        if t["cell"] == "lstm":
            f, i, gc, o = (self.symbol_color(t, s) for s in "figo")
            lines.append([("c(t)", c), (" = ", None), ("f", f), (" \u2299 ", None), ("c(t\u22121)", c), (" + ", None),
                          ("i", i), (" \u2299 ", None), ("g", gc)])
            lines.append([("h(t)", th.output), (" = ", None), ("o", o), (" \u2299 tanh(", None), ("c(t)", c),
                          (")", None)])
        else:
            z, n = (self.symbol_color(t, s) for s in "zn")
            lines.append([("h(t)", th.output), (" = ", None), ("z", z), (" \u2299 ", None), h, (" + (1 \u2212 ", None),
                          ("z", z), (") \u2299 ", None), ("n", n)])
        group = VGroup(*(colored_text(p, th, size=TITLE_SIZE) for p in lines))
        return group.arrange(DOWN, buff=0.38, aligned_edge=LEFT)

    # -- the cell diagram ---------------------------------------------------------------------------
    def cell_part(self, t) -> None:
        d = self.diagram(t)
        self.play(*fade_in(d["frame"]), run_time=0.8)
        shown: list = []
        n_detail = t["detailed_steps"]
        for k in range(n_detail):
            if k:  # the first step's caption came with the diagram
                self.narrate(f"gates_{k + 1}")
            shown = self.detailed_step(t, d, k, shown)
        rest = list(range(n_detail, len(t["steps"])))
        if rest:
            self.narrate("steps_rest")
            for k, run_time in zip(rest, sweep_durations(len(t["steps"]), n_detail, fast_total=4.0, fast_max=0.8)):
                self.play(*fade_out(*shown, d["step_name"]), run_time=run_time / 3)
                self.name_step(t, d, k)
                shown = self.values(t, d, k, ("inputs", "gates", "kept", "added", "state", "h"))
                self.play(*fade_in(*shown, d["step_name"]), run_time=2 * run_time / 3)
            self.finish_reading()

    def name_step(self, t, d, k: int) -> None:
        s = t["steps"][k]
        name = colored_text([(f"t = {k + 1}:  ", None), (s["word"], self.theme.input)], self.theme, size=TITLE_SIZE)
        d["step_name"] = name.move_to(d["step_pos"])

    def detailed_step(self, t, d, k: int, shown: list) -> list:
        gone = [*shown, d["step_name"]] if k else []
        if gone:
            self.play(*fade_out(*gone), run_time=0.3)
        self.name_step(t, d, k)
        inputs = self.values(t, d, k, ("inputs",))
        self.play(*fade_in(d["step_name"], *inputs), run_time=0.5)
        gates = self.values(t, d, k, ("gates",))
        self.flow(d["bus"], gates, run_time=0.9)
        self.finish_reading()
        self.narrate(f"cell_{k + 1}")
        kept = self.values(t, d, k, ("kept", "added"))
        self.play(*fade_in(*kept), run_time=0.6)
        state = self.values(t, d, k, ("state",))
        self.flow(d["sum"], state, run_time=0.7)
        out = self.values(t, d, k, ("h",)) if t["cell"] == "lstm" else []
        if out:
            self.play(*fade_in(*out), run_time=0.5)
        self.finish_reading()
        return inputs + gates + kept + state + out

    def flow(self, path, numbers: list, run_time: float) -> None:
        """A flash runs along ``path`` while ``numbers`` appear grid by grid, left to right (copies of the
        inputs morphing into every gate at once crossed each other's numbers on the way)."""
        flash = path.copy().set_stroke(self.theme.highlight, 5)
        in_order = sorted(numbers, key=lambda m: m.get_x())
        self.play(ShowPassingFlash(flash, time_width=0.6), LaggedStart(*fade_in(*in_order), lag_ratio=0.3),
                  run_time=run_time)

    def values(self, t, d, k: int, parts: tuple[str, ...]) -> list:
        """The numbers of step k in the named grids, made (not yet shown)."""
        s = t["steps"][k]
        filled = {"inputs": [(d["stack"], s["h_prev"] + s["x"])] + ([(d["prev"], s["state_prev"])]),
                  "gates": [(d["gates"][j], s["gates"][j]) for j in range(len(t["gates"]))],
                  "kept": [(d["kept"], s["kept"])], "added": [(d["added"], s["added"])],
                  "state": [(d["next"], s["state"])], "h": [(d["h"], s["h"])] if t["cell"] == "lstm" else []}
        made = []
        for part in parts:
            for grid, vec in filled[part]:
                made.append(VGroup(*(grid.make_value(i, 0, v) for i, v in enumerate(vec))))
        return made

    def column(self, t, values_of, color: str, n: int | None = None) -> Grid:
        """An empty column grid, its font fitted to every value it will hold over the sentence."""
        rows = n if n is not None else t["hidden_size"]
        every = [v for s in t["steps"] for v in values_of(s)]
        return Grid([[None] for _ in range(rows)], self.theme, self.ch, colors=color, cell_width=0.95, fmt=_fmt,
                     widest=every)

    def diagram(self, t) -> dict[str, Any]:
        """The cell's frame: highway, nodes, gate boxes, the input stack and the empty grids."""
        th = self.theme
        hid, emb = t["hidden_size"], t["embed_dim"]
        lstm = t["cell"] == "lstm"
        self.ch = min(0.55, 2.6 / (hid + emb), 1.3 / hid)
        st, sc = t["state_name"], self.state_color(t)
        keep_sym = t["gates"][t["keep_gate"]]["symbol"]
        frame = VGroup()
        out: dict[str, Any] = {"step_name": VGroup()}

        def node(symbol: str, x: float, y: float, color: str, radius: float = 0.26):
            c = Circle(radius=radius).set_stroke(color, 3).set_fill(th.background, 1).move_to((x, y, 0))
            return VGroup(c, label(symbol, th, size=LABEL_SIZE).move_to(c))

        # the highway
        prev = self.column(t, lambda s: s["state_prev"], sc).move_to((X_LEFT, HIGHWAY_Y, 0))
        nxt = self.column(t, lambda s: s["state"], sc).move_to((X_RIGHT, HIGHWAY_Y, 0))
        keep = node("\u00d7", KEEP_X, HIGHWAY_Y, self.symbol_color(t, keep_sym))
        add = node("+", ADD_X, HIGHWAY_Y, sc)
        road = VGroup(Line(prev.get_right(), keep.get_left()), Line(keep.get_right(), add.get_left()),
                      arrow(add.get_right(), nxt.get_left(), sc, width=6))
        road[:2].set_stroke(sc, 6)
        frame.add(road, prev, nxt, keep, add,
                  label(f"{st}(t\u22121)", th, size=BODY_SIZE, color=sc).next_to(prev, UP, buff=0.12),
                  label(f"{st}(t)", th, size=BODY_SIZE, color=sc).next_to(nxt, UP, buff=0.12))
        # the two terms, above the highway
        kept = self.column(t, lambda s: s["kept"], self.symbol_color(t, keep_sym))
        kept.next_to(road[1], UP, buff=0.18).align_to(add, RIGHT).shift(LEFT * 0.45)
        added_sym = "i \u2299 g" if lstm else "(1\u2212z) \u2299 n"
        added = self.column(t, lambda s: s["added"], sc).next_to(road[2], UP, buff=0.18).align_to(add, LEFT) \
            .shift(RIGHT * 0.45)
        frame.add(kept, added,
                  label(f"{keep_sym} \u2299 {st}(t\u22121)", th, size=BODY_SIZE).next_to(kept, LEFT, buff=0.15),
                  label(added_sym, th, size=BODY_SIZE).next_to(added, RIGHT, buff=0.15))
        # the gate boxes
        gates, boxes = [], {}
        for k, g in enumerate(t["gates"]):
            col = self.gate_color(t, k)
            grid = self.column(t, lambda s, k=k: s["gates"][k], col)
            head = colored_text([(g["symbol"], col), (f"  {g['activation']}", th.muted)], th, size=LABEL_SIZE)
            inner = VGroup(head, grid).arrange(DOWN, buff=0.14)
            box = RoundedRectangle(corner_radius=0.15, width=1.35, height=inner.height + 0.3)
            box.set_stroke(col, 4).set_fill(col, 0.08)
            unit = VGroup(box, inner).move_to((GATE_X[g["symbol"]], GATE_Y, 0))
            inner.move_to(box)
            gates.append(grid)
            boxes[g["symbol"]] = box
            frame.add(unit)
        # the two gates that multiply before the add node
        pair = ("i", "g") if lstm else ("z", "n")
        prod = node("\u00d7", ADD_X, PRODUCT_Y, sc)
        frame.add(prod, arrow(prod.get_top(), add.get_bottom(), sc))
        for s in pair:  # into the node's rim, not its centre
            start = boxes[s].get_top()
            towards = start - prod.get_center()
            frame.add(arrow(start, prod.get_center() + towards / np.linalg.norm(towards) * 0.26,
                            self.symbol_color(t, s)))
        if lstm:
            frame.add(arrow(boxes["f"].get_top(), keep.get_bottom(), self.symbol_color(t, "f")))
        else:
            z = self.symbol_color(t, "z")
            into = frame[-len(pair)]  # the arrow z -> the product node: 1 - z travels along it
            frame.add(arrow(boxes["z"].get_top(), keep.get_bottom(), z),
                      label("1\u2212z", th, size=BODY_SIZE, color=z).next_to(into.get_center(), RIGHT, buff=0.2)
                      .shift(DOWN * 0.2),
                      arrow(boxes["r"].get_left(), boxes["n"].get_right(), self.symbol_color(t, "r")))
        # the LSTM's output branch: h(t) = o ⊙ tanh(c(t))
        h = None
        if lstm:
            squash = RoundedRectangle(corner_radius=0.2, width=1.05, height=0.5).set_stroke(sc, 3)
            squash.set_fill(th.background, 1).move_to((OUT_X, PRODUCT_Y, 0))
            mult = node("\u00d7", OUT_X, GATE_Y, self.symbol_color(t, "o"))
            h = self.column(t, lambda s: s["h"], th.output).move_to((X_RIGHT, GATE_Y, 0))
            frame.add(arrow((OUT_X, HIGHWAY_Y, 0), squash.get_top(), sc), squash,
                      label("tanh", th, size=BODY_SIZE).move_to(squash), arrow(squash.get_bottom(), mult.get_top(), sc),
                      mult, arrow(boxes["o"].get_right(), mult.get_left(), self.symbol_color(t, "o")),
                      arrow(mult.get_right(), h.get_left(), th.output), h,
                      label("h(t)", th, size=BODY_SIZE, color=th.output).next_to(h, UP, buff=0.12))
        # the inputs: h(t-1) stacked on x(t), on a bus under the gates
        colors = [th.output] * hid + [th.input] * emb
        every = [v for s in t["steps"] for v in s["h_prev"] + s["x"]]
        stack = Grid([[None] for _ in colors], th, self.ch, colors=[[c] for c in colors], cell_width=0.95, fmt=_fmt,
                     widest=every).move_to((X_LEFT, GATE_Y - 0.2, 0))
        names = colored_text([("h(t\u22121)", th.output), (", ", None), ("x(t)", th.input)], th, size=BODY_SIZE)
        bus_y = min(b.get_bottom()[1] for b in boxes.values()) - 0.3
        last = max(b.get_x() for b in boxes.values())
        bus = VGroup(Line(stack.get_right(), (stack.get_right()[0] + 0.35, stack.get_y(), 0)),
                     Line((stack.get_right()[0] + 0.35, stack.get_y(), 0), (stack.get_right()[0] + 0.35, bus_y, 0)),
                     Line((stack.get_right()[0] + 0.35, bus_y, 0), (last, bus_y, 0))).set_stroke(th.muted, 3)
        ups = VGroup(*(arrow((b.get_x(), bus_y, 0), b.get_bottom(), th.muted) for b in boxes.values()))
        frame.add(stack, names.next_to(stack, UP, buff=0.12), bus, ups)
        out.update(frame=frame, prev=prev, next=nxt, kept=kept, added=added, gates=gates, stack=stack, h=h,
                   bus=VGroup(bus, ups), sum=road[2],
                   step_pos=(X_RIGHT - 0.6, self.content_top - 0.35, 0))
        if not lstm:  # the GRU's h(t) is the state itself
            out["h"] = nxt
        return out

    # -- across the sentence -------------------------------------------------------------------------
    def memory_part(self, t) -> None:
        th = self.theme
        k, st = t["keep_gate"], t["state_name"]
        gate = t["gates"][k]
        n, hid = len(t["words"]), t["hidden_size"]
        cw = min(1.9, (self.content_width - 2.5) / n)
        ch = min(0.8, 2.0 / hid)
        keep_rows = [[s["gates"][k][j] for s in t["steps"]] for j in range(hid)]
        state_rows = [[s["state"][j] for s in t["steps"]] for j in range(hid)]
        g1 = Grid(keep_rows, th, ch, colors=self.gate_color(t, k), cell_width=cw, fmt=_fmt)
        g2 = Grid(state_rows, th, ch, colors=self.state_color(t), cell_width=cw, fmt=_fmt)
        g2.next_to(g1, DOWN, buff=0.9)
        n1 = label(f"{gate['symbol']}(t)  {gate['name']}", th, size=LABEL_SIZE, color=self.gate_color(t, k))
        n2 = label(f"{st}(t)  {'cell' if st == 'c' else 'hidden'} state", th, size=LABEL_SIZE,
                   color=self.state_color(t))
        n1.next_to(g1, UP, buff=0.15).align_to(g1, LEFT)
        n2.next_to(g2, UP, buff=0.15).align_to(g2, LEFT)
        words = VGroup(*(fit_width(label(w, th, size=BODY_SIZE, color=th.input), cw - 0.08)
                         .next_to(g2.square(hid - 1, c), DOWN, buff=0.15) for c, w in enumerate(t["words"])))
        units = VGroup(*(label(f"unit {j + 1}", th, size=BODY_SIZE, color=th.muted).next_to(g.square(j, 0), LEFT,
                                                                                            buff=0.2)
                         for g in (g1, g2) for j in range(hid)))
        group = VGroup(g1, g2, n1, n2, words, units)
        self.place_in_content(group)
        self.play(*fade_in(g1, n1, words, units[:hid]), run_time=0.8)
        self.play(*fade_in(g2, n2, units[hid:]), run_time=0.8)
        self.finish_reading()
