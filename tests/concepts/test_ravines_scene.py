"""What the ravines scene draws: the descent path in a colour of its own, the contour lines muted."""
import pytest

pytestmark = pytest.mark.render


def colours(group):
    return {m.get_stroke_color().to_hex().upper() for m in group.family_members_with_points()
            if m.get_stroke_width() > 0} | {m.get_fill_color().to_hex().upper() for m in
                                             group.family_members_with_points() if m.get_fill_opacity() > 0}


def test_the_descent_path_has_its_own_colour_and_the_contours_are_muted(rendered_scene):
    # issue 12: the path was drawn in the contours' orange
    scene = rendered_scene("ravines", steps=4)
    th = scene.theme
    assert colours(scene.descent) == {th.highlight.upper()}
    assert colours(scene.contours) == {th.muted.upper()}
