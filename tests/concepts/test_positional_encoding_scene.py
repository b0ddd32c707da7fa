"""The positional-encoding video's length (rendered at the tests' size)."""
import pytest

pytestmark = pytest.mark.render


def test_the_video_leaves_room_under_the_length_limit(rendered_scene):
    # was 102 s of 115: each picture now changes under the next caption, and the captions say it shorter
    scene = rendered_scene("positional-encoding", preset="sinusoidal")
    assert 40 < scene.time < 90
