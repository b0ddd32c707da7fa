"""The shape of a `cnn` trace's data (docs/traces/cnn.md): no torch, no Manim.

Maps are [channel][row][column]; images [row][column] with values 0..1.
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

Image = list[list[float]]


class Layer(TypedDict):
    """`data.layers[n]`: one layer's output for the digit."""

    name: str  # conv1, relu1, pool1, conv2, relu2, pool2
    shape: list[int]  # [C, H, W]
    maps: list[list[list[float]]]
    scale: float  # the largest |value|: the layer's colour scale


class Filters(TypedDict):
    """`data.filters`: conv1's learned filters."""

    weights: list[Image]  # 6 x 3 x 3
    bias: list[float]
    kinds: list[str]  # each filter's kind in words, from its weights


class Patch(TypedDict):
    """`data.features.channels[c][n]`: a test digit on which channel c peaks, and where."""

    digit: int  # index into the test set
    unit: list[int]  # [r, c] of the strongest relu2 unit (8 x 8)
    activation: float  # its value
    field: list[int]  # [top, left] of its receptive field in the 16 x 16 input (may start outside)
    patch: Image  # the input under the receptive field (zeros outside the image)


class Features(TypedDict):
    side: int  # the receptive field's side
    channel: int  # the channel the video details (1-based)
    channels: list[list[Patch]]  # per conv2 channel, its top test digits, strongest first
    digits: list[Image]  # the detailed channel's top digits, whole (16 x 16 inputs)


class Occlusion(TypedDict):
    size: int
    stride: int
    grey: float
    starts: list[int]  # the patch's top (and left) positions
    probability: Image  # the target's probability with the patch at each position
    base: float  # its probability without a patch
    drop: Image  # base - probability
    worst: list[int]  # [top, left] of the patch with the largest drop
    worst_drop: float


class Saliency(TypedDict):
    target: int  # the class explained
    score: float  # its logit
    gradient: Image  # d score / d input
    scale: float  # the largest |gradient|
    occlusion: Occlusion


class Snapshot(TypedDict):
    step: int
    image: Image  # the followed target's image
    score: float  # its objective


class Dream(TypedDict):
    """`data.dream`: activation maximisation of every class (or conv2 channel) at once."""

    of: Literal["class", "channel"]
    target: int  # the class (or 0-based channel) the video follows
    steps: int
    lr: float
    l2: float
    blur: float
    snapshots: list[Snapshot]
    final: list[Image]
    scores: list[float]  # the final objective per target
    predicted: list[int]  # the class the network gives each final image
    confidence: list[float]  # its probability


class CnnData(TypedDict):
    """`data`."""

    part: Literal["forward", "filters", "features", "saliency", "dream"]
    source: str
    train_size: int
    test_size: int
    correct: int
    accuracy: float
    digit: int
    label: int
    original: Image  # the 8 x 8 digit as scikit-learn ships it, scaled to 0..1
    input: Image  # the network's 16 x 16 input
    layers: list[Layer]
    flat: list[float]  # flatten's output (192)
    logits: list[float]
    probabilities: list[float]
    predicted: int
    filters: Filters
    features: Features
    saliency: Saliency
    dream: Dream


DATA = CnnData  # the type of Trace.data (the contract test checks every preset against it)
