"""Train the tiny GPT live on the transformer page: from its seeded initial weights, with the same data,
batches, steps and Adam as the cached model (:func:`deepviz.models.tiny_gpt.fit`), in a background thread of
the tab's socket (:class:`deepviz.studio.live.LiveRun`; it stops when the tab closes), keeping the weights and
the training and held-out losses every :data:`EVERY` steps.

The page asks for the snapshots it has not seen (``since``) with the attention map of its selected block and
head for its current text; changing the text or the head asks again from 0, since every snapshot's maps are
recomputed from its weights.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..models import tiny_gpt
from . import transformer
from .live import LiveRun

EVERY = 5  # steps between snapshots
MAX_MESSAGE = 4 * 1024  # bytes


@dataclass(frozen=True)
class Snapshot:
    step: int
    state: dict[str, torch.Tensor]
    train_loss: float  # mean cross-entropy per token on every training window, nats
    held_out_loss: float  # and on the held-out text, as tiny_gpt.losses evaluates the cached model


class LiveTraining(LiveRun[Snapshot]):
    """One tab's training run of the tiny GPT."""

    name = "transformer-live-training"

    def __init__(self) -> None:
        self.steps = tiny_gpt.STEPS
        super().__init__()

    def train(self) -> None:
        model = tiny_gpt.build(len(tiny_gpt.text().vocab.words))  # seeded: the cached model's starting point

        def snapshot(step: int) -> None:
            self.keep()
            if step % EVERY == 0 or step == self.steps:
                state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                self.keep(Snapshot(step, state, *tiny_gpt.losses(model)))

        snapshot(0)
        tiny_gpt.fit(model, self.steps, after_step=snapshot)


def model_at(snap: Snapshot) -> tiny_gpt.TinyGPT:
    model = tiny_gpt.TinyGPT(tiny_gpt.load().model.config)
    model.load_state_dict(snap.state)
    return model.eval()


def weights_at(snap: Snapshot, tokens: list[str], block: int, head: int) -> torch.Tensor:
    """The attention weights (t, t) of ``block``'s ``head`` over ``tokens`` in the snapshot's model."""
    return transformer.compute(tokens, model=model_at(snap))["blocks"][block]["heads"][head]["weights"]


class TrainMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["train"]
    id: int = 0
    action: Literal["start", "poll", "stop"] = Field("poll", description="start a run, ask for news, or stop it")
    since: int = Field(0, ge=0, le=100_000, description="the snapshots the page has")
    text: str = Field("", max_length=transformer.MAX_TEXT, description="words of the model's vocabulary")
    block: int = Field(0, ge=0, le=64, description="the block whose attention is drawn")
    head: int = Field(0, ge=0, le=64, description="the head whose attention is drawn")


class Session:
    """One tab's socket: its training run, kept after it ends or stops so the page can look back."""

    def __init__(self) -> None:
        self.training: LiveTraining | None = None

    def close(self) -> None:
        if self.training is not None:
            self.training.stop()


def error(err: transformer.Refused, id: int = 0) -> dict:
    return {"type": "error", "id": id, "field": err.field, "detail": str(err)}


def _message(raw: str | bytes) -> TrainMessage:
    if len(raw) > MAX_MESSAGE:
        raise transformer.Refused("message", f"larger than {MAX_MESSAGE // 1024} KB")
    try:
        data = json.loads(raw)
        return TrainMessage.model_validate(data)
    except json.JSONDecodeError:
        raise transformer.Refused("message", "not valid JSON") from None
    except ValidationError as err:
        first = err.errors()[0]
        raise transformer.Refused(str(first["loc"][0]) if first["loc"] else "message", first["msg"]) from None


def answer(s: Session, raw: str | bytes) -> dict:
    """The reply to one socket message (never an exception: a bad message is an error frame naming the field)."""
    try:
        m = _message(raw)
        c = tiny_gpt.load().model.config
        if m.block >= c.blocks:
            raise transformer.Refused("block", f"{m.block}: the model has blocks 0..{c.blocks - 1}")
        if m.head >= c.heads:
            raise transformer.Refused("head", f"{m.head}: each block has heads 0..{c.heads - 1}")
        tokens = transformer.tokens_of(m.text)
    except transformer.Refused as err:
        return error(err)
    if m.action == "start":
        s.close()
        s.training = LiveTraining()
        s.training.thread.join(timeout=0.5)  # usually enough for step 0, the initial weights
    elif m.action == "stop":
        s.close()
    run = s.training
    if run is None:
        return {"type": "train", "id": m.id, "steps": tiny_gpt.STEPS, "running": False, "snapshots": []}
    from ..threads import one_thread

    with transformer._LOCK, one_thread():
        snaps = [{"step": snap.step, "train_loss": snap.train_loss, "held_out_loss": snap.held_out_loss,
                  "weights": transformer._json(weights_at(snap, tokens, m.block, m.head))}
                 for snap in run.since(m.since)]
    return {"type": "train", "id": m.id, "steps": run.steps, "running": run.thread.is_alive(), "error": run.error,
            "since": m.since, "tokens": tokens, "block": m.block, "head": m.head, "snapshots": snaps}
