"""The CNN page's routes and messages: ``/cnn``, its socket, the network's description and image uploads.

One socket per tab holds that tab's current forward pass, so that a click on a unit is answered from the
very tensors the overview shows. Messages in: ``{"type": "input", "id": n, "example": k | "pixels": [...] |
"drawing": [...]}``, ``{"type": "unit", "id": n, "layer": L, "unit": k}``, ``{"type": "cell", ..., "row": i,
"col": j}``, ``{"type": "explain", ...}``, ``{"type": "attack", ...}``; each is answered with a frame of the
same type and id, or ``{"type": "error", "field": ..., "detail": "<field>: <message>"}``.
The model is the studio's: the digits CNN, or the one its command line named (``--model``); a client
never names a file.
"""
from __future__ import annotations

import asyncio
import io
import json
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Callable, Literal, Union

import torch
from fastapi import Request, WebSocket, WebSocketDisconnect  # at module level: FastAPI reads the annotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import cnn
from .cnn_train import DEFAULT

MAX_MESSAGE = 1024 * 1024  # bytes: the largest input the CLI allows (3×128×128 numbers) fits
MAX_IMAGE = 1024 * 1024  # bytes of an uploaded image file (the studio's cap on any body)
MAX_IMAGE_PIXELS = 4096 * 4096  # an image larger than this is refused before it is decoded
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
MAX_PIXELS = 3 * 128 * 128  # the largest network input the page takes (``deepviz studio --input``)


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: int = Field(default=0, ge=0, le=2**53)


class InputMessage(_Message):
    type: Literal["input"]
    example: int | None = Field(default=None, ge=0)
    pixels: list[float] | None = None
    drawing: list[float] | None = None


class UnitMessage(_Message):
    type: Literal["unit"]
    layer: int = Field(ge=-1)
    unit: int = Field(default=0, ge=0)


class CellMessage(_Message):
    type: Literal["cell"]
    layer: int = Field(ge=0)
    unit: int = Field(ge=0)
    row: int = Field(ge=0)
    col: int = Field(ge=0)


class ExplainMessage(_Message):
    type: Literal["explain"]
    target: int | None = Field(default=None, ge=0, alias="class")


class AttackMessage(_Message):
    type: Literal["attack"]
    method: Literal["fgsm", "pgd"] = "fgsm"
    epsilon: float = Field(default=0.1, ge=0, le=1, description="the largest change of a pixel, of its range")
    steps: int = Field(default=5, ge=1, le=50, description="PGD's steps")


class ExportMessage(_Message):
    type: Literal["export"]


class TrainMessage(_Message):
    """``start`` takes the architecture to train (the defaults are the cached model's)."""

    type: Literal["train"]
    action: Literal["start", "poll", "stop"] = "poll"
    c1: int = Field(default=DEFAULT["c1"], ge=1, le=16, description="the first conv's channels")
    c2: int = Field(default=DEFAULT["c2"], ge=1, le=32, description="the second conv's channels")
    kernel: int = Field(default=DEFAULT["kernel"], ge=1, le=7, description="both convs' kernel side")
    stride: int = Field(default=DEFAULT["stride"], ge=1, le=3, description="both convs' stride")
    padding: int = Field(default=DEFAULT["padding"], ge=0, le=3, description="both convs' zero padding")
    pool: Literal["max", "avg", "none"] = Field(default=DEFAULT["pool"], description="2×2 pooling after each conv")


ARCHITECTURE = tuple(DEFAULT)


Message = Annotated[Union[InputMessage, UnitMessage, CellMessage, ExplainMessage, AttackMessage, ExportMessage,
                          TrainMessage],
                    Field(discriminator="type")]


class _Envelope(BaseModel):
    message: Message


@dataclass
class Session:
    """One tab: the network (the studio's, or a snapshot of its live training) and its current forward pass."""

    net: cnn.Network
    current: cnn.Pass | None = None
    handlers: dict[str, Callable] = field(default_factory=dict)
    base: cnn.Network | None = None  # the studio's network
    training: Any = None  # a cnn_train.LiveTraining while the tab trains one

    def __post_init__(self) -> None:
        self.base = self.base or self.net

    def close(self) -> None:
        if self.training is not None:
            self.training.stop()

    def pass_(self) -> cnn.Pass:
        if self.current is None:
            raise cnn.Refused("input", "send an input first")
        return self.current


def _refused(err: ValidationError) -> cnn.Refused:
    first = err.errors()[0]
    if first["type"] == "json_invalid":
        return cnn.Refused("message", "not valid JSON")
    loc = [str(p) for p in first["loc"] if p not in ("message",)]
    loc = [p for p in loc if p not in HANDLERS or len(loc) == 1]
    return cnn.Refused(loc[-1] if loc else "message", first["msg"])


def _input(s: Session, m: InputMessage) -> dict:
    given = [k for k in ("example", "pixels", "drawing") if getattr(m, k) is not None]
    if len(given) != 1:
        raise cnn.Refused("input", "send exactly one of example, pixels, drawing")
    net = s.net
    if m.example is not None:
        if m.example >= len(net.examples):
            raise cnn.Refused("example", f"must be from 0 to {len(net.examples) - 1}, got {m.example}")
        x = net.examples[m.example][1]
    elif m.drawing is not None:
        x = from_drawing(net, m.drawing)
    else:
        x = cnn.check_input(net, m.pixels or [])
    s.current = cnn.forward(net, x)
    return {"type": "forward", **s.current.frame()}


def _unit(s: Session, m: UnitMessage) -> dict:
    return {"type": "unit", "detail": cnn.unit_detail(s.pass_(), m.layer, m.unit)}


def _cell(s: Session, m: CellMessage) -> dict:
    p = s.pass_()
    node = p.node(m.layer)
    if p.kind(node) != "conv":
        raise cnn.Refused("layer", f"layer {m.layer} ({node.op}) is not a convolution")
    return {"type": "cell", "detail": cnn.conv_cell(p, node, cnn.check_unit(p, node, m.unit), m.row, m.col)}


def _explain(s: Session, m: ExplainMessage) -> dict:
    from . import cnn_attack

    x = s.pass_().x
    return {"type": "explain", "saliency": cnn_attack.saliency(s.net, x, m.target),
            "occlusion": cnn_attack.occlusion(s.net, x, m.target)}


def _attack(s: Session, m: AttackMessage) -> dict:
    from . import cnn_attack

    lo, hi = s.net.pixel_range
    return {"type": "attack", **cnn_attack.attack(s.net, s.pass_().x, m.method, m.epsilon * (hi - lo), m.steps)}


def _export(s: Session, m: ExportMessage) -> dict:
    from .cnn_export import script

    out = {"type": "export", "filename": "cnn_model.py", "script": script(s.net, s.pass_().x)}
    if s.net is not s.base:  # a live training snapshot: its weights go with the script (the route has the studio's)
        import base64

        from .cnn_export import state_dict_bytes

        out["state_dict"] = base64.b64encode(state_dict_bytes(s.net)).decode("ascii")
    return out


def _train(s: Session, m: TrainMessage) -> dict:
    """Start, follow or leave a live training run: each answer carries the newest snapshot's numbers, the first
    layer's filters and the current input's forward pass through that snapshot."""
    from . import cnn_train

    assert s.base is not None
    if not s.base.trainable:
        raise cnn.Refused("train", f"{s.base.name} has no data set to train on here")
    if m.action == "start":
        training = cnn_train.LiveTraining({k: getattr(m, k) for k in ARCHITECTURE})  # refused before anything stops
        s.close()
        s.training = training
        s.training.thread.join(timeout=0.5)  # usually enough for step 0, the random weights
    if m.action == "stop" or s.training is None:
        s.close()
        s.training, s.net = None, s.base
        out: dict = {"type": "train", "step": None, "done": True}
    else:
        snap = s.training.latest()
        if snap is not None and s.net.name != cnn_train.name_at(s.training, snap):
            s.net = cnn_train.network_at(s.base, s.training, snap)
        out = {"type": "train", "step": snap.step if snap else None, "steps": s.training.steps,
               "done": snap is not None and snap.step == s.training.steps, "error": s.training.error}
        if snap is not None:
            out.update(loss=snap.loss, train_accuracy=snap.train_accuracy, test_accuracy=snap.test_accuracy,
                       filters=snap.state["conv1.weight"][:, 0].tolist())
    out["network"] = s.net.name
    if s.current is not None:
        s.current = cnn.forward(s.net, s.current.x)
        out["frame"] = s.current.frame()
    return out


HANDLERS: dict[str, Callable] = {"input": _input, "unit": _unit, "cell": _cell, "explain": _explain,
                                 "attack": _attack, "export": _export, "train": _train}


def answer(s: Session, raw: str | bytes) -> dict:
    """The reply to one socket message (never an exception: a bad message is an error frame naming the field)."""
    if len(raw) > MAX_MESSAGE:
        return error(cnn.Refused("message", f"larger than {MAX_MESSAGE // 1024} KB"), 0)
    try:
        data = json.loads(raw)
        m = _Envelope.model_validate({"message": data}).message
    except json.JSONDecodeError:
        return error(cnn.Refused("message", "not valid JSON"), 0)
    except ValidationError as err:
        return error(_refused(err), data.get("id", 0) if isinstance(data, dict) and isinstance(data.get("id"), int) else 0)
    try:
        return {**(s.handlers.get(m.type) or HANDLERS[m.type])(s, m), "id": m.id}
    except cnn.Refused as err:
        return error(err, m.id)


def error(refused: cnn.Refused, id: int) -> dict:
    return {"type": "error", "id": id, "field": refused.field, "detail": str(refused)}


# ---- inputs: drawings and uploaded images ------------------------------------------------------------------


def from_drawing(net: cnn.Network, values: list[float]) -> torch.Tensor:
    """A drawing (``draw_side``² numbers in [0, 1], row-major, ink = 1) as the network's input."""
    side = net.draw_side or net.shape[1]
    t = torch.tensor(values, dtype=torch.float32)
    if t.numel() != side * side:
        raise cnn.Refused("drawing", f"expected {side}×{side} = {side * side} numbers, got {t.numel()}")
    if t.min() < 0 or t.max() > 1:
        raise cnn.Refused("drawing", "every number must be from 0 to 1")
    return net.from_drawing(t.reshape(side, side))


def image_input(net: cnn.Network, data: bytes) -> dict:
    """An uploaded image file decoded (as image data only, by Pillow) into the network's input pixels."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise cnn.Refused("file", "is empty; choose a PNG, JPEG, GIF, BMP or WEBP image")
    try:
        img = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
        if img.width * img.height > MAX_IMAGE_PIXELS:
            raise cnn.Refused("file", f"is {img.width}×{img.height} pixels; at most {MAX_IMAGE_PIXELS:,} are read")
        img.load()
    except cnn.Refused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise cnn.Refused("file", "is not an image this page reads (PNG, JPEG, GIF, BMP or WEBP)") from None
    x, note = net.from_image(img)
    return {"pixels": x.reshape(-1).tolist(), "note": f"{img.format} {img.width}×{img.height}: {note}"}


# ---- routes ------------------------------------------------------------------------------------------------


def describe(net: cnn.Network) -> dict:
    """What the page needs before the first forward pass: the network, its examples, the drawing size."""
    return {"name": net.name, "shape": list(net.shape), "classes": net.classes,
            "examples": [name for name, _ in net.examples], "draw_side": net.draw_side or net.shape[1],
            "pixel_range": list(net.pixel_range), "trainable": net.trainable,
            "architecture": architecture_fields() if net.trainable else None}


def architecture_fields() -> list[dict]:
    """The live training's architecture controls, from ``TrainMessage``'s schema (the page's only copy)."""
    props = TrainMessage.model_json_schema()["properties"]
    return [{"name": k, "label": props[k]["description"], "default": props[k]["default"],
             **({"options": props[k]["enum"]} if "enum" in props[k] else {"min": props[k]["minimum"],
                                                                          "max": props[k]["maximum"]})}
            for k in ARCHITECTURE]


def mount(app, allowed: Callable, network: Callable[[], cnn.Network] | None = None) -> None:
    """``/cnn``, ``/api/cnn/network``, ``/api/cnn/image`` and ``/ws/cnn``; ``network`` builds the studio's CNN
    (default: the trained digits CNN, trained at first use), ``allowed(ws)`` checks a socket's host and origin."""
    from fastapi.responses import HTMLResponse

    from .errors import field_error

    build = lru_cache(maxsize=1)(network or cnn.digits_network)

    async def get() -> cnn.Network:
        return await asyncio.to_thread(build)

    @app.get("/cnn", response_class=HTMLResponse)
    async def cnn_page():
        from .pages import page

        return page("cnn")

    @app.get("/api/cnn/network")
    async def cnn_network():
        return describe(await get())

    @app.post("/api/cnn/image")
    async def cnn_image(request: Request):
        """An image file in the body (its raw bytes), decoded into the network's input: 413/422 naming ``file``."""
        net = await get()
        try:
            return await asyncio.to_thread(image_input, net, await request.body())
        except cnn.Refused as err:
            return field_error(err.field, err.message)

    @app.get("/api/cnn/export/state_dict")
    async def cnn_state_dict():
        """The network's weights (``torch.save`` of its state_dict), for the exported script."""
        from fastapi.responses import Response

        from .cnn_export import STATE_FILE, state_dict_bytes

        data = await asyncio.to_thread(state_dict_bytes, await get())
        return Response(data, media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{STATE_FILE}"'})

    @app.websocket("/ws/cnn")
    async def cnn_socket(ws: WebSocket):
        if not allowed(ws):
            await ws.close(code=1008)
            return
        await ws.accept()
        session = Session(await get())
        from .server import _receive

        try:
            with suppress(WebSocketDisconnect, RuntimeError):
                while True:
                    reply = await asyncio.to_thread(answer, session, await _receive(ws))
                    await ws.send_text(json.dumps(reply, separators=(",", ":")))
        finally:
            session.close()  # a live training run stops with its tab
