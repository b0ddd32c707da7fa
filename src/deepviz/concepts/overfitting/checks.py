"""Checks across parameters that need no torch (they run when the options are parsed)."""
from __future__ import annotations

from typing import Any

from ...params import ParamError


def check(values: dict[str, Any]) -> None:
    for d in values["degrees"]:
        if d != int(d):
            raise ParamError("degrees", f"degrees are whole numbers, got {d:g}")
        if d > values["max_degree"]:
            raise ParamError("degrees", f"a drawn degree cannot exceed --max-degree {values['max_degree']}, got {d:g}")
