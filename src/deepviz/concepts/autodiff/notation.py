"""How a graph's nodes and their derivatives are written: LaTeX for formulas, Unicode for labels.

Only notation lives here; every number is computed in ``compute.py`` and passed in as text.
A *symbol* callback decides how a node appears inside a formula: by its name, inlined as
its own expression, or as its value.
"""
from __future__ import annotations

import re
from typing import Callable

from ...expr import Graph, Node

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "nu", "xi", "pi", "rho",
         "sigma", "tau", "phi", "chi", "psi", "omega"}
SUBSCRIPT = str.maketrans("0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089")
GREEK_UNI = dict(zip(sorted(GREEK), "\u03b1\u03b2\u03c7\u03b4\u03b5\u03b7\u03b3\u03bb\u03bc\u03bd\u03c9\u03c6\u03c0\u03c8"
                                     "\u03c1\u03c3\u03c4\u03b8\u03be"))
_PARTS = re.compile(r"^([A-Za-z]+?)_?(\d*)$")

# precedence: how tightly an operation binds (an argument binding less tightly gets parentheses)
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5
PRECEDENCE = {"add": SUM, "sub": SUM, "sum": SUM, "mul": PRODUCT, "div": POWER, "neg": UNARY, "pow": POWER,
              "exp": POWER}

Symbol = Callable[[int], str]


def tex_name(name: str) -> str:
    """z1 -> z_{1}, alpha -> \\alpha, x_in -> x_{\\mathrm{in}}."""
    m = _PARTS.match(name)
    if m:
        stem, digits = m.groups()
        stem = f"\\{stem}" if stem in GREEK else stem if len(stem) == 1 else f"\\mathit{{{stem}}}"
        return f"{stem}_{{{digits}}}" if digits else stem
    stem, _, rest = name.partition("_")
    stem = f"\\{stem}" if stem in GREEK else stem if len(stem) == 1 else f"\\mathit{{{stem}}}"
    return f"{stem}_{{\\mathrm{{{rest.replace('_', ' ')}}}}}" if rest else stem


def uni_name(name: str) -> str:
    """z1 -> z₁, alpha -> α (for plain-text labels)."""
    m = _PARTS.match(name)
    if m:
        stem, digits = m.groups()
        return GREEK_UNI.get(stem, stem) + digits.translate(SUBSCRIPT)
    return name


def tex_const(value: float) -> str:
    text = f"{value:g}"
    return text if "e" not in text else f"{value:.3g}"


def precedence(node: Node) -> int:
    return PRECEDENCE.get(node.op, ATOM)


def tex_expr(graph: Graph, i: int, symbol: Symbol, inline: Callable[[int], bool]) -> str:
    """The expression of node ``i``: arguments for which ``inline`` is true are written out."""
    node = graph.node(i)

    def arg(a, binds: int) -> str:
        if isinstance(a, float):
            text = tex_const(a)
            return f"({text})" if a < 0 and binds > SUM else text
        if inline(a) and graph.node(a).op != "input":
            text = tex_expr(graph, a, symbol, inline)
            return f"\\left({text}\\right)" if precedence(graph.node(a)) < binds else text
        return symbol(a)

    a = node.args
    if node.op in ("add", "sum"):
        return " + ".join(arg(x, SUM) for x in a)
    if node.op == "sub":
        return f"{arg(a[0], SUM)} - {arg(a[1], PRODUCT)}"
    if node.op == "mul":
        return f"{arg(a[0], PRODUCT)} \\cdot {arg(a[1], PRODUCT + 1)}"
    if node.op == "div":
        return f"\\frac{{{arg(a[0], 0)}}}{{{arg(a[1], 0)}}}"
    if node.op == "neg":
        return f"-{arg(a[0], POWER)}"
    if node.op == "pow":
        return f"{arg(a[0], ATOM)}^{{{arg(a[1], 0)}}}"
    if node.op == "exp":
        return f"e^{{{arg(a[0], 0)}}}"
    if node.op == "softmax":
        return f"\\mathrm{{softmax}}_{{{(node.extra or 0) + 1}}}({', '.join(arg(x, 0) for x in a)})"
    fn = {"log": "\\log", "sigmoid": "\\sigma", "tanh": "\\tanh", "relu": "\\mathrm{relu}"}[node.op]
    return f"{fn}\\left({arg(a[0], 0)}\\right)"


def tex_local(graph: Graph, i: int, j: int, symbol: Symbol) -> str:
    """The local derivative d node_i / d node_j, written with ``symbol`` for every node."""
    node = graph.node(i)
    terms = [_local_term(graph, node, pos, symbol) for pos, a in enumerate(node.args) if a == j
             and not isinstance(a, float)]
    return " + ".join(terms)


def _local_term(graph: Graph, node: Node, pos: int, symbol: Symbol) -> str:
    a = node.args

    def s(x, wrap: bool = True) -> str:
        if isinstance(x, float):
            text = tex_const(x)
            return f"({text})" if wrap and x < 0 else text
        text = symbol(x)
        return f"\\left({text}\\right)" if wrap and text.startswith("-") else text

    me = symbol(node.id)
    op = node.op
    if op in ("add", "sum"):
        return "1"
    if op == "sub":
        return "1" if pos == 0 else "-1"
    if op == "neg":
        return "-1"
    if op == "mul":
        return s(a[1 - pos], wrap=False)
    if op == "div":
        return f"\\frac{{1}}{{{s(a[1], False)}}}" if pos == 0 else f"-\\frac{{{s(a[0], False)}}}{{{s(a[1])}^{{2}}}}"
    if op == "pow":
        base, k = a
        if pos == 0:
            if isinstance(k, float):
                power = "" if k == 2 else f"^{{{tex_const(k - 1)}}}"
                return f"{tex_const(k)} \\cdot {s(base)}{power}"
            return f"{s(k)}\\,{s(base)}^{{{s(k, False)} - 1}}"
        return f"{s(base)}^{{{s(k, False)}}}\\,\\ln {s(base)}"
    if op == "exp":
        return f"e^{{{s(a[0], False)}}}"
    if op == "log":
        return f"\\frac{{1}}{{{s(a[0], False)}}}"
    if op == "sigmoid":
        return f"{s(node.id)}\\left(1 - {s(node.id)}\\right)"
    if op == "tanh":
        return f"1 - {s(node.id)}^{{2}}"
    if op == "relu":
        return f"[{s(a[0], False)} > 0]"
    if op == "softmax":
        if pos == node.extra:
            return f"{me}\\left(1 - {me}\\right)"
        others = ", ".join(s(x, False) for x in a)
        return f"-{s(node.id)}\\,\\mathrm{{softmax}}_{{{pos + 1}}}({others})"
    raise ValueError(f"no derivative for {op}")  # pragma: no cover - the parser admits only the ops above
