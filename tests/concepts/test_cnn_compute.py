"""The cnn trace against independent torch references: F.conv2d etc. on the model's own weights,
torch.autograd.grad, a hand loop for the occlusion map and the dream's ascent written out again."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.concepts.cnn.compute import describe_filter
from deepviz.models import digits_cnn
from deepviz.style.numbers import fmt_num
from deepviz.threads import one_thread

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731
OTHER = {"digit": 13, "target": 4, "channel": 7, "patches": 3, "occlusion": 3, "occlusion_stride": 2,
         "dream_of": "channel", "steps": 25, "lr": 0.2, "l2": 0.1, "blur": 0.5}


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny tensors: one thread is several times faster than two on a busy machine."""
    with one_thread():
        yield


@pytest.fixture(scope="module")
def traces():
    return {"default": deepviz.trace("cnn", preset="forward").data, "other": deepviz.trace("cnn", **OTHER).data}


@pytest.fixture(scope="module")
def weights():
    return {k: v.detach().clone() for k, v in digits_cnn.load_model().state_dict().items()}


@pytest.fixture(scope="module")
def test_inputs():
    """The held-out digits straight from scikit-learn: every fifth one, scaled and upsampled."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = torch.tensor(d.images[4::5], dtype=torch.float32)
    labels = torch.tensor(d.target[4::5])
    return images, F.interpolate(images[:, None] / 16, size=(16, 16), mode="bilinear", align_corners=False), labels


def reference(x, w):
    """The network written out with torch.nn.functional: every stage by name."""
    out = {"conv1": F.conv2d(x, w["conv1.weight"], w["conv1.bias"], padding=1)}
    out["relu1"] = F.relu(out["conv1"])
    out["pool1"] = F.max_pool2d(out["relu1"], 2)
    out["conv2"] = F.conv2d(out["pool1"], w["conv2.weight"], w["conv2.bias"], padding=1)
    out["relu2"] = F.relu(out["conv2"])
    out["pool2"] = F.max_pool2d(out["relu2"], 2)
    out["flatten"] = out["pool2"].flatten(1)
    out["fc"] = F.linear(out["flatten"], w["fc.weight"], w["fc.bias"])
    return out


@pytest.mark.parametrize("which", ["default", "other"])
def test_every_channel_of_every_layer_equals_the_functional_network(traces, weights, test_inputs, which):
    d = traces[which]
    images, xs, _ = test_inputs
    i = d["digit"]
    assert torch.equal(T(d["original"]) * 16, images[i])
    assert torch.allclose(T(d["input"]), xs[i, 0])
    ref = reference(xs[i:i + 1], weights)
    assert [layer["name"] for layer in d["layers"]] == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2"]
    for layer in d["layers"]:
        r = ref[layer["name"]][0]
        assert list(r.shape) == layer["shape"]
        assert torch.allclose(T(layer["maps"]), r, atol=1e-5), layer["name"]
        assert layer["scale"] == pytest.approx(float(r.abs().max()), rel=1e-5)
    assert torch.allclose(T(d["flat"]), ref["flatten"][0], atol=1e-5)
    assert torch.allclose(T(d["logits"]), ref["fc"][0], atol=1e-4)
    probs = ref["fc"][0].softmax(0)
    assert torch.allclose(T(d["probabilities"]), probs, atol=1e-5)
    assert d["predicted"] == int(probs.argmax())


def test_the_held_out_accuracy_is_counted_over_the_test_digits(traces, weights, test_inputs):
    d = traces["default"]
    _, xs, labels = test_inputs
    right = int((reference(xs, weights)["fc"].argmax(1) == labels).sum())
    assert (d["correct"], d["test_size"]) == (right, len(labels))
    assert d["accuracy"] == pytest.approx(right / len(labels)) and d["accuracy"] >= 0.97
    assert f"{right} of the {len(labels)} test digits" in deepviz.trace("cnn", preset="forward").caption("intro")


def test_filters_are_the_first_layers_weights(traces, weights):
    f = traces["default"]["filters"]
    assert torch.equal(T(f["weights"]), weights["conv1.weight"][:, 0])
    assert torch.equal(T(f["bias"]), weights["conv1.bias"])


@pytest.mark.parametrize("kernel, kind", [
    ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], "an ink detector"),
    ([[-1, -1, -1], [-1, 0, -1], [-1, -1, -1]], "a background detector"),
    ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "a left-edge detector"),  # Sobel: dark left, light right
    ([[1, 0, -1], [2, 0, -2], [1, 0, -1]], "a right-edge detector"),
    ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "a top-edge detector"),
    ([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], "a bottom-edge detector"),
])
def test_a_filters_kind_follows_its_weights(kernel, kind):
    assert describe_filter(torch.tensor(kernel, dtype=torch.float32)) == kind


@pytest.mark.parametrize("which", ["default", "other"])
def test_top_patches_are_each_channels_strongest_test_digits(traces, weights, test_inputs, which):
    f = traces[which]["features"]
    _, xs, _ = test_inputs
    act = reference(xs, weights)["relu2"]  # n x 12 x 8 x 8
    peaks = act.flatten(2).max(2).values
    padded = F.pad(xs[:, 0], (8, 8, 8, 8))
    for ch, items in enumerate(f["channels"]):
        k = len(items)
        assert [it["digit"] for it in items] == peaks[:, ch].topk(k).indices.tolist()
        for it in items:
            r, c = it["unit"]
            assert it["activation"] == pytest.approx(float(act[it["digit"], ch, r, c]), abs=1e-5)
            assert it["activation"] == pytest.approx(float(peaks[it["digit"], ch]), abs=1e-5)
            top, left = it["field"]
            crop = padded[it["digit"], top + 8:top + 16, left + 8:left + 16]
            assert torch.allclose(T(it["patch"]), crop)
    chosen = f["channels"][f["channel"] - 1]
    assert torch.allclose(T(f["digits"]), xs[[it["digit"] for it in chosen], 0])


@pytest.mark.parametrize("row, col", [(0, 0), (3, 5), (7, 7), (2, 6)])
def test_the_receptive_field_is_every_input_pixel_a_conv2_unit_depends_on(weights, row, col):
    # the layers' footprint without ReLU and with average pooling: every pixel in reach has a gradient
    # (max pooling and ReLU would pass it only through the winners)
    x = torch.rand(1, 1, 16, 16, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    h = F.avg_pool2d(F.conv2d(x, weights["conv1.weight"], padding=1), 2)
    unit = F.conv2d(h, weights["conv2.weight"], padding=1)[0, 0, row, col]
    (g,) = torch.autograd.grad(unit, x)
    top, left, side = digits_cnn.receptive_field(row, col)
    inside = torch.zeros(16, 16, dtype=torch.bool)
    inside[max(top, 0):top + side, max(left, 0):left + side] = True
    assert torch.equal(g[0, 0] != 0, inside)


@pytest.mark.parametrize("which", ["default", "other"])
def test_saliency_is_the_gradient_of_the_class_score(traces, weights, test_inputs, which):
    d = traces[which]
    s = d["saliency"]
    _, xs, _ = test_inputs
    x = xs[d["digit"]:d["digit"] + 1].clone().requires_grad_(True)
    logits = reference(x, weights)["fc"][0]
    score = logits.detach()
    target = OTHER["target"] if which == "other" else int(score.argmax())
    assert s["target"] == target and s["score"] == pytest.approx(float(score[target]), abs=1e-4)
    (g,) = torch.autograd.grad(logits[target], x)
    assert torch.allclose(T(s["gradient"]), g[0, 0], atol=1e-5)
    assert s["scale"] == pytest.approx(float(g.abs().max()), rel=1e-5)


@pytest.mark.parametrize("which", ["default", "other"])
def test_occlusion_map_by_a_hand_loop(traces, weights, test_inputs, which):
    d = traces[which]
    o, target = d["saliency"]["occlusion"], d["saliency"]["target"]
    _, xs, _ = test_inputs
    x = xs[d["digit"]]
    size, stride = o["size"], o["stride"]
    base = float(reference(x[None], weights)["fc"][0].softmax(0)[target])
    assert o["base"] == pytest.approx(base, abs=1e-5)
    positions = list(range(0, 16 - size + 1, stride))
    assert o["starts"] == positions
    for a, r in enumerate(positions):
        for b, c in enumerate(positions):
            y = x.clone()
            y[0, r:r + size, c:c + size] = 0.5
            p = float(reference(y[None], weights)["fc"][0].softmax(0)[target])
            assert o["probability"][a][b] == pytest.approx(p, abs=1e-5)
            assert o["drop"][a][b] == pytest.approx(base - p, abs=1e-5)
    worst = max(((a, b) for a in range(len(positions)) for b in range(len(positions))), key=lambda ab: o["drop"][ab[0]][ab[1]])
    assert o["worst"] == [positions[worst[0]], positions[worst[1]]]


@pytest.mark.parametrize("which", ["default", "other"])
def test_the_dream_is_gradient_ascent_with_l2_and_blur(traces, weights, which):
    d = traces[which]["dream"]
    j, steps = d["target"], d["steps"]
    blur = torch.tensor([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])[None, None] / 16

    def objective(x):
        out = reference(x, weights)
        return out["fc"][0, j] if d["of"] == "class" else out["conv2"][0, j].mean()

    x = torch.zeros(1, 1, 16, 16)
    seen = {}
    for step in range(steps + 1):
        seen[step] = (x.clone(), float(objective(x)))
        if step == steps:
            break
        x.requires_grad_(True)
        (g,) = torch.autograd.grad(objective(x) - d["l2"] * (x ** 2).sum(), x)
        x = x.detach() + d["lr"] * g
        x = ((1 - d["blur"]) * x + d["blur"] * F.conv2d(x, blur, padding=1)).clamp(0, 1)
    assert torch.allclose(T(d["final"][j]), x[0, 0], atol=1e-4)
    assert d["scores"][j] == pytest.approx(seen[steps][1], rel=1e-4)
    assert d["snapshots"][0]["step"] == 0 and d["snapshots"][-1]["step"] == steps
    for snap in d["snapshots"]:
        image, score = seen[snap["step"]]
        assert torch.allclose(T(snap["image"]), image[0, 0], atol=1e-4)
        assert snap["score"] == pytest.approx(score, rel=1e-4, abs=1e-4)
    probs = reference(T(d["final"])[:, None], weights)["fc"].softmax(1)
    assert d["predicted"] == probs.argmax(1).tolist()
    assert torch.allclose(T(d["confidence"]), probs.max(1).values, atol=1e-5)
    assert d["of"] == ("channel" if which == "other" else "class")
    assert j == (OTHER["channel"] - 1 if which == "other" else traces[which]["predicted"])


def test_captions_carry_the_traces_numbers():
    t = deepviz.trace("cnn", preset="forward")
    k = t.data["predicted"]
    assert f"The prediction is {k}" in t.caption("softmax")
    d = deepviz.trace("cnn", preset="dream")
    snaps = d.data["dream"]["snapshots"]
    assert f"climbs from {fmt_num(snaps[0]['score'])} to {fmt_num(snaps[-1]['score'])}" in d.caption("ascent")
    s = deepviz.trace("cnn", preset="saliency")
    assert f"class {s.data['saliency']['target']}'s score" in s.caption("gradient")
