"""The shape of an `autodiff` trace's data (docs/traces/autodiff.md): no torch, no Manim.

Values are float64; a node's id is its index in `nodes`.
"""
from __future__ import annotations

from typing_extensions import NotRequired, TypedDict


class Node(TypedDict):
    """`data.nodes[k]`: one node of the graph, in topological order."""

    id: int
    name: str
    label: str  # with Unicode subscripts
    tex: str  # LaTeX name
    op: str  # input, add, sub, mul, div, pow, neg, exp, log, sigmoid, tanh, relu, sum, softmax
    inputs: list[int]  # ids of the arguments
    value: float  # forward value
    grad: float  # dL/dnode
    value_text: str  # 3 significant digits, as drawn on the graph
    grad_text: str
    definition: NotRequired[str]  # operations only: name = expression in its inputs' names
    forward: NotRequired[str]  # operations only: the definition with the values put in


class Decomposition(TypedDict):
    """`data.decomposition[k]`: one naming step, from the output down."""

    named: int  # the id named at this step
    lines: list[str]  # LaTeX definitions so far


class Term(TypedDict):
    """`data.backward[k].terms[i]`: the path through one consumer p."""

    consumer: int
    consumer_grad: float  # dL/dp
    local: float  # dp/dnode, from torch.autograd.grad of p's operation alone
    product: float


class BackwardStep(TypedDict):
    """`data.backward[k]`: one node's gradient, in reverse topological order."""

    node: int
    terms: list[Term]  # one per consumer
    grad: float  # the sum of the terms
    lines: list[str]  # the chain rule, the local derivatives, the values put in, the number


class AutodiffData(TypedDict):
    """`data`."""

    program: str  # the graph as a program, one `name = op(args)` per operation
    inputs: dict[str, float]  # the input nodes' values, by name
    output: int  # id of the output node
    nodes: list[Node]
    edges: list[list[int]]  # [from, to] pairs, one per dependency
    full: str  # LaTeX of the output with every intermediate written out
    decomposition: list[Decomposition]
    forward: list[int]  # ids of the operations in the order the forward pass computes them
    backward_seed: str  # LaTeX of dL/dL = 1
    backward: list[BackwardStep]  # one per node except the output


DATA = AutodiffData  # the type of Trace.data (the contract test checks every preset against it)
