"""The data set the network learns, and the check of the options: plain Python (no torch), so it loads fast.

24 points in four clusters around (+-1, +-1), the XOR pattern: t = +1 where x1 and x2 have the same
sign, -1 where they differ. No single tanh unit can fit it, so the hidden units must share the work
(and differ from each other, which is what makes their swap a different setting of the weights).
"""
from __future__ import annotations

from typing import Any

from ...params import ParamError

POINTS = (
    (-0.98, -0.99), (1.55, 1.41), (-0.66, 1.56), (1.18, -0.78), (-1.24, -1.24), (1.23, 1.16),
    (-0.41, 1.13), (1.17, -1.31), (-0.96, -1.09), (1.14, 1.51), (-0.56, 1.58), (0.57, -0.78),
    (-1.03, -1.73), (0.95, 0.19), (-0.48, 0.84), (0.91, -0.86), (-1.38, -0.61), (0.83, 0.9),
    (-0.97, 1.05), (1.17, -1.17), (-0.8, -1.28), (1.22, 1.01), (-0.81, 1.1), (0.54, -0.78),
)


def targets() -> tuple[float, ...]:
    return tuple(1.0 if x1 * x2 > 0 else -1.0 for x1, x2 in POINTS)


def check(values: dict[str, Any]) -> None:
    h = values["hidden"]
    for name in ("unit_a", "unit_b"):
        if values[name] > h:
            raise ParamError(name, f"must be from 1 to {h} (the number of hidden units), got {values[name]}")
    if values["unit_a"] == values["unit_b"]:
        raise ParamError("unit_b", f"must differ from --unit-a ({values['unit_a']}): a swap needs two units")
    if values["example"] > len(POINTS):
        raise ParamError("example", f"must be from 1 to {len(POINTS)} (the data set's size), got {values['example']}")
