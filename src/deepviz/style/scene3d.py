"""The base of 3D concept scenes: a DeepvizScene whose camera can orbit.

Title and captions stay fixed in the frame while the camera moves. The frame check looks at
what is fixed in the frame (text, legends); 3D content is framed by the camera's settings.
"""
from __future__ import annotations

from typing import cast

from manim import Mobject, ThreeDCamera, ThreeDScene

from .scene import DeepvizScene


class Deepviz3DScene(DeepvizScene, ThreeDScene):
    @property
    def camera3d(self) -> ThreeDCamera:
        return cast(ThreeDCamera, self.renderer.camera)  # a ThreeDScene renders with one; Manim types it Camera

    def add_overlay(self, *mobs: Mobject) -> None:
        self.add_fixed_in_frame_mobjects(*mobs)

    def frame_checked(self) -> list[Mobject]:
        fixed = set(map(id, self.camera3d.fixed_in_frame_mobjects))
        return [m for m in self.mobjects if id(m) in fixed]

    def lint_content(self) -> list[Mobject]:
        # everything: labels fixed in the frame and 3D content, projected by the camera
        fixed = set(map(id, self.camera3d.fixed_in_frame_mobjects))
        for m in self.mobjects:
            m.fixed_in_frame = id(m) in fixed  # pyright: ignore[reportAttributeAccessIssue] - a mark the lint reads
        return list(self.mobjects)

    def lint_projection(self):
        return self.camera3d.project_points
