"""The data set and its validation: plain Python (no torch), so parameters check fast."""
from __future__ import annotations

from typing import Any

from ...params import ParamError
from ...tables import load_table

# Two features on very different scales (hours of study, minutes of sleep / 10), so that
# the hidden units' statistics differ clearly between batches.
PRESET_DATA = (
    (1.0, 6.0), (2.0, 8.0), (4.0, 7.0),
    (3.0, 5.0), (5.0, 9.0), (6.0, 6.0),
    (7.0, 8.0), (8.0, 4.0), (9.0, 7.0),
)
MAX_ROWS = 30


def load_rows(spec: str) -> list[tuple[float, ...]]:
    """'preset', inline rows 'a,b;c,d', or a CSV file with two numeric columns (header allowed)."""
    return load_table(spec, ("x1", "x2"), PRESET_DATA, 2, MAX_ROWS)


def batches(n_rows: int, batch_size: int) -> list[range]:
    return [range(start, min(start + batch_size, n_rows)) for start in range(0, n_rows, batch_size)]


def check(values: dict[str, Any]) -> None:
    rows = load_rows(values["data"])
    parts = batches(len(rows), values["batch_size"])
    if len(parts[-1]) < 2:
        raise ParamError("batch_size", f"with {len(rows)} rows, batches of {values['batch_size']} leave a last "
                                       "batch of 1 example; batch statistics need at least 2")
    if values["batch"] > len(parts):
        raise ParamError("batch", f"must be from 1 to {len(parts)} (the number of batches), got {values['batch']}")
