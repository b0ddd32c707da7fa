"""The autodiff parameters: a program (checked with the whitelist parser) and its input values."""
from __future__ import annotations

from typing import Any

from ...expr import ExprError, Graph, parse_program, parse_values
from ...params import ParamError, ParamSet, Str

MAX_NODES = 32  # beyond this the graph no longer reads at 480p

SOFTMAX_SQUARED_ERROR = "z1 = exp(h1); z2 = exp(h2); T = z1 + z2; y = z1 / T; D = t - y; L = D**2"
MLP_2_2_1 = ("a1 = w1*x1 + w2*x2; a2 = w3*x1 + w4*x2; h1 = sigmoid(a1); h2 = sigmoid(a2); "
             "y = w5*h1 + w6*h2; D = t - y; L = D**2")


def expression_error(message: str) -> ParamError:
    return ParamError("expr", message)


def parse_inputs(graph: Graph, text: str) -> dict[str, float]:
    """The values of the graph's inputs; every input needs one, and nothing else is allowed."""
    try:
        values = parse_values(text)
    except ExprError as err:
        raise ParamError("values", str(err)) from None
    names = [n.name for n in graph.inputs()]
    missing = [n for n in names if n not in values]
    if missing:
        raise ParamError("values", f"no value for {', '.join(missing)} (the expression's inputs: {', '.join(names)})")
    extra = [n for n in values if n not in names]
    if extra:
        raise ParamError("values", f"'{extra[0]}' is not an input of the expression (its inputs: {', '.join(names)})")
    return values


def check(values: dict[str, Any]) -> None:
    try:
        graph = parse_program(values["expr"])
    except ExprError as err:
        raise expression_error(str(err)) from None
    out = graph.node(graph.output)
    if out.op == "input":
        raise expression_error(f"the result is the input {out.name} itself; there is no operation to "
                               f"differentiate (write one, e.g. {out.name}**2)")
    if len(graph.nodes) > MAX_NODES:
        raise expression_error(f"the graph has {len(graph.nodes)} nodes; at most {MAX_NODES} stay readable")
    parse_inputs(graph, values["values"])


PARAMS = ParamSet(
    (
        Str("expr", SOFTMAX_SQUARED_ERROR,
            "the function: one expression, or 'name = expression' steps separated by ';' (the last is the "
            "output); numbers, names, + - * / **, exp, log, sigmoid, tanh, relu, sum(a, b, ...), "
            "softmax(k, x1, ..., xn)", max_length=2000),
        Str("values", "h1=0, h2=3, t=1", "a value for every input name, e.g. 'x=2, w=-1'"),
    ),
    cross_check=check,
    numbers_in=("values",),
)
