"""How numbers read on screen and in captions (one place, so video and subtitles agree)."""
from __future__ import annotations

MINUS = "\u2212"


def fmt_num(value: float, digits: int = 2) -> str:
    """Integers without decimals, other values with ``digits`` decimals; a real minus sign."""
    if abs(value - round(value)) < 1e-9:
        text = str(int(round(value)))
    else:
        text = f"{value:.{digits}f}"
        if "." in text:  # trailing zeros of the decimals only (140 stays 140)
            text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0"):
        text = "0"
    return text.replace("-", MINUS)


def fmt_pct(p: float, digits: int = 1) -> str:
    """A probability as a percentage: 0.915 -> "91.5 %"."""
    return f"{fmt_num(100 * p, digits)} %"


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


SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def fmt_sig(value: float, sig: int = 4) -> str:
    """``sig`` significant digits; very small or large magnitudes as 1.2×10⁻⁵."""
    if value == 0 or 1 <= abs(value) < 1e5 and abs(value - round(value)) < 1e-9:
        return fmt_num(value)
    digits, _, exp_text = f"{value:.{sig - 1}e}".partition("e")
    exponent = int(exp_text)
    if -3 <= exponent < 5:
        return fmt_num(value, max(0, sig - 1 - exponent))
    # the mantissa from the decimal text: value / 10**exponent is 0/0 for subnormals (5e-324)
    mantissa = fmt_num(float(digits), sig - 1)
    return f"{mantissa}\u00d710{str(exponent).translate(SUPERSCRIPT)}"


_UNSUPER = {v: k for k, v in zip("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")}


def tex_number(text: str) -> str:
    """A number formatted above (fmt_num, fmt_sig) as LaTeX math."""
    if "\u00d710" in text:
        mantissa, exponent = text.split("\u00d710")
        text = f"{mantissa}\\times 10^{{{''.join(_UNSUPER[c] for c in exponent)}}}"
    return text.replace(MINUS, "-")


def fmt_vec(values, digits: int = 2) -> str:
    """A short vector as a tuple: (0.5, \u22121.25)."""
    return "(" + ", ".join(fmt_num(v, digits) for v in values) + ")"
