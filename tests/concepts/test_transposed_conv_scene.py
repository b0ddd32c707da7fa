"""What the transposed-conv scene shows, and in which order (rendered at the tests' size)."""
import pytest


@pytest.mark.parametrize("preset", ["padding-strided", "no-padding-strided", "padding-unit-strides"])
def test_no_output_cell_is_written_before_its_window_is_shown(preset, rendered_scene):
    scene = rendered_scene("transposed-conv", preset=preset)
    assert fast_sweep_plays(scene) <= fast_steps(scene) + 3  # see below: one play a step (the same renders)
    assert len(scene.sweep_records) == 2  # the direct and the transposed sweep
    for record in scene.sweep_records:
        assert record["written"].keys() == record["shown"].keys()
        early = {cell: (record["written"][cell], record["shown"][cell]) for cell in record["written"]
                 if record["written"][cell] <= record["shown"][cell]}
        assert not early, f"cells written (frame) before their window is shown (frame): {early}"


def fast_steps(scene) -> int:
    """The direct sweep's steps after the detailed ones."""
    from deepviz.concepts.transposed_conv.scene import DETAILED_STEPS

    return len(scene.trace.data["direct"]["steps"]) - DETAILED_STEPS


def fast_sweep_plays(scene) -> int:
    """The plays (animations and waits) of the narration step 'sweep', the direct convolution's fast sweep.

    A play redraws every mobject on screen, so the fast sweep plays once a step: the window's move and the
    value's fade share it. Besides those: the last value's fade, the wait for the caption, the window's fade-out.
    """
    text = scene.theme.words(scene.trace.caption("sweep"))
    i = [cue.text for cue in scene.cues].index(text)
    return scene.step_plays[i + 1] - scene.step_plays[i]
