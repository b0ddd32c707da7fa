"""What the batch-norm scene shows together (rendered at the tests' size)."""
import pytest

from deepviz.style.lint import HG_PER_FONT_SIZE, PX_PER_UNIT_480P, effective_font_size
from deepviz.style.numbers import fmt_num

PX_PER_FONT = HG_PER_FONT_SIZE * PX_PER_UNIT_480P  # a label's height at 480p per point of font size


def _rows_showing(texts, candidates):
    """The examples (rows) whose values, formatted, are the texts shown."""
    return {r for r, values in candidates if [fmt_num(v) for v in values] == texts}


@pytest.mark.parametrize("preset", ["three-batches", "second-batch"])
def test_the_network_shows_one_example_at_a_time(preset, rendered_scene):
    """Inputs, hidden values (h, h-hat or z) and output drawn together belong to the same example,
    and each value fits its circle at a readable size."""
    seen, misfits = [], []

    def look(scene):
        net = getattr(scene, "net", None)
        if net is None or net["group"] not in scene.mobjects:
            return
        texts = {layer: [n.content.text for n in net[layer]] for layer in ("inputs", "hidden", "output")}
        seen.append((scene.time, texts))
        for layer in ("inputs", "hidden", "output"):
            for n in net[layer]:  # each value inside its circle, at a readable size
                if n.content.width > n.circle.width * 0.9 or effective_font_size(n.content) * PX_PER_FONT < 12:
                    misfits.append((round(scene.time, 1), n.content.text, round(n.content.width, 2),
                                    round(n.circle.width, 2)))

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
    assert not misfits, f"values overflowing their neuron or too small (t, text, width, circle): {misfits[:5]}"
