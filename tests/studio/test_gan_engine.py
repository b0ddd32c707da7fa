"""The GAN page's engine: one iteration against a hand-written torch step, the divergences against
numpy/scipy, the tape, the NaN guard and the manifold."""
import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy

from deepviz.studio import gan
from deepviz.studio.gan import GanConfig, GanRun

SMALL = dict(g_layers=1, g_units=8, d_layers=1, d_units=8, batch=16)


def _hand_d_loss(loss, d, real, fake, eps, gp_weight):
    """D's loss written from its formula, sigmoid and logs spelled out."""
    dr, df = d(real), d(fake)
    if loss == "least-squares":
        return 0.5 * ((dr - 1) ** 2).mean() + 0.5 * (df ** 2).mean()
    if loss == "wgan-gp":
        x = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(d(x).sum(), x, create_graph=True)
        return df.mean() - dr.mean() + gp_weight * ((g.pow(2).sum(1).sqrt() - 1) ** 2).mean()
    return -(torch.log(torch.sigmoid(dr)).mean() + torch.log(1 - torch.sigmoid(df)).mean())


def _hand_g_loss(loss, df):
    return {"nonsaturating": -torch.log(torch.sigmoid(df)).mean(),
            "saturating": torch.log(1 - torch.sigmoid(df)).mean(),
            "least-squares": 0.5 * ((df - 1) ** 2).mean(),
            "wgan-gp": -df.mean()}[loss]


class _HandOptimizer:
    """SGD, or Adam (betas 0.5, 0.999; eps 1e-8) from its formula, on a list of leaf tensors."""

    def __init__(self, kind, lr, params):
        self.kind, self.lr, self.params, self.t = kind, lr, params, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        with torch.no_grad():
            for p, g, m, v in zip(self.params, grads, self.m, self.v):
                if self.kind == "sgd":
                    p -= self.lr * g
                    continue
                m.mul_(0.5).add_(0.5 * g)
                v.mul_(0.999).add_(0.001 * g * g)
                m_hat, v_hat = m / (1 - 0.5 ** self.t), v / (1 - 0.999 ** self.t)
                p -= self.lr * m_hat / (v_hat.sqrt() + 1e-8)


@pytest.mark.parametrize("loss,d_opt,g_opt", [("nonsaturating", "adam", "adam"), ("saturating", "sgd", "sgd"),
                                              ("least-squares", "adam", "sgd"), ("wgan-gp", "sgd", "adam")])
def test_iterations_equal_hand_written_steps(loss, d_opt, g_opt):
    cfg = GanConfig(loss=loss, d_optimizer=d_opt, g_optimizer=g_opt, d_lr=0.05, g_lr=0.02, d_steps=2, g_steps=1,
                    noise_dim=3, noise="gaussian", **SMALL)
    run = GanRun(cfg)
    G, D = gan.build(cfg)  # the same initialisation (the seed), as independent modules
    g_params, d_params = list(G.parameters()), list(D.parameters())
    opt_d, opt_g = _HandOptimizer(d_opt, 0.05, d_params), _HandOptimizer(g_opt, 0.02, g_params)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    for _ in range(3):
        run.step()
        for _ in range(cfg.d_steps):
            real = gan.sample_real(cfg, cfg.batch, gen)
            fake = G(gan.sample_noise(cfg, cfg.batch, gen)).detach()
            eps = torch.rand(cfg.batch, 1, generator=gen) if loss == "wgan-gp" else None
            opt_d.step(torch.autograd.grad(_hand_d_loss(loss, D, real, fake, eps, cfg.gp_weight), d_params))
        z = gan.sample_noise(cfg, cfg.batch, gen)
        opt_g.step(torch.autograd.grad(_hand_g_loss(loss, D(G(z))), g_params))
    for mine, ref in zip([*run.G.parameters(), *run.D.parameters()], g_params + d_params):
        torch.testing.assert_close(mine, ref, atol=1e-5, rtol=1e-4)
    assert not torch.equal(next(run.G.parameters()), next(gan.build(cfg)[0].parameters()))  # it trained


def test_single_player_steps_move_only_that_player():
    run = GanRun(GanConfig(**SMALL))
    g0, d0 = [p.clone() for p in run.G.parameters()], [p.clone() for p in run.D.parameters()]
    run.step("d")
    assert all(torch.equal(a, b) for a, b in zip(g0, run.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, run.D.parameters()))
    d1 = [p.clone() for p in run.D.parameters()]
    run.step("g")
    assert all(torch.equal(a, b) for a, b in zip(d1, run.D.parameters()))
    assert run.iteration == 2 and [e.kind for e in run.log] == ["d", "g"]


def test_divergences_equal_numpy_and_scipy():
    gen = torch.Generator().manual_seed(3)
    a = gan.sample_real(GanConfig(distribution="ring"), 700, gen)
    b = torch.randn(500, 2, generator=gen) * 0.6  # some fall outside the square: counted in the edge cells
    hist = lambda x: np.histogram2d(np.clip(x[:, 1].numpy(), -1, 1 - 1e-6), np.clip(x[:, 0].numpy(), -1, 1 - 1e-6),  # noqa: E731
                                    bins=gan.GRID, range=[[-1, 1], [-1, 1]])[0].ravel()
    p_ref, q_ref = [(h / h.sum() + gan.DENSITY_EPS) / (1 + gan.DENSITY_EPS * h.size) for h in (hist(a), hist(b))]
    p, q = gan.density(a), gan.density(b)
    np.testing.assert_allclose(p.numpy(), p_ref, rtol=1e-9)
    assert gan.kl(p, q) == pytest.approx(entropy(p_ref, q_ref), rel=1e-9)
    assert gan.js(p, q) == pytest.approx(jensenshannon(p_ref, q_ref) ** 2, rel=1e-6)
    x, y = a[:200].double().numpy(), b[:300].double().numpy()
    k = lambda u, v: np.exp(-((u[:, None, :] - v[None, :, :]) ** 2).sum(-1) / (2 * gan.MMD_BANDWIDTH ** 2))  # noqa: E731
    assert gan.mmd(a[:200], b[:300]) == pytest.approx(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean(), rel=1e-9)
    assert gan.kl(p, p) == 0 and gan.js(p, q) > 0.1


def test_training_brings_the_fake_points_nearer():
    run = GanRun(GanConfig(distribution="gaussians"))
    for _ in range(300):
        run.step()
    first, last = run.history[0], run.history[-1]
    assert last.mmd < 0.5 * first.mmd and last.js < first.js


def test_the_tape_restores_exactly_and_viewing_changes_nothing():
    cfg = GanConfig(**SMALL)
    straight = GanRun(cfg)
    for _ in range(12):
        straight.step()
    run = GanRun(cfg)
    for _ in range(7):
        run.step()
    run.update(g_lr=0.01)  # a live change after iteration 7: the restore must forget it
    for _ in range(5):
        run.step("d")
    run.restore(7)
    assert run.cfg.g_lr == cfg.g_lr and run.iteration == 7 and len(run.log) == 7
    for _ in range(5):
        run.step()
    for a, b in zip(run.G.state_dict().values(), straight.G.state_dict().values()):
        assert torch.equal(a, b)
    before = [p.clone() for p in run.D.parameters()]
    with run.viewing(3):
        assert not torch.equal(next(run.D.parameters()), before[0])
    assert all(torch.equal(a, b) for a, b in zip(before, run.D.parameters()))


def test_nan_guard_restores_the_last_good_iteration():
    run = GanRun(GanConfig(**SMALL))
    for _ in range(4):
        run.step()
    with torch.no_grad():
        next(run.D.parameters())[0, 0] = math.nan
    run.step()
    assert run.diverged()
    assert run.restore_last_good() == 4 and not run.diverged()
    run.step()
    assert run.iteration == 5 and all(math.isfinite(v) for v in run.history[-1].row()[1:3])


@pytest.mark.parametrize("dim,projections,lines", [(1, 1, 1), (2, 1, 2 * gan.MANIFOLD_LINES),
                                                   (3, 3, 2 * gan.MANIFOLD_LINES)])
def test_the_manifold_is_the_noise_grid_through_g(dim, projections, lines):
    run = GanRun(GanConfig(noise_dim=dim, noise="gaussian", **SMALL))
    out = run.manifold(steps=9)
    assert len(out) == projections and all(len(p) == lines for p in out)
    axis = gan.noise_grid_axis(run.cfg, 9)
    if dim == 1:
        torch.testing.assert_close(out[0][0], run.G(axis[:, None]).detach())
    else:  # the first line runs along noise coordinate 0 at the grid's first value of coordinate 1
        z = torch.zeros(9, dim)
        z[:, 0], z[:, 1] = axis, gan.noise_grid_axis(run.cfg, gan.MANIFOLD_LINES)[0]
        torch.testing.assert_close(out[0][0], run.G(z).detach())


def test_gradient_arrows_are_autograd_of_g_loss_per_point():
    run = GanRun(GanConfig(loss="least-squares", **SMALL))
    fake, grad = run.fake_and_gradients(5)
    x = run.G(run.noise_eval[:5]).detach().requires_grad_(True)
    (ref,) = torch.autograd.grad((0.5 * (run.D(x) - 1) ** 2).sum(), x)
    torch.testing.assert_close(grad, ref)
