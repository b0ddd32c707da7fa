"""approximation scene: reads a Trace, draws it; computes nothing.

curves: curved data with a linear neuron's fit and a sigmoid neuron's fit, each drawn through its
training; then, for each hidden-layer size, every unit's scaled sigmoid (left) flows into their sum,
the network's output, beside the target (right).
digits: an 8x8 test digit, the hidden units and the 10 outputs lighting up, the largest framed.
"""
from __future__ import annotations

from typing import Any

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    Indicate,
    Line,
    Rectangle,
    ReplacementTransform,
    Transform,
    VGroup,
)

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, fit_width, label
from ...style.numbers import fmt_num, fmt_sig
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import CurvesData, DigitsData, Example, Fit

STEP_TIME = 0.45  # per training snapshot of a single neuron
HIDDEN_ROWS = 8  # hidden units of the digit classifier per column


def _span(values: list[float], pad: float = 0.12) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    d = (hi - lo) or 1.0
    return lo - pad * d, hi + pad * d


class ApproximationScene(DeepvizScene):
    concept = "approximation"

    def construct(self) -> None:
        if self.trace.data["show"] == "curves":
            self.curves(self.trace.data)
        else:
            self.digits(self.trace.data)
        self.wait(0.8)

    # == curves ================================================================================================
    def curves(self, t: CurvesData) -> None:
        self.set_title("One neuron: a line, or one bend")
        nd = t["neuron"]
        plot = Plot(self.theme, t["x_range"], _span(nd["y"] + [v for s in nd["linear"]["snapshots"] for v in s["y"]]),
                    7.6, 4.6, "x", "y", ticks=6)
        notes = VGroup()
        plot.to_edge(LEFT, buff=0.9).set_y((self.content_top + self.content_bottom) / 2 + 0.1)
        dots = plot.dots(list(zip(nd["x"], nd["y"])), [self.theme.input] * len(nd["x"]), radius=0.06)
        self.narrate("data")
        self.play(*fade_in(plot), run_time=0.6)
        self.play(*fade_in(dots), run_time=0.6)
        self.finish_reading()
        for key, formula in (("linear", "y = w x + b"), ("sigmoid", "y = \u03c3(w x + b)")):
            self.narrate(key)
            if notes:  # the fit before steps back: the output colour is the neuron being trained
                self.play(*(m.animate.set_color(self.theme.muted) for m in (*notes, self._curve)), run_time=0.4)
            notes.add(self.neuron_fit(t, plot, nd[key], self.theme.output, formula, notes))
            self.finish_reading()
        self.clear_content()
        self.sums(t)

    def neuron_fit(self, t, plot: Plot, fit: dict[str, Any], color: str, formula: str, notes: VGroup) -> VGroup:
        """The neuron's curve through its training snapshots, then a note with its weights and error."""
        xs = t["xs"]
        step = label("step 0", self.theme, size=BODY_SIZE, color=self.theme.muted)
        head = label(formula, self.theme, size=LABEL_SIZE, color=color)
        box = VGroup(head, step).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        x_left = plot.get_right()[0] + 0.5
        top = self.content_top - 0.2 if not notes else notes.get_bottom()[1] - 0.45
        box.move_to([x_left + box.width / 2, top - box.height / 2, 0])
        snaps = fit["snapshots"]
        curve = plot.polyline(list(zip(xs, snaps[0]["y"])), color, 4)
        self.play(*fade_in(head, step), Create(curve), run_time=0.6)
        for s in snaps[1:]:
            new_step = label(f"step {s['step']}", self.theme, size=BODY_SIZE, color=self.theme.muted).move_to(step,
                                                                                                              LEFT)
            self.play(Transform(curve, plot.polyline(list(zip(xs, s["y"])), color, 4)),
                      *fade_out(step), *fade_in(new_step), run_time=STEP_TIME)
            step = new_step
        result = label(f"w = {fmt_num(fit['w'])}, b = {fmt_num(fit['b'])}\nerror {fmt_sig(fit['loss'], 2)}",
                       self.theme, size=BODY_SIZE)
        fit_width(result, self.content_width / 2 - x_left)
        result.next_to(step, DOWN, aligned_edge=LEFT, buff=0.15)
        self.play(*fade_in(result), run_time=0.4)
        self._curve = curve
        return VGroup(head, step, result)

    def sums(self, t: CurvesData) -> None:
        th = self.theme
        self.set_title("Sigmoid units add up to any curve")
        fits, tg = t["fits"], t["target"]
        unit_values = [v for f in fits for u in f["units"] for v in u]
        w = (self.content_width - 2.2) / 2
        left = Plot(th, t["x_range"], _span(unit_values), w, 3.6, "x", "", ticks=5)
        sums = [v for f in fits for part in f["partial"] for v in part]
        right = Plot(th, t["x_range"], _span(tg["y"] + sums), w, 3.6, "x", "", ticks=5)
        heads = [label("each unit: v\u2c7c \u03c3(w\u2c7c x + b\u2c7c)", th, size=LABEL_SIZE),
                 label("their sum + c, and the target", th, size=LABEL_SIZE)]
        for plot, head in zip((left, right), heads):
            fit_width(head, w)
            head.next_to(plot.axes, UP, buff=0.25)
        panels = VGroup(VGroup(heads[0], left), VGroup(heads[1], right)).arrange(RIGHT, buff=1.0, aligned_edge=UP)
        self.place_in_content(panels)
        target = VGroup(right.dots(list(zip(tg["x"], tg["y"])), [th.muted] * len(tg["x"]), radius=0.035),
                        right.polyline(list(zip(t["xs"], tg["curve"])), th.muted, 2, opacity=0.6))
        self.narrate("sum")
        self.play(*fade_in(panels), run_time=0.6)
        self.play(*fade_in(target), run_time=0.6)
        self.finish_reading()
        old = []
        for f in fits:
            self.narrate(f"fit{f['n']}")
            if old:
                self.play(*fade_out(*old), run_time=0.4)
            units, total = self.build_sum(t, f, left, right)
            tag = label(f"n = {f['n']}   error {fmt_sig(f['loss'], 2)}", th, size=LABEL_SIZE, color=th.highlight)
            tag.next_to(right.x_name, DOWN, buff=0.15).align_to(right.axes, RIGHT)
            self.play(*fade_in(tag), run_time=0.4)
            old = [units, total, tag]
            self.finish_reading()
        self.narrate("more")
        self.finish_reading()

    def build_sum(self, t: CurvesData, f: Fit, left: Plot, right: Plot) -> tuple[VGroup, Any]:
        """One unit at a time: its scaled sigmoid appears (left), then flows into the running sum (right)."""
        th, xs = self.theme, t["xs"]
        each = max(0.3, min(0.8, 3.0 / f["n"]))
        units, running = VGroup(), None
        for j, (unit, part) in enumerate(zip(f["units"], f["partial"])):
            curve = left.polyline(list(zip(xs, unit)), th.series_color(j), 3)
            self.play(Create(curve), run_time=each)
            new = right.polyline(list(zip(xs, part)), th.highlight, 5)
            flowing = curve.copy()
            self.play(ReplacementTransform(flowing if running is None else VGroup(flowing, running), new),
                      run_time=each)
            units.add(curve)
            running = new
        return units, running

    # == digits ===================================================================================================
    def digits(self, t: DigitsData) -> None:
        th = self.theme
        self.set_title(f"An MLP reads handwritten digits: 64 \u2192 {t['hidden']} \u2192 10")
        pixels = VGroup(*(Rectangle(width=0.52, height=0.52).set_stroke(th.grid, 1).set_fill(th.input, 0)
                          for _ in range(64))).arrange_in_grid(rows=8, cols=8, buff=0)
        hidden = VGroup(*(Circle(radius=0.18).set_stroke(th.foreground, 2).set_fill(th.foreground, 0)
                          for _ in range(t["hidden"])))
        cols = -(-t["hidden"] // HIDDEN_ROWS)
        hidden.arrange_in_grid(rows=min(HIDDEN_ROWS, t["hidden"]), cols=cols, buff=(0.3, 0.22), flow_order="dr")
        outputs = self.output_rows()
        heads = [label("64 pixels", th, size=BODY_SIZE, color=th.input),
                 label(f"{t['hidden']} hidden (\u03c3)", th, size=BODY_SIZE),
                 label("10 outputs", th, size=BODY_SIZE, color=th.output)]
        blocks = [VGroup(h, b).arrange(DOWN, buff=0.25) for h, b in zip(heads, (pixels, hidden, outputs["group"]))]
        layout = VGroup(*blocks).arrange(RIGHT, buff=1.2, aligned_edge=UP)
        arrows = VGroup(*(Arrow(a[1].get_right(), b[1].get_left(), buff=0.15, stroke_width=3,
                                max_tip_length_to_length_ratio=0.2).set_color(th.muted)
                          for a, b in zip(blocks, blocks[1:])))
        whole = VGroup(layout, arrows)
        # as large as the frame allows, with a line under it for the accuracy and the verdict
        room_w, room_h = self.content_width - 1.0, self.content_height - 1.0
        whole.scale(min(room_w / whole.width, room_h / whole.height))
        whole.move_to((0.0, self.content_top - 0.25 - whole.height / 2, 0.0))
        self.pixels, self.network = pixels, whole  # what the tests measure
        for a, (b0, b1) in zip(arrows, zip(blocks, blocks[1:])):
            a.put_start_and_end_on(b0[1].get_right() + RIGHT * 0.12, b1[1].get_left() + LEFT * 0.12)
        acc = label(f"test accuracy {fmt_num(100 * t['test_accuracy'], 1)}% on {t['n_test']} digits", th,
                    size=BODY_SIZE, color=th.muted)
        acc.next_to(whole, DOWN, buff=0.25).align_to(whole, LEFT)
        self.narrate("intro")
        self.play(*fade_in(whole), run_time=0.8)
        self.play(*fade_in(acc), run_time=0.4)
        for e in t["examples"]:  # what the inputs look like: 8x8 pixels each
            self.show_pixels(e, pixels)
            self.wait(0.6)
        self.show_pixels(None, pixels)
        self.finish_reading()
        self.narrate("layers")
        self.show_weights(t, pixels, hidden, outputs)
        self.finish_reading()
        verdict = None
        for k, e in enumerate(t["examples"]):
            self.narrate(f"digit{k + 1}")
            if verdict is not None:
                self.play(*fade_out(verdict), run_time=0.3)
            verdict = self.show_digit(e, pixels, hidden, outputs)
            self.finish_reading()
        self.narrate("accuracy")
        assert verdict is not None  # --digits is at least 1
        self.play(*fade_out(verdict), run_time=0.3)
        big = label(f"test accuracy {fmt_num(100 * t['test_accuracy'], 1)}%", th, size=LABEL_SIZE + 4,
                    color=th.highlight).move_to(acc, LEFT)
        self.play(Transform(acc, big), run_time=0.6)
        self.finish_reading()

    def show_pixels(self, e: Example | None, pixels: VGroup) -> None:
        """One digit's pixels as the input colour's brightness (None: blank)."""
        flat = [v for row in e["pixels"] for v in row] if e is not None else [0.0] * len(pixels)
        self.play(*(sq.animate.set_fill(self.theme.input, v) for sq, v in zip(pixels, flat)), run_time=0.7)

    def show_weights(self, t: DigitsData, pixels: VGroup, hidden: VGroup, outputs: dict[str, Any]) -> None:
        """The weights into hidden unit 1 (from every pixel), then into output 0 (from every hidden unit):
        one line per weight, brighter where the weight is larger in size."""
        th = self.theme
        fans = [(list(pixels), hidden[0], t["weights"]["W1"][0]),
                (list(hidden), outputs["group"][0][1], t["weights"]["W2"][0])]
        for sources, target, weights in fans:
            top = max(abs(w) for w in weights) or 1.0
            lines = VGroup(*(Line(src.get_center(), target.get_left()).set_stroke(th.weight, 2, 0.1 + 0.8 * abs(w) / top)
                             for src, w in zip(sources, weights)))
            self.play(Create(lines), Indicate(target, color=th.highlight), run_time=1.2)
            self.wait(1.5)
            self.play(*fade_out(lines), run_time=0.5)

    def output_rows(self) -> dict[str, Any]:
        th = self.theme
        rows = VGroup()
        for d in range(10):
            name = label(str(d), th, size=BODY_SIZE, mono=True)
            track = Rectangle(width=2.4, height=0.3).set_stroke(th.grid, 1).set_fill(opacity=0)
            rows.add(VGroup(name, track).arrange(RIGHT, buff=0.15))
        rows.arrange(DOWN, buff=0.11, aligned_edge=LEFT)
        return {"group": rows, "bars": [None] * 10, "values": [None] * 10}

    def show_digit(self, e: Example, pixels: VGroup, hidden: VGroup, outputs: dict[str, Any]):
        th = self.theme
        self.show_pixels(e, pixels)
        self.play(*(c.animate.set_fill(th.foreground, 0.05 + 0.9 * a) for c, a in zip(hidden, e["hidden"])),
                  run_time=0.7)
        anims = []
        for d, (row, p) in enumerate(zip(outputs["group"], e["probabilities"])):
            track = row[1]
            bar = Rectangle(width=max(0.02, track.width * p), height=track.height).set_stroke(width=0)
            bar.set_fill(th.output, 0.85)
            bar.move_to(track, LEFT)
            val = label(f"{fmt_num(100 * p, 1)}%", th, size=BODY_SIZE - 2, color=th.muted).next_to(track, RIGHT,
                                                                                                   buff=0.12)
            for old, new, key in ((outputs["bars"][d], bar, "bars"), (outputs["values"][d], val, "values")):
                if old is None:
                    anims += fade_in(new)
                else:
                    anims.append(ReplacementTransform(old, new))
                outputs[key][d] = new
        self.play(*anims, run_time=0.8)
        best = outputs["group"][e["prediction"]]
        frame = Rectangle(width=best.width + outputs["values"][e["prediction"]].width + 0.45,
                          height=best.height + 0.12)
        frame.set_stroke(th.highlight, 3).move_to(best, LEFT).shift(LEFT * 0.1)
        right = e["prediction"] == e["label"]
        note = label(f"answer {e['prediction']}: {'right' if right else 'wrong'} (label {e['label']})", th,
                     size=BODY_SIZE, color=th.output if right else th.highlight)
        note.next_to(outputs["group"], DOWN, buff=0.2).align_to(outputs["group"], LEFT)
        self.keep_in_content(note)
        self.play(Create(frame), *fade_in(note), run_time=0.6)
        return VGroup(frame, note)
