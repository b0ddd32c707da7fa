"""Transposed convolution scene: reads a Trace, draws it; computes nothing.

Colours tie the two halves together: blue cells have the direct input's shape, green cells
are the direct output y (the transposed convolution's input), orange is the kernel.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, AnimationGroup, Create, FadeIn, Indicate, Succession, TransformFromCopy, VGroup

from ...style.animations import fade_in, fade_out
from ...style.mobjects import BODY_SIZE, Grid, fit_width, label, titled
from ...style.numbers import fmt_pair, fmt_shape
from ...style.scene import DeepvizScene, sweep_durations
from .schema import Step, TransposedConvData

GAP = 0.7  # units between the grids of a row
MAX_CELL = 0.8
TEXT_SPACE = 1.3  # units kept under the grids for the multiply-accumulate line and formulas
DETAILED_STEPS = 2


class TransposedConvScene(DeepvizScene):
    concept = "transposed-conv"

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
        window = src.outline(src.block(first[0], first[1], kshape[0], kshape[1], dilation), th.kernel)
        cell0 = steps[0]["output_cell"]
        out_mark = dst.outline([(cell0[0], cell0[1])], th.highlight)
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
            moves = []
            for step, run_time in zip(rest, sweep_durations(len(steps), DETAILED_STEPS)):
                r, c = step["output_cell"]
                value = dst.make_value(r, c, step["sum"], th.foreground)
                dst.attach_value(r, c, value)
                moves.append(AnimationGroup(*self._move(src, dst, window, out_mark, kshape, dilation, step), FadeIn(value),
                                            run_time=run_time))
            self.play(*fade_out(mac), Succession(*moves))  # pyright: ignore[reportArgumentType]
            if narrate_fast:
                self.finish_reading()
        else:
            self.play(*fade_out(mac), run_time=0.3)  # pyright: ignore[reportArgumentType]  # cells hold values here
        self.play(*fade_out(window, out_mark), run_time=0.4)

    @staticmethod
    def _move(src: Grid, dst: Grid, window, out_mark, kshape, dilation, step):
        """Animations moving the kernel window and the output marker to ``step``.

        Targets are absolute positions, so moves built ahead of time (in a Succession) chain.
        """
        r, c = step["window_origin"]
        last = (r + (kshape[0] - 1) * dilation[0], c + (kshape[1] - 1) * dilation[1])
        centre = (src.square(r, c).get_center() + src.square(*last).get_center()) / 2
        return window.animate.move_to(centre), out_mark.animate.move_to(dst.square(*step["output_cell"]))

    # -- part 1: the direct convolution -----------------------------------------------------
    def direct_part(self, t: TransposedConvData) -> Grid:
        th, dr = self.theme, t["direct"]
        (ih, iw), (ph, pw) = t["input_size"], t["padding"]
        padded = dr["padded_input"]
        hp, wp = len(padded), len(padded[0])
        inside = {(r, c) for r in range(ph, ph + ih) for c in range(pw, pw + iw)}
        colors = [[th.input if (r, c) in inside else th.faint for c in range(wp)] for r in range(hp)]
        value_colors = [[th.foreground if (r, c) in inside else th.muted for c in range(wp)] for r in range(hp)]
        oh, ow = t["output_size"]
        kh, kw = t["kernel_size"]
        cell, k_cell, o_cell = self._cell_sizes([(hp, wp), (kh, kw), (oh, ow)])

        src = Grid(padded, th, cell, colors=colors, value_colors=value_colors)
        kernel = Grid(dr["kernel"], th, k_cell, colors=th.kernel)
        dst = Grid([[None] * ow for _ in range(oh)], th, o_cell, colors=th.output, widest=_flat(dr["output"]))
        src_t = titled(src, f"input {fmt_shape((ih, iw))}", th, color=th.input)
        ker_t = titled(kernel, f"kernel {fmt_shape((kh, kw))}\n{_steps_text(t['stride'], t['dilation'])}", th,
                       color=th.kernel)
        dst_t = titled(dst, f"output {fmt_shape((oh, ow))}", th, color=th.output)
        layout = self._layout_row(src_t, ker_t, dst_t)

        self.narrate("intro")
        self.play(*fade_in(src.cells(sorted(inside)), src_t[0], ker_t), run_time=0.8)
        self.finish_reading()
        self.narrate("padding")
        pad_cells = [(r, c) for r in range(hp) for c in range(wp) if (r, c) not in inside]
        if pad_cells:
            relabel = self._relabel(src_t, f"input {fmt_shape((ih, iw))}, padding {fmt_pair((ph, pw))} \u2192 "
                                             f"{fmt_shape((hp, wp))}", th.input)
            self.play(*fade_in(src.cells(pad_cells)), *relabel, run_time=1.0)
        self.finish_reading()
        self.play(*fade_in(dst_t), run_time=0.5)
        self._sweep(src, dst, dr["steps"], (kh, kw), t["dilation"], layout, "first_step", "sweep")

        self.narrate("size")
        lines = VGroup(*(label(f["text"], th, size=BODY_SIZE, mono=True) for f in dr["size_formula"]))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        fit_width(lines, self.content_width).next_to(layout, DOWN, buff=0.35).set_x(0)
        self.play(*fade_in(lines), run_time=0.6)
        self.finish_reading()
        if "floor" in self.trace.narration:
            self.narrate("floor")
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
        sh, sw = t["stride"]
        (pth, ptw), (ah, aw) = tr["padding"], tr["output_padding"]
        padded = tr["padded_input"]
        hp, wp = len(padded), len(padded[0])
        y_pos = {(pth + r * sh, ptw + c * sw): (r, c) for r in range(oh) for c in range(ow)}
        inner_h, inner_w = (oh - 1) * sh + 1, (ow - 1) * sw + 1
        inserted = {(r, c) for r in range(pth, pth + inner_h) for c in range(ptw, ptw + inner_w)} - set(y_pos)
        extra = {(r, c) for r in range(hp) for c in range(wp) if r >= hp - ah or c >= wp - aw}
        role = {}
        for r in range(hp):
            for c in range(wp):
                role[(r, c)] = ("y" if (r, c) in y_pos else "ins" if (r, c) in inserted
                                else "extra" if (r, c) in extra else "pad")
        fill = {"y": th.output, "ins": th.inserted, "extra": th.extra, "pad": th.faint}
        colors = [[fill[role[(r, c)]] for c in range(wp)] for r in range(hp)]
        value_colors = [[th.foreground if role[(r, c)] == "y" else th.muted for c in range(wp)] for r in range(hp)]
        kh, kw = t["kernel_size"]
        xh, xw = tr["output_size"]
        cell, k_cell, o_cell = self._cell_sizes([(hp, wp), (kh, kw), (xh, xw)])

        src = Grid(padded, th, cell, colors=colors, value_colors=value_colors)
        kernel = Grid(t["direct"]["kernel"], th, k_cell, colors=th.kernel)
        rotated = Grid(tr["kernel_rotated"], th, k_cell, colors=th.kernel)
        dst = Grid([[None] * xw for _ in range(xh)], th, o_cell, colors=th.input, widest=_flat(tr["output"]))
        src_t = titled(src, f"y {fmt_shape((oh, ow))}", th, color=th.output)
        ker_t = titled(kernel, f"kernel, rotated\n{_steps_text((1, 1), t['dilation'])}", th, color=th.kernel)
        dst_t = titled(dst, f"output {fmt_shape((xh, xw))}", th, color=th.input)
        layout = self._layout_row(src_t, ker_t, dst_t)
        rotated.move_to(kernel)

        # y moves into place; its cells become the y-cells of the modified input.
        self.narrate("transposed_intro")
        y_grid: Grid = y_group[1]  # pyright: ignore[reportAssignmentType]  # cells hold values here
        moves = []
        for (r, c), (yr, yc) in y_pos.items():
            moves.append(y_grid.square(yr, yc).animate.move_to(src.square(r, c)).scale(cell / y_grid.cell))
            moves.append(y_grid.value(yr, yc).animate.move_to(src.square(r, c)).scale(cell / y_grid.cell))  # pyright: ignore[reportOptionalMemberAccess]
        self.play(*moves, *fade_out(y_group[0]), *fade_in(src_t[0]), run_time=1.2)
        self.remove(y_group)
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
        self.play(*fade_in(ker_t), run_time=0.5)
        self.play(*(kernel.square(u, v).animate.move_to(rotated.square(kh - 1 - u, kw - 1 - v))
                    for u in range(kh) for v in range(kw)),
                  *(kernel.value(u, v).animate.move_to(rotated.square(kh - 1 - u, kw - 1 - v))  # pyright: ignore[reportOptionalMemberAccess]
                    for u in range(kh) for v in range(kw)), run_time=1.2)
        self.remove(kernel)
        self.add(rotated)
        self.finish_reading()
        self.play(*fade_in(dst_t), run_time=0.5)
        self._sweep(src, dst, tr["steps"], (kh, kw), t["dilation"], layout, "t_sweep", None)

        self.narrate("t_result")
        lines = VGroup(*(label(f["text"], th, size=BODY_SIZE, mono=True) for f in tr["size_formula"]))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        fit_width(lines, self.content_width).next_to(layout, DOWN, buff=0.35).set_x(0)
        self.play(*fade_in(lines), Create(dst.frame_around(th.input)), run_time=0.8)
        self.finish_reading()

    # -- part 3: the matrix view --------------------------------------------------------------
    def matrix_part(self, t: TransposedConvData) -> None:
        th, m = self.theme, t["matrix"]
        C = m["C"]
        rows, cols = len(C), len(C[0])
        self.clear_content()
        cell = min(0.5, (self.content_width - 3 * GAP) / (cols + 2), (self.content_height - 1.6) / (rows + 2))
        values = [[v if v != 0 else None for v in row] for row in C]
        colors = [[th.kernel if v != 0 else th.faint for v in row] for row in C]
        mat = Grid(values, th, cell, colors=colors)
        x_row = Grid([m["x_flat"]], th, cell, colors=th.input)
        y_col = Grid([[v] for v in m["y_flat"]], th, cell, colors=th.output)
        xt_row = Grid([[None] * cols], th, cell, colors=th.input, widest=m["CT_y"])
        x_row.next_to(mat, UP, buff=cell * 0.6)
        y_col.next_to(mat, RIGHT, buff=GAP)
        xt_row.next_to(mat, DOWN, buff=cell * 0.6)
        x_lab = label("x (flattened)", th, color=th.input).next_to(x_row, LEFT, buff=0.2)
        c_lab = label(f"C  {rows}\u00d7{cols}", th, color=th.kernel).next_to(mat, LEFT, buff=0.2)
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


def _flat(nested: list[list[float]]) -> list[float]:
    return [v for row in nested for v in row]


def _steps_text(stride, dilation) -> str:
    """'stride 2' (and ', dilation 2' when dilated), the kernel's movement under its label."""
    text = f"stride {fmt_pair(stride)}"
    return text + (f", dilation {fmt_pair(dilation)}" if max(dilation) > 1 else "")
