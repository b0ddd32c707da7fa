"""A cap on every request body, enforced before the body is read whole.

A Content-Length over the route's cap is refused unread; a streamed body is refused as soon as it passes the
cap. Either way the answer is the studio's field error (413, naming ``body`` or the route's own field).
Starlette's ``max_body_size`` does the same but answers a larger Content-Length in plain text, which the pages
cannot show as a field error.
"""
from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import field_error


class TooLarge(HTTPException):
    """A body past its cap, raised from ``receive``: FastAPI lets HTTPExceptions through its body parsing,
    and the app's handler answers it with :func:`field_error`."""

    def __init__(self, field: str, cap: int) -> None:
        super().__init__(413, f"larger than the {cap // 1024} KB limit")
        self.field = field

    def response(self):
        return field_error(self.field, self.detail, status=413)


class BodyLimit:
    """ASGI middleware: ``limits`` maps a path to (field, cap in bytes); other paths get ``default``."""

    def __init__(self, app: ASGIApp, limits: dict[str, tuple[str, int]], default: tuple[str, int]) -> None:
        self.app, self.limits, self.default = app, limits, default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field, cap = self.limits.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            await TooLarge(field, cap).response()(scope, receive, send)
            return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap:
                raise TooLarge(field, cap)
            return message

        await self.app(scope, capped, send)
