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
from ...diagrams.loader import load_model, parse_input, user_code
from ...params import ParamError
from ...style.numbers import fmt_num, fmt_shape
from ...trace import Trace, to_plain
from .schema import Box, ModelForwardData

MAX_BOXES = 8  # boxes a 16:9 frame shows readably in one row
SEED_CHECK_LIMIT = 5_000_000  # parameters up to which the model is built a second time to see if its weights are random


def weights_origin(spec: str, model: torch.nn.Module, seed: int) -> str:
    """'random' when the weights depend on the seed (a fresh initialisation, untrained), 'fixed' when the
    builder sets them itself (e.g. loads trained weights), 'unknown' for a model too large to build twice."""
    params = list(model.state_dict().values())
    if not params:
        return "fixed"
    if sum(p.numel() for p in params) > SEED_CHECK_LIMIT:
        return "unknown"
    torch.manual_seed(seed + 1)
    other = list(load_model(spec, "cpu").state_dict().values())
    same = len(other) == len(params) and all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(params, other))
    return "fixed" if same else "random"


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    torch.manual_seed(values["seed"])
    model = load_model(values["model"], "cpu").eval()
    rng = torch.get_rng_state()  # the example input is drawn right after the model, as without the check
    origin = weights_origin(values["model"], model, values["seed"])
    torch.set_rng_state(rng)
    shape, dtype = parse_input(values["input"])
    try:
        with user_code(f"running {values['model']} on the example input"):
            cap = capture(model, [example(shape, dtype)], device="real", keep_values=True)
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
        "weights": origin,
        "boxes": boxes, "edges": [[index[a], index[b]] for a, b in f.edges],
        "output": boxes[-1]["values"],
    })
    return Trace(concept="model-forward", params={}, data=data, narration=narration(data), preset=preset)


WEIGHTS_NOTE = {
    "random": "Its weights are random (untrained, from the seed): the values show how data flows, not what a "
              "trained model has learned.",
    "fixed": "Its weights are the ones its builder sets (the same for every seed).",
    "unknown": "Whether its weights are trained was not checked (the model is large).",
}


def example(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """The seeded random input: normal floats, token ids from 0 to 9, or random booleans."""
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype)
    if dtype == torch.bool:
        return torch.rand(shape) < 0.5
    return torch.randint(0, 10, shape, dtype=dtype)


def describe(box: Box) -> str:
    v = box["values"]
    times = f" \u00d7{box['repeat']}" if box["repeat"] > 1 else ""
    what = f"{box['label']}{times}"
    if v is None:
        return f"{what}: {fmt_shape(box['shape'])}."
    if "channels" in v and "channel_count" in v and v["channels"]:
        shown = len(v["channels"])
        maps = (f"{v['channel_count']} feature maps" if shown == v["channel_count"]
                else f"{v['channel_count']} feature maps (the first {shown} shown)")
        what = f"{what} gives {maps}"
        return (f"{what}, {fmt_shape(box['shape'])}: values from {fmt_num(v['min'])} to {fmt_num(v['max'])}, "
                f"mean {fmt_num(v['mean'])}" + (f", {fmt_num(100 * v['zeros'], 0)}% zeros." if v["zeros"] >= 0.05
                                                 else "."))
    zeros = f", {fmt_num(100 * v['zeros'], 0)}% zeros" if v["zeros"] >= 0.05 else ""
    return (f"{what} gives {fmt_shape(box['shape'])}: values from {fmt_num(v['min'])} to {fmt_num(v['max'])}, "
            f"mean {fmt_num(v['mean'])}{zeros}.")


def narration(t: ModelForwardData) -> dict[str, str]:
    name = t["model"].rpartition(":")[2]
    out = {"intro": f"{name}: {len(t['boxes']) - 1} steps, {t['params']:,} parameters. One forward pass on a "
                    f"random input of shape {fmt_shape(t['boxes'][0]['shape'])}; every number is PyTorch's. "
                    f"{WEIGHTS_NOTE[t['weights']]}"}
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
