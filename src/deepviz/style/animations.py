"""Animations shared by scenes.

:class:`Fade` fades a mobject in or out by scaling the opacities it already has. Manim's
FadeIn/FadeOut deep-copy the whole mobject (twice for Transform-based ones); for a grid of
a few hundred text glyphs that copy cost more than drawing the frames (measured in
``benchmarks/README.md``).
"""
from __future__ import annotations

import numpy as np
from manim import Animation, Mobject, VMobject


class Fade(Animation):
    """Fade ``mobject`` in (``fade_in=True``) or out, keeping each part's own opacity."""

    def __init__(self, mobject: Mobject, fade_in: bool = True, **kwargs):
        self.fade_in = fade_in
        kwargs.setdefault("introducer", fade_in)
        kwargs.setdefault("remover", not fade_in)
        super().__init__(mobject, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return Mobject()  # the opacities below are all the state this animation needs

    def begin(self) -> None:
        self._parts = [m for m in self.mobject.get_family() if isinstance(m, VMobject)]
        self._fill = [np.array(m.fill_rgbas[:, 3]) for m in self._parts]
        self._stroke = [np.array(m.stroke_rgbas[:, 3]) for m in self._parts]
        self._bg = [np.array(m.background_stroke_rgbas[:, 3]) for m in self._parts]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        k = a if self.fade_in else 1.0 - a
        for m, f, s, b in zip(self._parts, self._fill, self._stroke, self._bg):
            m.fill_rgbas[:, 3] = f * k
            m.stroke_rgbas[:, 3] = s * k
            m.background_stroke_rgbas[:, 3] = b * k

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        # restore: a faded-out mobject can be shown again later with its own colours
        for m, f, s, b in zip(self._parts, self._fill, self._stroke, self._bg):
            m.fill_rgbas[:, 3], m.stroke_rgbas[:, 3], m.background_stroke_rgbas[:, 3] = f, s, b


def fade_in(*mobjects: Mobject, **kwargs) -> list[Fade]:
    return [Fade(m, fade_in=True, **kwargs) for m in mobjects]


def fade_out(*mobjects: Mobject, **kwargs) -> list[Fade]:
    return [Fade(m, fade_in=False, **kwargs) for m in mobjects]
