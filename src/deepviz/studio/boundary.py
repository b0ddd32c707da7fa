"""A class boundary typed by the user, such as ``y > sin(3*x)``, evaluated over points with torch.

Python's parser reads the text; only the node types listed here are accepted: numbers, the
names x and y (x1 and x2 also work) and pi, arithmetic, comparisons (chained too), and/or/not,
and calls of the functions in :data:`FUNCTIONS`. Nothing is ever ``eval``-ed. Errors are one
line (:class:`~deepviz.expr.ExprError`).
"""
from __future__ import annotations

import ast
import math
import operator
from typing import Callable

import torch

from ..expr import ExprError, suggest

MAX_LENGTH = 200
FUNCTIONS: dict[str, Callable] = {
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "exp": torch.exp, "abs": torch.abs,
    "sqrt": lambda t: torch.sqrt(t.clamp(min=0)), "log": lambda t: torch.log(t.clamp(min=1e-12)),
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "min": torch.minimum, "max": torch.maximum,
}
ARITY = {"min": 2, "max": 2}
NAMES = {"x": 0, "y": 1, "x1": 0, "x2": 1}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.Pow: operator.pow, ast.Mod: torch.remainder}
COMBINE = "and/or/not combine conditions, such as x > 0 and y > 0"
COMPARE = {ast.Lt: torch.lt, ast.LtE: torch.le, ast.Gt: torch.gt, ast.GtE: torch.ge}


def parse(text: str) -> ast.Expression:
    """The checked syntax tree of a boundary; it must be a condition (a comparison, and/or/not)."""
    text = text.strip()
    if not text:
        raise ExprError("write a condition on x and y, such as y > sin(3*x)")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"at most {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ExprError(f"not a formula: {err.msg} at character {err.offset or 0}") from None
    if not _is_condition(tree.body):
        raise ExprError("the formula must be a condition that is true for class 1, such as y > sin(3*x)")
    _check(tree.body)
    return tree


def _is_condition(e: ast.AST) -> bool:
    return (isinstance(e, ast.Compare) or isinstance(e, ast.BoolOp)
            or (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)))


def _check(e: ast.AST) -> None:
    if isinstance(e, ast.Constant):
        if not isinstance(e.value, (int, float)) or isinstance(e.value, bool):
            raise ExprError(f"only numbers are allowed, not {e.value!r}")
    elif isinstance(e, ast.Name):
        if e.id not in NAMES and e.id != "pi":
            raise ExprError(f"unknown name {e.id!r}: use x and y" + suggest(e.id, [*NAMES, "pi"]))
    elif isinstance(e, ast.BinOp) and type(e.op) in BINARY:
        _check(e.left)
        _check(e.right)
    elif isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd, ast.Not)):
        if isinstance(e.op, ast.Not) and not _is_condition(e.operand):
            raise ExprError(COMBINE)
        _check(e.operand)
    elif isinstance(e, ast.Compare) and all(type(op) in COMPARE for op in e.ops):
        for part in (e.left, *e.comparators):
            _check(part)
    elif isinstance(e, ast.BoolOp):
        for part in e.values:
            if not _is_condition(part):
                raise ExprError(COMBINE)
            _check(part)
    elif isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and not e.keywords:
        if e.func.id not in FUNCTIONS:
            raise ExprError(f"unknown function {e.func.id!r}; allowed: {', '.join(FUNCTIONS)}"
                            + suggest(e.func.id, list(FUNCTIONS)))
        want = ARITY.get(e.func.id, 1)
        if len(e.args) != want:
            raise ExprError(f"{e.func.id} takes {want} argument{'s' if want > 1 else ''}")
        for a in e.args:
            _check(a)
    else:
        raise ExprError(f"{type(e).__name__} is not allowed; use numbers, x, y, + - * / ** %, "
                        "comparisons, and/or/not and the functions " + ", ".join(FUNCTIONS))


def labels(text: str, points: torch.Tensor) -> torch.Tensor:
    """Class 1 where the condition holds, else 0, for (n, 2) points."""
    tree = parse(text)
    with torch.no_grad():
        value = _eval(tree.body, points[:, 0], points[:, 1])
    if not isinstance(value, torch.Tensor) or value.dtype != torch.bool:
        raise ExprError("the formula must be a condition, such as y > sin(3*x)")
    return value.expand(len(points)).long()


def _eval(e: ast.AST, x: torch.Tensor, y: torch.Tensor):
    if isinstance(e, ast.Constant):
        return torch.tensor(float(e.value))  # pyright: ignore[reportArgumentType]  # checked by the parser
    if isinstance(e, ast.Name):
        return torch.tensor(math.pi) if e.id == "pi" else (x, y)[NAMES[e.id]]
    if isinstance(e, ast.BinOp):  # a condition in arithmetic counts as 0 or 1 (torch has no bool arithmetic)
        return BINARY[type(e.op)](_number(_eval(e.left, x, y)), _number(_eval(e.right, x, y)))
    if isinstance(e, ast.UnaryOp):
        v = _eval(e.operand, x, y)
        if isinstance(e.op, ast.Not):
            return torch.logical_not(_bool(v))
        return -_number(v) if isinstance(e.op, ast.USub) else v
    if isinstance(e, ast.Compare):
        parts = [_eval(p, x, y) for p in (e.left, *e.comparators)]
        out = torch.tensor(True)
        for op, a, b in zip(e.ops, parts, parts[1:]):
            out = out & COMPARE[type(op)](a, b)
        return out
    if isinstance(e, ast.BoolOp):
        values = [_bool(_eval(v, x, y)) for v in e.values]
        combine = torch.logical_and if isinstance(e.op, ast.And) else torch.logical_or
        out = values[0]
        for v in values[1:]:
            out = combine(out, v)
        return out
    assert isinstance(e, ast.Call)
    return FUNCTIONS[e.func.id](*[_number(_eval(a, x, y)) for a in e.args])  # pyright: ignore[reportAttributeAccessIssue]


def _bool(v: torch.Tensor) -> torch.Tensor:
    if v.dtype != torch.bool:
        raise ExprError(COMBINE)
    return v


def _number(v: torch.Tensor) -> torch.Tensor:
    return v.float() if v.dtype == torch.bool else v
