"""The optimiser page's spectral views: the eigen-components against the hand-built eigenvectors and the
closed-form decay of gradient descent, the phase diagram against running the iteration itself."""
import math

import pytest
import torch

from deepviz.studio import optimise_spectra as spectra
from deepviz.studio.optimise import Settings, hessian, path

F64 = torch.float64


def hand_eigen(condition, rotation):
    """(eigenvalue, unit eigenvector) pairs of the page's quadratic, ascending, written out by hand."""
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    return [(1.0 / condition, torch.tensor([-s, c], dtype=F64)), (1.0, torch.tensor([c, s], dtype=F64))]


@pytest.mark.parametrize("s", [Settings(optimizer="sgd", alpha=1.2, condition=20, rotation=-40),
                               Settings(optimizer="momentum", alpha=0.5, beta=0.8, condition=300, rotation=65),
                               Settings(optimizer="adam", alpha=0.1, condition=5, rotation=0)],
                         ids=lambda s: s.optimizer)
def test_the_loss_splits_into_its_eigen_components(s):
    got = path(s)
    comp = got["components"]
    points = torch.tensor(got["points"], dtype=F64)
    for (lam, v), got_lam, part in zip(hand_eigen(s.condition, s.rotation), comp["eigenvalues"], comp["losses"]):
        assert got_lam == pytest.approx(lam, rel=1e-12)
        torch.testing.assert_close(torch.tensor(part, dtype=F64), 0.5 * lam * (points @ v) ** 2)
    total = torch.tensor(comp["losses"], dtype=F64).sum(0)
    torch.testing.assert_close(total, torch.tensor(got["losses"], dtype=F64))


def test_gradient_descent_shrinks_each_component_by_its_own_factor():
    """xᵢᵏ = (1 − αλᵢ)ᵏ xᵢ⁰: the components converge one by one, the small eigenvalue last."""
    s = Settings(optimizer="sgd", alpha=1.5, condition=30, rotation=25, steps=60)
    comp = path(s)["components"]
    for lam, part in zip(comp["eigenvalues"], comp["losses"]):
        k = torch.arange(len(part), dtype=F64)
        torch.testing.assert_close(torch.tensor(part, dtype=F64), part[0] * (1 - s.alpha * lam) ** (2 * k))
    fast, slow = comp["losses"][1], comp["losses"][0]
    assert fast[20] / fast[0] < 1e-6 < slow[20] / slow[0]


def run_iteration(alpha, beta, lam, steps):
    """Distill's momentum on one eigen-coordinate, z ← βz + λx, x ← x − αz, from (z, x) = (0, 1), for a
    whole grid of (α, β) at once: the size of the state after ``steps`` steps."""
    z, x = torch.zeros_like(alpha), torch.ones_like(alpha)
    for _ in range(steps):
        z = beta * z + lam * x
        x = x - alpha * z
    return torch.hypot(z, x)


def test_the_phase_diagram_is_the_rate_the_iteration_runs_at():
    ph = spectra.phases(12.0)
    n = ph["size"]
    rho = torch.tensor(ph["rate"], dtype=F64).reshape(n, n)
    phase = torch.tensor(ph["phase"]).reshape(n, n)
    b, la = torch.meshgrid(torch.linspace(0, spectra.BETA_MAX, n, dtype=F64),
                           torch.linspace(*spectra.ALPHA_LOG, n, dtype=F64), indexing="ij")
    steps = 1500
    sizes = torch.stack([run_iteration(10 ** la, b, lam, steps) for lam in (1 / 12.0, 1.0)])
    measured = sizes.amax(0) ** (1 / steps)  # the slower of the two coordinates sets the pace
    clear = (rho > 0.6) & (rho < 1.3) & ((rho - 1).abs() > 0.01)  # no underflow, no overflow, off the edge
    torch.testing.assert_close(measured[clear], rho[clear], atol=0.008, rtol=0)
    short = torch.stack([run_iteration(10 ** la, b, lam, 200) for lam in (1 / 12.0, 1.0)]).amax(0)
    assert ((short > 1) == (phase == spectra.DIVERGES))[(rho - 1).abs() > 0.05].all()
    assert {0, 1, 2} <= set(ph["phase"])


@pytest.mark.parametrize("alpha, beta, expected", [(0.5, 0.0, spectra.MONOTONE), (1.8, 0.0, spectra.OSCILLATES),
                                                   (2.5, 0.0, spectra.DIVERGES), (1.0, 0.9, spectra.OSCILLATES),
                                                   (5.0, 0.9, spectra.DIVERGES)])
def test_each_phase_is_what_torch_optim_does(alpha, beta, expected):
    """The phase the page names, against the path torch.optim takes: growing, shrinking without ever
    crossing the minimum's axes, or crossing them."""
    s = Settings(optimizer="momentum", alpha=alpha, beta=beta, condition=4, rotation=0, start=(1.0, 1.0), steps=300)
    got = path(s)
    assert got["phase"] == spectra.PHASE_NAMES[expected]
    x = torch.tensor(got["points"], dtype=F64)[:, 0]  # the eigenvalue-1 coordinate: it leads at these rates
    if expected == spectra.DIVERGES:
        assert got["diverged"] is not None
    else:
        assert got["diverged"] is None and got["losses"][-1] < got["losses"][0]
        assert bool((x < 0).any()) == (expected == spectra.OSCILLATES)


def test_the_matrix_is_the_update():
    a = hessian(7.0, 20.0)
    lam, q = torch.linalg.eigh(a)
    r = spectra.iteration_matrices(torch.tensor(0.7, dtype=F64), torch.tensor(0.5, dtype=F64), lam)
    w, z = torch.tensor([1.0, -2.0], dtype=F64), torch.tensor([0.3, 0.1], dtype=F64)
    z2 = 0.5 * z + a @ w
    w2 = w - 0.7 * z2
    for i in range(2):
        torch.testing.assert_close(r[i] @ torch.stack((q[:, i] @ z, q[:, i] @ w)),
                                   torch.stack((q[:, i] @ z2, q[:, i] @ w2)))
