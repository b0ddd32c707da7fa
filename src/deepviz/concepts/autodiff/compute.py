"""Forward and backward pass on a computational graph, computed with torch: params -> Trace.

Forward: each node's value from its inputs, in topological order (torch ops on float64).
Backward (reverse-mode automatic differentiation): the adjoint of node c is

    dL/dc = sum over consumers p of  dL/dp * dp/dc

where the local derivative dp/dc comes from ``torch.autograd.grad`` of p's operation alone.
The tests compare every adjoint with ``torch.autograd.grad`` of the whole graph.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ...expr import Graph, Node, parse_program
from ...params import ParamError
from ...style.numbers import fmt_sig, tex_number
from ...trace import Trace, to_plain
from . import notation as nt
from .params import expression_error, parse_inputs
from .schema import AutodiffData

OPS = {
    "add": lambda a, n: a[0] + a[1],
    "sub": lambda a, n: a[0] - a[1],
    "mul": lambda a, n: a[0] * a[1],
    "div": lambda a, n: a[0] / a[1],
    "pow": lambda a, n: torch.pow(a[0], a[1]),
    "neg": lambda a, n: -a[0],
    "exp": lambda a, n: torch.exp(a[0]),
    "log": lambda a, n: torch.log(a[0]),
    "sigmoid": lambda a, n: torch.sigmoid(a[0]),
    "tanh": lambda a, n: torch.tanh(a[0]),
    "relu": lambda a, n: torch.relu(a[0]),
    "sum": lambda a, n: torch.stack([_as_tensor(x, a) for x in a]).sum(),
    "softmax": lambda a, n: torch.softmax(torch.stack([_as_tensor(x, a) for x in a]), 0)[n.extra],
}


def _as_tensor(x, args) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    ref = next(t for t in args if isinstance(t, torch.Tensor))
    return torch.tensor(x, dtype=ref.dtype)


def apply(node: Node, args: list) -> torch.Tensor:
    """One node's operation on tensors (and constants)."""
    return OPS[node.op](args, node)


def forward(graph: Graph, inputs: dict[str, float]) -> dict[int, torch.Tensor]:
    """Every node's value; inputs are leaves that require grad (for the reference and the locals)."""
    values: dict[int, torch.Tensor] = {}
    for n in graph.nodes:
        if n.op == "input":
            values[n.id] = torch.tensor(inputs[n.name], dtype=torch.float64, requires_grad=True)
        else:
            values[n.id] = apply(n, [a if isinstance(a, float) else values[a] for a in n.args])
    return values


def local_derivatives(graph: Graph, node: Node, values: dict[int, torch.Tensor]) -> dict[int, float]:
    """d node / d input for each distinct input of ``node``, by autograd of that one operation."""
    ids = list(dict.fromkeys(node.inputs()))
    leaves = {i: values[i].detach().clone().requires_grad_(True) for i in ids}
    out = apply(node, [a if isinstance(a, float) else leaves[a] for a in node.args])
    grads = torch.autograd.grad(out, [leaves[i] for i in ids], allow_unused=True)
    return {i: (g.item() if g is not None else 0.0) for i, g in zip(ids, grads)}


def backward(graph: Graph, values: dict[int, torch.Tensor]) -> tuple[dict[int, torch.Tensor], dict[int, dict]]:
    """Adjoints by the chain rule in reverse topological order; also each node's local derivatives."""
    locals_ = {n.id: local_derivatives(graph, n, values) for n in graph.nodes if n.op != "input"}
    adjoint = {graph.output: torch.tensor(1.0, dtype=torch.float64)}
    for n in reversed(graph.nodes):
        if n.id == graph.output:
            continue
        terms = [adjoint[p] * locals_[p][n.id] for p in graph.consumers(n.id)]
        adjoint[n.id] = torch.stack(terms).sum()
    return adjoint, locals_


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    graph = parse_program(values["expr"])
    inputs = parse_inputs(graph, values["values"])
    vals = forward(graph, inputs)
    bad = next((n for n in graph.nodes if not torch.isfinite(vals[n.id])), None)
    if bad is not None:
        raise expression_error(f"'{bad.name}' is {vals[bad.id].item()} for these values "
                               f"(e.g. the log of a number <= 0, or a division by zero)")
    adj, locals_ = backward(graph, vals)
    check_derivatives(graph, adj, locals_)
    v = {i: t.item() for i, t in vals.items()}
    g = {i: t.item() for i, t in adj.items()}
    data = describe(graph, v, g, locals_)
    plain: AutodiffData = to_plain(data)
    return Trace(concept="autodiff", params={}, data=plain, narration=narration(graph, plain), preset=preset)


def check_derivatives(graph: Graph, adj: dict[int, torch.Tensor], locals_: dict[int, dict]) -> None:
    """Every local derivative and gradient must be a number (a square root's slope at 0 is not)."""
    for p, derivatives in locals_.items():
        for i, d in derivatives.items():
            if not math.isfinite(d):
                raise ParamError("values", f"the derivative \u2202{graph.node(p).name}/\u2202{graph.node(i).name} "
                                           f"is {d} at these values (e.g. a square root's slope at 0); choose "
                                           f"other values")
    out = graph.node(graph.output).name
    for i, g in adj.items():
        if not torch.isfinite(g):
            raise ParamError("values", f"the gradient \u2202{out}/\u2202{graph.node(i).name} is {g.item()} at "
                                       f"these values (a product of huge derivatives); choose other values")


# -- the trace: numbers from above, written out ------------------------------------------------
def tex_value(x: float) -> str:
    """A number inside a formula: negatives in parentheses."""
    text = tex_number(fmt_sig(x))
    return f"({text})" if text.startswith("-") else text


def describe(graph: Graph, v: dict[int, float], g: dict[int, float], locals_: dict[int, dict]) -> dict[str, Any]:
    names = {n.id: nt.tex_name(n.name) for n in graph.nodes}
    by_name = names.__getitem__
    by_value = lambda i: tex_value(v[i])  # noqa: E731
    out = graph.output
    L = names[out]
    nodes = []
    for n in graph.nodes:
        entry = {
            "id": n.id, "name": n.name, "label": nt.uni_name(n.name), "tex": names[n.id], "op": n.op,
            "inputs": list(dict.fromkeys(n.inputs())), "value": v[n.id], "grad": g[n.id],
            "value_text": fmt_sig(v[n.id], 3), "grad_text": fmt_sig(g[n.id], 3),  # labels on the graph
        }
        if n.op != "input":
            expr = nt.tex_expr(graph, n.id, by_name, lambda i: False)
            entry["definition"] = f"{names[n.id]} = {expr}"
            entry["forward"] = (f"{names[n.id]} = {expr} = {nt.tex_expr(graph, n.id, by_value, lambda i: False)}"
                                f" = {tex_number(fmt_sig(v[n.id]))}")
        nodes.append(entry)

    backward_steps = []
    for n in reversed(graph.nodes):
        if n.id == out:
            continue
        consumers = graph.consumers(n.id)
        d = lambda p: f"\\frac{{\\partial {L}}}{{\\partial {names[p]}}}"  # noqa: E731
        dd = lambda p: f"\\frac{{\\partial {names[p]}}}{{\\partial {names[n.id]}}}"  # noqa: E731
        terms = [{
            "consumer": p, "consumer_grad": g[p], "local": locals_[p][n.id], "product": g[p] * locals_[p][n.id],
        } for p in consumers]
        chain = " + ".join(f"{d(p)}\\,{dd(p)}" if p != out else dd(p) for p in consumers)
        local_syms = " + ".join(_product(d(p) if p != out else "", nt.tex_local(graph, p, n.id, by_name))
                                for p in consumers)
        local_vals = " + ".join(_product(tex_value(g[p]) if p != out else "", nt.tex_local(graph, p, n.id, by_value))
                                for p in consumers)
        backward_steps.append({
            "node": n.id, "terms": terms, "grad": g[n.id],
            "lines": _derivation(d(n.id), [chain, local_syms, local_vals, tex_number(fmt_sig(g[n.id]))]),
        })

    return {
        "program": program_text(graph),
        "inputs": {n.name: v[n.id] for n in graph.inputs()},
        "output": out,
        "nodes": nodes,
        "edges": [list(e) for e in graph.edges()],
        "full": f"{L} = {nt.tex_expr(graph, out, by_name, lambda i: True)}",
        "decomposition": decomposition(graph, names),
        "forward": [n.id for n in graph.nodes if n.op != "input"],
        "backward_seed": f"\\frac{{\\partial {L}}}{{\\partial {L}}} = 1",
        "backward": backward_steps,
    }


def _derivation(lhs: str, steps: list[str]) -> list[str]:
    """``lhs = step1``, ``= step2``, ...; a step equal to the one before it (or to lhs) is left out."""
    def bare(s: str) -> str:  # "(-1.9)" and "-1.9" are the same step
        return s[1:-1] if s.startswith("(") and s.endswith(")") and "(" not in s[1:-1] else s

    kept = [lhs]
    for step in steps:
        if bare(step) != bare(kept[-1]):
            kept.append(step)
        elif len(kept) > 1:
            kept[-1] = step  # the later form: the plain number rather than "(-0.24)"
    return [f"{lhs} = {kept[1]}", *(f"= {s}" for s in kept[2:])]


def _product(left: str, right: str) -> str:
    if not left:
        return right
    if right == "1":
        return left
    if right.startswith("-") or _top_level_sum(right):
        right = f"\\left({right}\\right)"
    return f"{left}\\cdot {right}"


def _top_level_sum(tex: str) -> bool:
    """Whether ``tex`` has a + or - outside any group (so it needs parentheses as a factor)."""
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0:
            return True
    return False


def decomposition(graph: Graph, names: dict[int, str]) -> list[dict[str, Any]]:
    """Name the intermediates from the result down: after each step, the list of definitions.

    A node is named once all its consumers are; until then it stays written out inside them.
    """
    order = [n.id for n in reversed(graph.nodes) if n.op != "input"]
    named: list[int] = []
    steps = []
    for i in order:
        named.append(i)
        inline = (lambda known: (lambda j: j not in known))(set(named))
        lines = [f"{names[j]} = {nt.tex_expr(graph, j, names.__getitem__, inline)}" for j in named]
        steps.append({"named": i, "lines": lines})
    return steps


def program_text(graph: Graph) -> str:
    """The graph as an assignment program, one line per operation (names as the user gave)."""
    plain = {n.id: n.name for n in graph.nodes}
    lines = []
    for n in graph.nodes:
        if n.op != "input":
            lines.append(f"{n.name} = {_plain_expr(graph, n, plain)}")
    return "; ".join(lines)


def _plain_expr(graph: Graph, n: Node, plain: dict[int, str]) -> str:
    args = [f"{a:g}" if isinstance(a, float) else plain[a] for a in n.args]
    infix = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}
    if n.op in infix:
        return f"{args[0]} {infix[n.op]} {args[1]}"
    if n.op == "neg":
        return f"-{args[0]}"
    if n.op == "softmax":
        return f"softmax({(n.extra or 0) + 1}, {', '.join(args)})"
    return f"{n.op}({', '.join(args)})"


def narration(graph: Graph, t: AutodiffData) -> dict[str, str]:
    nodes = t["nodes"]
    out = nodes[t["output"]]
    ins = ", ".join(f"{nt.uni_name(k)} = {fmt_sig(v)}" for k, v in t["inputs"].items())
    inputs = [n for n in nodes if n["op"] == "input"]
    shared = sorted((n for n in nodes if len(graph.consumers(n["id"])) > 1), key=lambda n: n["op"] == "input")
    shared_text = (f" {shared[0]['label']} feeds {len(graph.consumers(shared[0]['id']))} nodes, so its gradient "
                   f"is the sum of {len(graph.consumers(shared[0]['id']))} contributions." if shared else "")
    grads = ", ".join(f"\u2202{out['label']}/\u2202{n['label']} = {n['grad_text']}" for n in inputs[:4])
    if len(inputs) > 4:
        grads += f"; the other {len(inputs) - 4} are on the graph"
    return {
        "intro": f"Automatic differentiation of {out['label']} with {ins}.",
        "decompose": f"Break the formula into named steps: {len(t['decomposition'])} operations, "
                     f"each with its own name.",
        "graph": f"One node per quantity, one edge per dependency: {len(nodes)} nodes, {len(t['edges'])} edges.",
        "forward": f"Forward pass: values flow from the inputs to {out['label']} = {out['value_text']}.",
        "backward": f"Backward pass: start with \u2202{out['label']}/\u2202{out['label']} = 1 and apply the chain "
                    f"rule from the output back to the inputs.{shared_text}",
        "result": f"The gradients of the inputs: {grads}.",
    }
