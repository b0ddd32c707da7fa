"""The linear-map trace against an independent torch reference: every image point is W p + b."""
import math

import pytest
import torch

import deepviz
from deepviz.cli import main
from deepviz.params import ParamError

T = lambda nested: torch.as_tensor(nested, dtype=torch.float64)  # noqa: E731
PRESETS = ["columns", "rotation", "scaling", "shear", "reflection", "affine"]


def layer(d):
    """nn.Linear(2, 2) holding W and b: what a network layer computes."""
    lin = torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        lin.weight.copy_(T(d["matrix"]))
        lin.bias.copy_(T(d["bias"]))
    return lin


@pytest.mark.parametrize("preset", PRESETS)
def test_every_image_point_is_w_p_plus_b(preset):
    d = deepviz.trace("linear-map", preset=preset).data
    w, b = T(d["matrix"]), T(d["bias"])
    lin = layer(d)
    with torch.no_grad():
        for part in ("grid", "basis", "square"):
            start = T(d[part]["start"] if part == "grid" else d[part]["vectors" if part == "basis" else "corners"])
            torch.testing.assert_close(T(d[part]["linear"]), torch.einsum("ij,...j->...i", w, start), rtol=0,
                                       atol=1e-12)
            torch.testing.assert_close(T(d[part]["affine"]), lin(start), rtol=0, atol=1e-12)
        x = T(d["vector"]["x"])
        torch.testing.assert_close(T(d["vector"]["affine"]), lin(x), rtol=0, atol=1e-12)
    # the columns are where i-hat and j-hat land, and W x is the same mix of them
    torch.testing.assert_close(T(d["basis"]["linear"]), w.T, rtol=0, atol=0)
    torch.testing.assert_close(T(d["columns"]), w.T, rtol=0, atol=0)
    parts = T(d["vector"]["parts"])
    torch.testing.assert_close(parts.sum(0), w @ x, rtol=0, atol=1e-12)
    # the origin stays put under W; the bias moves it to b
    assert d["origin"]["linear"] == [0.0, 0.0]
    torch.testing.assert_close(T(d["origin"]["affine"]), b, rtol=0, atol=0)
    assert d["det"] == pytest.approx(torch.linalg.det(w).item()) and d["area"] == pytest.approx(abs(d["det"]))
    # the view holds the basis vectors, the unit square, its F and the vector, before and after
    for part in ("basis", "square", "letter"):
        for key in ("linear", "affine"):
            assert T(d[part][key]).abs().max() <= d["view"]
    assert T(d["vector"]["affine"]).abs().max() <= d["view"] and T(d["vector"]["linear"]).abs().max() <= d["view"]
    with torch.no_grad():
        torch.testing.assert_close(T(d["letter"]["affine"]), lin(T(d["letter"]["corners"])), rtol=0, atol=1e-12)


@pytest.mark.parametrize("preset", PRESETS)
def test_the_whole_window_is_covered_by_the_moving_grid_and_the_basis_vectors_are_big(preset):
    d = deepviz.trace("linear-map", preset=preset).data
    w, b, half = T(d["matrix"]), T(d["bias"]), d["view"]
    n = max(d["grid"]["k"])
    corners = T([[-half, -half], [half, -half], [half, half], [-half, half]])
    # each window corner is the image of a point inside the grid's square, before and after the bias
    for shift in (torch.zeros(2, dtype=torch.float64), b):
        pre = torch.linalg.solve(w, (corners - shift).T).T
        assert pre.abs().max() <= n + 1e-9
    # i-hat is at least a ninth of the window's width (it was a fourteenth: ~20 px)
    assert 1 / (2 * half) >= 1 / 9


@pytest.mark.parametrize("preset", PRESETS)
def test_the_turn_from_i_hat_to_j_hat_flips_with_the_sign_of_det(preset):
    t = deepviz.trace("linear-map", preset=preset)
    d, o = t.data, t.data["orientation"]
    a, c = T(d["columns"][0]), T(d["columns"][1])
    angle = torch.arccos((a @ c) / (a.norm() * c.norm()))  # unsigned, in [0, pi]
    assert abs(o["sweep"]) == pytest.approx(angle.item(), abs=1e-9)
    assert (o["sweep"] < 0) == o["flipped"] == (torch.linalg.det(T(d["matrix"])) < 0)
    assert o["start"] == pytest.approx(torch.atan2(a[1], a[0]).item())
    assert ("clockwise" in t.narration["area"]) and (("reads mirrored" in t.narration["area"]) == o["flipped"])


def test_the_grid_lines_are_the_lines_x_k_and_y_k():
    d = deepviz.trace("linear-map").data
    ends = T(d["grid"]["start"])
    k = T(d["grid"]["k"])
    n = len(k) // 2
    torch.testing.assert_close(ends[:n, :, 0], k[:n, None].expand(n, 2))
    torch.testing.assert_close(ends[n:, :, 1], k[n:, None].expand(n, 2))


@pytest.mark.parametrize("preset, kind", [("columns", "symmetric"), ("rotation", "rotation"), ("scaling", "scaling"),
                                          ("shear", "shear"), ("reflection", "reflection"), ("affine", "general")])
def test_each_preset_is_named_for_what_it_does(preset, kind):
    t = deepviz.trace("linear-map", preset=preset)
    assert t.data["kind"]["name"] == kind
    assert ("bias" in t.narration) == t.data["has_bias"] == (preset == "affine")


def test_the_rotation_angle_and_the_eigen_directions():
    assert deepviz.trace("linear-map", preset="rotation").data["kind"]["angle"] == pytest.approx(90.0)
    d = deepviz.trace("linear-map").data["kind"]
    vals, vecs = T(d["eigenvalues"]), T(d["eigenvectors"])
    w = T(deepviz.trace("linear-map").data["matrix"])
    for lam, v in zip(vals, vecs):
        torch.testing.assert_close(w @ v, lam * v, rtol=0, atol=1e-12)
    assert sorted(vals.tolist()) == pytest.approx([-1.0, 3.0])


def test_a_singular_matrix_is_narrated_as_collapsing_the_plane():
    t = deepviz.trace("linear-map", matrix="1,2;0.5,1")
    assert t.data["rank"] == 1 and t.data["det"] == pytest.approx(0.0)
    assert "collapses onto a line" in t.narration["move"]
    pts = T(t.data["grid"]["linear"]).reshape(-1, 2)
    assert torch.linalg.matrix_rank(pts, atol=1e-9) == 1  # every image on one line through 0
    zero = deepviz.trace("linear-map", matrix="0,0;0,0")
    assert "onto the origin" in zero.narration["move"] and math.isfinite(zero.data["view"])


@pytest.mark.parametrize("values, message", [
    ({"matrix": "1,2;2"}, "--matrix: expected 2 rows of 2 numbers"),
    ({"matrix": "a,b;c,d"}, "--matrix: expected 2 rows of 2 numbers"),
    ({"matrix": "1,2;2,9"}, "--matrix: must be from -3.0 to 3.0"),
    ({"bias": "0.5"}, "--bias: expected 2 numbers"),
    ({"vector": "1,nan"}, "--vector: expected finite numbers"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("linear-map", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_cli_takes_a_matrix_and_a_bias(capsys, tmp_path):
    out = tmp_path / "t.json"
    assert main(["trace", "linear-map", "--matrix", "0,1;1,0", "--bias", "0.5,-1", "-o", str(out)]) == 0
    code = main(["trace", "linear-map", "--matrix", "1,2", "-o", str(tmp_path / "bad.json")])
    err = capsys.readouterr().err
    assert code == 2 and "--matrix:" in err and len(err.strip().splitlines()) == 1
