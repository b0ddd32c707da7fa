"""The shape of a `gan` trace's data (docs/traces/gan.md): no torch, no Manim.

Points are [x, y] in the data plane; a decision map is HEAT x HEAT [row][column], rows from the top.
"""
from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict


class Snapshot(TypedDict):
    """`data.snapshots[n]`: G and D after `iteration` iterations."""

    iteration: int
    fake: list[list[float]]  # G(noise): the shown generated samples
    decision: list[list[float]]  # D on the grid: sigmoid of its logit (log losses) or its output (least squares)
    gradient: list[list[float]]  # d(G's loss)/d(sample) at the first ARROWS samples, times the batch size
    manifold: list[list[list[float]]]  # G of each noise line: lines x points x 2
    coverage: list[float]  # share of the samples near each mode's centre (within half the gap to the next)
    modes_covered: int  # modes with at least 5 % of the samples near their centre


class FirstStep(TypedDict):
    """`data.first_step`: iteration 1 split into D's step and G's."""

    d_loss_before: float  # D's loss on iteration 1's batch, before its update
    d_loss_after: float  # the same batch, after
    decision_after: list[list[float]]  # D's decision map after its update
    gradient: list[list[float]]  # d(G's loss)/d(sample) through the updated D, at the first samples of snapshot 0
    g_loss: float  # G's loss in its first step (on its training batch)


class GanData(TypedDict):
    """`data`."""

    loss: Literal["non-saturating", "saturating", "least-squares"]
    iterations: int
    g_steps: int
    modes: int
    hidden: int
    batch: int
    lr: float
    betas: list[float]
    radius: float  # of the ring of real data
    std: float  # spread of each Gaussian
    half: float  # the plane shown is [-half, half]^2
    real: list[list[float]]  # real samples shown
    noise: list[list[float]]  # the shown noise vectors z (fixed across snapshots)
    snapshots: list[Snapshot]
    first_step: FirstStep
    losses: list[list[float]]  # [D's loss, G's loss (its first step)] at every iteration
    noise_span: float  # the manifold's noise square is [-noise_span, noise_span]^2
    noise_grid: list[list[list[float]]]  # the lines of that square G maps to each snapshot's manifold: lines x points x 2


DATA = GanData  # the type of Trace.data (the contract test checks every preset against it)
