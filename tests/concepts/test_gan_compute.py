"""The GAN step and trace against hand-written torch: the losses as formulas, torch.autograd.grad and Adam's
update written out (not torch.optim)."""
import copy
import math

import pytest
import torch

import deepviz
from deepviz.concepts.gan import compute as gan_compute
from deepviz.models import gan

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731
LR, BETAS, EPS = 5e-3, (0.5, 0.999), 1e-8


def hand_d_loss(D, real, fake, kind):
    dr, df = D(real), D(fake)
    if kind == "least-squares":
        return 0.5 * ((dr - 1) ** 2).mean() + 0.5 * (df ** 2).mean()
    return -(torch.log(torch.sigmoid(dr)).mean() + torch.log(1 - torch.sigmoid(df)).mean())


def hand_g_loss(D, fake, kind):
    df = D(fake)
    if kind == "least-squares":
        return 0.5 * ((df - 1) ** 2).mean()
    if kind == "saturating":
        return torch.log(1 - torch.sigmoid(df)).mean()
    return -torch.log(torch.sigmoid(df)).mean()


class HandAdam:
    """Adam's update written out: m, v, bias corrections, p -= lr m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, params):
        self.params = list(params)
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = BETAS
        with torch.no_grad():
            for p, g, m, v in zip(self.params, grads, self.m, self.v):
                m.mul_(b1).add_((1 - b1) * g)
                v.mul_(b2).add_((1 - b2) * g * g)
                p -= LR * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + EPS)


def hand_iteration(G, D, ad, ag, real, noise_d, noise_g, kind):
    fake = G(noise_d).detach()
    d = hand_d_loss(D, real, fake, kind)
    ad.step(torch.autograd.grad(d, list(D.parameters())))
    g = hand_g_loss(D, G(noise_g), kind)
    ag.step(torch.autograd.grad(g, list(G.parameters())))
    return d.item(), g.item()


@pytest.mark.parametrize("kind", gan.LOSSES)
def test_gan_step_equals_a_hand_written_step(kind):
    torch.manual_seed(3)
    G, D = gan.mlp([2, 8, 8, 2]), gan.mlp([2, 8, 8, 1])
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    opt_g = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS)
    opt_d = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)
    ag, ad = HandAdam(G2.parameters()), HandAdam(D2.parameters())
    for _ in range(3):  # Adam's moments carry over between steps
        real, nd, ng = gan.ring(16, 8), torch.randn(16, 2), torch.randn(16, 2)
        step = gan.gan_step(G, D, opt_g, opt_d, real, nd, ng, kind)
        d, g = hand_iteration(G2, D2, ad, ag, real, nd, ng, kind)
        assert step["d_loss"] == pytest.approx(d, rel=1e-5) and step["g_loss"] == pytest.approx(g, rel=1e-5)
    for a, b in zip([*G.parameters(), *D.parameters()], [*G2.parameters(), *D2.parameters()]):
        assert torch.allclose(a, b, atol=1e-6)


@pytest.fixture(scope="module")
def ring():
    trace = deepviz.trace("gan", preset="ring")
    return trace.data, gan_compute.load_run(deepviz.catalog.get("gan").resolve("ring")[1])


def test_the_first_iteration_equals_a_hand_written_adam_step(ring):
    data, run = ring
    D = copy.deepcopy(run.D[0]).requires_grad_(True)
    real, noise = gan_compute.batch(torch.Generator().manual_seed(0), data["modes"])
    fake = run.G[0](noise).detach()
    d = hand_d_loss(D, real, fake, data["loss"])
    assert data["first_step"]["d_loss_before"] == pytest.approx(d.item(), rel=1e-5)
    HandAdam(D.parameters()).step(torch.autograd.grad(d, list(D.parameters())))
    for a, b in zip(D.parameters(), run.D_first.parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    assert data["first_step"]["d_loss_after"] == pytest.approx(hand_d_loss(D, real, fake, data["loss"]).item(),
                                                                rel=1e-5)
    heat = torch.sigmoid(D(gan_compute.heat_grid()))[:, 0].reshape(gan_compute.HEAT, -1)
    assert torch.allclose(T(data["first_step"]["decision_after"]), heat, atol=1e-6)


def test_snapshots_are_the_networks_on_the_shown_points(ring):
    data, run = ring
    noise = T(data["noise"])
    for snap, G, D in zip(data["snapshots"], run.G, run.D):
        fake = G(noise).detach()
        assert torch.allclose(T(snap["fake"]), fake, atol=1e-5)
        # D's decision at the top-left cell's centre and everywhere
        grid = gan_compute.heat_grid()
        assert grid[0].tolist() == pytest.approx([-data["half"] + data["half"] / gan_compute.HEAT,
                                                  data["half"] - data["half"] / gan_compute.HEAT])
        assert torch.allclose(T(snap["decision"]).flatten(), torch.sigmoid(D(grid))[:, 0].detach(), atol=1e-6)
        x = fake[:len(snap["gradient"])].clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(hand_g_loss(D, x, data["loss"]) * len(x), x)
        assert torch.allclose(T(snap["gradient"]), grad, atol=1e-5)
    assert [s["iteration"] for s in data["snapshots"]] == [0, 1, 50, 125, 250, 500]


def test_the_manifold_is_g_of_a_grid_of_the_noise_square(ring):
    data, run = ring
    grid = T(data["noise_grid"])
    n, points = len(grid) // 2, grid.shape[1]
    span = data["noise_span"]
    across, along = torch.meshgrid(torch.linspace(-span, span, n), torch.linspace(-span, span, points), indexing="ij")
    assert torch.allclose(grid[:n], torch.stack([across, along], -1))  # vertical lines: z1 fixed
    assert torch.allclose(grid[n:], torch.stack([along, across], -1))  # horizontal lines: z2 fixed
    for snap, G in zip(data["snapshots"], run.G):
        assert torch.allclose(T(snap["manifold"]), G(grid).detach(), atol=1e-5)


def test_the_ring_is_covered_and_the_collapse_is_one_mode(ring):
    data, _ = ring
    assert data["snapshots"][-1]["modes_covered"] == data["modes"]
    collapsed = deepviz.trace("gan", preset="mode-collapse").data["snapshots"][-1]
    assert collapsed["modes_covered"] == 1 and max(collapsed["coverage"]) > 0.9
    centres = [(2 * math.cos(2 * math.pi * k / 8), 2 * math.sin(2 * math.pi * k / 8)) for k in range(8)]
    near = torch.cdist(T(collapsed["fake"]), T(centres)).argmin(1)
    assert torch.bincount(near, minlength=8).max() > 0.9 * len(near)


def test_least_squares_decision_is_ds_raw_output():
    values = deepviz.catalog.get("gan").resolve(None, loss="least-squares", iterations=20)[1]
    d = deepviz.trace("gan", loss="least-squares", iterations=20).data
    run = gan_compute.load_run(values)
    raw = run.D[-1](gan_compute.heat_grid())[:, 0].detach()
    assert torch.allclose(T(d["snapshots"][-1]["decision"]).flatten(), raw, atol=1e-6)
    assert len(d["losses"]) == 20 and d["snapshots"][-1]["iteration"] == 20
