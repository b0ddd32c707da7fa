"""A linear neuron's squared error over (w1, w2), before and after normalising the inputs: params -> Trace.

    J(w) = 1/N sum_n (w1 x1_n + w2 x2_n - t_n)^2 = w^T A w - 2 b^T w + c
           with A = X^T X / N, b = X^T t / N, c = t^T t / N
    Hessian H = 2 A = 2/N X^T X;  condition number kappa = lambda_max / lambda_min
    contour J = level:  w = w* + V diag(sqrt((level - J_min) / a)) (cos s, sin s),  A = V diag(a) V^T
    normalised inputs: z = (x - mean) / std  (std biased, /N, or unbiased, /(N - 1))
    gradient descent:  w <- w - lr grad J(w),  lr = fraction * 2 / lambda_max (each problem its own lambda_max;
                       it converges exactly when fraction < 1)
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ...params import ParamError
from ...style.numbers import fmt_num, fmt_sig
from ...trace import Trace, to_plain
from .data import load_rows, parse_contours, parse_start
from .formulas import fmt_pct
from .schema import RavinesData

DT = torch.float64
ASPECT = 1.3  # width / height of each contour plot: the window keeps equal scales on w1 and w2
PAD = 0.12  # room around the path and the minimum, as a fraction of the window
ELLIPSE_POINTS = 240
AUTO_SPREAD = 0.02  # the innermost automatic contour's J - J_min, as a fraction of the start's
SINGULAR = 1e-9  # relative size of the smallest Hessian eigenvalue below which J has no single minimum


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    rows = torch.tensor(load_rows(values["data"]), dtype=DT)
    x, t = rows[:, :2], rows[:, 2]
    start = torch.tensor(parse_start(values["start"]), dtype=DT)
    levels = parse_contours(values["contours"])
    correction = 1 if values["std"] == "unbiased" else 0
    fraction, steps = values["lr"], values["steps"]

    mean = x.mean(0)
    std = x.std(0, correction=correction)
    if bool((std == 0).any()):
        col = int((std == 0).nonzero()[0]) + 1
        raise ParamError("data", f"x{col} is the same in every row: its standard deviation is 0, it cannot be "
                                 "normalised")
    z = (x - mean) / std

    raw = problem(x, t, start, fraction, steps, levels, "raw")
    norm = problem(z, t, start, fraction, steps, levels, "normalised")
    if fraction >= 1:
        raise ParamError("lr", f"gradient descent does not converge from 1 x the largest stable rate on; the largest "
                               f"stable rates 2/\u03bbmax are {fmt_sig(raw['lr_max'].item(), 3)} (raw inputs) and "
                               f"{fmt_sig(norm['lr_max'].item(), 3)} (normalised); choose a fraction below 1, got "
                               f"{fmt_num(fraction, 3)}")
    # With both inputs at deviation 1, A = [[d, d r], [d r, d]] (d = 1, or (N-1)/N unbiased): its eigenvalues are
    # d (1 +- r), so what is left of the ravine is the inputs' correlation alone.
    r = norm["correlation"].abs()
    data = {
        "rows": rows, "n": rows.shape[0], "scale_ratio": x[:, 1].abs().mean() / x[:, 0].abs().mean(),
        "start": start, "lr_fraction": fraction, "steps": steps,
        "normalisation": {"std_kind": values["std"], "correction": correction, "mean": mean, "std": std, "z": z,
                          "z_mean": z.mean(0), "z_std": z.std(0, correction=correction),
                          "condition_from_correlation": (1 + r) / (1 - r)},
        "raw": raw, "normalised": norm,
    }
    plain: RavinesData = to_plain(data)
    return Trace(concept="ravines", params={}, data=plain, narration=narration(plain), preset=preset)


def cost(x: torch.Tensor, t: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return ((x @ w - t) ** 2).mean()


def problem(x: torch.Tensor, t: torch.Tensor, start: torch.Tensor, fraction: float, steps: int,
            levels: int | list[float], name: str) -> dict[str, Any]:
    """Everything about J for inputs ``x``: its quadratic form, Hessian, minimum, descent path and contours."""
    n = x.shape[0]
    a, b, c = x.T @ x / n, x.T @ t / n, t @ t / n
    hessian = 2 * a
    eigenvalues, eigenvectors = torch.linalg.eigh(hessian)
    if eigenvalues[0] <= SINGULAR * eigenvalues[1]:
        which = "the inputs" if name == "raw" else "the normalised inputs"
        raise ParamError("data", f"x1 and x2 are proportional in {which}: J has a valley of minima, no single "
                                 "minimum (use rows that are not on one line through the mean)")
    w_min = torch.linalg.solve(a, b)
    j_min = cost(x, t, w_min)
    lr_max = 2 / eigenvalues[1]
    lr = fraction * lr_max
    path, j_path = descend(x, t, start, lr, steps)
    j_start = j_path[0]
    if isinstance(levels, int):
        spread = torch.tensor([AUTO_SPREAD ** (k / max(1, levels - 1)) for k in range(levels)], dtype=DT)
        wanted = j_min + (j_start - j_min) * spread
    else:
        wanted = torch.tensor(levels, dtype=DT)
    drawn = [level for level in wanted.tolist() if level > j_min.item()]
    curves = [ellipse(w_min, eigenvalues / 2, eigenvectors, level - j_min.item()) for level in drawn]
    # the window holds the path, the minimum and the innermost contour whole
    window = fit_window(torch.cat([path, w_min[None]] + curves[-1:]))
    contours = [{"level": level, "segments": clip(curve, window)} for level, curve in zip(drawn, curves)]
    return {
        "x": x, "t": t, "A": a, "b": b, "c": c,
        "coefficients": {"w1^2": a[0, 0], "w1w2": 2 * a[0, 1], "w2^2": a[1, 1], "w1": -2 * b[0], "w2": -2 * b[1],
                         "1": c},
        "hessian": hessian, "eigenvalues": eigenvalues, "eigenvectors": eigenvectors.T,  # rows: unit vectors
        "condition": torch.linalg.cond(hessian), "correlation": a[0, 1] / torch.sqrt(a[0, 0] * a[1, 1]),
        "w_min": w_min, "J_min": j_min, "lr_max": lr_max, "lr": lr,
        "path": path, "J_path": j_path,
        "remaining": torch.linalg.vector_norm(path[-1] - w_min) / torch.linalg.vector_norm(path[0] - w_min),
        "window": window, "contours": contours,
        "skipped_levels": [level for level in wanted.tolist() if level <= j_min.item()],
    }


def descend(x: torch.Tensor, t: torch.Tensor, start: torch.Tensor, lr: torch.Tensor, steps: int):
    """Plain gradient descent on J from ``start``; the gradient by autograd."""
    w = start.clone().requires_grad_(True)
    path, js = [w.detach().clone()], []
    for _ in range(steps):
        j = cost(x, t, w)
        (grad,) = torch.autograd.grad(j, w)
        js.append(j.detach())
        with torch.no_grad():
            w -= lr * grad
        path.append(w.detach().clone())
    js.append(cost(x, t, w).detach())
    return torch.stack(path), torch.stack(js)


def fit_window(points: torch.Tensor, aspect: float = ASPECT) -> torch.Tensor:
    """[[w1_lo, w1_hi], [w2_lo, w2_hi]] around the points, padded, with width / height = ``aspect`` in weight units
    (so the plot can use one scale for both axes and the ellipses keep their true shape)."""
    lo, hi = points.min(0).values, points.max(0).values
    centre, span = (lo + hi) / 2, (hi - lo).clamp_min(1e-6)
    width = torch.maximum(span[0], span[1] * aspect) / (1 - 2 * PAD)
    height = width / aspect
    return torch.stack([torch.stack([centre[0] - width / 2, centre[0] + width / 2]),
                        torch.stack([centre[1] - height / 2, centre[1] + height / 2])])


def ellipse(centre: torch.Tensor, a: torch.Tensor, vectors: torch.Tensor, excess: float) -> torch.Tensor:
    """Points of {w : (w - centre)^T A (w - centre) = excess}, A = vectors diag(a) vectors^T, closed."""
    s = torch.linspace(0, 2 * math.pi, ELLIPSE_POINTS + 1, dtype=DT)
    radii = torch.sqrt(excess / a)
    circle = torch.stack([torch.cos(s), torch.sin(s)], 1) * radii
    return centre + circle @ vectors.T


def clip(points: torch.Tensor, window: torch.Tensor) -> list[list[list[float]]]:
    """The parts of a polyline inside the window (each segment clipped, Liang-Barsky), as separate runs."""
    (x0, x1), (y0, y1) = window.tolist()
    runs: list[list[list[float]]] = []
    current: list[list[float]] = []
    pts = points.tolist()
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        seg = _clip_segment(ax, ay, bx, by, x0, x1, y0, y1)
        if seg is None:
            if current:
                runs.append(current)
                current = []
            continue
        (px, py), (qx, qy) = seg
        if not current or (abs(current[-1][0] - px) > 1e-12 or abs(current[-1][1] - py) > 1e-12):
            if current:
                runs.append(current)
            current = [[px, py]]
        current.append([qx, qy])
        if (qx, qy) != (bx, by):  # left the window
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    if len(runs) > 1 and runs[0][0] == runs[-1][-1]:  # a closed curve cut at its seam: join the two ends
        runs[0] = runs.pop() + runs[0][1:]
    return runs


def _clip_segment(ax, ay, bx, by, x0, x1, y0, y1):
    dx, dy = bx - ax, by - ay
    u0, u1 = 0.0, 1.0
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0:
            if q < 0:
                return None
            continue
        r = q / p
        if p < 0:
            u0 = max(u0, r)
        else:
            u1 = min(u1, r)
        if u0 > u1:
            return None
    return (ax + u0 * dx, ay + u0 * dy), (ax + u1 * dx, ay + u1 * dy)


def narration(d: RavinesData) -> dict[str, str]:
    def sig(v: float, digits: int = 3) -> str:
        return fmt_sig(v, digits)

    raw, norm, nz = d["raw"], d["normalised"], d["normalisation"]
    n = d["n"]
    kind = "biased, divided by N" if nz["correction"] == 0 else "unbiased, divided by N \u2212 1"
    wr = raw["w_min"]
    lo_r, hi_r = raw["eigenvalues"]
    return {
        "data": f"A linear neuron y = w\u2081x\u2081 + w\u2082x\u2082 and {n} training cases. "
                f"On average x\u2082 is {sig(d['scale_ratio'], 2)} times the size of x\u2081.",
        "cost": f"The cost is the mean squared error over the {n} cases: a quadratic in w\u2081 and w\u2082.",
        "contours_raw": f"Its contour lines are long thin ellipses: a ravine. The minimum is at w = "
                        f"({sig(wr[0])}, {sig(wr[1])}), where J = {sig(raw['J_min'])}.",
        "hessian_raw": f"The Hessian 2/N\u00b7X\u1d40X has eigenvalues {sig(lo_r)} and {sig(hi_r)}: "
                       f"condition number {sig(raw['condition'])}. J is that much steeper across the "
                       "ravine than along it.",
        "normalise": f"Normalise each input: subtract its mean ({sig(nz['mean'][0])}, "
                     f"{sig(nz['mean'][1])}), divide by its standard deviation ({sig(nz['std'][0])}, "
                     f"{sig(nz['std'][1])}; {kind}).",
        "contours_norm": f"Normalised inputs: condition number {sig(norm['condition'])} instead of "
                         f"{sig(raw['condition'])}. Still a ravine, a shallower one: normalising equalises the "
                         f"scales, not the inputs' correlation r = {fmt_num(norm['correlation'], 2)}, and then "
                         f"\u03ba = (1 + |r|)/(1 \u2212 |r|) = {sig(nz['condition_from_correlation'])}.",
        "descent": f"Gradient descent from w = ({fmt_num(d['start'][0], 3)}, {fmt_num(d['start'][1], 3)}), "
                   f"{d['steps']} steps, each at {fmt_num(d['lr_fraction'], 3)} \u00d7 its largest stable "
                   f"rate 2/\u03bbmax: lr = {sig(raw['lr'])} (raw) and {sig(norm['lr'])} "
                   "(normalised).",
        "compare": f"After {d['steps']} steps the raw descent is still {fmt_pct(raw['remaining'])} of its "
                   f"starting distance from the minimum; the normalised one {fmt_pct(norm['remaining'])}. "
                   "Both zig-zag across at first; along the ravine the raw one crawls.",
        "bias": f"Without a bias, centred inputs cannot fit the mean of t, so the normalised minimum is higher "
                f"(J = {sig(norm['J_min'])} vs {sig(raw['J_min'])}); a network adds a bias for that."
                if norm["J_min"] > raw["J_min"] + 1e-9 else
                f"The minima: J = {sig(raw['J_min'])} (raw) and {sig(norm['J_min'])} (normalised).",
    }
