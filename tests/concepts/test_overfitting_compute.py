"""The overfitting trace against independent references: numpy's Legendre basis, autograd's optimality conditions
(least squares, L2, L1), torch.optim.SGD for early stopping, F.mse_loss for every loss."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from deepviz import api, catalog
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731


def values(preset):
    return catalog.get("overfitting").resolve(preset)[1]


def phi(x, degree):
    """Legendre features from numpy: independent of torch.special."""
    return torch.from_numpy(np.polynomial.legendre.legvander(np.asarray(x, dtype=float), degree))


def loss(w, x, t):
    return F.mse_loss(phi(x, len(w) - 1) @ w, T(t))


def check_fit(fit, d, tests=True):
    w = T(fit["w"])
    assert fit["train"] == pytest.approx(loss(w, d["x"], d["t"]).item(), rel=1e-9)
    assert fit["log_train"] == pytest.approx(math.log10(max(fit["train"], 1e-12)), rel=1e-12)
    assert fit["log_test"] == pytest.approx(math.log10(max(fit["test"], 1e-12)), rel=1e-12)
    if tests:
        assert fit["test"] == pytest.approx(loss(w, d["test_x"], d["test_t"]).item(), rel=1e-9)
    # the drawn curve lies on the polynomial, inside the window (where it is cut, on the window's edge)
    lo, hi = d["y_window"]
    for seg in fit["curve"]:
        pts = np.asarray(seg)
        on_edge = (np.abs(pts[:, 1] - lo) < 1e-9) | (np.abs(pts[:, 1] - hi) < 1e-9)
        np.testing.assert_allclose(np.polynomial.legendre.legval(pts[~on_edge, 0], fit["w"]), pts[~on_edge, 1],
                                   rtol=1e-9, atol=1e-9 * (1 + np.abs(fit["w"]).sum()))
        assert (pts[:, 1] >= lo - 1e-9).all() and (pts[:, 1] <= hi + 1e-9).all()


def grad_of(fn, w):
    w = w.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(fn(w), w)
    return g


def test_the_data_come_from_the_seed():
    d = api.trace("overfitting").data
    v = values("capacity")
    g = torch.Generator().manual_seed(v["seed"])
    x = 2 * torch.rand(v["points"], generator=g, dtype=torch.float64) - 1
    t = torch.sin(math.pi * x) + v["noise"] * torch.randn(v["points"], generator=g, dtype=torch.float64)
    torch.testing.assert_close(T(d["x"]), x, rtol=0, atol=0)
    torch.testing.assert_close(T(d["t"]), t, rtol=0, atol=0)
    assert len(d["test_x"]) == v["test_points"]
    for seg in d["truth"]:
        pts = np.asarray(seg)
        np.testing.assert_allclose(np.sin(np.pi * pts[:, 0]), pts[:, 1], atol=1e-12)


def test_capacity_fits_are_least_squares_and_the_test_loss_is_a_u():
    d = api.trace("overfitting", preset="capacity").data
    for fit in d["fits"]:
        check_fit(fit, d)
        w = T(fit["w"])
        # least squares: the training loss's gradient vanishes (full rank: N > degree)
        assert grad_of(lambda v: loss(v, d["x"], d["t"]), w).abs().max() < 1e-8 * (1 + w.abs().max())
    trains = [f["train"] for f in d["fits"]]
    tests = [f["test"] for f in d["fits"]]
    assert all(b <= a + 1e-12 for a, b in zip(trains, trains[1:]))  # more capacity never fits worse
    assert d["best_degree"] == int(np.argmin(tests))
    assert 0 < d["best_degree"] < len(tests) - 1 and tests[-1] > 10 * tests[d["best_degree"]]  # the U


def test_penalties_are_at_their_minimum():
    d = api.trace("overfitting", preset="penalties").data
    x, t = d["x"], d["t"]
    check_fit(d["plain"], d)
    for fit in d["l2"]:
        check_fit(fit, d)
        w, lam = T(fit["w"]), fit["lam"]
        g = grad_of(lambda v: loss(v, x, t) + lam * (v[1:] ** 2).sum(), w)
        assert g.abs().max() < 1e-9
        assert fit["norm2"] == pytest.approx((w[1:] ** 2).sum().item(), rel=1e-12)
        assert fit["zeros"] == 0
    norms = [f["norm2"] for f in d["l2"]]
    assert d["plain"]["norm2"] > norms[0] > norms[1] > norms[2]  # L2 shrinks the weights
    for fit in d["l1"]:
        check_fit(fit, d)
        w, lam = T(fit["w"]), fit["lam"]
        g = grad_of(lambda v: loss(v, x, t), w)  # the smooth part; then the L1 optimality conditions
        assert abs(g[0]) < 1e-9
        on = w[1:] != 0
        torch.testing.assert_close(g[1:][on], -lam * torch.sign(w[1:][on]), rtol=0, atol=1e-9)
        assert (g[1:][~on].abs() <= lam + 1e-9).all()
        assert fit["zeros"] == int((~on).sum())
    zeros = [f["zeros"] for f in d["l1"]]
    assert zeros[-1] > 0 and zeros == sorted(zeros)  # L1 sets weights exactly to zero, more as lambda grows


def test_early_stopping_follows_torch_optim_sgd():
    d = api.trace("overfitting", preset="early-stopping").data
    v = values("early-stopping")
    x, t = d["x"], d["t"]
    features = phi(x, d["degree"])
    lam_max = torch.linalg.eigvalsh(torch.autograd.functional.hessian(lambda w: loss(w, x, t),
                                                                      torch.zeros(d["degree"] + 1,
                                                                                  dtype=torch.float64)))[-1]
    assert d["lr"] == pytest.approx(v["lr"] * 2 / lam_max.item(), rel=1e-9)
    w = torch.nn.Parameter(torch.zeros(features.shape[1], dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=d["lr"])
    path = [w.detach().clone()]
    for _ in range(d["steps"]):
        opt.zero_grad()
        F.mse_loss(features @ w, T(t)).backward()
        opt.step()
        path.append(w.detach().clone())
    for name, xs, ts in (("train", x, t), ("val", d["val_x"], d["val_t"]), ("test", d["test_x"], d["test_t"])):
        ref = torch.stack([loss(p, xs, ts) for p in path])
        torch.testing.assert_close(T(d[f"{name}_loss"]), ref, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(T(d[f"log_{name}_loss"]), torch.log10(ref.clamp_min(1e-12)), rtol=1e-9, atol=1e-12)
    assert d["stop"] == int(T(d["val_loss"]).argmin()) == d["stopped"]["step"]
    for fit in [*d["snapshots"], d["stopped"], d["final"]]:
        torch.testing.assert_close(T(fit["w"]), path[fit["step"]], rtol=1e-9, atol=1e-9)
        check_fit(fit, d)
    assert d["final"]["step"] == d["steps"]
    torch.testing.assert_close(T(d["log_steps"]), torch.log10(torch.arange(1, d["steps"] + 1,
                                                                            dtype=torch.float64)))
    assert d["stopped"]["test"] < d["final"]["test"]


@pytest.mark.parametrize("bad, param", [({"degrees": (1.0, 2.5, 3.0)}, "degrees"),
                                        ({"degrees": (1.0, 3.0, 9.0), "max_degree": 5}, "degrees"),
                                        ({"l1": (0.1, -1.0, 1.0)}, "l1")])
def test_bad_values_name_their_parameter(bad, param):
    with pytest.raises(ParamError) as e:
        api.trace("overfitting", **bad)
    assert e.value.param == param


def test_an_interpolating_fit_without_noise_stays_finite():
    """Noise 0 and as many weights as cases: the training loss is 0 (or nearly); its log is floored, not -inf."""
    d = api.trace("overfitting", noise=0.0, points=4, max_degree=5, degrees=(1.0, 3.0, 5.0)).data
    for fit in d["fits"][3:]:
        assert fit["train"] < 1e-20 and fit["log_train"] >= -12
