"""VAE scene: reads a Trace, draws it; computes nothing.

Colour roles: the digit going in is input; mu, sigma, codes and decoded images output; the encoder and
decoder weight; the noise eps and the drawn codes the highlight; test digits take their class's colour.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Ellipse, VGroup

from ...style.animations import fade_in, fade_out
from ...style.clouds import DotCloud
from ...style.digits import class_clouds, class_legend, code_plot, digit_image, digit_mosaic, funnel
from ...style.mobjects import BODY_SIZE, fit_width, label, titled
from ...style.numbers import fmt_num, fmt_vec
from ...style.plots import Plot
from ...style.scene import DeepvizScene
from .schema import CodeSpace, VaeData

MOSAIC = 4.6  # units: a decoded grid's side, one-pixel gaps included
DIGIT = 1.7  # units: the one digit's side


def mosaic(theme, images, side: int, size: float = MOSAIC):
    return digit_mosaic(images, side, size * 8 / (9 * side + 1), theme, theme.output)


class VaeScene(DeepvizScene):
    concept = "vae"

    def construct(self) -> None:
        t: VaeData = self.trace.data
        self.set_title("A variational autoencoder: the code is drawn, not computed")
        self.one_digit(t)
        self.new_digits(t)
        self.compare(t)
        self.wait(1.0)

    def gaussian(self, plot: Plot, center, sigma, color: str) -> VGroup:
        """The 1-sigma and 2-sigma ellipses of N(center, sigma^2) on ``plot``."""
        ux = plot.c2p(1, 0)[0] - plot.c2p(0, 0)[0]
        uy = plot.c2p(0, 1)[1] - plot.c2p(0, 0)[1]
        return VGroup(*(Ellipse(width=2 * k * sigma[0] * ux, height=2 * k * sigma[1] * uy)
                        .set_stroke(color, 3 if k == 1 else 2, opacity=1.0 if k == 1 else 0.6)
                        .move_to(plot.c2p(*center)) for k in (1, 2)))

    # -- one digit: mu and sigma, the draws, the loss -------------------------------------------------
    def one_digit(self, t: VaeData) -> None:
        th, e = self.theme, t["example"]
        h = t["architecture"][1]
        digit = titled(digit_image(e["image"], DIGIT, th, th.input), f"a test {e['label']}", th, color=th.input)
        enc = funnel(th, f"encoder\n64\u2192{h}\u21922+2", (1.7, 0.6), length=1.4)
        stats = VGroup(label(f"\u03bc = {fmt_vec(e['mu'])}", th, color=th.output),
                       label(f"log \u03c3\u00b2 = {fmt_vec(e['logvar'])}", th, color=th.output),
                       label(f"\u03c3 = {fmt_vec(e['sigma'])}", th, color=th.output)).arrange(DOWN, aligned_edge=LEFT)
        top = VGroup(digit, enc, stats).arrange(RIGHT, buff=0.3)
        enc.set_y(digit[1].get_y() - 0.2)
        stats.set_y(digit[1].get_y())
        draw = VGroup(label("z = \u03bc + \u03c3\u00b7\u03b5", th, color=th.highlight),
                      label(f"\u03b5 = {fmt_vec(e['eps'][0])}", th, color=th.highlight),
                      label(f"z = {fmt_vec(e['z'][0])}", th, color=th.highlight)).arrange(DOWN, aligned_edge=LEFT)
        dec = funnel(th, f"decoder\n2\u2192{h}\u219264", (0.6, 1.7), length=1.4)
        rebuilt = titled(digit_image(e["reconstruction"], DIGIT, th, th.output), "decoded z", th, color=th.output)
        bottom = VGroup(draw, dec, rebuilt).arrange(RIGHT, buff=0.3)
        dec.set_y(rebuilt[1].get_y() - 0.2)
        draw.set_y(rebuilt[1].get_y())
        loss = VGroup(
            label(f"loss = reconstruction {fmt_num(e['reconstruction_loss'])} + KL {fmt_num(e['kl'])} "
                  f"= {fmt_num(e['loss'])}", th, size=BODY_SIZE),
            label("KL = \u00bd \u03a3 (\u03bc\u00b2 + \u03c3\u00b2 \u2212 log \u03c3\u00b2 \u2212 1)", th, size=BODY_SIZE,
                  color=th.muted)).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        left = VGroup(top, bottom, loss).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        fit_width(left, 6.9)
        space = t["vae"]
        plot = code_plot(th, space["window"], 5.6, self.content_height - 0.9)
        back = class_clouds(plot, space["codes"], t["labels"], th, radius=0.035).set_opacity(0.3)
        layout = VGroup(left, VGroup(plot, back)).arrange(RIGHT, buff=0.4)
        self.place_in_content(layout)

        self.narrate("encode")
        self.play(*fade_in(digit, enc, plot, back), run_time=0.6)
        self.play(*fade_in(stats), run_time=0.6)
        self.finish_reading()

        self.narrate("sample")
        ellipses = self.gaussian(plot, e["mu"], e["sigma"], th.output)
        mu_dot = DotCloud([plot.c2p(*e["mu"])], radius=0.06, color=th.output)
        draws = DotCloud([plot.c2p(*z) for z in e["z"]], radius=0.05, color=th.highlight)
        first = DotCloud([plot.c2p(*e["z"][0])], radius=0.09, color=th.highlight)
        self.play(*fade_in(mu_dot, ellipses), run_time=0.6)
        self.play(*fade_in(draws), run_time=0.8)
        self.play(*fade_in(draw, first), run_time=0.6)
        self.play(*fade_in(dec, rebuilt), run_time=0.6)
        self.finish_reading()

        self.narrate("loss")
        self.play(*fade_in(loss), run_time=0.6)
        self.finish_reading()

    # -- new digits from the prior --------------------------------------------------------------------
    def new_digits(self, t: VaeData) -> None:
        th, p = self.theme, t["prior"]
        self.clear_content()
        plot = code_plot(th, p["window"], 5.8, self.content_height - 0.9, equal=True)  # N(0, I)'s circles stay round
        circles = self.gaussian(plot, (0, 0), (1, 1), th.muted)
        draws = DotCloud([plot.c2p(*z) for z in p["z"]], radius=0.06, color=th.highlight)
        prior = label("N(0, I)", th, size=BODY_SIZE, color=th.muted).next_to(circles[1], UP, buff=0.1)
        new = titled(mosaic(th, p["images"], p["side"]), f"{p['side'] ** 2} decoded draws", th, color=th.output)
        self.place_in_content(VGroup(VGroup(plot, circles, prior, draws), new).arrange(RIGHT, buff=0.8))
        self.narrate("prior")
        self.play(*fade_in(plot, circles, prior), run_time=0.6)
        self.play(*fade_in(draws), run_time=0.6)
        self.play(*fade_in(new), run_time=0.8)
        self.finish_reading()

    # -- the autoencoder's code space beside the VAE's -------------------------------------------------
    def compare(self, t: VaeData) -> None:
        th = self.theme
        self.clear_content()
        panels = []
        for name, space in (("autoencoder: codes", t["ae"]), ("VAE: means \u03bc", t["vae"])):
            plot = code_plot(th, space["window"], 4.9, self.content_height - 1.8)
            panels.append((titled(VGroup(plot, class_clouds(plot, space["codes"], t["labels"], th)), name, th),
                           space))
        legend = class_legend(th, heading="digit")
        layout = VGroup(panels[0][0], legend, panels[1][0]).arrange(RIGHT, buff=0.5)
        self.place_in_content(layout)
        self.narrate("compare")
        self.play(*fade_in(panels[0][0], legend), run_time=0.8)
        self.play(*fade_in(panels[1][0]), run_time=0.8)
        self.finish_reading()

        self.narrate("smooth")
        grids = [self.decoded(panel, space, name)
                 for (panel, space), name in zip(panels, ("autoencoder", "VAE"))]
        self.play(*fade_out(legend, *(p for p, _ in panels)), run_time=0.5)
        self.play(*fade_in(*grids), run_time=0.8)
        self.finish_reading()

    def decoded(self, panel: VGroup, space: CodeSpace, name: str) -> VGroup:
        g = space["grid"]
        grid = titled(mosaic(self.theme, g["images"], g["side"]), f"{name}: {g['side']}\u00d7{g['side']} codes decoded",
                      self.theme, color=self.theme.output)
        return grid.move_to(panel)
