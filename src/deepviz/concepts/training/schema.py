"""The shape of a `training` trace's data (docs/traces/training.md): no torch, no Manim.

One TensorBoard run: its scalar curves, each layer's gradient norm, one layer's histogram over steps, and the
diagnosis of deepviz.runs.diagnose.
"""
from __future__ import annotations

from typing import Optional

from typing_extensions import TypedDict


class Curve(TypedDict):
    """`data.curves[k]`: one scalar tag as written (finite values) and smoothed."""

    tag: str
    role: str  # its colour role
    steps: list[int]
    values: list[float]
    smooth: list[float]  # TensorBoard's debiased exponential moving average of values
    nonfinite: list[int]  # steps whose value was NaN or inf
    plot: list[float]  # the plotted y of values: log10 of them when data.log_y
    plot_smooth: list[float]


class GradSeries(TypedDict):
    steps: list[int]
    log10: list[float]  # log10 of the gradient norm, floored at 1e-12


class Gradients(TypedDict):
    layers: list[str]
    roles: list[str]  # each layer's colour role (series0, series1, ...)
    series: list[GradSeries]
    y_range: list[float]


class Snapshot(TypedDict):
    step: int
    edges: list[float]  # bucket edges, one more than counts
    counts: list[float]
    max_count: float
    x_range: list[float]  # the plot's x window: edges[0] to edges[-1] with a little room


class Histogram(TypedDict):
    tag: str
    kind: str  # weights, grads or activations
    role: str  # its colour role: weight, gradient or output
    layer: str
    snapshots: list[Snapshot]  # each drawn on its own x range


class Finding(TypedDict):
    kind: str
    step: int
    layer: Optional[str]
    message: str
    suggestion: str


class TrainingData(TypedDict):
    logdir: str  # the logdir's folder name, or "the example run"
    run: str
    first_step: int
    last_step: int
    curves: list[Curve]
    log_y: bool  # the curves' plotted y is log10 of their values
    y_range: list[float]  # of the plotted y
    smoothing: float
    gradients: Gradients
    histogram: Optional[Histogram]
    findings: list[Finding]
    more_findings: int


DATA = TrainingData
