"""Transposed convolution scene: reads a Trace, draws it; computes nothing.

Colour roles tie the two halves together: input cells have the direct input's shape, output
cells are the direct output y (the transposed convolution's input), the kernel is a weight;
inserted zeros, the extra (output) padding and the never-reached cells have their own roles.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    FadeIn,
    Indicate,
    Line,
    Succession,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    smooth,
    squish_rate_func,
)

from ...style.animations import fade_in, fade_out
from ...style.lint import opacity
from ...style.mobjects import BODY_SIZE, Grid, fit_width, label, titled
from ...style.numbers import fmt_num, fmt_pair, fmt_shape
from ...style.scene import DeepvizScene, sweep_durations
from .schema import Step, Transposed, TransposedConvData

GAP = 0.7  # units between the grids of a row
MAX_CELL = 0.8
TEXT_SPACE = 1.3  # units kept under the grids for the multiply-accumulate line and formulas
DETAILED_STEPS = 2
FADE_SHARE = 0.45  # of a fast step: the value fades in; then the window moves on


class TransposedConvScene(DeepvizScene):
    concept = "transposed-conv"

    def setup(self) -> None:
        super().setup()
        self.sweep_records: list[dict[str, dict[tuple[int, int], int]]] = []

    def construct(self) -> None:
        t: TransposedConvData = self.trace.data
        self.set_title("Convolution")
        y_grid = self.direct_part(t)
        self.set_title("Transposed convolution")
        self.transposed_part(t, y_grid)
        if t["matrix"]["shown"]:
            self.set_title("Convolution as a matrix")
            self.matrix_part(t)
        self.wait(1.0)

    # -- layout ----------------------------------------------------------------------------
    def _cell_sizes(self, grids: list[tuple[int, int]]) -> list[float]:
        """Cell sizes for a row of grids (rows, cols): the first (the swept input) sets a
        common size; the smaller grids after it grow into the room left, for legibility."""
        usable_w = self.content_width - GAP * (len(grids) - 1)
        usable_h = self.content_height - 0.5 - TEXT_SPACE
        base = min(MAX_CELL, usable_w / sum(c for _, c in grids), usable_h / max(r for r, _ in grids))
        rest_cols = sum(c for _, c in grids[1:])
        room = (usable_w - grids[0][1] * base) / rest_cols
        return [base] + [max(base, min(MAX_CELL, room, usable_h / r)) for r, _ in grids[1:]]

    def _layout_row(self, *items: VGroup) -> VGroup:
        """Grids side by side; the row and the text space under it centred in the content area."""
        group = VGroup(*items).arrange(RIGHT, buff=GAP)
        fit_width(group, self.content_width)
        middle = (self.content_top + self.content_bottom) / 2
        group.set_x(0).set_y(middle + TEXT_SPACE / 2)
        return group

    def _relabel(self, titled_group: VGroup, text: str, color: str) -> list:
        """Cross-fade a grid's label to ``text``, centred above the grid (a morph between
        two different strings reads badly)."""
        old = titled_group[0]
        new = label(text, self.theme, color=color)
        fit_width(new, min(self.content_width / 2, max(titled_group[1].width * 1.6, 2.4)))
        self.keep_in_content(new.move_to(old).set_x(titled_group[1].get_x()))
        titled_group.submobjects[0] = new
        return [*fade_out(old), *fade_in(new)]

    # -- the sweep shared by both halves --------------------------------------------------
    def _sweep(self, src: Grid, dst: Grid, steps: list[Step], kshape, dilation, anchor: VGroup,
               narrate_detail: str, narrate_fast: str | None) -> None:
        """Slide the kernel footprint over ``src``, filling ``dst`` cell by cell."""
        th = self.theme
        first = steps[0]["window_origin"]
        window = src.outline(src.block(first[0], first[1], kshape[0], kshape[1], dilation), th.weight)
        cell0 = steps[0]["output_cell"]
        out_mark = dst.outline([(cell0[0], cell0[1])], th.highlight)
        watch = self._watch_sweep(src, dst, steps, kshape, dilation, window)
        self.add_updater(watch)
        self.narrate(narrate_detail)
        mac = None
        detailed = steps[:DETAILED_STEPS]
        for n, step in enumerate(detailed):
            lhs, _, total = step["text"].rpartition(" = ")
            new_mac = VGroup(label(lhs + " =", th, size=BODY_SIZE, mono=True),
                             label(total, th, size=BODY_SIZE, color=th.output, mono=True)).arrange(RIGHT, buff=0.15)
            fit_width(new_mac, self.content_width)
            new_mac.next_to(anchor, DOWN, buff=0.35).set_x(0)
            # one play per step: fewer plays render faster (each redraws the static frame)
            reach = ([Create(window), Create(out_mark)] if n == 0
                     else [*self._move(src, dst, window, out_mark, kshape, dilation, step), *fade_out(mac)])  # pyright: ignore[reportArgumentType]
            self.play(*reach, *fade_in(new_mac), run_time=0.7)
            mac = new_mac
            r, c = step["output_cell"]
            value = dst.make_value(r, c, step["sum"], th.foreground)
            self.play(TransformFromCopy(mac[1], value), run_time=0.7)
            self.remove(value)  # the copy landed top-level; it belongs to the grid
            dst.attach_value(r, c, value)
            if n < len(detailed) - 1:
                self.wait(0.6)
        self.finish_reading()
        rest = steps[DETAILED_STEPS:]
        if rest:
            if narrate_fast:
                self.narrate(narrate_fast)
            assert mac is not None  # the detailed steps came first
            self._fast_sweep(src, dst, window, out_mark, kshape, dilation, rest, mac,
                             sweep_durations(len(steps), DETAILED_STEPS))
            if narrate_fast:
                self.finish_reading()
        else:
            self.play(*fade_out(mac), run_time=0.3)  # pyright: ignore[reportArgumentType]  # cells hold values here
        self.play(*fade_out(window, out_mark), run_time=0.4)
        self.remove_updater(watch)

    def _fast_sweep(self, src: Grid, dst: Grid, window, out_mark, kshape, dilation, rest: list[Step], mac,
                    durations: list[float]) -> None:
        """The steps after the detailed ones, one play each: the value under the window fades in, then the
        window moves on (a play costs a redraw of every mobject on screen, so one play a step, not two).

        The window still arrives before its value appears: it lands at the end of one play and the value
        fades in at the start of the next (the first play fades the multiply-accumulate line instead).
        """
        fade, move = squish_rate_func(smooth, 0.0, FADE_SHARE), squish_rate_func(smooth, FADE_SHARE, 1.0)
        leaving, landed = fade_out(mac, rate_func=fade), None  # landed: the cell under the window, its value
        for step, run_time in zip(rest, durations):
            self.play(*leaving, *self._move(src, dst, window, out_mark, kshape, dilation, step, rate_func=move),
                      run_time=run_time)
            self._attach(dst, landed)
            r, c = step["output_cell"]
            landed = ((r, c), dst.make_value(r, c, step["sum"], self.theme.foreground))
            leaving = fade_in(landed[1], rate_func=fade)
        assert landed is not None  # rest is not empty
        self.play(*fade_in(landed[1]), run_time=durations[-1] * FADE_SHARE)
        self._attach(dst, landed)

    def _attach(self, dst: Grid, landed) -> None:
        """A value faded in on its own becomes its cell's."""
        if landed is not None:
            (r, c), value = landed
            self.remove(value)
            dst.attach_value(r, c, value)

    def _watch_sweep(self, src: Grid, dst: Grid, steps, kshape, dilation, window):
        """A scene updater recording, frame by frame, the first frame at which each output cell's
        window is shown and at which its value is visible (``self.sweep_records``, for the tests:
        a cell is never written before its window reaches it)."""
        centres = {tuple(st["output_cell"]): _window_centre(src, kshape, dilation, st) for st in steps}
        record: dict[str, dict[tuple[int, int], int]] = {"shown": {}, "written": {}}
        self.sweep_records.append(record)
        frame = [0]

        def watch(dt: float) -> None:
            frame[0] += 1
            at = window.get_center()
            for cell, centre in centres.items():
                if np.allclose(at, centre, atol=1e-3):
                    record["shown"].setdefault(cell, frame[0])
            for cell in centres:
                value = dst.value(*cell)
                if value is not None and opacity(value) > 0.05:
                    record["written"].setdefault(cell, frame[0])

        return watch

    @staticmethod
    def _move(src: Grid, dst: Grid, window, out_mark, kshape, dilation, step, **anim_args):
        """Animations moving the kernel window and the output marker to ``step`` (``anim_args``: e.g. a
        rate function).

        Targets are absolute positions, so moves built ahead of time (in a Succession) chain.
        """
        centre = _window_centre(src, kshape, dilation, step)
        return (window.animate(**anim_args).move_to(centre),
                out_mark.animate(**anim_args).move_to(dst.square(*step["output_cell"])))

    # -- part 1: the direct convolution -----------------------------------------------------
    def direct_part(self, t: TransposedConvData) -> Grid:
        th, dr = self.theme, t["direct"]
        (ih, iw), (ph, pw) = t["input_size"], t["padding"]
        padded = dr["padded_input"]
        hp, wp = len(padded), len(padded[0])
        roles = dr["cell_roles"]
        inside = {(r, c) for r in range(hp) for c in range(wp) if roles[r][c] == "input"}
        colors = [[th.input if (r, c) in inside else th.faint for c in range(wp)] for r in range(hp)]
        value_colors = [[th.foreground if (r, c) in inside else th.muted for c in range(wp)] for r in range(hp)]
        oh, ow = t["output_size"]
        kh, kw = t["kernel_size"]
        cell, k_cell, o_cell = self._cell_sizes([(hp, wp), (kh, kw), (oh, ow)])

        src = Grid(padded, th, cell, colors=colors, value_colors=value_colors)
        kernel = Grid(dr["kernel"], th, k_cell, colors=th.weight)
        dst = Grid([[None] * ow for _ in range(oh)], th, o_cell, colors=th.output, widest=_flat(dr["output"]))
        src_t = titled(src, f"input {fmt_shape((ih, iw))}", th, color=th.input)
        ker_t = titled(kernel, f"kernel {fmt_shape((kh, kw))}\n{_steps_text(t['stride'], t['dilation'])}", th,
                       color=th.weight)
        dst_t = titled(dst, f"output {fmt_shape((oh, ow))}", th, color=th.output)
        layout = self._layout_row(src_t, ker_t, dst_t)

        self.narrate("intro")
        self.play(*fade_in(src.cells(sorted(inside)), src_t[0], ker_t, dst_t), run_time=0.8)
        self.finish_reading()
        self.narrate("padding")
        pad_cells = [(r, c) for r in range(hp) for c in range(wp) if (r, c) not in inside]
        if pad_cells:
            relabel = self._relabel(src_t, f"input {fmt_shape((ih, iw))}, padding {fmt_pair((ph, pw))} \u2192 "
                                             f"{fmt_shape((hp, wp))}", th.input)
            self.play(*fade_in(src.cells(pad_cells)), *relabel, run_time=1.0)
        self.finish_reading()
        self._sweep(src, dst, dr["steps"], (kh, kw), t["dilation"], layout, "first_step", "sweep")

        self.narrate("size")
        lines = VGroup(*(label(f["text"], th, size=BODY_SIZE, mono=True) for f in dr["size_formula"]))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        fit_width(lines, self.content_width).next_to(layout, DOWN, buff=0.35).set_x(0)
        self.play(*fade_in(lines), run_time=0.6)
        self.finish_reading()
        if "floor" in self.trace.narration:
            self.narrate("floor")
            # the floor case on the picture: the cells the window never reached, in the extra colour
            unreached = [src.square(r, c) for r, c in dr["unreached"]]
            if unreached:
                self.play(*(sq.animate.set_fill(th.extra, 0.8) for sq in unreached), run_time=0.8)
                self.play(Indicate(VGroup(*unreached), color=th.extra, scale_factor=1.08), run_time=1.0)
            for f, line in zip(dr["size_formula"], lines):
                if len(f["inputs_with_same_output"]) > 1:
                    self.play(Indicate(line, color=th.highlight), run_time=0.8)
            self.finish_reading()
        self.clear_content(keep=[dst_t])
        return dst_t  # pyright: ignore[reportReturnType]  # cells hold values here

    # -- part 2: the transposed convolution as a direct one --------------------------------
    def transposed_part(self, t: TransposedConvData, y_group: VGroup) -> None:
        th, tr = self.theme, t["transposed"]
        y = tr["input"]
        oh, ow = len(y), len(y[0])
        padded = tr["padded_input"]
        hp, wp = len(padded), len(padded[0])
        roles = tr["cell_roles"]
        y_cells = [(r, c) for r in range(hp) for c in range(wp) if roles[r][c] == "y"]
        y_pos = {cell: divmod(n, ow) for n, cell in enumerate(y_cells)}  # row-major, as y's cells
        inserted = {(r, c) for r in range(hp) for c in range(wp) if roles[r][c] == "inserted"}
        extra = {(r, c) for r in range(hp) for c in range(wp) if roles[r][c] == "extra"}
        inner_h, inner_w = tr["zero_inserted_size"]
        role = {(r, c): {"inserted": "ins", "padding": "pad"}.get(roles[r][c], roles[r][c])
                for r in range(hp) for c in range(wp)}
        fill = {"y": th.output, "ins": th.inserted, "extra": th.extra, "pad": th.faint}
        colors = [[fill[role[(r, c)]] for c in range(wp)] for r in range(hp)]
        value_colors = [[th.foreground if role[(r, c)] == "y" else th.muted for c in range(wp)] for r in range(hp)]
        kh, kw = t["kernel_size"]
        xh, xw = len(tr["full_output"]), len(tr["full_output"][0])  # before any crop
        cell, k_cell, o_cell = self._cell_sizes([(hp, wp), (kh, kw), (xh, xw)])

        src = Grid(padded, th, cell, colors=colors, value_colors=value_colors)
        kernel = Grid(t["direct"]["kernel"], th, k_cell, colors=th.weight)
        rotated = Grid(tr["kernel_rotated"], th, k_cell, colors=th.weight)
        dst = Grid([[None] * xw for _ in range(xh)], th, o_cell, colors=th.input, widest=_flat(tr["full_output"]))
        src_t = titled(src, f"y {fmt_shape((oh, ow))}", th, color=th.output)
        ker_t = titled(kernel, f"kernel, rotated\n{_steps_text((1, 1), t['dilation'])}", th, color=th.weight)
        dst_t = titled(dst, f"output {fmt_shape(tr['output_size'])}", th, color=th.input)
        layout = self._layout_row(src_t, ker_t, dst_t)
        rotated.move_to(kernel)

        # y moves into place; its cells become the y-cells of the modified input.
        self.narrate("transposed_intro")
        y_grid: Grid = y_group[1]  # pyright: ignore[reportAssignmentType]  # cells hold values here
        moves = []
        for (r, c), (yr, yc) in y_pos.items():
            value = y_grid.value(yr, yc)
            assert value is not None  # every cell of y shows its value
            moves.append(y_grid.square(yr, yc).animate.move_to(src.square(r, c)).scale(cell / y_grid.cell))
            moves.append(value.animate.move_to(src.square(r, c)).scale(cell / y_grid.cell))
        self.play(*moves, *fade_out(y_group[0]), *fade_in(src_t[0], ker_t, dst_t), run_time=1.2)
        self.remove(*y_group.get_family())  # every part: some were added on their own by the sweep
        self.add(src.cells(sorted(y_pos)))
        self.finish_reading()

        self.narrate("insert")
        if inserted:
            relabel = self._relabel(src_t, f"y {fmt_shape((oh, ow))}, zeros inserted \u2192 "
                                           f"{fmt_shape((inner_h, inner_w))}", th.output)
            self.play(*fade_in(src.cells(sorted(inserted))), *relabel, run_time=0.8)
        self.finish_reading()
        self.narrate("t_padding")
        ring = sorted(set(role) - set(y_pos) - inserted)
        if ring:
            relabel = self._relabel(src_t, f"y {fmt_shape((oh, ow))}, zeros inserted, padded \u2192 "
                                           f"{fmt_shape((hp, wp))}", th.output)
            self.play(*fade_in(src.cells(ring)), *relabel, run_time=0.8)
        if extra:
            self.play(Indicate(src.cells(sorted(extra)), color=th.extra, scale_factor=1.05), run_time=0.8)
        self.finish_reading()

        self.narrate("rotate")
        self.play(*(kernel.square(u, v).animate.move_to(rotated.square(kh - 1 - u, kw - 1 - v))
                    for u in range(kh) for v in range(kw)),
                  *(kernel.value(u, v).animate.move_to(rotated.square(kh - 1 - u, kw - 1 - v))  # pyright: ignore[reportOptionalMemberAccess]
                    for u in range(kh) for v in range(kw)), run_time=1.2)
        self.remove(kernel)
        self.add(rotated)
        self.finish_reading()
        if "why_padding" in self.trace.narration:
            self.why_padding(t, src, rotated, y_cells[0], layout)
        self._sweep(src, dst, tr["steps"], (kh, kw), t["dilation"], layout, "t_sweep", None)
        if "crop" in self.trace.narration:
            self.crop(tr, dst)

        self.narrate("t_result")
        lines = VGroup(*(label(f["text"], th, size=BODY_SIZE, mono=True) for f in tr["size_formula"]))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        fit_width(lines, self.content_width).next_to(layout, DOWN, buff=0.35).set_x(0)
        kept = self._kept(tr, dst)
        self.play(*fade_in(lines), Create(SurroundingRectangle(kept, color=th.input, buff=0.06)), run_time=0.8)
        self.finish_reading()

    @staticmethod
    def _kept(tr: Transposed, dst: Grid) -> VGroup:
        """The squares of the full result that conv_transpose2d keeps (all of them without a crop)."""
        (ch, cw), (xh, xw) = tr["crop"], tr["output_size"]
        return VGroup(*(dst.square(r, c) for r in range(ch, ch + xh) for c in range(cw, cw + xw)))

    def why_padding(self, t: TransposedConvData, src: Grid, rotated: Grid, y00: tuple[int, int], layout) -> None:
        """The crux of k - p - 1: x'[0,0]'s window puts y[0,0] under the weight that joined x[0,0] to y[0,0]."""
        th = self.theme
        kh, kw = t["kernel_size"]
        corner_tap = t["transposed"]["corner_tap"]
        assert corner_tap is not None  # the narration has this step only when a tap joins the corners
        u, v = corner_tap
        tap = (kh - 1 - u, kw - 1 - v)  # the same weight in the rotated kernel
        self.narrate("why_padding")
        window = src.outline(src.block(0, 0, kh, kw, t["dilation"]), th.weight)
        self.play(Create(window), run_time=0.8)
        marks = VGroup(src.outline([y00], th.highlight, width=7), rotated.outline([tap], th.highlight, width=7))
        link = Line(src.square(*y00).get_right(), rotated.square(*tap).get_left()).set_stroke(th.highlight, 3, 0.7)
        w = t["direct"]["kernel"][u][v]
        note = label(f"window of x\u2032[0,0]: y[0,0] \u00d7 w[{u},{v}] = y[0,0] \u00d7 {fmt_num(w)}, as x[0,0] met y[0,0]", th,
                     size=BODY_SIZE, color=th.highlight)
        fit_width(note, self.content_width).next_to(layout, DOWN, buff=0.35).set_x(0)
        self.play(Create(marks), Create(link), run_time=1.0)
        self.play(*fade_in(note), run_time=0.6)
        self.finish_reading()
        self.play(*fade_out(window, marks, link, note), run_time=0.5)

    def crop(self, tr: Transposed, dst: Grid) -> None:
        """conv_transpose2d's crop of the full result when the padding exceeds k' - 1."""
        th = self.theme
        self.narrate("crop")
        kept = self._kept(tr, dst)
        dropped = [sq for sq in dst.squares if all(sq is not k for k in kept)]
        gone = VGroup(*dropped, *(v for r in range(dst.n_rows) for c in range(dst.n_cols)
                                  if all(dst.square(r, c) is not k for k in kept) and (v := dst.value(r, c)) is not None))
        self.play(Create(SurroundingRectangle(kept, color=th.input, buff=0.06)), run_time=0.8)
        self.play(gone.animate.set_opacity(0.15), run_time=1.0)
        self.finish_reading()

    # -- part 3: the matrix view --------------------------------------------------------------
    def matrix_part(self, t: TransposedConvData) -> None:
        th, m = self.theme, t["matrix"]
        C = m["C"]
        rows, cols = len(C), len(C[0])
        self.clear_content()
        cell = min(0.5, (self.content_width - 3 * GAP) / (cols + 2), (self.content_height - 1.6) / (rows + 2))
        values = [[v if v != 0 else None for v in row] for row in C]
        colors = [[th.weight if v != 0 else th.faint for v in row] for row in C]
        mat = Grid(values, th, cell, colors=colors)
        x_row = Grid([m["x_flat"]], th, cell, colors=th.input)
        y_col = Grid([[v] for v in m["y_flat"]], th, cell, colors=th.output)
        xt_row = Grid([[None] * cols], th, cell, colors=th.input, widest=m["CT_y"])
        x_row.next_to(mat, UP, buff=cell * 0.6)
        y_col.next_to(mat, RIGHT, buff=GAP)
        xt_row.next_to(mat, DOWN, buff=cell * 0.6)
        x_lab = label("x (flattened)", th, color=th.input).next_to(x_row, LEFT, buff=0.2)
        c_lab = label(f"C  {rows}\u00d7{cols}", th, color=th.weight).next_to(mat, LEFT, buff=0.2)
        y_lab = label("y = C x", th, color=th.output).next_to(y_col, UP, buff=0.2)
        xt_lab = label("C\u1d40 y", th, color=th.input).next_to(xt_row, LEFT, buff=0.2)
        group = VGroup(mat, x_row, y_col, xt_row, x_lab, c_lab, y_lab, xt_lab)
        self.place_in_content(group)

        self.narrate("matrix")
        self.play(*fade_in(mat, c_lab, x_row, x_lab), run_time=0.8)
        self.play(*fade_in(y_col.squares, y_lab), run_time=0.4)
        row_mark = mat.outline([(0, c) for c in range(cols)], th.highlight, width=3)
        self.play(Create(row_mark), run_time=0.4)
        anims = []
        for r, run_time in zip(range(rows), [0.5] * rows):
            anims.append(AnimationGroup(row_mark.animate.move_to(VGroup(*(mat.square(r, c) for c in range(cols)))),  # pyright: ignore[reportArgumentType]
                                        FadeIn(y_col.value(r, 0)), run_time=run_time))  # pyright: ignore[reportArgumentType]
        self.play(Succession(*anims))
        self.play(*fade_out(row_mark), run_time=0.3)
        self.finish_reading()

        self.narrate("matrix_t")
        self.play(*fade_in(xt_row.squares, xt_lab), run_time=0.4)
        col_mark = mat.outline([(r, 0) for r in range(rows)], th.highlight, width=3)
        self.play(Create(col_mark), run_time=0.4)
        anims = []
        for c, run_time in zip(range(cols), sweep_durations(cols + 1, 1, fast_total=6.0)):
            value = xt_row.make_value(0, c, m["CT_y"][c])
            xt_row.attach_value(0, c, value)
            anims.append(AnimationGroup(col_mark.animate.move_to(VGroup(*(mat.square(r, c) for r in range(rows)))),  # pyright: ignore[reportArgumentType]
                                        FadeIn(value), run_time=run_time))
        self.play(Succession(*anims))
        self.play(*fade_out(col_mark), run_time=0.3)
        self.finish_reading()


def _window_centre(src: Grid, kshape, dilation, step: dict[str, Any]):
    """Where the kernel window's centre lies when it covers ``step``'s cells of ``src``."""
    r, c = step["window_origin"]
    last = (r + (kshape[0] - 1) * dilation[0], c + (kshape[1] - 1) * dilation[1])
    return (src.square(r, c).get_center() + src.square(*last).get_center()) / 2


def _flat(nested: list[list[float]]) -> list[float]:
    return [v for row in nested for v in row]


def _steps_text(stride, dilation) -> str:
    """'stride 2' (and ', dilation 2' when dilated), the kernel's movement under its label."""
    text = f"stride {fmt_pair(stride)}"
    return text + (f", dilation {fmt_pair(dilation)}" if max(dilation) > 1 else "")
