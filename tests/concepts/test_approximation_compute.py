"""The approximation trace against an independent torch reference (nn.Linear modules, torch.optim.Adam)."""
import math

import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.cli import main
from deepviz.params import ParamError

T = lambda nested: torch.as_tensor(nested, dtype=torch.float64)  # noqa: E731


@pytest.fixture(scope="module")
def curves():
    return deepviz.trace("approximation", preset="sum-of-sigmoids").data


@pytest.fixture(scope="module")
def digits():
    return deepviz.trace("approximation", preset="digits").data


def sum_network(f):
    """nn.Linear(1, n) -> Sigmoid -> nn.Linear(n, 1) holding one fit's weights."""
    n = len(f["w"])
    first, second = torch.nn.Linear(1, n).double(), torch.nn.Linear(n, 1).double()
    with torch.no_grad():
        first.weight.copy_(T(f["w"])[:, None])
        first.bias.copy_(T(f["b"]))
        second.weight.copy_(T(f["v"])[None, :])
        second.bias.fill_(f["c"])
    return first, second


def test_each_unit_and_the_sum_match_nn_linear(curves):
    xs = T(curves["xs"])[:, None]
    for f in curves["fits"]:
        first, second = sum_network(f)
        with torch.no_grad():
            h = torch.sigmoid(first(xs))
            torch.testing.assert_close(T(f["units"]).T, h * second.weight, rtol=0, atol=1e-9)
            torch.testing.assert_close(T(f["sum"]), second(h)[:, 0], rtol=0, atol=1e-9)
            loss = F.mse_loss(second(torch.sigmoid(first(T(curves["target"]["x"])[:, None])))[:, 0],
                              T(curves["target"]["y"]))
        assert f["loss"] == pytest.approx(loss.item(), abs=1e-12)
        # the running sums the scene builds unit by unit: c, plus unit 1, plus unit 2, ...
        partial = T(f["partial"])
        assert partial.shape == (f["n"], len(curves["xs"]))
        for j in range(f["n"]):
            keep = torch.zeros(f["n"], dtype=torch.float64)
            keep[:j + 1] = 1
            with torch.no_grad():
                ref = F.linear(h, second.weight * keep, second.bias)[:, 0]
            torch.testing.assert_close(partial[j], ref, rtol=0, atol=1e-9)
        torch.testing.assert_close(partial[-1], T(f["sum"]), rtol=0, atol=1e-9)
    # more units, a closer fit
    losses = [f["loss"] for f in curves["fits"]]
    assert [f["n"] for f in curves["fits"]] == [2, 4, 8] and losses == sorted(losses, reverse=True)
    assert losses[-1] < losses[0] / 10


def test_the_line_fails_where_the_sigmoid_bends(curves):
    nd = curves["neuron"]
    x, y = T(nd["x"]), T(nd["y"])
    lin, sig = nd["linear"], nd["sigmoid"]
    assert lin["loss"] == pytest.approx(F.mse_loss(lin["w"] * x + lin["b"], y).item(), abs=1e-12)
    assert sig["loss"] == pytest.approx(F.mse_loss(torch.sigmoid(sig["w"] * x + sig["b"]), y).item(), abs=1e-12)
    # the trained line is the least-squares line (the best any linear neuron can do) ...
    a = torch.stack([x, torch.ones_like(x)], 1)
    best = torch.linalg.lstsq(a, y[:, None]).solution[:, 0]
    assert lin["w"] == pytest.approx(best[0].item(), abs=1e-4) and lin["b"] == pytest.approx(best[1].item(), abs=1e-4)
    # ... and the sigmoid neuron does far better
    assert sig["loss"] < lin["loss"] / 4
    snaps = sig["snapshots"]
    assert [s["step"] for s in snaps] == [0, 10, 30, 80, 200, curves["steps"]]
    torch.testing.assert_close(T(snaps[-1]["y"]), torch.sigmoid(sig["w"] * T(curves["xs"]) + sig["b"]),
                               rtol=0, atol=1e-12)


def test_the_fits_are_a_seeded_adam_run(curves):
    """Retrain the 4-unit network alone with torch.optim.Adam from the same initial weights: same result.

    The trace trains every network in one loop on the sum of their losses; they share no parameter, so
    each gets exactly the update it would get alone."""
    from deepviz.concepts.approximation.compute import sum_init

    g = torch.Generator().manual_seed(curves["seed"])
    torch.randn(25, generator=g, dtype=torch.float64)  # the curved data's noise comes first
    inits = [sum_init(n, g) for n in (2, 4, 8)]
    first, second = sum_network({**inits[1], "c": 0.0, **{k: inits[1][k].tolist() for k in ("w", "b", "v")}})
    opt = torch.optim.Adam([*first.parameters(), *second.parameters()], lr=curves["lr"])
    x, y = T(curves["target"]["x"])[:, None], T(curves["target"]["y"])
    for _ in range(curves["steps"]):
        opt.zero_grad()
        F.mse_loss(second(torch.sigmoid(first(x)))[:, 0], y).backward()
        opt.step()
    fit = curves["fits"][1]
    torch.testing.assert_close(first.weight.detach()[:, 0], T(fit["w"]), rtol=0, atol=1e-6)
    torch.testing.assert_close(second.weight.detach()[0], T(fit["v"]), rtol=0, atol=1e-6)


def mlp(d):
    w = d["weights"]
    first, second = torch.nn.Linear(64, d["hidden"]).double(), torch.nn.Linear(d["hidden"], 10).double()
    with torch.no_grad():
        first.weight.copy_(T(w["W1"]))
        first.bias.copy_(T(w["b1"]))
        second.weight.copy_(T(w["W2"]))
        second.bias.copy_(T(w["b2"]))
    return torch.nn.Sequential(first, torch.nn.Sigmoid(), second)


def test_digit_predictions_are_the_argmax_of_an_independent_forward_pass(digits):
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x, y = T(bunch.data) / 16, torch.as_tensor(bunch.target)
    net = mlp(digits)
    test = torch.as_tensor(digits["test_index"])
    train = torch.as_tensor(digits["train_index"])
    assert len(set(test.tolist()) | set(train.tolist())) == len(x) and not set(test.tolist()) & set(train.tolist())
    with torch.no_grad():
        logits = net(x[test])
        train_logits = net(x[train])
    assert digits["test_predictions"] == logits.argmax(1).tolist()
    acc = (logits.argmax(1) == y[test]).double().mean().item()
    assert digits["test_accuracy"] == pytest.approx(acc) and acc > 0.9
    assert digits["train_accuracy"] == pytest.approx((train_logits.argmax(1) == y[train]).double().mean().item())
    assert digits["test_loss"] == pytest.approx(F.cross_entropy(logits, y[test]).item(), abs=1e-9)
    for e in digits["examples"]:
        xi = x[e["index"]]
        torch.testing.assert_close(T(e["pixels"]).flatten(), xi, rtol=0, atol=0)
        assert e["label"] == y[e["index"]].item()
        with torch.no_grad():
            torch.testing.assert_close(T(e["hidden"]), torch.sigmoid(net[0](xi)), rtol=0, atol=1e-9)
            torch.testing.assert_close(T(e["probabilities"]), torch.softmax(net(xi), 0), rtol=0, atol=1e-9)
        assert e["prediction"] == int(torch.argmax(net(xi)))
    assert [e["index"] for e in digits["examples"]] == digits["test_index"][:3]


def test_training_is_deterministic_and_fast(curves):
    import time

    start = time.perf_counter()
    again = deepviz.trace("approximation", preset="sum-of-sigmoids").data
    assert time.perf_counter() - start < 2.0
    assert again["fits"] == curves["fits"]
    hist = deepviz.trace("approximation", preset="digits").data["loss_history"]
    assert hist[-1][1] < hist[0][1] / 5


@pytest.mark.parametrize("values", [{"units": "1,3", "target": "bump", "steps": 300},
                                    {"units": "12", "target": "steps", "seed": 2, "steps": 200}])
def test_other_fits_match_the_reference(values):
    d = deepviz.trace("approximation", **values).data
    for f in d["fits"]:
        first, second = sum_network(f)
        with torch.no_grad():
            torch.testing.assert_close(T(f["sum"]), second(torch.sigmoid(first(T(d["xs"])[:, None])))[:, 0],
                                       rtol=0, atol=1e-9)


def test_other_digit_classifiers(tmp_path):
    d = deepviz.trace("approximation", show="digits", hidden=8, digits=5, digit_steps=100, seed=4).data
    assert len(d["examples"]) == 5 and len(d["examples"][0]["hidden"]) == 8
    for e in d["examples"]:
        assert math.isclose(sum(e["probabilities"]), 1.0, abs_tol=1e-9)
        assert e["prediction"] == max(range(10), key=lambda k: e["logits"][k])


@pytest.mark.parametrize("values, message", [
    ({"units": "4,2"}, "--units: must increase"),
    ({"units": "2,40"}, "--units: each network has 1 to 12 units"),
    ({"units": "two"}, "--units: expected numbers of units separated by commas"),
    ({"units": "1,2,3,4,5"}, "--units: needs 1 to 4 networks"),
    ({"hidden": 64}, "--hidden: must be from 4 to 32"),
    ({"digits": 0}, "--digits: must be from 1 to 5"),
    ({"target": "sine"}, "--target: must be one of wave, bump, steps"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("approximation", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_cli_exits_2_with_one_line(capsys, tmp_path):
    code = main(["render", "approximation", "--units", "8,2", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "--units: must increase" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
