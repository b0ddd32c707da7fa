"""The mlp-convexity trace against an independent torch reference (nn.Linear modules, torch.optim.Adam)."""
import math

import pytest
import torch

import deepviz
from deepviz.cli import main
from deepviz.concepts.mlp_convexity.data import POINTS, targets
from deepviz.params import ParamError

T = lambda nested: torch.as_tensor(nested, dtype=torch.float64)  # noqa: E731


def network(p):
    """A torch.nn 2-H-1 tanh network holding the trace's weights (W1 is 2 x H: nn.Linear's weight is its T)."""
    w1 = T(p["W1"])
    first, second = torch.nn.Linear(2, w1.shape[1]).double(), torch.nn.Linear(w1.shape[1], 1).double()
    with torch.no_grad():
        first.weight.copy_(w1.T)
        first.bias.copy_(T(p["b1"]))
        second.weight.copy_(T(p["W2"]).T)
        second.bias.copy_(T(p["b2"]))
    return torch.nn.Sequential(first, torch.nn.Tanh(), second)


def loss_of(p, x, t):
    with torch.no_grad():
        return torch.nn.functional.mse_loss(network(p)(x)[:, 0], t).item()


def data():
    return T(POINTS), T(targets())


@pytest.fixture(scope="module")
def preset():
    return deepviz.trace("mlp-convexity").data


def test_the_swapped_network_gives_the_same_outputs_and_loss(preset):
    x, t = data()
    with torch.no_grad():
        y, y_swapped = network(preset["theta"])(x)[:, 0], network(preset["swapped"])(x)[:, 0]
    torch.testing.assert_close(y_swapped, y, rtol=0, atol=1e-6)
    torch.testing.assert_close(T(preset["y"]), y, rtol=0, atol=1e-9)
    assert abs(loss_of(preset["swapped"], x, t) - loss_of(preset["theta"], x, t)) < 1e-9
    assert preset["loss"] == pytest.approx(loss_of(preset["theta"], x, t), abs=1e-12)
    assert preset["loss_swapped"] == pytest.approx(loss_of(preset["swapped"], x, t), abs=1e-12)
    # the swap is a different point in weight space: columns 1 and 2 of W1 traded places
    w1, w1s = T(preset["theta"]["W1"]), T(preset["swapped"]["W1"])
    assert not torch.equal(w1, w1s)
    torch.testing.assert_close(w1s, w1[:, [1, 0, 2]], rtol=0, atol=0)
    torch.testing.assert_close(T(preset["swapped"]["W2"]), T(preset["theta"]["W2"])[[1, 0, 2]], rtol=0, atol=0)


def test_the_forward_pass_of_the_example_matches_nn_linear(preset):
    first = network(preset["theta"])[0]
    x = T(preset["forward"]["x"])
    with torch.no_grad():
        torch.testing.assert_close(T(preset["forward"]["h"]), torch.tanh(first(x)), rtol=0, atol=1e-9)
        torch.testing.assert_close(T(preset["forward_swapped"]["h"]), torch.tanh(first(x))[[1, 0, 2]], rtol=0,
                                   atol=1e-9)
        assert preset["forward_swapped"]["y"] == pytest.approx(preset["forward"]["y"], abs=1e-6)


def test_the_midpoint_loss_exceeds_the_chord(preset):
    x, t = data()
    mid = {k: (T(preset["theta"][k]) + T(preset["swapped"][k])) / 2 for k in ("W1", "b1", "W2", "b2")}
    l_mid = loss_of(mid, x, t)
    chord = (loss_of(preset["theta"], x, t) + loss_of(preset["swapped"], x, t)) / 2
    assert l_mid > chord + 1.0  # a real barrier, not rounding
    assert preset["midpoint"]["loss"] == pytest.approx(l_mid, abs=1e-9)
    assert preset["midpoint"]["chord"] == pytest.approx(chord, abs=1e-12) and preset["midpoint"]["above"]
    # the line's ends are the two minima, its middle the midpoint
    s, line = preset["line"]["s"], preset["line"]["loss"]
    assert line[s.index(0.0)] == pytest.approx(preset["loss"]) and line[s.index(1.0)] == pytest.approx(chord)
    assert line[s.index(0.5)] == pytest.approx(l_mid)
    # not concave either: at a minimum the curve lies below the chord of its neighbours
    assert preset["neighbours"]["below"] and preset["loss"] < preset["neighbours"]["chord"]


def test_training_is_a_seeded_adam_run_that_reaches_a_minimum(preset):
    """Retrain independently: nn.Linear modules initialised from the same seeded generator, torch.optim.Adam."""
    x, t = data()
    g = torch.Generator().manual_seed(preset["seed"])
    h = preset["hidden"]

    def uniform(*shape, fan_in):
        return (torch.rand(*shape, generator=g, dtype=torch.float64) * 2 - 1) / math.sqrt(fan_in)

    p = {"W1": uniform(2, h, fan_in=2), "b1": uniform(h, fan_in=2), "W2": uniform(h, 1, fan_in=h),
         "b2": uniform(1, fan_in=h)}
    net = network(p)
    opt = torch.optim.Adam(net.parameters(), lr=preset["lr"])
    for _ in range(preset["steps"]):
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x)[:, 0], t).backward()
        opt.step()
    torch.testing.assert_close(net[0].weight.detach().T, T(preset["theta"]["W1"]), rtol=0, atol=1e-8)
    torch.testing.assert_close(net[2].weight.detach().T, T(preset["theta"]["W2"]), rtol=0, atol=1e-8)
    assert preset["loss"] < 0.01 and preset["gradient_norm"] < 1e-2
    assert preset["orderings"] == 6 and preset["equivalent"] == 48


@pytest.mark.parametrize("values", [{"hidden": 2}, {"hidden": 4, "unit_a": 2, "unit_b": 4, "seed": 3},
                                    {"steps": 0, "example": 5}])
def test_other_networks_keep_the_outputs_under_the_swap(values):
    d = deepviz.trace("mlp-convexity", **values).data
    x, _ = data()
    with torch.no_grad():
        torch.testing.assert_close(network(d["swapped"])(x), network(d["theta"])(x), rtol=0, atol=1e-6)
    h, (a, b) = d["hidden"], d["units"]
    assert d["orderings"] == math.factorial(h)
    assert d["perm"][a] == b and d["perm"][b] == a
    # the trace reports honestly whether the midpoint is above the chord
    assert d["midpoint"]["above"] == (d["midpoint"]["loss"] > d["midpoint"]["chord"])


@pytest.mark.parametrize("values, message", [
    ({"hidden": 2, "unit_b": 3}, "--unit-b: must be from 1 to 2"),
    ({"unit_a": 2, "unit_b": 2}, "--unit-b: must differ from --unit-a"),
    ({"hidden": 5}, "--hidden: must be from 2 to 4"),
    ({"example": 25}, "--example: must be from 1 to 24"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("mlp-convexity", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_cli_exits_2_with_one_line(capsys, tmp_path):
    code = main(["render", "mlp-convexity", "--unit-a", "3", "--unit-b", "3", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "--unit-b: must differ" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_the_preset_shows_hidden_values_that_differ_so_the_swap_is_seen(preset):
    # issue 12: at the old example the hidden values were 0.98 / 1 / 1, and swapping two of them changed nothing
    # a viewer could see. The swapped units must differ visibly at the point the forward pass shows.
    a, b = preset["units"]
    first = network(preset["theta"])[0]
    with torch.no_grad():
        h = torch.tanh(first(T(preset["forward"]["x"])))
    torch.testing.assert_close(T(preset["forward"]["h"]), h, rtol=0, atol=1e-9)
    assert abs(h[a] - h[b]) > 0.5
    # after the swap the two positions hold each other's values
    torch.testing.assert_close(T(preset["forward_swapped"]["h"])[[a, b]], h[[b, a]], rtol=0, atol=1e-9)


def test_the_captions_name_the_swapped_units_colours_through_the_theme():
    from types import SimpleNamespace

    from deepviz.concepts.mlp_convexity.scene import MlpConvexityScene
    from deepviz.style.theme import THEMES

    tr = deepviz.trace("mlp-convexity", steps=0)
    a, b = tr.data["units"]
    for theme in THEMES.values():
        scene = SimpleNamespace(theme=theme)
        colours = [MlpConvexityScene.unit_color(scene, tr.data, j) for j in (a, b)]
        assert colours == [theme.series_color(0), theme.series_color(1)]
        intro = theme.words(tr.narration["intro"])
        assert f"h{a + 1}'s weights are {theme.color_word('series0')}" in intro
        assert f"h{b + 1}'s {theme.color_word('series1')}" in intro
