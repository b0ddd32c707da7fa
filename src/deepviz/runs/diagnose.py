"""What went wrong in a run: the checks practitioners run by hand, each with the step it began and a suggestion.

One module, used by ``deepviz runs diagnose``, the runs page and the video. It reads the series that
:mod:`deepviz.runs.watch` records (any TensorBoard run with a ``loss`` tag gets the loss checks):

- divergence: a loss (or a weight or gradient) became NaN or inf;
- exploding gradients: a layer's gradient norm grew to more than ``EXPLODE`` times its first value;
- vanishing gradients: a layer's gradient norm stayed below ``VANISH`` times the largest layer's;
- dead ReLUs: at least ``DEAD`` of a ReLU layer's units output zero for a whole batch, to the end;
- plateau: the loss stayed within ``FLAT`` of one value for ``PLATEAU_SPAN`` of the run, well above zero;
- overfitting: the validation loss rose ``OVERFIT`` above its minimum while the training loss kept falling;
- update/weight ratio: over the second half of the run, a layer's median ||update|| / ||weight|| was
  above ``RATIO_HIGH`` or below ``RATIO_LOW`` (Karpathy's rule of thumb: about 1e-3).

Thresholds sit far from the good run's values (examples/good.py) so a healthy run gets no finding.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import median

from . import DEAD_FRAC, GRAD_NORM, NONFINITE, UPDATE_RATIO, split_tag

EXPLODE = 1000.0
VANISH = 1e-4
DEAD = 0.75
FLAT, PLATEAU_SPAN, UNLEARNED = 0.03, 0.3, 0.5
OVERFIT = 0.15
RATIO_HIGH, RATIO_LOW = 2e-2, 1e-5
MIN_RECORDS = 3  # a finding holds for at least this many recorded steps (one noisy record is no finding)
SMOOTH = 5  # records in the running median the loss checks look at

Series = tuple[list[int], list[float]]


@dataclass(frozen=True)
class Finding:
    kind: str  # divergence, exploding-gradients, vanishing-gradients, dead-relu, plateau, overfitting, update-ratio
    step: int  # the step it began
    layer: str | None
    message: str
    suggestion: str

    def line(self) -> str:
        where = f" in {self.layer}" if self.layer else ""
        return f"step {self.step:>6d}  {self.kind}{where}: {self.message}. {self.suggestion}"

    def to_json(self) -> dict:
        return asdict(self)


def _running_median(values: list[float], k: int = SMOOTH) -> list[float]:
    return [median(values[max(0, i - k + 1):i + 1]) for i in range(len(values))]


def _finite(series: Series) -> Series:
    pairs = [(s, v) for s, v in zip(*series) if math.isfinite(v)]
    return [s for s, _ in pairs], [v for _, v in pairs]


def _held_from(values: list[float], ok) -> int | None:
    """The first index from which ``ok(value)`` holds to the end, for at least MIN_RECORDS values."""
    start = len(values)
    while start > 0 and ok(values[start - 1]):
        start -= 1
    return start if len(values) - start >= MIN_RECORDS else None


def _layers(scalars: dict[str, Series], stat: str) -> dict[str, Series]:
    return {parts[1]: s for tag, s in scalars.items() if (parts := split_tag(tag)) and parts[0] == stat}


def _loss_tags(scalars: dict[str, Series]) -> tuple[str | None, str | None]:
    names = [t for t in scalars if "loss" in t.lower() and split_tag(t) is None]
    val = next((t for t in names if "val" in t.lower() or "test" in t.lower()), None)
    train = "loss" if "loss" in scalars else next((t for t in names if t != val), None)
    return train, val


def divergence(scalars: dict[str, Series]) -> list[Finding]:
    first = None
    for tag, (steps, values) in scalars.items():
        bad = [s for s, v in zip(steps, values)
               if (tag == NONFINITE and v > 0) or ("loss" in tag.lower() and not math.isfinite(v))]
        if bad and (first is None or bad[0] < first[0]):
            first = (bad[0], tag)
    if first is None:
        return []
    what = "weights or gradients" if first[1] == NONFINITE else first[1]
    return [Finding("divergence", first[0], None, f"{what} became NaN or inf",
                    "Lower the learning rate, clip gradients (torch.nn.utils.clip_grad_norm_), check the data "
                    "for NaN or inf.")]


def exploding(scalars: dict[str, Series]) -> list[Finding]:
    out = []
    for layer, (steps, values) in _layers(scalars, GRAD_NORM).items():
        if not values or not values[0] > 0:
            continue
        hit = next((i for i, v in enumerate(values) if not math.isfinite(v) or v > EXPLODE * values[0]), None)
        if hit is not None:
            out.append(Finding("exploding-gradients", steps[hit], layer,
                               f"the gradient norm grew from {values[0]:.3g} to {values[hit]:.3g}",
                               "Lower the learning rate, clip gradients, or add normalisation (BatchNorm, LayerNorm)."))
    return out


def _held_layers(layers: dict[str, Series], ok, measure=None):
    """(layer, steps, values, start) for each layer whose ``measure`` (default: the values) holds ``ok`` to the end."""
    for layer, (steps, values) in layers.items():
        start = _held_from(measure(steps, values) if measure else values, ok)
        if start is not None:
            yield layer, steps, values, start


def vanishing(scalars: dict[str, Series]) -> list[Finding]:
    layers = _layers(scalars, GRAD_NORM)
    if len(layers) < 2:
        return []
    by_step: dict[int, float] = {}
    for steps, values in layers.values():
        for s, v in zip(steps, values):
            if math.isfinite(v):
                by_step[s] = max(by_step.get(s, 0.0), v)

    def relative(steps, values):
        return [v / by_step[s] if by_step.get(s) else 1.0 for s, v in zip(steps, values)]

    return [Finding("vanishing-gradients", steps[start], layer,
                    f"its gradient norm is {values[start]:.2g}, under {VANISH:g} of the largest layer's",
                    "Change the initialisation (He/Kaiming for ReLU), add normalisation or skip connections; "
                    "check for dead ReLUs before it.")
            for layer, steps, values, start in _held_layers(layers, lambda r: r < VANISH, relative)]


def dead_relus(scalars: dict[str, Series]) -> list[Finding]:
    return [Finding("dead-relu", steps[start], layer,
                    f"{values[-1]:.0%} of its units output zero for every input of a batch",
                    "Change the initialisation (He/Kaiming, biases at zero), lower the learning rate, or use "
                    "LeakyReLU.")
            for layer, steps, values, start in _held_layers(_layers(scalars, DEAD_FRAC), lambda v: v >= DEAD)]


def plateau(scalars: dict[str, Series]) -> list[Finding]:
    train, _ = _loss_tags(scalars)
    if train is None:
        return []
    steps, values = _finite(scalars[train])
    if len(values) < 2 * SMOOTH or not values[0] > 0:
        return []
    smooth = _running_median(values)
    hi, lo = smooth[:], smooth[:]  # the largest and smallest value from each record to the end: one pass
    for i in range(len(smooth) - 2, -1, -1):
        hi[i], lo[i] = max(smooth[i], hi[i + 1]), min(smooth[i], lo[i + 1])
    for i, level in enumerate(smooth):
        if steps[-1] - steps[i] < PLATEAU_SPAN * (steps[-1] - steps[0]):
            break
        if level > UNLEARNED * values[0] and max(hi[i] - level, level - lo[i]) < FLAT * values[0]:
            return [Finding("plateau", steps[i], None,
                            f"{train} stayed at {level:.3g} from step {steps[i]} to {steps[-1]} "
                            f"(it began at {values[0]:.3g})",
                            "Raise the learning rate or change the initialisation; check that the labels match "
                            "the inputs.")]
    return []


def overfitting(scalars: dict[str, Series]) -> list[Finding]:
    train, val = _loss_tags(scalars)
    if train is None or val is None:
        return []
    vs, vv = _finite(scalars[val])
    if len(vv) < 2 * SMOOTH:
        return []
    smooth = _running_median(vv)
    m = min(range(len(smooth)), key=smooth.__getitem__)
    rise = smooth[-1] - smooth[m]
    ts, tv = _finite(scalars[train])
    t_smooth = _running_median(tv)
    at_min = next((t_smooth[i] for i in range(len(ts) - 1, -1, -1) if ts[i] <= vs[m]), None)
    if at_min is None or rise <= OVERFIT * max(smooth[m], 1e-3) or not t_smooth[-1] < at_min:
        return []
    return [Finding("overfitting", vs[m], None,
                    f"{val} rose from {smooth[m]:.3g} to {smooth[-1]:.3g} while {train} fell from {at_min:.3g} "
                    f"to {t_smooth[-1]:.3g}",
                    f"Stop at step {vs[m]} (early stopping), add weight decay, dropout or data augmentation; "
                    "check the labels.")]


def update_ratios(scalars: dict[str, Series], vanished: set[str]) -> list[Finding]:
    out = []
    for layer, (steps, values) in _layers(scalars, UPDATE_RATIO).items():
        steps, values = _finite((steps, values))
        half = len(values) // 2
        if layer in vanished or len(values) - half < MIN_RECORDS:
            continue
        level = median(values[half:])
        for high, bad in ((True, level > RATIO_HIGH), (False, level < RATIO_LOW)):
            if not bad:
                continue
            smooth = _running_median(values)
            start = _held_from(smooth, (lambda v: v > RATIO_HIGH) if high else (lambda v: v < RATIO_LOW))
            start = half if start is None else min(start, half)
            out.append(Finding("update-ratio", steps[start], layer,
                               f"each update moves the weights by {level:.2g} of their norm (about 1e-3 is healthy)",
                               "Lower the learning rate." if high else "Raise the learning rate (or check that this "
                                                                       "layer is meant to learn)."))
    return out


def diagnose(scalars: dict[str, Series]) -> list[Finding]:
    """Every finding in one run's scalars (tag -> (steps, values)), ordered by the step it began."""
    found = divergence(scalars) + exploding(scalars) + dead_relus(scalars)
    vanished = vanishing(scalars)
    found += vanished + plateau(scalars) + overfitting(scalars)
    found += update_ratios(scalars, {f.layer for f in vanished if f.layer})
    return sorted(found, key=lambda f: (f.step, f.kind, f.layer or ""))
