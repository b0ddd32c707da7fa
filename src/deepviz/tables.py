"""Small numeric tables typed by users: 'preset', inline rows 'a,b;c,d', or a CSV file.

Plain Python (no torch), so a concept's parameters check fast. Errors are one-line
:class:`~deepviz.params.ParamError` naming the parameter.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Iterable, Sequence

from .params import ParamError

NUMBER_WORDS = {2: "two", 3: "three", 4: "four"}


def is_numeric(cells: Sequence[str]) -> bool:
    try:
        return all(math.isfinite(float(cell)) for cell in cells)
    except ValueError:
        return False


def csv_rows(lines: Iterable[str]) -> list[list[str]]:
    """The non-empty rows of CSV text, without a header line (a first row that is not numbers)."""
    raw = [[cell.strip() for cell in row] for row in csv.reader(lines) if row and any(c.strip() for c in row)]
    return raw[1:] if raw and not is_numeric(raw[0]) else raw


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
            raw = csv_rows(f)
    else:
        raw = [row.split(",") for row in spec.split(";") if row.strip()]
    return parse_rows(raw, columns, min_rows, max_rows, param)


def parse_rows(raw: Sequence[Sequence[str]], columns: Sequence[str], min_rows: int, max_rows: int,
               param: str = "data") -> list[tuple[float, ...]]:
    """Rows of text cells to rows of ``len(columns)`` finite numbers, or a one-line ParamError."""
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
