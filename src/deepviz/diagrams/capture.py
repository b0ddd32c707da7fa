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
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten

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
    scope: tuple[str, ...]  # qualified names of the enclosing modules, outermost first
    name: str = ""  # the module's qualified name, or the input's name
    inputs: list[int] = field(default_factory=list)  # producer node ids, in argument order
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # output tensor shapes
    dtype: str = ""
    params: int = 0  # parameters owned by this node's module
    info: dict[str, Any] = field(default_factory=dict)  # e.g. kernel_size, stride, in/out features
    values: dict[str, Any] | None = None  # with keep_values: a summary of the output (see summarize)

    @property
    def shape(self) -> tuple[int, ...] | None:
        return self.shapes[0] if self.shapes else None


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

    def edges(self) -> list[tuple[int, int]]:
        return [(i, n.id) for n in self.nodes for i in dict.fromkeys(n.inputs)]

    def node(self, i: int) -> Node:
        return self.nodes[i]


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
                                sum(p.numel() for p in m.parameters()), signature(m))
    return info


def _leaf_info(m: nn.Module) -> dict[str, Any]:
    keys = ("in_features", "out_features", "in_channels", "out_channels", "kernel_size", "stride", "padding",
            "dilation", "num_heads", "embed_dim", "num_embeddings", "embedding_dim", "hidden_size", "p")
    out = {}
    for k in keys:
        v = getattr(m, k, None)
        if isinstance(v, (int, float, tuple)) and not isinstance(v, bool):
            out[k] = v
    return out


class _Recorder(TorchFunctionMode):
    def __init__(self, model: nn.Module, keep_values: bool = False):
        super().__init__()
        self.keep_values = keep_values
        self.names = {id(m): n for n, m in model.named_modules()}
        self.nodes: list[Node] = []
        self.producer: dict[int, int] = {}  # id(tensor) -> node id
        self.alive: list[torch.Tensor] = []  # keeps traced tensors alive so their ids stay unique
        self.scope: list[str] = []
        self.leaf_depth = 0
        self.params = {id(p) for p in model.parameters()} | {id(b) for b in model.buffers()}

    # -- tensors ------------------------------------------------------------------------------
    def sources(self, values) -> list[int]:
        leaves, _ = tree_flatten(values)
        found = []
        for t in leaves:
            if isinstance(t, torch.Tensor) and id(t) in self.producer:
                found.append(self.producer[id(t)])
        return found

    def produce(self, node: Node, result) -> None:
        leaves, _ = tree_flatten(result)
        tensors = [t for t in leaves if isinstance(t, torch.Tensor)]
        node.shapes = [tuple(t.shape) for t in tensors]
        node.dtype = str(tensors[0].dtype).replace("torch.", "") if tensors else ""
        if self.keep_values and tensors and tensors[0].device.type != "meta":
            node.values = summarize(tensors[0])
        for t in tensors:
            self.producer[id(t)] = node.id
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
        leaves, _ = tree_flatten(result)
        if not any(isinstance(t, torch.Tensor) for t in leaves):
            return result
        inputs = self.sources((args, kwargs))
        if not inputs and all(not isinstance(a, torch.Tensor) or id(a) in self.params for a in tree_flatten(args)[0]):
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
        self.scope.append(name)
        return None

    def post_hook(self, module, args, kwargs, output):
        if self.leaf_depth > 1:
            self.leaf_depth -= 1
            return None
        name = self.scope.pop()
        if self.leaf_depth == 1:
            self.leaf_depth = 0
            self.add("module", type(module).__name__, self._pending, output, name=name,
                     params=sum(p.numel() for p in module.parameters()), info=_leaf_info(module))
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


def _example(spec, device) -> torch.Tensor:
    if isinstance(spec, torch.Tensor):
        return spec.to(device) if device == "meta" else spec
    shape, dtype = spec
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype, device=device)
    return torch.zeros(shape, dtype=dtype, device=device)


def _run(model: nn.Module, inputs: Sequence, device: str, input_names: Sequence[str],
         keep_values: bool = False) -> Captured:
    examples = [_example(s, device) for s in inputs]
    recorder = _Recorder(model, keep_values)
    for name, x in zip(input_names, examples):
        recorder.add("input", "input", [], x, name=name)
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(recorder.pre_hook, with_kwargs=True))
        handles.append(m.register_forward_hook(recorder.post_hook, with_kwargs=True))
    swap = _on_meta(model) if device == "meta" else contextlib.nullcontext()
    try:
        with torch.no_grad(), swap, recorder:
            output = model(*examples)
    finally:
        for h in handles:
            h.remove()
    outputs = recorder.sources(output)
    return Captured(recorder.nodes, _module_info(model), list(dict.fromkeys(outputs)), device)


def capture(model: nn.Module, inputs: Sequence, device: str = "auto",
            input_names: Sequence[str] | None = None, keep_values: bool = False) -> Captured:
    """Capture ``model`` on example ``inputs`` (tensors, or ``(shape, dtype)`` pairs).

    ``device``: "meta" (shapes only, no memory), "real" (the model's own device, real values),
    or "auto" (real for a model of at most 20M parameters whose weights exist; otherwise meta, and
    real if the model cannot run on meta).
    """
    names = list(input_names or (["input"] if len(inputs) == 1 else [f"input {i + 1}" for i in range(len(inputs))]))
    real = next((p.device.type for p in model.parameters()), "cpu")
    if real == "meta":
        device = "meta"
    small = sum(p.numel() for p in model.parameters()) <= SMALL_MODEL
    tries = (["meta"] if device == "meta" else [real] if device == "real"
             else [real] if small else ["meta", real])
    error: Exception | None = None
    for d in tries:
        try:
            return _run(model, inputs, d, names, keep_values)
        except Exception as err:  # noqa: BLE001 - reported with the model's own message below
            error = err
    assert error is not None  # every device was tried and failed
    raise CaptureError(f"the model failed on the example input: {type(error).__name__}: {_first_line(error)}")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


Loader = Callable[[], nn.Module]
