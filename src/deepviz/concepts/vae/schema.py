"""The shape of a `vae` trace's data (docs/traces/vae.md): no torch, no Manim.

Images are 8 x 8 [row][column] pixels in [0, 1]; codes are [z1, z2].
"""
from __future__ import annotations

from typing_extensions import TypedDict

from ..autoencoder.schema import DecodedGrid


class Example(TypedDict):
    """`data.example`: one held-out digit through the VAE."""

    index: int
    label: int
    image: list[list[float]]
    mu: list[float]
    logvar: list[float]  # log sigma^2
    sigma: list[float]  # exp(logvar / 2)
    eps: list[list[float]]  # draws x 2, from N(0, I)
    z: list[list[float]]  # mu + sigma * eps, one per draw
    reconstruction: list[list[float]]  # the decoder's image of z[0]
    reconstruction_loss: float  # binary cross-entropy of that image against `image`, summed over the pixels
    kl: float  # KL(N(mu, sigma^2) || N(0, I)), closed form
    loss: float  # reconstruction_loss + kl


class TestLoss(TypedDict):
    """`data.test_loss`: means over the test digits, one draw of eps each."""

    reconstruction: float
    kl: float
    total: float


class Prior(TypedDict):
    """`data.prior`: new digits, z drawn from N(0, I) and decoded."""

    side: int
    z: list[list[float]]
    images: list[list[list[float]]]
    window: list[list[float]]  # the plot's window: every draw and every test mean inside


class CodeSpace(TypedDict):
    """`data.vae`, `data.ae`: the test digits' codes and a decoded grid over them."""

    codes: list[list[float]]  # the VAE's means mu; the autoencoder's codes
    window: list[list[float]]  # [[z1 min, z1 max], [z2 min, z2 max]]
    grid: DecodedGrid


class VaeData(TypedDict):
    """`data`."""

    architecture: list[int]
    test_size: int
    example: Example
    test_loss: TestLoss
    prior: Prior
    labels: list[int]  # every test digit's class
    vae: CodeSpace
    ae: CodeSpace


DATA = VaeData  # the type of Trace.data (the contract test checks every preset against it)
