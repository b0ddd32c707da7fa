"""The ravine's data set and the parsing of its options: plain Python (no torch), so they check fast."""
from __future__ import annotations

from typing import Any

from ...params import ParamError
from ...tables import is_numeric, load_table

# The seed's three cases (x1, x2, t): x2 is about twenty times larger than x1.
PRESET_DATA = ((2.0, 40.0, 5.0), (4.0, 80.0, 7.0), (8.0, -160.0, 0.0))
MIN_ROWS, MAX_ROWS = 3, 8  # a table that fits the screen; 3 rows so the centred features are not collinear
MAX_LEVELS = 8


def load_rows(spec: str) -> list[tuple[float, ...]]:
    """'preset', inline rows 'x1,x2,t;x1,x2,t;...', or a CSV file with three numeric columns (header allowed)."""
    return load_table(spec, ("x1", "x2", "t"), PRESET_DATA, MIN_ROWS, MAX_ROWS)


def parse_start(spec: str) -> tuple[float, float]:
    parts = spec.split(",")
    if len(parts) != 2 or not is_numeric(parts):
        raise ParamError("start", f"expected two numbers 'w1,w2' such as 0,0.2; got {spec!r}")
    return float(parts[0]), float(parts[1])


def parse_contours(spec: str) -> int | list[float]:
    """A number of levels ('5') or the levels of J themselves ('1, 5, 20')."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if len(parts) == 1 and parts[0].isdigit():
        n = int(parts[0])
        if not 1 <= n <= MAX_LEVELS:
            raise ParamError("contours", f"a count must be from 1 to {MAX_LEVELS}, got {n}")
        return n
    if not parts or not is_numeric(parts) or len(parts) > MAX_LEVELS:
        raise ParamError("contours", f"expected a count (1 to {MAX_LEVELS}) or up to {MAX_LEVELS} positive levels "
                                     f"of J such as '1,5,20'; got {spec!r}")
    levels = sorted(float(p) for p in parts)
    if levels[0] <= 0:
        raise ParamError("contours", f"levels of J must be positive, got {fmt_plain(levels[0])}")
    return levels


def fmt_plain(v: float) -> str:
    return f"{v:g}"



def check(values: dict[str, Any]) -> None:
    load_rows(values["data"])
    parse_start(values["start"])
    parse_contours(values["contours"])
