"""Matrices as a lecture writes them: a grid of numbers with its name above and its rows' names beside it,
and equations of them in one row (X · W = Q), sized to the room they have.

A matrix shows its numbers when its cells are wide enough to read them at 480p (two decimals in a wide
cell, one in a narrower one); narrower still, it is a heatmap without numbers, and a scene shows the
numbers that matter (a highlighted row) elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from manim import LEFT, RIGHT, UP, SurroundingRectangle, VGroup, VMobject

from .heatmap import heat_fill
from .mobjects import BODY_SIZE, Grid, fit_width, label
from .numbers import fmt_num
from .theme import Theme

OP_SIZE = 30  # operators between matrices: ·, +, =
WIDE_CELL = 0.8  # two decimals read in a cell this wide
MAX_CELL = 1.1  # wider cells only add space
NARROW_CELL = 0.6  # one decimal reads down to this width; narrower cells are a heatmap without numbers
CELL_H = 0.42
NEG_INF = float("-inf")


def fmt_cell(v: float, digits: int) -> str:
    """A cell's number; a masked score is −∞."""
    return "\u2212\u221e" if v == NEG_INF else fmt_num(v, digits)


@dataclass(frozen=True)
class Cells:
    """The size of a row's cells and how many decimals they show (0 columns wide: no numbers)."""

    width: float
    height: float = CELL_H

    @classmethod
    def fitting(cls, columns: int, room: float, height: float = CELL_H) -> "Cells":
        """As wide as ``room`` allows for ``columns`` cells (at most MAX_CELL), as tall as ``height`` or, when
        they are wide, up to 0.6 of their width (bigger numbers)."""
        width = min(MAX_CELL, room / max(columns, 1))
        return cls(width, max(height, min(0.62, 0.6 * width)))

    @property
    def digits(self) -> int | None:
        if self.width >= WIDE_CELL - 1e-9:
            return 2
        return 1 if self.width >= NARROW_CELL else None

    def fmt(self) -> Callable[[float], str]:
        digits = self.digits or 1
        return lambda v: fmt_cell(v, digits)


class Matrix(VGroup):
    """A named grid of numbers (``grid``), its name above (``name``) and row names to its left (``rows``).

    ``heat`` colours the cells by value (signed: blue/orange; else the highlight); without room for
    numbers (:attr:`Cells.digits` is None) only the colours show; a large matrix may show the numbers of a
    few rows only (``number_rows``) over its colours.
    """

    def __init__(self, values: Sequence[Sequence[float]], theme: Theme, cells: Cells, name: str = "",
                 color: str | None = None, rows: Sequence[str] = (), row_colors: Sequence[str] = (),
                 heat: bool = False, signed: bool | None = None, name_size: float = BODY_SIZE,
                 number_rows: Sequence[int] | None = None, **kwargs):
        """``number_rows``: the rows whose numbers show (default all); the others are heat colours only."""
        super().__init__(**kwargs)
        numbered = range(len(values)) if number_rows is None else number_rows
        shown = [r if cells.digits is not None and i in numbered else [None] * len(r) for i, r in enumerate(values)]
        heat = heat or number_rows is not None
        self.grid = Grid(shown, theme, cells.height, colors=color, cell_width=cells.width, fmt=cells.fmt())
        if heat or cells.digits is None:
            finite = [[v if v != NEG_INF else 0.0 for v in r] for r in values]
            heat_fill(self.grid, finite, theme, signed=signed)
        self.add(self.grid)
        self.name = VMobject()
        if name:
            self.name = fit_width(label(name, theme, size=name_size, color=color or theme.foreground),
                                  max(self.grid.width + 1.2, 1.6)).next_to(self.grid, UP, buff=0.12)
            self.add(self.name)
        self.rows = VGroup(*(
            fit_width(label(r, theme, size=BODY_SIZE, color=row_colors[i] if row_colors else theme.muted), 1.5)
            .next_to(self.grid.square(i, 0), LEFT, buff=0.12) for i, r in enumerate(rows)))
        self.add(self.rows)

    def row(self, r: int) -> VGroup:
        """The squares and numbers of row ``r`` (to highlight it)."""
        return self.grid.cells([(r, c) for c in range(self.grid.n_cols)])

    def row_frame(self, r: int, color: str, width: float = 5) -> VMobject:
        """A highlight frame around row ``r``."""
        g = self.grid
        return SurroundingRectangle(VGroup(g.square(r, 0), g.square(r, g.n_cols - 1)), color=color, buff=0.03,
                                    stroke_width=width)

    def column_frame(self, c: int, color: str, width: float = 5) -> VMobject:
        """A highlight frame around column ``c``."""
        g = self.grid
        return SurroundingRectangle(VGroup(g.square(0, c), g.square(g.n_rows - 1, c)), color=color, buff=0.03,
                                    stroke_width=width)


def op(symbol: str, theme: Theme) -> VMobject:
    return label(symbol, theme, size=OP_SIZE)


def equation(items: Sequence[VMobject], y: float = 0.0, buff: float = 0.22) -> VGroup:
    """Items side by side, centred on x = 0, each matrix's grid centred on ``y`` (operators too)."""
    x = 0.0
    for item in items:
        anchor = item.grid if isinstance(item, Matrix) else item
        item.shift(RIGHT * (x - item.get_left()[0]) + UP * (y - anchor.get_y()))
        x = item.get_right()[0] + buff
    row = VGroup(*items)
    return row.shift(LEFT * row.get_x())


def stack(*rows: VMobject, top: float, buff: float = 0.4) -> VGroup:
    """Rows one under the other from ``top`` down (each keeps its x)."""
    y = top
    for r in rows:
        r.shift(UP * (y - r.get_top()[1]))
        y = r.get_bottom()[1] - buff
    return VGroup(*rows)

