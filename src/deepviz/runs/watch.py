"""Record a user's own training loop into TensorBoard event files (TensorBoard's own writer).

>>> with deepviz.watch(model, optimizer, logdir="runs/cnn") as w:     # doctest: +SKIP
...     for x, y in loader:
...         loss = F.cross_entropy(model(x), y); loss.backward(); optimizer.step(); optimizer.zero_grad()
...         w.step(loss=loss, val_loss=...)

Every ``every``-th call (default 50) of ``step`` (and at once when a value turns NaN or inf) records: the scalars given,
the learning rate, per layer (a module holding parameters) the weight and gradient norms and the
update/weight ratio ||w_after - w_before|| / ||w_after|| of that optimizer step, and per activation module
(ReLU, GELU, ...) the output's mean, std and, for ReLUs, the fraction of dead units (a channel or feature
that is zero for every sample of the batch); with ``histograms`` also the weight, gradient and activation
histograms. Gradients and the weights before the update are taken in an optimizer step pre-hook, the
activations in forward hooks; all hooks are removed on exit.
"""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import torch
from torch import nn

from ..params import ParamError, quote_path
from . import (
    ACT_MEAN,
    ACT_STD,
    DEAD_FRAC,
    GRAD_NORM,
    LR,
    NONFINITE,
    UPDATE_RATIO,
    WEIGHT_NORM,
)

# activation modules whose outputs are recorded; the first two output exact zeros (dead units)
RELUS: tuple[type[nn.Module], ...] = (nn.ReLU, nn.ReLU6)
ACTIVATIONS: tuple[type[nn.Module], ...] = RELUS + (nn.LeakyReLU, nn.GELU, nn.ELU, nn.SiLU, nn.Tanh, nn.Sigmoid,
                                                    nn.Softplus, nn.Mish, nn.Hardtanh)
HISTOGRAM_BINS = 30  # numpy bins per histogram: small events, so a long run reads fast


def _finite(t: torch.Tensor) -> torch.Tensor:
    """The finite values of ``t``, flat (itself when all are: one min/max pass, NaN and inf propagate there)."""
    t = t.detach().reshape(-1).float()
    lo, hi = torch.aminmax(t) if t.numel() else (t.new_zeros(()), t.new_zeros(()))
    return t if math.isfinite(float(lo)) and math.isfinite(float(hi)) else t[torch.isfinite(t)]


def _norm(tensors: list[torch.Tensor]) -> float:
    return float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(t.detach().float()) for t in tensors])))


def _nonfinite(tensors: list[torch.Tensor]) -> int:
    return sum(int((~torch.isfinite(t)).sum()) for t in tensors if not bool(torch.isfinite(t).all()))


class Watch:
    """The recorder that :func:`deepviz.watch` returns; use it as a context manager and call :meth:`step`."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer | None = None,
                 logdir: str | Path = "runs/run", every: int = 50, histograms: bool = True):
        if not isinstance(model, nn.Module):
            raise ParamError("model", f"must be a torch.nn.Module, got {type(model).__name__}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ParamError("every", f"must be a whole number of steps >= 1, got {every!r}")
        if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
            raise ParamError("optimizer", f"must be a torch.optim.Optimizer or None, got {type(optimizer).__name__}")
        self.layers = {name or "model": m for name, m in model.named_modules()
                       if any(True for _ in m.parameters(recurse=False))}
        if not self.layers:
            raise ParamError("model", f"{type(model).__name__} has no parameters to watch")
        self.activations = {name: m for name, m in model.named_modules() if isinstance(m, ACTIVATIONS)}
        path = Path(logdir)
        if path.exists() and not path.is_dir():
            raise ParamError("logdir", f"{quote_path(path)} is a file; name a folder")
        self.logdir, self.model, self.optimizer = path, model, optimizer
        self.every, self.histograms = every, histograms
        self.steps = 0  # calls of step() so far: the next call records step number `steps`
        self.nonfinite_step: int | None = None  # the first step where a value was NaN or inf
        self._writer = None
        self._handles: list = []
        self._before: dict[str, list[torch.Tensor]] = {}  # weights before this step's update
        self._grads: dict[str, list[torch.Tensor]] = {}
        self._acts: dict[str, torch.Tensor] = {}
        self.listeners: list = []  # called as f(step, scalars) after each recorded step (a notebook chart)

    # -- context manager -------------------------------------------------------------------------
    def __enter__(self) -> Watch:
        from torch.utils.tensorboard import SummaryWriter  # tensorboard loads only when a run is recorded

        from .crc import use_fast_crc

        use_fast_crc()

        try:
            self._writer = SummaryWriter(str(self.logdir), flush_secs=1)  # flushed each second: the page is live
        except OSError as err:
            raise ParamError("logdir", f"cannot write {quote_path(self.logdir)}: {err.strerror or err}") from None
        self._arm()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Remove every hook and flush and close the event file (``__exit__`` does this)."""
        self._disarm()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    @property
    def recording(self) -> bool:
        """Whether the next :meth:`step` is recorded (compute a costly validation loss only then)."""
        return self._recording()

    # -- hooks: present only during a step that is recorded (a hooked module's call costs more) --------
    def _recording(self) -> bool:
        return self.steps % self.every == 0

    def _arm(self) -> None:
        for name, m in self.activations.items():
            self._handles.append(m.register_forward_hook(self._activation_hook(name)))
        if self.optimizer is not None:
            self._handles.append(self.optimizer.register_step_pre_hook(self._before_update))

    def _disarm(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def _activation_hook(self, name: str):
        def hook(module, inputs, output):
            # the training forward pass; a validation pass under no_grad is left out
            if torch.is_grad_enabled() and isinstance(output, torch.Tensor):
                self._acts[name] = output.detach()
        return hook

    def _before_update(self, optimizer, args, kwargs) -> None:
        with torch.no_grad():
            for name, m in self.layers.items():
                params = list(m.parameters(recurse=False))
                self._before[name] = [p.detach().clone() for p in params]
                self._grads[name] = [p.grad.detach().clone() for p in params if p.grad is not None]

    def chart(self, theme: str = "light"):
        """A live chart of the recorded scalars for a Jupyter cell (ipywidgets): it redraws at each
        recorded step. Displaying the recorder in a cell shows it too."""
        from ..notebook import ScalarChart

        chart = ScalarChart(theme)
        self.listeners.append(chart.add)
        return chart.widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.chart())

    # -- the user's call -------------------------------------------------------------------------
    def step(self, **scalars) -> None:
        """Record this training step: any named scalars (floats or one-element tensors), e.g. ``loss=loss``."""
        if self._writer is None:
            raise RuntimeError("deepviz.watch: step() outside the `with` block (the run is closed)")
        values = {}
        for key, v in scalars.items():
            try:
                values[key] = float(v.detach() if isinstance(v, torch.Tensor) else v)
            except (TypeError, ValueError, RuntimeError):
                raise ParamError(key, f"must be a number or a one-element tensor, got {type(v).__name__}") from None
        bad = [k for k, v in values.items() if not math.isfinite(v)]
        if bad and self.nonfinite_step is None:
            self._note_nonfinite(", ".join(bad))
        if self._recording() or bad:
            with torch.no_grad():
                self._record(values, len(bad))
            for listener in self.listeners:
                listener(self.steps, values)
        self.steps += 1
        for held in (self._before, self._grads, self._acts):
            held.clear()
        if self._handles and not self._recording():
            self._disarm()
        elif not self._handles and self._recording():
            self._arm()

    def _note_nonfinite(self, what: str) -> None:
        self.nonfinite_step = self.steps
        warnings.warn(f"deepviz.watch: {what} became NaN or inf at step {self.steps} ({self.logdir})", stacklevel=3)

    def _record(self, values: dict[str, float], nonfinite: int) -> None:
        from torch.utils.tensorboard.summary import histogram_raw, scalar

        out: list = []  # the step's summary values, written as one event (one queue hand-off, not dozens)

        def add(tag: str, value: float) -> None:
            out.extend(scalar(tag, value).value)

        for key, v in values.items():
            add(key, v)
        if self.optimizer is not None:
            for i, group in enumerate(self.optimizer.param_groups):
                add(LR if i == 0 else f"{LR}/group{i}", float(group["lr"]))
        histograms: list[tuple[str, list[torch.Tensor]]] = []
        for name, m in self.layers.items():
            params = [p.detach() for p in m.parameters(recurse=False)]
            grads = self._grads.get(name) or [p.grad.detach() for p in m.parameters(recurse=False)
                                              if p.grad is not None]
            nonfinite += _nonfinite(params + grads)
            weight_norm = _norm(params)
            add(f"{WEIGHT_NORM}/{name}", weight_norm)
            if grads:
                add(f"{GRAD_NORM}/{name}", _norm(grads))
            if name in self._before:
                update = _norm([p - b for p, b in zip(params, self._before[name])])
                add(f"{UPDATE_RATIO}/{name}", update / weight_norm if weight_norm > 0 else math.inf)
            histograms.append((f"weights/{name}", params))
            if grads:
                histograms.append((f"grads/{name}", grads))
        for name, act in self._acts.items():
            std, mean = torch.std_mean(act.float())
            if not (math.isfinite(std) and math.isfinite(mean)):  # rare: then the finite values only
                flat = _finite(act)
                std, mean = torch.std_mean(flat) if flat.numel() > 1 else (torch.tensor(0.0), torch.tensor(0.0))
            add(f"{ACT_MEAN}/{name}", float(mean))
            add(f"{ACT_STD}/{name}", float(std))
            if isinstance(self.activations[name], RELUS) and act.dim() >= 1:
                units = act.unsqueeze(1) if act.dim() == 1 else act  # (batch, units, ...)
                alive = (units > 0).transpose(0, 1).reshape(units.shape[1], -1).any(dim=1)
                add(f"{DEAD_FRAC}/{name}", 1.0 - float(alive.float().mean()))
            histograms.append((f"activations/{name}", [act]))
        if nonfinite and self.nonfinite_step is None:
            self._note_nonfinite("a weight or gradient")
        add(NONFINITE, float(nonfinite))
        if self.histograms:
            for tag, tensors in histograms:
                flat = torch.cat([_finite(t) for t in tensors]) if len(tensors) > 1 else _finite(tensors[0])
                if flat.numel():  # NaN and inf have no bucket: left out above
                    counts, edges = torch.histogram(flat, bins=HISTOGRAM_BINS)
                    lo, hi = torch.aminmax(flat)
                    out.extend(histogram_raw(tag, float(lo), float(hi), flat.numel(),
                                             float(flat.sum()), float(flat.dot(flat)), edges[1:].tolist(),
                                             counts.tolist()).value)
        assert self._writer is not None
        from tensorboard.compat.proto.summary_pb2 import Summary  # type: ignore[attr-defined]  # generated protobuf

        self._writer._get_file_writer().add_summary(Summary(value=out), self.steps)


def watch(model: nn.Module, optimizer: torch.optim.Optimizer | None = None, logdir: str | Path = "runs/run",
          every: int = 50, histograms: bool = True) -> Watch:
    """A :class:`Watch` over ``model`` (and ``optimizer``) writing TensorBoard event files into ``logdir``."""
    return Watch(model, optimizer, logdir=logdir, every=every, histograms=histograms)
