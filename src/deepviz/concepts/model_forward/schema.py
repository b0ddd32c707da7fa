"""The shape of a `model-forward` trace's data (docs/traces/model-forward.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Values(TypedDict):
    """`data.boxes[k].values`, `data.output`: a summary of one tensor."""

    mean: float
    std: float
    min: float
    max: float
    zeros: float  # fraction exactly 0
    grid: list[list[float]]  # at most 8x8 values (the first example's channel mean, average-pooled)


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
    boxes: list[Box]
    edges: list[list[int]]  # [from, to] box indices
    output: Values  # the last box's values


DATA = ModelForwardData  # the type of Trace.data (the contract test checks every preset against it)
