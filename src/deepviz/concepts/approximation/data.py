"""Options of approximation, checked in plain Python (no torch), so a bad value stops fast."""
from __future__ import annotations

import re
from typing import Any

from ...params import ParamError

MAX_UNITS = 12
MAX_NETWORKS = 4
_LIST = re.compile(r"^\s*\d+(\s*,\s*\d+)*\s*$")


def unit_counts(text: str) -> list[int]:
    """'2,4,8' -> [2, 4, 8]: the hidden layer sizes, each network fitted in turn (increasing)."""
    if not _LIST.match(text):
        raise ParamError("units", f"expected numbers of units separated by commas such as 2,4,8, got {text!r}")
    counts = [int(v) for v in text.split(",")]
    if not 1 <= len(counts) <= MAX_NETWORKS:
        raise ParamError("units", f"needs 1 to {MAX_NETWORKS} networks, got {len(counts)}")
    for n in counts:
        if not 1 <= n <= MAX_UNITS:
            raise ParamError("units", f"each network has 1 to {MAX_UNITS} units (each is drawn), got {n}")
    if counts != sorted(set(counts)):
        raise ParamError("units", f"must increase (one network after the other, larger each time), got {text!r}")
    return counts


def check(values: dict[str, Any]) -> None:
    unit_counts(values["units"])
