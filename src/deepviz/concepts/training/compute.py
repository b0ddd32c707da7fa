"""One TensorBoard run, read with TensorBoard's own reader and diagnosed: params -> Trace.

    read        deepviz.runs.logdir.read_logdir (TensorBoard's event_file_loader): every scalar and histogram
    curves      the run's own scalars (the losses), finite points as written, and TensorBoard's smoothing:
                the debiased exponential moving average s_t = (w s_{t-1} + (1 - w) v_t) / (1 - w^t)
    gradients   log10 of each layer's recorded gradient norm (grad_norm/LAYER), floored at LOG_FLOOR
    histogram   KIND/LAYER snapshots, at most SNAPSHOTS evenly spread over the run, bucket edges and counts
    findings    deepviz.runs.diagnose.diagnose on the run's scalars, as they are
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, cast

import torch

from ...params import ParamError, quote
from ...runs import GRAD_NORM, LR, NONFINITE, split_tag
from ...runs.diagnose import diagnose
from ...runs.logdir import Histogram, Run, read_logdir
from ...trace import Trace, to_plain
from .schema import TrainingData

LOG_FLOOR = 1e-12  # a gradient norm of exactly 0 (a dead layer) is drawn at this
SNAPSHOTS = 12  # histogram frames of the evolving histogram
MAX_CURVES = 3  # scalar curves on the loss plot
LOG_SPAN = 20.0  # curves whose values span more than this factor are plotted on a log scale
MAX_FINDINGS = 4  # findings the video captions one by one (the rest are counted)
CURVE_ROLES = ("input", "output", "series4")  # colour roles of the curves, in order
HISTOGRAM_ROLES = {"weights": "weight", "grads": "gradient", "activations": "output"}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    run, shown = pick_run(values["logdir"], values["run"])
    curves: list[dict[str, Any]] = [curve(tag, *run.scalars[tag], values["smoothing"]) | {"role": role}
              for tag, role in zip(curve_tags(run.scalars), CURVE_ROLES)]
    if not curves:
        raise ParamError("logdir", f"run {quote(run.name)} records no scalar such as a loss")
    findings = [f.to_json() for f in diagnose(run.scalars)]
    steps = [s for c in curves for s in (c["steps"] + c["nonfinite"])]
    log_y = log_scale([v for c in curves for v in c["values"].tolist()])
    for c in curves:  # the plotted y: log10 of the values when they span decades
        c["plot"], c["plot_smooth"] = ((torch.log10(c["values"]), torch.log10(c["smooth"])) if log_y
                                       else (c["values"], c["smooth"]))
    data: dict[str, Any] = {
        "logdir": shown, "run": run.name, "first_step": min(steps), "last_step": max(steps),
        "curves": curves, "log_y": log_y,
        "y_range": value_range([v for c in curves for v in c["plot"].tolist() + c["plot_smooth"].tolist()]),
        "smoothing": values["smoothing"], "gradients": gradients(run.scalars),
        "histogram": histogram(run.histograms, values["histogram"], values["layer"], findings),
        "findings": findings[:MAX_FINDINGS], "more_findings": max(0, len(findings) - MAX_FINDINGS),
    }
    plain: TrainingData = to_plain(data)
    return Trace(concept="training", params={}, data=plain, narration=narration(cast(dict[str, Any], plain)), preset=preset)


def pick_run(logdir: str, name: str) -> tuple[Run, str]:
    """The run to show and how the video names its logdir (the example run, or the folder's name)."""
    if logdir:
        root, shown = Path(logdir), Path(logdir).name or logdir
    else:
        from .example import example_logdir

        root, shown = example_logdir(), "the example run"
    # TensorBoard's reader logs each folder walk at INFO, which Manim's root handler prints during a render
    logging.getLogger("tensorboard").setLevel(logging.WARNING)
    runs = [r for r in read_logdir(root) if r.scalars]
    if not runs:
        raise ParamError("logdir", f"{quote(shown)} holds histograms but no scalars to draw")
    if not name:
        return runs[0], shown
    found = next((r for r in runs if r.name == name), None)
    if found is None:
        raise ParamError("run", f"no run {quote(name)} in {quote(shown)}; its runs: "
                                + ", ".join(r.name for r in runs[:10]))
    return found, shown


def curve_tags(scalars: dict[str, tuple[list[int], list[float]]]) -> list[str]:
    """The run's own scalars (losses first), not the per-layer statistics nor the learning rate."""
    own = [t for t in scalars if split_tag(t) is None and t != NONFINITE and t.split("/")[0] != LR]
    losses = [t for t in own if "loss" in t.lower()]
    return (losses or own)[:MAX_CURVES]


def smooth(values: torch.Tensor, weight: float) -> torch.Tensor:
    """TensorBoard's scalar smoothing: a debiased exponential moving average."""
    out = torch.empty_like(values)
    last = torch.zeros((), dtype=values.dtype)
    for i, v in enumerate(values):
        last = weight * last + (1 - weight) * v
        out[i] = last / (1 - weight ** (i + 1))
    return out


def curve(tag: str, steps: list[int], values: list[float], weight: float) -> dict[str, Any]:
    v = torch.tensor(values, dtype=torch.float64)
    ok = torch.isfinite(v)
    s = torch.tensor(steps)
    return {"tag": tag, "steps": s[ok].tolist(), "values": v[ok], "smooth": smooth(v[ok], weight),
            "nonfinite": s[~ok].tolist()}


def log_scale(values: list[float]) -> bool:
    """Plot on a log scale when every value is positive and they span more than LOG_SPAN."""
    return bool(values) and min(values) > 0 and max(values) > LOG_SPAN * min(values)


def value_range(values: list[float]) -> list[float]:
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = 0.05 * (hi - lo) if hi > lo else 0.5 * max(abs(hi), 1.0)
    return [lo - pad, hi + pad]


def gradients(scalars: dict[str, tuple[list[int], list[float]]]) -> dict[str, Any]:
    layers = [(parts[1], scalars[t]) for t in scalars if (parts := split_tag(t)) and parts[0] == GRAD_NORM]
    series = []
    for _, (steps, values) in layers:
        v = torch.tensor(values, dtype=torch.float64)
        ok = torch.isfinite(v)
        series.append({"steps": torch.tensor(steps)[ok].tolist(),
                       "log10": torch.log10(v[ok].clamp_min(LOG_FLOOR))})
    logs = [x for s in series for x in s["log10"].tolist()]
    return {"layers": [name for name, _ in layers], "roles": [f"series{k}" for k in range(len(layers))],
            "series": series,
            "y_range": value_range(logs) if logs else [0.0, 1.0]}


def histogram(histograms: dict[str, list[Histogram]], kind: str, layer: str,
              findings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Snapshots of one layer's KIND histogram: ``layer``, else the first finding's layer that has one, else the
    first layer recorded; None when the run holds no such histogram."""
    tags = [t for t in histograms if t.split("/", 1)[0] == kind]
    if layer:
        if f"{kind}/{layer}" not in histograms:
            raise ParamError("layer", f"the run holds no {kind} histogram of layer {quote(layer)}; it holds: "
                                      + (", ".join(t.split("/", 1)[1] for t in tags[:10]) or "none"))
        tag = f"{kind}/{layer}"
    else:
        wanted = [f"{kind}/{f['layer']}" for f in findings if f["layer"]]
        tag = next((t for t in wanted if t in histograms), tags[0] if tags else None)
    if tag is None:
        return None
    finite = [h for h in histograms[tag] if math.isfinite(h.lo) and math.isfinite(h.hi) and sum(h.counts) > 0]
    if not finite:
        return None
    idx = sorted({round(k * (len(finite) - 1) / max(1, SNAPSHOTS - 1)) for k in range(SNAPSHOTS)})
    # TensorBoard's writers may end the last bucket at +-DBL_MAX: the edges are clamped to the data's min and max
    snaps = [{"step": h.step, "edges": [h.lo, *(min(max(e, h.lo), h.hi) for e in h.limits)], "counts": h.counts,
              "max_count": max(h.counts), "x_range": value_range([h.lo, h.hi])} for h in (finite[i] for i in idx)]
    return {"tag": tag, "kind": kind, "role": HISTOGRAM_ROLES[kind], "layer": tag.split("/", 1)[1],
            "snapshots": snaps}


# -- narration ----------------------------------------------------------------------------------------------
def narration(d: dict[str, Any]) -> dict[str, str]:
    names = " and ".join(f"{c['tag']} ({{color:{c['role']}}})" for c in d["curves"])
    g = d["gradients"]
    out = {
        "run": f"Run {d['run']} of {d['logdir']}: steps {d['first_step']} to {d['last_step']}, read from its "
               "TensorBoard event files.",
        "curves": f"The run's {names} as recorded, thin; bold, TensorBoard's smoothing "
                  f"({d['smoothing']:g}).",
    }
    if d["gradients"]["layers"]:
        layers = ", ".join(f"{name} ({{color:{role}}})" for name, role in zip(g["layers"], g["roles"]))
        out["gradients"] = f"Each layer's gradient norm per recorded step, on a log scale: {layers}."
    h = d["histogram"]
    if h:
        out["histogram"] = (f"The histogram of layer {h['layer']}'s {h['kind']} ({{color:{h['role']}}}), from "
                            f"step {h['snapshots'][0]['step']} to step {h['snapshots'][-1]['step']}.")
    for k, f in enumerate(d["findings"]):
        where = f" in {f['layer']}" if f["layer"] else ""
        out[f"finding{k}"] = (f"Step {f['step']} ({{color:highlight}} line {k + 1}): {f['kind']}{where}. "
                              f"{f['suggestion']}")
    shown, n = len(d["findings"]), len(d["findings"]) + d["more_findings"]
    more = f"; the first {shown} are marked, 'deepviz runs diagnose' lists them all" if d["more_findings"] else ""
    out["end"] = (f"The diagnosis found {n} problem{'s' if n != 1 else ''}{more}." if n else
                  "The diagnosis found nothing wrong: no divergence, dead units, plateau or overfitting.")
    return out
