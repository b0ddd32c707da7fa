"""Small composable Manim mobjects shared by scenes: labels, value grids, formulas."""
from __future__ import annotations

from typing import Callable, Iterable, Sequence, TypeVar

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, Line, ManimColor, Rectangle, Text, VGroup, VMobject

from .numbers import fmt_num
from .theme import Theme

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"

# Font sizes in Manim units for a 16:9 frame 8 units tall; chosen to read at 480p.
TITLE_SIZE = 30
LABEL_SIZE = 22
BODY_SIZE = 20
CAPTION_SIZE = 20

M = TypeVar("M", bound=VMobject)  # the helpers below return the mobject they are given, as its own type


def text(content: str, font: str = FONT, size: float = LABEL_SIZE, color: str = "#FFFFFF") -> VMobject:
    """Text as ONE vectorized path (every glyph a subpath of it).

    Manim's Text keeps a mobject per glyph, and Cairo draws each separately; a label that is
    never animated glyph by glyph reads the same as one path and draws in one call.
    """
    glyphs = Text(content, font=font, font_size=size, color=color)
    parts = [g.points for g in glyphs.family_members_with_points()]
    flat = VMobject()
    if parts:
        flat.set_points(np.concatenate(parts))
    flat.set_fill(color, opacity=1.0).set_stroke(width=0)
    flat.text = content  # pyright: ignore[reportAttributeAccessIssue] - what it says, for tests and debugging
    mark_text(flat, size)
    return flat


def mark_text(mob: M, size: float) -> M:
    """Record a label's font size and height as made, so the layout lint can tell its size after scaling."""
    mob.font_size_base = size  # pyright: ignore[reportAttributeAccessIssue] - marks the lint reads
    mob.height_base = mob.height  # pyright: ignore[reportAttributeAccessIssue]
    return mob


def label(content: str, theme: Theme, size: float = LABEL_SIZE, color: str | None = None,
          mono: bool = False) -> VMobject:
    return text(content, MONO if mono else FONT, size, color or theme.foreground)


def fit_width(mob: M, width: float) -> M:
    """Shrink (never enlarge) a mobject so it is at most ``width`` wide."""
    if mob.width > width:
        mob.scale_to_fit_width(width)
    return mob


class Grid(VGroup):
    """A 2D array of numbers as square cells, each cell's fill taken from a role colour.

    ``colors[r][c]`` gives each cell's colour (or one colour for all). Cells are addressed
    by (row, column): ``grid.square(r, c)``, ``grid.value(r, c)``. Values of None leave a
    cell empty (an output still to be computed).
    """

    def __init__(
        self,
        values: Sequence[Sequence[float | None]],
        theme: Theme,
        cell: float = 0.5,
        colors: str | Sequence[Sequence[str]] | None = None,
        value_colors: str | Sequence[Sequence[str]] | None = None,
        fmt: Callable[[float], str] = fmt_num,
        widest: Iterable[float] = (),
        cell_width: float | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.theme = theme
        self.cell = cell  # height; cells are square unless ``cell_width`` is given (tables)
        self.cell_width = cell_width or cell
        self.fmt = fmt
        # One font size per grid, small enough for its widest label (including values that
        # arrive later, passed as ``widest``), so a "-11" does not shrink alone.
        texts = [fmt(v) for row in values for v in row if v is not None] + [fmt(v) for v in widest]
        self._font_size = self._fitting_font_size(max(texts, key=len, default="0"))
        self.n_rows = len(values)
        self.n_cols = len(values[0]) if values else 0
        self.squares = VGroup()
        self.values = VGroup()
        self._square: dict[tuple[int, int], Rectangle] = {}
        self._value: dict[tuple[int, int], VMobject] = {}
        for r in range(self.n_rows):
            for c in range(self.n_cols):
                color = _at(colors, r, c) or theme.grid
                sq = Rectangle(width=self.cell_width, height=cell).set_stroke(theme.grid, width=2)
                sq.set_fill(color, theme.fill_opacity()).move_to(RIGHT * c * self.cell_width + DOWN * r * cell)
                self._square[(r, c)] = sq
                self.squares.add(sq)
        self.add(self.squares)
        for r in range(self.n_rows):
            for c in range(self.n_cols):
                v = values[r][c]
                if v is not None:
                    self.set_value(r, c, v, _at(value_colors, r, c))
        self.add(self.values)

    def _fitting_font_size(self, widest: str) -> float:
        size = self.cell * 44
        probe = Text(widest, font=FONT, font_size=size)
        room = self.cell_width * 0.84
        return size * min(1.0, room / probe.width) if probe.width > 0 else size

    def make_value(self, r: int, c: int, v: float, color: str | None = None) -> VMobject:
        """A value label sized and placed for cell (r, c), not yet added."""
        t = text(self.fmt(v), FONT, self._font_size, color or self.theme.foreground)
        return t.move_to(self._square[(r, c)])

    def set_value(self, r: int, c: int, v: float, color: str | None = None) -> VMobject:
        t = self.make_value(r, c, v, color)
        old = self._value.pop((r, c), None)
        if old is not None:
            self.values.remove(old)
        self._value[(r, c)] = t
        self.values.add(t)
        return t

    def attach_value(self, r: int, c: int, t: VMobject) -> None:
        """Adopt a label (e.g. one that was animated into place) as the value of (r, c)."""
        self._value[(r, c)] = t
        self.values.add(t)

    def square(self, r: int, c: int) -> Rectangle:
        return self._square[(r, c)]

    def value(self, r: int, c: int) -> VMobject | None:
        return self._value.get((r, c))

    def cells(self, positions: Iterable[tuple[int, int]]) -> VGroup:
        """Squares and values of the given cells, e.g. to fade in a padding ring."""
        group = VGroup()
        for pos in positions:
            group.add(self._square[pos])
            if pos in self._value:
                group.add(self._value[pos])
        return group

    def block(self, r0: int, c0: int, rows: int, cols: int, step: Sequence[int] = (1, 1)) -> list[tuple[int, int]]:
        """Cell positions of a (possibly dilated) rows x cols block starting at (r0, c0)."""
        return [(r0 + u * step[0], c0 + v * step[1]) for u in range(rows) for v in range(cols)]

    def outline(self, positions: Iterable[tuple[int, int]], color: str, width: float = 5) -> VGroup:
        """A highlight frame around each given cell (a kernel footprint, dilated or not)."""
        return VGroup(*(
            Rectangle(width=self.cell_width - 0.06 * self.cell, height=self.cell * 0.94).set_stroke(color, width)
            .set_fill(opacity=0).move_to(self._square[p])
            for p in positions
        ))

    def frame_around(self, color: str, buff: float = 0.06) -> Rectangle:
        return Rectangle(width=self.squares.width + 2 * buff, height=self.squares.height + 2 * buff) \
            .set_stroke(color, 3).move_to(self.squares)


def _at(spec, r: int, c: int):
    if spec is None or isinstance(spec, str):
        return spec
    return spec[r][c]


def titled(mob: VMobject, text: str, theme: Theme, color: str | None = None, size: float = LABEL_SIZE,
           buff: float = 0.15) -> VGroup:
    """A mobject with a label above it, as one group (the label stays with its mobject)."""
    lab = label(text, theme, size=size, color=color)
    fit_width(lab, max(mob.width * 1.6, 2.4))
    lab.next_to(mob, UP, buff=buff)
    return VGroup(lab, mob)


def row(*mobs: VMobject, buff: float = 0.6) -> VGroup:
    return VGroup(*mobs).arrange(RIGHT, buff=buff, aligned_edge=UP)


def column(*mobs: VMobject, buff: float = 0.3) -> VGroup:
    return VGroup(*mobs).arrange(DOWN, buff=buff, aligned_edge=LEFT)


class Neuron(VGroup):
    """A circle in a role colour with a value (or a name) inside it."""

    def __init__(self, theme: Theme, color: str, radius: float = 0.38, name: str = "", **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        self.radius = radius
        self.circle = Circle(radius=radius).set_stroke(color, 3).set_fill(color, theme.fill_opacity())
        self.add(self.circle)
        self.content = label(name, theme, size=LABEL_SIZE) if name else VMobject()
        self.content.move_to(self.circle)
        self.add(self.content)

    def make_content(self, value: float | str, fmt: Callable[[float], str] = fmt_num) -> VMobject:
        """The label that would show ``value`` inside this neuron (not yet added)."""
        t = label(value if isinstance(value, str) else fmt(value), self.theme, size=LABEL_SIZE)
        return fit_width(t, self.radius * 1.7).move_to(self.circle)


def edge(a: VMobject, b: VMobject, color: str, width: float = 3) -> Line:
    """A connection from the right side of ``a`` to the left side of ``b``."""
    return Line(a.get_right(), b.get_left(), buff=0.05).set_stroke(color, width, opacity=0.8)


def colored_text(parts: Sequence[tuple[str, str | None]], theme: Theme, size: float = LABEL_SIZE,
                 mono: bool = False) -> VGroup:
    """One line of text set as a whole, each part in its own colour (None: the foreground).

    The line is laid out once, so spacing and baseline are those of plain text; each part
    becomes one path (as :func:`text`), e.g. to tie a symbol's colour to its matrix.
    """
    content = "".join(p for p, _ in parts)
    glyphs = Text(content, font=MONO if mono else FONT, font_size=size, disable_ligatures=True).submobjects
    if len(glyphs) != len(content):  # Manim versions differ: some drop the whitespace glyphs
        keep = iter(glyphs)
        glyphs = [next(keep) if not ch.isspace() else None for ch in content]
    group, start = VGroup(), 0
    for part, color in parts:
        pieces = [g for g in glyphs[start:start + len(part)] if g is not None and g.get_num_points()]
        start += len(part)
        if not pieces:
            continue
        flat = VMobject()
        flat.set_points(np.concatenate([g.points for g in pieces]))
        flat.set_fill(color or theme.foreground, opacity=1.0).set_stroke(width=0)
        flat.text = part  # pyright: ignore[reportAttributeAccessIssue]
        group.add(flat)
    group.text = content  # pyright: ignore[reportAttributeAccessIssue]
    return mark_text(group, size)


def zoom_lines(small: VMobject, big: VMobject, color: str, buff: float = 0.06, width: float = 2.5) -> VGroup:
    """A magnifier: a frame around ``small``, a frame around ``big`` (its enlarged view) and
    the two lines joining their facing corners, as a camera zoom is drawn in print."""
    a = Rectangle(width=small.width + 2 * buff, height=small.height + 2 * buff).move_to(small)
    b = Rectangle(width=big.width + 2 * buff, height=big.height + 2 * buff).move_to(big)
    gap = b.get_center() - a.get_center()
    if a.get_left()[0] < b.get_right()[0] and b.get_left()[0] < a.get_right()[0]:
        # one above the other: join the left ends and the right ends of the facing edges
        ya, yb = (a.get_bottom()[1], b.get_top()[1]) if gap[1] < 0 else (a.get_top()[1], b.get_bottom()[1])
        lines = [Line((a.get_left()[0], ya, 0), (b.get_left()[0], yb, 0)),
                 Line((a.get_right()[0], ya, 0), (b.get_right()[0], yb, 0))]
    else:  # side by side: join the top ends and the bottom ends of the facing edges
        xa, xb = (a.get_right()[0], b.get_left()[0]) if gap[0] > 0 else (a.get_left()[0], b.get_right()[0])
        lines = [Line((xa, a.get_top()[1], 0), (xb, b.get_top()[1], 0)),
                 Line((xa, a.get_bottom()[1], 0), (xb, b.get_bottom()[1], 0))]
    group = VGroup(a, b, *lines)
    group.set_stroke(color, width).set_fill(opacity=0)
    for line in lines:
        line.set_stroke(color, width * 0.6, opacity=0.7)
    return group


class Bars(VGroup):
    """Vertical bars standing on one baseline, one per value, each with its value above it.

    ``xs`` are the bars' centres; heights are proportional to the values, the largest
    ``max_height`` tall (a zero bar stays a hairline, so its place remains visible).
    """

    def __init__(self, values: Sequence[float], xs: Sequence[float], theme: Theme, color: str,
                 max_height: float = 2.0, width: float = 0.5, fmt: Callable[[float], str] = fmt_num,
                 size: float = BODY_SIZE, scale_to: float | None = None, baseline: float = 0.0,
                 label_width: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.theme, self.color, self.fmt, self.size = theme, ManimColor(color), fmt, size
        self.label_width = label_width  # room for each value label (default: about two bar widths)
        self.max_height, self.bar_width, self.baseline = max_height, width, baseline
        self.top_value = scale_to if scale_to is not None else max((abs(v) for v in values), default=1.0) or 1.0
        self.bars = VGroup(*(self.make_bar(v, x) for v, x in zip(values, xs)))
        self.labels = VGroup(*(self.make_label(v, bar) for v, bar in zip(values, self.bars)))
        self.add(self.bars, self.labels)

    def height_of(self, value: float) -> float:
        return max(0.02, abs(value) / self.top_value * self.max_height)

    def make_bar(self, value: float, x: float) -> Rectangle:
        """A bar for ``value`` centred on ``x`` (not yet added), e.g. the target of a Transform."""
        bar = Rectangle(width=self.bar_width, height=self.height_of(value))
        bar.set_stroke(self.color, 2).set_fill(self.color, self.theme.fill_opacity() + 0.3)
        return bar.move_to((x, self.baseline, 0), aligned_edge=DOWN)

    def make_label(self, value: float, bar: VMobject) -> VMobject:
        lab = label(self.fmt(value), self.theme, size=self.size)
        room = self.label_width if self.label_width is not None else max(self.bar_width * 1.9, 0.6)
        return fit_width(lab, room).next_to(bar, UP, buff=0.08)
