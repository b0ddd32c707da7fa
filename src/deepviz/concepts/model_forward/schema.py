"""The shape of a `model-forward` trace's data (docs/traces/model-forward.md): no torch, no Manim."""
from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict


class Values(TypedDict):
    """`data.boxes[k].values`, `data.output`: a summary of one tensor."""

    mean: float
    std: float
    min: float
    max: float
    zeros: float  # fraction exactly 0
    grid: list[list[float]]  # at most 8x8 values (the first example's channel mean, average-pooled)
    channels: NotRequired[list[list[list[float]]]]  # (N, C, H, W) only: the first 8 feature maps
    channel_count: NotRequired[int]  # C
    channel_side_from: NotRequired[list[int] | None]  # [H, W] when the maps were pooled to 12x12


class Box(TypedDict):
    """`data.boxes[k]`: one drawn box, in execution order."""

    label: str  # module type or op
    name: str  # qualified module name
    kind: str  # input, module, group, function, constant, stub
    shape: list[int]
    repeat: int  # identical blocks folded into one
    values: Values


class ModelForwardData(TypedDict):
    """`data`."""

    model: str  # the model as given (file.py:NAME or module:NAME)
    params: int  # number of parameters
    depth: int  # the depth the hierarchy was folded to
    weights: Literal["random", "fixed", "unknown"]  # random: they depend on --seed (untrained)
    boxes: list[Box]
    edges: list[list[int]]  # [from, to] box indices
    output: Values  # the last box's values


DATA = ModelForwardData  # the type of Trace.data (the contract test checks every preset against it)
