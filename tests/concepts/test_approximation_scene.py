"""What the approximation scene shows: the digit classifier fills the frame and shows a digit at once."""
import pytest

pytestmark = pytest.mark.render


def test_the_digit_network_fills_the_frame_and_the_pixels_light_up_at_once(rendered_scene):
    # issue 12: the digits video left the bottom 40 % empty and showed an empty template for its first 19 s
    lit = []

    def log(scene):
        pixels = getattr(scene, "pixels", None)
        if pixels is not None and not lit and max(sq.get_fill_opacity() for sq in pixels) > 0.5:
            lit.append(scene.time)

    scene = rendered_scene("approximation", preset="digits", digit_steps=5, digits=1, after_play=log)
    assert lit and lit[0] < 4.0
    assert scene.network.height > 0.8 * scene.content_height
