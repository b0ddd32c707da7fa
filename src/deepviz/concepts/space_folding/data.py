"""Options of space-folding, checked in plain Python (no torch), so a bad value stops fast.

``--layers`` lists the sizes of the spaces the points pass through: the input plane (2), each
hidden layer (2 or 3, the most that can be drawn), and the last layer (2: the output plane, or for
a trained network the plane in which its logistic output draws a line).
"""
from __future__ import annotations

import re
from typing import Any

from ...params import ParamError

_SIZES = re.compile(r"^\s*\d+(\s*-\s*\d+)+\s*$")
MAX_HIDDEN = 2


def layer_sizes(text: str) -> list[int]:
    """'2-3-2' -> [2, 3, 2]; a ParamError naming --layers for anything that cannot be drawn."""
    if not _SIZES.match(text):
        raise ParamError("layers", f"expected sizes joined by '-' such as 2-3-2, got {text!r}")
    sizes = [int(s) for s in text.split("-")]
    if sizes[0] != 2:
        raise ParamError("layers", f"the input is the plane: the first size must be 2, got {sizes[0]}")
    if sizes[-1] != 2:
        raise ParamError("layers", f"the last layer is drawn as a plane: the last size must be 2, got {sizes[-1]}")
    hidden = sizes[1:-1]
    if not 1 <= len(hidden) <= MAX_HIDDEN:
        raise ParamError("layers", f"needs 1 to {MAX_HIDDEN} hidden layers (such as 2-3-2 or 2-3-2-2), "
                                   f"got {len(hidden)}")
    for s in hidden:
        if s not in (2, 3):
            raise ParamError("layers", f"each hidden layer must have 2 or 3 units (what can be drawn), got {s}")
    return sizes


def check(values: dict[str, Any]) -> None:
    layer_sizes(values["layers"])
    if values["dataset"] == "square" and values["steps"] != 0:
        raise ParamError("steps", "the square's network is not trained (its weights are random): use --steps 0, "
                                  "or --dataset circles or moons")
