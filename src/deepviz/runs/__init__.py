"""Training runs: record a user's own training (:mod:`.watch`), read any TensorBoard logdir (:mod:`.logdir`),
and say what went wrong (:mod:`.diagnose`).

The tag names below are the one contract between the writer, the reader, the diagnosis, the CLI and the
runs page. Per-layer statistics are scalars tagged ``STAT/LAYER`` (TensorBoard groups them by STAT);
histograms are tagged ``KIND/LAYER``. This module is light: torch and tensorboard load in the submodules.
"""
from __future__ import annotations

LR = "lr"  # the optimizer's learning rate (``lr/group1``... for further parameter groups)
NONFINITE = "watch/nonfinite"  # how many values were NaN or inf (scalars, weights, gradients) at a recorded step
# per-layer statistics, one scalar tag each: STAT/LAYER
WEIGHT_NORM, GRAD_NORM, UPDATE_RATIO = "weight_norm", "grad_norm", "update_ratio"
ACT_MEAN, ACT_STD, DEAD_FRAC = "act_mean", "act_std", "dead_frac"
LAYER_STATS = (WEIGHT_NORM, GRAD_NORM, UPDATE_RATIO, ACT_MEAN, ACT_STD, DEAD_FRAC)
# histograms: KIND/LAYER
HISTOGRAM_KINDS = ("weights", "grads", "activations")


def split_tag(tag: str) -> tuple[str, str] | None:
    """``("grad_norm", "conv1")`` for a per-layer tag, ``None`` for any other scalar."""
    stat, sep, layer = tag.partition("/")
    return (stat, layer) if sep and (stat in LAYER_STATS or stat in HISTOGRAM_KINDS) and layer else None
