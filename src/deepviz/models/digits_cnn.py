"""A small CNN trained at first use on scikit-learn's handwritten digits (shipped with scikit-learn).

The 8x8 digits (values 0..16) are scaled to [0, 1] and upsampled to 16x16 (bilinear), so the
activation maps stay big enough to see after two poolings: conv(1->6, 3x3, pad 1) -> ReLU ->
max-pool 2 -> conv(6->12, 3x3, pad 1) -> ReLU -> max-pool 2 -> flatten (12x4x4 = 192) -> linear(10).
Every fifth digit is held out. Full-batch Adam, seeded and deterministic (a few seconds on a CPU);
the weights are cached (see :mod:`deepviz.models.cached`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch
from torch import nn

from .cached import trained
from .training import adam

MODEL_VERSION = 1  # bump when the data, the architecture or the training changes
SIDE = 16  # the network's input side (the 8x8 digits upsampled)
HOLD_OUT = 5  # every fifth digit is a test digit
STEPS = 250
LR = 0.01
SEED = 0


class DigitsCNN(nn.Module):
    """conv-ReLU-pool twice, then one linear layer: the layers are named so the pages can address them.

    The defaults are the cached model; the page's live training builds other architectures: both convs share
    ``kernel``, ``stride`` and ``padding`` (default ``kernel // 2``), ``pool`` is ``"max"``, ``"avg"`` (2x2) or
    ``"none"`` (no pooling layers). Parameters are created in the same order whatever the choice, so the
    default's seeded initialisation, and so its cached weights, do not change.
    """

    conv1: nn.Conv2d  # made in __init__'s loop, one per block
    conv2: nn.Conv2d

    def __init__(self, c1: int = 6, c2: int = 12, kernel: int = 3, stride: int = 1, padding: int | None = None,
                 pool: str = "max"):
        super().__init__()
        padding = kernel // 2 if padding is None else padding
        pools = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}
        side = SIDE
        for i, (cin, cout) in enumerate([(1, c1), (c1, c2)], start=1):
            setattr(self, f"conv{i}", nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding))
            setattr(self, f"relu{i}", nn.ReLU())
            side = (side + 2 * padding - kernel) // stride + 1
            if pool != "none":
                setattr(self, f"pool{i}", pools[pool](2))
                side //= 2
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(c2 * side * side, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.children():  # a plain chain, in the order the layers were made
            x = layer(x)
        return x


def prepare(images: torch.Tensor) -> torch.Tensor:
    """(n, 8, 8) digits with values 0..16 -> the network's (n, 1, 16, 16) input in [0, 1]."""
    x = images.to(torch.float32).reshape(-1, 1, 8, 8) / 16.0
    return nn.functional.interpolate(x, size=(SIDE, SIDE), mode="bilinear", align_corners=False)


@dataclass(frozen=True)
class Digits:
    images: torch.Tensor  # (n, 8, 8) values 0..16 as scikit-learn ships them
    labels: torch.Tensor  # (n,) int64


@lru_cache(maxsize=1)
def load() -> tuple[Digits, Digits]:
    """scikit-learn's 1,797 digits split into (train, test): every fifth one is held out."""
    from sklearn.datasets import load_digits  # heavy: only when a digits model is needed

    d: Any = load_digits()  # a Bunch (its stubs say it may be a tuple)
    images = torch.tensor(d.images, dtype=torch.float32)
    labels = torch.tensor(d.target, dtype=torch.long)
    test = torch.arange(len(labels)) % HOLD_OUT == HOLD_OUT - 1
    return Digits(images[~test], labels[~test]), Digits(images[test], labels[test])


def _fit(model: DigitsCNN) -> None:
    train, _ = load()
    x, y = prepare(train.images), train.labels
    params = list(model.parameters())
    adam(params, lambda: nn.functional.cross_entropy(model(x), y), STEPS, LR)


def _build() -> DigitsCNN:
    torch.manual_seed(SEED)
    return DigitsCNN()


@lru_cache(maxsize=1)
def load_model() -> DigitsCNN:
    """The trained digits CNN (from the cache, or trained now and cached)."""
    model, _ = trained("digits-cnn", (MODEL_VERSION, STEPS, LR, HOLD_OUT, SEED, SIDE), _build, _fit)
    return model


@torch.no_grad()
def accuracy(model: nn.Module, data: Digits) -> float:
    return float((model(prepare(data.images)).argmax(1) == data.labels).float().mean())


def layer_outputs(model: DigitsCNN, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every named layer's output for the input ``x``, in order (the last is the logits, ``fc``).

    The model is a plain chain, so running its children one after another is its forward pass.
    """
    out = {}
    for name, layer in model.named_children():
        x = layer(x)
        out[name] = x
    return out


def receptive_field(row: int, col: int) -> tuple[int, int, int]:
    """(top, left, side) of the input pixels a conv2 unit at (row, col) sees: an 8x8 square.

    conv2's 3x3 window reads pool1 cells row-1..row+1, each the max of conv1 cells 2p, 2p+1,
    each of which reads input rows r-1..r+1: input rows 2*row-3 .. 2*row+4 (some in the padding).
    """
    return 2 * row - 3, 2 * col - 3, 8
