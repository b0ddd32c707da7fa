"""CNN scene: reads a Trace, draws it; computes nothing.

Colour roles: images (the digit, patches, dreams) are ink in the input colour; activation maps,
filters and gradients use the house's diverging scale (style/heatmap.py: below zero input, above
zero weight), each layer on one scale; probabilities are output bars, the prediction and the
window being looked at the highlight.
"""
from __future__ import annotations

from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Create,
    FadeIn,
    GrowFromEdge,
    LaggedStart,
    Polygon,
    Rectangle,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
)

from ...style.animations import fade_in, fade_out
from ...style.heatmap import ColorField, framed, heat_fill, ink_rgb, signed_legend, signed_rgb
from ...style.mobjects import BODY_SIZE, Grid, fit_width, label, titled
from ...style.numbers import fmt_num, fmt_pct, fmt_shape
from ...style.scene import DeepvizScene
from .schema import CnnData, Layer

GAP = 0.3
MAPS_WIDTH = 3.6  # units: the pooled maps left of the flattened vector
VECTOR_WIDTH = 0.45  # units: the flattened vector, a tall column
FC_WIDTH = 1.8  # units: the linear layer's band between the vector and the scores
SCORE_WIDTH = 1.3  # units: a score cell
BAR_LENGTH = 2.6  # units: the largest probability
TITLES = {"forward": "A trained CNN: the forward pass", "filters": "A trained CNN: the first layer's filters",
          "features": "A trained CNN: what each channel looks for", "saliency": "A trained CNN: which pixels matter",
          "dream": "A trained CNN: dreaming up inputs"}



class CnnScene(DeepvizScene):
    concept = "cnn"

    def construct(self) -> None:
        t: CnnData = self.trace.data
        self.set_title(TITLES[t["part"]])
        getattr(self, f"{t['part']}_part")(t)
        self.wait(1.0)

    # -- pictures -------------------------------------------------------------------------------
    def ink(self, image, side: float) -> VGroup:
        """An image with values 0..1 (a digit, a patch, a dream) as ink in the input colour."""
        return framed(ColorField(ink_rgb(image, self.theme), side, side), self.theme)

    def heat(self, values, side: float, scale: float | None = None, height: float | None = None) -> VGroup:
        """Signed values on the diverging scale (one ``scale`` for a whole layer), ``side`` on the longer side
        (or ``side`` wide and ``height`` high)."""
        rows, cols = len(values), len(values[0])
        width = side * cols / max(rows, cols)
        return framed(ColorField(signed_rgb(values, self.theme, scale), width,
                                 height or side * rows / max(rows, cols)), self.theme)

    def digit_panel(self, t: CnnData, side: float) -> VGroup:
        return titled(self.ink(t["input"], side), f"test digit {t['digit']}: a {t['label']}", self.theme,
                      color=self.theme.input)

    def map_grid(self, layer: Layer, width: float, height: float, rows: int = 2) -> VGroup:
        """Every channel of a layer, numbered, on the layer's one colour scale, in ``rows`` rows."""
        maps = layer["maps"]
        cols = (len(maps) + rows - 1) // rows
        side = min((width - GAP * (cols - 1)) / cols, (height - 0.9) / rows - 0.35)
        tiles = [titled(self.heat(m, side, layer["scale"]), str(n + 1), self.theme, size=BODY_SIZE, buff=0.08)
                 for n, m in enumerate(maps)]
        grid = VGroup(*tiles).arrange_in_grid(rows=rows, buff=(GAP, 0.2))
        return titled(grid, f"{layer['name']}  {fmt_shape(layer['shape'])}", self.theme, color=self.theme.output)

    # -- forward: every channel of every layer ------------------------------------------------------
    def forward_part(self, t: CnnData) -> None:
        th = self.theme
        big = self.digit_panel(t, 4.2)
        small = titled(self.ink(t["original"], 2.4), "scikit-learn's 8\u00d78", th, color=th.muted)
        acc = label(f"held out: {t['correct']} of {t['test_size']} right ({fmt_pct(t['accuracy'])})", th, color=th.output)
        self.place_in_content(VGroup(VGroup(small, big).arrange(RIGHT, buff=0.8), acc).arrange(DOWN, buff=0.35))
        self.narrate("intro")
        self.play(*fade_in(small, big, acc), run_time=1.0)
        self.finish_reading()

        left = self.digit_panel(t, 3.2)
        right_w = self.content_width - left.width - 0.6
        shown = None
        for layer in t["layers"]:
            grid = self.map_grid(layer, right_w, self.content_height)
            row = VGroup(left, grid).arrange(RIGHT, buff=0.6)
            self.place_in_content(row)
            self.narrate(layer["name"])
            if shown is None:
                self.play(*fade_out(small, big, acc), run_time=0.5)
                self.play(*fade_in(left, grid), run_time=1.0)
            else:
                self.play(*fade_out(shown), *fade_in(grid), run_time=1.0)
            shown = grid
            self.finish_reading()
        assert shown is not None  # the trace has every layer
        self.forward_head(t, left, shown)

    def forward_head(self, t: CnnData, left: VGroup, pooled: VGroup) -> None:
        """Flatten, the linear layer's scores and the softmax, left to right across the frame: the pooled maps
        unroll into one tall vector, which the fc layer turns into ten scores, which the softmax turns into
        probabilities."""
        th = self.theme
        k, last = t["predicted"], t["layers"][-1]
        maps = self.map_grid(last, MAPS_WIDTH, self.content_height, rows=4)
        vector, segments = self.flat_vector(t)
        scores, logits, classes = self.score_column(t)
        fc = self.fc_block(t, vector, logits)
        bars = self.probability_bars(t, logits)
        verdict = label(f"prediction: {k}", th, color=th.highlight).next_to(bars[2], RIGHT, buff=0.4)
        layout = VGroup(maps, vector, fc, scores, bars, verdict)
        maps.next_to(vector, LEFT, buff=1.3)
        VGroup(scores, bars, verdict).next_to(vector, RIGHT, buff=FC_WIDTH)
        fc.become(self.fc_block(t, vector, logits))
        self.place_in_content(layout)

        # the scores' places and classes wait on the right from the start: where the numbers are going
        slots = VGroup(scores.submobjects[0], logits.squares.copy().set_fill(opacity=0), classes)

        self.narrate("flatten")
        self.play(*fade_out(left), ReplacementTransform(pooled, maps), *fade_in(slots), run_time=0.8)
        fields = [tile[1][0] for tile in maps[1]]  # each channel's map (titled, framed)
        self.play(LaggedStart(*(TransformFromCopy(f, seg) for f, seg in zip(fields, segments)), lag_ratio=0.15),
                  *fade_in(vector[0], vector[2]), run_time=2.0)
        self.remove(*segments)
        self.add(vector)
        self.finish_reading()
        self.narrate("logits")
        self.play(*fade_in(fc), run_time=0.6)
        self.play(*fade_in(logits), run_time=0.8)
        self.remove(slots[1])
        self.play(Create(logits.outline([(k, 0)], th.highlight)), run_time=0.5)
        self.finish_reading()
        self.narrate("softmax")
        self.play(*(GrowFromEdge(bar, LEFT) for bar in bars[0]), *fade_in(bars[1], bars[2], verdict), run_time=1.0)
        self.finish_reading()

    def flat_vector(self, t: CnnData) -> tuple[VGroup, list[ColorField]]:
        """Flatten's output as one tall column, a stretch of 16 per channel (each map row by row): (the column
        with its title and its first and last values, the stretches)."""
        th, flat, last = self.theme, t["flat"], t["layers"][-1]
        per = len(flat) // len(last["maps"])
        height = self.content_height - 0.9
        segments = [ColorField(signed_rgb([[v] for v in flat[i:i + per]], th, last["scale"]), VECTOR_WIDTH,
                               height * per / len(flat)) for i in range(0, len(flat), per)]
        column = framed(VGroup(*segments).arrange(DOWN, buff=0), th)
        title = label(f"flatten: {len(flat)}", th, color=th.output).next_to(column, UP, buff=0.15)
        ends = VGroup(*(label(f"x{i + 1} = {fmt_num(flat[i])}", th, size=BODY_SIZE, color=th.muted)
                        .next_to(column, LEFT, buff=0.12).align_to(column, edge)
                        for i, edge in ((0, UP), (len(flat) - 1, DOWN))))
        return VGroup(title, column, ends), segments

    def score_column(self, t: CnnData) -> tuple[VGroup, Grid, VGroup]:
        """The ten logits as a column of cells, each class named on its right: (the titled column, the cells, the
        class names)."""
        th, k = self.theme, t["predicted"]
        cell = (self.content_height - 1.0) / 10
        values = [[v] for v in t["logits"]]
        logits = heat_fill(Grid(values, th, cell, cell_width=SCORE_WIDTH), values, th, signed=True)
        classes = VGroup(*(label(str(c), th, color=th.highlight if c == k else th.foreground)
                           .next_to(logits.square(c, 0), RIGHT, buff=0.15) for c in range(10)))
        return titled(VGroup(logits, classes), "fc: 10 scores", th, color=th.output), logits, classes

    def fc_block(self, t: CnnData, vector: VGroup, logits: Grid) -> VGroup:
        """The linear layer between the vector and the score cells: a band joining their edges, with its weights'
        shape."""
        th, col = self.theme, vector[1]
        band = Polygon(col.get_corner(UR), logits.get_corner(UL), logits.get_corner(DL), col.get_corner(DR))
        band.set_stroke(th.weight, 2).set_fill(th.weight, 0.15)
        name = label(f"W: {len(t['logits'])}\u00d7{len(t['flat'])}", th, size=BODY_SIZE, color=th.weight)
        return VGroup(band, fit_width(name, band.width * 0.8).move_to(band))

    def probability_bars(self, t: CnnData, logits: Grid) -> VGroup:
        """The softmax as horizontal bars beside the scores, each with its percentage (the largest BAR_LENGTH
        long): (bars, labels, title)."""
        th, k = self.theme, t["predicted"]
        bars, labels = VGroup(), VGroup()
        x0 = logits.get_right()[0] + 0.9  # past the class names, and the titles apart
        top = max(t["probabilities"])
        for c, p in enumerate(t["probabilities"]):
            color = th.highlight if c == k else th.output
            bar = Rectangle(width=max(0.02, p / top * BAR_LENGTH), height=logits.cell * 0.6)
            bar.set_stroke(color, 2).set_fill(color, th.fill_opacity() + 0.3)
            bars.add(bar.move_to((x0, logits.square(c, 0).get_y(), 0), aligned_edge=LEFT))
            labels.add(label(fmt_pct(p), th, size=BODY_SIZE, color=color).next_to(bar, RIGHT, buff=0.1))
        title = label("softmax", th, color=th.output).next_to(bars, UP, buff=0.2).align_to(bars, LEFT)
        return VGroup(bars, labels, title)

    # -- filters: the first layer's kernels and their maps ------------------------------------------------
    def filters_part(self, t: CnnData) -> None:
        th, f = self.theme, t["filters"]
        conv1, relu1 = t["layers"][0], t["layers"][1]
        intro = self.digit_panel(t, 4.6)
        self.place_in_content(intro)
        self.narrate("intro")
        self.play(*fade_in(intro), run_time=0.8)
        self.finish_reading()

        n = len(f["weights"])
        width = (self.content_width - 0.3 * (n - 1)) / n
        cell = width / 3
        top = max(abs(v) for w in f["weights"] for row in w for v in row)
        every = [v for w in f["weights"] for row in w for v in row]  # one font size for all filters
        grids = [heat_fill(Grid(w, th, cell, fmt=lambda v: fmt_num(v, 1), widest=every), w, th, signed=True,
                           scale=top) for w in f["weights"]]
        kernels = [titled(g, f"filter {i + 1}", th, color=th.weight) for i, g in enumerate(grids)]
        maps = [self.heat(m, width, conv1["scale"]) for m in conv1["maps"]]
        relus = [self.heat(m, width, conv1["scale"]) for m in relu1["maps"]]
        kinds = [label(k.split(" ", 1)[1].replace(" ", "\n"), th, size=BODY_SIZE, color=th.muted)
                 for k in f["kinds"]]
        columns = [VGroup(k, m, kd).arrange(DOWN, buff=0.25) for k, m, kd in zip(kernels, maps, kinds)]
        layout = VGroup(*columns).arrange(RIGHT, buff=0.3, aligned_edge=UP)
        self.place_in_content(layout)
        for r, m in zip(relus, maps):
            r.move_to(m)
        self.narrate("filters")
        self.play(*fade_out(intro), run_time=0.4)
        self.play(*fade_in(*kernels), run_time=1.0)
        self.finish_reading()
        self.narrate("maps")
        self.play(*fade_in(*maps), run_time=1.0)
        self.finish_reading()
        boxes = [Rectangle(width=c.width + 0.2, height=c.height + 0.2).set_stroke(th.highlight, 4).move_to(c)
                 for c in columns]
        frame = boxes[0]
        for i, box in enumerate(boxes):
            self.narrate(f"filter_{i + 1}")
            self.play(frame.animate.move_to(box) if i else Create(frame), *fade_in(kinds[i]), run_time=0.6)
            self.finish_reading()
        self.narrate("relu")
        self.play(*fade_out(*maps, frame), *fade_in(*relus), run_time=1.0)
        self.finish_reading()

    # -- features: top-activating patches of conv2's channels -------------------------------------------
    def features_part(self, t: CnnData) -> None:
        th, f = self.theme, t["features"]
        ch = f["channel"]
        items = f["channels"][ch - 1]
        first = items[0]
        side = 5.0
        big = self.ink(f["digits"][0], side)
        px = side / 16
        field = self._field_box(big, first["field"], f["side"], px, th.highlight)
        r, c = first["unit"]
        small = self._field_box(big, [r * 2 - 1, c * 2 - 1], 3, px, th.weight)  # a conv1 unit's 3x3 window there
        keys = VGroup(label(f"conv2 unit: {f['side']}\u00d7{f['side']}", th, color=th.highlight),
                      label("conv1 unit: 3\u00d73", th, color=th.weight)).arrange(DOWN, aligned_edge=LEFT)
        self.place_in_content(VGroup(VGroup(big, field, small), keys).arrange(RIGHT, buff=0.6))
        self.narrate("field")
        self.play(*fade_in(big), run_time=0.6)
        self.play(Create(field), Create(small), *fade_in(keys), run_time=1.0)
        self.finish_reading()

        k = len(items)
        width = min(2.6, (self.content_width - GAP * (k - 1)) / k)
        cols = []
        for it, image in zip(items, f["digits"]):
            img = self.ink(image, width)
            box = self._field_box(img, it["field"], f["side"], width / 16, th.highlight)
            top = titled(VGroup(img, box), f"digit {it['digit']}\npeak {fmt_num(it['activation'])}", th,
                         size=BODY_SIZE)
            cols.append(VGroup(top, self.ink(it["patch"], width)).arrange(DOWN, buff=0.3))
        row = VGroup(*cols).arrange(RIGHT, buff=GAP, aligned_edge=UP)
        head = label(f"conv2 channel {ch}: its top {k} test digits", th, color=th.output)
        self.place_in_content(VGroup(head, row).arrange(DOWN, buff=0.3))
        self.narrate("channel")
        self.play(*fade_out(big, field, small, keys), run_time=0.5)
        self.play(*fade_in(head, *(c[0] for c in cols)), run_time=1.0)
        self.finish_reading()
        self.narrate("patches")
        self.play(*(FadeIn(c[1], shift=DOWN * 0.3) for c in cols), run_time=1.0)
        self.finish_reading()

        self.narrate("all")
        self.play(*fade_out(head, *cols), run_time=0.5)
        half = (len(f["channels"]) + 1) // 2
        panels = []
        for n, chan in enumerate(f["channels"]):
            name = label(str(n + 1), th, color=th.highlight if n + 1 == ch else th.output)
            panels.append(VGroup(name, *(self.ink(it["patch"], 1.0) for it in chan)).arrange(RIGHT, buff=0.12))
        grid = VGroup(*panels).arrange_in_grid(rows=half, cols=2, buff=(0.8, 0.15), col_alignments="ll",
                                               flow_order="dr")
        head = label("conv2 channels: top test patches", th, color=th.output)
        self.place_in_content(VGroup(head, grid).arrange(DOWN, buff=0.25))
        self.play(*fade_in(head, *panels), run_time=1.2)
        self.finish_reading()

    @staticmethod
    def _field_box(img: VGroup, field, size: int, px: float, color: str) -> Rectangle:
        """A frame around a receptive field (input rows top.., columns left..), clipped to the image."""
        top, left = field
        r0, c0 = max(top, 0), max(left, 0)
        r1, c1 = min(top + size, 16), min(left + size, 16)
        box = Rectangle(width=(c1 - c0) * px, height=(r1 - r0) * px).set_stroke(color, 4).set_fill(opacity=0)
        corner = img.get_corner(UP + LEFT)
        return box.move_to(corner + RIGHT * (c0 + c1) / 2 * px + DOWN * (r0 + r1) / 2 * px)

    # -- saliency: the gradient and the occlusion map -------------------------------------------------
    def saliency_part(self, t: CnnData) -> None:
        th, s = self.theme, t["saliency"]
        o = s["occlusion"]
        side = 3.8
        digit = self.digit_panel(t, side)
        prob = label(f"class {s['target']}: {fmt_pct(t['probabilities'][s['target']])}", th, color=th.output)
        grad = titled(self.heat(s["gradient"], side, s["scale"]), f"\u2202 score {s['target']} / \u2202 input", th,
                      color=th.gradient)
        grad_key = signed_legend(th, s["scale"], side)
        drop_scale = max(abs(v) for row in o["drop"] for v in row) or 1.0
        empty = [[0.0] * len(o["starts"]) for _ in o["starts"]]
        occ_field = ColorField(signed_rgb(empty, th, drop_scale), side, side)
        occ = titled(framed(occ_field, th), f"probability drop, {o['size']}\u00d7{o['size']} patch", th,
                     color=th.output)
        occ_key = signed_legend(th, drop_scale, side, fmt=fmt_pct)
        cols = [VGroup(digit, prob).arrange(DOWN, buff=0.25), VGroup(grad, grad_key).arrange(DOWN, buff=0.2),
                VGroup(occ, occ_key).arrange(DOWN, buff=0.2)]
        layout = VGroup(*cols).arrange(RIGHT, buff=0.7, aligned_edge=UP)
        self.place_in_content(layout)
        self.narrate("intro")
        self.play(*fade_in(cols[0]), run_time=0.8)
        self.finish_reading()
        self.narrate("gradient")
        self.play(*fade_in(cols[1]), run_time=1.0)
        self.finish_reading()

        self.narrate("occlusion")
        img = digit[1]
        px = img.width / 16
        patch = Rectangle(width=o["size"] * px, height=o["size"] * px).set_stroke(th.highlight, 3)
        patch.set_fill(th.muted, 0.9)
        corner = img.get_corner(UP + LEFT)
        place = lambda r, c: corner + RIGHT * (c + o["size"] / 2) * px + DOWN * (r + o["size"] / 2) * px  # noqa: E731
        patch.move_to(place(0, 0))
        self.play(*fade_in(cols[2], patch), run_time=0.8)
        filled = [row[:] for row in empty]
        rows = len(o["starts"])
        for i, r in enumerate(o["starts"]):
            filled[i] = o["drop"][i]
            colors = signed_rgb(filled, th, drop_scale)
            self.play(patch.animate.move_to(place(r, o["starts"][-1])), run_time=max(0.2, 4.0 / rows))
            occ_field.set_colors(colors)
            if i + 1 < rows:
                patch.move_to(place(o["starts"][i + 1], 0))
        self.finish_reading()
        self.narrate("drop")
        w0, w1 = o["worst"]
        patch.move_to(place(w0, w1))
        cell = side / rows
        i0, i1 = o["starts"].index(w0), o["starts"].index(w1)
        mark = Rectangle(width=cell, height=cell).set_stroke(th.highlight, 4).move_to(
            occ_field.box.get_corner(UP + LEFT) + RIGHT * (i1 + 0.5) * cell + DOWN * (i0 + 0.5) * cell)
        self.play(Create(mark), run_time=0.6)
        self.finish_reading()

    # -- dream: activation maximisation -------------------------------------------------------------
    def dream_part(self, t: CnnData) -> None:
        th, d = self.theme, t["dream"]
        j = d["target"]
        name = f"class {j}" if d["of"] == "class" else f"channel {j + 1}"
        snaps = d["snapshots"]
        n = len(snaps)
        side = min(2.6, (self.content_width - GAP * (n - 1)) / n)
        score = "score" if d["of"] == "class" else "mean"

        def tile(snap, size: float) -> VGroup:
            return VGroup(titled(self.ink(snap["image"], size), f"step {snap['step']}", th, size=BODY_SIZE),
                          label(f"{score} {fmt_num(snap['score'])}", th, size=BODY_SIZE, color=th.output)
                          ).arrange(DOWN, buff=0.15)

        tiles = [tile(snap, side) for snap in snaps]
        row = VGroup(*tiles).arrange(RIGHT, buff=GAP, aligned_edge=UP)
        head = label(f"maximise {name}'s {score} \u2212 {fmt_num(d['l2'])}\u00b7\u2016x\u2016\u00b2", th,
                     color=th.highlight)
        self.place_in_content(VGroup(head, row).arrange(DOWN, buff=0.4))
        row_head = head.get_center()
        blank = tile(snaps[0], 4.2)
        self.place_in_content(VGroup(head, blank).arrange(DOWN, buff=0.4))
        self.narrate("start")
        self.play(*fade_in(head, blank), run_time=0.8)
        self.finish_reading()
        self.narrate("ascent")
        self.play(ReplacementTransform(blank, tiles[0]), head.animate.move_to(row_head), run_time=0.8)
        for t_ in tiles[1:]:
            self.play(FadeIn(t_, shift=RIGHT * 0.3), run_time=0.7)
        self.finish_reading()

        self.narrate("gallery")
        count = len(d["final"])
        cols = (count + 1) // 2
        side = min(2.3, (self.content_width - GAP * (cols - 1)) / cols, (self.content_height - 1.6) / 2)
        word = "class" if d["of"] == "class" else "channel"
        finals = []
        for i, img in enumerate(d["final"]):
            caption = (f"seen as {d['predicted'][i]}, {fmt_pct(d['confidence'][i])}" if d["of"] == "class"
                       else f"mean {fmt_num(d['scores'][i])}")
            finals.append(VGroup(titled(self.ink(img, side), f"{word} {i if d['of'] == 'class' else i + 1}", th,
                                        size=BODY_SIZE, color=th.highlight if i == j else th.foreground),
                                 label(caption, th, size=BODY_SIZE, color=th.output)).arrange(DOWN, buff=0.1))
        grid = VGroup(*finals).arrange_in_grid(rows=2, buff=(GAP, 0.3))
        self.place_in_content(grid)
        self.play(*fade_out(head, *tiles), run_time=0.5)
        self.play(*fade_in(*finals), run_time=1.2)
        self.finish_reading()
