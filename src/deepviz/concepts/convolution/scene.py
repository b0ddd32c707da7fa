"""Convolution scene: reads a Trace, draws it; computes nothing.

Colour roles: the input's cells are input, the filter's slices weights, the activation maps
output (a finished map is a heatmap in the signed convention of style/heatmap.py), the
window being read the highlight; cells no window covers are `extra`.
"""
from __future__ import annotations

from manim import DOWN, RIGHT, UP, Create, FadeIn, ManimColor, Rectangle, TransformFromCopy, VGroup

from ...style.animations import fade_in, fade_out
from ...style.heatmap import ColorField, framed, heat_fill, heat_rgb, signed_rgb
from ...style.mobjects import BODY_SIZE, Grid, fit_width, label, titled
from ...style.numbers import fmt_num, fmt_shape
from ...style.scene import DeepvizScene, sweep_durations
from .schema import ConvolutionData

GAP = 0.45


class ConvolutionScene(DeepvizScene):
    concept = "convolution"

    def construct(self) -> None:
        t: ConvolutionData = self.trace.data
        {"channels": self.channels_part, "output-size": self.size_part, "pooling": self.pooling_part,
         "real-image": self.real_part}[t["part"]](t)
        self.wait(1.0)

    # -- helpers ---------------------------------------------------------------------------
    def _heat(self, grid: Grid, values) -> list:
        """Animations colouring ``grid``'s squares as a signed heatmap of ``values``."""
        top = max((abs(v) for row in values for v in row), default=1.0) or 1.0
        rgb = heat_rgb(values, self.theme.background, self.theme.input, self.theme.weight, top)
        return [grid.square(r, c).animate.set_fill(ManimColor(rgb[r, c]), 1.0)
                for r in range(grid.n_rows) for c in range(grid.n_cols)]

    def _field(self, values, side: float) -> ColorField:
        top = max((abs(v) for row in values for v in row), default=1.0) or 1.0
        return ColorField(heat_rgb(values, self.theme.background, self.theme.input, self.theme.weight, top), side, side)

    def _windows(self, grids: list[Grid], origin, f: int) -> VGroup:
        return VGroup(*(g.outline(g.block(origin[0], origin[1], f, f), self.theme.highlight, width=4) for g in grids))

    # -- part 1: one position over the channels, the map, K maps ------------------------------
    def channels_part(self, t: ConvolutionData) -> None:
        th, pos = self.theme, t["position"]
        f, o, k = t["kernel"], t["output_size"], t["filters"]
        padded = t["padded_input"]
        side, p = len(padded[0]), t["padding"]
        self.set_title("A convolution layer")
        fcell = min(0.6, 1.8 / f)  # products such as -0.8 need room to be readable
        cell = min(0.42, (self.content_height - 1.6 - f * fcell) / side)
        value_colors = [[th.foreground if p <= r < side - p and p <= c < side - p else th.muted
                         for c in range(side)] for r in range(side)]
        channels = [Grid(ch, th, cell, colors=th.input, value_colors=value_colors) for ch in padded]
        slices = [titled(Grid(w, th, fcell, colors=th.weight), "random filter slice", th, color=th.weight)
                  for w in t["weights"][0]]
        products = [titled(Grid(pr, th, fcell, colors=th.weight), "products", th, color=th.weight)
                    for pr in pos["products"]]
        columns = []
        for name, ch, sl, pr in zip(t["channel_names"], channels, slices, products):
            columns.append(VGroup(titled(ch, name, th, color=th.input), sl).arrange(DOWN, buff=0.3))
        out = Grid([[None] * o for _ in range(o)], th, min(0.5, cell * 1.1), colors=th.output,
                   widest=[v for row in t["maps"][0] for v in row])
        out_t = titled(out, f"activation map {fmt_shape((o, o))}", th, color=th.output)
        layout = VGroup(*columns, out_t).arrange(RIGHT, buff=GAP, aligned_edge=UP)
        for sl, pr in zip(slices, products):
            pr.move_to(sl)
        self.place_in_content(VGroup(layout, *products))
        out_t.align_to(columns[0][0][1], UP).shift(UP * out_t[0].height)

        self.narrate("intro")
        self.play(*fade_in(*(col[0] for col in columns)), run_time=0.8)
        self.finish_reading()
        self.narrate("depth")
        self.play(*fade_in(*slices), run_time=0.8)
        self.finish_reading()
        self.narrate("products")
        windows = self._windows(channels, pos["window_origin"], f)
        self.play(Create(windows), *fade_in(out_t), run_time=0.8)
        self.play(*fade_out(*slices), *fade_in(*products), run_time=1.0)
        self.finish_reading()

        self.narrate("sum")
        sums = VGroup(*(label(f"\u03a3 = {fmt_num(v)}", th, size=BODY_SIZE, color=th.weight).next_to(pr, DOWN, 0.15)
                        for v, pr in zip(pos["channel_sums"], products)))
        bias = label(f"+ bias {fmt_num(pos['bias'])}", th, size=BODY_SIZE, color=th.weight)
        total = label(f"= {fmt_num(pos['total'])}", th, size=BODY_SIZE, color=th.output)
        VGroup(bias, total).arrange(DOWN, buff=0.15).next_to(out_t, DOWN, buff=0.4)
        self.play(*fade_in(sums), run_time=0.6)
        self.play(*fade_in(bias, total), run_time=0.6)
        r, c = pos["output_cell"]
        value = out.make_value(r, c, pos["total"])
        out_mark = out.outline([(r, c)], th.highlight)
        self.play(TransformFromCopy(total, value), Create(out_mark), run_time=0.8)
        self.remove(value)
        out.attach_value(r, c, value)
        self.finish_reading()

        self.narrate("map")
        self.play(*fade_out(*products, sums, bias, total), *fade_in(*slices), run_time=0.5)
        steps = t["steps"][1:]
        for step, run_time in zip(steps, sweep_durations(len(steps) + 1, 1)):
            r0, c0 = step["window_origin"]
            moves = [w.animate.move_to(self._block(g, r0, c0, f)) for w, g in zip(windows, channels)]
            self.play(*moves, out_mark.animate.move_to(out.square(*step["output_cell"])), run_time=run_time * 0.55)
            rr, cc = step["output_cell"]
            value = out.make_value(rr, cc, t["maps"][0][rr][cc])
            self.play(FadeIn(value), run_time=run_time * 0.45)
            self.remove(value)
            out.attach_value(rr, cc, value)
        self.play(*fade_out(windows, out_mark), *self._heat(out, t["maps"][0]), run_time=0.8)
        self.finish_reading()

        self.narrate("filters")
        self.clear_content()
        mcell = min(0.7, (self.content_width - GAP * (k - 1)) / (k * o), (self.content_height - 1.2) / o)
        maps = []
        for m in range(k):
            g = heat_fill(Grid([[None] * o for _ in range(o)], th, mcell, colors=th.output), t["maps"][m], th, signed=True)
            maps.append(titled(g, f"map {m + 1}", th, color=th.output))
        row = VGroup(*maps).arrange(RIGHT, buff=GAP)
        shape = label(f"output {fmt_shape((o, o, k))}: one map per filter", th, color=th.output)
        self.place_in_content(VGroup(row, shape).arrange(DOWN, buff=0.4))
        self.play(*fade_in(*maps, shape), run_time=1.0)
        self.finish_reading()

        self.narrate("volume")
        self.clear_content()
        v = t["volume"]
        rgb = [[[v["image"][ch][r][c] for ch in range(3)] for c in range(len(v["image"][0]))]
               for r in range(len(v["image"][0]))]
        photo = titled(ColorField(rgb, 3.6, 3.6), f"photo {fmt_shape(v['input_shape'][1:] + v['input_shape'][:1])}",
                       th, color=th.input)
        cols = k if k <= 3 else (k + 1) // 2
        msize = min(2.1, (self.content_width - 4.6 - GAP * cols) / cols)
        big = VGroup(*(titled(self._field(mp, msize), f"map {m + 1}", th, color=th.output)
                       for m, mp in enumerate(v["maps"]))).arrange_in_grid(cols=cols, buff=0.25)
        shape = label(f"{fmt_shape(v['output_shape'][1:] + v['output_shape'][:1])}", th, color=th.output)
        right = VGroup(big, shape).arrange(DOWN, buff=0.3)
        self.place_in_content(VGroup(photo, right).arrange(RIGHT, buff=0.8))
        self.play(*fade_in(photo), run_time=0.6)
        self.play(*fade_in(right), run_time=0.8)
        self.finish_reading()

    # -- part 2: the output size for strides 1, 2, 3 and padding --------------------------------
    def size_part(self, t: ConvolutionData) -> None:
        th = self.theme
        n, f = t["input_size"], t["kernel"]
        self.set_title("Output size")
        cell = min(0.55, (self.content_height - 1.6) / (n + 2 * t["same_padding"]["padding"]))
        grid = Grid([[None] * n for _ in range(n)], th, cell, colors=th.input)
        numbers = VGroup(*(label(str(c), th, size=BODY_SIZE, color=th.muted).next_to(grid.square(n - 1, c), DOWN, 0.12)
                           for c in range(n)))  # the captions name windows by their first column
        grid_t = titled(VGroup(grid, numbers), f"input {fmt_shape((n, n))}", th, color=th.input)
        rule = label("output = (N \u2212 F) / S + 1", th, mono=True)
        self._size_layout(grid_t, rule)
        self.narrate("size_rule")
        window = grid.outline(grid.block(0, 0, f, f), th.highlight)
        self.play(*fade_in(grid_t, rule), Create(window), run_time=0.8)
        self.finish_reading()
        shown: list = [rule]
        for case in t["sizes"]:
            self.narrate(f"stride_{case['stride']}")
            o = case["output"]
            out = Grid([[None] * o for _ in range(o)], th, cell, colors=th.faint)
            out_t = titled(out, f"output {fmt_shape((o, o))}" + ("" if case["fits"] else " (floored)"), th,
                           color=th.output)
            formula = label(f"({n} \u2212 {f}) / {case['stride']} + 1 = {fmt_num(case['exact'])}", th, mono=True,
                            color=th.output if case["fits"] else th.extra)
            self._size_layout(grid_t, formula, out_t)
            self.play(*fade_out(*shown), *fade_in(formula, out_t), window.animate.move_to(self._block(grid, 0, 0, f)),
                      run_time=0.6)
            for i, start in enumerate(case["window_starts"]):
                self.play(window.animate.move_to(self._block(grid, 0, start, f)),
                          out.square(0, i).animate.set_fill(th.output, th.fill_opacity()), run_time=0.5)
            extras = []
            if case["next_start"] is not None:  # the stride does not fit: where the next window would be
                off = Rectangle(width=f * cell * 0.97, height=f * cell * 0.97).set_stroke(th.extra, 5)
                off.move_to(grid.square(0, 0).get_center() + RIGHT * (case["next_start"] + (f - 1) / 2) * cell
                            + DOWN * (f - 1) / 2 * cell)
                unused = grid.cells([(r, c) for r in range(n) for c in range(n - case["unused"], n)])
                # both stay until the next step: the caption explains them
                self.play(Create(off), unused.animate.set_fill(th.extra, 0.6), run_time=0.8)
                extras = [off]
            self.play(*(out.square(r, c).animate.set_fill(th.output, th.fill_opacity())
                        for r in range(1, o) for c in range(o)), run_time=0.6)
            self.finish_reading()
            shown = [formula, out_t, *extras]

        sp = t["same_padding"]
        self.narrate("padding")
        pp, side = sp["padding"], sp["padded_size"]
        roles = [[th.input if pp <= r < side - pp and pp <= c < side - pp else th.faint for c in range(side)]
                 for r in range(side)]
        padded = Grid([[None] * side for _ in range(side)], th, cell, colors=roles)
        padded_t = titled(padded, f"input {fmt_shape((n, n))}, padding {pp} \u2192 {fmt_shape((side, side))}", th,
                          color=th.input)
        o = sp["output"]
        out = Grid([[None] * o for _ in range(o)], th, cell, colors=th.output)
        out_t = titled(out, f"output {fmt_shape((o, o))}", th, color=th.output)
        formula = label(f"({n} + 2\u00b7{pp} \u2212 {f}) / 1 + 1 = {o}", th, mono=True, color=th.output)
        self._size_layout(padded_t, formula, out_t)
        self.play(*fade_out(*shown, grid_t, window), *fade_in(padded_t, formula, out_t), run_time=0.8)
        window = padded.outline(padded.block(0, 0, f, f), th.highlight)
        self.play(Create(window), run_time=0.4)
        for start in range(1, o):
            self.play(window.animate.move_to(self._block(padded, 0, start, f)), run_time=0.25)
        self.finish_reading()

    @staticmethod
    def _block(grid: Grid, r: int, c: int, f: int) -> VGroup:
        return VGroup(*(grid.square(*rc) for rc in grid.block(r, c, f, f)))

    def _size_layout(self, grid_t: VGroup, formula, out_t: VGroup | None = None) -> None:
        """The input on the left, the formula in the middle, the output on the right, in the content area."""
        items = [grid_t, formula] + ([out_t] if out_t is not None else [])
        row = VGroup(*items).arrange(RIGHT, buff=0.6)
        fit_width(row, self.content_width)
        row.set_x(0).set_y((self.content_top + self.content_bottom) / 2)
        formula.set_y(grid_t[1].get_y())

    # -- part 3: max pooling on each map ------------------------------------------------------
    def pooling_part(self, t: ConvolutionData) -> None:
        th, pl = self.theme, t["pooling"]
        o, q, ps = t["output_size"], pl["output_size"], pl["size"]
        shown = pl["shown_maps"]
        self.set_title("Max pooling")
        cell = min(0.7, (self.content_height - 1.4) / o, (self.content_width - 1.2 * shown) / (shown * (o + q)))
        maps = [Grid(t["maps"][m], th, cell, colors=th.output) for m in range(shown)]
        pooled = [Grid([[None] * q for _ in range(q)], th, cell, colors=th.output,
                       widest=[v for row in pl["output"][m] for v in row]) for m in range(shown)]
        pairs = [VGroup(titled(mp, f"map {m + 1}", th, color=th.output),
                        titled(pd, f"pooled {m + 1}", th, color=th.output)).arrange(RIGHT, buff=0.4, aligned_edge=DOWN)
                 for m, (mp, pd) in enumerate(zip(maps, pooled))]
        layout = VGroup(*pairs).arrange(RIGHT, buff=0.9)
        self.place_in_content(layout, max_height=self.content_height - 0.8)
        self.narrate("pool_intro")
        self.play(*fade_in(*(pair[0] for pair in pairs)), run_time=0.8)
        self.finish_reading()

        window = maps[0].outline(maps[0].block(0, 0, ps, ps), th.highlight, width=3)
        best = maps[0].outline([(pl["argmax"][0][0][0], pl["argmax"][0][0][1])], th.highlight, width=10)  # the maximum: a thicker frame
        self.narrate("pool_first")
        self.play(*fade_in(*(pair[1] for pair in pairs)), Create(window), run_time=0.6)
        self.play(Create(best), run_time=0.5)
        self._pool_value(maps[0], pooled[0], 0, pl["output"][0], pl["argmax"][0][0], run_time=0.8)
        self.finish_reading()

        self.narrate("pool_sweep")
        jobs = [(m, i) for m in range(shown) for i in range(q * q) if (m, i) != (0, 0)]
        for (m, i), run_time in zip(jobs, sweep_durations(len(jobs) + 1, 1, fast_total=5.0, fast_max=0.9)):
            origin = pl["window_origins"][i]
            target = self._block(maps[m], origin[0], origin[1], ps)
            arg = pl["argmax"][m][i]
            self.play(window.animate.move_to(target), best.animate.move_to(maps[m].square(*arg)), run_time=run_time * 0.5)
            self._pool_value(maps[m], pooled[m], i, pl["output"][m], arg, run_time=run_time * 0.5)
        self.finish_reading()

        self.narrate("pool_result")
        shape = label(f"{fmt_shape((o, o, t['filters']))} \u2192 {fmt_shape((q, q, t['filters']))}", th, color=th.output)
        shape.next_to(layout, DOWN, buff=0.35)
        self.play(*fade_out(window, best), *fade_in(shape), run_time=0.6)
        self.finish_reading()

    def _pool_value(self, src: Grid, dst: Grid, i: int, output, arg, run_time: float) -> None:
        """Copy the window's maximum into pooled cell ``i``."""
        q = dst.n_cols
        r, c = divmod(i, q)
        value = dst.make_value(r, c, output[r][c])
        source = src.value(*arg)
        assert source is not None  # every map cell shows its value
        self.play(TransformFromCopy(source, value), run_time=run_time)
        self.remove(value)
        dst.attach_value(r, c, value)

    # -- part 4: a real photo through hand-made filters -----------------------------------------------
    def real_part(self, t: ConvolutionData) -> None:
        th, real = self.theme, t["real"]
        side = len(real["image"])
        self.set_title("Filters on a real photo")
        image = [[[v, v, v] for v in row] for row in real["image"]]  # brightness as grey levels
        photo = titled(framed(ColorField(image, 4.6, 4.6), th), f"photo {fmt_shape((side, side))}", th,
                       color=th.input)
        panels, maps = [], []
        for f in real["filters"]:
            kernel = titled(heat_fill(Grid(f["shown"], th, 0.55), f["shown"], th, signed=True),
                            f["name"] + (f" \u00f7{f['divisor']}" if f["divisor"] != 1 else ""), th, color=th.weight)
            heat = framed(ColorField(signed_rgb(f["map"], th, f["scale"]), 2.3, 2.3), th)
            maps.append(heat)
            panels.append(VGroup(kernel, heat).arrange(RIGHT, buff=0.25))
        grid = VGroup(*panels).arrange_in_grid(rows=2, buff=(0.5, 0.4))
        self.place_in_content(VGroup(photo, grid).arrange(RIGHT, buff=0.7))
        self.narrate("real_intro")
        self.play(*fade_in(photo), run_time=0.8)
        self.finish_reading()
        self.narrate("real_filters")
        self.play(*fade_in(*(p[0] for p in panels)), run_time=1.0)
        self.finish_reading()
        self.narrate("real_edges")
        self.play(*fade_in(*maps[:2]), run_time=1.0)
        self.finish_reading()
        self.narrate("real_smooth")
        self.play(*fade_in(*maps[2:]), run_time=1.0)
        self.finish_reading()
        if real["learned"] is not None:
            self._learned(real["learned"], grid)

    def _learned(self, learned, hand: VGroup) -> None:
        """The digits CNN's learned filters (as colours: their weights are not whole numbers) and their maps,
        where the hand-made ones were."""
        th = self.theme
        kernels, maps, panels = [], [], []  # built first, faded in step by step
        for i, f in enumerate(learned["filters"]):
            kernels.append(framed(ColorField(signed_rgb(f["weights"], th), 1.0, 1.0), th))
            maps.append(framed(ColorField(signed_rgb(f["map"], th, f["scale"]), 2.1, 2.1), th))
            panels.append(titled(VGroup(kernels[-1], maps[-1]).arrange(RIGHT, buff=0.2), f"filter {i}: sum {fmt_num(f['weight_sum'])}",
                                 th, color=th.weight))
        group = VGroup(*panels).arrange_in_grid(rows=2, buff=(0.45, 0.4))
        group.scale(min(hand.width / group.width, hand.height / group.height)).move_to(hand)
        self.narrate("real_learned")
        self.play(*fade_out(hand), run_time=0.6)
        self.play(*fade_in(*(p[0] for p in panels), *kernels), run_time=1.0)
        self.finish_reading()
        self.narrate("real_learned_maps")
        self.play(*fade_in(*maps), run_time=1.0)
        self.finish_reading()
