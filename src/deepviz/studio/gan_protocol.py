"""The GAN page's messages and frames (the playground's machinery: ``protocol.py`` is the pattern).

:class:`GanSettings` is the one declaration of the GAN page's settings (names, types, ranges; defaults from
``gan.GanConfig``), served as JSON Schema at ``GET /api/gan/schema``: the page derives its URL codec and its
controls' limits from it. The page's messages are the playground's (play, pause, reset, speed, view, restore,
export) with its own ``configure`` and a ``step`` of one iteration, of D alone or of G alone.
"""
from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

import torch
from pydantic import Field, TypeAdapter

from . import gan
from .gan import DISTRIBUTIONS, LOSSES, MAX_DRAWN, MIN_DRAWN, NOISES, OPTIMIZERS, GanConfig, GanRun
from .protocol import HISTORY, Export, PageSettings, Pause, Play, Reset, Restore, Speed, View, _Strict, schema_of

Coordinate = Annotated[float, Field(ge=-1, le=1)]  # a drawn point must lie on the canvas: [-1, 1]^2
Rate = Annotated[float, Field(gt=0, le=1)]


class RealData(PageSettings):
    """The real data's settings (the GAN's and the VAE mode's): a built-in distribution or points drawn."""

    distribution: Literal[DISTRIBUTIONS] | None = Field(None, description="real data")  # type: ignore[valid-type]
    drawn: list[tuple[Coordinate, Coordinate]] | None = Field(None, max_length=MAX_DRAWN)


class GanSettings(RealData):
    """Every setting of the GAN page (one field per field of ``gan.GanConfig``); a ``description`` labels the
    control the page makes for it."""

    noise: Literal[NOISES] | None = Field(None, description="noise")  # type: ignore[valid-type]
    noise_dim: int | None = Field(None, ge=1, le=3, description="noise dimensions")
    g_layers: int | None = Field(None, ge=0, le=5, description="G hidden layers")
    g_units: int | None = Field(None, ge=1, le=100, description="G units per layer")
    d_layers: int | None = Field(None, ge=0, le=5, description="D hidden layers")
    d_units: int | None = Field(None, ge=1, le=100, description="D units per layer")
    loss: Literal[LOSSES] | None = Field(None, description="loss")  # type: ignore[valid-type]
    d_optimizer: Literal[OPTIMIZERS] | None = Field(None, description="D optimiser")  # type: ignore[valid-type]
    g_optimizer: Literal[OPTIMIZERS] | None = Field(None, description="G optimiser")  # type: ignore[valid-type]
    d_lr: Rate | None = Field(None, description="D learning rate")
    g_lr: Rate | None = Field(None, description="G learning rate")
    d_steps: int | None = Field(None, ge=1, le=10, description="D steps per iteration")
    g_steps: int | None = Field(None, ge=1, le=10, description="G steps per iteration")
    batch: int | None = Field(None, ge=1, le=512, description="batch size")
    gp_weight: float | None = Field(None, ge=0, le=100, description="gradient penalty weight")
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="seed")


class GanConfigure(_Strict):
    type: Literal["configure"]
    settings: GanSettings


class GanStep(_Strict):
    """One iteration, or one update of D alone or of G alone (slow motion sends "d" then "g")."""

    type: Literal["step"]
    unit: Literal["iteration", "d", "g"] = "iteration"


GanMessage = Annotated[Union[GanConfigure, Play, Pause, GanStep, Reset, Speed, Restore, View, Export],
                       Field(discriminator="type")]
GAN_MESSAGE = TypeAdapter(GanMessage)


def check(cfg: GanConfig) -> str | None:
    """What a whole configuration needs beyond each setting's range, as an error naming the setting."""
    if cfg.distribution == "drawn" and len(cfg.drawn) < MIN_DRAWN:
        return f"drawn: draw at least {MIN_DRAWN} points on the canvas (got {len(cfg.drawn)})"
    return None


@cache
def settings_schema() -> dict[str, Any]:
    return schema_of(GanSettings, GanConfig(), gan.LIVE)


def _round(t: torch.Tensor, digits: int = 3) -> list:
    return torch.nan_to_num(t, nan=0.0, posinf=1e3, neginf=-1e3).clamp(-1e3, 1e3).mul(10 ** digits).round() \
        .div(10 ** digits).tolist()


def frame(run: GanRun, iteration: int | None = None, history_from: int = 0) -> dict:
    """What the page draws now (or, with ``iteration``, as it was then): the real and fake points, D over
    the grid, the gradient of G's loss on each fake point, the manifold, the losses and divergences."""
    if iteration is not None and iteration != run.iteration:
        with run.viewing(iteration) as snap:
            out = frame(run, history_from=len(run.history))
        out.update(iteration=snap.iteration, viewing=True, losses=list(snap.losses))
        return out
    with torch.no_grad():
        d_map = run.discriminator_map()
    fake, grad = run.fake_and_gradients()
    last = run.history[-1]
    measured = next((h for h in reversed(run.history) if h.kl == h.kl), last)  # the latest divergences
    hist = run.history[max(history_from, len(run.history) - HISTORY):]
    return {
        "type": "frame", "iteration": run.iteration, "viewing": False,
        "losses": [last.d_loss, last.g_loss], "divergences": measured.row()[3:],
        "real": _round(run.real_eval[:gan.SHOWN]), "fake": _round(fake), "gradients": _round(-grad, 4),
        "heatmap": {"grid": gan.GRID, "values": _round(d_map.reshape(-1)),
                    "probability": run.probability},
        "manifold": [[_round(line, 3) for line in projection] for projection in run.manifold()],
        "history": [h.row() for h in hist], "history_from": history_from,
        "tape": [run.tape[0].iteration, run.tape[-1].iteration],
        "live": {k: getattr(run.cfg, k) for k in sorted(gan.LIVE)},
    }
