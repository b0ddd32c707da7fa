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


def test_every_channel_of_a_feature_map_is_shown_as_itself():
    # Before: one channel-mean heatmap stood for all four 10x10 maps of the first convolution.
    t = deepviz.trace("model-forward")
    _, outs = reference_outputs(examples.small_cnn, (1, 1, 12, 12))
    for box, out in zip(t["boxes"][1:], outs):
        if out.dim() != 4:
            continue
        v = box["values"]
        assert v["channel_count"] == out.shape[1] and v["channel_side_from"] is None
        torch.testing.assert_close(torch.tensor(v["channels"]), out[0, :8], rtol=0, atol=1e-6)


def test_large_maps_are_averaged_and_many_channels_cut_and_said(tmp_path):
    src = tmp_path / "wide.py"
    src.write_text("import torch\n\ndef build():\n    return torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3))\n")
    t = deepviz.trace("model-forward", model=f"{src}:build", input="1,1,26,26")
    v = t["boxes"][1]["values"]
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3))
    with torch.no_grad():
        out = model(torch.randn(1, 1, 26, 26))
    expected = torch.nn.functional.adaptive_avg_pool2d(out[0, :8], (12, 12))
    torch.testing.assert_close(torch.tensor(v["channels"]), expected, rtol=0, atol=1e-6)
    assert v["channel_count"] == 16 and v["channel_side_from"] == [24, 24]
    assert "16 feature maps (the first 8 shown)" in t.narration["box1"]


def test_random_weights_are_said_to_be_random(tmp_path):
    # Before: nothing told the viewer that the example models are untrained.
    t = deepviz.trace("model-forward")
    assert t["weights"] == "random" and "weights are random (untrained" in t.narration["intro"]
    src = tmp_path / "fixed.py"
    src.write_text("import torch\n\ndef build():\n    m = torch.nn.Linear(3, 2)\n"
                   "    torch.nn.init.constant_(m.weight, 0.5)\n    torch.nn.init.zeros_(m.bias)\n    return m\n")
    fixed = deepviz.trace("model-forward", model=f"{src}:build", input="1,3")
    assert fixed["weights"] == "fixed" and "weights are random" not in fixed.narration["intro"]


def test_the_weights_check_does_not_change_the_example_input():
    t = deepviz.trace("model-forward", preset="mlp")
    x, _ = reference_outputs(examples.mlp, (1, 2))
    assert t["boxes"][0]["values"]["grid"][0] == pytest.approx(x[0].tolist(), abs=1e-6)


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
