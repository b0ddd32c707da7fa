"""The base of 3D concept scenes: a DeepvizScene whose camera can orbit.

Title and captions stay fixed in the frame while the camera moves. The frame check looks at
what is fixed in the frame (text, legends); 3D content is framed by the camera's settings.
"""
from __future__ import annotations

from manim import Mobject, ThreeDScene

from .scene import DeepvizScene


class Deepviz3DScene(DeepvizScene, ThreeDScene):
    def add_overlay(self, *mobs: Mobject) -> None:
        self.add_fixed_in_frame_mobjects(*mobs)

    def _check_in_frame(self, tol: float = 1e-3) -> None:
        fixed = set(map(id, self.renderer.camera.fixed_in_frame_mobjects))
        content = [m for m in self.mobjects if id(m) not in fixed]
        for m in content:
            self.mobjects.remove(m)
        try:
            super()._check_in_frame(tol)
        finally:
            self.mobjects.extend(content)
