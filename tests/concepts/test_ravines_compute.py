"""The ravines trace against torch: J, the normalisation, the Hessians' condition numbers, torch.optim.SGD."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import deepviz
from deepviz.cli import main
from deepviz.params import ParamError
from deepviz.style.numbers import fmt_num, fmt_sig

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731


def j_of(x, t, w):
    return torch.nn.functional.mse_loss(x @ w, t)


def sgd_path(x, t, start, lr, steps):
    w = torch.nn.Parameter(start.clone())
    opt = torch.optim.SGD([w], lr=lr)
    path = [w.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        j_of(x, t, w).backward()
        opt.step()
        path.append(w.detach().clone())
    return torch.stack(path)


def check_against_torch(d, correction):
    rows = T(d["rows"])
    x, t = rows[:, :2], rows[:, 2]
    nz = d["normalisation"]
    mean, std = torch.mean(x, 0), torch.std(x, 0, correction=correction)
    torch.testing.assert_close(T(nz["mean"]), mean, rtol=0, atol=1e-9)
    torch.testing.assert_close(T(nz["std"]), std, rtol=1e-12, atol=0)
    z = T(nz["z"])
    torch.testing.assert_close(z, (x - mean) / std, rtol=0, atol=1e-9)
    # the normalised features have mean 0 and standard deviation 1 (with the same correction)
    torch.testing.assert_close(z.mean(0), torch.zeros(2, dtype=torch.float64), rtol=0, atol=1e-9)
    torch.testing.assert_close(torch.std(z, 0, correction=correction), torch.ones(2, dtype=torch.float64), rtol=0,
                               atol=1e-9)
    # what normalising leaves of the ravine: the inputs' correlation (Pearson r, torch.corrcoef)
    r = torch.corrcoef(x.T)[0, 1].abs()
    assert nz["condition_from_correlation"] == pytest.approx(((1 + r) / (1 - r)).item(), rel=1e-9)
    start = T(d["start"])
    for key, inputs in (("raw", x), ("normalised", z)):
        p = d[key]
        hessian = torch.autograd.functional.hessian(lambda w: j_of(inputs, t, w), start)
        torch.testing.assert_close(T(p["hessian"]), hessian, rtol=1e-9, atol=1e-9)
        eig = torch.linalg.eigvalsh(hessian)
        torch.testing.assert_close(T(p["eigenvalues"]), eig, rtol=1e-9, atol=1e-12)
        assert p["condition"] == pytest.approx(torch.linalg.cond(hessian).item(), rel=1e-9)
        if key == "normalised":
            assert nz["condition_from_correlation"] == pytest.approx(p["condition"], rel=1e-9)
        assert p["lr"] == pytest.approx(d["lr_fraction"] * 2 / eig[-1].item(), rel=1e-12)
        torch.testing.assert_close(T(p["path"]), sgd_path(inputs, t, start, p["lr"], d["steps"]), rtol=0, atol=1e-9)
        for w, j in zip(p["path"], p["J_path"]):
            assert j == pytest.approx(j_of(inputs, t, T(w)).item(), rel=1e-9, abs=1e-12)
        w_min = torch.linalg.lstsq(inputs, t[:, None]).solution[:, 0]
        torch.testing.assert_close(T(p["w_min"]), w_min, rtol=1e-7, atol=1e-9)
        assert p["J_min"] == pytest.approx(j_of(inputs, t, w_min).item(), rel=1e-7, abs=1e-9)
        # every contour point lies on its level set of J (a segment's ends, where the window cuts the
        # ellipse, on the chord between two samples) and inside the window
        (x0, x1), (y0, y1) = p["window"]
        for c in p["contours"]:
            for seg in c["segments"]:
                pts = T(seg)
                js = ((inputs @ pts.T - t[:, None]) ** 2).mean(0)
                torch.testing.assert_close(js[1:-1], torch.full_like(js[1:-1], c["level"]), rtol=1e-9, atol=1e-9)
                torch.testing.assert_close(js, torch.full_like(js, c["level"]), rtol=1e-3, atol=1e-6)
            assert ((pts[:, 0] >= x0 - 1e-9) & (pts[:, 0] <= x1 + 1e-9)).all()
            assert ((pts[:, 1] >= y0 - 1e-9) & (pts[:, 1] <= y1 + 1e-9)).all()


def test_the_preset_matches_torch_and_the_seed():
    d = deepviz.trace("ravines").data
    assert d["rows"] == [[2, 40, 5], [4, 80, 7], [8, -160, 0]]
    check_against_torch(d, correction=0)
    raw, norm = d["raw"], d["normalised"]
    x = T(d["rows"])[:, :2]
    torch.testing.assert_close(T(raw["hessian"]), 2 / 3 * x.T @ x)
    assert raw["coefficients"]["w2^2"] == pytest.approx(11200) and raw["coefficients"]["1"] == pytest.approx(74 / 3)
    # a ravine, then a much rounder bowl; the raw descent crawls, the normalised one arrives
    assert raw["condition"] > 500 and norm["condition"] < 20
    assert raw["remaining"] > 0.5 and norm["remaining"] < 0.1
    # the default learning rate converges on both: below 2 / lambda_max
    assert all(p["lr"] < p["lr_max"] for p in (raw, norm))
    assert len(raw["contours"]) == 5


def test_unbiased_standard_deviation_and_explicit_levels():
    d = deepviz.trace("ravines", std="unbiased", contours="1,5,20,100", steps=12, lr=0.5).data
    check_against_torch(d, correction=1)
    assert [c["level"] for c in d["raw"]["contours"]] == [1, 5, 20, 100]
    assert d["normalised"]["skipped_levels"] == [1, 5]  # below the normalised minimum (J = 16)


@settings(max_examples=20, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(-9, 9), st.integers(-200, 200), st.integers(-9, 9)), min_size=3,
                     max_size=6, unique_by=lambda r: (r[0], r[1])),
       lr=st.floats(0.05, 0.95), steps=st.integers(1, 40))
def test_random_data_matches_torch(rows, lr, steps):
    data = ";".join(f"{a},{b},{c}" for a, b, c in rows)
    try:
        d = deepviz.trace("ravines", data=data, lr=lr, steps=steps).data
    except ParamError as err:  # constant or proportional columns are refused, with the parameter named
        assert str(err).startswith("--data:")
        return
    check_against_torch(d, correction=0)


def test_data_from_a_csv_file(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("x1,x2,t\n1,10,2\n2,-30,1\n3,50,4\n")
    d = deepviz.trace("ravines", data=str(f)).data
    assert d["rows"] == [[1, 10, 2], [2, -30, 1], [3, 50, 4]]
    check_against_torch(d, correction=0)


@pytest.mark.parametrize("values, message", [
    ({"lr": 1.2}, "--lr: gradient descent does not converge"),
    ({"data": "1,2,3;4,5"}, "--data: row 2 must be three numbers"),
    ({"data": "1,2,3;4,5,6"}, "--data: needs 3 to 8 rows"),
    ({"data": "1,2,3;1,5,6;1,7,1"}, "--data: x1 is the same in every row"),
    ({"data": "1,2,3;2,4,6;3,6,1"}, "--data: x1 and x2 are proportional"),
    ({"data": "missing.csv"}, "--data: no such CSV file"),
    ({"start": "1"}, "--start: expected two numbers"),
    ({"contours": "0"}, "--contours: a count must be from 1 to 8"),
    ({"contours": "1,x"}, "--contours: expected a count"),
    ({"contours": "-1,2"}, "--contours: levels of J must be positive"),
    ({"steps": 0}, "--steps: must be from 1 to 200"),
    ({"std": "population"}, "--std: must be one of biased, unbiased"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("ravines", **values)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_a_diverging_rate_names_the_largest_stable_rates():
    with pytest.raises(ParamError) as err:
        deepviz.trace("ravines", lr=1.5)
    d = deepviz.trace("ravines").data
    from deepviz.style.numbers import fmt_sig

    for key in ("raw", "normalised"):
        assert fmt_sig(d[key]["lr_max"], 3) in str(err.value)


def test_the_cli_exits_2_with_one_line(capsys, tmp_path):
    code = main(["render", "ravines", "--lr", "1.5", "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "--lr: gradient descent does not converge" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_the_normalised_ravine_that_remains_is_explained():
    # issue 12: the normalised ravine is still elongated (condition number 16) and nothing said why
    tr = deepviz.trace("ravines")
    norm = tr.data["normalised"]
    text = tr.narration["contours_norm"]
    assert norm["condition"] > 10  # still visibly elongated: the caption must say so
    assert "Still a ravine" in text and "correlation" in text
    assert f"= {fmt_sig(norm['condition'], 3)}." in text and fmt_num(norm["correlation"], 2) in text
