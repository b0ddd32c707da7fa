"""An autoencoder's reconstructions, code space and decoded grid, computed with torch: params -> Trace.

The model is :func:`deepviz.models.digits_ae.load_autoencoder` (64 -> 64 -> 2 -> 64 -> 64, trained on the
training digits, cached); everything shown is the held-out test digits. A reconstruction's error is the
mean squared error over its 64 pixels (pixel values in [0, 1]), as in training.
"""
from __future__ import annotations

from typing import Any

import torch

from ...models import digits_ae
from ...models.digits_cnn import load
from ...style.numbers import fmt_num
from ...trace import Trace, to_plain
from .schema import AutoencoderData

GRID_QUANTILES = (0.05, 0.95)  # the decoded grid spans the middle 90 % of the test codes on each axis
PAD = 0.06  # of the codes' range: room around the outermost points of the code plot


def pick_examples(labels: torch.Tensor, n: int, seed: int) -> list[int]:
    """``n`` test indices in a seeded random order, each of a class not picked yet (while classes remain)."""
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed)).tolist()
    picked: list[int] = []
    for i in order:
        if len(picked) == n:
            break
        if int(labels[i]) not in {int(labels[j]) for j in picked}:
            picked.append(i)
    return picked


def window(codes: torch.Tensor) -> list[list[float]]:
    """[[x0, x1], [y0, y1]]: every code inside, with a margin."""
    lo, hi = codes.min(0).values, codes.max(0).values
    pad = (hi - lo) * PAD
    return [[float(lo[a] - pad[a]), float(hi[a] + pad[a])] for a in range(2)]


def code_grid(codes: torch.Tensor, side: int) -> tuple[torch.Tensor, list[float], list[float]]:
    """``side`` x ``side`` codes over the middle of the codes' spread, row-major from the top row (largest z2)."""
    q = torch.quantile(codes, torch.tensor(GRID_QUANTILES), dim=0)
    xs = torch.linspace(float(q[0, 0]), float(q[1, 0]), side)
    ys = torch.linspace(float(q[1, 1]), float(q[0, 1]), side)  # the top row first, as on screen
    grid = torch.stack(torch.meshgrid(ys, xs, indexing="ij")[::-1], -1).reshape(-1, 2)
    return grid, xs.tolist(), ys.tolist()


@torch.no_grad()
def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    model = digits_ae.load_autoencoder()
    train, test = load()
    x, x_train = digits_ae.pixels(test.images), digits_ae.pixels(train.images)
    codes = model.encoder(x)
    recon = model.decoder(codes)
    errors = (recon - x).pow(2).mean(1)
    picked = pick_examples(test.labels, values["examples"], values["seed"])
    grid, xs, ys = code_grid(codes, values["grid"])
    data = {
        "architecture": [64, digits_ae.HIDDEN, digits_ae.CODE, digits_ae.HIDDEN, 64],
        "train_size": len(x_train), "test_size": len(x),
        "train_error": (model(x_train) - x_train).pow(2).mean(), "test_error": errors.mean(),
        "examples": [{"index": i, "label": test.labels[i], "image": x[i].reshape(8, 8), "code": codes[i],
                      "reconstruction": recon[i].reshape(8, 8), "error": errors[i]} for i in picked],
        "codes": codes, "labels": test.labels,
        "window": window(codes),
        "grid": {"side": values["grid"], "xs": xs, "ys": ys, "codes": grid,
                 "images": model.decoder(grid).reshape(-1, 8, 8)},
    }
    plain: AutoencoderData = to_plain(data)
    return Trace(concept="autoencoder", params={}, data=plain, narration=narration(plain), preset=preset)


def narration(t: AutoencoderData) -> dict[str, str]:
    """Caption text per step, every number taken from the computed trace."""
    first = t["examples"][0]
    z = ", ".join(fmt_num(v) for v in first["code"])
    errs = [e["error"] for e in t["examples"]]
    g = t["grid"]["side"]
    return {
        "idea": f"An autoencoder squeezes a digit's 64 pixels through a code of just 2 numbers and rebuilds the "
                f"64 pixels from them. This {first['label']} becomes z = ({z}).",
        "reconstructions": f"Held-out digits, never trained on, and their reconstructions. The squared error per "
                           f"pixel runs from {fmt_num(min(errs), 3)} to {fmt_num(max(errs), 3)}; over all "
                           f"{t['test_size']} test digits it is {fmt_num(t['test_error'], 3)}.",
        "code_space": "Every test digit placed at its 2-D code, coloured by its class. The network never saw the "
                      "labels, yet digits of one class land together.",
        "decoded_grid": f"Decode a {g}\u00d7{g} grid of codes: each point of the code space is a picture. Between "
                        f"the clusters the decoder blends one digit into the next.",
    }
