"""Turn a captured graph into the boxes a readable block diagram shows.

* One box per module call: a pool used three times is three boxes (``pool``, ``pool#2``, ...).
* Hierarchy folds to a depth: a node inside a module call at that depth of calls becomes part
  of the call's box, labelled with the module's type (or a container's attribute path) and
  output shape.
* Runs of identical chained sibling calls (the 12 layers of a transformer) fold into the first
  of them, marked "x12": each node of the others stands for the same node of the first, so
  what read the run's output reads the first call's output. Parallel identical siblings
  (query/key/value projections) are not a run.
* A subgraph building a mask from constants and mask inputs is one "attention mask" box.
* An input, or a constant computed from nothing the data flow carries (a causal mask, position
  ids), that feeds many boxes is drawn as a short stub at each consumer instead of long edges.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .capture import Captured, Node

STUB_FANOUT = 3  # a shared input feeding at least this many boxes becomes stubs


@dataclass
class Box:
    key: str  # a module call ("pool", "pool#2"), an input name, or "n<node id>"
    kind: str  # "input", "module" (a leaf), "group" (a folded module), "function", "constant", "stub"
    label: str  # module type or op name
    name: str  # qualified module name or input name ("" for functions)
    shape: tuple[int, ...] | None
    frames: tuple[str, ...] = ()  # enclosing modules drawn as frames, outermost first
    repeat: int = 1
    params: int = 0
    info: dict = field(default_factory=dict)
    last: int = -1  # the captured node whose output the box shows
    shapes: list = field(default_factory=list)  # the shapes of its outputs that were read (a GRU's output and h)
    calls: int = 1  # how many times its module was called (a reused pool: one box per call)


@dataclass
class Folded:
    boxes: list[Box]  # in execution order
    edges: list[tuple[str, str]]
    frames: dict[str, tuple[str, int]]  # module -> (type, repeat) for every frame drawn
    residual: set[tuple[str, str]]  # skip edges into an addition
    depth: int


def base(call: str) -> str:
    """A module call's module: ``pool#2`` -> ``pool``."""
    return call.partition("#")[0]


def path(n: Node) -> list[str]:
    """The module calls a node is inside (outermost first), including its own for a leaf module."""
    return list(n.scope[1:]) + ([n.call] if n.kind == "module" else [])


@dataclass
class Calls:
    """Every module call of a capture: the nodes inside it, its parent call, and the repeat runs."""

    members: dict[str, list[int]]  # call -> node ids inside it, in execution order
    parent: dict[str, str]
    runs: dict[str, list[str]]  # first call of each faithful chained run -> the run's calls
    rep: dict[int, int]  # a node inside a later call of a run -> the same node of the run's first call


def calls_of(cap: Captured) -> Calls:
    members: dict[str, list[int]] = {}
    parent: dict[str, str] = {}
    for n in cap.nodes:
        p = path(n)
        for i, c in enumerate(p):
            members.setdefault(c, []).append(n.id)
            parent.setdefault(c, p[i - 1] if i else "")
    runs = _runs(cap, members, parent)
    rep: dict[int, int] = {}
    for first, run in runs.items():
        for other in run[1:]:
            rep.update(zip(members[other], members[first]))
    return Calls(members, parent, runs, rep)


def _runs(cap: Captured, members: dict[str, list[int]], parent: dict[str, str]) -> dict[str, list[str]]:
    """Runs of consecutive sibling calls that repeat faithfully (same module structure, the same ops
    on the same shapes) and are chained (each reads the previous one's output, which nothing else
    reads): the 12 layers of a transformer, not its parallel query/key/value projections."""
    traces: dict[str, tuple] = {}

    def same(a: str, b: str) -> bool:
        if cap.modules[base(a)].signature != cap.modules[base(b)].signature:
            return False
        for c in (a, b):
            if c not in traces:
                traces[c] = tuple((cap.nodes[i].kind, cap.nodes[i].op, tuple(cap.nodes[i].shapes)) for i in members[c])
        return traces[a] == traces[b]

    readers: dict[int, list[int]] = {}
    for n in cap.nodes:
        for i in n.inputs:
            readers.setdefault(i, []).append(n.id)

    def chained(a: str, b: str) -> bool:
        """``b`` reads ``a``'s output and nothing else does (what reads a middle layer is not a repeat)."""
        inside, after = set(members[a]), set(members[b])
        read = [j for i in members[a] for j in readers.get(i, []) if j not in inside]
        return bool(read) and all(j in after for j in read)

    by_parent: dict[str, list[str]] = {}
    for c in members:  # in the order the calls began
        by_parent.setdefault(parent[c], []).append(c)
    runs: dict[str, list[str]] = {}
    for siblings in by_parent.values():
        i = 0
        while i < len(siblings):
            j = i + 1
            while j < len(siblings) and same(siblings[i], siblings[j]) and chained(siblings[j - 1], siblings[j]):
                j += 1
            if j - i > 1:
                runs[siblings[i]] = siblings[i:j]
            i = j
    return runs


def repeat_runs(cap: Captured) -> dict[str, list[str]]:
    """First call of each faithful chained run of identical sibling calls -> the run's calls."""
    return calls_of(cap).runs


GENERIC = {"Sequential", "ModuleList", "ModuleDict"}  # containers whose class name says nothing


def group_label(call: str, type_name: str) -> str:
    """A folded module's label: its class, or for a bare container its attribute path (``stages.2``)."""
    return base(call) if type_name in GENERIC and call else type_name


def fold(cap: Captured, depth: int) -> Folded:
    calls = calls_of(cap)
    repeat = {first: len(run) for first, run in calls.runs.items()}
    run_member: dict[int, list[tuple[str, int]]] = {}  # node -> (run, index of its call in the run)
    for first, run in calls.runs.items():
        for k, c in enumerate(run):
            for i in calls.members[c]:
                run_member.setdefault(i, []).append((first, k))

    def resolve(i: int) -> int:
        while i in calls.rep:
            i = calls.rep[i]
        return i

    boxes: dict[str, Box] = {}
    box_of: dict[int, str] = {}
    frames: dict[str, tuple[str, int]] = {}
    for n in cap.nodes:
        if resolve(n.id) != n.id:
            continue  # inside a repeat: the first call stands for it
        p = path(n)
        if len(p) >= depth:  # inside a module call at this depth: part of its box
            key = p[depth - 1]
            if key not in boxes:
                info = cap.modules[base(key)]
                leaf = n.kind == "module" and len(p) == depth
                boxes[key] = Box(key, "module" if leaf else "group", group_label(key, info.type), base(key), n.shape,
                                 tuple(p[:depth - 1]), repeat.get(key, 1), info.params, n.info if leaf else {})
            boxes[key].shape, boxes[key].shapes = n.shape, n.shown_shapes  # the box's output: its last node's
        else:
            key = n.call if n.kind == "module" else f"n{n.id}"
            outer = tuple(p[:-1]) if n.kind == "module" else tuple(p)
            boxes[key] = Box(key, n.kind, n.op, n.name, n.shape, outer, repeat.get(n.call, 1), n.params, n.info,
                             shapes=n.shown_shapes)
        box_of[n.id] = key
        boxes[key].last = n.id
        for s in boxes[key].frames:
            frames.setdefault(s, (cap.modules[base(s)].type, repeat.get(s, 1)))
    for n in cap.nodes:
        box_of.setdefault(n.id, box_of[resolve(n.id)])
    for key, b in boxes.items():
        b.calls = sum(1 for c in calls.members if base(c) == base(key)) if b.kind in ("module", "group") else 1

    def across_run(i: int, j: int) -> bool:
        """An edge from one call of a run into the next: folded into the run's "xN"."""
        mine = dict(run_member.get(j, []))
        return any(run in mine and mine[run] != k for run, k in run_member.get(i, []))

    edges: list[tuple[str, str]] = []
    for n in cap.nodes:
        for i in n.inputs:
            src, dst = box_of[i], box_of[n.id]
            if src != dst and (src, dst) not in edges and not across_run(i, n.id):
                edges.append((src, dst))
    ordered = list(boxes.values())
    ordered, edges, const = _masks(cap, ordered, edges, box_of)
    ordered, edges = _stubs(ordered, edges, const)
    return Folded(ordered, edges, frames, _residual(ordered, edges), depth)


MASK_MIN = 3  # a mask-building subgraph of at least this many ops is drawn as one box
MASK_OPS = {"triu", "tril", "masked_fill", "where", "lt", "gt", "le", "ge", "eq", "ne", "logical_and", "logical_or",
            "logical_not", "and", "or", "bitwise_and", "bitwise_or", "bitwise_not", "invert"}


def _built_from(cap: Captured, mask_inputs: bool) -> set[int]:
    """Function nodes computed from constants only (no model input flows into them); with
    ``mask_inputs``, inputs named like a mask (``attention_mask``) count as constants too."""
    found: set[int] = set()
    for n in cap.nodes:
        if (n.kind == "constant" or (mask_inputs and n.kind == "input" and "mask" in n.name.lower())
                or (n.kind == "function" and n.inputs and all(i in found for i in n.inputs))):
            found.add(n.id)
    return found


def _components(keys: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Connected components (edges taken both ways) of the boxes ``keys``, in the order given."""
    near: dict[str, set[str]] = {k: set() for k in keys}
    for a, b in edges:
        if a in near and b in near:
            near[a].add(b)
            near[b].add(a)
    seen: set[str] = set()
    out = []
    for k in keys:
        if k in seen:
            continue
        comp, stack = [], [k]
        seen.add(k)
        while stack:
            x = stack.pop()
            comp.append(x)
            stack.extend(y for y in near[x] if y not in seen and not seen.add(y))
        out.append(sorted(comp, key=keys.index))
    return out


def _masks(cap: Captured, boxes: list[Box], edges: list[tuple[str, str]], box_of: dict[int, str]):
    """Fold each subgraph that builds a mask from constants and mask inputs (Hugging Face's ~25
    arange/getitem/and ops) into one "attention mask" box. Returns the boxes, the edges and the
    keys of boxes computed from constants only (candidates for stubs)."""
    like = _built_from(cap, mask_inputs=True)
    plain = {box_of[i] for i in _built_from(cap, mask_inputs=False)}
    keys = [b.key for b in boxes if b.kind in ("function", "constant") and b.last in like]
    by_key = {b.key: b for b in boxes}
    const = {k for k in keys if k in plain}
    merged: dict[str, str] = {}
    new: dict[str, Box] = {}
    for i, comp in enumerate(c for c in _components(keys, edges) if len(c) >= MASK_MIN):
        members = set(comp)
        feeds = [a for a, b in edges if a in members and b not in members]
        fed_by_mask = any(by_key[a].kind == "input" for a, b in edges if b in members and a not in members)
        maskish = fed_by_mask or any(by_key[k].label in MASK_OPS for k in comp)
        shown = by_key[feeds[-1] if feeds else comp[-1]]
        frames = by_key[comp[0]].frames
        for k in comp:
            frames = frames[:next((j for j, (a, b) in enumerate(zip(frames, by_key[k].frames)) if a != b),
                                  min(len(frames), len(by_key[k].frames)))]
        key = f"mask{i}"
        new[feeds[0] if feeds else comp[0]] = Box(
            key, "constant", "attention mask" if maskish else
            f"{', '.join(dict.fromkeys(by_key[k].label for k in feeds))} ({len(comp)} ops)", "", shown.shape,
            frames, shapes=shown.shapes, last=shown.last)
        merged.update({k: key for k in comp})
    out_boxes = [new.get(b.key, b) for b in boxes if b.key not in merged or b.key in new]
    out_edges: list[tuple[str, str]] = []
    for a, b in edges:
        e = (merged.get(a, a), merged.get(b, b))
        if e[0] != e[1] and e not in out_edges:
            out_edges.append(e)
    return out_boxes, out_edges, const | {b.key for b in new.values()}


def _stubs(boxes: list[Box], edges: list[tuple[str, str]], const_keys: set[str]):
    by_key = {b.key: b for b in boxes}
    shared = {b.key for b in boxes if b.kind == "input" or b.key in const_keys}
    fanout: dict[str, list[str]] = {}
    for a, b in edges:
        fanout.setdefault(a, []).append(b)
    stubbed = {k for k in shared if len(fanout.get(k, [])) >= STUB_FANOUT}
    # constants and inputs that only feed stubbed ones disappear with them (the "full" under a "triu")
    gone = set(stubbed)
    changed = True
    while changed:
        changed = False
        for k in shared - gone:
            targets = fanout.get(k, [])
            if targets and all(t in gone for t in targets):
                gone.add(k)
                changed = True
    out_boxes = [b for b in boxes if b.key not in gone]
    out_edges = []
    for a, b in edges:
        if a in stubbed and b not in gone:
            src = by_key[a]
            stub = Box(f"{a}>{b}", "stub", src.name or src.label, src.name, src.shape, by_key[b].frames,
                       shapes=src.shapes)
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
    return max((len(path(n)) for n in cap.nodes), default=0)
