"""Pooling: max and average pooling on each activation map on its own, global average pooling, the backward pass."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Int, ParamError, ParamSet


def check(values: dict) -> None:
    """PyTorch's limits: the window fits the padded map and the padding is at most half the window."""
    n, k, p = values["input"], values["kernel"], values["padding"]
    if 2 * p > k:
        raise ParamError("padding", f"{p} is more than half the {k}x{k} window; PyTorch allows at most {k // 2}")
    if k > n + 2 * p:
        raise ParamError("kernel", f"the {k}x{k} window is larger than the padded {n + 2 * p}x{n + 2 * p} map")


PARAMS = ParamSet(
    (
        Choice("part", "forward", "what the video shows: pooling window by window, global average pooling, "
               "or the backward pass", choices=("forward", "global", "backward")),
        Choice("mode", "max", "max or average pooling (the backward part shows both)", choices=("max", "average")),
        Int("maps", 2, "activation maps (channels), each pooled on its own", min=1, max=3),
        Int("input", 6, "side of each map", min=2, max=8),
        Int("kernel", 2, "side of the pooling window", min=1, max=4),
        Int("stride", 2, "step of the window", min=1, max=4),
        Int("padding", 0, "cells added on each side (max: never chosen; average: zeros, counted)", min=0, max=2),
        Int("seed", 0, "seed of the maps' values and of the upstream gradient", min=0, max=2**31 - 1),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="pooling",
        title="Pooling",
        summary="Max and average pooling on each map on its own, global average pooling, and their gradients.",
        description=(
            "Pooling makes activation maps smaller and works on each map independently. Max pooling keeps "
            "each window's largest value, average pooling its mean; global average pooling turns each whole "
            "map into one number. Backwards, max pooling routes each gradient to the window's maximum only, "
            "average pooling spreads it evenly over the window. The maps are random whole numbers (seeded); "
            "every number is computed by PyTorch and checked against F.max_pool2d, F.avg_pool2d and autograd."
        ),
        params=PARAMS,
        presets=(
            Preset("max", "2x2 max pooling, stride 2, on two 6x6 maps", {"part": "forward", "mode": "max"}),
            Preset("average", "2x2 average pooling, stride 2, on two 6x6 maps", {"part": "forward", "mode": "average"}),
            Preset("global", "global average pooling: three 4x4 maps become three numbers",
                   {"part": "global", "maps": 3, "input": 4}),
            Preset("backward", "the gradient through 2x2 max and average pooling on a 4x4 map",
                   {"part": "backward", "maps": 1, "input": 4}),
        ),
        compute="deepviz.concepts.pooling.compute:compute",
        scene="deepviz.concepts.pooling.scene:PoolingScene",
    )
)
