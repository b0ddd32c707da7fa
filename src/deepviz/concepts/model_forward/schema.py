"""The shape of a `model-forward` trace's data (docs/traces/model-forward.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Values(TypedDict):
    """`data.boxes[k].values`."""

    mean: float
    std: float
    min: float
    max: float
    zeros: float  # fraction exactly 0
    grid: list[list[float]]  # , at most 8x8 values: for (N, C, H, W) the first example's channel mean, average-pooled


class BoxesItem(TypedDict):
    """`data.boxes[k]`."""

    label: str  # module type or op
    name: str  # qualified module name
    kind: str  # `input`, `module`, `group`, `function`, `constant`, `stub`
    shape: list[int]
    repeat: int  # identical blocks folded into one
    values: Values


class Output(TypedDict):
    """`data.output`."""

    mean: float
    std: float
    min: float
    max: float
    zeros: float  # fraction exactly 0
    grid: list[list[float]]  # , at most 8x8 values: for (N, C, H, W) the first example's channel mean, average-pooled


class ModelForwardData(TypedDict):
    """`data`."""

    model: str  # the model as given (`file.py:NAME` or `module:NAME`)
    params: int  # number of parameters
    depth: int  # the depth the hierarchy was folded to
    boxes: list[BoxesItem]  # in execution order: `label` (module type or op), `name` (qualified module name)
    edges: list[list[int]]  # `[from, to]` box indices
    output: Output  # the last box's `values`


DATA = ModelForwardData  # the type of Trace.data (the contract test checks every preset against it)

