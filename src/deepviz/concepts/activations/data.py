"""The activation functions the concept can show, and the check of its options: plain Python (no torch)."""
from __future__ import annotations

from typing import Any

from ...params import ParamError

# name -> (title on screen, f(x) in words, f'(x) in words); definitions, not results
FUNCTIONS = {
    "step": ("Heaviside step", "H(x) = 1 if x \u2265 0, else 0", "H\u2032(x) = 0  (undefined at 0)"),
    "sigmoid": ("sigmoid", "\u03c3(x) = 1 / (1 + exp(\u2212x))", "\u03c3\u2032(x) = \u03c3(x) (1 \u2212 \u03c3(x))"),
    "tanh": ("tanh", "tanh(x) = (e\u02e3 \u2212 e\u207b\u02e3) / (e\u02e3 + e\u207b\u02e3)",
             "tanh\u2032(x) = 1 \u2212 tanh\u00b2(x)"),
    "relu": ("ReLU", "ReLU(x) = max(0, x)", "ReLU\u2032(x) = 1 if x > 0, else 0"),
    "leaky_relu": ("leaky ReLU", "LeakyReLU(x) = x if x \u2265 0, else a\u00b7x", "LeakyReLU\u2032(x) = 1 or a"),
    "gelu": ("GELU", "GELU(x) = x \u00b7 \u03a6(x)   (\u03a6: the normal CDF)",
             "GELU\u2032(x) = \u03a6(x) + x \u03c6(x)"),
    "silu": ("SiLU (swish)", "SiLU(x) = x \u00b7 \u03c3(x)",
             "SiLU\u2032(x) = \u03c3(x) (1 + x (1 \u2212 \u03c3(x)))"),
}
ALL = ",".join(FUNCTIONS)


def names(text: str) -> list[str]:
    return [n.strip().lower().replace("-", "_") for n in text.split(",") if n.strip()]


def check(values: dict[str, Any]) -> None:
    chosen = names(values["functions"])
    if not chosen:
        raise ParamError("functions", f"name at least one of {', '.join(FUNCTIONS)}")
    for n in chosen:
        if n not in FUNCTIONS:
            raise ParamError("functions", f"unknown function {n!r}; choose from {', '.join(FUNCTIONS)}")
    if len(set(chosen)) != len(chosen):
        raise ParamError("functions", "each function may be named once")
