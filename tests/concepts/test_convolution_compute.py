"""The convolution trace against independent torch references: F.conv2d, F.max_pool2d and the conv2d shape."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731
PRESETS = ("channels", "output-size", "pooling", "real-image")


def trace(preset=None, **kw):
    return deepviz.trace("convolution", preset=preset, **kw)


@pytest.mark.parametrize("kw", [{"preset": p} for p in PRESETS] + [
    {"input": 9, "channels": 2, "kernel": 4, "stride": 2, "padding": 2, "filters": 3, "seed": 5},
    {"input": 5, "channels": 1, "kernel": 1, "stride": 3, "padding": 1, "filters": 1, "seed": 7, "pool": 1},
])
def test_every_map_equals_conv2d(kw):
    d = trace(**kw).data
    x, w, b = T(d["input"]), T(d["weights"]), T(d["bias"])
    ref = F.conv2d(x[None], w, b, stride=d["stride"], padding=d["padding"])[0]
    assert torch.allclose(T(d["maps"]), ref, atol=1e-9)
    assert list(ref.shape) == d["output_shape"] == [d["filters"], d["output_size"], d["output_size"]]
    assert torch.equal(T(d["padded_input"]), F.pad(x, [d["padding"]] * 4))
    # every step's window is where conv2d reads that output cell from
    s = d["stride"]
    assert [st["window_origin"] for st in d["steps"]] == [[r * s, c * s] for r in range(d["output_size"])
                                                         for c in range(d["output_size"])]


@pytest.mark.parametrize("preset", PRESETS)
def test_the_one_position_is_a_dot_product_over_every_channel(preset):
    d = trace(preset).data
    pos, f = d["position"], d["kernel"]
    x, w = T(d["padded_input"]), T(d["weights"])
    r0, c0 = pos["window_origin"]
    chunk = x[:, r0:r0 + f, c0:c0 + f]
    assert chunk.shape[0] == d["channels"] == w.shape[1]  # the filter spans the full depth
    assert torch.allclose(T(pos["window"]), chunk)
    assert torch.allclose(T(pos["products"]), chunk * w[0])
    assert torch.allclose(T(pos["channel_sums"]), (chunk * w[0]).sum((1, 2)))
    ref = F.conv2d(x[None], w[:1], T(d["bias"])[:1])[0, 0, 0, 0]
    assert pos["total"] == pytest.approx(float(ref)) == pytest.approx(d["maps"][0][0][0])
    assert pos["bias"] == d["bias"][0]


@pytest.mark.parametrize("kw", [{"preset": p} for p in PRESETS] + [{"input": 9, "pool": 3, "pool_stride": 2}])
def test_pooling_equals_max_pool2d_on_each_map(kw):
    d = trace(**kw).data
    pl, maps = d["pooling"], T(d["maps"])
    ref, idx = F.max_pool2d(maps[:, None], pl["size"], pl["stride"], return_indices=True)
    assert torch.allclose(T(pl["output"]), ref[:, 0])
    o = d["output_size"]
    assert [[[i // o, i % o] for i in m.flatten().tolist()] for m in idx[:, 0]] == pl["argmax"]
    # each map on its own: pooling map m alone gives the same
    for m in range(d["filters"]):
        assert torch.allclose(T(pl["output"][m]), F.max_pool2d(maps[m][None, None], pl["size"], pl["stride"])[0, 0])


def test_output_sizes_for_the_seed_strides():
    d = trace("output-size").data
    assert (d["input_size"], d["kernel"]) == (7, 3)
    cases = {c["stride"]: c for c in d["sizes"]}
    for s, c in cases.items():
        ref = F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=s).shape[-1]
        assert c["output"] == ref == len(c["window_starts"])
        assert c["exact"] == pytest.approx((7 - 3) / s + 1)
    assert [(cases[s]["output"], cases[s]["fits"]) for s in (1, 2, 3)] == [(5, True), (3, True), (2, False)]
    assert (cases[3]["next_start"], cases[3]["overhang"], cases[3]["unused"]) == (6, 2, 1)
    assert d["same_padding"]["output"] == F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3),
                                                   padding=d["same_padding"]["padding"]).shape[-1] == 7


def test_the_full_size_volume_equals_conv2d_shape_of_the_seed():
    d = trace("channels").data["volume"]
    assert d["input_shape"] == [3, 32, 32] and d["kernel"] == 5
    assert d["output_shape"] == [6, 28, 28] == list(T(d["maps"]).shape)
    assert list(T(d["image"]).shape) == d["input_shape"]


def test_the_input_is_the_shrunk_photo():
    from sklearn.datasets import load_sample_image

    img = torch.from_numpy(load_sample_image("china.jpg").copy()).permute(2, 0, 1).double() / 255
    side = min(img.shape[1:])
    top, left = (img.shape[1] - side) // 2, (img.shape[2] - side) // 2
    ref = F.interpolate(img[None, :, top:top + side, left:left + side], size=(7, 7), mode="area")[0]
    assert torch.allclose(T(trace("channels").data["input"]), torch.round(ref * 9))


def test_captions_read_the_traced_numbers():
    t = trace("channels")
    pos = t.data["position"]
    assert "27 products" in t.narration["sum"] and t.narration["sum"].count("+") == 3
    assert str(round(pos["total"], 2)).replace("-", "\u2212").rstrip("0").rstrip(".") in t.narration["sum"]
    assert "random" in t.narration["depth"]
    assert "does not fit" in trace("output-size").narration["stride_3"]


@pytest.mark.parametrize("kw, name", [
    ({"input": 3, "kernel": 5}, "kernel"),
    ({"input": 4, "kernel": 3, "pool": 3}, "pool"),
    ({"image": 8, "image_kernel": 9}, "image_kernel"),
])
def test_a_window_larger_than_its_input_names_the_parameter(kw, name):
    with pytest.raises(ParamError) as e:
        trace(**kw)
    assert str(e.value).startswith("--" + name.replace("_", "-") + ":")


def test_the_real_photo_through_the_hand_made_filters_equals_conv2d():
    from sklearn.datasets import load_sample_image

    d = trace("real-image").data["real"]
    img = torch.from_numpy(load_sample_image("china.jpg").copy()).double().mean(2) / 255  # brightness
    h, w = img.shape
    s = min(h, w)
    crop = img[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    side = len(d["image"])
    assert side == 48 and torch.allclose(T(d["image"]), F.adaptive_avg_pool2d(crop[None], side)[0])
    names = [f["name"] for f in d["filters"]]
    assert names == ["vertical edges", "horizontal edges", "blur", "sharpen"]
    for f in d["filters"]:
        k = T(f["shown"]) / f["divisor"]
        assert torch.allclose(T(f["weights"]), k)
        ref = F.conv2d(T(d["image"])[None, None], k[None, None])[0, 0]
        assert torch.allclose(T(f["map"]), ref) and f["scale"] == pytest.approx(float(ref.abs().max()))
    blur = d["filters"][2]
    assert float(T(blur["weights"]).sum()) == pytest.approx(1.0)  # a weighted mean, as the caption says


def test_the_photo_through_the_digits_cnns_learned_filters_equals_conv2d():
    from deepviz.models import digits_cnn

    d = trace("real-image").data["real"]
    conv1 = digits_cnn.load_model().conv1
    x = T(d["image"])[None, None]
    ref = F.conv2d(x, conv1.weight.double(), conv1.bias.double())[0]  # the layer's weights, no padding
    learned = d["learned"]
    assert len(learned["filters"]) == conv1.out_channels and "handwritten digits" in learned["source"]
    for i, f in enumerate(learned["filters"]):
        assert torch.equal(T(f["weights"]), conv1.weight[i, 0].double()) and f["bias"] == conv1.bias[i].item()
        assert torch.allclose(T(f["map"]), ref[i], atol=1e-9)
        assert f["scale"] == pytest.approx(ref[i].abs().max().item())
        w = conv1.weight[i].double()
        assert f["weight_sum"] == pytest.approx(w.sum().item())
        assert f["cancels"] == (abs(w.sum().item()) < 0.25 * w.abs().sum().item())
    _, test = digits_cnn.load()
    assert learned["accuracy"] == pytest.approx(digits_cnn.accuracy(digits_cnn.load_model(), test))
    narration = trace("real-image").narration
    assert f"{learned['accuracy'] * 100:.1f}% held out" in narration["real_learned"]
    assert trace("channels").data["real"]["learned"] is None and "real_learned" not in trace("channels").narration
