"""Small numeric tables typed by users: 'preset', inline rows 'a,b;c,d', or a CSV file.

Plain Python (no torch), so a concept's parameters check fast. Errors are one-line
:class:`~deepviz.params.ParamError` naming the parameter.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Sequence

from .params import ParamError

NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


def is_numeric(cells: Sequence[str]) -> bool:
    try:
        return all(math.isfinite(float(cell)) for cell in cells)
    except ValueError:
        return False


def load_table(spec: str, columns: Sequence[str], preset: Sequence[Sequence[float]], min_rows: int, max_rows: int,
               param: str = "data") -> list[tuple[float, ...]]:
    """Rows of ``len(columns)`` numbers from 'preset', inline 'a,b;c,d', or a CSV path (a header is allowed)."""
    spec = spec.strip()
    if spec == "preset":
        return [tuple(r) for r in preset]
    if spec.lower().endswith(".csv") or Path(spec).is_file():
        path = Path(spec)
        if not path.is_file():
            raise ParamError(param, f"no such CSV file: {spec}")
        with path.open(newline="", encoding="utf-8") as f:
            raw = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
        if raw and not is_numeric(raw[0]):
            raw = raw[1:]  # a header line
    else:
        raw = [row.split(",") for row in spec.split(";") if row.strip()]
    k = len(columns)
    rows = []
    for n, row in enumerate(raw, start=1):
        if len(row) != k or not is_numeric(row):
            raise ParamError(param, f"row {n} must be {NUMBER_WORDS.get(k, k)} numbers '{','.join(columns)}', "
                                    f"got {','.join(row)!r}")
        rows.append(tuple(float(v) for v in row))
    if not min_rows <= len(rows) <= max_rows:
        raise ParamError(param, f"needs {min_rows} to {max_rows} rows, got {len(rows)}")
    return rows
