"""The space-folding trace against an independent torch reference (nn.Linear modules, F.relu, torch.sigmoid)."""
import math

import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.cli import main
from deepviz.params import ParamError

T = lambda nested: torch.as_tensor(nested, dtype=torch.float64)  # noqa: E731
ACT = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
       "leaky_relu": lambda z: F.leaky_relu(z, 0.1)}


def linears(d):
    """nn.Linear modules holding the trace's weights."""
    mods = []
    for p in d["weights"]:
        w = T(p["W"])
        lin = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(T(p["b"]))
        mods.append(lin)
    return mods


def reference_stages(d, x):
    """Each stage's points, recomputed: W h (the module without its bias), + b, then the activation."""
    out = [x]
    last = len(d["weights"]) - 1
    with torch.no_grad():
        for l, lin in enumerate(linears(d)):
            h = out[-1]
            out.append(F.linear(h, lin.weight))
            out.append(lin(h))
            f = d["activation"] if d["trained"] or l < last else "sigmoid"
            out.append(ACT[f](out[-1]))
    return out


@pytest.fixture(scope="module", params=["2-2-2", "2-3-2", "trained"])
def preset(request):
    return deepviz.trace("space-folding", preset=request.param).data


def test_every_stage_matches_nn_linear(preset):
    x = T(preset["x"])
    ref = reference_stages(preset, x)
    assert len(ref) == len(preset["stages"])
    for s, r in zip(preset["stages"], ref):
        torch.testing.assert_close(T(s["points"]), r, rtol=0, atol=1e-6)
        assert s["dim"] == r.shape[1] and max(abs(v) for row in s["points"] for v in row) <= s["limit"]
    if preset["outline"]:
        o = reference_stages(preset, T(preset["outline"]))
        for s, r in zip(preset["stages"], o):
            torch.testing.assert_close(T(s["outline"]), r, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["2-2-2", "2-3-2"])
def test_the_square_is_a_filled_lattice_and_ends_in_the_unit_square(name):
    preset = deepviz.trace("space-folding", preset=name).data
    x = T(preset["x"])
    k = math.isqrt(preset["n_points"])
    assert len(x) == k * k and x.min() == -1 and x.max() == 1
    y = T(preset["stages"][-1]["points"])
    assert ((y > 0) & (y < 1)).all()  # the sigmoid: strictly inside the unit square
    # the colours are the sign pattern of the first layer's pre-activation
    z = linears(preset)[0](x)
    pattern = sum((z[:, i] > 0).long() << i for i in range(z.shape[1]))
    assert pattern.tolist() == preset["labels"]


def test_relu_folds_onto_the_axes(preset):
    for s in preset["stages"]:
        if s["kind"] != "activation" or s["function"] != "relu":
            continue
        h = T(s["points"])
        assert s["negatives_after"] == 0 and (h >= 0).all()  # nothing left outside the first quadrant/octant
        before = T(preset["stages"][preset["stages"].index(s) - 1]["points"])
        folded = (before < 0).any(1)
        assert s["folded"] == int(folded.sum()) > 0
        assert ((h == 0).any(1) == folded).all()  # exactly the folded points lie on an axis (a face)
        assert s["to_origin"] == int((h == 0).all(1).sum())


def test_the_trained_network_separates_the_classes_with_a_line():
    d = deepviz.trace("space-folding", preset="trained").data
    c = d["classifier"]
    last = T(d["stages"][-1]["points"])
    logits = last @ T(c["w"]) + c["b"]
    torch.testing.assert_close(T(c["logits"]), logits, rtol=0, atol=1e-9)
    labels = torch.as_tensor(d["labels"])
    accuracy = ((logits > 0).long() == labels).double().mean().item()
    assert c["accuracy"] == pytest.approx(accuracy) and accuracy == 1.0  # the preset learns the circles
    assert c["loss"] == pytest.approx(F.binary_cross_entropy_with_logits(logits, labels.double()).item())
    # the whole network, as nn modules, gives the same logits from the input points
    net = torch.nn.Sequential(*[m for lin in linears(d) for m in (lin, torch.nn.ReLU())])
    with torch.no_grad():
        torch.testing.assert_close(net(T(d["x"])) @ T(c["w"]) + c["b"], logits, rtol=0, atol=1e-9)
    # no line separates the raw input: the best linear classifier on x alone stays far from 100%
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(T(d["x"]) @ w + b, labels.double())
        loss.backward()
        return loss

    opt.step(closure)
    assert (((T(d["x"]) @ w + b > 0).long() == labels).double().mean()) < 0.8
    # the separating line's ends lie on the line and inside the last stage's axes
    for p in c["line"]:
        assert abs(T(p) @ T(c["w"]) + c["b"]) < 1e-9 and max(map(abs, p)) <= d["stages"][-1]["limit"] + 1e-9


def test_the_input_boundary_is_where_the_logit_changes_sign():
    d = deepviz.trace("space-folding", preset="trained").data
    c = d["classifier"]
    net = torch.nn.Sequential(*[m for lin in linears(d) for m in (lin, torch.nn.ReLU())])
    segs = T(d["boundary"]["segments"])
    assert len(segs) > 20
    step = 2 * d["boundary"]["limit"] / d["boundary"]["grid"]
    with torch.no_grad():
        ends = torch.cat([segs[:, :2], segs[:, 2:]])
        z = net(ends) @ T(c["w"]) + c["b"]
    # every end point is a linear interpolation inside one grid cell: the logit there is small
    # compared with its change across a cell
    with torch.no_grad():
        swing = (net(ends + step) @ T(c["w"]) - net(ends) @ T(c["w"])).abs().max()
    assert z.abs().max() < swing


def test_training_is_deterministic_and_fast():
    import time

    a = deepviz.trace("space-folding", preset="trained").data
    start = time.perf_counter()
    b = deepviz.trace("space-folding", preset="trained").data
    assert time.perf_counter() - start < 2.0
    assert a["weights"] == b["weights"] and a["classifier"]["loss_history"] == b["classifier"]["loss_history"]
    hist = a["classifier"]["loss_history"]
    assert hist[0][0] == 0 and hist[-1][0] == a["steps"] and hist[-1][1] < hist[0][1]


@pytest.mark.parametrize("values", [{"layers": "2-3-3-2", "activation": "tanh"},
                                    {"layers": "2-2-2", "activation": "leaky_relu", "seed": 5},
                                    {"dataset": "moons", "layers": "2-3-2", "steps": 300, "activation": "tanh"},
                                    {"layers": "2-2-2", "activation": "sigmoid", "points": 100}])
def test_other_settings_match_the_reference(values):
    d = deepviz.trace("space-folding", **values).data
    for s, r in zip(d["stages"], reference_stages(d, T(d["x"]))):
        torch.testing.assert_close(T(s["points"]), r, rtol=0, atol=1e-6)
        if s["kind"] == "activation" and s["function"] in ("sigmoid",):
            assert ((r > 0) & (r < 1)).all()
        if s["kind"] == "activation" and s["function"] == "tanh":
            assert (r.abs() < 1).all()


@pytest.mark.parametrize("values, message", [
    ({"layers": "2-4-2"}, "--layers: each hidden layer must have 2 or 3 units"),
    ({"layers": "3-2-2"}, "--layers: the input is the plane"),
    ({"layers": "2-3-3"}, "--layers: the last layer is drawn as a plane"),
    ({"layers": "2-x-2"}, "--layers: expected sizes joined by '-'"),
    ({"layers": "2-2-2-2-2"}, "--layers: needs 1 to 2 hidden layers"),
    ({"activation": "gelu"}, "--activation: must be one of relu, tanh, sigmoid, leaky_relu"),
    ({"steps": 100}, "--steps: the square's network is not trained"),
    ({"points": 1000}, "--points: must be from 36 to 400"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("space-folding", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_cli_exits_2_with_one_line(capsys, tmp_path):
    code = main(["render", "space-folding", "--layers", "2-5-2", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "--layers:" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_every_stage_has_axes_fitted_to_its_points(preset):
    for s in preset["stages"]:
        pts = T(s["points"])
        if len(s["outline"]):
            pts = torch.cat([pts, T(s["outline"])])
        c, half = T(s["window"]["center"]), s["window"]["half"]
        assert ((pts - c).abs() <= half + 1e-9).all()
        # the points' widest side spans most of the window (it was a tenth of the axes in 2-2-2)
        assert (pts.max(0).values - pts.min(0).values).max() >= 0.7 * 2 * half, s["kind"]


def ref_patterns(d, points):
    """Which units are on at each point, layer by layer, through nn.Linear modules."""
    h, on = points, []
    with torch.no_grad():
        for lin in linears(d):
            z = lin(h)
            on.append(z > 0)
            h = F.relu(z)
    return torch.cat(on, 1)


def test_the_trained_boundary_is_described_as_what_it_is():
    t = deepviz.trace("space-folding", preset="trained")
    d = t.data
    segs = T(d["boundary"]["segments"])
    patterns = ref_patterns(d, (segs[:, :2] + segs[:, 2:]) / 2)
    pieces = len({tuple(p.tolist()) for p in patterns})
    assert d["boundary"]["pieces"] == pieces > 1
    assert f"{pieces} straight pieces" in t.narration["boundary"] and "curved" not in t.narration["boundary"]
    smooth = deepviz.trace("space-folding", preset="trained", activation="tanh", steps=50)
    assert smooth.data["boundary"]["pieces"] is None and "curved" in smooth.narration["boundary"]


def test_the_network_is_named_as_it_is_drawn():
    t = deepviz.trace("space-folding", preset="trained")
    assert t.data["architecture"] == "2-3-2-1" and "2-3-2-1" in t.narration["intro"]
    assert deepviz.trace("space-folding", preset="2-3-2").data["architecture"] == "2-3-2"
    c = t.data["classifier"]
    win = t.data["stages"][-1]["window"]
    for p in c["window_line"]:
        assert abs(T(p) @ T(c["w"]) + c["b"]) < 1e-9
        assert (T(p) - T(win["center"])).abs().max() <= win["half"] + 1e-9
