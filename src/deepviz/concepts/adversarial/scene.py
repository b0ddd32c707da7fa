"""Adversarial scene: reads a Trace, draws it; computes nothing.

Colour roles: the digit and its attacked copy are ink in the input colour; the gradient, its sign and the
perturbation use the house's diverging scale (style/heatmap.py: below zero input, above zero weight);
probabilities are output bars with the top class in the highlight colour; the epsilon marks are the highlight.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, DashedLine, FadeIn, GrowFromEdge, Line, Rectangle, VGroup

from ...style.animations import fade_in, fade_out
from ...style.digits import digit_image
from ...style.heatmap import ColorField, framed, signed_legend, signed_rgb
from ...style.mobjects import BODY_SIZE, TITLE_SIZE, Bars, label, titled
from ...style.numbers import fmt_num, fmt_pct, fmt_sig
from ...style.scene import DeepvizScene
from ...style.theme import Theme
from .schema import AdversarialData, Outcome

GAP = 0.35
TITLES = {"fgsm": "Adversarial examples: FGSM", "pgd": "Adversarial examples: PGD",
          "sweep": "Adversarial examples: growing \u03b5"}



def eps_text(e: float) -> str:
    return fmt_num(e, 3)


class ProbabilityChart(VGroup):
    """Ten probability bars with their values on a baseline, the classes under them, a title above; the top
    class highlighted."""

    def __init__(self, probs: list[float], theme: Theme, width: float, height: float, title: str):
        super().__init__()
        cell = width / len(probs)
        xs = [(c + 0.5) * cell for c in range(len(probs))]
        self.bars = Bars(probs, xs, theme, theme.output, max_height=height, width=cell * 0.6, fmt=fmt_pct, scale_to=1.0,
                         label_width=cell * 0.95)
        top = max(range(len(probs)), key=lambda c: probs[c])
        self.bars.bars[top].set_fill(theme.highlight, theme.fill_opacity() + 0.3).set_stroke(theme.highlight)
        self.classes = VGroup(*(label(str(c), theme, color=theme.highlight if c == top else theme.foreground)
                                .move_to((x, -0.25, 0)) for c, x in enumerate(xs)))
        self.base = Line((0, 0, 0), (width, 0, 0)).set_stroke(theme.grid, 2)
        self.title = label(title, theme, color=theme.output)
        self.title.next_to(VGroup(self.base, self.bars), UP, buff=0.15)
        self.add(self.title, self.base, self.bars, self.classes)

    def grow(self) -> list:
        """The animations that draw the chart: the bars grow from the baseline."""
        return [*fade_in(self.title, self.base, self.classes), *(GrowFromEdge(b, DOWN) for b in self.bars.bars),
                FadeIn(self.bars.labels)]


class AdversarialScene(DeepvizScene):
    concept = "adversarial"

    def construct(self) -> None:
        t: AdversarialData = self.trace.data
        self.set_title(TITLES["sweep" if t["part"] == "sweep" else t["attack"]])
        intro = self.intro(t)
        if t["part"] == "sweep":
            self.sweep_part(t, intro)
        elif t["attack"] == "pgd":
            self.pgd_part(t, intro)
        else:
            self.fgsm_part(t, intro)
        self.wait(1.0)

    # -- pictures -----------------------------------------------------------------------------------------
    def ink(self, image, side: float) -> VGroup:
        """An image with values 0..1 as ink in the input colour, framed."""
        return framed(digit_image(image, side, self.theme, self.theme.input), self.theme)

    def heat(self, values, side: float, scale: float) -> VGroup:
        """Signed values on the diverging scale from -``scale`` to ``scale``, framed."""
        return framed(ColorField(signed_rgb(values, self.theme, scale), side, side), self.theme)

    def signed_panel(self, values, side: float, scale: float, title: str, color: str, fmt=fmt_num) -> VGroup:
        """A signed map with its title above and its colour bar below."""
        return VGroup(titled(self.heat(values, side, scale), title, self.theme, color=color),
                      signed_legend(self.theme, scale, side, fmt=fmt)).arrange(DOWN, buff=0.2)

    def digit(self, t: AdversarialData, image, side: float, name: str) -> VGroup:
        return titled(self.ink(image, side), name, self.theme, color=self.theme.input)

    def equation(self, t: AdversarialData, o: Outcome, side: float, delta_title: str) -> VGroup:
        """x + δ = x′, the three images side by side, the network's verdict under the two digits."""
        th = self.theme
        before = VGroup(self.digit(t, t["input"], side, "x"),
                        label(f"says {t['predicted']}: {fmt_pct(t['confidence'])}", th, color=th.output))
        after = VGroup(self.digit(t, o["image"], side, "x\u2032"),
                       label(f"says {o['predicted']}: {fmt_pct(o['confidence'])}", th,
                             color=th.highlight if o["success"] else th.output))
        for group in (before, after):
            group.arrange(DOWN, buff=0.25)
        delta = self.signed_panel(o["perturbation"], side, t["epsilon"], delta_title, th.gradient, fmt=eps_text)
        plus, equals = (label(s, th, size=TITLE_SIZE * 1.6) for s in ("+", "="))
        return VGroup(before, plus, delta, equals, after).arrange(RIGHT, buff=0.4)

    # -- shared steps ---------------------------------------------------------------------------------------
    def intro(self, t: AdversarialData) -> VGroup:
        digit = self.digit(t, t["input"], 4.4, f"test image {t['digit']}: a {t['label']}")
        chart = ProbabilityChart(t["probabilities"], self.theme, 7.6, 2.6, "the CNN's class probabilities")
        group = VGroup(digit, chart).arrange(RIGHT, buff=0.9)
        self.place_in_content(group)
        self.narrate("intro")
        self.play(*fade_in(digit), run_time=0.8)
        self.play(*chart.grow(), run_time=1.0)
        self.finish_reading()
        return group

    def show_equation(self, key: str, t: AdversarialData, o: Outcome, delta_title: str, old: VGroup) -> VGroup:
        eq = self.equation(t, o, 3.3, delta_title)
        self.place_in_content(eq)
        self.narrate(key)
        self.play(*fade_out(old), run_time=0.5)
        self.play(*fade_in(eq[0], eq[1], eq[2]), run_time=0.9)
        self.play(*fade_in(eq[3], eq[4]), run_time=0.9)
        self.finish_reading()
        return eq

    def before_after(self, t: AdversarialData, old: VGroup) -> VGroup:
        """The input over its probabilities, the attacked image over its own: where the class went."""
        o = t["result"]
        charts = [ProbabilityChart(t["probabilities"], self.theme, 9.0, 1.3, "before"),
                  ProbabilityChart(o["probabilities"], self.theme, 9.0, 1.3, "after the attack")]
        digits = [self.digit(t, t["input"], 2.5, "x"), self.digit(t, o["image"], 2.5, "x\u2032")]
        rows = [VGroup(d, c).arrange(RIGHT, buff=0.8) for d, c in zip(digits, charts)]
        group = VGroup(*rows).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
        self.place_in_content(group)
        self.narrate("probabilities")
        self.play(*fade_out(old), run_time=0.5)
        self.play(*fade_in(rows[0]), run_time=0.8)
        self.play(*fade_in(digits[1]), *charts[1].grow(), run_time=1.2)
        self.finish_reading()
        return group

    # -- FGSM ---------------------------------------------------------------------------------------------
    def gradient_panels(self, t: AdversarialData, side: float) -> tuple[VGroup, VGroup]:
        grad = self.signed_panel(t["gradient"], side, t["gradient_scale"],
                                 f"\u2202 loss({t['loss_class']}) / \u2202 x", self.theme.gradient,
                                 fmt=lambda v: fmt_sig(v, 2))
        sign = self.signed_panel(t["direction"], side, 1.0, "the step's sign", self.theme.gradient)
        return grad, sign

    def fgsm_part(self, t: AdversarialData, intro: VGroup) -> None:
        side = 3.6
        digit = self.digit(t, t["input"], side, "x")
        grad, sign = self.gradient_panels(t, side)
        row = VGroup(digit, grad, sign).arrange(RIGHT, buff=0.8, aligned_edge=UP)
        self.place_in_content(row)
        self.narrate("gradient")
        self.play(*fade_out(intro), run_time=0.5)
        self.play(*fade_in(digit, grad), run_time=1.0)
        self.finish_reading()
        self.narrate("direction")
        self.play(*fade_in(sign), run_time=1.0)
        self.finish_reading()
        eq = self.show_equation("perturbation", t, t["result"], f"\u03b4 = x\u2032 \u2212 x, \u03b5 = "
                                f"{eps_text(t['epsilon'])}", row)
        self.before_after(t, eq)

    # -- PGD --------------------------------------------------------------------------------------------
    def pgd_part(self, t: AdversarialData, intro: VGroup) -> None:
        th = self.theme
        eq = self.show_equation("fgsm", t, t["fgsm"], f"FGSM \u03b4, \u03b5 = {eps_text(t['epsilon'])}", intro)
        tiles = self.pgd_steps(t, eq)
        eq2 = self.show_equation("perturbation", t, t["result"], f"PGD \u03b4 after {t['steps']} steps", tiles)
        probs = self.before_after(t, eq2)
        self.smallest_bars(t, probs, th)

    def pgd_steps(self, t: AdversarialData, old: VGroup) -> VGroup:
        th = self.theme
        snaps = t["snapshots"]
        n = len(snaps)
        side = min(2.4, (self.content_width - GAP * (n - 1)) / n)
        watched = t["target"] if t["target"] >= 0 else t["predicted"]
        tiles = []
        for s in snaps:
            p = t["path"][s["step"] - 1]
            tiles.append(VGroup(titled(self.heat(s["perturbation"], side, t["epsilon"]), f"step {s['step']}", th,
                                       color=th.gradient),
                                label(f"p({watched}) {fmt_pct(p['goal_probability'])}", th, size=BODY_SIZE,
                                      color=th.output),
                                label(f"says {p['predicted']}", th, size=BODY_SIZE,
                                      color=th.highlight if p["predicted"] == watched else th.foreground)
                                ).arrange(DOWN, buff=0.15))
        row = VGroup(*tiles).arrange(RIGHT, buff=GAP, aligned_edge=UP)
        key = signed_legend(th, t["epsilon"], min(6.0, row.width * 0.6), fmt=eps_text)
        head = label(f"PGD: step {fmt_sig(t['alpha'], 3)}, then back into the \u03b5-ball "
                     f"(every |\u03b4| \u2264 {eps_text(t['epsilon'])})", th, color=th.highlight)
        group = VGroup(head, row, key).arrange(DOWN, buff=0.35)
        self.place_in_content(group)
        self.narrate("steps")
        self.play(*fade_out(old), run_time=0.5)
        self.play(*fade_in(head, key), run_time=0.6)
        for tile in tiles:
            self.play(FadeIn(tile, shift=RIGHT * 0.3), run_time=0.5)
        self.finish_reading()
        return group

    def smallest_bars(self, t: AdversarialData, old: VGroup, th) -> None:
        """The smallest ε that meets the goal, PGD against FGSM, as horizontal bars on one ε axis (0..1)."""
        width, height = 10.0, 0.9
        rows, axis_left = [], None
        for name, value in (("PGD", t["smallest"]["pgd"]), ("FGSM", t["smallest"]["fgsm"])):
            name_l = label(name, th, color=th.foreground)
            bar = Rectangle(width=max(value or 1.0, 0.005) * width, height=height)
            bar.set_stroke(th.output, 2).set_fill(th.output, th.fill_opacity() + 0.3 if value is not None else 0.05)
            text = label(fmt_sig(value, 3) if value is not None else "none up to 1", th, color=th.output)
            rows.append((name_l, bar, text))
        names = VGroup(*(r[0] for r in rows)).arrange(DOWN, buff=0.9, aligned_edge=RIGHT)
        axis_left = names.get_right()[0] + 0.4
        for (name_l, bar, text) in rows:
            bar.move_to((axis_left, name_l.get_y(), 0), aligned_edge=LEFT)
            text.next_to(bar, RIGHT, buff=0.2) if bar.width < width * 0.7 else text.move_to(bar)
        top, bottom = rows[0][1].get_top()[1] + 0.4, rows[-1][1].get_bottom()[1] - 0.4
        axis = Line((axis_left, bottom, 0), (axis_left + width, bottom, 0)).set_stroke(th.grid, 2)
        ticks = VGroup(*(label(fmt_num(v), th, size=BODY_SIZE, color=th.muted)
                         .next_to((axis_left + v * width, bottom, 0), DOWN, buff=0.12) for v in (0.0, 0.5, 1.0)))
        x_eps = axis_left + t["epsilon"] * width
        mark = DashedLine((x_eps, bottom, 0), (x_eps, top, 0)).set_stroke(th.highlight, 3)
        mark_l = label(f"this video's \u03b5 = {eps_text(t['epsilon'])}", th, color=th.highlight).next_to(mark, UP,
                                                                                                        buff=0.1)
        head = label(f"the smallest \u03b5 that {'reaches ' + str(t['target']) if t['target'] >= 0 else 'flips it'}",
                     th, color=th.output)
        body = VGroup(names, *(VGroup(r[1], r[2]) for r in rows), axis, ticks, mark, mark_l)
        group = VGroup(head, body).arrange(DOWN, buff=0.4)
        self.place_in_content(group)
        self.narrate("smallest")
        self.play(*fade_out(old), run_time=0.5)
        self.play(*fade_in(head, names, axis, ticks), run_time=0.6)
        self.play(*(GrowFromEdge(r[1], LEFT) for r in rows), *fade_in(*(r[2] for r in rows)), run_time=1.0)
        self.play(Create(mark), *fade_in(mark_l), run_time=0.6)
        self.finish_reading()

    # -- the sweep --------------------------------------------------------------------------------------------
    def sweep_part(self, t: AdversarialData, intro: VGroup) -> None:
        th = self.theme
        side = 4.2
        digit = self.digit(t, t["input"], side, "x")
        _, sign = self.gradient_panels(t, side)
        pair = VGroup(digit, sign).arrange(RIGHT, buff=1.2, aligned_edge=UP)
        self.place_in_content(pair)
        self.narrate("direction")
        self.play(*fade_out(intro), run_time=0.5)
        self.play(*fade_in(digit, sign), run_time=1.0)
        self.finish_reading()

        outs, first = t["sweep"]["outcomes"], t["sweep"]["first"]
        n = len(outs)
        side = min(2.2, (self.content_width - GAP * (n - 1)) / n)
        tiles = []
        for o in outs:
            good = o["success"]
            tiles.append(VGroup(titled(self.ink(o["image"], side), f"\u03b5 = {eps_text(o['epsilon'])}", th,
                                       color=th.highlight),
                                self.heat(o["perturbation"], side, t["epsilon"]),
                                label(f"says {o['predicted']}", th, color=th.highlight if good else th.foreground),
                                label(fmt_pct(o["confidence"]), th, size=BODY_SIZE, color=th.output)
                                ).arrange(DOWN, buff=0.15))
        row = VGroup(*tiles).arrange(RIGHT, buff=GAP, aligned_edge=UP)
        names = VGroup(label("x\u2032", th, color=th.input),
                       VGroup(label("\u03b4", th, color=th.gradient),
                              label(f"\u00b1{eps_text(t['epsilon'])}", th, size=BODY_SIZE, color=th.muted)
                              ).arrange(DOWN, buff=0.1))
        axis = Line(LEFT, RIGHT).set_stroke(th.grid, 3)
        layout = VGroup(row, names, axis)
        names.arrange(DOWN, buff=side * 0.7).next_to(row, LEFT, buff=0.25).match_y(VGroup(*(c[:2] for c in tiles)))
        axis.put_start_and_end_on(tiles[0].get_bottom() + DOWN * 0.5, tiles[-1].get_bottom() + DOWN * 0.5)
        self.place_in_content(layout)
        self.narrate("row")
        self.play(*fade_out(pair), run_time=0.5)
        self.play(*fade_in(names), run_time=0.3)
        for tile in tiles:
            self.play(FadeIn(tile, shift=RIGHT * 0.3), run_time=0.45)
        if first is not None:
            box = Rectangle(width=tiles[first].width + 0.2, height=tiles[first].height + 0.2)
            self.play(Create(box.set_stroke(th.highlight, 4).move_to(tiles[first])), run_time=0.6)
        self.finish_reading()

        self.narrate("smallest")
        least = t["smallest"][t["attack"]]
        left, right = axis.get_start()[0], axis.get_end()[0]
        # the tiles stand at even steps of ε along the axis: the mark goes where ``least`` falls (or past the end)
        frac = 1.0 if least is None else min(least / outs[-1]["epsilon"], 1.0)
        where = axis.get_start() + RIGHT * frac * (right - left)
        mark = Line(where + UP * 0.2, where + DOWN * 0.2).set_stroke(th.highlight, 6)
        text = label(f"smallest \u03b5: {fmt_sig(least, 3)}" if least is not None and frac < 1 else
                     f"smallest \u03b5: {fmt_sig(least, 3) + ', beyond' if least is not None else 'none up to 1'}",
                     th, color=th.highlight).next_to(mark, DOWN, buff=0.1)
        self.keep_in_content(text)
        self.play(Create(axis), run_time=0.4)
        self.play(Create(mark), *fade_in(text), run_time=0.8)
        self.finish_reading()
