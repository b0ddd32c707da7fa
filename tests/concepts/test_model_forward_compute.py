"""The model-forward trace against the model's own forward pass (hooks on a fresh copy)."""
import pytest
import torch

import deepviz
from deepviz.cli import main
from deepviz.diagrams import examples
from deepviz.params import ParamError


def reference_outputs(builder, shape, seed=0):
    """Each leaf module's output in a plain forward pass of the same model and input."""
    torch.manual_seed(seed)
    model = builder().eval()
    x = torch.randn(shape)
    outs = []
    hooks = [m.register_forward_hook(lambda m, a, out: outs.append(out.detach())) for m in model.modules()
             if not list(m.children())]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return x, outs


@pytest.mark.parametrize("preset, builder, shape", [("small-cnn", examples.small_cnn, (1, 1, 12, 12)),
                                                     ("mlp", examples.mlp, (1, 2))])
def test_every_box_summarises_the_real_activation(preset, builder, shape):
    t = deepviz.trace("model-forward", preset=preset)
    x, outs = reference_outputs(builder, shape)
    boxes = t["boxes"]
    assert [b["shape"] for b in boxes] == [list(x.shape)] + [list(o.shape) for o in outs]
    for box, out in zip(boxes, [x] + outs):
        v = box["values"]
        assert v["mean"] == pytest.approx(out.mean().item(), abs=1e-6)
        assert v["max"] == pytest.approx(out.max().item(), abs=1e-6)
        assert v["zeros"] == pytest.approx((out == 0).float().mean().item(), abs=1e-9)
    last = outs[-1][0]
    flat = [v for row in boxes[-1]["values"]["grid"] for v in row]
    torch.testing.assert_close(torch.tensor(flat), last[:len(flat)], rtol=0, atol=1e-6)


def test_a_conv_map_is_the_channel_mean_pooled():
    t = deepviz.trace("model-forward")
    _, outs = reference_outputs(examples.small_cnn, (1, 1, 12, 12))
    pooled = torch.nn.functional.adaptive_avg_pool2d(outs[0][0].mean(0)[None, None], (8, 8))[0, 0]
    torch.testing.assert_close(torch.tensor(t["boxes"][1]["values"]["grid"]), pooled, rtol=0, atol=1e-6)


def test_the_narration_names_the_largest_score():
    t = deepviz.trace("model-forward")
    flat = [v for row in t["output"]["grid"] for v in row]
    best = max(range(10), key=flat.__getitem__)
    assert f"the largest is number {best}" in t.narration["output"]


def test_a_user_file_and_its_errors(tmp_path, capsys):
    src = tmp_path / "net.py"
    src.write_text("import torch\n\ndef build():\n    return torch.nn.Sequential(torch.nn.Linear(3, 2))\n")
    t = deepviz.trace("model-forward", model=f"{src}:build", input="2,3")
    assert [b["shape"] for b in t["boxes"]] == [[2, 3], [2, 2]]
    with pytest.raises(ParamError, match=r"--model: the model failed on the example input: RuntimeError: mat1 and "
                                         r"mat2 shapes cannot be multiplied"):
        deepviz.trace("model-forward", model=f"{src}:build", input="2,4")
    assert main(["render", "model-forward", "--model", f"{src}:nope", "--input", "2,3", "--output",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"deepviz: error: --model: {src} has no 'nope' (it defines: build)"
    assert not (tmp_path / "o").exists()
    with pytest.raises(ParamError, match="--input: expected sizes separated by commas"):
        deepviz.trace("model-forward", input="two")
    with pytest.raises(ParamError, match="--depth: this model's modules nest 1 deep"):
        deepviz.trace("model-forward", depth=5)
