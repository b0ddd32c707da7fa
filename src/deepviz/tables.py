"""Small numeric tables typed by users: 'preset', inline rows 'a,b;c,d', or a CSV file.

Plain Python (no torch), so a concept's parameters check fast. Errors are one-line
:class:`~deepviz.params.ParamError` naming the parameter.
"""
from __future__ import annotations

import codecs
import csv
import math
from pathlib import Path
from typing import Iterable, Sequence

from .params import ParamError, quote, quote_path

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
        text = csv_text(read_small_file(Path(spec), param), param)
        try:
            raw = csv_rows(text.splitlines())
        except csv.Error as err:  # a NUL byte, a field beyond the csv module's limit
            raise ParamError(param, f"the file is not CSV text ({err})") from None
    else:
        raw = [row.split(",") for row in spec.split(";") if row.strip()]
    return parse_rows(raw, columns, min_rows, max_rows, param)


MAX_FILE_BYTES = 64 * 1024  # a table that fits the screen is a few hundred bytes; room for comments


def read_small_file(path: Path, param: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file of at most ``limit`` bytes; its size is checked before anything is read."""
    what = quote_path(path)
    try:
        if not path.is_file():
            raise ParamError(param, f"no such CSV file: {what}")
        size = path.stat().st_size
        data = b""
        if size <= limit:
            with path.open("rb") as f:
                data = f.read(limit + 1)  # the file may have grown since
            size = len(data)
    except OSError as err:
        raise ParamError(param, f"cannot read {what}: {err.strerror or err}") from None
    if size > limit:
        raise ParamError(param, f"{what} is {size:,} bytes; a table file may have at most {limit:,}")
    return data


def csv_text(data: bytes, param: str) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), or UTF-16 with its mark."""
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ParamError(param, "the file is not UTF-8 text (a binary file, or another encoding such as "
                                "Latin-1); save it as CSV in UTF-8") from None


def parse_rows(raw: Sequence[Sequence[str]], columns: Sequence[str], min_rows: int, max_rows: int,
               param: str = "data") -> list[tuple[float, ...]]:
    """Rows of text cells to rows of ``len(columns)`` finite numbers, or a one-line ParamError."""
    k = len(columns)
    rows = []
    for n, row in enumerate(raw, start=1):
        if len(row) != k or not is_numeric(row):
            raise ParamError(param, f"row {n} must be {NUMBER_WORDS.get(k, k)} numbers '{','.join(columns)}', "
                                    f"got {quote(','.join(row))}")
        rows.append(tuple(float(v) for v in row))
    if not min_rows <= len(rows) <= max_rows:
        raise ParamError(param, f"needs {min_rows} to {max_rows} rows, got {len(rows)}")
    return rows
