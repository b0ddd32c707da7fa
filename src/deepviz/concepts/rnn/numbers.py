"""How the RNN's vectors and gradient sizes read on screen and in captions."""
from __future__ import annotations

from typing import Sequence

from ...style.numbers import fmt_num, fmt_sig


def fmt_vec(values: Sequence[float], digits: int = 2) -> str:
    """(0.3, −1.25): a vector as a reader writes it."""
    return "(" + ", ".join(fmt_num(v, digits) for v in values) + ")"


def fmt_grad(value: float) -> str:
    """A gradient (or its size): three significant digits, tiny ones as 1.23×10⁻⁵."""
    return fmt_sig(value, 3)
