"""What the batch-norm scene shows together (rendered at the tests' size)."""
import pytest

from deepviz.style.numbers import fmt_num


def _rows_showing(texts, candidates):
    """The examples (rows) whose values, formatted, are the texts shown."""
    return {r for r, values in candidates if [fmt_num(v) for v in values] == texts}


@pytest.mark.parametrize("preset", ["three-batches", "second-batch"])
def test_the_network_shows_one_example_at_a_time(preset, rendered_scene):
    """Inputs, hidden values (h, h-hat or z) and output drawn together belong to the same example."""
    seen = []

    def look(scene):
        net = getattr(scene, "net", None)
        if net is None or net["group"] not in scene.mobjects:
            return
        texts = {layer: [n.content.text for n in net[layer]] for layer in ("inputs", "hidden", "output")}
        seen.append((scene.time, texts))

    scene = rendered_scene("batch-norm", preset=preset, after_play=look)
    t = scene.trace.data
    b = t["batches"][t["detail"]]
    rows = range(len(b["x"]))
    layers = {
        "inputs": [(r, b["x"][r]) for r in rows],
        "hidden": [(r, b[k][r]) for k in ("h", "h_hat", "z") for r in rows],
        "output": [(r, b["y"][r]) for r in rows],
    }
    numbers_seen = 0
    for time, texts in seen:
        shown = {layer: _rows_showing(texts[layer], layers[layer]) for layer in layers
                 if texts[layer][0] not in ("x1", "h1", "y")}  # a name, not yet a value
        for layer, r in shown.items():
            assert r, f"t={time:.1f}s: the {layer} show {texts[layer]}, values of no example"
        if len(shown) > 1:
            numbers_seen += 1
            common = set.intersection(*shown.values())
            assert common, f"t={time:.1f}s: the network mixes examples: {texts} (rows {shown})"
    assert numbers_seen > 5
