"""The transformer page's routes: ``/transformer``, the tiny GPT's forward pass, its live training
(``/ws/transformer``, one run per tab) and your own model's attention.

A pass takes milliseconds of torch, so it runs in a thread of the server (not a training worker).
"""
from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Callable

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from .errors import field_error

MAX_REQUEST = 8 * 1024  # bytes: a request is a sentence and a few head numbers


def mount(app: FastAPI, own: Callable[[], dict] | None = None, allowed: Callable[[WebSocket], bool] | None = None) -> None:
    """The routes; ``own()`` gives the attention maps of the model ``deepviz studio --model`` was started with,
    ``allowed(ws)`` checks the live training socket's host and origin."""
    from . import transformer

    @app.get("/transformer", response_class=HTMLResponse)
    async def transformer_page():
        from .pages import page

        return page("transformer")

    @app.get("/api/transformer/model")
    async def transformer_model():
        info = await asyncio.to_thread(transformer.model_info)
        return {**info, "own": own is not None}

    @app.post("/api/transformer/forward")
    async def transformer_forward(request: Request):
        """The pass for ``{"text": ..., "ablate": [[block, head], ...]}``, or 422 naming the field."""
        body = await request.body()
        if len(body) > MAX_REQUEST:
            return field_error("body", f"larger than {MAX_REQUEST} bytes", 413)
        try:
            req = await asyncio.to_thread(transformer.request_from, body or b"{}")
        except transformer.Refused as err:
            return field_error(err.field, err.message)
        return await asyncio.to_thread(transformer.forward, req)

    @app.get("/api/transformer/own")
    async def transformer_own():
        if own is None:
            return field_error("model", "start the studio with --model FILE.py:NAME --input SHAPE to see your own "
                                        "transformer", 404)
        return own()

    @app.websocket("/ws/transformer")
    async def transformer_socket(ws: WebSocket):
        """Live training (studio/transformer_train.py): a run per socket, stopped when the tab closes."""
        from . import transformer_train
        from .server import _receive

        if allowed is not None and not allowed(ws):
            await ws.close(code=1008)
            return
        await ws.accept()
        session = transformer_train.Session()
        try:
            with suppress(WebSocketDisconnect, RuntimeError):
                while True:
                    reply = await asyncio.to_thread(transformer_train.answer, session, await _receive(ws))
                    await ws.send_text(json.dumps(reply, separators=(",", ":")))
        finally:
            session.close()
