"""The zoo: every kind of model users bring draws, and its drawing has the right structure.

Each test names the defect it guards against; each failed on the capture and fold before
one box per module call, chained-only repeat runs, traced non-tensor inputs and outputs, and
"scalar" labels.
"""
import itertools
import re
from pathlib import Path

import pytest
import torch

import deepviz.diagrams as dd
from deepviz.cli import main
from deepviz.diagrams import block
from deepviz.diagrams.capture import capture
from deepviz.diagrams.fold import fold, max_depth

from . import zoo

L = torch.long
BERT_MASK = {"attention_mask": torch.ones(1, zoo.T, dtype=L)}
T5_DECODER = {"decoder_input_ids": ((1, 6), L)}


def cap_of(builder, *inputs, **kwargs):
    return capture(zoo.seeded(builder), list(inputs), **({"kwargs": kwargs} if kwargs else {}))


def keys(f, label=None):
    return [b.key for b in f.boxes if label is None or b.label == label]


def box(f, key):
    return next(b for b in f.boxes if b.key == key)


def ins(f, key):
    return [a for a, b in f.edges if b == key]


def outs(f, key):
    return [b for a, b in f.edges if a == key]


def acyclic(f) -> bool:
    """Every edge goes forward in execution order (a box used twice drew a loop)."""
    order = {b.key: i for i, b in enumerate(f.boxes)}
    return all(order[a] < order[b] for a, b in f.edges)


def drawn_labels(d) -> list[str]:
    return re.findall(r"label=<(?:<B>)?([^<]+?)(?:</B>)?  <FONT", d.dot)


# -- failures ---------------------------------------------------------------------------------------------
def test_a_scalar_from_control_flow_is_labelled_scalar_and_draws():
    d = dd.diagram(zoo.seeded(zoo.ValueBranch), (1, 8))
    assert re.search(r'mean  <FONT[^>]*>scalar</FONT>', d.dot) and re.search(r'gt  <FONT[^>]*>scalar</FONT>', d.dot)
    assert d.engine == "dot" and drawn_labels(d).count("Linear") == 3


def test_a_graphviz_failure_is_one_line_and_does_not_take_the_fallback(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(block, "to_dot", lambda f, theme, positions=None: "digraph G { a -> ; }")
    with pytest.raises(dd.DiagramError) as err:
        dd.diagram(zoo.seeded(zoo.ValueBranch), (1, 8))
    message = str(err.value)
    assert message.startswith("model: Graphviz's dot failed: ") and "\n" not in message and "neato" not in message
    assert main(["diagram", "deepviz.diagrams.examples:mlp", "--input", "1,2", "-o", str(tmp_path / "m.svg")]) == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith("deepviz: error: --model: Graphviz's dot failed: ") and "\n" not in said
    assert not list(tmp_path.iterdir())


def test_only_a_timeout_takes_the_fallback_layout(monkeypatch):
    real = block._run

    def slow_dot(engine, dot, fmt, timeout=block.DOT_TIMEOUT):
        if engine == "dot":
            raise block.GraphvizError("Graphviz's dot took longer than 20 s", timeout=True)
        return real(engine, dot, fmt, timeout)

    monkeypatch.setattr(block, "_run", slow_dot)
    d = dd.diagram(zoo.seeded(zoo.ValueBranch), (1, 8), depth=1)
    assert d.engine == "neato" and "scalar" in d.dot


def test_a_detector_takes_a_list_of_images_and_its_image_list_output_connects():
    d = dd.diagram(zoo.seeded(zoo.Detector), [torch.rand(3, 40, 40), torch.rand(3, 32, 36)], depth=2)
    cap = capture(zoo.seeded(zoo.Detector), [[torch.rand(3, 40, 40), torch.rand(3, 32, 36)]])
    assert [n.name for n in cap.nodes if n.kind == "input"] == ["images[0]", "images[1]"]
    f = fold(cap, 2)
    assert [box(f, k).name for k in ins(f, "transform")] == ["images[0]", "images[1]"]
    assert ins(f, "backbone.0") == ["transform"]  # through ImageList.tensors, a plain object's attribute
    assert box(f, "transform").shape == (2, 3, 40, 40)
    assert len(cap.outputs) == 4 and d.boxes == len(f.boxes)  # boxes and scores of each image (dicts in a list)
    assert cap.device == "cpu"  # nonzero has no meta kernel: a real pass


def test_keyword_inputs_and_a_dict_output():
    cap = cap_of(zoo.Bert, ((1, zoo.T), L), **BERT_MASK)
    assert [n.name for n in cap.nodes if n.kind == "input"] == ["input", "attention_mask"]
    outputs = {cap.node(i).shape for i in cap.outputs}
    assert outputs == {(1, zoo.T, zoo.D), (1, zoo.D)}  # the dict's last_hidden_state and pooler_output
    d = dd.diagram(zoo.seeded(zoo.Bert), (1, zoo.T), dtype=L, inputs=BERT_MASK)
    assert "attention_mask" in drawn_labels(d)
    with pytest.raises(dd.DiagramError, match="inputs: expected a dict of keyword inputs"):
        dd.diagram(zoo.seeded(zoo.Bert), (1, zoo.T), inputs=[1, 2])


def test_a_dataclass_output_is_traced():
    cap = cap_of(zoo.T5, ((1, zoo.T), L), **T5_DECODER)
    assert sorted(cap.node(i).shape for i in cap.outputs) == [(1, 6, zoo.VOCAB), (1, zoo.T, zoo.D)]


# -- wrong drawings -------------------------------------------------------------------------------------------
def test_a_unet_reusing_one_pool_draws_one_box_per_call():
    cap = cap_of(zoo.UNet, ((1, 1, 32, 32), torch.float32))
    f = fold(cap, 1)
    assert keys(f, "MaxPool2d") == ["pool", "pool#2", "pool#3"]
    assert [(ins(f, k), outs(f, k)) for k in keys(f, "MaxPool2d")] == [
        (["enc1"], ["enc2"]), (["enc2"], ["enc3"]), (["enc3"], ["bottleneck"])]
    assert acyclic(f) and len(keys(f, "cat")) == 3
    assert [box(f, k).shape for k in keys(f, "MaxPool2d")] == [(1, 4, 16, 16), (1, 8, 8, 8), (1, 16, 4, 4)]


def test_a_bottleneck_calling_one_relu_three_times_draws_three_relus_and_no_loop():
    cap = cap_of(zoo.BottleneckResNet, ((1, 3, 64, 64), torch.float32))
    f = fold(cap, max_depth(cap))
    block0 = [b for b in f.boxes if b.frames[-1:] == ("layer1.0",)]
    assert [b.key for b in block0 if b.label == "ReLU"] == ["layer1.0.relu", "layer1.0.relu#2", "layer1.0.relu#3"]
    assert acyclic(f)
    add = next(b.key for b in block0 if b.label == "add")
    assert sorted(ins(f, add)) == ["layer1.0.bn3", "layer1.0.downsample.1"] and outs(f, add) == ["layer1.0.relu#3"]
    assert f.frames["layer1.1"] == ("Bottleneck", 2) and f.frames["layer2.1"] == ("Bottleneck", 1)


def test_a_shared_drop_path_stays_inside_each_block_and_residuals_are_right():
    cap = cap_of(zoo.SharedDropPathViT, ((1, 3, 32, 32), torch.float32))
    f = fold(cap, max_depth(cap))
    inside = [b for b in f.boxes if "blocks.0" in b.frames]
    drops = [b.key for b in inside if b.label == "DropPath"]
    assert drops == ["blocks.0.drop_path", "blocks.0.drop_path#2"]  # the shared module's first two calls
    adds = [b.key for b in inside if b.label == "add"]
    assert [outs(f, d) for d in drops] == [[adds[0]], [adds[1]]]
    assert outs(f, adds[0]) == ["blocks.0.norm2", adds[1]]  # the norm is after the first add, not below both
    assert {b for _, b in f.residual} == set(adds) and acyclic(f)
    assert box(f, "blocks.0").repeat == 3 if "blocks.0" in keys(f) else f.frames["blocks.0"] == ("ViTBlock", 3)


def test_one_layer_called_in_a_chain_folds_into_one_box_of_its_calls():
    cap = cap_of(zoo.SharedLayer, ((1, 8), torch.float32))
    f = fold(cap, 1)
    assert [(b.key, b.repeat) for b in f.boxes if b.name == "layer"] == [("layer", 4)]
    assert f.edges == [("n0", "embed"), ("embed", "layer"), ("layer", "head")] and acyclic(f)
    d = dd.diagram(zoo.seeded(zoo.SharedLayer), (1, 8), depth=1)
    assert drawn_labels(d) == ["input", "Linear", "layer \u00d74", "Linear"]


def test_parallel_query_key_value_projections_stay_separate_and_connected():
    cap = cap_of(zoo.Bert, ((1, zoo.T), L), ((1, zoo.T), L))  # the mask given by position
    f = fold(cap, max_depth(cap))
    qkv = [f"layer.0.attention.{p}" for p in ("query", "key", "value")]
    assert [k for k in keys(f, "Linear") if k.startswith("layer.0.attention")] == qkv
    assert all(ins(f, k) == ["ln"] and len(outs(f, k)) == 1 for k in qkv)
    assert f.frames["layer.0"] == ("BertLayer", 3)


def test_llama_grouped_key_and_value_projections_stay_separate():
    cap = cap_of(zoo.Llama, ((1, zoo.T), L))
    f = fold(cap, max_depth(cap))
    attn = [k for k in keys(f, "Linear") if k.startswith("layers.0.self_attn")]
    assert attn == [f"layers.0.self_attn.{p}_proj" for p in "qkvo"]
    assert all(outs(f, k) for k in attn) and f.frames["layers.0"] == ("LlamaLayer", 2)


def in_stack(f, key, stack):
    b = box(f, key)
    return key.startswith(stack) or (b.frames and b.frames[0] == stack)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_t5_keeps_its_encoder_to_decoder_edge_at_every_depth(depth):
    cap = cap_of(zoo.T5, ((1, zoo.T), L), T5_DECODER["decoder_input_ids"])
    assert max_depth(cap) == 5
    f = fold(cap, depth)
    cross = [(a, b) for a, b in f.edges if in_stack(f, a, "encoder") and in_stack(f, b, "decoder")]
    assert cross
    if depth == 5:
        assert {b for _, b in cross} == {f"decoder.block.{i}.cross_attn.{p}" for i in (0, 1) for p in "kv"}
        assert f.frames["decoder.block.1"] == ("T5Block", 2)


# -- readability --------------------------------------------------------------------------------------------
def test_sequential_stages_are_named_by_their_attribute_path():
    assert drawn_labels(dd.diagram(zoo.seeded(zoo.ConvNeXt), (1, 3, 64, 64), depth=1)) == [
        "input", "stem", "stages", "head"]  # not "Sequential" three times
    d = dd.diagram(zoo.seeded(zoo.ConvNeXt), (1, 3, 64, 64), depth=2)
    assert [x for x in drawn_labels(d) if x.startswith("stages")] == ["stages.0", "stages.1", "stages.2"]
    assert "Sequential" not in drawn_labels(d)
    deep = dd.diagram(zoo.seeded(zoo.ConvNeXt), (1, 3, 64, 64), depth=3)
    assert drawn_labels(deep).count("ConvNeXtBlock \u00d72") == 3
    assert 'label="stages.1: Sequential"' in deep.dot


def test_frames_keep_a_margin_in_points_and_long_titles_are_shortened():
    d = dd.diagram(zoo.seeded(zoo.T5), (1, zoo.T), dtype=L, inputs=T5_DECODER, depth=5)
    assert d.dot.count(f"margin={block.FRAME_MARGIN};") == d.dot.count("subgraph cluster_")
    titles = re.findall(r'label="([^"]+)"; labeljust', d.dot)
    assert titles and max(len(t.partition(":")[0]) for t in titles) <= block.FRAME_TITLE


def test_a_multi_output_module_shows_each_output_read():
    d = dd.diagram(zoo.seeded(zoo.GRUSeq2Seq), ((1, zoo.T), (1, 6)), dtype=L)
    assert re.search(r"GRU  <FONT[^>]*>1\u00d78\u00d732, 1\u00d71\u00d732</FONT>", d.dot)  # memory and h
    assert re.search(r"GRU  <FONT[^>]*>1\u00d76\u00d732</FONT>", d.dot)  # the decoder's h is not read
    assert drawn_labels(d)[:2] == ["src", "tgt"]  # several inputs are named by forward's parameters


def test_the_mask_building_subgraph_is_one_box():
    cap = capture(zoo.seeded(zoo.Bert), [((1, zoo.T), L)], input_names=["input_ids"], kwargs=BERT_MASK)
    for depth in range(1, max_depth(cap) + 1):
        f = fold(cap, depth)
        masks = [b for b in f.boxes if b.label == "attention mask"]
        assert len(masks) == 1 and masks[0].shape == (1, 1, zoo.T, zoo.T)
        assert not {"masked_fill", "rsub", "to"} & {b.label for b in f.boxes}
    t5 = fold(cap_of(zoo.T5, ((1, zoo.T), L), **T5_DECODER), 3)
    assert [b.shape for b in t5.boxes if b.label == "attention mask"] == [(1, 1, 6, 6)]


def test_the_automatic_depth_opens_the_encoder_and_decoder_stacks_and_shows_lstm_layers():
    d = dd.diagram(zoo.seeded(zoo.T5), (1, zoo.T), dtype=L, inputs=T5_DECODER)
    assert d.depth >= 3 and drawn_labels(d).count("T5Block") == 2 and drawn_labels(d).count("T5Block \u00d72") == 2
    lstm = dd.diagram(zoo.seeded(zoo.LSTMLanguageModel), (1, zoo.T), dtype=L)
    assert "LSTM (2 layers)" in drawn_labels(lstm)


def test_an_early_exit_that_calls_item_draws_both_exits():
    d = dd.diagram(zoo.seeded(zoo.EarlyExit), (1, 8), device="auto")
    labels = drawn_labels(d)
    assert labels.count("Linear") == 4 and "max" in labels


ZOO = [  # builder, positional example, keyword inputs, dtype
    (zoo.Bert, (1, zoo.T), BERT_MASK, L), (zoo.Llama, (1, zoo.T), None, L), (zoo.GPT2, (1, zoo.T), None, L),
    (zoo.T5, (1, zoo.T), T5_DECODER, L), (zoo.UNet, (1, 1, 32, 32), None, None),
    (zoo.BottleneckResNet, (1, 3, 64, 64), None, None), (zoo.SharedDropPathViT, (1, 3, 32, 32), None, None),
    (zoo.ConvNeXt, (1, 3, 64, 64), None, None), (zoo.LSTMLanguageModel, (1, zoo.T), None, L),
    (zoo.GRUSeq2Seq, ((1, zoo.T), (1, 6)), None, L), (zoo.Detector, [torch.rand(3, 40, 40)], None, None),
    (zoo.EarlyExit, (1, 8), None, None), (zoo.ValueBranch, (1, 8), None, None),
]


@pytest.mark.parametrize("builder, example, inputs, dtype", ZOO, ids=[z[0].__name__ for z in ZOO])
def test_every_zoo_model_draws_on_one_page(builder, example, inputs, dtype):
    d = dd.diagram(zoo.seeded(builder), example, dtype=dtype, **({"inputs": inputs} if inputs else {}))
    assert d.engine == "dot" and d.width <= block.PAGE[0] and d.height <= block.PAGE[1]
    assert d.boxes == len(re.findall(r"^\s+b\d+ \[label=", d.dot, re.MULTILINE))


def test_cli_takes_named_and_list_inputs(tmp_path, capsys):
    src = tmp_path / "models.py"
    src.write_text(f"import sys\nsys.path.insert(0, {str(Path(__file__).parents[1])!r})\n"
                   "from diagrams.zoo import Bert, Detector\n")
    out = tmp_path / "bert.dot"
    assert main(["diagram", f"{src}:Bert", "--input", "1,8:long", "--input", "attention_mask=1,8:long",
                 "-o", str(out)]) == 0
    assert "attention_mask" in out.read_text()
    out = tmp_path / "det.dot"
    assert main(["diagram", f"{src}:Detector", "--input", "[3,40,40;3,32,36]", "-o", str(out)]) == 0
    assert "images[1]" in out.read_text()
    assert main(["diagram", f"{src}:Bert", "--input", "1,8:long", "--input", "attention mask=1,8"]) == 2
    assert capsys.readouterr().err.strip().startswith("deepviz: error: --input: a name before '=' must be")


def test_volumes_mark_skips_and_side_convolutions_and_notes_do_not_meet():
    import xml.etree.ElementTree as ET

    from deepviz.diagrams.examples import ResNet

    svg = ET.fromstring(dd.diagram(ResNet(widths=(8, 16, 32), classes=10), (1, 3, 64, 64), style="volumes").svg)
    texts = [t for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert [t.text for t in texts if "skip" in t.text] == ["+2 skips", "+2 skips (conv 1\u00d71/2)",
                                                           "+2 skips (conv 1\u00d71/2)"]
    notes = sorted((float(t.get("y")), float(t.get("x")), len(t.text) * 0.58 * float(t.get("font-size")))
                   for t in texts)
    for (y1, x1, w1), (y2, x2, w2) in itertools.pairwise(notes):
        assert y1 != y2 or x2 - x1 >= (w1 + w2) / 2  # texts on one line keep apart
    unet = dd.diagram(zoo.seeded(zoo.UNet), (1, 1, 32, 32), style="volumes").svg
    assert unet.count("up-conv 2\u00d72/2") == 3 and unet.count("+1 skip<") == 3  # the concatenated skips


@pytest.mark.parametrize("builder, inputs, kwargs", [
    (zoo.Llama, [((1, zoo.T), L)], {}), (zoo.GPT2, [((1, zoo.T), L)], {}),
    (zoo.T5, [((1, zoo.T), L)], T5_DECODER), (zoo.UNet, [((1, 1, 32, 32), torch.float32)], {}),
    (zoo.GRUSeq2Seq, [((1, zoo.T), L), ((1, 6), L)], {})], ids=["Llama", "GPT2", "T5", "UNet", "GRU"])
def test_meta_capture_equals_the_real_one_even_with_tensors_made_in_forward(builder, inputs, kwargs):
    """torch.arange(t) and causal masks made without a device are meta too, so no real pass is needed."""
    model = zoo.seeded(builder)
    meta = capture(model, inputs, device="meta", **({"kwargs": kwargs} if kwargs else {}))
    real = capture(model, inputs, device="real", **({"kwargs": kwargs} if kwargs else {}))
    assert meta.device == "meta" and real.device == "cpu"
    assert [(n.kind, n.op, n.inputs, n.shapes) for n in meta.nodes] == [
        (n.kind, n.op, n.inputs, n.shapes) for n in real.nodes]


@pytest.mark.parametrize("builder, example, reason", [
    (zoo.Bert, [((1, zoo.T), L), ((1, zoo.T), L)], "item"), (zoo.EarlyExit, [((1, 8), torch.float32)], "item"),
    (zoo.Detector, [[((3, 40, 40), torch.float32)]], "nonzero")], ids=["Bert", "EarlyExit", "Detector"])
def test_models_that_read_values_fall_back_to_a_real_pass(builder, example, reason, monkeypatch):
    from deepviz.diagrams import capture as capture_module

    monkeypatch.setattr(capture_module, "SMALL_MODEL", 0)  # as if large: auto tries meta first
    cap = capture(zoo.seeded(builder), example)
    assert cap.device == "cpu"
    with pytest.raises(capture_module.CaptureError, match=reason):
        capture(zoo.seeded(builder), example, device="meta")
