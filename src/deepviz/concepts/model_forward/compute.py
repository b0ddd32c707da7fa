"""One real forward pass of a user's model, captured with its activations: params -> Trace.

The capture is the one ``deepviz diagram`` uses (``deepviz.diagrams.capture``), with values
kept: each box of the folded graph carries a summary of its output (statistics and a small
grid of values). The model is built with the given seed and run on a seeded random input.
"""
from __future__ import annotations

from typing import Any

import torch

from ...diagrams.capture import CaptureError, capture
from ...diagrams.fold import fold, max_depth
from ...diagrams.loader import load_model, parse_input
from ...params import ParamError
from ...style.numbers import fmt_num, fmt_shape
from ...trace import Trace, to_plain
from .schema import Box, ModelForwardData

MAX_BOXES = 8  # boxes a 16:9 frame shows readably in one row


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    torch.manual_seed(values["seed"])
    model = load_model(values["model"], "cpu").eval()
    shape, dtype = parse_input(values["input"])
    x = torch.randn(shape) if dtype.is_floating_point else torch.randint(0, 10, shape, dtype=dtype)
    try:
        cap = capture(model, [x], device="real", keep_values=True)
    except CaptureError as err:
        raise ParamError("model", str(err)) from None
    deepest = max(1, max_depth(cap))
    if values["depth"] > deepest:
        raise ParamError("depth", f"this model's modules nest {deepest} deep; use 1 to {deepest} or 0, "
                                  f"got {values['depth']}")
    depth = values["depth"] or next((d for d in range(deepest, 0, -1) if len(fold(cap, d).boxes) <= MAX_BOXES), 1)
    f = fold(cap, depth)
    index = {b.key: i for i, b in enumerate(f.boxes)}
    boxes = []
    for b in f.boxes:
        node = cap.node(b.last) if b.last >= 0 else None
        boxes.append({"label": b.label if b.kind != "input" else "input", "name": b.name, "kind": b.kind,
                      "shape": list(b.shape or ()), "repeat": b.repeat,
                      "values": node.values if node is not None else None})
    data: ModelForwardData = to_plain({
        "model": values["model"], "params": sum(p.numel() for p in model.parameters()), "depth": depth,
        "boxes": boxes, "edges": [[index[a], index[b]] for a, b in f.edges],
        "output": boxes[-1]["values"],
    })
    return Trace(concept="model-forward", params={}, data=data, narration=narration(data), preset=preset)


def describe(box: Box) -> str:
    v = box["values"]
    times = f" \u00d7{box['repeat']}" if box["repeat"] > 1 else ""
    what = f"{box['label']}{times}"
    if v is None:
        return f"{what}: {fmt_shape(box['shape'])}."
    zeros = f", {fmt_num(100 * v['zeros'], 0)}% zeros" if v["zeros"] >= 0.05 else ""
    return (f"{what} gives {fmt_shape(box['shape'])}: values from {fmt_num(v['min'])} to {fmt_num(v['max'])}, "
            f"mean {fmt_num(v['mean'])}{zeros}.")


def narration(t: ModelForwardData) -> dict[str, str]:
    name = t["model"].rpartition(":")[2]
    out = {"intro": f"{name}: {len(t['boxes']) - 1} steps, {t['params']:,} parameters. One forward pass on a "
                    f"random input of shape {fmt_shape(t['boxes'][0]['shape'])}; every number is PyTorch's."}
    for i, box in enumerate(t["boxes"][1:], 1):
        out[f"box{i}"] = describe(box)
    last = t["output"]
    shape = t["boxes"][-1]["shape"]
    flat = [v for row in last["grid"] for v in row] if last is not None else []
    if len(shape) == 2 and shape[-1] == 1 and flat:
        out["output"] = f"The output is {fmt_num(flat[0])}."
    elif len(shape) == 2 and len(flat) == shape[-1]:  # every score is in the summary
        best = max(range(len(flat)), key=flat.__getitem__)
        out["output"] = f"The output: {len(flat)} scores; the largest is number {best} ({fmt_num(flat[best])})."
    else:
        out["output"] = f"The output has shape {fmt_shape(t['boxes'][-1]['shape'])}."
    return out
