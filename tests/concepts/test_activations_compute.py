"""The activations trace against independent torch references (torch.nn.functional, autograd, nn.Linear)."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.params import ParamError

T = lambda nested: torch.as_tensor(nested, dtype=torch.float64)  # noqa: E731

CLOSED_FORMS = {
    "sigmoid": lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)),
    "tanh": lambda x: 1 - torch.tanh(x) ** 2,
    "relu": lambda x: (x > 0).double(),
    "gelu": lambda x: 0.5 * (1 + torch.erf(x / 2 ** 0.5)) + x * torch.exp(-x ** 2 / 2) / (2 * torch.pi) ** 0.5,
    "silu": lambda x: torch.sigmoid(x) * (1 + x * (1 - torch.sigmoid(x))),
}


@pytest.fixture(scope="module")
def tour():
    return deepviz.trace("activations").data


def reference(name, x, slope):
    return {"step": lambda v: (v >= 0).double(), "sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu,
            "leaky_relu": lambda v: F.leaky_relu(v, slope), "gelu": F.gelu, "silu": F.silu}[name](x)


def test_every_curve_equals_torch_functional(tour):
    x = T(tour["x"])
    assert [c["name"] for c in tour["curves"]] == ["step", "sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu"]
    assert 0.0 in tour["x"]
    for c in tour["curves"]:
        torch.testing.assert_close(T(c["y"]), reference(c["name"], x, tour["slope"]), rtol=0, atol=1e-12)
        # the drawn segments are the samples, split at a jump
        pts = torch.cat([T(s) for s in c["segments"]])
        torch.testing.assert_close(pts, torch.stack([x, T(c["y"])], 1), rtol=0, atol=0)


def test_derivatives_match_autograd_and_closed_forms(tour):
    x = T(tour["x"])
    for c in tour["curves"]:
        dy = T(c["dy"])
        if c["name"] == "step":
            assert torch.all(dy == 0)
            continue
        xs = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(reference(c["name"], xs, tour["slope"]).sum(), xs)
        torch.testing.assert_close(dy, grad, rtol=0, atol=1e-12)
        if c["name"] in CLOSED_FORMS:
            torch.testing.assert_close(dy, CLOSED_FORMS[c["name"]](x), rtol=0, atol=1e-12)
        if c["name"] == "leaky_relu":
            torch.testing.assert_close(dy, torch.where(x > 0, torch.ones_like(x), torch.full_like(x, tour["slope"])),
                                       rtol=0, atol=1e-12)
    sig = next(c for c in tour["curves"] if c["name"] == "sigmoid")
    assert sig["d0"] == pytest.approx(0.25) and sig["f0"] == pytest.approx(0.5)


def test_gelu_and_silu_minima(tour):
    for name, where in (("gelu", -0.7518), ("silu", -1.2785)):
        c = next(c for c in tour["curves"] if c["name"] == name)
        assert c["argmin"] == pytest.approx(where, abs=2e-3)
        assert c["min"] == pytest.approx(reference(name, T(where), 0.1).item(), abs=1e-5)


def test_the_sigmoid_sharpens_into_the_step_and_reads_as_a_probability(tour):
    j, p = tour["joined"], tour["probability"]
    x = T(tour["x"])
    for k, pts in zip(j["k"], j["curves"]):
        torch.testing.assert_close(T(pts)[:, 1], torch.sigmoid(k * x), rtol=0, atol=1e-12)
    step = torch.cat([T(s) for s in j["step"]])[:, 1]
    errors = [(T(pts)[:, 1] - step).abs().mean() for pts in j["curves"]]
    assert errors[0] > errors[1] > errors[2]
    assert p["p"] == pytest.approx(torch.sigmoid(T(p["z"])).item()) and p["p"] + p["q"] == pytest.approx(1.0)


@pytest.mark.parametrize("preset", ["tour", "negative-logit"])
def test_linear_layers_collapse_to_one_matrix(preset):
    c = deepviz.trace("activations", preset=preset).data["collapse"]
    first, second = torch.nn.Linear(2, 2).double(), torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        first.weight.copy_(T(c["W1"]))
        first.bias.copy_(T(c["b1"]))
        second.weight.copy_(T(c["W2"]))
        second.bias.copy_(T(c["b2"]))
        x = T(c["x"])
        torch.testing.assert_close(T(c["W"]), T(c["W2"]) @ T(c["W1"]), rtol=0, atol=1e-12)
        torch.testing.assert_close(T(c["y_two"]), second(first(x)), rtol=0, atol=1e-12)
        torch.testing.assert_close(T(c["y_one"]), second(first(x)), rtol=0, atol=1e-12)
        torch.testing.assert_close(T(c["y_relu"]), second(F.relu(first(x))), rtol=0, atol=1e-12)
        # on many inputs: the collapsed map is the composition; with a ReLU between them it is not
        xs = torch.randn(50, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
        torch.testing.assert_close(xs @ T(c["W"]).T + T(c["b"]), second(first(xs)), rtol=0, atol=1e-12)
        assert not torch.allclose(xs @ T(c["W"]).T + T(c["b"]), second(F.relu(first(xs))))
    assert c["relu_active"] == bool((T(c["h"]) < 0).any())


def test_a_subset_of_functions_in_order():
    d = deepviz.trace("activations", functions="relu, gelu", slope=0.3).data
    assert [c["name"] for c in d["curves"]] == ["relu", "gelu"]


@pytest.mark.parametrize("values, message", [
    ({"functions": "relu,softmax"}, "--functions: unknown function 'softmax'"),
    ({"functions": "relu,relu"}, "--functions: each function may be named once"),
    ({"slope": 0.9}, "--slope: must be from 0.01 to 0.5"),
    ({"point": "1;2"}, "--point: expected 2 numbers"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("activations", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


@pytest.mark.parametrize("preset", ["tour", "negative-logit"])
def test_each_function_is_plotted_over_its_own_range(preset):
    d = deepviz.trace("activations", preset=preset).data
    x = T(d["x"])
    for c in d["curves"]:
        for key, values, step in (("y_range", reference(c["name"], x, d["slope"]), 0.5), ("dy_range", T(c["dy"]), 0.25)):
            lo, hi = c[key]
            assert lo <= min(0.0, values.min().item()) + 1e-9 and hi >= max(0.0, values.max().item()) - 1e-9
            # the range is the values' own out to the next tick: the curve uses the height
            span = max(values.max().item(), 0.0) - min(values.min().item(), 0.0)
            assert hi - lo <= max(span + 2 * step, 4 * step) + 1e-9, (c["name"], key, c[key])
    ranges = {c["name"]: c["y_range"] for c in d["curves"]}
    assert ranges["sigmoid"] == [0.0, 1.0] and ranges["tanh"] == [-1.0, 1.0]
