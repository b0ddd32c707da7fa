"""Pooling scene: reads a Trace, draws it; computes nothing.

Colour roles: the maps' cells are input, pooled maps output, the window and the chosen maximum
the highlight, gradients the gradient role; padding cells are faint.
"""
from __future__ import annotations

from manim import DOWN, RIGHT, Arrow, Create, FadeIn, ReplacementTransform, TransformFromCopy, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import Grid, fit_width, label, titled
from ...style.numbers import MINUS, fmt_num, fmt_shape
from ...style.scene import DeepvizScene, sweep_durations
from .schema import PoolingData

GAP = 0.8
NEG_INF = float("-inf")


def cell_text(v: float) -> str:
    return f"{MINUS}\u221e" if v == NEG_INF else fmt_num(v)


class PoolingScene(DeepvizScene):
    concept = "pooling"

    def construct(self) -> None:
        t: PoolingData = self.trace.data
        {"forward": self.forward_part, "global": self.global_part, "backward": self.backward_part}[t["part"]](t)
        self.wait(1.0)

    def padded_map(self, t: PoolingData, m: int, cell: float) -> Grid:
        """Map ``m`` with its padding drawn: faint cells holding what pooling sees there."""
        n, p = t["input_size"], t["padding"]
        side = n + 2 * p
        pad = None if t["mode"] == "max" else 0.0  # max: never chosen, drawn empty (the caption says so)
        inside = lambda r, c: p <= r < n + p and p <= c < n + p  # noqa: E731
        values = [[t["maps"][m][r - p][c - p] if inside(r, c) else pad for c in range(side)] for r in range(side)]
        th = self.theme
        return Grid(values, th, cell, fmt=cell_text,
                    colors=[[th.input if inside(r, c) else th.faint for c in range(side)] for r in range(side)],
                    value_colors=[[th.foreground if inside(r, c) else th.muted for c in range(side)]
                                  for r in range(side)])

    # -- forward: window by window on each map ---------------------------------------------------
    def forward_part(self, t: PoolingData) -> None:
        th = self.theme
        k, o, p = t["kernel"], t["output_size"], t["padding"]
        count = t["shown_maps"]
        side = t["input_size"] + 2 * p
        self.set_title("Max pooling" if t["mode"] == "max" else "Average pooling")
        cell = min(0.75, (self.content_height - 1.3) / side)
        wide = 1.0 if t["mode"] == "max" else 1.4  # room for means such as 5.75
        cell = min(cell, (self.content_width - GAP * (2 * count - 1)) / (count * (side + o * wide)))
        maps = [self.padded_map(t, m, cell) for m in range(count)]
        pooled = [Grid([[None] * o for _ in range(o)], th, cell, cell_width=cell * wide, colors=th.output,
                       widest=[v for row in t["output"][m] for v in row]) for m in range(count)]
        pairs = [VGroup(titled(mp, f"map {m + 1}", th, color=th.input),
                        titled(pd, f"pooled {m + 1}", th, color=th.output)).arrange(RIGHT, buff=0.4, aligned_edge=DOWN)
                 for m, (mp, pd) in enumerate(zip(maps, pooled))]
        layout = VGroup(*pairs).arrange(RIGHT, buff=GAP)
        self.place_in_content(layout, max_height=self.content_height - 0.8)
        self.narrate("intro")
        self.play(*fade_in(*(pair[0] for pair in pairs)), run_time=0.8)
        self.finish_reading()

        windows = t["windows"]
        w0 = windows[0]
        window = maps[0].outline(self._cells(w0["origin"], k, p), th.highlight, width=3)
        best = maps[0].outline([self._at(w0["argmax"][0], p)], th.highlight, width=10)
        self.narrate("first")
        self.play(*fade_in(*(pair[1] for pair in pairs)), Create(window), run_time=0.6)
        if t["mode"] == "max":
            self.play(Create(best), run_time=0.5)
        formula = self._formula(t, 0, 0).next_to(layout, DOWN, buff=0.35)
        self.play(*fade_in(formula), run_time=0.5)
        self._copy(maps[0], pooled[0], t, 0, 0, run_time=0.8)
        self.finish_reading()

        self.narrate("sweep")
        self.play(*fade_out(formula), run_time=0.3)
        jobs = [(m, i) for m in range(count) for i in range(len(windows)) if (m, i) != (0, 0)]
        for (m, i), run_time in zip(jobs, sweep_durations(len(jobs) + 1, 1, fast_total=6.0, fast_max=0.9)):
            w = windows[i]
            moves = [window.animate.move_to(self._block(maps[m], w["origin"], k, p))]
            if t["mode"] == "max":
                moves.append(best.animate.move_to(maps[m].square(*self._at(w["argmax"][m], p))))
            self.play(*moves, run_time=run_time * 0.5)
            self._copy(maps[m], pooled[m], t, m, i, run_time=run_time * 0.5)
        self.finish_reading()

        self.narrate("result")
        count_n = t["input_size"]
        every = len(t["maps"])
        shape = label(f"{fmt_shape((count_n, count_n, every))} \u2192 {fmt_shape((o, o, every))}", th,
                      color=th.output).next_to(layout, DOWN, buff=0.35)
        self.play(*fade_out(window, *([best] if t["mode"] == "max" else [])), *fade_in(shape), run_time=0.6)
        self.finish_reading()

    @staticmethod
    def _at(rc, p: int) -> tuple[int, int]:
        return rc[0] + p, rc[1] + p

    def _cells(self, origin, k: int, p: int) -> list[tuple[int, int]]:
        r0, c0 = self._at(origin, p)
        return [(r0 + a, c0 + b) for a in range(k) for b in range(k)]

    def _block(self, grid: Grid, origin, k: int, p: int) -> VGroup:
        return VGroup(*(grid.square(*rc) for rc in self._cells(origin, k, p)))

    def _formula(self, t: PoolingData, m: int, i: int):
        """The first window's pooling as a formula over its cells' values."""
        w, k, p = t["windows"][i], t["kernel"], t["padding"]
        n = t["input_size"]
        vals = []
        for r, c in self._cells(w["origin"], k, p):
            r, c = r - p, c - p
            inside = 0 <= r < n and 0 <= c < n
            vals.append(t["maps"][m][r][c] if inside else (NEG_INF if t["mode"] == "max" else 0.0))
        items = ", ".join(cell_text(v) for v in vals)
        r, c = w["output_cell"]
        if t["mode"] == "max":
            text = f"max({items}) = {fmt_num(t['output'][m][r][c])}"
        else:
            text = f"({' + '.join(cell_text(v) for v in vals)}) / {k * k} = {fmt_num(t['output'][m][r][c])}"
        return fit_width(label(text, self.theme, mono=True, color=self.theme.output), self.content_width)

    def _copy(self, src: Grid, dst: Grid, t: PoolingData, m: int, i: int, run_time: float) -> None:
        """The pooled value of window ``i`` of map ``m`` into its output cell: from the maximum, or from the window."""
        w = t["windows"][i]
        r, c = w["output_cell"]
        value = dst.make_value(r, c, t["output"][m][r][c])
        if t["mode"] == "max":
            source = src.value(*self._at(w["argmax"][m], t["padding"]))
            assert source is not None
            self.play(TransformFromCopy(source, value), run_time=run_time)
        else:
            self.play(FadeIn(value, shift=RIGHT * 0.2), run_time=run_time)
        self.remove(value)
        dst.attach_value(r, c, value)

    # -- global average pooling ---------------------------------------------------------------------
    def global_part(self, t: PoolingData) -> None:
        th = self.theme
        n, count = t["input_size"], len(t["maps"])
        self.set_title("Global average pooling")
        cell = min(0.8, (self.content_height - 2.6) / n, (self.content_width - GAP * (count - 1)) / (count * n))
        maps = [titled(Grid(m, th, cell, colors=th.input), f"map {i + 1}", th, color=th.input)
                for i, m in enumerate(t["maps"])]
        means = [Grid([[v]], th, cell * 1.4, colors=th.output) for v in t["global_avg"]]
        row = VGroup(*maps).arrange(RIGHT, buff=GAP)
        self.place_in_content(VGroup(row, VGroup(*means)).arrange(DOWN, buff=1.2))
        arrows = []
        for mp, mean in zip(maps, means):
            mean.next_to(mp, DOWN, buff=1.0)
            arrows.append(Arrow(mp.get_bottom(), mean.get_top(), buff=0.1, stroke_width=4).set_color(th.output))
        self.narrate("intro")
        self.play(*fade_in(*maps), run_time=0.8)
        self.finish_reading()
        self.narrate("global")
        for mp, mean, arrow in zip(maps, means, arrows):
            frame = mp[1].frame_around(th.highlight)
            self.play(Create(frame), run_time=0.4)
            self.play(Create(arrow), FadeIn(mean, shift=DOWN * 0.3), frame.animate.set_stroke(opacity=0), run_time=0.8)
            self.remove(frame)
        self.finish_reading()
        self.narrate("result")
        vector = Grid([t["global_avg"]], th, cell * 1.4, colors=th.output)
        vec_t = titled(vector, f"{count} numbers", th, color=th.output)
        layout = VGroup(row.copy(), vec_t).arrange(RIGHT, buff=1.2)
        self.place_in_content(layout)
        vec_t.move_to(layout[1])
        self.play(*fade_out(*arrows), row.animate.replace(layout[0]),
                  *(TransformFromCopy(mean, vector.cells([(0, i)])) for i, mean in enumerate(means)), run_time=1.0)
        self.play(*fade_out(*means), *fade_in(vec_t[0]), run_time=0.5)
        self.add(vec_t)
        self.finish_reading()

    # -- backward: max routes, average spreads --------------------------------------------------------
    def backward_part(self, t: PoolingData) -> None:
        th, b = self.theme, t["backward"]
        k, p, n, o = t["kernel"], t["padding"], t["input_size"], t["output_size"]
        self.set_title("Pooling backwards")
        cell = min(0.8, (self.content_height - 1.6) / n, (self.content_width - 3 * GAP) / (3 * n + o))
        x = Grid(t["maps"][0], th, cell, colors=th.input)
        up = Grid(b["upstream"], th, cell, colors=th.gradient)
        max_g = Grid([[None] * n for _ in range(n)], th, cell, colors=th.faint, widest=[v for r in b["max_grad"] for v in r])
        avg_g = Grid([[None] * n for _ in range(n)], th, cell, colors=th.faint, widest=[v for r in b["avg_grad"] for v in r])
        panels = [titled(x, "map", th, color=th.input), titled(up, "gradient in", th, color=th.gradient),
                  titled(max_g, "through max", th, color=th.gradient),
                  titled(avg_g, "through average", th, color=th.gradient)]
        layout = VGroup(*panels).arrange(RIGHT, buff=GAP)
        self.place_in_content(layout)
        # the map first on its own, big; then in its place among the gradients
        intro = panels[0].copy().scale(min(4.8 / panels[0].height, 2.0)).move_to(layout)
        self.narrate("intro")
        frames = VGroup(*(x.outline(self._cells(w["origin"], k, p), th.highlight, width=3) for w in t["windows"][:1]))
        self.play(*fade_in(intro), run_time=0.8)
        self.finish_reading()
        self.narrate("upstream")
        self.play(ReplacementTransform(intro, panels[0]), run_time=0.8)
        self.play(*fade_in(panels[1], panels[2], panels[3]), Create(frames), run_time=0.8)
        self.finish_reading()

        self.narrate("max")
        targets = [tuple(w["argmax"][0]) for w in t["windows"]]
        movers = [max_g.make_value(r, c, b["upstream"][w["output_cell"][0]][w["output_cell"][1]])
                  for w, (r, c) in zip(t["windows"], targets)]
        sources = [up.cells([(w["output_cell"][0], w["output_cell"][1])])[1] for w in t["windows"]]  # the values
        self.play(*(TransformFromCopy(src, mover) for src, mover in zip(sources, movers)),
                  *(max_g.square(*rc).animate.set_fill(th.gradient, th.fill_opacity()) for rc in set(targets)),
                  run_time=1.0)
        self.remove(*movers)
        for r in range(n):
            for c in range(n):
                max_g.set_value(r, c, b["max_grad"][r][c])
        self.play(*fade_in(max_g.values), run_time=0.5)
        self.finish_reading()

        self.narrate("average")
        for w in t["windows"]:
            cells = [(r - p, c - p) for r, c in self._cells(w["origin"], k, p)
                     if p <= r < n + p and p <= c < n + p]
            self.play(*(avg_g.square(*rc).animate.set_fill(th.gradient, th.fill_opacity()) for rc in cells),
                      frames.animate.move_to(self._block(x, w["origin"], k, p)),
                      run_time=min(0.6, 4.0 / len(t["windows"])))
        for r in range(n):
            for c in range(n):
                avg_g.set_value(r, c, b["avg_grad"][r][c])
        self.play(*fade_in(avg_g.values), run_time=0.5)
        self.finish_reading()
