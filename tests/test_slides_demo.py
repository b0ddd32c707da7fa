"""`make demo` (deepviz gallery --slides) prints its progress and nothing from the libraries underneath."""
import logging

from deepviz import catalog


def test_the_training_example_run_is_read_without_tensorboard_info(caplog):
    import manim  # noqa: F401 - Manim's handler on the root logger shows INFO, as in every render

    with caplog.at_level(logging.INFO):
        catalog.get("training").trace("lr-too-high")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("tensorboard")] == []
