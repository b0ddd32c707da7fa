"""Themes shared by videos, the gallery and diagrams.

A colour means one thing across the whole catalogue: scenes name a **role**, never a raw
colour (``docs/colours.md`` lists them). Role colours come from the Okabe-Ito palette
(colour-blind safe):

========== ========================================================= ============
role       meaning                                                   dark theme
========== ========================================================= ============
input      data going in: input cells, x, features, tokens           sky blue
weight     learned parameters: weights, kernels, biases, gamma/beta  orange
output     what a layer or network produces: outputs, predictions    green
gradient   derivatives and error signals, the backward pass          vermilion
highlight  where to look now: the current window, cell, step         yellow
class_k    the data's classes 0..9 (points, regions, digits)         blue, pink, grey, ...
inserted   zeros inserted between cells (strided transposed conv)    lavender
extra      padding added to one side only (the floor case)           brown
gate_k     the k-th weight block of a gated recurrent cell, in the   ochre, magenta,
           order PyTorch stores them (LSTM i, f, g, o; GRU r, z, n)  mint, cyan
========== ========================================================= ============

``series`` colours tell apart the items of one list (time steps, digit classes, heads) and
carry no other meaning. A caption names a colour with ``{color:ROLE}`` (e.g. ``{color:class1}``, ``{color:gate1}``, or
``{color:series0}`` for the first item of a list);
:meth:`Theme.words` turns that into the theme's word for it, so text never contradicts the picture.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermilion": "#D55E00",
    "purple": "#CC79A7",
}


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str  # main text
    muted: str  # secondary text, padding values
    faint: str  # cell fill of empty / padding cells
    grid: str  # cell borders
    input: str
    weight: str
    output: str
    gradient: str
    highlight: str
    classes: tuple[str, ...]  # class 0, 1, 2, ... 9: ten distinct colours (the digits' classes)
    inserted: str  # zeros inserted between cells
    extra: str  # additional padding
    caption_bg: str
    # distinct colours for a sequence of items that each keep their colour (encoder states, digits)
    series: tuple[str, ...] = ()
    # the weight blocks of a gated recurrent cell (LSTM i, f, g, o; GRU r, z, n), each with its symbol: colours
    # no other role uses, so "forget gate" never reads as a digit class (tests/test_style.py checks the gaps)
    gates: tuple[str, ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # colour -> the word a caption uses for it

    @property
    def kernel(self) -> str:
        """A convolution's kernel is its weight (the older name of the role)."""
        return self.weight

    def class_color(self, k: int) -> str:
        """The colour of class ``k`` (0..9 distinct; more classes take the series colours)."""
        return self.classes[k] if 0 <= k < len(self.classes) else self.series_color(k)

    def series_color(self, i: int) -> str:
        return self.series[i % len(self.series)]

    def gate_color(self, k: int) -> str:
        """The colour of a gated cell's k-th weight block (PyTorch's order: LSTM i, f, g, o; GRU r, z, n)."""
        return self.gates[k]

    def role(self, name: str) -> str:
        """The colour of a role: 'input', 'weight', 'output', 'gradient', 'highlight', 'class0', ..."""
        m = re.fullmatch(r"(class|series|gate)(\d+)", name)
        if m:
            k = int(m.group(2))
            if m.group(1) == "gate" and k < len(self.gates):
                return self.gate_color(k)
            if m.group(1) != "gate":
                return self.class_color(k) if m.group(1) == "class" else self.series_color(k)
        if name in ROLES:
            return getattr(self, name)
        raise KeyError(f"unknown colour role {name!r}; roles: {', '.join(ROLES)}, class0, class1, class2, "
                       "series0, series1, ..., gate0 .. gate3")

    def color_word(self, name: str) -> str:
        """The word a caption uses for a role's colour in this theme, e.g. 'orange'."""
        color = self.role(name).upper()
        return dict((c.upper(), w) for c, w in self.names).get(color, name)

    def words(self, text: str) -> str:
        """``text`` with every ``{color:ROLE}`` replaced by this theme's word for that colour."""
        return _COLOR_REF.sub(lambda m: self.color_word(m.group(1)), text)

    def fill_opacity(self) -> float:
        return 0.35 if self.name == "dark" else 0.25


# classes 3..9, for ten classes (the digits): told apart from each other and from every other role
DIGIT_CLASSES_DARK = ("#44AA99", "#A6A63A", "#E8707F", "#E8D8A0", "#8C7CFF", "#A8E05F", "#FFFFFF")
DIGIT_WORDS_DARK = ("teal", "olive", "rose", "cream", "violet", "lime", "white")
DIGIT_CLASSES_LIGHT = ("#2E8B7A", "#7A7A1F", "#C0404F", "#A08850", "#5E4FC4", "#4E8A10", "#000000")
DIGIT_WORDS_LIGHT = ("teal", "olive", "rose", "sand", "violet", "lime", "black")
# the gates (LSTM i, f, g, o; GRU r, z, n) in hues no role uses, picked for contrast with the background (WCAG >= 4.5)
# and gaps to the cell's neighbours (x, h, c, the highlight) under protanopia and deuteranopia. The third is mint
# on dark and indigo on light: a green dark enough for white reads as the output's green
GATES_DARK = ("#9A7D0B", "#C43FE8", "#9FF5B7", "#81E8FC")
GATE_WORDS_DARK = ("ochre", "magenta", "mint", "cyan")
GATES_LIGHT = ("#6E5A10", "#9B18A7", "#3A1F9A", "#065F74")
GATE_WORDS_LIGHT = ("ochre", "magenta", "indigo", "cyan")

DARK = Theme(
    name="dark",
    background="#111418",
    foreground="#F2F2F2",
    muted="#9AA3AD",
    faint="#2A2F36",
    grid="#5C6570",
    input=OKABE_ITO["sky"],
    weight=OKABE_ITO["orange"],
    output=OKABE_ITO["green"],
    gradient=OKABE_ITO["vermilion"],
    highlight=OKABE_ITO["yellow"],
    # Okabe-Ito blue lightened to read on black; classes 3..9 (the ten digits) in colours no other role uses
    classes=("#3D8FD6", OKABE_ITO["purple"], "#C8C8C8") + DIGIT_CLASSES_DARK,
    inserted="#A99BD6",
    extra="#A67C52",
    caption_bg="#000000",
    series=(OKABE_ITO["sky"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["yellow"], OKABE_ITO["purple"],
            OKABE_ITO["vermilion"], OKABE_ITO["blue"], "#BBBBBB"),
    gates=GATES_DARK,
    names=(*zip(GATES_DARK, GATE_WORDS_DARK),
           (OKABE_ITO["sky"], "sky blue"), (OKABE_ITO["orange"], "orange"), (OKABE_ITO["green"], "green"),
           (OKABE_ITO["vermilion"], "red"), (OKABE_ITO["yellow"], "yellow"), ("#3D8FD6", "blue"),
           (OKABE_ITO["purple"], "pink"), ("#C8C8C8", "grey"), ("#A99BD6", "lavender"), ("#A67C52", "brown"),
           *zip(DIGIT_CLASSES_DARK, DIGIT_WORDS_DARK)),
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    foreground="#1A1A1A",
    muted="#5F6670",
    faint="#E9ECEF",
    grid="#8A939C",
    input="#2A8CC4",  # sky blue darkened to read on white
    weight="#B87D00",  # darker orange: readable on white
    output=OKABE_ITO["green"],
    gradient=OKABE_ITO["vermilion"],
    highlight="#C9A800",  # a yellow that shows on white
    classes=(OKABE_ITO["blue"], "#B8487F", "#6E6E6E") + DIGIT_CLASSES_LIGHT,
    inserted="#7A62B8",
    extra="#8A5A2B",
    caption_bg="#FFFFFF",
    series=(OKABE_ITO["blue"], "#B87D00", OKABE_ITO["green"], OKABE_ITO["purple"], OKABE_ITO["vermilion"],
            OKABE_ITO["sky"], "#8F7F00", "#555555"),
    gates=GATES_LIGHT,
    names=(*zip(GATES_LIGHT, GATE_WORDS_LIGHT),
           ("#2A8CC4", "sky blue"), ("#B87D00", "orange"), (OKABE_ITO["green"], "green"),
           (OKABE_ITO["vermilion"], "red"), ("#C9A800", "yellow"), (OKABE_ITO["blue"], "blue"),
           ("#B8487F", "pink"), ("#6E6E6E", "grey"), ("#7A62B8", "lavender"), ("#8A5A2B", "brown"),
           *zip(DIGIT_CLASSES_LIGHT, DIGIT_WORDS_LIGHT)),
)

ROLES = ("input", "weight", "output", "gradient", "highlight", "inserted", "extra")
_COLOR_REF = re.compile(r"\{color:(\w+)\}")
THEMES = {t.name: t for t in (DARK, LIGHT)}


def get_theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        from ..params import ParamError

        raise ParamError("theme", f"must be one of {', '.join(THEMES)}; got {name!r}") from None
