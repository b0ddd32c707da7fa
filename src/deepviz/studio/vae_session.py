"""The GAN page's VAE / autoencoder mode on the studio's session machinery: its settings (schema at
``GET /api/vae/schema``), its frames, and its session (socket ``/ws/vae``). It keeps no tape and exports the
weights only; play, step, speed and the NaN guard are the playground's."""
from __future__ import annotations

import io
from dataclasses import asdict
from functools import cache
from typing import Annotated, Any, Literal, Union

import torch
from pydantic import Field, TypeAdapter

from . import protocol
from .gan_protocol import RealData, _round, check
from .protocol import Export, Pause, Play, Reset, Restore, Speed, View, _Strict, schema_of
from .run_session import RunSession
from .vae import DATA, LIVE, MODELS, VaeConfig, VaeRun
from .workers import download


class VaeSettings(RealData):
    """Every setting of the VAE mode (one field per field of ``vae.VaeConfig``)."""

    distribution: Literal[DATA] | None = Field(None, description="real data")  # type: ignore[valid-type]
    model: Literal[MODELS] | None = Field(None, description="model")  # type: ignore[valid-type]
    layers: int | None = Field(None, ge=0, le=5, description="hidden layers (each network)")
    units: int | None = Field(None, ge=1, le=100, description="units per layer")
    beta: float | None = Field(None, ge=0, le=10, description="KL weight β")
    lr: float | None = Field(None, gt=0, le=1, description="learning rate (Adam)")
    batch: int | None = Field(None, ge=1, le=512, description="batch size")
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="seed")


class VaeConfigure(_Strict):
    type: Literal["configure"]
    settings: VaeSettings


class VaeStep(_Strict):
    type: Literal["step"]
    unit: Literal["iteration"] = "iteration"


VAE_MESSAGE = TypeAdapter(Annotated[Union[VaeConfigure, Play, Pause, VaeStep, Reset, Speed, Restore, View, Export],
                                    Field(discriminator="type")])


@cache
def settings_schema() -> dict[str, Any]:
    return schema_of(VaeSettings, VaeConfig(), LIVE)


def frame(run: VaeRun, history_from: int = 0) -> dict:
    view = run.view()
    return {
        "type": "frame", "mode": run.cfg.model, "iteration": run.iteration, "viewing": False,
        "losses": run.history[-1][1:], "digits": run.digits, "real": [] if run.digits else _round(run.real_eval),
        **{k: _round(v) if isinstance(v, torch.Tensor) else v for k, v in view.items()},
        "history": [[i, *(_finite(v) for v in rest)] for i, *rest in run.history[history_from:]],
        "history_from": history_from, "tape": [run.iteration, run.iteration], "live": {k: getattr(run.cfg, k) for k in sorted(LIVE)},
    }


def _finite(v: float) -> float | None:
    return v if v == v and abs(v) != float("inf") else None


class VaeSession(RunSession):
    run: VaeRun
    parse = staticmethod(lambda raw: protocol.parse(raw, VAE_MESSAGE))
    DIVERGED = ("training diverged at iteration {bad} (a loss is not finite); restored iteration {good}: "
                "lower the learning rate and play on")

    def new_run(self) -> VaeRun:
        return VaeRun(VaeConfig())

    def apply(self, msg) -> str | dict | None:
        run = self.run
        if isinstance(msg, (View, Restore)):
            return "epoch: the VAE mode keeps no tape (the GAN mode does)"
        if isinstance(msg, VaeConfigure):
            return protocol.configured(run, msg.settings, check)  # the GAN's check: the drawn data's rule
        if isinstance(msg, VaeStep):
            self.playing = False
            self.train_epoch(0.0)
        elif isinstance(msg, Reset):
            self.playing = False
            run.reset()
        elif isinstance(msg, Export):
            if msg.what != "state_dict":
                return "what: the VAE mode exports its weights only (the GAN mode also a script and an MP4)"
            buffer = io.BytesIO()
            torch.save({"encoder": run.encoder.state_dict(), "decoder": run.decoder.state_dict(),
                        "settings": asdict(run.cfg)}, buffer)
            return download(buffer.getvalue(), f"{run.cfg.model}-{run.cfg.distribution}-iteration{run.iteration}.pt",
                            "application/octet-stream")
        return None

    def frame_data(self) -> dict:
        return frame(self.run, history_from=self.history_known(self.run.history))
