"""Build a concept's scene without drawing a frame (Manim's dry run), to read what it put on screen."""
from __future__ import annotations

from collections.abc import Callable

import deepviz
from deepviz.render import resolve_scene


def dry_run(concept: str, preset: str | None = None, after_play: Callable | None = None, check_frame: bool = False,
            **values):
    """The scene after its construct() ran at the tests' size, nothing rendered.

    ``after_play(scene)``, if given, runs after every animation and pause (to log what is on screen when);
    ``check_frame`` runs the frame check and the layout and pacing lint as a render would.
    """
    from manim import tempconfig

    tr = deepviz.trace(concept, preset=preset, **values)
    base = resolve_scene(tr)

    class Probe(base):
        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            if after_play is not None:
                after_play(self)

    with tempconfig({"pixel_width": 192, "pixel_height": 108, "frame_rate": 5, "dry_run": True,
                     "verbosity": "ERROR", "progress_bar": "none"}):
        scene = Probe(trace=tr, check_frame=check_frame)
        scene.render()
    return scene
