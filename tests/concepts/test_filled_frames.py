"""The gan and cnn scenes use the frame in the steps a review found mostly empty (rendered at the tests' size)."""
import numpy as np
import pytest

from deepviz.style.lint import bbox, opacity

pytestmark = pytest.mark.render

RASTER = 0.1  # units: the grid on which the covered share is counted


def covered_share(scene) -> float:
    """The share of the content area (between the title and caption bands) under the union of the bounding boxes
    of the visible content (the title aside). A wide legend alone spans the width but covers little."""
    x0, x1 = -scene.content_width / 2, scene.content_width / 2
    y0, y1 = scene.content_bottom, scene.content_top
    nx, ny = int(round((x1 - x0) / RASTER)), int(round((y1 - y0) / RASTER))
    cover = np.zeros((ny, nx), dtype=bool)
    for mob in scene.lint_content():
        if getattr(mob, "is_title", False) or opacity(mob) <= 0.05:
            continue
        box = bbox(mob, visible_only=True)
        if box is None:
            continue
        left, bottom, right, top = box
        c0, c1 = np.clip([int((left - x0) / RASTER), int(np.ceil((right - x0) / RASTER))], 0, nx)
        r0, r1 = np.clip([int((bottom - y0) / RASTER), int(np.ceil((top - y0) / RASTER))], 0, ny)
        cover[r0:r1, c0:c1] = True
    return float(cover.mean())


def step_shares(rendered_scene, concept: str, preset: str) -> dict[str, float]:
    """The largest covered share during each narration step of a render."""
    shares: dict[str, float] = {}

    def log(scene):
        key = scene._cue_key  # the narration step now on screen
        shares[key] = max(shares.get(key, 0.0), covered_share(scene))

    rendered_scene(concept, preset=preset, after_play=log)
    return shares


def test_the_gan_fills_the_right_panel_from_its_first_step(rendered_scene):
    # review: until the training, the right third of the frame held one legend (the loss plot came later)
    shares = step_shares(rendered_scene, "gan", "ring")
    early = {k: round(shares[k], 2) for k in ("game", "discriminator", "d_step", "g_step")}
    assert min(early.values()) > 0.65, early


def test_the_cnn_flatten_step_fills_the_frame(rendered_scene):
    # review: flatten showed the digit and a small strip of 12 lines; the rest of the frame was empty
    shares = step_shares(rendered_scene, "cnn", "forward")
    head = {k: round(shares[k], 2) for k in ("flatten", "logits", "softmax")}
    assert min(head.values()) > 0.45, head
