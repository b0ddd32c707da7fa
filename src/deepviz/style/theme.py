"""Themes shared by videos, the gallery and diagrams.

Role colours come from the Okabe-Ito palette (colour-blind safe). Each role keeps its
colour across every concept: blue = input, orange = kernel/weights, green = output,
vermilion = highlight/error signal.
"""
from __future__ import annotations

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
    kernel: str
    output: str
    highlight: str
    inserted: str  # zeros inserted between cells
    extra: str  # additional padding
    caption_bg: str
    # distinct colours for a sequence of items that each keep their colour (encoder states, classes)
    series: tuple[str, ...] = ()

    def series_color(self, i: int) -> str:
        return self.series[i % len(self.series)]

    def fill_opacity(self) -> float:
        return 0.35 if self.name == "dark" else 0.25


DARK = Theme(
    name="dark",
    background="#111418",
    foreground="#F2F2F2",
    muted="#9AA3AD",
    faint="#2A2F36",
    grid="#5C6570",
    input=OKABE_ITO["sky"],
    kernel=OKABE_ITO["orange"],
    output=OKABE_ITO["green"],
    highlight=OKABE_ITO["vermilion"],
    inserted=OKABE_ITO["purple"],
    extra=OKABE_ITO["yellow"],
    caption_bg="#000000",
    series=(OKABE_ITO["sky"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["yellow"], OKABE_ITO["purple"],
            OKABE_ITO["vermilion"], OKABE_ITO["blue"], "#BBBBBB"),
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    foreground="#1A1A1A",
    muted="#5F6670",
    faint="#E9ECEF",
    grid="#8A939C",
    input=OKABE_ITO["blue"],
    kernel="#B87D00",  # darker orange: readable on white
    output=OKABE_ITO["green"],
    highlight=OKABE_ITO["vermilion"],
    inserted=OKABE_ITO["purple"],
    extra="#8F7F00",
    caption_bg="#FFFFFF",
    series=(OKABE_ITO["blue"], "#B87D00", OKABE_ITO["green"], OKABE_ITO["purple"], OKABE_ITO["vermilion"],
            OKABE_ITO["sky"], "#8F7F00", "#555555"),
)

THEMES = {t.name: t for t in (DARK, LIGHT)}


def get_theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        from ..params import ParamError

        raise ParamError("theme", f"must be one of {', '.join(THEMES)}; got {name!r}") from None
