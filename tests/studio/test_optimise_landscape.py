"""The optimiser page's real loss: the trained network's loss along two filter-normalised directions, the
paths torch.optim takes on it (each optimiser, and raced together), and the mini-batch gradient cloud, all
against the network rebuilt from its weight vector and run by nn.Module and autograd independently."""
import pytest
import torch
from torch import nn

from deepviz.studio import optimise, optimise_landscape
from deepviz.studio.optimise import Settings, path

F64 = torch.float64


@pytest.fixture(scope="module")
def land():
    from deepviz.threads import one_thread

    with one_thread():  # the references' tiny backward passes: 10x slower on two busy threads
        yield optimise_landscape.landscape()


def reference_net(land, ab):
    """The network as an nn.Module forward with the weights θ* + a d₁ + b d₂ (a fresh copy, its parameters
    replaced through torch.func.functional_call, so the graph reaches ``ab``)."""
    net = optimise_landscape.build().double()
    theta, d1, d2 = land.basis
    flat = theta + ab[0] * d1 + ab[1] * d2
    sizes = [p.numel() for p in net.parameters()]
    params = {name: v.reshape(p.shape) for (name, p), v in zip(net.named_parameters(), flat.split(sizes))}
    return lambda x: torch.func.functional_call(net, params, (x,))


def reference_loss(land, ab, idx=slice(None)):
    return nn.functional.cross_entropy(reference_net(land, ab)(land.x[idx]), land.y[idx])


def test_the_network_learnt_its_data_and_sits_at_the_minimum(land):
    at = torch.zeros(2, dtype=F64, requires_grad=True)
    accuracy = (reference_net(land, at)(land.x).argmax(1) == land.y).double().mean().item()
    assert accuracy > 0.8
    (g,) = torch.autograd.grad(reference_loss(land, at), at)
    assert g.abs().max() < 1e-2  # trained to a (near) stationary point


def test_the_directions_are_filter_normalised(land):
    theta = dict(land.net.named_parameters())
    d1, d2 = optimise_landscape.directions({k: v.detach() for k, v in theta.items()})
    for d in (d1, d2):
        for name, p in theta.items():
            if p.dim() > 1:  # each row (a neuron's incoming weights) as long as the trained row
                torch.testing.assert_close(d[name].norm(dim=1), p.detach().norm(dim=1))
            else:
                assert (d[name] == 0).all()
    assert not torch.allclose(d1["0.weight"], d2["0.weight"])


def test_the_surface_and_the_gradient_are_the_networks(land):
    for point in [(0.0, 0.0), (-0.7, 0.4), (0.9, -0.95)]:
        ab = torch.tensor(point, dtype=F64, requires_grad=True)
        ref = reference_loss(land, ab)
        (g,) = torch.autograd.grad(ref, ab)
        assert land.loss(ab.detach()).item() == pytest.approx(ref.item(), rel=1e-12)
        torch.testing.assert_close(land.gradient(ab.detach()), g)
    surf = optimise.surface(Settings(surface="network"))
    n, (x0, x1, y0, y1) = surf["size"], surf["extent"]
    r, c = 70, 11
    at = torch.tensor([x0 + c * (x1 - x0) / (n - 1), y0 + r * (y1 - y0) / (n - 1)], dtype=F64)
    assert surf["values"][r * n + c] == pytest.approx(reference_loss(land, at).item(), rel=1e-4)


def reference_path(land, s: Settings):
    w = torch.tensor(s.start, dtype=F64, requires_grad=True)
    opt = {"sgd": lambda: torch.optim.SGD([w], lr=s.alpha),
           "momentum": lambda: torch.optim.SGD([w], lr=s.alpha, momentum=s.beta),
           "adam": lambda: torch.optim.Adam([w], lr=s.alpha, betas=(s.beta1, s.beta2)),
           "rmsprop": lambda: torch.optim.RMSprop([w], lr=s.alpha, alpha=s.beta2),
           "adamw": lambda: torch.optim.AdamW([w], lr=s.alpha, betas=(s.beta1, s.beta2), weight_decay=s.decay)}
    opt = opt[s.optimizer]()
    points = [w.detach().clone()]
    for _ in range(s.steps):
        opt.zero_grad()
        reference_loss(land, w).backward()
        opt.step()
        points.append(w.detach().clone())
    return torch.stack(points)


@pytest.mark.parametrize("optimizer", optimise.OPTIMIZERS)
def test_each_optimiser_and_the_race_are_torch_optim_on_the_network(land, optimizer):
    s = Settings(surface="network", optimizer=optimizer, alpha=optimise.RATES["network"][optimizer], beta=0.8,
                 decay=0.1, start=(-0.8, 0.6), steps=20, race=["adam", "sgd"])
    got = path(s)
    torch.testing.assert_close(torch.tensor(got["points"], dtype=F64), reference_path(land, s))
    assert [r["optimizer"] for r in got["race"]] == ["adam", "sgd"]
    r = got["race"][optimise.OPTIMIZERS.index(optimizer) % 2]  # each racer at its own step size, same symbols
    ref = reference_path(land, s.model_copy(update={"optimizer": r["optimizer"], "alpha": r["alpha"]}))
    torch.testing.assert_close(torch.tensor(r["points"], dtype=F64), ref)
    assert r["alpha"] == optimise.RATES["network"][r["optimizer"]]


def test_a_diverging_racer_stops_and_the_others_run_on():
    got = path(Settings(surface="rosenbrock", optimizer="adam", alpha=0.05, start=(-1.5, 2.5), race=["sgd", "momentum"],
                        steps=100))
    assert got["diverged"] is None and all(r["diverged"] is None for r in got["race"])
    wild = path(Settings(surface="rosenbrock", optimizer="sgd", alpha=0.01, start=(-1.5, 2.5), race=["adam"]))
    assert wild["diverged"] is not None and wild["race"][0]["diverged"] is None
    assert len(wild["race"][0]["points"]) == 201


def test_the_gradient_cloud_is_each_mini_batchs_gradient(land):
    s = Settings(surface="network", start=(-0.5, 0.3), steps=1, batch_size=1)
    cloud = path(s)["noise"]
    at = torch.tensor(s.start, dtype=F64, requires_grad=True)
    singles = torch.stack([torch.autograd.grad(reference_loss(land, at, [i]), at)[0] for i in range(len(land.x))])
    torch.testing.assert_close(torch.tensor(cloud["full"], dtype=F64), singles.mean(0))
    for g in torch.tensor(cloud["batches"], dtype=F64):  # batch size 1: each arrow is one point's gradient
        assert (singles - g).norm(dim=1).min() < 1e-10
    picks = torch.randperm(len(land.x), generator=torch.Generator().manual_seed(7))[:16]
    (ref,) = torch.autograd.grad(reference_loss(land, at, picks), at)
    torch.testing.assert_close(land.batch_gradients(at.detach(), 16, 1, seed=7)[0], ref)


def test_the_cloud_shrinks_as_the_batch_grows_and_vanishes_at_the_full_batch():
    spread = [path(Settings(surface="network", start=(-0.5, 0.3), steps=1, batch_size=b))["noise"]["spread"]
              for b in (1, 10, 100, 200)]
    assert spread[0] > spread[1] > spread[2] > spread[3] and spread[3] < 1e-12
