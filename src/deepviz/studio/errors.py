"""The studio's one shape of error answer: ``{"detail": "<field>: <message>", "field": "<field>"}``."""
from __future__ import annotations

from fastapi.responses import JSONResponse


def field_error(field: str, message: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"detail": f"{field}: {message}", "field": field}, status_code=status)
