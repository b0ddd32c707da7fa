"""Build a concept's scene without drawing a frame (Manim's dry run), to read what it put on screen."""
from __future__ import annotations

import deepviz
from deepviz.render import resolve_scene


def dry_run(concept: str, preset: str | None = None, **values):
    """The scene after its construct() ran at the tests' size, nothing rendered."""
    from manim import tempconfig

    tr = deepviz.trace(concept, preset=preset, **values)
    with tempconfig({"pixel_width": 192, "pixel_height": 108, "frame_rate": 5, "dry_run": True,
                     "verbosity": "ERROR", "progress_bar": "none"}):
        scene = resolve_scene(tr)(trace=tr)
        scene.render()
    return scene
