"""Fixtures of the concept tests.

Render a concept's scene at the tests' tiny size and keep the scene object, to test what it drew."""
from __future__ import annotations

import pytest

import deepviz
from deepviz.render import render_trace, resolve_scene


def _rendered_scene(concept: str, out, preset: str | None = None, after_play=None, **values):
    """The scene instance after rendering ``concept`` (a preset or values) at the test quality;
    ``after_play(scene)``, if given, looks at the scene after every animation and pause."""
    trace = deepviz.trace(concept, preset=preset, **values)
    kept = []

    class Kept(resolve_scene(trace)):
        def setup(self):
            super().setup()
            kept.append(self)

        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            if after_play is not None:
                after_play(self)

    render_trace(trace, Kept, out, quality="test", check_frame=True)
    return kept[0]


@pytest.fixture
def rendered_scene(tmp_path):
    """``rendered_scene(concept, preset=..., after_play=..., **values)``: the scene object after its render."""
    return lambda concept, preset=None, after_play=None, **values: _rendered_scene(concept, tmp_path, preset,
                                                                                   after_play, **values)
