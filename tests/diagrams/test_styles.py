"""The three diagram styles: the structure of the DOT and SVG they produce, and the CLI."""
import re
import textwrap
import xml.etree.ElementTree as ET

import pytest
import torch
from torch import nn

import deepviz.diagrams as dd
from deepviz.cli import main
from deepviz.diagrams import block

from .models import GPT, ResNetLike, mlp

SVG = "{http://www.w3.org/2000/svg}"


def svg_nodes(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


def test_block_diagram_of_a_transformer_folds_the_layers_and_marks_residuals():
    d = dd.diagram(GPT(layers=4, d=32, heads=4, vocab=50), (1, 10), dtype=torch.long)
    assert d.engine == "dot" and d.width <= block.PAGE[0] and d.height <= block.PAGE[1]
    assert re.findall(r'label="blocks\.layers\.0: TransformerEncoderLayer \u00d74"', d.dot)
    assert len(re.findall(r"style=dashed, penwidth=1.6", d.dot)) == 2  # the two residual paths of a layer
    assert len(svg_nodes(d.svg)) == d.boxes
    labels = " ".join(t.text or "" for t in ET.fromstring(d.svg).iter(f"{SVG}text"))
    assert "MultiheadAttention" in labels and "1\u00d710\u00d750" in labels


class SharedMask(nn.Module):
    """Three different layers read one mask: it becomes a stub at each, not three long edges."""

    def __init__(self):
        super().__init__()
        self.a = nn.MultiheadAttention(16, 2, batch_first=True)
        self.b = nn.MultiheadAttention(16, 4, batch_first=True)
        self.c = nn.MultiheadAttention(16, 8, batch_first=True)

    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1])
        for layer in (self.a, self.b, self.c):
            x = layer(x, x, x, attn_mask=mask)[0]
        return x


def test_a_shared_mask_is_drawn_as_a_stub_at_each_consumer():
    d = dd.diagram(SharedMask(), (1, 6, 16))
    stubs = re.findall(r'label=<triu  <FONT[^>]*>6\u00d76</FONT>>, shape=note', d.dot)
    assert len(stubs) == 3
    assert "full" not in d.dot  # the constant under the mask went with it


def test_depth_one_shows_only_the_top_modules_and_bad_depth_is_refused():
    d = dd.diagram(ResNetLike(), (1, 3, 32, 32), depth=1)
    labels = re.findall(r"label=<(?:<B>)?([^<]+?)(?:</B>)?  <FONT", d.dot)
    assert labels == ["input", "Conv2d", "BatchNorm2d", "relu", "MaxPool2d", "layers", "adaptive_avg_pool2d",
                      "flatten", "Linear"]  # the stage list (named by its attribute) folds though it is never called itself
    d3 = dd.diagram(ResNetLike(), (1, 3, 32, 32), depth=3)
    assert "BasicBlock \u00d73" in d3.dot
    with pytest.raises(dd.DiagramError, match=r"depth: this model's modules nest 4 deep; use 1 to 4, got 7"):
        dd.diagram(ResNetLike(), (1, 3, 32, 32), depth=7)


def test_the_guard_sends_large_graphs_to_the_layered_fallback(monkeypatch):
    monkeypatch.setattr(block, "DOT_MAX_BOXES", 3)
    d = dd.diagram(ResNetLike(), (1, 3, 32, 32), depth=3)
    assert d.engine == "neato" and 'pos="' in d.dot
    assert len(svg_nodes(d.svg)) == d.boxes > 3


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF"),
                                           (".dot", b"digraph")])
def test_save_writes_each_format(tmp_path, suffix, magic):
    d = dd.diagram(mlp(), (1, 2))
    path = d.save(tmp_path / f"net{suffix}")
    assert path.read_bytes().startswith(magic)


def test_node_link_colours_edges_by_sign_and_elides_wide_layers():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 40), nn.ReLU(), nn.Linear(40, 2))
    d = dd.diagram(model, (1, 3), style="node-link")
    from deepviz.style.theme import LIGHT

    shown = [list(range(5)), list(range(4)) + list(range(36, 40))]
    w2 = model[2].weight.detach()
    positive = sum(1 for j in shown[1] for i in shown[0] if w2[j, i] >= 0)
    edges_2 = re.findall(r"l1_\d+ -> l2_\d+ \[color=\"([^\"]+)\"", d.dot)
    assert len(edges_2) == 5 * 8 and edges_2.count(LIGHT.kernel) == positive
    assert d.dot.count('label="\u22ee"') == 1 and "40 \u00b7 relu" in d.dot
    with pytest.raises(dd.DiagramError, match="node-link draws fully connected networks"):
        dd.diagram(ResNetLike(), (1, 3, 32, 32), style="node-link")


def test_volumes_draw_one_cuboid_per_feature_map_on_the_main_path():
    d = dd.diagram(ResNetLike(), (1, 3, 32, 32), style="volumes")
    root = ET.fromstring(d.svg)
    polygons = list(root.iter(f"{SVG}polygon"))
    kinds = [p.get("class") for p in polygons[::3]]
    # input, stem conv, maxpool, the blocks' six same-shape convs as one "x6", global pool, fc
    assert kinds == ["input", "conv", "pool", "conv", "pool", "fc"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "conv 3\u00d73 \u00d76" in texts and "8\u00d78\u00d78" in texts
    with pytest.raises(dd.DiagramError, match="volumes draws the feature maps of a CNN"):
        dd.diagram(mlp(), (1, 2), style="volumes")


USER_FILE = textwrap.dedent('''
    import torch
    from torch import nn

    def build_model():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("my model does not like this input")
''')


def test_cli_draws_a_model_from_a_file(tmp_path, capsys):
    src = tmp_path / "net.py"
    src.write_text(USER_FILE)
    out = tmp_path / "net.svg"
    assert main(["diagram", f"{src}:build_model", "--input", "1,4", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert len(svg_nodes(out.read_text())) == 4


@pytest.mark.parametrize("args, message", [
    (["{src}:nothere", "--input", "1,4"], "--model: {src} has no 'nothere' (it defines: build_model, Broken)"),
    (["{src}:Broken", "--input", "1,4"], "--model: the model failed on the example input: ValueError: my model "
                                         "does not like this input"),
    (["{dir}/missing.py:x", "--input", "1,4"], "--model: no such file: {dir}/missing.py"),
    (["{src}:build_model", "--input", "1,four"], "--input: expected sizes separated by commas"),
    (["{src}:build_model", "--input", "1,4", "--style", "3d"], "--style: must be one of block, node-link, volumes"),
    (["{src}:build_model", "--input", "1,4", "-o", "{dir}/net.jpg"], "--output: the file must end in"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, args, message):
    src = tmp_path / "net.py"
    src.write_text(USER_FILE)
    args = [a.format(src=src, dir=tmp_path) for a in args]
    assert main(["diagram", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deepviz: error: " + message.format(src=src, dir=tmp_path)) and "\n" not in err
    assert not list(tmp_path.glob("*.svg")) and not list(tmp_path.glob("*.jpg"))


def test_the_top_level_api_shows_svg_in_jupyter():
    import deepviz

    d = deepviz.diagram(mlp(), (1, 2))
    assert d._repr_svg_().lstrip().startswith("<?xml") and d.style == "block"
