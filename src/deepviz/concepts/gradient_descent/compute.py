"""A one-neuron regression's loss over its two weights, and descents on it: params -> Trace.

    model       y = w x + b                         (the two weights theta = (w, b))
    loss        J(w, b) = 1/N sum_n (w x_n + b - t_n)^2 = theta^T A theta - 2 r^T theta + c,
                A = [[mean x^2, mean x], [mean x, 1]], r = [mean x t, mean t]
    gradient    dJ/dw = 2/N sum_n (y_n - t_n) x_n,   dJ/db = 2/N sum_n (y_n - t_n)   (here by autograd)
    Hessian     H = 2 A;  full-batch gradient descent converges exactly for lr < 2 / lambda_max(H)
    SGD         theta <- theta - lr v,  v = beta v + grad  (torch.optim.SGD; beta = 0 without momentum);
                a mini-batch's gradient is the same formula over its B cases (torch's RandomSampler reshuffles
                every epoch, BatchSampler cuts it into batches: a DataLoader's shuffle=True)
    Adam        torch.optim.Adam's update with its default betas (models.training.adam)
A run that diverges stops as soon as its loss passes DIVERGED times the start's (never inf or NaN).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch
from torch.utils.data import BatchSampler, RandomSampler

from ...models.training import adam, sgd
from ...params import ParamError
from ...style.numbers import fmt_num, fmt_sig
from ...trace import Trace, to_plain
from ..ravines.compute import clip, ellipse, fit_window
from .schema import GradientDescentData

DT = torch.float64
DIVERGED = 1e4  # a run stops once J exceeds this many times J at the start
LEVELS = 6  # contour lines, from the start's J down towards the minimum
INNERMOST = 0.01  # the innermost contour's J - J_min as a fraction of the start's
ASPECT = {"descent": 1.5, "learning-rates": 2.0, "batches": 1.5, "momentum": 1.3}  # window width / height
DETAILED = 3  # steps whose gradient the descent part spells out
CRAWL = 0.3  # a converging run still this far (of its starting distance) from the minimum crawls
LOG_FLOOR = 1e-12  # the loss plots show J down to this fraction of J at the start (J can reach 0 exactly)
SAME_POINT = 1e-12  # J at the start minus J_min below this fraction of J_start: the start is the minimum


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    x, t = make_data(values)
    start = torch.tensor(values["start"], dtype=DT)
    surface = loss_surface(x, t, start)
    if surface["J_start"] - surface["J_min"] <= SAME_POINT * surface["J_start"].clamp_min(1.0):
        raise ParamError("start", f"({fmt_num(values['start'][0], 3)}, {fmt_num(values['start'][1], 3)}) is the "
                                  "minimum of J itself: there is nothing to descend; start elsewhere")
    part = values["part"]
    runs = RUNS[part](x, t, start, surface, values)
    x_ends = torch.stack([x.min(), x.max()])
    for run in runs:
        run["log_J"] = torch.log10(run["J"].clamp_min(LOG_FLOOR * surface["J_start"]))
        # the fitted line y = w x + b at the smallest and largest x, for every point of the path
        run["line"] = run["path"][:, :1] * x_ends + run["path"][:, 1:]
        # the step each gradient asks for, eta * grad, drawn uphill from the point it was taken at
        run["uphill"] = run["path"] + run["lr"] * run["grad"]
    # the window holds every run whose loss never rose above the start's (the others leave it) and, in the
    # descent part, the gradient arrows the video draws
    detailed = min(DETAILED, runs[0]["steps"]) if part == "descent" else 0
    arrows = [runs[0]["uphill"][:detailed]]
    window = fit_window(torch.cat([surface["w_min"][None], start[None]] + arrows
                                  + [r["path"] for r in runs if r["J"].max() <= r["J"][0]]), ASPECT[part])
    for run in runs:
        run["shown"] = shown_path(run["path"], window)
    excess = (surface["J_start"] - surface["J_min"]) * torch.logspace(0, math.log10(INNERMOST), LEVELS, dtype=DT)
    a, vectors = surface["eigenvalues"] / 2, surface["eigenvectors"]
    contours = [{"level": (surface["J_min"] + e).item(),
                 "segments": clip(ellipse(surface["w_min"], a, vectors, e.item()), window)} for e in excess]
    data: GradientDescentData = to_plain({
        "part": part, "x": x, "t": t, "n": x.shape[0], "x_ends": x_ends, "x_centre": x.mean(),
        "truth": {"slope": values["slope"], "intercept": values["intercept"], "noise": values["noise"]},
        **{k: v for k, v in surface.items() if k != "eigenvectors"},
        "eigenvectors": surface["eigenvectors"].T, "lr_max": 2 / surface["eigenvalues"][1],
        "window": window, "contours": contours, "runs": runs, "detailed": detailed,
    })
    return Trace(concept="gradient-descent", params={}, data=data, narration=NARRATION[part](data), preset=preset)


def make_data(values: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(values["seed"])
    n = values["points"]
    x = values["x_mean"] + 2 * torch.rand(n, generator=g, dtype=DT) - 1
    t = values["slope"] * x + values["intercept"] + values["noise"] * torch.randn(n, generator=g, dtype=DT)
    return x, t


def loss(x: torch.Tensor, t: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    return ((theta[0] * x + theta[1] - t) ** 2).mean()


def loss_surface(x: torch.Tensor, t: torch.Tensor, start: torch.Tensor) -> dict[str, Any]:
    features = torch.stack([x, torch.ones_like(x)], 1)
    a = features.T @ features / len(x)
    hessian = 2 * a
    eigenvalues, eigenvectors = torch.linalg.eigh(hessian)
    w_min = torch.linalg.lstsq(features, t[:, None]).solution[:, 0]
    return {"hessian": hessian, "eigenvalues": eigenvalues, "eigenvectors": eigenvectors,
            "condition": eigenvalues[1] / eigenvalues[0], "w_min": w_min, "J_min": loss(x, t, w_min),
            "start": start, "J_start": loss(x, t, start)}


# -- runs --------------------------------------------------------------------------------------------------
def run_sgd(x: torch.Tensor, t: torch.Tensor, start: torch.Tensor, lr: float, steps: int, momentum: float = 0.0,
            batch: int | None = None, seed: int = 0) -> dict[str, Any]:
    """SGD from ``start``: full batch (``batch`` None) or shuffled mini-batches of ``batch`` cases."""
    theta = start.clone().requires_grad_(True)
    n = len(x)
    sampler = BatchSampler(RandomSampler(range(n), generator=torch.Generator().manual_seed(seed)), batch or n,
                           drop_last=False)
    order: list[list[int]] = []
    sizes: list[int] = []

    def batch_loss() -> torch.Tensor:
        if batch is None:
            sizes.append(n)
            return loss(x, t, theta)
        if not order:  # a new epoch: torch's sampler reshuffles and cuts (the last batch may be smaller)
            order.extend(sampler)
        idx = order.pop(0)
        sizes.append(len(idx))
        return loss(x[idx], t[idx], theta)

    return record(theta, x, t, lambda after: sgd([theta], batch_loss, steps, lr, momentum, after),
                  {"optimizer": "SGD", "lr": lr, "momentum": momentum, "batch": batch or n}, sizes)


def run_adam(x: torch.Tensor, t: torch.Tensor, start: torch.Tensor, lr: float, steps: int) -> dict[str, Any]:
    theta = start.clone().requires_grad_(True)
    sizes: list[int] = []

    def full() -> torch.Tensor:
        return loss(x, t, theta)

    def train(after: Callable[[int], bool]) -> None:
        def after_step(k: int) -> None:  # Adam's steps are bounded by lr: it never needs stopping
            sizes.append(len(x))
            after(k)

        adam([theta], full, steps, lr, record=1, after_step=after_step)

    return record(theta, x, t, train, {"optimizer": "Adam", "lr": lr, "momentum": 0.0, "batch": len(x)}, sizes)


def record(theta: torch.Tensor, x: torch.Tensor, t: torch.Tensor, train: Callable[[Callable[[int], bool]], None],
           info: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    """Run ``train(after_step)`` and keep, after every step, the weights, the full-batch loss and its gradient
    (the gradient at the start too); stop a run whose loss explodes."""
    def snapshot() -> None:
        j = loss(x, t, theta)
        (grad,) = torch.autograd.grad(j, theta)
        path.append(theta.detach().clone())
        js.append(j.detach())
        grads.append(grad)

    path: list[torch.Tensor] = []
    js: list[torch.Tensor] = []
    grads: list[torch.Tensor] = []
    snapshot()

    def after(step: int) -> bool:
        snapshot()
        return bool(js[-1] > DIVERGED * js[0])

    train(after)
    samples = torch.cumsum(torch.tensor([0] + sizes[:len(path) - 1]), 0)
    diverged = bool(js[-1] > DIVERGED * js[0])
    return {**info, "path": torch.stack(path), "J": torch.stack(js), "grad": torch.stack(grads),
            "samples": samples, "steps": len(path) - 1, "diverged": diverged}


def shown_path(path: torch.Tensor, window: torch.Tensor) -> list[list[float]]:
    """The path up to where it first leaves the window, ending at the window's edge."""
    out = [path[0].tolist()]
    for k in range(1, len(path)):
        segments = clip(path[k - 1:k + 1], window)
        if not segments:
            break
        end = segments[0][-1]
        if math.dist(end, path[k].tolist()) > 1e-9 * (1 + float(path[k].abs().max())):
            out.append(end)  # it left the window here
            break
        out.append(path[k].tolist())
    return out


def closing(run: dict[str, Any], w_min: torch.Tensor, n: int) -> dict[str, Any]:
    """Where a run ended: its remaining distance, a verdict and its steps per pass over the data."""
    path, fraction = run["path"], run["fraction"]
    run["remaining"] = (torch.linalg.vector_norm(path[-1] - w_min) / torch.linalg.vector_norm(path[0] - w_min)).item()
    run["verdict"] = ("diverges" if run["diverged"] or (fraction is not None and fraction >= 1) else
                      "oscillates" if fraction is not None and fraction > 0.5 else
                      "crawls" if run["remaining"] > CRAWL else "converges")
    run["steps_per_epoch"] = math.ceil(n / run["batch"])
    return run


def descent_runs(x, t, start, surface, values) -> list[dict[str, Any]]:
    lr = values["lr"] * 2 / surface["eigenvalues"][1].item()
    return [closing({**run_sgd(x, t, start, lr, values["steps"]), "fraction": values["lr"]}, surface["w_min"], len(x))]


def rate_runs(x, t, start, surface, values) -> list[dict[str, Any]]:
    return [closing({**run_sgd(x, t, start, fraction * 2 / surface["eigenvalues"][1].item(), values["steps"]),
                     "fraction": fraction}, surface["w_min"], len(x)) for fraction in values["rates"]]


def batch_runs(x, t, start, surface, values) -> list[dict[str, Any]]:
    n, epochs = len(x), values["epochs"]
    lr = values["lr"] * 2 / surface["eigenvalues"][1].item()
    sizes = sorted({int(b) for b in values["batches"]} | {n}, reverse=True)
    return [closing({**run_sgd(x, t, start, lr, epochs * math.ceil(n / size), batch=None if size == n else size,
                               seed=values["seed"]), "fraction": values["lr"]}, surface["w_min"], n)
            for size in sizes]


def momentum_runs(x, t, start, surface, values) -> list[dict[str, Any]]:
    lr, steps = values["lr"] * 2 / surface["eigenvalues"][1].item(), values["steps"]
    return [closing({**run, "fraction": values["lr"] if run["optimizer"] == "SGD" else None}, surface["w_min"], len(x))
            for run in (run_sgd(x, t, start, lr, steps), run_sgd(x, t, start, lr, steps, momentum=values["momentum"]),
                        run_adam(x, t, start, values["adam_lr"], steps))]


RUNS: dict[str, Callable[..., list[dict[str, Any]]]] = {"descent": descent_runs, "learning-rates": rate_runs,
                                             "batches": batch_runs, "momentum": momentum_runs}


# -- narration ----------------------------------------------------------------------------------------------
def sig(v: float, digits: int = 3) -> str:
    return fmt_sig(v, digits)


def pair(p: list[float]) -> str:
    return f"({sig(p[0])}, {sig(p[1])})"


def intro(d: Mapping[str, Any]) -> dict[str, str]:
    return {
        "data": f"{d['n']} training cases (x, t) and one neuron y = w x + b. Its two weights w and b are all "
                "it can learn.",
        "surface": "The loss J(w, b) is the mean squared error over the cases: one number for every pair of "
                   f"weights. Its contour lines are ellipses around the minimum {pair(d['w_min'])}.",
    }


def descent_narration(d: Mapping[str, Any]) -> dict[str, str]:
    run = d["runs"][0]
    g0, p0 = run["grad"][0], run["path"][0]
    return {
        **intro(d),
        "gradient": f"At the start {pair(p0)} the gradient is its two partial derivatives: "
                    f"\u2202J/\u2202w = {sig(g0[0])} and \u2202J/\u2202b = {sig(g0[1])}. It points uphill.",
        "step": f"One step moves against it, each weight by \u03b7 times its own derivative: "
                f"\u03b7 = {sig(run['lr'])}, {fmt_num(run['fraction'], 3)} of the largest stable rate "
                f"2/\u03bbmax = {sig(d['lr_max'])}.",
        "steps": f"Each step recomputes the gradient where it lands; the {{color:output}} line follows the weights. "
                 f"After {run['steps']} steps J = {sig(run['J'][-1])}, the minimum is {sig(d['J_min'])}.",
    }


def rates_narration(d: Mapping[str, Any]) -> dict[str, str]:
    runs = d["runs"]
    out = {**intro(d),
           "rates": f"Four learning rates from the same start, {runs[0]['steps']} steps each, as fractions of "
                    f"2/\u03bbmax = {sig(d['lr_max'])}, the largest rate at which the descent still converges."}
    for k, run in enumerate(runs):
        what = {"crawls": f"it crawls: still {fmt_num(100 * run['remaining'], 0)}% of the way from the minimum",
                "converges": f"it converges: J = {sig(run['J'][-1])}",
                "oscillates": "above half of 2/\u03bbmax each step overshoots the valley floor: it oscillates "
                              f"from side to side, J = {sig(run['J'][-1])}",
                "diverges": "above 2/\u03bbmax every overshoot is larger than the last: it diverges"
                            + (f". We stop it at step {run['steps']}, J = {sig(run['J'][-1])}" if run["diverged"]
                               else f", J = {sig(run['J'][-1])}")}[run["verdict"]]
        out[f"rate{k}"] = f"\u03b7 = {sig(run['lr'])} ({fmt_num(run['fraction'], 3)} \u00d7 2/\u03bbmax): {what}."
    return out


def batches_narration(d: Mapping[str, Any]) -> dict[str, str]:
    runs = d["runs"]
    full, small = runs[0], runs[-1]
    return {
        **intro(d),
        "batches": f"Full-batch gradient descent looks at all {d['n']} cases for every step. SGD takes each step "
                   f"from a random mini-batch: sizes {', '.join(str(r['batch']) for r in runs[1:])}, the same "
                   f"\u03b7 = {sig(full['lr'])}.",
        "paths": f"With the same work, {full['samples'][-1]} case gradients, full batch takes {full['steps']} "
                 f"steps and batch {small['batch']} takes {small['steps']}: many cheap, noisy steps.",
        "cost": "The loss against the work done: " + (
            f"batch {small['batch']} gets lower with the same work, then jitters around the minimum"
            if small["J"][-1] < full["J"][-1] else f"here batch {small['batch']} ends no lower than the full batch")
        + f" (J = {sig(small['J'][-1])} against {sig(full['J'][-1])}).",
    }


def momentum_narration(d: Mapping[str, Any]) -> dict[str, str]:
    plain, heavy, ad = d["runs"]
    return {
        **intro(d),
        "ravine": f"The inputs x sit around {sig(d['x_centre'])}, so changing w or b moves every prediction "
                  f"alike: the bowl's condition number is {sig(d['condition'])}"
                  + (", a long thin ravine." if d["condition"] > 20 else "."),
        "sgd": f"Plain SGD at \u03b7 = {sig(plain['lr'])} zig-zags across the ravine and crawls along it: J = "
               f"{sig(plain['J'][-1])} after {plain['steps']} steps.",
        "momentum": f"Momentum \u03b2 = {fmt_num(heavy['momentum'], 2)} adds up the steps that agree and cancels "
                    f"those that alternate: J = {sig(heavy['J'][-1])} against plain SGD's {sig(plain['J'][-1])}.",
        "adam": f"Adam (\u03b7 = {sig(ad['lr'])}) divides each weight's step by its gradient's typical size: "
                f"J = {sig(ad['J'][-1])}.",
    }


NARRATION: dict[str, Callable[[Mapping[str, Any]], dict[str, str]]] = {
    "descent": descent_narration, "learning-rates": rates_narration, "batches": batches_narration,
    "momentum": momentum_narration,
}
