"""The GAN run's scene: the playground run's scene with G's points moving over D's map (Manim only)."""
from __future__ import annotations

from typing import Any

import numpy as np
from manim import RIGHT, VGroup

from ..style.clouds import DotCloud
from ..style.mobjects import BODY_SIZE, label
from ..style.theme import OKABE_ITO
from .movie_scene import DOT, RING, PlaygroundRunScene

FAKE = OKABE_ITO["purple"]


class GanRunScene(PlaygroundRunScene):
    concept = "gan-run"
    step_name = "iteration"
    curve_names = ("D loss", "G loss")

    def point_clouds(self, t: dict[str, Any]) -> VGroup:
        """The real points (the base's clouds) and G's points of the first frame, moved by ``show``."""
        self.fake_at = [np.array([self.plot.c2p(x, y) for x, y in f["fake"]]).reshape(-1, 3) for f in t["frames"]]
        self.fake_rings = DotCloud(self.fake_at[0], RING, self.theme.background)
        self.fake_dots = DotCloud(self.fake_at[0], DOT, FAKE)
        return VGroup(super().point_clouds(t), self.fake_rings, self.fake_dots)

    def key(self, classes: int) -> VGroup:
        th = self.theme
        names = [(self.CLASS_REAL, "real"), (FAKE, "fake (G)")]
        return VGroup(*(VGroup(self.key_dot(c, th.background), label(n, th, size=BODY_SIZE - 2)).arrange(RIGHT, buff=0.1)
                        for c, n in names)).arrange(RIGHT, buff=0.35)

    CLASS_REAL = OKABE_ITO["orange"]  # class 1 of the playground's colours: the map's "real" side

    def show(self, position: float):
        image = super().show(position)
        if hasattr(self, "fake_dots"):
            k = min(int(position), len(self.fake_at) - 2) if len(self.fake_at) > 1 else 0
            s = position - k
            centres = self.fake_at[k] * (1 - s) + self.fake_at[min(k + 1, len(self.fake_at) - 1)] * s
            self.fake_dots.set_centers(centres)
            self.fake_rings.set_centers(centres)
        return image
