"""Turn a captured graph into the boxes a readable block diagram shows.

* Hierarchy folds to a depth: a node inside a module at that depth becomes part of the
  module's box, labelled with the module's type and output shape.
* Runs of identical sibling modules (the 12 layers of a transformer) fold into the first of
  them, marked "x12"; nodes of the others are dropped, and what read the run's output reads
  the first module's output instead.
* An input, or a constant computed from nothing the data flow carries (a causal mask, position
  ids), that feeds many boxes is drawn as a short stub at each consumer instead of long edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .capture import Captured, Node

STUB_FANOUT = 3  # a shared input feeding at least this many boxes becomes stubs


@dataclass
class Box:
    key: str
    kind: str  # "input", "module" (a leaf), "group" (a folded module), "function", "constant", "stub"
    label: str  # module type or op name
    name: str  # qualified module name or input name ("" for functions)
    shape: tuple[int, ...] | None
    frames: tuple[str, ...] = ()  # enclosing modules drawn as frames, outermost first
    repeat: int = 1
    params: int = 0
    info: dict = field(default_factory=dict)
    last: int = -1  # the captured node whose output the box shows


@dataclass
class Folded:
    boxes: list[Box]  # in execution order
    edges: list[tuple[str, str]]
    frames: dict[str, tuple[str, int]]  # module -> (type, repeat) for every frame drawn
    residual: set[tuple[str, str]]  # skip edges into an addition
    depth: int


def module_depth(name: str) -> int:
    return 0 if not name else name.count(".") + 1


def prefix(name: str, depth: int) -> str:
    """The ancestor of module ``name`` at ``depth`` (itself when it is that deep or less)."""
    return ".".join(name.split(".")[:depth]) if name else ""


def prefixes(name: str) -> tuple[str, ...]:
    """``a.b.c`` -> (``a``, ``a.b``, ``a.b.c``): the module and its ancestors, outermost first."""
    parts = name.split(".") if name else []
    return tuple(".".join(parts[:i]) for i in range(1, len(parts) + 1))


def path(n: Node) -> list[str]:
    """The modules a node is inside (outermost first), including its own for a leaf module."""
    return list(n.scope[1:]) + ([n.name] if n.kind == "module" else [])


def repeat_runs(cap: Captured) -> dict[str, list[str]]:
    """First module of each run of consecutive identical siblings -> the run's modules."""
    order: list[str] = []  # modules in the order they first ran
    for n in cap.nodes:
        for s in path(n):
            if s not in order:
                order.append(s)
    by_parent: dict[str, list[str]] = {}
    for name in order:
        by_parent.setdefault(name.rpartition(".")[0], []).append(name)
    runs: dict[str, list[str]] = {}
    for siblings in by_parent.values():
        i = 0
        while i < len(siblings):
            j = i + 1
            while j < len(siblings) and cap.modules[siblings[j]].signature == cap.modules[siblings[i]].signature:
                j += 1
            if j - i > 1:
                runs[siblings[i]] = siblings[i:j]
            i = j
    return runs


def fold(cap: Captured, depth: int) -> Folded:
    runs = repeat_runs(cap)
    first_of = {m: first for first, run in runs.items() for m in run}
    repeat = {first: len(run) for first, run in runs.items()}

    boxes: dict[str, Box] = {}
    box_of: dict[int, str] = {}
    frames: dict[str, tuple[str, int]] = {}
    run_output: dict[str, int] = {}  # first module of a run -> the last node inside the run
    first_output: dict[str, int] = {}  # first module of a run -> its own last node
    for n in cap.nodes:
        p = path(n)
        for s in p:
            if s in first_of:
                run_output[first_of[s]] = n.id
                if first_of[s] == s:
                    first_output[s] = n.id
        if any(s in first_of and first_of[s] != s for s in p):
            continue  # inside a repeat: the first module stands for it
        deepest = p[-1] if p else ""
        if module_depth(deepest) >= depth:  # inside a module at this depth: part of its box
            key = prefix(deepest, depth)
            if key not in boxes:
                info = cap.modules[key]
                leaf = n.kind == "module" and n.name == key
                boxes[key] = Box(key, "module" if leaf else "group", info.type, key, n.shape,
                                 prefixes(key)[:-1], repeat.get(key, 1), info.params, n.info if leaf else {})
            boxes[key].shape = n.shape  # the box's output: its last node's
        else:
            key = n.name if n.kind == "module" else f"n{n.id}"
            outer = prefixes(deepest)[:-1] if n.kind == "module" else prefixes(deepest)
            boxes[key] = Box(key, n.kind, n.op, n.name, n.shape, outer, repeat.get(n.name, 1), n.params, n.info)
        box_of[n.id] = key
        boxes[key].last = n.id
        for s in boxes[key].frames:
            frames.setdefault(s, (cap.modules[s].type, repeat.get(s, 1)))

    # readers of a run's output read the first module's output instead
    stands_for = {run_output[f]: first_output[f] for f in run_output if f in first_output}
    edges: list[tuple[str, str]] = []
    for n in cap.nodes:
        if n.id not in box_of:
            continue
        for i in n.inputs:
            src = box_of.get(stands_for.get(i, i))
            if src is not None and src != box_of[n.id] and (src, box_of[n.id]) not in edges:
                edges.append((src, box_of[n.id]))
    ordered = list(boxes.values())
    ordered, edges = _stubs(cap, ordered, edges, box_of)
    return Folded(ordered, edges, frames, _residual(ordered, edges), depth)


def _constant_like(cap: Captured) -> set[int]:
    """Nodes computed from constants only (no model input flows into them)."""
    found: set[int] = set()
    for n in cap.nodes:
        if n.kind == "constant" or (n.kind == "function" and n.inputs and all(i in found for i in n.inputs)):
            found.add(n.id)
    return found


def _stubs(cap: Captured, boxes: list[Box], edges: list[tuple[str, str]], box_of: dict[int, str]):
    by_key = {b.key: b for b in boxes}
    const_keys = {box_of[i] for i in _constant_like(cap) if i in box_of}
    shared = {b.key for b in boxes if b.kind == "input" or b.key in const_keys}
    fanout: dict[str, list[str]] = {}
    for a, b in edges:
        fanout.setdefault(a, []).append(b)
    stubbed = {k for k in shared if len(fanout.get(k, [])) >= STUB_FANOUT}
    # constants that only feed stubbed constants disappear with them (the "full" under a "triu")
    gone = set(stubbed)
    changed = True
    while changed:
        changed = False
        for k in const_keys - gone:
            targets = fanout.get(k, [])
            if targets and all(t in gone for t in targets):
                gone.add(k)
                changed = True
    out_boxes = [b for b in boxes if b.key not in gone]
    out_edges = []
    for a, b in edges:
        if a in stubbed and b not in gone:
            src = by_key[a]
            stub = Box(f"{a}>{b}", "stub", src.name or src.label, src.name, src.shape, by_key[b].frames)
            out_boxes.insert(out_boxes.index(by_key[b]), stub)
            out_edges.append((stub.key, b))
        elif a not in gone and b not in gone:
            out_edges.append((a, b))
    return out_boxes, out_edges


def _residual(boxes: list[Box], edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges into an addition that go around its other input's branch: the identity path of a
    residual block (``x + f(x)``: x is an ancestor of f(x)). Two unrelated sums (token plus
    position embeddings) are not residual."""
    label = {b.key: b.label for b in boxes}
    preds: dict[str, list[str]] = {}
    for a, b in edges:
        preds.setdefault(b, []).append(a)

    def ancestors(key: str) -> set[str]:
        seen, stack = set(), list(preds.get(key, []))
        while stack:
            k = stack.pop()
            if k not in seen:
                seen.add(k)
                stack.extend(preds.get(k, []))
        return seen

    found = set()
    for b, ins in preds.items():
        if label[b] in ("add", "iadd", "radd") and len(ins) == 2:
            for a, other in ((ins[0], ins[1]), (ins[1], ins[0])):
                if a in ancestors(other):
                    found.add((a, b))
    return found


def max_depth(cap: Captured) -> int:
    return max((module_depth(s) for n in cap.nodes for s in path(n)), default=0)
