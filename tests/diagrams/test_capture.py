"""Capture: nodes, edges and shapes against the real forward pass of several kinds of model."""
import pytest
import torch
from torch import nn

from deepviz.diagrams.capture import CaptureError, capture
from deepviz.diagrams.fold import fold, repeat_runs

from .models import GPT, ResNetLike, TwoInputs, branchy, mlp


def ops(cap):
    return [(n.kind, n.op) for n in cap.nodes]


def test_mlp_is_a_chain_of_its_layers():
    cap = capture(mlp(), [((4, 2), torch.float32)])
    assert ops(cap) == [("input", "input"), ("module", "Linear"), ("module", "ReLU"), ("module", "Linear")]
    assert cap.edges() == [(0, 1), (1, 2), (2, 3)]
    assert [n.shape for n in cap.nodes] == [(4, 2), (4, 16), (4, 16), (4, 1)]
    assert cap.nodes[1].info == {"in_features": 2, "out_features": 16} and cap.nodes[1].params == 48


def test_shapes_equal_the_real_forward_pass_and_the_model_is_not_moved():
    model = ResNetLike()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cap = capture(model, [((2, 3, 32, 32), torch.float32)], device="meta")
    assert cap.device == "meta"
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # not moved, not trained
    real = {}
    hooks = [m.register_forward_hook(lambda m, a, out, name=name: real.__setitem__(name, tuple(out.shape)))
             for name, m in model.named_modules() if not list(m.children())]
    with torch.no_grad():
        model(torch.randn(2, 3, 32, 32))
    for h in hooks:
        h.remove()
    captured = {n.name: n.shape for n in cap.nodes if n.kind == "module"}
    assert captured == real


def test_auto_runs_a_small_model_for_real_and_a_model_built_on_meta_on_meta():
    assert capture(mlp(), [((1, 2), torch.float32)]).device == "cpu"
    with torch.device("meta"):
        model = mlp()
    assert capture(model, [((1, 2), torch.float32)]).device == "meta"


def test_residual_additions_read_both_paths():
    cap = capture(ResNetLike(), [((1, 3, 32, 32), torch.float32)])
    adds = [n for n in cap.nodes if n.op == "add"]
    assert len(adds) == 3  # one per residual block
    for a in adds:
        kinds = {cap.node(i).op for i in a.inputs}
        assert len(a.inputs) == 2 and "BatchNorm2d" in kinds


def test_transformer_mask_feeds_every_attention_layer():
    cap = capture(GPT(layers=3, d=32, heads=4, vocab=50), [((1, 10), torch.long)])
    mask = next(n for n in cap.nodes if n.op == "triu")
    readers = [cap.node(j) for i, j in cap.edges() if i == mask.id]
    assert [r.op for r in readers] == ["MultiheadAttention"] * 3
    assert next(n for n in cap.nodes if n.op == "arange").kind == "constant"
    assert cap.nodes[-1].shape == (1, 10, 50)
    assert cap.nodes[0].dtype == "int64"


def test_repeated_layers_fold_into_one_box_marked_with_the_count():
    cap = capture(GPT(layers=5, d=32, heads=4, vocab=50), [((1, 10), torch.long)])
    runs = repeat_runs(cap)
    assert runs["blocks.layers.0"] == [f"blocks.layers.{i}" for i in range(5)]
    f = fold(cap, 3)
    layer = [b for b in f.boxes if b.kind == "group" and b.label == "TransformerEncoderLayer"]
    assert len(layer) == 1 and layer[0].repeat == 5
    # what read the last layer's output now reads the first (folded) layer
    assert (layer[0].key, next(b.key for b in f.boxes if b.label == "LayerNorm")) in f.edges


def test_python_control_flow_is_followed_as_it_ran():
    cap = capture(branchy(), [((1, 8), torch.float32)], device="real")
    assert [n.op for n in cap.nodes if n.kind == "module"] == ["Linear", "Linear", "Linear"]
    # value-dependent control flow cannot run on meta: auto falls back to a real pass
    assert capture(branchy(), [((1, 8), torch.float32)]).device == "cpu"


def test_two_inputs_and_a_concatenation():
    cap = capture(TwoInputs(), [((2, 3), torch.float32), ((2, 5), torch.float32)], input_names=["a", "b"])
    inputs = [n for n in cap.nodes if n.kind == "input"]
    assert [n.name for n in inputs] == ["a", "b"]
    cat = next(n for n in cap.nodes if n.op == "cat")
    assert cat.shape == (2, 8) and len(cat.inputs) == 2
    assert cap.nodes[-1].shape == (2, 1)


def test_a_model_that_fails_reports_its_own_message():
    with pytest.raises(CaptureError, match="mat1 and mat2 shapes cannot be multiplied"):
        capture(nn.Linear(3, 4), [((1, 5), torch.float32)])


def test_meta_capture_of_a_big_model_needs_no_memory_for_weights():
    with torch.device("meta"):
        model = GPT(layers=2, d=1024, heads=16, vocab=50000)
    cap = capture(model, [((1, 64), torch.long)])
    assert cap.device == "meta" and cap.nodes[-1].shape == (1, 64, 50000)


def test_lazy_modules_are_shaped_by_a_first_forward_not_captured_initialising():
    from torch import nn

    from deepviz.diagrams.capture import capture, param_count

    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10))
    assert param_count(model) == 3 * 8 * 9 + 8  # the lazy layer has no shape yet
    cap = capture(model, [torch.zeros(1, 3, 16, 16)])
    assert [(n.kind, n.op) for n in cap.nodes] == [("input", "input")] + [
        ("module", op) for op in ("Conv2d", "ReLU", "Flatten", "Linear")]  # no initialisation calls (LazyLinear becomes Linear)
    assert cap.nodes[-1].params == 8 * 14 * 14 * 10 + 10
    assert param_count(model) == 3 * 8 * 9 + 8 + 8 * 14 * 14 * 10 + 10
