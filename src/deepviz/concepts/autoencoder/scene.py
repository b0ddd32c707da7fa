"""Autoencoder scene: reads a Trace, draws it; computes nothing.

Colour roles: the original digits are input, codes and reconstructions output, the encoder and decoder
(learned) weight; test digits in the code space take their class's colour; the decoded grid's codes are
the highlight.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Polygon, VGroup

from ...style.animations import fade_in, fade_out
from ...style.clouds import DotCloud
from ...style.digits import class_clouds, class_legend, code_plot, digit_image, digit_mosaic, funnel
from ...style.mobjects import BODY_SIZE, LABEL_SIZE, fit_width, label, titled
from ...style.numbers import fmt_num
from ...style.scene import DeepvizScene
from .schema import AutoencoderData

MOSAIC = 4.9  # units: the decoded grid's side, one-pixel gaps included


class AutoencoderScene(DeepvizScene):
    concept = "autoencoder"

    def construct(self) -> None:
        t: AutoencoderData = self.trace.data
        self.set_title("An autoencoder: 64 pixels \u2192 2 numbers \u2192 64 pixels")
        self.idea(t)
        self.reconstructions(t)
        self.code_space(t)
        self.wait(1.0)

    def idea(self, t: AutoencoderData) -> None:
        th, ex = self.theme, t["examples"][0]
        h = t["architecture"][1]
        original = titled(digit_image(ex["image"], 3.0, th, th.input), "input: 64 pixels", th, color=th.input)
        enc = funnel(th, f"encoder 64\u2192{h}\u21922", (2.4, 0.7))
        code = VGroup(*(label(f"z{s} = {fmt_num(v)}", th, color=th.output) for s, v in zip("\u2081\u2082", ex["code"])))
        code.arrange(DOWN, buff=0.25)
        dec = funnel(th, f"decoder 2\u2192{h}\u219264", (0.7, 2.4))
        rebuilt = titled(digit_image(ex["reconstruction"], 3.0, th, th.output), "output: 64 pixels", th,
                         color=th.output)
        row = VGroup(original, enc, code, dec, rebuilt).arrange(RIGHT, buff=0.35)
        enc.shift(DOWN * 0.25)  # the funnels' centres at the images' centres, their names below
        dec.shift(DOWN * 0.25)
        for part in (enc, dec):
            part.set_y(original[1].get_y() - (part[0].get_y() - part.get_y()))
        code.set_y(original[1].get_y())
        self.place_in_content(row)
        self.narrate("idea")
        self.play(*fade_in(original), run_time=0.6)
        self.play(*fade_in(enc), run_time=0.6)
        self.play(*fade_in(code), run_time=0.6)
        self.play(*fade_in(dec), run_time=0.6)
        self.play(*fade_in(rebuilt), run_time=0.6)
        self.finish_reading()

    def reconstructions(self, t: AutoencoderData) -> None:
        th, exs = self.theme, t["examples"]
        self.clear_content()
        cell = min(1.7, (self.content_width - 2.2) / len(exs) - 0.3)
        tops = [digit_image(e["image"], cell, th, th.input) for e in exs]
        bottoms = [digit_image(e["reconstruction"], cell, th, th.output) for e in exs]
        errors = [label(f"error {fmt_num(e['error'], 3)}", th, size=BODY_SIZE) for e in exs]
        cols = VGroup(*(VGroup(a, b, fit_width(err, cell + 0.25)).arrange(DOWN, buff=0.2)
                        for a, b, err in zip(tops, bottoms, errors))).arrange(RIGHT, buff=0.3)
        names = VGroup(label("original", th, color=th.input).next_to(tops[0], LEFT, buff=0.3),
                       label("rebuilt", th, color=th.output).next_to(bottoms[0], LEFT, buff=0.3))
        names[1].align_to(names[0], RIGHT)
        mean = label(f"mean error over {t['test_size']} test digits: {fmt_num(t['test_error'], 3)}", th,
                     size=LABEL_SIZE)
        mean.next_to(cols, DOWN, buff=0.35)
        self.place_in_content(VGroup(cols, names, mean))
        self.narrate("reconstructions")
        self.play(*fade_in(*tops, names[0]), run_time=0.6)
        self.play(*fade_in(*bottoms, names[1]), run_time=0.8)
        self.play(*fade_in(*errors, mean), run_time=0.6)
        self.finish_reading()

    def code_space(self, t: AutoencoderData) -> None:
        th = self.theme
        self.clear_content()
        plot = code_plot(th, t["window"], 5.4, self.content_height - 0.9)
        dots = class_clouds(plot, t["codes"], t["labels"], th)
        legend = class_legend(th, heading="digit")
        g = t["grid"]
        side = g["side"]
        mosaic = titled(digit_mosaic(g["images"], side, MOSAIC * 8 / (9 * side + 1), th, th.output),
                        f"{side}\u00d7{side} codes, decoded", th, color=th.output)
        space = VGroup(plot, dots, legend)
        layout = VGroup(VGroup(plot, dots), legend, mosaic).arrange(RIGHT, buff=0.5)
        self.place_in_content(layout)
        beside = space.get_center()
        space.move_to(UP * layout.get_y())  # centred until the decoded grid comes in beside it
        self.narrate("code_space")
        self.play(*fade_in(plot, legend), run_time=0.6)
        self.play(*fade_in(dots), run_time=1.0)
        self.finish_reading()

        self.narrate("decoded_grid")
        self.play(space.animate.move_to(beside), run_time=0.6)
        marks = DotCloud([plot.c2p(x, y) for x, y in g["codes"]], radius=0.06, color=th.highlight)
        frame = Polygon(*(plot.c2p(x, y) for x, y in ((g["xs"][0], g["ys"][0]), (g["xs"][-1], g["ys"][0]),
                                                      (g["xs"][-1], g["ys"][-1]), (g["xs"][0], g["ys"][-1]))))
        frame.set_stroke(th.highlight, 2).set_fill(opacity=0)
        self.play(*fade_out(dots), run_time=0.4)
        self.play(*fade_in(dots.set_opacity(0.25), marks, frame), run_time=0.6)
        self.play(*fade_in(mosaic), run_time=0.8)
        self.finish_reading()
