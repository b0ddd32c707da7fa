"""The shape of a `autodiff` trace's data (docs/traces/autodiff.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Node(TypedDict):
    """`data.nodes[k]`."""

    id: int
    name: str
    label: str  # with Unicode subscripts
    tex: str  # LaTeX name
    op: str  # `input`, `add`, `sub`, `mul`, `div`, `pow`, `neg`, `exp`, `log`, `sigmoid`, `tanh`
    inputs: list[int]  # `{name: value}` of the input nodes
    value: float  # forward value
    grad: float  # dL/dnode
    value_text: str
    grad_text: str  # 3 significant digits, as drawn on the graph
    definition: NotRequired[str]  # `name = expression in its inputs' names`
    forward: NotRequired[str]  # ids of the operations in the order the forward pass computes them


class DecompositionItem(TypedDict):
    """`data.decomposition[k]`."""

    named: int
    lines: list[str]  # : the chain rule, the local derivatives written out, the values put in, the number


class Term(TypedDict):
    """`data.backward[k].terms[k]`."""

    consumer: int
    consumer_grad: float  # dL/dp
    local: float  # dp/dnode, from `torch.autograd.grad` of p's operation alone
    product: float


class BackwardStep(TypedDict):
    """`data.backward[k]`."""

    node: int
    terms: list[Term]  # , one per consumer p:
    grad: float  # dL/dnode
    lines: list[str]  # : the chain rule, the local derivatives written out, the values put in, the number


class AutodiffData(TypedDict):
    """`data`."""

    program: str  # the graph as a program, one `name = op(args)` per operation
    inputs: dict[str, float]  # `{name: value}` of the input nodes
    output: int  # id of the output node
    nodes: list[Node]  # in topological order (below); a node's id is its index
    edges: list[list[int]]  # `[from, to]` pairs, one per dependency
    full: str  # LaTeX of the output with every intermediate written out
    decomposition: list[DecompositionItem]  # naming steps from the output down: `{named: id, lines: [LaTeX definitions so far]}`
    forward: list[int]  # ids of the operations in the order the forward pass computes them
    backward_seed: str  # LaTeX of dL/dL = 1
    backward: list[BackwardStep]  # one step per node except the output, in reverse topological order (below)


DATA = AutodiffData  # the type of Trace.data (the contract test checks every preset against it)

