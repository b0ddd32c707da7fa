"""How the cost reads as text (shared by the scene): the numbers come from the trace, formatted here."""
from __future__ import annotations

from typing import Sequence

from ...style.numbers import MINUS, fmt_num, fmt_sig
from .schema import Coefficients

W = ("w\u2081", "w\u2082")
TERMS = (("w1^2", "w\u2081\u00b2"), ("w1w2", "w\u2081w\u2082"), ("w2^2", "w\u2082\u00b2"), ("w1", "w\u2081"),
         ("w2", "w\u2082"), ("1", ""))


def signed_terms(pairs: Sequence[tuple[float, str]], fmt=lambda v: fmt_sig(v, 3)) -> str:
    """'a x + b y - c' from (value, name) pairs, with real minus signs and no '+ -'."""
    out = []
    for v, name in pairs:
        if v == 0:
            continue
        body = fmt(abs(v)) + (f" {name}" if name else "")
        if not out:
            out.append(body if v > 0 else MINUS + body)
        else:
            out.append(("+ " if v > 0 else MINUS + " ") + body)
    return " ".join(out) or "0"


def quadratic(coef: Coefficients) -> tuple[str, str]:
    """J as a polynomial in w1, w2, in two parts: the quadratic terms ('28 w₁² − 586.7 w₁w₂ + 11200 w₂²')
    and the rest with its sign ('− 25.33 w₁ − 506.7 w₂ + 24.67')."""
    def fmt(v):
        return fmt_sig(v, 4)

    quad = signed_terms([(coef[k], name) for k, name in TERMS[:3]], fmt=fmt)
    rest = signed_terms([(coef[k], name) for k, name in TERMS[3:]], fmt=fmt)
    if rest != "0" and not rest.startswith(MINUS):
        rest = "+ " + rest
    elif rest.startswith(MINUS) and not rest.startswith(MINUS + " "):
        rest = MINUS + " " + rest[1:]
    return quad, "" if rest == "0" else rest


def residual(x1: float, x2: float, t: float, fmt=fmt_num) -> str:
    """One case's squared error with its numbers: '(2w₁ + 40w₂ − 5)²'."""
    inner = signed_terms([(x1, W[0]), (x2, W[1]), (-t, "")], fmt=fmt)
    return f"({inner.replace(' w', 'w')})\u00b2"


def fmt_pct(fraction: float) -> str:
    """0.901 -> '90.1%', 0.00025 -> '0.025%'."""
    pct = 100 * fraction
    return f"{fmt_num(pct, 1)}%" if pct >= 0.1 else f"{fmt_sig(pct, 2)}%"
