"""Capture a model's forward pass as a graph: modules, functional ops, data flow, shapes.

One real forward pass is observed, so Python control flow that ``torch.fx`` cannot trace
works: forward hooks on every module give the module tree and the leaf modules' calls; a
``TorchFunctionMode`` sees every torch function and tensor method called outside a leaf module
(residual additions, concatenations, reshapes, mask creation). Each tensor is traced to the
node that produced it, which gives the edges.

By default the pass runs on the meta device: parameters and buffers are swapped for meta
tensors for the pass and put back after (the user's model is neither moved nor copied),
so a large model needs no memory for weights or activations. Ops without a meta kernel, or
control flow that reads tensor values, fall back to a real pass on the model's own device.
"""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch
from torch import nn
from torch.nn.parameter import is_lazy
from torch.overrides import TorchFunctionMode

SMALL_MODEL = 20_000_000  # parameters: "auto" runs a model this small for real (meta ops cost ~0.7 s
# of one-time imports, a real pass of a small model far less); a larger one on meta (no memory)
LEAF_TYPES = (nn.MultiheadAttention,)  # modules whose forward does not go through their children
SKIP = {"__get__", "__set__", "dim", "size", "numel", "is_floating_point", "is_complex", "__len__", "__format__",
        "__repr__", "__bool__", "item", "tolist", "__index__", "__int__", "__float__", "element_size", "stride",
        "data_ptr", "is_contiguous", "requires_grad_", "__iter__"}


class CaptureError(RuntimeError):
    """The model failed on the example input; ``str(err)`` includes the model's own message."""


@dataclass
class Node:
    id: int
    kind: str  # "input", "module", "function", "constant"
    op: str  # module class name, or function name (add, cat, reshape, ...)
    scope: tuple[str, ...]  # calls of the enclosing modules (see ``call``), outermost first
    name: str = ""  # the module's qualified name, or the input's name
    call: str = ""  # a module's call: its name, then "name#2", "name#3" for the same module called again
    inputs: list[int] = field(default_factory=list)  # producer node ids, in argument order
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # output tensor shapes
    dtype: str = ""
    params: int = 0  # parameters owned by this node's module
    info: dict[str, Any] = field(default_factory=dict)  # e.g. kernel_size, stride, in/out features
    values: dict[str, Any] | None = None  # with keep_values: a summary of the output (see summarize)
    used: list[int] = field(default_factory=list)  # indices into shapes of the outputs something read

    @property
    def shape(self) -> tuple[int, ...] | None:
        return self.shapes[0] if self.shapes else None

    @property
    def shown_shapes(self) -> list[tuple[int, ...]]:
        """The shapes of the outputs that were read (a GRU's output and its h), else the first."""
        return [self.shapes[k] for k in sorted(self.used)] or self.shapes[:1]


@dataclass
class ModuleInfo:
    name: str
    type: str
    depth: int
    params: int
    signature: str  # type and child structure: equal for repeated identical blocks


@dataclass
class Captured:
    nodes: list[Node]
    modules: dict[str, ModuleInfo]  # qualified name -> info ("" is the root)
    outputs: list[int]
    device: str  # "meta" or the real device used
    tensors: dict[int, torch.Tensor] = field(default_factory=dict)  # with keep_tensors: node id -> its output

    def edges(self) -> list[tuple[int, int]]:
        return [(i, n.id) for n in self.nodes for i in dict.fromkeys(n.inputs)]

    def node(self, i: int) -> Node:
        return self.nodes[i]


def tensors_in(value: Any, depth: int = 0) -> list[torch.Tensor]:
    """Every tensor inside an argument or a result: tensors, lists, tuples, dicts, dataclasses (a Hugging
    Face ``ModelOutput``) and plain objects that hold tensors (torchvision's ``ImageList``)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if depth > 4 or value is None or isinstance(value, (str, bytes, int, float, bool, nn.Module, type)):
        return []
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    elif dataclasses.is_dataclass(value):
        items = [getattr(value, f.name, None) for f in dataclasses.fields(value)]
    elif hasattr(value, "__dict__") and not callable(value):
        items = list(vars(value).values())
    else:
        return []
    return [t for item in items for t in tensors_in(item, depth + 1)]


def _module_info(model: nn.Module) -> dict[str, ModuleInfo]:
    info: dict[str, ModuleInfo] = {}
    signatures: dict[int, str] = {}

    def signature(m: nn.Module) -> str:
        if id(m) not in signatures:
            extra = f"{m.extra_repr()}|{sorted(_leaf_info(m).items())}"
            kids = ",".join(signature(c) for c in m.children())
            signatures[id(m)] = f"{type(m).__name__}({extra})[{kids}]"
        return signatures[id(m)]

    for name, m in model.named_modules():
        info[name] = ModuleInfo(name, type(m).__name__, 0 if not name else name.count(".") + 1,
                                param_count(m), signature(m))
    return info


def _leaf_info(m: nn.Module) -> dict[str, Any]:
    keys = ("in_features", "out_features", "in_channels", "out_channels", "kernel_size", "stride", "padding",
            "dilation", "num_heads", "embed_dim", "num_embeddings", "embedding_dim", "hidden_size", "num_layers", "p")
    out = {}
    for k in keys:
        v = getattr(m, k, None)
        if isinstance(v, (int, float, tuple)) and not isinstance(v, bool):
            out[k] = v
    return out


class _Recorder(TorchFunctionMode):
    def __init__(self, model: nn.Module, keep_values: bool = False, keep_tensors: bool = False):
        super().__init__()
        self.keep_values = keep_values
        self.kept: dict[int, torch.Tensor] | None = {} if keep_tensors else None
        self.names = {id(m): n for n, m in model.named_modules()}
        self.nodes: list[Node] = []
        self.producer: dict[int, tuple[int, int]] = {}  # id(tensor) -> (node id, index of that output)
        self.alive: list[torch.Tensor] = []  # keeps traced tensors alive so their ids stay unique
        self.scope: list[str] = []
        self.calls: dict[str, int] = {}  # module name -> times called so far
        self.pushed: list[int] = []  # scope entries each open call added
        self.by_name = dict(model.named_modules())
        self.leaf_depth = 0
        self.params = {id(p) for p in model.parameters()} | {id(b) for b in model.buffers()}

    # -- tensors ------------------------------------------------------------------------------
    def sources(self, values) -> list[int]:
        """The nodes that produced the tensors in ``values``; marks those outputs as read."""
        found = []
        for t in tensors_in(values):
            if id(t) in self.producer:
                nid, k = self.producer[id(t)]
                found.append(nid)
                if k not in self.nodes[nid].used:
                    self.nodes[nid].used.append(k)
        return found

    def produce(self, node: Node, result) -> None:
        tensors = list({id(t): t for t in tensors_in(result)}.values())
        node.shapes = [tuple(t.shape) for t in tensors]
        node.dtype = str(tensors[0].dtype).replace("torch.", "") if tensors else ""
        if self.keep_values and tensors and tensors[0].device.type != "meta":
            node.values = summarize(tensors[0])
        if self.kept is not None and tensors:
            self.kept[node.id] = tensors[0].detach().clone()  # a copy: a later in-place op (ReLU(inplace)) changes it
        for k, t in enumerate(tensors):
            self.producer[id(t)] = (node.id, k)  # a tensor passed through (Identity, eval Dropout) reads from here on
            self.alive.append(t)

    def add(self, kind: str, op: str, inputs: list[int], result, **kw) -> Node:
        node = Node(len(self.nodes), kind, op, tuple(self.scope), inputs=inputs, **kw)
        self.nodes.append(node)
        self.produce(node, result)
        return node

    # -- functions --------------------------------------------------------------------------------
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        if self.leaf_depth:
            return result
        name = getattr(func, "__name__", str(func))
        if name in SKIP:
            return result
        if not tensors_in(result):
            return result
        inputs = self.sources((args, kwargs))
        if not inputs and all(id(a) in self.params for a in tensors_in(args)):
            kind = "constant"  # created from nothing the data flow carries (arange, a mask)
        elif not inputs:
            return result  # an op on parameters only (e.g. weight.t()); not data flow
        else:
            kind = "function"
        self.add(kind, name.strip("_").replace("Tensor.", ""), inputs, result)
        return result

    # -- modules ----------------------------------------------------------------------------------
    def pre_hook(self, module, args, kwargs):
        name = self.names.get(id(module), "")
        if self.leaf_depth:
            self.leaf_depth += 1
            return None
        if _is_leaf(module):
            self.leaf_depth = 1
            self._pending = self.sources((args, kwargs))
        lists = self.lists_between(self.scope[-1].partition("#")[0] if self.scope else None, name)
        self.calls[name] = self.calls.get(name, 0) + 1  # one box per call: a reused pool is drawn each time
        self.scope += lists + [name if self.calls[name] == 1 else f"{name}#{self.calls[name]}"]
        self.pushed.append(len(lists) + 1)
        return None

    def lists_between(self, outer: str | None, name: str) -> list[str]:
        """The ModuleLists and ModuleDicts between a call and the call it is made from (``blocks`` for
        ``blocks.3``): never called themselves, they still nest the hierarchy as their names do."""
        if outer is None or (outer and not name.startswith(outer + ".")):
            return []  # the root, or a module called from outside its parent (a shared drop_path)
        parts = name.split(".")
        start = outer.count(".") + 1 if outer else 0
        between = [".".join(parts[:i]) for i in range(start + 1, len(parts))]
        return [b for b in between if isinstance(self.by_name.get(b), (nn.ModuleList, nn.ModuleDict))]

    def post_hook(self, module, args, kwargs, output):
        if self.leaf_depth > 1:
            self.leaf_depth -= 1
            return None
        call = self.scope.pop()
        del self.scope[len(self.scope) - self.pushed.pop() + 1:]
        if self.leaf_depth == 1:
            self.leaf_depth = 0
            self.add("module", type(module).__name__, self._pending, output, name=call.partition("#")[0], call=call,
                     params=param_count(module), info=_leaf_info(module))
        return None


SUMMARY_SIDE = 8  # a summary's grid is at most this many values on a side
SUMMARY_CHANNELS = 8  # feature maps a summary keeps (the first ones)
CHANNEL_SIDE = 12  # each kept feature map is at most this many values on a side


def summarize(t: torch.Tensor) -> dict[str, Any]:
    """What a viewer can read of an activation: statistics and a small grid of values.

    4D (N, C, H, W): the channel mean of the first example, average-pooled to at most 8x8, and
    ``channels``: the first example's first 8 feature maps each as it is (average-pooled only
    when a side exceeds 12; ``channel_side_from`` then gives the side it had). 3D (N, T, D): the first
    8 positions' first 8 features. 2D (N, F): the first example's first 16 features as two rows.
    Values are floats (an integer tensor is converted).
    """
    x = t.detach().float()
    if x.dim() == 4:
        side = (min(SUMMARY_SIDE, x.shape[2]), min(SUMMARY_SIDE, x.shape[3]))
        grid = torch.nn.functional.adaptive_avg_pool2d(x[0].mean(0, keepdim=True)[None], side)[0, 0]
    elif x.dim() == 3:
        grid = x[0, :SUMMARY_SIDE, :SUMMARY_SIDE]
    elif x.dim() == 2:
        flat = x[0, :2 * SUMMARY_SIDE]
        grid = flat.reshape(2, -1) if flat.numel() > SUMMARY_SIDE and flat.numel() % 2 == 0 else flat[None]
    else:
        grid = x.reshape(-1)[:SUMMARY_SIDE][None]
    out = {"mean": x.mean().item(), "std": x.std().item() if x.numel() > 1 else 0.0, "min": x.min().item(),
           "max": x.max().item(), "zeros": (x == 0).float().mean().item(), "grid": grid.tolist()}
    if x.dim() == 4:
        maps = x[0, :SUMMARY_CHANNELS]
        side = (min(CHANNEL_SIDE, x.shape[2]), min(CHANNEL_SIDE, x.shape[3]))
        pooled = side != tuple(x.shape[2:])
        if pooled:
            maps = torch.nn.functional.adaptive_avg_pool2d(maps, side)
        out.update(channels=maps.tolist(), channel_count=x.shape[1],
                   channel_side_from=list(x.shape[2:]) if pooled else None)
    return out


def _is_leaf(m: nn.Module) -> bool:
    return isinstance(m, LEAF_TYPES) or not any(True for _ in m.children())


@contextlib.contextmanager
def _on_meta(model: nn.Module):
    """Run with every parameter and buffer swapped for a meta tensor, then put the originals back.

    What ``torch.func.functional_call`` does, without its import of torch._dynamo (0.85 s).
    The user's model is neither moved nor copied; its tensors are untouched.
    """
    saved = []
    for m in model.modules():
        for store in (m._parameters, m._buffers):
            for name, t in store.items():
                if t is not None and t.device.type != "meta":
                    saved.append((store, name, t))
                    meta = t.to("meta")
                    store[name] = nn.Parameter(meta, t.requires_grad) if isinstance(t, nn.Parameter) else meta  # pyright: ignore[reportArgumentType]
    try:
        yield
    finally:
        for store, name, t in saved:
            store[name] = t


def is_shape_spec(spec) -> bool:
    """``(shape, dtype)``: an input given by its shape."""
    return (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], torch.dtype)
            and isinstance(spec[0], tuple))


def _example(spec, device):
    """A tensor for each ``(shape, dtype)`` or tensor, inside lists, tuples and dicts."""
    if isinstance(spec, torch.Tensor):
        return spec.to(device) if device == "meta" else spec
    if is_shape_spec(spec):
        shape, dtype = spec
        if dtype.is_floating_point:
            return torch.randn(shape, dtype=dtype, device=device)
        return torch.zeros(shape, dtype=dtype, device=device)
    if isinstance(spec, dict):
        return {k: _example(v, device) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return type(spec)(_example(v, device) for v in spec)
    return spec  # a plain value (a flag, a size) is passed as it is


def _named_tensors(name: str, value) -> list[tuple[str, torch.Tensor]]:
    """``images`` = [a, b] -> images[0], images[1]; ``batch`` = {"x": t} -> batch.x."""
    if isinstance(value, torch.Tensor):
        return [(name, value)]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _named_tensors(f"{name}.{k}", v)]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in _named_tensors(f"{name}[{i}]", v)]
    return []


def _run(model: nn.Module, inputs: Sequence, device: str, input_names: Sequence[str],
         keep_values: bool = False, kwargs: dict | None = None, keep_tensors: bool = False,
         recorder: _Recorder | None = None) -> Captured:
    examples = [_example(s, device) for s in inputs]
    keywords = {k: _example(v, device) for k, v in (kwargs or {}).items()}
    recorder = recorder or _Recorder(model, keep_values, keep_tensors)
    for name, x in [*zip(input_names, examples), *keywords.items()]:
        for label, t in _named_tensors(name, x):
            recorder.add("input", "input", [], t, name=label)
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(recorder.pre_hook, with_kwargs=True))
        handles.append(m.register_forward_hook(recorder.post_hook, with_kwargs=True))
    swap = _on_meta(model) if device == "meta" else contextlib.nullcontext()
    # on meta, tensors the forward creates without a device (torch.arange(t), a causal mask) are meta too
    made_on = torch.device("meta") if device == "meta" else contextlib.nullcontext()
    try:
        with torch.no_grad(), swap, made_on, recorder:
            output = model(*examples, **keywords)
    finally:
        for h in handles:
            h.remove()
    outputs = recorder.sources(output)
    return Captured(recorder.nodes, _module_info(model), list(dict.fromkeys(outputs)), device, recorder.kept or {})


def default_input_names(model: nn.Module, inputs: Sequence) -> list[str]:
    """"input" for one tensor; several inputs, or a list or dict, take the names of ``forward``'s
    parameters (``src``, ``tgt``; a detector's ``images[0]``), else "input 1", "input 2"."""
    if len(inputs) == 1 and not isinstance(inputs[0], (list, dict)):
        return ["input"]
    try:
        params = [p.name for p in inspect.signature(model.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):  # a builtin or C-implemented forward has no signature to read
        params = []
    if len(params) >= len(inputs):
        return params[:len(inputs)]
    return ["input"] if len(inputs) == 1 else [f"input {i + 1}" for i in range(len(inputs))]


def param_count(module: nn.Module) -> int:
    """Parameters of ``module``; a lazy module's (not yet shaped) count nothing until its first forward."""
    return sum(p.numel() for p in module.parameters() if not is_lazy(p))


def capture(model: nn.Module, inputs: Sequence, device: str = "auto",
            input_names: Sequence[str] | None = None, keep_values: bool = False,
            kwargs: dict[str, Any] | None = None, keep_tensors: bool = False,
            recorder: _Recorder | None = None) -> Captured:
    """Capture ``model(*inputs, **kwargs)`` on examples: tensors, or ``(shape, dtype)`` pairs, or lists
    and dicts of them (a detector's list of images); ``kwargs`` are keyword inputs (``attention_mask``).
    ``recorder``: a :class:`_Recorder` (a subclass that also keeps what it needs) for a pass on one device.

    ``device``: "meta" (shapes only, no memory), "real" (the model's own device, real values),
    or "auto" (real for a model of at most 20M parameters whose weights exist; otherwise meta, and
    real if the model cannot run on meta). ``keep_tensors`` (with a real pass): ``Captured.tensors`` holds a
    copy of each node's (first) output, for pages that show every activation.
    """
    names = list(input_names or default_input_names(model, inputs))
    real = next((p.device.type for p in model.parameters()), "cpu")
    if real == "meta":
        device = "meta"
    small = param_count(model) <= SMALL_MODEL
    lazy = any(is_lazy(p) for p in model.parameters())  # LazyLinear & co. take their shapes from a real forward
    tries = (["meta"] if device == "meta" and not lazy else [real] if device == "real" or lazy
             else [real] if small else ["meta", real])
    error: Exception | None = None
    for d in tries:
        try:
            if lazy:  # a first forward shapes the lazy parameters, so their initialisation is not captured
                _run(model, inputs, d, names, False, kwargs)
            return _run(model, inputs, d, names, keep_values, kwargs, keep_tensors, recorder)
        except Exception as err:  # noqa: BLE001 - reported with the model's own message below
            error = err
    assert error is not None  # every device was tried and failed
    raise CaptureError(f"the model failed on the example input: {type(error).__name__}: {_first_line(error)}")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


Loader = Callable[[], nn.Module]
