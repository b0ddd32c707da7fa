"""How numbers read on screen and in captions (one place, so video and subtitles agree)."""
from __future__ import annotations

MINUS = "\u2212"


def fmt_num(value: float, digits: int = 2) -> str:
    """Integers without decimals, other values with ``digits`` decimals; a real minus sign."""
    if abs(value - round(value)) < 1e-9:
        text = str(int(round(value)))
    else:
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    if text in ("-0", "-0.0"):
        text = "0"
    return text.replace("-", MINUS)


def fmt_factor(value: float, digits: int = 2) -> str:
    """A number as a factor in a product: negatives in parentheses."""
    text = fmt_num(value, digits)
    return f"({text})" if text.startswith(MINUS) else text


def fmt_shape(shape) -> str:
    return "\u00d7".join(str(int(s)) for s in shape)


def fmt_pair(pair) -> str:
    """A per-axis parameter as the user writes it: 2 when both axes agree, else 2×1."""
    h, w = (int(v) for v in pair)
    return str(h) if h == w else f"{h}\u00d7{w}"
