"""Polynomial fits of a small noisy sample, their training and test losses, and three regularisers:
params -> Trace.

    data        x uniform in [-1, 1], t = sin(pi x) + noise N(0, 1); train, validation (early stopping only) and
                test sets from one seeded generator
    model       y = sum_{k=0..d} w_k P_k(x), P_k the Legendre polynomials (torch.special.legendre_polynomial_p):
                a polynomial of degree d whose weights stay comparable (powers x^k would need weights of
                thousands that cancel)
    loss        MSE(w) = 1/N sum_n (y_n - t_n)^2
    capacity    for each degree, the least-squares weights (torch.linalg.lstsq; minimum-norm when N <= d)
    L2          minimise MSE + lam sum_{k>=1} w_k^2:  (Phi^T Phi / N + lam D) w = Phi^T t / N,  D = diag(0, 1, ..., 1)
    L1          minimise MSE + lam sum_{k>=1} |w_k| by proximal gradient (FISTA with restarts): exact zeros
    early stop  gradient descent (torch.optim.SGD's update) from w = 0; stop where the validation MSE is lowest
The intercept w_0 is never penalised: a penalty should not pull the mean of t towards 0.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch

from ...models.training import sgd
from ...style.numbers import fmt_sig
from ...trace import Trace, to_plain
from ..ravines.compute import clip
from .schema import OverfittingData

Cases = tuple[torch.Tensor, torch.Tensor]  # (x, t)

DT = torch.float64
CURVE_POINTS = 161  # samples of each drawn curve over [-1, 1]
Y_PAD = 0.6  # room above and below the data in the fit plots (a wild fit leaves the window)
L1_CHECK = 200  # the L1 solver tries the exact solution on its current support this often
L1_MAX_ITER = 200_000
LOG_FLOOR = 1e-12  # the loss plots show losses down to this
SNAPSHOTS = 14  # early stopping: fits kept at these many steps (about evenly on a log scale)


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    g = torch.Generator().manual_seed(values["seed"])
    train = sample(values["points"], values["noise"], g)
    test = sample(values["test_points"], values["noise"], g)
    y_window = [min(train[1].min().item(), -1.0) - Y_PAD, max(train[1].max().item(), 1.0) + Y_PAD]
    grid = torch.linspace(-1, 1, CURVE_POINTS, dtype=DT)
    part = values["part"]
    data: dict[str, Any] = {
        "part": part, "x": train[0], "t": train[1], "test_x": test[0], "test_t": test[1],
        "n": len(train[0]), "y_window": y_window,
        "truth": curve(grid, torch.sin(math.pi * grid), y_window),
    }
    data.update(PARTS[part](values, train, test, grid, y_window, g))
    plain: OverfittingData = to_plain(data)
    return Trace(concept="overfitting", params={}, data=plain, narration=NARRATION[part](plain), preset=preset)


def sample(n: int, noise: float, g: torch.Generator) -> Cases:
    x = 2 * torch.rand(n, generator=g, dtype=DT) - 1
    return x, torch.sin(math.pi * x) + noise * torch.randn(n, generator=g, dtype=DT)


def features(x: torch.Tensor, degree: int) -> torch.Tensor:
    """[P_0(x), ..., P_degree(x)] per row."""
    return torch.special.legendre_polynomial_p(x[:, None], torch.arange(degree + 1, dtype=DT))


def log10(loss: torch.Tensor) -> torch.Tensor:
    """log10 of a loss for the log-scale plots, floored at LOG_FLOOR (an interpolating fit's loss can be 0)."""
    return torch.log10(loss.clamp_min(LOG_FLOOR))


def mse(w: torch.Tensor, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return ((features(x, len(w) - 1) @ w - t) ** 2).mean()


def curve(grid: torch.Tensor, y: torch.Tensor, y_window: list[float]) -> list[list[list[float]]]:
    """The curve (grid, y) as polyline runs inside the plot's window."""
    window = torch.tensor([[-1.0, 1.0], y_window], dtype=DT)
    return clip(torch.stack([grid, y], 1), window)


def fit_record(w: torch.Tensor, train: Cases, test: Cases, grid: torch.Tensor, y_window: list[float]) \
        -> dict[str, Any]:
    train_loss, test_loss = mse(w, *train), mse(w, *test)
    return {"w": w, "train": train_loss, "test": test_loss,
            "log_train": log10(train_loss), "log_test": log10(test_loss),
            "curve": curve(grid, features(grid, len(w) - 1) @ w, y_window)}


# -- capacity -----------------------------------------------------------------------------------------------
def least_squares(x: torch.Tensor, t: torch.Tensor, degree: int) -> torch.Tensor:
    return torch.linalg.lstsq(features(x, degree), t[:, None], driver="gelsd").solution[:, 0]


def capacity(values: dict[str, Any], train: Cases, test: Cases, grid: torch.Tensor, y_window: list[float],
             g: torch.Generator) -> dict[str, Any]:
    fits = [fit_record(least_squares(*train, d), train, test, grid, y_window) | {"degree": d}
            for d in range(values["max_degree"] + 1)]
    best = min(range(len(fits)), key=lambda d: fits[d]["test"])
    return {"fits": fits, "best_degree": best, "shown": [int(d) for d in values["degrees"]]}


# -- penalties ---------------------------------------------------------------------------------------------
def l2_fit(x: torch.Tensor, t: torch.Tensor, degree: int, lam: float) -> torch.Tensor:
    phi = features(x, degree)
    n = len(x)
    d = torch.ones(degree + 1, dtype=DT)
    d[0] = 0
    return torch.linalg.solve(phi.T @ phi / n + lam * torch.diag(d), phi.T @ t / n)


def l1_fit(x: torch.Tensor, t: torch.Tensor, degree: int, lam: float) -> tuple[torch.Tensor, int]:
    """The minimum of MSE + lam sum_{k>=1} |w_k|, exact: proximal gradient (FISTA) finds which weights are zero
    and their signs, then the optimality conditions on that support are solved as a linear system and checked
    (every zero weight's gradient within [-lam, lam]). Returns the weights and the FISTA iterations taken."""
    phi = features(x, degree)
    n = len(x)
    gram, rhs = 2 * phi.T @ phi / n, 2 * phi.T @ t / n
    step = 1 / torch.linalg.eigvalsh(gram)[-1]
    penalised = torch.ones(degree + 1, dtype=torch.bool)
    penalised[0] = False

    def prox(v: torch.Tensor) -> torch.Tensor:
        return torch.where(penalised, torch.sign(v) * torch.clamp(v.abs() - step * lam, min=0.0), v)

    w = prox(least_squares(x, t, degree))
    z, momentum = w.clone(), 1.0
    for it in range(1, L1_MAX_ITER + 1):
        new = prox(z - step * (gram @ z - rhs))
        if torch.dot(z - new, new - w) > 0:  # the momentum overshoots: restart it
            momentum = 1.0
        nxt = (1 + math.sqrt(1 + 4 * momentum ** 2)) / 2
        z = new + (momentum - 1) / nxt * (new - w)
        w, momentum = new, nxt
        if it % L1_CHECK == 0:
            exact = l1_on_support(gram, rhs, w, penalised, lam)
            if exact is not None:
                return exact, it
    raise RuntimeError(f"the L1 fit with lambda {lam} did not settle in {L1_MAX_ITER} iterations")


def l1_on_support(gram: torch.Tensor, rhs: torch.Tensor, w: torch.Tensor, penalised: torch.Tensor,
                  lam: float) -> torch.Tensor | None:
    """Solve the optimality conditions gram_SS w_S = rhs_S - lam sign(w_S) on the support S of ``w`` (the
    intercept always in it, unpenalised); the result if it keeps those signs and every other weight's gradient
    lies within [-lam, lam], else None."""
    support = (w != 0) | ~penalised
    signs = torch.where(penalised, torch.sign(w), torch.zeros_like(w))
    idx = support.nonzero()[:, 0]
    try:
        w_s = torch.linalg.solve(gram[idx][:, idx], rhs[idx] - lam * signs[idx])
    except RuntimeError:  # a singular support: keep iterating
        return None
    exact = torch.zeros_like(w)
    exact[idx] = w_s
    grad = gram @ exact - rhs
    same_signs = bool((torch.sign(w_s) == signs[idx])[penalised[idx]].all())
    inside = bool((grad[~support].abs() <= lam * (1 + 1e-9)).all())
    return exact if same_signs and inside else None


def penalties(values: dict[str, Any], train: Cases, test: Cases, grid: torch.Tensor, y_window: list[float],
              g: torch.Generator) -> dict[str, Any]:
    d = values["degree"]
    plain = fit_record(least_squares(*train, d), train, test, grid, y_window)
    l2 = [fit_record(l2_fit(*train, d, lam), train, test, grid, y_window) | {"lam": lam} for lam in values["l2"]]
    l1 = []
    for lam in values["l1"]:
        w, iterations = l1_fit(*train, d, lam)
        l1.append(fit_record(w, train, test, grid, y_window) | {"lam": lam, "iterations": iterations})
    for fit in [plain, *l2, *l1]:
        fit["norm2"] = (fit["w"][1:] ** 2).sum()
        fit["norm1"] = fit["w"][1:].abs().sum()
        fit["zeros"] = int((fit["w"][1:] == 0).sum())
    return {"degree": d, "plain": plain, "l2": l2, "l1": l1}


# -- early stopping ----------------------------------------------------------------------------------------
def early_stopping(values: dict[str, Any], train: Cases, test: Cases, grid: torch.Tensor, y_window: list[float],
                   g: torch.Generator) -> dict[str, Any]:
    d, steps = values["degree"], values["steps"]
    val = sample(values["points"], values["noise"], g)
    phi = features(train[0], d)
    lam_max = torch.linalg.eigvalsh(2 * phi.T @ phi / len(phi))[-1]
    lr = values["lr"] * 2 / lam_max.item()
    w = torch.zeros(d + 1, dtype=DT, requires_grad=True)
    keep = sorted({0, steps} | {round(steps ** (k / (SNAPSHOTS - 1))) for k in range(SNAPSHOTS)})
    losses: dict[str, list[torch.Tensor]] = {"train": [], "val": [], "test": []}
    weights: list[torch.Tensor] = []

    def measure(step: int) -> None:
        weights.append(w.detach().clone())
        with torch.no_grad():
            for name, (xs, ts) in (("train", train), ("val", val), ("test", test)):
                losses[name].append(mse(w, xs, ts))

    measure(0)
    sgd([w], lambda: mse(w, *train), steps, lr, after_step=measure)
    stop = int(torch.stack(losses["val"]).argmin())
    return {
        "degree": d, "lr": lr, "lr_fraction": values["lr"], "steps": steps, "val_x": val[0], "val_t": val[1],
        "log_steps": torch.log10(torch.arange(1, steps + 1, dtype=DT)),
        **{f"{name}_loss": torch.stack(v) for name, v in losses.items()},
        **{f"log_{name}_loss": log10(torch.stack(v)) for name, v in losses.items()},
        "stop": stop,
        "snapshots": [fit_record(weights[k], train, test, grid, y_window) | {"step": k} for k in keep],
        "stopped": fit_record(weights[stop], train, test, grid, y_window) | {"step": stop},
        "final": fit_record(weights[steps], train, test, grid, y_window) | {"step": steps},
    }


PARTS: dict[str, Callable[..., dict[str, Any]]] = {"capacity": capacity, "penalties": penalties,
                                                   "early-stopping": early_stopping}


# -- narration ----------------------------------------------------------------------------------------------
def sig(v: float, digits: int = 3) -> str:
    return fmt_sig(v, digits)


def intro(d: Mapping[str, Any]) -> dict[str, str]:
    return {"data": f"{d['n']} training cases (x, t): t is sin(\u03c0x), the thin curve, plus noise. "
                    f"{len(d['test_x'])} more cases from the same source, the small dots, test the fits on new data."}


def capacity_narration(d: Mapping[str, Any]) -> dict[str, str]:
    fits, shown = d["fits"], d["shown"]
    out = intro(d)
    for k, deg in enumerate(shown):
        f = fits[deg]
        out[f"fit{k}"] = (f"A polynomial of degree {deg} has {deg + 1} weights. Least squares: training loss "
                          f"{sig(f['train'])}, test loss {sig(f['test'])}.")
    lo, hi = fits[0], fits[-1]
    best = fits[d["best_degree"]]
    out["losses"] = (f"Degree 0 to {len(fits) - 1}: the training loss falls from {sig(lo['train'])} to "
                     f"{sig(hi['train'])}. The test loss is lowest at degree {d['best_degree']} "
                     f"({sig(best['test'])}) and {sig(hi['test'])} at degree {len(fits) - 1}.")
    out["overfit"] = ("Past the best degree the extra weights fit the noise of these few cases: good on the "
                      "training data, bad on new data. That is overfitting." if hi["test"] > best["test"] else
                      "Here the test loss does not rise again within these degrees: there is no overfitting to see.")
    return out


def penalties_narration(d: Mapping[str, Any]) -> dict[str, str]:
    p, l2, l1 = d["plain"], d["l2"], d["l1"]
    deg = d["degree"]
    return {
        **intro(d),
        "plain": f"Degree {deg} by least squares: training loss {sig(p['train'])}, test loss {sig(p['test'])}. "
                 f"Its weights are large: \u03a3w\u2096\u00b2 = {sig(p['norm2'])}.",
        "l2": "L2 adds \u03bb\u03a3w\u2096\u00b2 to the loss. The larger \u03bb, the smaller the weights: "
              + ", ".join(f"\u03a3w\u2096\u00b2 = {sig(f['norm2'])}" for f in l2)
              + f" for \u03bb = {', '.join(sig(f['lam']) for f in l2)}; "
              + ("none is exactly zero." if not any(f["zeros"] for f in l2) else
                 ", ".join(str(f["zeros"]) for f in l2) + " of them exactly zero."),
        "l2_loss": "Test loss " + ", ".join(sig(f["test"]) for f in l2) + f" against {sig(p['test'])} without the "
                   f"penalty: the best of these is \u03bb = {sig(min(l2, key=lambda f: f['test'])['lam'])}. Too large "
                   "a \u03bb flattens the curve.",
        "l1": "L1 adds \u03bb\u03a3|w\u2096| instead. Its pull does not weaken near zero, so weights land exactly on "
              "zero: " + ", ".join(f"{f['zeros']} of {deg}" for f in l1)
              + f" for \u03bb = {', '.join(sig(f['lam']) for f in l1)}.",
        "l1_loss": "Test loss " + ", ".join(sig(f["test"]) for f in l1) + ". The intercept w\u2080 is never "
                   "penalised.",
    }


def early_narration(d: Mapping[str, Any]) -> dict[str, str]:
    stop, final = d["stopped"], d["final"]
    return {
        **intro(d),
        "train": f"Gradient descent fits the degree-{d['degree']} polynomial from all weights 0: "
                 f"{d['steps']} steps at \u03b7 = {sig(d['lr'])}. The broad shape comes first, the wiggles later.",
        "curves": f"The training loss keeps falling, to {sig(final['train'])}. The loss on {len(d['val_x'])} "
                  f"held-out cases is lowest at step {stop['step']}.",
        "stop": f"Early stopping keeps the weights of step {stop['step']}: test loss {sig(stop['test'])} against "
                f"{sig(final['test'])} after all {d['steps']} steps.",
    }


NARRATION: dict[str, Callable[[Mapping[str, Any]], dict[str, str]]] = {
    "capacity": capacity_narration, "penalties": penalties_narration, "early-stopping": early_narration}
