"""The pooling trace against independent torch references: F.max_pool2d, F.avg_pool2d, the mean and autograd."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731
CASES = [{"preset": p} for p in ("max", "average", "global", "backward")] + [
    {"input": 5, "kernel": 3, "stride": 2, "padding": 1, "maps": 3, "seed": 4},
    {"input": 7, "kernel": 3, "stride": 1, "padding": 1, "mode": "average", "seed": 9},  # overlapping windows
    {"input": 2, "kernel": 1, "stride": 3, "maps": 1},
]


@pytest.mark.parametrize("kw", CASES)
def test_pooling_equals_max_pool2d_and_avg_pool2d_on_each_map(kw):
    d = deepviz.trace("pooling", **kw).data
    x, k, s, p = T(d["maps"]), d["kernel"], d["stride"], d["padding"]
    ref_max = F.max_pool2d(x[:, None], k, s, p)[:, 0]
    ref_avg = F.avg_pool2d(x[:, None], k, s, p)[:, 0]
    assert torch.equal(T(d["max_output"]), ref_max)
    assert torch.allclose(T(d["avg_output"]), ref_avg)
    assert torch.equal(T(d["output"]), ref_max if d["mode"] == "max" else T(d["avg_output"]))
    assert d["output_size"] == ref_max.shape[-1]
    for m in range(len(d["maps"])):  # each map on its own gives the same
        assert torch.equal(F.max_pool2d(x[m][None, None], k, s, p)[0, 0], ref_max[m])


@pytest.mark.parametrize("kw", CASES)
def test_each_windows_maximum_and_sum(kw):
    d = deepviz.trace("pooling", **kw).data
    x, k, s, p, o = T(d["maps"]), d["kernel"], d["stride"], d["padding"], d["output_size"]
    _, idx = F.max_pool2d(x[:, None], k, s, p, return_indices=True)
    n = d["input_size"]
    padded = F.pad(x, (p, p, p, p))  # zeros: what avg_pool2d counts
    assert len(d["windows"]) == o * o
    for i, w in enumerate(d["windows"]):
        r, c = divmod(i, o)
        assert w["output_cell"] == [r, c] and w["origin"] == [r * s - p, c * s - p]
        for m in range(len(d["maps"])):
            flat = int(idx[m, 0, r, c])
            assert w["argmax"][m] == [flat // n, flat % n]
            window = padded[m, r * s:r * s + k, c * s:c * s + k]
            assert w["sums"][m] == pytest.approx(float(window.sum()))
            assert w["sums"][m] / (k * k) == pytest.approx(d["avg_output"][m][r][c])


@pytest.mark.parametrize("kw", CASES)
def test_global_average_pooling_is_each_maps_mean(kw):
    d = deepviz.trace("pooling", **kw).data
    x = T(d["maps"])
    assert torch.allclose(T(d["global_avg"]), x.mean((1, 2)))
    assert torch.allclose(T(d["global_avg"]), F.avg_pool2d(x[:, None], d["input_size"]).flatten())


@pytest.mark.parametrize("kw", CASES)
def test_backward_max_routes_to_the_argmax_and_average_spreads(kw):
    d = deepviz.trace("pooling", **kw).data
    b, k, s, p = d["backward"], d["kernel"], d["stride"], d["padding"]
    g = T(b["upstream"])
    for key, module in (("max_grad", torch.nn.MaxPool2d(k, s, p)), ("avg_grad", torch.nn.AvgPool2d(k, s, p))):
        x = T(d["maps"])[:1, None].clone().requires_grad_(True)
        module(x).backward(g[None, None])
        assert torch.allclose(T(b[key]), x.grad[0, 0]), key
    # max: each upstream value lands whole on its window's maximum (summed where windows share it)
    routed = torch.zeros_like(T(b["max_grad"]))
    for w in d["windows"]:
        r, c = w["argmax"][0]
        routed[r, c] += g[w["output_cell"][0], w["output_cell"][1]]
    assert torch.equal(routed, T(b["max_grad"]))
    assert float(T(b["max_grad"]).sum()) == pytest.approx(float(g.sum()))
    # average: every window cell gets upstream / k^2
    assert b["share"] == pytest.approx(1 / (k * k)) and b["overlap"] == (s < k)
    if p == 0 and s == k and d["input_size"] % k == 0:
        assert torch.allclose(T(b["avg_grad"]), g.repeat_interleave(k, 0).repeat_interleave(k, 1) / (k * k))


@pytest.mark.parametrize("values, param", [
    ({"kernel": 2, "padding": 2}, "padding"),  # PyTorch: padding at most half the window
    ({"input": 2, "kernel": 4}, "kernel"),
])
def test_impossible_windows_are_refused_naming_the_parameter(values, param):
    with pytest.raises(ParamError) as err:
        deepviz.trace("pooling", **values)
    assert err.value.param == param


def test_captions_carry_the_traces_numbers():
    t = deepviz.trace("pooling", preset="average")
    w = t.data["windows"][0]
    assert f"{w['sums'][0]:g} / 4 = {t.data['output'][0][0][0]:g}" in t.caption("first")
    g = deepviz.trace("pooling", preset="global")
    assert all(f"{v:g}" in g.caption("global") for v in g.data["global_avg"][:2])
