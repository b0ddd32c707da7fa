"""Pooling computed with torch: params -> Trace.

The maps are random whole numbers 0..9 (seeded), as activation maps after a ReLU, so that
every maximum and every mean reads on screen. Max and average pooling are ``F.max_pool2d`` and
``F.avg_pool2d`` (which counts the padding's zeros, PyTorch's default); each window's maximum and
sum are read from ``F.unfold`` windows; the backward pass is autograd's.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ...style.numbers import fmt_num, fmt_shape
from ...trace import Trace, to_plain
from . import check
from .schema import PoolingData

LEVELS = 9  # the maps' values run 0..9
UPSTREAM = (1, 4)  # the upstream gradient's whole numbers, from 1 to 4
CELLS_A_ROW = 26  # the forward part draws as many maps (with their pooled maps) as fit in 26 cells a row


def windows(maps: torch.Tensor, k: int, s: int, p: int) -> list[dict[str, Any]]:
    """Every window position, row-major: its origin, each map's maximum's place and each map's sum."""
    n = maps.shape[-1]
    # -inf padding never wins the maximum; the sums take the padding as 0 (as avg_pool2d counts it)
    cols = F.unfold(F.pad(maps[:, None], (p, p, p, p), value=float("-inf")), k, stride=s)  # (K, k*k, L)
    o = (n + 2 * p - k) // s + 1
    best = cols.argmax(1)  # (K, L)
    sums = cols.nan_to_num(neginf=0.0).sum(1)
    out = []
    for i in range(o * o):
        r0, c0 = i // o * s - p, i % o * s - p
        out.append({"output_cell": [i // o, i % o], "origin": [r0, c0],
                    "argmax": [[r0 + int(b) // k, c0 + int(b) % k] for b in best[:, i]],
                    "sums": sums[:, i]})
    return out


def backward(x: torch.Tensor, k: int, s: int, p: int, upstream: torch.Tensor) -> dict[str, torch.Tensor]:
    """d loss / d map through max and through average pooling, for loss = sum(upstream * pooled)."""
    grads = {}
    for name, pool in (("max_grad", F.max_pool2d), ("avg_grad", F.avg_pool2d)):
        xg = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad((pool(xg[None, None], k, s, p)[0, 0] * upstream).sum(), xg)
        grads[name] = g
    return grads


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    """Pool random maps for validated ``values``."""
    check(values)
    n, k, s, p = (values[name] for name in ("input", "kernel", "stride", "padding"))
    gen = torch.Generator().manual_seed(values["seed"])
    maps = torch.randint(0, LEVELS + 1, (values["maps"], n, n), generator=gen).double()
    max_out = F.max_pool2d(maps[:, None], k, s, p)[:, 0]
    avg_out = F.avg_pool2d(maps[:, None], k, s, p)[:, 0]
    o = max_out.shape[-1]
    upstream = torch.randint(UPSTREAM[0], UPSTREAM[1] + 1, (o, o), generator=gen).double()
    data = {
        "part": values["part"], "mode": values["mode"],
        "input_size": n, "kernel": k, "stride": s, "padding": p,
        "maps": maps, "output_size": o,
        "shown_maps": max(1, min(len(maps), CELLS_A_ROW // (n + 2 * p + o))),
        "output": max_out if values["mode"] == "max" else avg_out,
        "max_output": max_out, "avg_output": avg_out,
        "windows": windows(maps, k, s, p),
        "global_avg": F.adaptive_avg_pool2d(maps[:, None], 1).flatten(),
        "backward": {"upstream": upstream, **backward(maps[0], k, s, p, upstream), "share": 1 / (k * k),
                     "overlap": s < k},
    }
    plain: PoolingData = to_plain(data)
    return Trace(concept="pooling", params={}, data=plain, narration=narration(plain), preset=preset)


def narration(t: PoolingData) -> dict[str, str]:
    """Caption text per step of the chosen part, every number taken from the computed trace."""
    return {"forward": _forward_text, "global": _global_text, "backward": _backward_text}[t["part"]](t)


def _maps_intro(t: PoolingData) -> str:
    kk, n = len(t["maps"]), t["input_size"]
    return (f"{kk} activation map{'s' if kk > 1 else ''} of {n}\u00d7{n} (random whole numbers 0 to {LEVELS}, "
            f"seeded): {fmt_shape((n, n, kk))}.")


def _forward_text(t: PoolingData) -> dict[str, str]:
    k, s, p, o, n = t["kernel"], t["stride"], t["padding"], t["output_size"], t["input_size"]
    kk = len(t["maps"])
    w = t["windows"][0]
    pad = ""
    if p:
        pad = (f" Padding {p}: the empty border cells are never a maximum." if t["mode"] == "max"
               else f" Padding {p}: the border's zeros count in the mean.")
    if t["mode"] == "max":
        r, c = w["argmax"][0]
        first = (f"Max pooling {k}\u00d7{k}, stride {s}: each window keeps its largest value, here "
                 f"{fmt_num(t['maps'][0][r][c])}.{pad}")
    else:
        first = (f"Average pooling {k}\u00d7{k}, stride {s}: each window keeps its mean, here "
                 f"{fmt_num(w['sums'][0])} / {k * k} = {fmt_num(t['output'][0][0][0])}.{pad}")
    return {
        "intro": _maps_intro(t) + " Pooling works on each map on its own.",
        "first": first,
        "sweep": "The window slides over every map, each on its own, and never mixes the maps"
                 + (f" (the first {t['shown_maps']} of {kk} shown)." if t["shown_maps"] < kk else "."),
        "result": f"{fmt_shape((n, n, kk))} \u2192 {fmt_shape((o, o, kk))}: smaller maps, as many as before.",
    }


def _global_text(t: PoolingData) -> dict[str, str]:
    n, kk = t["input_size"], len(t["maps"])
    means = ", ".join(fmt_num(m) for m in t["global_avg"])
    return {
        "intro": _maps_intro(t),
        "global": f"Global average pooling: each whole map becomes one number, its mean over all {n * n} cells: "
                  f"{means}.",
        "result": f"{fmt_shape((n, n, kk))} \u2192 {kk} numbers, whatever the maps' size: what a classifier's "
                  "last linear layer reads.",
    }


def _backward_text(t: PoolingData) -> dict[str, str]:
    b, k = t["backward"], t["kernel"]
    g = b["upstream"][0][0]
    overlap = " Where windows overlap, a cell's shares add up." if b["overlap"] else ""
    return {
        "intro": f"One {t['input_size']}\u00d7{t['input_size']} activation map (random whole numbers 0 to {LEVELS}, "
                 f"seeded), pooled {k}\u00d7{k} with stride {t['stride']}.",
        "upstream": "Backwards, a gradient arrives for each pooled value (the {color:gradient} grid, "
                    "random whole numbers here).",
        "max": f"Max pooling passes each gradient to its window's maximum only: the first window's {fmt_num(g)} "
               f"goes to one cell; the others get 0.{overlap}",
        "average": f"Average pooling spreads it: each of the {k * k} cells gets 1/{k * k} of it, "
                   f"{fmt_num(g)} \u00d7 {fmt_num(b['share'])} = {fmt_num(g * b['share'])}.{overlap}",
    }
