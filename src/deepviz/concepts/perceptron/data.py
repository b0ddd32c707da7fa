"""The perceptron's example data and the check of its options: plain Python (no torch), so it loads fast.

DAYS: eight days of (temperature in degrees C, relative humidity in %, wind speed in km/h).
POINTS: a small linearly separable data set (x1, x2, target) for the learning rule.
"""
from __future__ import annotations

from typing import Any

from ...params import ParamError

DAYS = (
    (30.0, 20.0, 5.0), (25.0, 70.0, 10.0), (12.0, 40.0, 30.0), (18.0, 85.0, 5.0),
    (33.0, 60.0, 25.0), (8.0, 30.0, 10.0), (22.0, 35.0, 35.0), (27.0, 90.0, 15.0),
)
FEATURES = ("temperature", "humidity", "wind speed")
UNITS = ("\u00b0C", "%", "km/h")
BOX = ((0.0, 40.0), (0.0, 100.0), (0.0, 40.0))  # the window of each feature on screen

POINTS = (
    (1.5, 0.5, 1.0), (-0.5, 2.0, 1.0), (0.5, 1.0, 1.0), (2.0, -1.0, 1.0),
    (-1.5, -0.5, 0.0), (0.0, -0.5, 0.0), (1.0, -2.0, 0.0), (-2.0, 1.0, 0.0),
)
LEARN_BOX = (-3.0, 3.0)


def check(values: dict[str, Any]) -> None:
    if values["weight"] == 0:
        raise ParamError("weight", "must not be 0: with w = 0 the output never depends on the temperature")
    for name in ("weights_2d", "weights_3d"):
        if all(v == 0 for v in values[name]):
            raise ParamError(name, "must not be all 0: the neuron would ignore its inputs (no boundary)")
    if values["init"][0] == 0 and values["init"][1] == 0:
        raise ParamError("init", "w1 and w2 must not both be 0: the starting boundary must be a line")
