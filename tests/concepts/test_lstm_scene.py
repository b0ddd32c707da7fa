"""What the lstm scene shows while it moves (rendered at the tests' size)."""
import pytest

pytestmark = pytest.mark.render


def overlaps_in_motion(rendered_scene, monkeypatch, **values):
    """Pairs of clearly visible labels that overlap in any frame, mid-animation included, and the scene.

    The layout lint looks after each animation only; numbers moving through each other on their way
    (four copies of the inputs morphing into the four gates) showed between its checks."""
    from deepviz.concepts.lstm.scene import GatedScene
    from deepviz.style.lint import OVERLAP_TOL, bbox, label_of, opacity, text_units

    hits: set[tuple[str, str]] = set()
    update = GatedScene.update_to_time

    def checked(scene, t):
        update(scene, t)
        # both past half opacity: a cross-fade in place (a title changing) is not a collision
        units = [(m, bbox(m)) for m in text_units(scene.mobjects) if opacity(m) > 0.5]
        units = [(m, b) for m, b in units if b is not None]
        for i, (a, ba) in enumerate(units):
            for c, bc in units[i + 1:]:
                w = min(ba[2], bc[2]) - max(ba[0], bc[0])
                h = min(ba[3], bc[3]) - max(ba[1], bc[1])
                if w > OVERLAP_TOL and h > OVERLAP_TOL:
                    hits.add((label_of(a), label_of(c)))

    monkeypatch.setattr(GatedScene, "update_to_time", checked)
    scene = rendered_scene("lstm", **values)
    return hits, scene


@pytest.mark.parametrize("values", [{"preset": "keep"}, {"cell": "gru", "sentence": "i feel"}])
def test_no_numbers_move_through_each_other(values, rendered_scene, monkeypatch):
    hits, scene = overlaps_in_motion(rendered_scene, monkeypatch, **values)
    assert hits == set()
    if values.get("preset") == "keep":  # was 103 s of 115: one step in detail, pictures change under the next caption
        assert 40 < scene.time < 90
