"""deepviz.widget: controls from the declarations, the narration recomputed, errors as one line; the notebook runs."""
from pathlib import Path

import pytest

from deepviz import catalog, widget
from deepviz.notebook import control
from deepviz.params import Bool, Choice, Float, Int

ROOT = Path(__file__).resolve().parent.parent


def test_controls_follow_the_declarations():
    for concept in catalog.concepts():
        _, defaults = concept.resolve(None)
        for p in concept.params:
            check_control(p, control(p, defaults[p.name]), defaults)


def check_control(p, c, defaults):
    if isinstance(p, Bool):
        assert type(c).__name__ == "Checkbox" and c.value == defaults[p.name]
    elif isinstance(p, Choice):
        assert list(c.options) == list(p.choices) and c.value == defaults[p.name]
    elif isinstance(p, (Int, Float)) and type(c).__name__.endswith("Slider"):
        assert (c.min, c.max) == (p.min, p.max) and c.value == pytest.approx(defaults[p.name])
    else:
        assert type(c).__name__ == "Text"
        assert c.value == ("" if defaults[p.name] is None else p.format(defaults[p.name]))


def test_a_change_recomputes_and_a_bad_value_is_one_line():
    w = widget("transposed-conv")
    assert w.narration.value.count("<li>") == len(catalog.get("transposed-conv").trace(None).narration)
    before = w.narration.value
    w.controls["stride"].value = "2"
    assert w.narration.value != before and w.status.value == ""
    expected = catalog.get("transposed-conv").trace(w.preset.value, **w._user_values()).narration
    assert all(text.split("{")[0][:20] in w.narration.value for text in expected.values())
    w.controls["input"].value = "0x4"
    assert w.status.value.count("--input") == 1 and "\n" not in w.status.value
    assert w.render() is None  # nothing rendered from a bad value
    w.load_preset("matrix-view")
    assert w.status.value == "" and w.preset.value == "matrix-view"


@pytest.mark.render
def test_still_renders_the_current_values(tmp_path):
    w = widget("perceptron", quality="test", output=tmp_path)
    result = w.render(fmt="png")
    assert result.image is not None and result.image.is_file() and result.image.parent.parent == tmp_path


def test_example_notebook_executes():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "examples/notebook.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "matrix-view" in text
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert any("image/svg+xml" in o.get("data", {}) or "text/html" in o.get("data", {}) for o in outputs[-2:-1])
    assert "<iframe" in outputs[-1]["data"]["text/html"] and "/optimise" in outputs[-1]["data"]["text/html"]


def test_studio_in_a_cell_serves_its_pages_and_stops():
    import httpx

    from deepviz.notebook import _STUDIO, stop_studio, studio
    from deepviz.params import ParamError

    frame = studio("gallery")
    try:
        url = frame.src
        assert url.startswith("http://127.0.0.1:") and url.endswith("/gallery") and 'iframe' in frame._repr_html_()
        assert httpx.get(url, timeout=10).status_code == 200
        assert studio("optimise").src == url.replace("gallery", "optimise")  # the same studio
        with pytest.raises(ParamError, match="--page"):
            studio("http://example.com/")
    finally:
        stop_studio()
    assert not _STUDIO
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)


def test_without_ipywidgets_one_line_says_what_to_install(monkeypatch):
    import sys

    from deepviz.notebook import MissingWidgets

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # an import of it fails
    with pytest.raises(MissingWidgets, match=r"^deepviz.widget needs ipywidgets: pip install 'deepviz\[notebook\]'$"):
        widget("perceptron")


def test_watch_draws_its_recorded_scalars_live_in_a_cell(tmp_path):
    import re

    import torch
    from torch import nn

    import deepviz

    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = [3.0, 1.0, 2.0, float("nan"), 0.5]
    with pytest.warns(UserWarning, match="NaN"):
        with deepviz.watch(model, opt, logdir=tmp_path / "run", every=2, histograms=False) as w:
            chart = w.chart()
            assert "waiting" in chart.value
            for loss in losses:
                model(torch.ones(1, 2)).sum().backward()
                opt.step()
                opt.zero_grad()
                w.step(loss=loss)
    # recorded: steps 0, 2, 4 (every 2) and step 3 (NaN, recorded at once, not drawn)
    (line,) = re.findall(r'<polyline data-name="loss" points="([^"]+)"', chart.value)
    pts = [tuple(map(float, p.split(","))) for p in line.split()]
    assert len(pts) == 3 and pts[0][0] < pts[1][0] < pts[2][0]
    ys = [y for _, y in pts]  # SVG y grows downwards: the largest loss (3.0) is highest
    assert ys[0] == min(ys) and ys[2] == max(ys) and ys[0] < ys[1] < ys[2]
    assert "loss 0.5 (NaN from step 3)" in chart.value
