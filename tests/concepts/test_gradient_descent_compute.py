"""The gradient-descent trace against torch: the data, J, its Hessian and minimum, and every path step by step
against torch.optim (SGD, SGD with momentum, Adam; mini-batches from torch's RandomSampler and BatchSampler)."""
import math

import pytest
import torch
from torch.utils.data import BatchSampler, RandomSampler

from deepviz import api
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731
PRESETS = ("descent", "learning-rates", "batches", "momentum")


def j_of(x, t, theta):
    return torch.nn.functional.mse_loss(theta[0] * x + theta[1], t)


def optim_path(x, t, start, make, steps, batch=None, seed=0):
    """``steps`` steps of the optimiser ``make(params)``; full batch, or shuffled batches from a DataLoader."""
    theta = torch.nn.Parameter(start.clone())
    opt = make([theta])
    path = [theta.detach().clone()]
    if batch is None:
        batches = ((x, t) for _ in range(steps))
    else:
        # the batch order is torch's samplers' (a DataLoader with shuffle=True uses them; it also draws a worker
        # seed from the generator, which the concept has no use for); that it is a reshuffle per epoch is tested below
        sampler = BatchSampler(RandomSampler(range(len(x)), generator=torch.Generator().manual_seed(seed)), batch,
                               drop_last=False)
        batches = ((x[idx], t[idx]) for _ in range(steps) for idx in sampler)
    for _, (xb, tb) in zip(range(steps), batches):
        opt.zero_grad()
        j_of(xb, tb, theta).backward()
        opt.step()
        path.append(theta.detach().clone())
        if j_of(x, t, theta) > 1e4 * j_of(x, t, path[0]):
            break
    return torch.stack(path)


def values(preset):
    from deepviz import catalog

    return catalog.get("gradient-descent").resolve(preset)[1]


@pytest.mark.parametrize("preset", PRESETS)
def test_every_number_matches_torch(preset):
    tr = api.trace("gradient-descent", preset=preset)
    d, v = tr.data, values(preset)
    x, t = T(d["x"]), T(d["t"])
    # the data: uniform x around x_mean, t on the true line plus noise, from the seed
    g = torch.Generator().manual_seed(v["seed"])
    torch.testing.assert_close(x, v["x_mean"] + torch.empty(v["points"], dtype=torch.float64).uniform_(
        -1, 1, generator=g), rtol=0, atol=1e-12)
    assert d["x_ends"] == [x.min().item(), x.max().item()]
    assert d["x_centre"] == pytest.approx(x.mean().item(), rel=1e-12)
    start = T(d["start"])
    hessian = torch.autograd.functional.hessian(lambda th: j_of(x, t, th), start)
    torch.testing.assert_close(T(d["hessian"]), hessian, rtol=1e-12, atol=1e-12)
    eig = torch.linalg.eigvalsh(hessian)
    torch.testing.assert_close(T(d["eigenvalues"]), eig, rtol=1e-12, atol=1e-12)
    assert d["lr_max"] == pytest.approx(2 / eig[-1].item(), rel=1e-12)
    assert d["condition"] == pytest.approx(torch.linalg.cond(hessian).item(), rel=1e-9)
    # the minimum: where autograd's gradient vanishes
    w_min = T(d["w_min"]).requires_grad_(True)
    (g_min,) = torch.autograd.grad(j_of(x, t, w_min), w_min)
    assert g_min.abs().max() < 1e-9
    assert d["J_min"] == pytest.approx(j_of(x, t, w_min).item(), rel=1e-12)
    assert d["J_start"] == pytest.approx(j_of(x, t, start).item(), rel=1e-12)
    for c in d["contours"]:  # each contour point lies on its level of J
        for seg in c["segments"]:
            for p in seg:
                assert j_of(x, t, T(p)).item() == pytest.approx(c["level"], rel=1e-3)
    for run in d["runs"]:
        path = T(run["path"])
        if run["optimizer"] == "Adam":
            def make(params, lr=run["lr"]):
                return torch.optim.Adam(params, lr=lr)
        else:
            def make(params, lr=run["lr"], m=run["momentum"]):
                return torch.optim.SGD(params, lr=lr, momentum=m)
        batch = None if run["batch"] == d["n"] else run["batch"]
        planned = len(path) - 1 if not run["diverged"] else 10 ** 6
        ref = optim_path(x, t, start, make, planned, batch, v["seed"])
        torch.testing.assert_close(path, ref, rtol=1e-9, atol=1e-9)
        if run["fraction"] is not None:
            assert run["lr"] == pytest.approx(run["fraction"] * 2 / eig[-1].item(), rel=1e-12)
        for k, p in enumerate(path):
            th = p.clone().requires_grad_(True)
            j = j_of(x, t, th)
            (grad,) = torch.autograd.grad(j, th)
            assert run["J"][k] == pytest.approx(j.item(), rel=1e-12)
            assert run["log_J"][k] == pytest.approx(math.log10(max(j.item(), 1e-12 * d["J_start"])), rel=1e-12)
            torch.testing.assert_close(T(run["grad"][k]), grad, rtol=1e-12, atol=1e-12)
            torch.testing.assert_close(T(run["uphill"][k]), p + run["lr"] * grad, rtol=1e-12, atol=1e-12)
            torch.testing.assert_close(T(run["line"][k]), p[0] * T(d["x_ends"]) + p[1], rtol=1e-12, atol=1e-12)
        # the work: each step costs its batch's cases
        sizes = [min(run["batch"], d["n"] - (k % run.get("steps_per_epoch", 1)) * run["batch"])
                 for k in range(len(path) - 1)]
        assert run["samples"] == [sum(sizes[:k]) for k in range(len(path))]
        assert all(math.isfinite(j) for j in run["J"])


def test_the_far_too_large_rate_diverges_and_stops_finite():
    d = api.trace("gradient-descent", preset="learning-rates").data
    verdicts = [r["verdict"] for r in d["runs"]]
    assert verdicts == ["crawls", "converges", "oscillates", "diverges"]
    far = d["runs"][3]
    assert far["diverged"] and far["steps"] < values("learning-rates")["steps"]
    assert far["J"][-1] > 1e4 * far["J"][0]
    # shown: it leaves the window and stops at its edge
    (x0, x1), (y0, y1) = d["window"]
    end = far["shown"][-1]
    assert min(abs(end[0] - x0), abs(end[0] - x1), abs(end[1] - y0), abs(end[1] - y1)) < 1e-9
    # the oscillating rate overshoots: successive steps along the steep direction change sign
    steep = T(d["eigenvectors"][1])
    moves = (T(d["runs"][2]["path"])[1:] - T(d["runs"][2]["path"])[:-1]) @ steep
    assert (moves[1:] * moves[:-1] < 0).all()
    for run in d["runs"][:3]:
        assert run["shown"] == run["path"]


def test_narration_numbers_come_from_the_trace():
    tr = api.trace("gradient-descent", preset="descent")
    run = tr.data["runs"][0]
    from deepviz.style.numbers import fmt_sig

    assert fmt_sig(run["grad"][0][0], 3) in tr.narration["gradient"]
    assert fmt_sig(run["J"][-1], 3) in tr.narration["steps"]


def test_momentum_and_adam_beat_plain_sgd_on_the_ravine():
    d = api.trace("gradient-descent", preset="momentum").data
    plain, heavy, adam = (r["J"][-1] for r in d["runs"])
    assert d["condition"] > 100
    assert heavy < plain and adam < plain


def test_a_noiseless_descent_to_the_exact_minimum_stays_finite():
    d = api.trace("gradient-descent", noise=0.0, lr=0.5, steps=200).data  # J reaches 6e-32
    run = d["runs"][0]
    assert run["J"][-1] < 1e-20 * d["J_start"]
    assert all(math.isfinite(v) and v >= math.log10(1e-12 * d["J_start"]) - 1e-9 for v in run["log_J"])


@pytest.mark.parametrize("bad, param", [({"start": (2.0, -1.0), "noise": 0.0}, "start"),
                                        ({"batches": (2.5, 4.0)}, "batches"), ({"batches": (1.0, 30.0)}, "batches"),
                                        ({"rates": (0.1, 0.2, 0.3, 11.0)}, "rates")])
def test_bad_values_name_their_parameter(bad, param):
    with pytest.raises(ParamError) as e:
        api.trace("gradient-descent", **bad)
    assert e.value.param == param


def test_mini_batches_cover_every_case_once_per_epoch():
    """The mini-batch order the paths use: every epoch a new permutation of the cases, cut into batches."""
    d = api.trace("gradient-descent", preset="batches").data
    v = values("batches")
    x = T(d["x"])
    sampler = BatchSampler(RandomSampler(range(len(x)), generator=torch.Generator().manual_seed(v["seed"])), 6,
                           drop_last=False)
    epochs = [sorted(i for b in sampler for i in b) for _ in range(v["epochs"])]
    assert all(e == list(range(len(x))) for e in epochs)
    first = [list(sampler) for _ in range(2)]
    assert first[0] != first[1]
    run = next(r for r in d["runs"] if r["batch"] == 6)
    assert run["steps"] == v["epochs"] * math.ceil(len(x) / 6) == run["steps_per_epoch"] * v["epochs"]


def test_the_gradient_arrows_drawn_lie_inside_the_plot():
    """The descent part draws eta * grad uphill from each of its first steps: the arrows must stay on the plot
    (the first one used to point out of it, into the plot's heading)."""
    d = api.trace("gradient-descent", preset="descent").data
    (x0, x1), (y0, y1) = d["window"]
    run = d["runs"][0]
    assert d["detailed"] == 3
    for k in range(d["detailed"]):
        for w, b in (run["path"][k], run["uphill"][k]):
            assert x0 <= w <= x1 and y0 <= b <= y1
