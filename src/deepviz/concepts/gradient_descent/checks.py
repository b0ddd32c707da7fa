"""Checks across parameters that need no torch (they run when the options are parsed)."""
from __future__ import annotations

from typing import Any

from ...params import ParamError


def check(values: dict[str, Any]) -> None:
    for size in values["batches"]:
        if size != int(size):
            raise ParamError("batches", f"batch sizes are whole numbers of cases, got {size:g}")
        if size > values["points"]:
            raise ParamError("batches", f"a batch cannot hold more than the {values['points']} cases (--points), "
                                        f"got {size:g}")
