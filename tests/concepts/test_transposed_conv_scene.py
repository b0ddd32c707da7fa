"""What the transposed-conv scene shows, and in which order (rendered at the tests' size)."""
import pytest


@pytest.mark.parametrize("preset", ["padding-strided", "no-padding-strided", "padding-unit-strides"])
def test_no_output_cell_is_written_before_its_window_is_shown(preset, rendered_scene):
    scene = rendered_scene("transposed-conv", preset=preset)
    assert len(scene.sweep_records) == 2  # the direct and the transposed sweep
    for record in scene.sweep_records:
        assert record["written"].keys() == record["shown"].keys()
        early = {cell: (record["written"][cell], record["shown"][cell]) for cell in record["written"]
                 if record["written"][cell] <= record["shown"][cell]}
        assert not early, f"cells written (frame) before their window is shown (frame): {early}"
