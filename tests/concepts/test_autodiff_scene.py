"""What the autodiff scene draws for the 2-2-1 network: readable value and gradient labels, the gradients in
the gradient colour, clear of the frame's edge and of each other."""
import pytest

pytestmark = pytest.mark.render


def test_the_mlp_graph_uses_the_frame_and_its_gradient_labels_read(rendered_scene):
    # issue 12: the graph sat in the left half, its gradient labels 2 px from the edge and too small
    scene = rendered_scene("autodiff", preset="mlp-2-2-1")
    th = scene.theme
    assert len(scene.gradient_labels) == len(scene.trace.data["nodes"]) - 1
    assert {g[1].get_fill_color().to_hex().upper() for g in scene.gradient_labels} == {th.gradient.upper()}
    assert [v for v in scene.lint.violations if v.split(":")[0] in ("text size", "margin", "overlap")] == []
