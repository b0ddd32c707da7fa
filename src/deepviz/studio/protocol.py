"""The playground's messages: what a page may send (validated), and the frames it receives.

:class:`Settings` is the one declaration of the playground's settings a page may change: their names, types,
allowed values and (from the engine's :class:`~deepviz.studio.engine.Config`) defaults. The page receives it
as JSON Schema (:func:`settings_schema`, ``GET /api/playground/schema``) and derives its URL codec and its
controls from it, so a new setting needs no front-end change. Client messages are pydantic models told apart
by ``type``; an invalid one is answered with an ``error`` naming the field, never by closing the connection
or a traceback. Frames carry every heatmap as bytes (0-255 for -1..1), base64-encoded, so a 100x100 output
map and every neuron's map fit in a few tens of kilobytes.
"""
from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from dataclasses import asdict, replace
from functools import cache
from typing import Annotated, Any, Literal, Union

import torch
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator
from pydantic.json_schema import GenerateJsonSchema

from .engine import (
    ACTIVATIONS,
    DATASETS,
    EXTENT,
    FEATURES,
    INITS,
    MAX_CUSTOM_POINTS,
    OPTIMIZERS,
    REGULARIZATION,
    Config,
    Playground,
    split_sizes,
)

MAX_LAYERS, MAX_WIDTH = 8, 16
MAX_MESSAGE = 256 * 1024  # bytes in a client message (a configure with 2000 drawn points is under 100 KB)
HISTORY = 2000  # loss-history entries a full frame carries (later frames carry only new ones)
Coordinate = Annotated[float, Field(ge=-EXTENT, le=EXTENT)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSettings(_Strict):
    """A page's settings message: every field optional (None leaves that setting as it is)."""

    def changes(self) -> dict:
        """The settings given, as the engine's frozen config holds them (lists as tuples)."""
        return {k: _frozen(v) for k, v in self.model_dump().items() if v is not None}


def _frozen(v: Any) -> Any:
    return tuple(_frozen(x) for x in v) if isinstance(v, (list, tuple)) else v


def configured(run: Any, settings: PageSettings, check: Callable[[Any], str | None]) -> str | None:
    """Apply a ``configure`` message's settings to ``run`` (its ``cfg`` and ``update(**changes)``), or the error
    of ``check`` on the whole new configuration, naming the setting (``run`` unchanged)."""
    changes = settings.changes()
    problem = check(replace(run.cfg, **changes))
    if problem is None:
        run.update(**changes)
    return problem


class Settings(PageSettings):
    """Every setting of the playground (one field per field of the engine's ``Config``); each message may
    change any of them. A ``description`` is the label of a control the page makes for it."""

    dataset: Literal[DATASETS] | None = None  # type: ignore[valid-type]
    noise: float | None = Field(None, ge=0, le=50)
    train_ratio: float | None = Field(None, ge=0.1, le=0.9)
    points: int | None = Field(None, ge=10, le=MAX_CUSTOM_POINTS, description="data points")
    data_seed: int | None = Field(None, ge=0, le=2**31 - 1, description="data seed")
    features: list[Literal[tuple(FEATURES)]] | None = Field(None, min_length=1)  # type: ignore[valid-type]
    hidden: list[Annotated[int, Field(ge=1, le=MAX_WIDTH)]] | None = Field(None, max_length=MAX_LAYERS)
    activation: Literal[tuple(ACTIVATIONS)] | None = None  # type: ignore[valid-type]
    learning_rate: float | None = Field(None, gt=0, le=10)
    batch_size: int | None = Field(None, ge=1, le=30)
    optimizer: Literal[OPTIMIZERS] | None = None  # type: ignore[valid-type]
    init: Literal[INITS] | None = Field(None, description="weight init")  # type: ignore[valid-type]
    regularization: Literal[REGULARIZATION] | None = None  # type: ignore[valid-type]
    reg_rate: float | None = Field(None, ge=0, le=10)
    dropout: float | None = Field(None, ge=0, lt=1, description="dropout")
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="network seed")
    formula: str | None = Field(None, max_length=200)
    custom: list[tuple[Coordinate, Coordinate, Annotated[int, Field(ge=0, le=2)]]] | None = Field(
        None, max_length=MAX_CUSTOM_POINTS)

    @field_validator("formula")
    @classmethod
    def _formula(cls, v):
        if v is not None:
            from ..expr import ExprError
            from .boundary import parse as parse_boundary

            try:
                parse_boundary(v)
            except ExprError as err:
                raise ValueError(str(err)) from None
        return v

    @field_validator("features")
    @classmethod
    def _distinct(cls, v):
        if v is not None and len(set(v)) != len(v):
            raise ValueError("each feature at most once")
        return v


class Configure(_Strict):
    type: Literal["configure"]
    settings: Settings


class Play(_Strict):
    type: Literal["play"]


class Pause(_Strict):
    type: Literal["pause"]


class Step(_Strict):
    type: Literal["step"]
    unit: Literal["epoch", "batch"] = "epoch"


class Reset(_Strict):
    type: Literal["reset"]


class Speed(_Strict):
    type: Literal["speed"]
    epochs_per_second: float = Field(gt=0, le=10_000)


class Restore(_Strict):
    type: Literal["restore"]
    epoch: int = Field(ge=0)


class View(_Strict):
    """Show the network as it was at ``epoch`` (the tape), without changing the training."""

    type: Literal["view"]
    epoch: int = Field(ge=0)


class SetWeight(_Strict):
    """Edit one weight (``index`` = [to, from]) or bias (``index`` = [to]) of a layer live."""

    type: Literal["set_weight"]
    layer: int = Field(ge=0, le=MAX_LAYERS)
    index: list[Annotated[int, Field(ge=0, le=MAX_WIDTH * 2)]] = Field(min_length=1, max_length=2)
    value: float = Field(ge=-100, le=100)


class Export(_Strict):
    """The trained model (state_dict), a script that reproduces the run, or an MP4 of the run (a job)."""

    type: Literal["export"]
    what: Literal["state_dict", "script", "movie"]
    quality: Literal["low", "medium"] = "low"
    theme: Literal["dark", "light"] = "light"


Message = Annotated[Union[Configure, Play, Pause, Step, Reset, Speed, Restore, View, SetWeight, Export],
                    Field(discriminator="type")]
MESSAGE = TypeAdapter(Message)


def parse(raw: str | bytes, adapter: TypeAdapter = MESSAGE):
    """A client message (of ``adapter``'s union: a page's own messages), or a one-line error naming the
    field (for an ``error`` frame)."""
    if len(raw if isinstance(raw, bytes) else raw.encode()) > MAX_MESSAGE:
        return None, f"message: larger than the {MAX_MESSAGE // 1024} KB limit"
    try:
        return adapter.validate_json(raw), None
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(p) for p in first["loc"] if not str(p).startswith("function-")]
        where = ".".join(loc[1:]) or "message"  # loc[0] is the message's type
        return None, f"{where}: {first['msg'].removeprefix('Value error, ')}"


def check(cfg: Config) -> str | None:
    """What a whole configuration needs beyond each setting's own range, as an error naming the setting."""
    if cfg.dataset == "custom" and len(cfg.custom) < 2:
        return "custom: draw or upload at least 2 points"
    train, test = split_sizes(cfg)
    if train == 0:
        return (f"train_ratio: {cfg.train_ratio:g} of {train + test} points leaves no training point; "
                "raise it or add points")
    return None


class _Plain(GenerateJsonSchema):
    """JSON Schema of each setting's own type: a message may leave any out (None), a setting is never null."""

    def nullable_schema(self, schema):
        return self.generate_inner(schema["schema"])


@cache
def settings_schema() -> dict[str, Any]:
    """:class:`Settings` as JSON Schema, with the engine's defaults and ``x-live`` on the settings that
    change during a run without a new network."""
    return schema_of(Settings, Config(), Playground.LIVE)


def schema_of(settings: type[BaseModel], config: Any, live: frozenset[str]) -> dict[str, Any]:
    """A page's settings model as JSON Schema, with the defaults of its engine's ``config`` (a dataclass)
    and ``x-live`` on the ``live`` settings."""
    out = settings.model_json_schema(schema_generator=_Plain)
    defaults = json.loads(json.dumps(asdict(config)))  # tuples as lists, as the page holds them
    for name, prop in out["properties"].items():
        prop["default"] = defaults[name]
        if name in live:
            prop["x-live"] = True
    return out



def _bytes(maps: torch.Tensor, signed: bool = True) -> list[str]:
    """Each map of a (maps, rows, columns) stack, -1..1 (or 0..1) to 0..255, row-major, base64: one
    quantisation for the whole stack (per map, the tensor operations cost more than the arithmetic)."""
    x = (maps.clamp(-1, 1) + 1) * 127.5 if signed else maps.clamp(0, 1) * 255
    return [base64.b64encode(m.tobytes()).decode() for m in x.round().to(torch.uint8).numpy()]


def frame(p: Playground, resolution: int = 100, neuron_resolution: int = 40, epoch: int | None = None,
          history_from: int = 0, points: bool = True) -> dict:
    """What the page draws now (or, with ``epoch``, as it was then): losses, accuracy, weights,
    every heatmap, the confusion matrix and the span of the tape. The loss history is sent from
    entry ``history_from`` on (0: the whole recent history, which replaces the page's). The data
    points only with ``points`` (they change with the data set alone: the page keeps the last it got)."""
    if epoch is not None and epoch != p.epoch:
        with p.viewing(epoch):
            out = frame(p, resolution, neuron_resolution, history_from=len(p.history), points=points)
        out.update(epoch=epoch, viewing=True, loss=_loss_at(p, epoch))
        return out
    epoch, train, test = p.history[-1]
    predicted = p.predicted() if p.cfg.classes else None  # shared by the accuracy and the confusion matrix
    acc_train, acc_test = p.accuracy(predicted)
    full, small = p.heatmap_sets((resolution, neuron_resolution))
    big = full[-1]
    scaled = [maps / max(1e-6, maps.abs().max().item()) for maps in small[:-1]]  # each layer to -1..1
    flat = iter(_bytes(torch.cat(scaled)))
    layers = [[next(flat) for _ in maps] for maps in scaled]
    linears = [m for m in p.net if isinstance(m, torch.nn.Linear)]
    out = {
        "type": "frame", "epoch": epoch,
        "loss": {"train": _finite(train), "test": _finite(test)},
        "accuracy": {"train": _finite(acc_train), "test": _finite(acc_test)},
        "output": {"resolution": resolution, "classes": p.cfg.classes,
                   "maps": _bytes(big, signed=p.cfg.classes != 3)},
        "neurons": {"resolution": neuron_resolution, "layers": layers},
        "viewing": False, "tape": [p.tape[0].epoch, p.tape[-1].epoch],
        "confusion": p.confusion(predicted) if p.cfg.classes and len(p.y_test) else None,  # None: no test data
        "history": [[e, _finite(a), _finite(b)] for e, a, b in p.history[max(history_from, len(p.history) - HISTORY):]],
        "history_from": history_from,
        # the settings that change live: a restore brings back those of its epoch
        "live": {k: getattr(p.cfg, k) for k in sorted(Playground.LIVE)},
        "weights": [[[_finite(v) for v in row] for row in m.weight.detach().tolist()] for m in linears],
        "biases": [[_finite(v) for v in m.bias.detach().tolist()] for m in linears],
    }
    if points:
        out["points"] = {"train": _points(p.x_train, p.y_train), "test": _points(p.x_test, p.y_test)}
    return out


def _loss_at(p: Playground, epoch: int) -> dict:
    _, train, test = next(h for h in p.history if h[0] == epoch)
    return {"train": _finite(train), "test": _finite(test)}


def _points(x: torch.Tensor, y: torch.Tensor) -> list[list[float]]:
    return [[round(a, 3), round(b, 3), round(float(c), 3)] for (a, b), c in zip(x.tolist(), y.tolist())]


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None
