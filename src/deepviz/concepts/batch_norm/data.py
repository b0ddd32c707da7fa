"""The data set and its validation: plain Python (no torch), so parameters check fast."""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from ...params import ParamError

# Two features on very different scales (hours of study, minutes of sleep / 10), so that
# the hidden units' statistics differ clearly between batches.
PRESET_DATA = (
    (1.0, 6.0), (2.0, 8.0), (4.0, 7.0),
    (3.0, 5.0), (5.0, 9.0), (6.0, 6.0),
    (7.0, 8.0), (8.0, 4.0), (9.0, 7.0),
)
MAX_ROWS = 30


def load_rows(spec: str) -> list[tuple[float, float]]:
    """'preset', inline rows 'a,b;c,d', or a CSV file with two numeric columns (header allowed)."""
    spec = spec.strip()
    if spec == "preset":
        return [tuple(r) for r in PRESET_DATA]
    if spec.lower().endswith(".csv") or Path(spec).is_file():
        path = Path(spec)
        if not path.is_file():
            raise ParamError("data", f"no such CSV file: {spec}")
        with path.open(newline="", encoding="utf-8") as f:
            raw = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
        if raw and not _numeric(raw[0]):
            raw = raw[1:]  # a header line
    else:
        raw = [row.split(",") for row in spec.split(";") if row.strip()]
    rows = []
    for n, row in enumerate(raw, start=1):
        if len(row) != 2 or not _numeric(row):
            raise ParamError("data", f"row {n} must be two numbers 'x1,x2', got {','.join(row)!r}")
        rows.append((float(row[0]), float(row[1])))
    if not 2 <= len(rows) <= MAX_ROWS:
        raise ParamError("data", f"needs 2 to {MAX_ROWS} rows, got {len(rows)}")
    return rows


def _numeric(row) -> bool:
    try:
        return all(math.isfinite(float(cell)) for cell in row)
    except ValueError:
        return False


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
