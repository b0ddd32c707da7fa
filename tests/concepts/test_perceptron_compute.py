"""The perceptron trace against independent torch references: outputs, boundaries and the learning rule."""
import pytest
import torch

import deepviz
from deepviz.concepts.perceptron.data import BOX, DAYS, POINTS
from deepviz.params import ParamError

T = lambda nested: torch.as_tensor(nested, dtype=torch.float64)  # noqa: E731


def step(z):
    return (z >= 0).double()


@pytest.fixture(scope="module")
def weather():
    return deepviz.trace("perceptron").data


def test_one_input_turns_on_at_20_degrees_and_the_flip_flips_it(weather):
    one = weather["one"]
    x = T(one["x"])
    z = one["w"] * x + one["b"]
    torch.testing.assert_close(T(one["y"]), step(z), rtol=0, atol=0)
    assert one["boundary"] == pytest.approx(20.0) and one["w"] * one["boundary"] + one["b"] == pytest.approx(0)
    fl = one["flipped"]
    assert fl["w"] == -one["w"] and fl["b"] == -one["b"] and fl["boundary"] == pytest.approx(one["boundary"])
    torch.testing.assert_close(T(fl["y"]), step(fl["w"] * x + fl["b"]), rtol=0, atol=0)
    assert all(a != b for a, b in zip(fl["y"], one["y"]))  # no temperature sits exactly on the boundary


def test_two_inputs_draw_a_line_and_two_half_planes(weather):
    two = weather["two"]
    w, b = T(two["w"]), two["b"]
    lin = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        lin.weight.copy_(w[None])
        lin.bias.fill_(b)
        torch.testing.assert_close(T(two["y"]), step(lin(T(DAYS)[:, :2])[:, 0]), rtol=0, atol=0)
    seg = T(two["segment"])
    assert seg.shape == (2, 2)
    torch.testing.assert_close(seg @ w + b, torch.zeros(2, dtype=torch.float64), rtol=0, atol=1e-12)
    on, off = T(two["on"]), T(two["off"])
    assert (on @ w + b >= -1e-12).all() and (off @ w + b <= 1e-12).all()
    # the two halves tile the window: their areas add up to the box's
    area = lambda p: 0.5 * abs(sum(p[i, 0] * p[(i + 1) % len(p), 1] - p[(i + 1) % len(p), 0] * p[i, 1]  # noqa: E731
                                   for i in range(len(p))))
    (x0, x1), (y0, y1) = BOX[0], BOX[1]
    assert float(area(on) + area(off)) == pytest.approx((x1 - x0) * (y1 - y0))


def test_three_inputs_draw_a_plane_polygon_in_the_box(weather):
    three = weather["three"]
    w, b = T(three["w"]), three["b"]
    torch.testing.assert_close(T(three["y"]), step(T(DAYS) @ w + b), rtol=0, atol=0)
    poly = T(three["polygon"])
    assert len(poly) >= 3
    torch.testing.assert_close(poly @ w + b, torch.zeros(len(poly), dtype=torch.float64), rtol=0, atol=1e-9)
    lo, hi = T([r[0] for r in BOX]), T([r[1] for r in BOX])
    assert ((poly >= lo - 1e-9) & (poly <= hi + 1e-9)).all()
    assert three["changed"] == [i for i in range(len(DAYS)) if three["y"][i] != weather["two"]["y"][i]]


def test_the_general_form_is_one_row_of_w_times_x(weather):
    g = weather["general"]
    lin = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        lin.weight.copy_(T(g["W"]))
        lin.bias.fill_(g["b"])
        assert g["z"][0] == pytest.approx(lin(T(g["x"])).item())
    assert g["y"][0] == float(g["z"][0] >= 0)


def reference_rule(init, lr, epochs):
    """The perceptron rule written again, plainly: one update per misclassified point."""
    x, t = T(POINTS)[:, :2], T(POINTS)[:, 2]
    w, b = T(init[:2]).clone(), torch.tensor(init[2], dtype=torch.float64)
    history = []
    for _ in range(epochs):
        mistakes = 0
        for xi, ti in zip(x, t):
            y = 1.0 if float(w @ xi + b) >= 0 else 0.0
            if y != float(ti):
                w = w + lr * (float(ti) - y) * xi
                b = b + lr * (float(ti) - y)
                history.append((w.clone(), b.clone()))
                mistakes += 1
        if mistakes == 0:
            break
    return history, w, b


@pytest.mark.parametrize("values", [{}, {"lr": 1.0, "init": "0.5,0.5,0.5"}, {"epochs": 1}])
def test_the_learning_rule_matches_an_independent_loop(values):
    L = deepviz.trace("perceptron", preset="learning-rule", **values).data["learning"]
    init, lr = L["init"], L["lr"]
    history, w, b = reference_rule(init, lr, len(L["epochs"]))
    assert len(history) == len(L["updates"])
    for (w_ref, b_ref), up in zip(history, L["updates"]):
        torch.testing.assert_close(T(up["w"]), w_ref, rtol=0, atol=1e-12)
        assert up["b"] == pytest.approx(float(b_ref), abs=1e-12)
        state = L["states"][up["state"]]
        seg = T(state["segment"])
        if len(seg):  # the drawn line is the boundary w . x + b = 0 of this state
            torch.testing.assert_close(seg @ T(state["w"]) + state["b"], torch.zeros(len(seg), dtype=torch.float64),
                                       rtol=0, atol=1e-12)
    torch.testing.assert_close(T(L["w"]), w, rtol=0, atol=1e-12)


def test_the_preset_converges_on_separable_data():
    L = deepviz.trace("perceptron", preset="learning-rule").data["learning"]
    assert L["converged"] and L["correct"] == len(POINTS)
    assert [e["mistakes"] for e in L["epochs"]][-1] == 0 and len(L["updates"]) >= 3
    torch.testing.assert_close(T(L["y_final"]), T(POINTS)[:, 2], rtol=0, atol=0)


@pytest.mark.parametrize("values, message", [
    ({"weight": 0}, "--weight: must not be 0"),
    ({"weights_2d": "0,0"}, "--weights-2d: must not be all 0"),
    ({"weights_3d": "1,2"}, "--weights-3d: expected 3 numbers"),
    ({"part": "both"}, "--part: must be one of boundary, learning"),
    ({"epochs": 11}, "--epochs: must be from 1 to 10"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("perceptron", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_learning_rule_captions_name_the_class_colours_through_the_theme():
    from deepviz.style.theme import DARK

    n = deepviz.trace("perceptron", preset="learning-rule").narration
    assert "{color:class1}" in n["data"] and "{color:class0}" in n["data"]
    words = DARK.words(n["data"])
    assert DARK.color_word("class1") in words and DARK.color_word("class0") in words and "red" not in words


@pytest.mark.parametrize("values", [{}, {"lr": 2.0, "init": "3,-3,1"}])
def test_every_drawn_line_marks_the_points_it_gets_wrong_and_its_normal_fits(values):
    L = deepviz.trace("perceptron", preset="learning-rule", **values).data["learning"]
    x, t = T(POINTS)[:, :2], T(POINTS)[:, 2]
    for s in L["states"]:
        lin = torch.nn.Linear(2, 1).double()
        with torch.no_grad():
            lin.weight.copy_(T(s["w"])[None])
            lin.bias.fill_(s["b"])
            y = step(lin(x)[:, 0])
        assert s["wrong"] == [i for i in range(len(x)) if y[i] != t[i]]
        # w, drawn from the origin times the one arrow_scale, stays inside the window [-3, 3]^2
        assert (T(s["w"]) * L["arrow_scale"]).abs().max() <= 3.0
    assert len(L["states"][0]["wrong"]) == L["wrong_at_start"] and L["states"][-1]["wrong"] == [] or not L["converged"]
