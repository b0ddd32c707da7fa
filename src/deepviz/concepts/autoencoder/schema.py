"""The shape of an `autoencoder` trace's data (docs/traces/autoencoder.md): no torch, no Manim.

Images are 8 x 8 [row][column] pixels in [0, 1]; codes are [z1, z2].
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Example(TypedDict):
    """`data.examples[n]`: one held-out digit through the autoencoder."""

    index: int  # its place among the test digits
    label: int
    image: list[list[float]]
    code: list[float]  # the encoder's output [z1, z2]
    reconstruction: list[list[float]]  # the decoder's output for that code
    error: float  # mean squared error over the 64 pixels


class DecodedGrid(TypedDict):
    """`data.grid`: codes on a grid, decoded."""

    side: int
    xs: list[float]  # z1 of the columns, left to right
    ys: list[float]  # z2 of the rows, top to bottom
    codes: list[list[float]]  # side*side [z1, z2], row-major from the top row
    images: list[list[list[float]]]  # the decoder's image of each code


class AutoencoderData(TypedDict):
    """`data`."""

    architecture: list[int]  # layer widths: 64, hidden, 2, hidden, 64
    train_size: int
    test_size: int
    train_error: float  # mean squared error per pixel over the training digits
    test_error: float  # the same over the test digits
    examples: list[Example]
    codes: list[list[float]]  # every test digit's code
    labels: list[int]  # every test digit's class
    window: list[list[float]]  # [[z1 min, z1 max], [z2 min, z2 max]] of the code plot
    grid: DecodedGrid


DATA = AutoencoderData  # the type of Trace.data (the contract test checks every preset against it)
