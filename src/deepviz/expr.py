"""Arithmetic expressions typed by users, parsed with a whitelist into a graph (never ``eval``).

A *program* is one expression, or several assignments separated by ``;`` or new lines whose
last statement is the result::

    z1 = exp(h1); z2 = exp(h2); y = z1 / (z1 + z2); L = (t - y)**2

Python's parser reads the text into a syntax tree; only the node types listed below are
accepted (numbers, names, ``+ - * / **``, unary minus, calls of whitelisted functions).
Equal sub-expressions become one node, so ``exp(h1)`` written twice is one node with two
consumers, as in a computational graph. Errors are :class:`ExprError` with one line.
"""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from .params import short

MAX_LENGTH = 2000
MAX_DEPTH = 100  # syntax-tree levels; the builder recurses once per level (Python's stack holds ~1000)


class ExprError(ValueError):
    """An expression that is not allowed; ``str(err)`` is one line for the user."""


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None  # None: any number (sum)
    help: str


FUNCTIONS = {f.name: f for f in (
    Function("exp", 1, 1, "e to the power x"),
    Function("log", 1, 1, "natural logarithm"),
    Function("sigmoid", 1, 1, "1 / (1 + e^-x)"),
    Function("tanh", 1, 1, "hyperbolic tangent"),
    Function("relu", 1, 1, "max(0, x)"),
    Function("sum", 2, None, "the sum of its arguments"),
    Function("softmax", 3, None, "softmax(k, x1, ..., xn): the k-th component (1-based) of softmax(x1..xn)"),
)}

BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass
class Node:
    """One vertex of the graph: an input (``op == "input"``) or an operation on ``args``.

    ``args`` holds other nodes' ids, or constants as floats (a constant is part of its
    operation, not a vertex: the 2 of ``D**2``). ``name`` is the user's name or one given
    automatically (u1, u2, ...).
    """

    id: int
    op: str
    args: tuple = ()
    name: str = ""
    named_by_user: bool = False
    extra: int | None = None  # softmax's component index (0-based)

    def key(self) -> tuple:
        # constants and node ids tagged apart: 2.0 == 2 in Python, and node 2 is not the number 2
        return (self.op, tuple(("c", a) if isinstance(a, float) else ("n", a) for a in self.args), self.extra)

    def inputs(self) -> list[int]:
        return [a for a in self.args if isinstance(a, int) and not isinstance(a, bool)]


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)  # in topological order: inputs before users
    output: int = -1

    def node(self, i: int) -> Node:
        return self.nodes[i]

    def by_name(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def inputs(self) -> list[Node]:
        return [n for n in self.nodes if n.op == "input"]

    def consumers(self, i: int) -> list[int]:
        """Nodes that read node ``i`` (each once, in topological order)."""
        return [n.id for n in self.nodes if i in n.inputs()]

    def edges(self) -> list[tuple[int, int]]:
        """(from, to) pairs, one per dependency."""
        return [(a, n.id) for n in self.nodes for a in dict.fromkeys(n.inputs())]


def suggest(word: str, options) -> str:
    """' (did you mean X?)' for the closest of ``options``, or nothing (for one-line errors)."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _const(arg) -> bool:
    return isinstance(arg, float)


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.graph = Graph()
        self.index: dict[tuple, int] = {}
        self.names: dict[str, int] = {}  # user names (assigned or inputs) -> node id

    def add(self, op: str, args: tuple = (), name: str = "", extra: int | None = None) -> int | float:
        node = Node(len(self.graph.nodes), op, args, name, bool(name), extra)
        if op != "input" and all(_const(a) for a in args):
            raise ExprError(f"'{_source(op, args)}' has no variable in it; write its value as a number")
        key = node.key() if op != "input" else ("input", name)
        if key in self.index:
            return self.index[key]
        self.graph.nodes.append(node)
        self.index[key] = node.id
        return node.id

    def expr(self, e: ast.AST):
        if isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
            try:
                return float(e.value)
            except OverflowError:  # an integer literal beyond the largest float
                raise ExprError(f"a number of {len(str(e.value))} digits is too large") from None
        if isinstance(e, ast.Name):
            if e.id in self.names:
                return self.names[e.id]
            if e.id in FUNCTIONS:
                raise ExprError(f"'{_short(e.id)}' is a function; call it as {e.id}(...)")
            self._check_name(e.id)
            nid = self.add("input", name=e.id)
            self.names[e.id] = nid  # pyright: ignore[reportArgumentType]  # an operation's id here
            return nid
        if isinstance(e, ast.BinOp) and type(e.op) in BINARY:
            return self.add(BINARY[type(e.op)], (self.expr(e.left), self.expr(e.right)))
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
            arg = self.expr(e.operand)
            if isinstance(e.op, ast.UAdd):
                return arg
            return -arg if _const(arg) else self.add("neg", (arg,))
        if isinstance(e, ast.Call):
            return self.call(e)
        raise ExprError(f"'{_segment(self.text, e)}' is not allowed: use numbers, names, + - * / ** and "
                        f"the functions {', '.join(FUNCTIONS)}")

    def call(self, e: ast.Call):
        if not isinstance(e.func, ast.Name):
            raise ExprError(f"'{_segment(self.text, e.func)}' is not a function name")
        fn = FUNCTIONS.get(e.func.id)
        if fn is None:
            raise ExprError(f"unknown function '{_short(e.func.id)}'{suggest(e.func.id, FUNCTIONS)}; "
                            f"allowed: {', '.join(FUNCTIONS)}")
        if e.keywords:
            raise ExprError(f"{fn.name}() takes no keyword arguments")
        n = len(e.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            want = (f"{fn.min_args}" if fn.max_args == fn.min_args else
                    f"at least {fn.min_args}" if fn.max_args is None else f"{fn.min_args} to {fn.max_args}")
            raise ExprError(f"{fn.name}() takes {want} argument{'s' if want != '1' else ''}, got {n}")
        if fn.name == "softmax":
            k = self.expr(e.args[0])
            parts = tuple(self.expr(a) for a in e.args[1:])
            if not _const(k) or k != int(k) or not 1 <= k <= len(parts):
                raise ExprError(f"softmax(k, x1, ..., xn): k must be a whole number from 1 to {len(parts)}")
            return self.add("softmax", parts, extra=int(k) - 1)
        args = tuple(self.expr(a) for a in e.args)
        if fn.name == "sum":
            return self.add("sum", args)
        return self.add(fn.name, args)

    def _check_name(self, name: str) -> None:
        if not NAME.match(name):
            raise ExprError(f"'{_short(name)}' is not a valid name (a letter, then letters, digits or _)")

    def statement(self, stmt: ast.stmt) -> int | float:
        if isinstance(stmt, ast.Expr):
            return self.expr(stmt.value)
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if name in FUNCTIONS:
                raise ExprError(f"'{name}' is a function name and cannot be assigned")
            self._check_name(name)
            if name in self.names:
                raise ExprError(f"'{_short(name)}' is assigned twice (or used before it is assigned)")
            value = self.expr(stmt.value)
            if isinstance(value, float):  # a constant (see _const); otherwise an operation's id
                raise ExprError(f"'{_short(name)}' is a constant; write its value where it is used")
            node = self.graph.node(value)
            if node.op == "input" or node.named_by_user:
                raise ExprError(f"'{_short(name)} = {_short(node.name)}' only renames; use {_short(node.name)} directly")
            node.name, node.named_by_user = name, True
            self.names[name] = value
            return value
        raise ExprError(f"'{_segment(self.text, stmt)}' is not allowed: write 'name = expression' or an expression")


def parse_program(text: str) -> Graph:
    """Parse a program into a :class:`Graph`; raise :class:`ExprError` for anything not allowed."""
    if not text.strip():
        raise ExprError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    # the builder quotes spans of the text the tree was parsed from: after ^ became **
    source = "\n".join(part.strip() for part in re.split(r"[;\n]", text)).replace("^", "**")
    try:
        tree = ast.parse(source, mode="exec")
    except SyntaxError as err:
        raise ExprError(f"cannot read the expression near '{_short(err.text or '')}' ({err.msg})") from None
    except (RecursionError, MemoryError):  # CPython's parser gives up on very deep nesting
        raise ExprError(f"the expression is nested too deeply; at most {MAX_DEPTH} levels are allowed") from None
    if not tree.body:
        raise ExprError("the expression is empty")
    depth = _depth(tree)
    if depth > MAX_DEPTH:
        raise ExprError(f"the expression is nested {depth} levels deep (a long chain of operations counts as "
                        f"nesting); at most {MAX_DEPTH} are allowed")
    b = _Builder(source)
    result = None
    for stmt in tree.body:
        result = b.statement(stmt)
    if _const(result):
        raise ExprError("the result is a constant; the expression needs at least one variable")
    graph = _reachable(b.graph, result)  # pyright: ignore[reportArgumentType]  # an operation's id here
    _name_unnamed(graph)
    return graph


def _reachable(graph: Graph, output: int) -> Graph:
    """Keep the nodes the result depends on (an unused assignment is an error), renumbered."""
    keep, stack = set(), [output]
    while stack:
        i = stack.pop()
        if i not in keep:
            keep.add(i)
            stack.extend(graph.node(i).inputs())
    unused = [n.name for n in graph.nodes if n.id not in keep and n.named_by_user and n.op != "input"]
    if unused:
        raise ExprError(f"'{_short(unused[0])}' is assigned but the result does not use it")
    new_id = {old: new for new, old in enumerate(sorted(keep))}
    nodes = []
    for n in graph.nodes:
        if n.id in keep:
            args = tuple(new_id[a] if not _const(a) else a for a in n.args)
            nodes.append(Node(new_id[n.id], n.op, args, n.name, n.named_by_user, n.extra))
    return Graph(nodes, new_id[output])


def _name_unnamed(graph: Graph) -> None:
    """Name the result L (or f) and the other unnamed operations u1, u2, ... in order."""
    taken = {n.name for n in graph.nodes if n.name}
    out = graph.node(graph.output)
    if not out.name:
        out.name = next(c for c in ("L", "f", "out", "result") if c not in taken)
        taken.add(out.name)
    k = 0
    for n in graph.nodes:
        if not n.name:
            k += 1
            while f"u{k}" in taken:
                k += 1
            n.name = f"u{k}"


def _depth(tree: ast.AST) -> int:
    """How many levels the syntax tree has, counted without recursion (it may be deeper than the stack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _segment(text: str, node: ast.AST) -> str:
    return _short(ast.get_source_segment(text, node) or type(node).__name__)


def _short(text: str) -> str:
    return short(text, 40)


def _source(op: str, args: tuple) -> str:
    return f"{op}({', '.join(str(a) for a in args)})"


def parse_values(text: str) -> dict[str, float]:
    """``"x=2, w=-1"`` -> {"x": 2.0, "w": -1.0}; raise :class:`ExprError` on anything else."""
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[,;\s]+(?=[A-Za-z])", text.strip()))):
        name, eq, number = (s.strip() for s in part.partition("="))
        if not eq or not NAME.match(name):
            raise ExprError(f"'{_short(part)}' is not name=number")
        try:
            value = float(number.rstrip(","))
        except ValueError:
            raise ExprError(f"'{_short(part)}': {_short(number)!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ExprError(f"'{_short(part)}': the value must be finite")
        if name in values:
            raise ExprError(f"'{_short(name)}' is given twice")
        values[name] = value
    return values
