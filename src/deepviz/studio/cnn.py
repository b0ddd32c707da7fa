"""The CNN page's engine: every activation map of a CNN for one input, and the detail of any unit.

The forward pass is recorded by :mod:`deepviz.diagrams.capture` (hooks + ``TorchFunctionMode``), so the
same engine serves the trained digits CNN and the user's own model (``deepviz studio --model``): every
module call and every functional op (a residual ``add``, ``flatten``, ``F.relu``) is one layer with its
output. Layers it can explain get a detail kind — ``conv`` (each input channel convolved with its own
kernel, the sum plus the bias; the sliding kernel's element-wise products), ``relu``, ``maxpool``,
``batchnorm``, ``flatten``, ``linear``, ``add`` — and every other layer is a box with its output maps.
Each number in a detail is computed here by torch; the tests check them against ``F.conv2d`` and the
model's own forward.

>>> net = Network(DigitsLike(), (1, 4, 4), [("zeros", torch.zeros(1, 4, 4))], "tiny")
>>> [layer["op"] for layer in forward(net, torch.zeros(1, 4, 4)).layers()]
['input', 'Conv2d', 'ReLU', 'Flatten', 'Linear']
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..diagrams.capture import Captured, CaptureError, Node, capture

MAX_CHANNELS = 64  # maps a layer sends (the first ones); the page says how many it has
MAX_VECTOR = 2048  # values a flat layer sends
MAX_SIDE = 128  # a map larger than this on a side is sent average-pooled to it


class Refused(Exception):
    """A request that cannot be answered, with the field it names."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass
class Network:
    """A CNN the page shows: the model (eval mode), one input's shape (C, H, W), named example inputs,
    a name, the class names of its output and the range of valid pixels (the attacks clamp to it)."""

    model: nn.Module
    shape: tuple[int, int, int]
    examples: list[tuple[str, torch.Tensor]]
    name: str
    classes: list[str] = field(default_factory=list)
    pixel_range: tuple[float, float] = (0.0, 1.0)
    draw_side: int | None = None  # the side of a drawing the page sends (default: the input's)
    drawing: Callable[[torch.Tensor], torch.Tensor] | None = None  # (side, side) ink in [0, 1] -> input
    image: Callable[[Any], tuple[torch.Tensor, str]] | None = None  # a PIL image -> (input, what was done)
    source: str | None = None  # Python that defines build() for the exported script (a shipped model)
    spec: str | None = None  # the user's file.py:name (the exported script imports it)
    trainable: bool = False  # the page can train it live from random weights (it has a data set)

    def __post_init__(self) -> None:
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    def from_drawing(self, ink: torch.Tensor) -> torch.Tensor:
        """A drawing as the input: by default its grey levels in every channel."""
        if self.drawing is not None:
            return self.drawing(ink)
        c, h, w = self.shape
        lo, hi = self.pixel_range
        return (lo + (hi - lo) * ink)[None].expand(c, h, w).clone()

    def from_image(self, img) -> tuple[torch.Tensor, str]:
        """A decoded PIL image as the input: by default resized to H×W, grey or RGB as the channels need."""
        if self.image is not None:
            return self.image(img)
        from PIL import Image

        c, h, w = self.shape
        mode = "RGB" if c == 3 else "L"
        small = img.convert(mode).resize((w, h), Image.Resampling.BOX)
        x = torch.tensor(list(small.get_flattened_data()), dtype=torch.float32).reshape(h, w, -1).permute(2, 0, 1) / 255
        lo, hi = self.pixel_range
        return (lo + (hi - lo) * x).expand(c, h, w).clone(), f"resized to {w}×{h}, {mode}"


class DigitsLike(nn.Module):
    """A tiny conv-ReLU-flatten-linear net for the docstring example."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.relu = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc(self.flatten(self.relu(self.conv(x))))


def digits_network() -> Network:
    """The trained digits CNN with the first test digit of each class as the examples. Drawings and images
    become digits as scikit-learn's are: 8×8, bright ink on black, values 0..16, then upsampled by ``prepare``."""
    from ..models import digits_cnn

    def drawing(ink: torch.Tensor) -> torch.Tensor:
        return digits_cnn.prepare(digit_blocks(ink)[None])[0]

    def image(img) -> tuple[torch.Tensor, str]:
        from PIL import Image

        grey = torch.tensor(list(img.convert("L").resize((8, 8), Image.Resampling.BOX).get_flattened_data()),
                            dtype=torch.float32).reshape(8, 8) / 255
        light = bool(grey.mean() > 0.5)  # dark ink on light paper: the digits are light on dark
        ink = 1 - grey if light else grey
        return digits_cnn.prepare(ink[None] * 16)[0], "grey, 8×8 as the training digits" + (
            ", inverted (dark ink on light)" if light else "")

    model = digits_cnn.load_model()
    _, test = digits_cnn.load()
    x = digits_cnn.prepare(test.images)
    examples = []
    for d in range(10):
        i = int((test.labels == d).nonzero()[0, 0])
        examples.append((f"test digit {d} (#{i})", x[i]))
    side = digits_cnn.SIDE
    from .cnn_export import class_source

    return Network(model, (1, side, side), examples, "digits CNN", [str(d) for d in range(10)], draw_side=32,
                   drawing=drawing, image=image, source=class_source(digits_cnn.DigitsCNN, {"SIDE": side}),
                   trainable=True)


def digit_blocks(ink: torch.Tensor) -> torch.Tensor:
    """A drawing (side × side, ink in [0, 1]) made as the UCI digits were: the ink's bounding box scaled to fill
    32 pixels of height (or of width, when wider) and centred in 32×32, then the ink of each 4×4 block counted
    (0..16) into 8×8. Without this a digit drawn small or off-centre is one the network never saw."""
    rows, cols = (ink > 0.05).any(1).nonzero(), (ink > 0.05).any(0).nonzero()
    if not len(rows):
        return torch.zeros(8, 8)
    box = ink[int(rows[0]):int(rows[-1]) + 1, int(cols[0]):int(cols[-1]) + 1]
    h, w = box.shape
    scale = 32 / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    fitted = F.interpolate(box[None, None], size=size, mode="bilinear", align_corners=False)[0, 0].clamp(0, 1)
    canvas = torch.zeros(32, 32)
    top, left = (32 - size[0]) // 2, (32 - size[1]) // 2
    canvas[top:top + size[0], left:left + size[1]] = fitted
    return F.avg_pool2d(canvas[None, None], 4)[0, 0] * 16


# ---- the forward pass ------------------------------------------------------------------------------------


def _kind(node: Node, module: nn.Module | None, shape: tuple[int, ...] | None) -> str:
    """What detail view a layer has ("box" when none)."""
    op = node.op
    four = shape is not None and len(shape) == 4
    if isinstance(module, nn.Conv2d) and module.padding_mode == "zeros" and isinstance(module.padding, tuple):
        return "conv"
    if isinstance(module, nn.ReLU) or op in ("relu", "relu_"):
        return "relu"
    if (isinstance(module, nn.MaxPool2d) and not module.ceil_mode) and four:
        return "maxpool"
    if isinstance(module, nn.BatchNorm2d) and not module.training and module.running_mean is not None:
        return "batchnorm"
    if isinstance(module, nn.Flatten) or op in ("flatten", "view", "reshape"):
        return "flatten" if shape is not None and len(shape) == 2 else "box"
    if isinstance(module, nn.Linear) and shape is not None and len(shape) == 2:
        return "linear"
    if node.kind == "function" and op in ("add", "add_", "iadd") and len(node.inputs) == 2:
        return "add"
    return "box"


def _rounded(t: torch.Tensor) -> list:
    """A detail's numbers as floats (float32 values, exact)."""
    return t.tolist()


def _overview(t: torch.Tensor) -> list:
    """The overview's numbers to 4 decimals: they set colours and hover labels, and a short JSON is a fast one
    (the page's draw-to-prediction time)."""
    return t.double().mul(1e4).round().div(1e4).tolist()  # in float64: each prints as its short decimal


def _maps(t: torch.Tensor) -> dict:
    """A layer's output as the page draws it: 4-D as maps (channels × H × W), else a flat vector."""
    x = t.detach().float()[0] if t.dim() >= 1 and t.shape[0] == 1 else t.detach().float()
    if x.dim() == 3:
        side = list(x.shape[1:])
        shown = x[:MAX_CHANNELS]
        if max(side) > MAX_SIDE:
            shown = F.adaptive_avg_pool2d(shown, (min(side[0], MAX_SIDE), min(side[1], MAX_SIDE)))
        return {"maps": _overview(shown), "channels": x.shape[0], "side": list(shown.shape[1:]),
                "pooled_from": side if max(side) > MAX_SIDE else None,
                "min": x.min().item(), "max": x.max().item()}
    flat = x.reshape(-1)
    return {"vector": _overview(flat[:MAX_VECTOR]), "length": flat.numel(),
            "min": flat.min().item() if flat.numel() else 0.0, "max": flat.max().item() if flat.numel() else 0.0}


@dataclass
class Pass:
    """One input's forward pass: the captured graph with every node's output tensor."""

    net: Network
    x: torch.Tensor  # (C, H, W)
    captured: Captured
    ms: float

    @cached_property
    def modules(self) -> dict[str, nn.Module]:
        return dict(self.net.model.named_modules())

    def shown(self) -> list[Node]:
        """The nodes the page draws: the input and every module or function with a float output."""
        return [n for n in self.captured.nodes
                if n.kind in ("input", "module", "function") and n.id in self.captured.tensors
                and self.captured.tensors[n.id].is_floating_point()]

    def node(self, layer: int) -> Node:
        ids = {n.id for n in self.shown()}
        if layer not in ids:
            raise Refused("layer", f"no layer {layer} in this network (layers: {min(ids)}..{max(ids)})")
        return self.captured.nodes[layer]

    def module(self, node: Node) -> nn.Module | None:
        return self.modules.get(node.name) if node.kind == "module" else None

    def out(self, node: Node) -> torch.Tensor:
        return self.captured.tensors[node.id]

    def source(self, node: Node, k: int = 0) -> torch.Tensor | None:
        """The tensor that node's ``k``-th input came from (None when the capture has none)."""
        if len(node.inputs) <= k:
            return None
        return self.captured.tensors.get(node.inputs[k])

    def kind(self, node: Node) -> str:
        if node.kind == "input":
            return "input"
        kind = _kind(node, self.module(node), tuple(self.out(node).shape))
        src = self.source(node)
        if kind in ("conv", "relu", "maxpool", "batchnorm", "linear", "flatten") and src is None:
            return "box"
        if kind == "conv" and (src is None or src.dim() != 4):
            return "box"
        return kind

    @cached_property
    def logits(self) -> torch.Tensor | None:
        out = self.captured.tensors.get(self.captured.outputs[0]) if self.captured.outputs else None
        if out is None or out.dim() != 2 or out.shape[0] != 1 or out.shape[1] < 2:
            return None
        return out[0]

    def layers(self) -> list[dict]:
        out = []
        for n in self.shown():
            t = self.out(n)
            out.append({"id": n.id, "name": n.call or n.name or n.op, "op": n.op, "kind": self.kind(n),
                        "shape": list(t.shape[1:]) if t.dim() > 1 else list(t.shape), "inputs": n.inputs,
                        **_maps(t)})
        return out

    def prediction(self) -> dict | None:
        if self.logits is None:
            return None
        probs = torch.softmax(self.logits, 0)
        names = self.net.classes if len(self.net.classes) == len(probs) else [str(i) for i in range(len(probs))]
        return {"logits": self.logits.tolist(), "probs": probs.tolist(), "classes": names,
                "predicted": int(probs.argmax()), "confidence": probs.max().item()}

    def frame(self) -> dict:
        return {"layers": self.layers(), "prediction": self.prediction(), "server_ms": self.ms,
                "input": _maps(self.x[None])}


def check_input(net: Network, pixels: list[float] | torch.Tensor) -> torch.Tensor:
    """A flat list of C·H·W numbers (or a tensor) -> the network's (C, H, W) input, or :class:`Refused`."""
    x = torch.as_tensor(pixels, dtype=torch.float32)
    want = net.shape[0] * net.shape[1] * net.shape[2]
    if x.numel() != want:
        c, h, w = net.shape
        raise Refused("pixels", f"expected {want} numbers ({c}×{h}×{w}), got {x.numel()}")
    if not torch.isfinite(x).all():
        raise Refused("pixels", "every number must be finite")
    return x.reshape(net.shape)


def forward(net: Network, x: torch.Tensor) -> Pass:
    """The forward pass of ``x`` (C, H, W) with every layer's output."""
    start = time.perf_counter()
    with torch.no_grad():
        cap = capture(net.model, [x[None]], device="real", keep_tensors=True)
    return Pass(net, x, cap, (time.perf_counter() - start) * 1000)


# ---- details ---------------------------------------------------------------------------------------------


def check_unit(p: Pass, node: Node, unit: int) -> int:
    channels = p.out(node).shape[1]
    if not 0 <= unit < channels:
        raise Refused("unit", f"must be from 0 to {channels - 1} for {node.call or node.op}, got {unit}")
    return unit


def conv_unit(p: Pass, node: Node, unit: int) -> dict:
    """Output channel ``unit`` of a Conv2d: each input channel of its group convolved with its own kernel slice
    into an intermediate map; their sum plus the bias is the layer's output channel."""
    conv = p.module(node)
    assert isinstance(conv, nn.Conv2d)
    x = p.source(node)
    assert x is not None
    per_group = conv.in_channels // conv.groups
    first = unit // (conv.out_channels // conv.groups) * per_group
    inputs = x[0, first:first + per_group].float()
    kernels = conv.weight[unit].detach().float()  # (per_group, kh, kw)
    # depthwise: channel c with kernel c alone
    inter = F.conv2d(inputs[None], kernels[:, None], stride=conv.stride, padding=conv.padding,
                     dilation=conv.dilation, groups=per_group)[0]
    bias = conv.bias[unit].item() if conv.bias is not None else 0.0
    total = inter.sum(0)
    return {"kind": "conv", "unit": unit, "channels": list(range(first, first + per_group)),
            "inputs": _rounded(inputs), "kernels": _rounded(kernels), "intermediate": _rounded(inter),
            "sum": _rounded(total), "bias": bias, "output": _rounded(p.out(node)[0, unit]),
            "stride": list(conv.stride), "padding": list(conv.padding), "dilation": list(conv.dilation)}


def conv_cell(p: Pass, node: Node, unit: int, row: int, col: int) -> dict:
    """The sliding kernel at output cell (row, col): each input channel's receptive patch (zeros where it
    covers the padding), the element-wise products with the kernel, each channel's sum, all plus the bias."""
    conv = p.module(node)
    assert isinstance(conv, nn.Conv2d)
    h, w = p.out(node).shape[2:]
    if not 0 <= row < h:
        raise Refused("row", f"must be from 0 to {h - 1}, got {row}")
    if not 0 <= col < w:
        raise Refused("col", f"must be from 0 to {w - 1}, got {col}")
    detail = conv_unit(p, node, unit)
    inputs = torch.tensor(detail["inputs"])
    kernels = conv.weight[unit].detach().float()
    (sh, sw), (dh, dw) = conv.stride, conv.dilation
    ph, pw = (int(v) for v in conv.padding)  # a tuple: _kind sends a 'same'/'valid' conv to a box
    kh, kw = kernels.shape[1:]
    padded = F.pad(inputs, (pw, pw, ph, ph))
    top, left = row * sh, col * sw  # in the padded input
    patch = padded[:, top:top + dh * (kh - 1) + 1:dh, left:left + dw * (kw - 1) + 1:dw]
    products = patch * kernels
    sums = products.sum((1, 2))
    bias = detail["bias"]
    return {"kind": "cell", "unit": unit, "row": row, "col": col, "top": top - ph, "left": left - pw,
            "step": [dh, dw], "patch": _rounded(patch), "kernels": _rounded(kernels), "products": _rounded(products),
            "sums": _rounded(sums), "bias": bias, "total": sums.sum().item() + bias,
            "output": p.out(node)[0, unit, row, col].item()}


def _channel_in(p: Pass, node: Node, unit: int, k: int = 0) -> torch.Tensor:
    src = p.source(node, k)
    assert src is not None
    return src[0, unit] if src.dim() == 4 else src[0]


def relu_unit(p: Pass, node: Node, unit: int) -> dict:
    out = p.out(node)
    pick = (lambda t: t[0, unit]) if out.dim() == 4 else (lambda t: t[0])
    return {"kind": "relu", "unit": unit, "input": _rounded(pick(p.source(node))), "output": _rounded(pick(out))}


def maxpool_unit(p: Pass, node: Node, unit: int) -> dict:
    """One channel of a max-pool: the input map, the output, and where in the input each output's maximum is."""
    pool = p.module(node)
    assert isinstance(pool, nn.MaxPool2d)
    x = _channel_in(p, node, unit)
    out, where = F.max_pool2d(x[None, None], pool.kernel_size, pool.stride, pool.padding, pool.dilation,
                              return_indices=True)
    pair = lambda v: list(v) if isinstance(v, tuple) else [v, v]  # noqa: E731
    return {"kind": "maxpool", "unit": unit, "input": _rounded(x), "output": _rounded(p.out(node)[0, unit]),
            "argmax": where[0, 0].tolist(), "check": _rounded(out[0, 0]), "kernel": pair(pool.kernel_size),
            "stride": pair(pool.stride), "padding": pair(pool.padding)}


def batchnorm_unit(p: Pass, node: Node, unit: int) -> dict:
    bn = p.module(node)
    assert isinstance(bn, nn.BatchNorm2d) and bn.running_mean is not None and bn.running_var is not None
    gamma = bn.weight[unit].item() if bn.weight is not None else 1.0
    beta = bn.bias[unit].item() if bn.bias is not None else 0.0
    return {"kind": "batchnorm", "unit": unit, "input": _rounded(_channel_in(p, node, unit)),
            "output": _rounded(p.out(node)[0, unit]), "mean": bn.running_mean[unit].item(),
            "var": bn.running_var[unit].item(), "eps": bn.eps, "gamma": gamma, "beta": beta}


def flatten_unit(p: Pass, node: Node, unit: int) -> dict:
    """Where channel ``unit`` of the flattened input lands: positions c·H·W + i·W + j of the vector."""
    src = p.source(node)
    assert src is not None
    out = p.out(node)[0]
    if src.dim() != 4:
        return {"kind": "flatten", "unit": unit, "input": _rounded(src[0].reshape(-1)), "output": _rounded(out),
                "offset": 0, "side": [1, src[0].numel()]}
    _, c, h, w = src.shape
    unit = max(0, min(unit, c - 1))
    return {"kind": "flatten", "unit": unit, "input": _rounded(src[0, unit]), "offset": unit * h * w,
            "side": [h, w], "output": _rounded(out[unit * h * w:(unit + 1) * h * w])}


def linear_unit(p: Pass, node: Node, unit: int) -> dict:
    """Output ``unit`` of a Linear layer: the weights, the input, their products, the sum plus the bias."""
    lin = p.module(node)
    assert isinstance(lin, nn.Linear)
    x = p.source(node)
    assert x is not None
    x = x[0].reshape(-1)
    n = lin.out_features
    if not 0 <= unit < n:
        raise Refused("unit", f"must be from 0 to {n - 1}, got {unit}")
    wk = lin.weight[unit].detach()
    products = wk * x
    bias = lin.bias[unit].item() if lin.bias is not None else 0.0
    top = products.abs().argsort(descending=True)[:12]
    return {"kind": "linear", "unit": unit, "input": _rounded(x), "weights": _rounded(wk), "products": _rounded(products),
            "largest": top.tolist(), "sum": products.sum().item(), "bias": bias,
            "output": p.out(node)[0, unit].item()}


def add_unit(p: Pass, node: Node, unit: int) -> dict:
    a, b = p.source(node, 0), p.source(node, 1)
    if a is None or b is None or a.dim() != 4 or b.dim() != 4:
        return {"kind": "box", "unit": unit, "output": _maps(p.out(node))}
    return {"kind": "add", "unit": unit, "a": _rounded(a[0, unit]), "b": _rounded(b[0, unit]),
            "output": _rounded(p.out(node)[0, unit])}


def softmax_detail(p: Pass) -> dict:
    """softmax(z)_k = exp(z_k − max z) / Σ_j exp(z_j − max z), each term from torch."""
    if p.logits is None:
        raise Refused("layer", "this network's output is not a vector of class scores")
    z = p.logits
    shifted = z - z.max()
    e = shifted.exp()
    return {"kind": "softmax", "logits": z.tolist(), "max": z.max().item(), "exp": e.tolist(), "total": e.sum().item(),
            "probs": torch.softmax(z, 0).tolist()}


UNITS = {"conv": conv_unit, "relu": relu_unit, "maxpool": maxpool_unit, "batchnorm": batchnorm_unit,
         "flatten": flatten_unit, "linear": linear_unit, "add": add_unit}


def unit_detail(p: Pass, layer: int, unit: int) -> dict:
    """The detail view of one unit (a channel of a 4-D layer, an output of a Linear), or a box's maps."""
    if layer == -1:
        return softmax_detail(p)
    node = p.node(layer)
    kind = p.kind(node)
    out = p.out(node)
    if kind in ("linear", "flatten") or (kind == "relu" and out.dim() != 4):
        width = out.shape[1] if kind == "linear" else 10**9
        if kind == "linear" and not 0 <= unit < width:
            raise Refused("unit", f"must be from 0 to {width - 1}, got {unit}")
    elif out.dim() == 4:
        unit = check_unit(p, node, unit)
    with torch.no_grad():
        if kind in UNITS:
            return {"layer": layer, **UNITS[kind](p, node, unit)}
    return {"layer": layer, "kind": "box", "unit": unit, "op": node.op, "output": _maps(out)}


# ---- your own CNN ------------------------------------------------------------------------------------------


def user_network(spec: str, weights: str | None, input_text: str) -> Network:
    """The user's model (``file.py:build``, from the command line only) with ``--weights`` loaded by
    ``torch.load(weights_only=True)`` and one image input ``1,C,H,W``; the examples are scikit-learn's two
    sample photographs and seeded noise. Every failure is one :class:`~deepviz.params.ParamError` line."""
    from ..diagrams.loader import load_model, parse_inputs, user_code
    from ..params import ParamError, quote, quote_path

    args, kwargs = parse_inputs([input_text])
    shape, dtype = args[0] if not kwargs and len(args) == 1 and isinstance(args[0], tuple) else ((), None)
    if len(shape) != 4 or shape[0] != 1 or dtype is None or not dtype.is_floating_point:
        raise ParamError("input", f"the CNN page takes one image, 1,C,H,W (float); got {quote(input_text)}")
    c, h, w = shape[1:]
    if c * h * w > MAX_INPUT:
        raise ParamError("input", f"{c}×{h}×{w} = {c * h * w:,} numbers; the page takes at most {MAX_INPUT:,} "
                                  f"(such as 3,128,128)")
    model = load_model(spec)
    if weights is not None:
        _load_weights(model, weights, quote_path)
    path, _, name = spec.rpartition(":")
    if path.endswith(".py"):
        from pathlib import Path

        spec = f"{Path(path).resolve()}:{name}"  # the exported script imports it from anywhere
    net = Network(model, (c, h, w), [], name or spec, spec=spec)
    net.examples = _photos(net)
    try:
        with user_code(f"the forward pass on --input {input_text}"):  # time-limited, its sys.exit() refused
            p = forward(net, net.examples[0][1])
    except ParamError:
        raise
    except CaptureError as err:  # "the model failed on the example input: <its error>"
        raise ParamError("model", f"the forward pass on --input {input_text} failed: "
                                  f"{str(err).partition(': ')[2]}") from None
    if p.logits is not None:
        net.classes = [str(k) for k in range(len(p.logits))]
    return net


MAX_INPUT = 3 * 128 * 128  # numbers in one input: the page sends them as JSON on every drawn stroke


def _line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _load_weights(model: nn.Module, weights: str, quote_path) -> None:
    from pathlib import Path

    from ..params import ParamError

    if not Path(weights).is_file():
        raise ParamError("weights", f"no such file: {quote_path(weights)}")
    import pickle
    import zipfile

    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)  # tensors only: never code from a file
    except pickle.UnpicklingError:
        if not zipfile.is_zipfile(weights):
            raise ParamError("weights", f"{quote_path(weights)} is not a file torch.save wrote") from None
        raise ParamError("weights", f"{quote_path(weights)} holds Python objects besides tensors; "
                                    f"torch.load(weights_only=True) does not run them (save the model's state_dict)") from None
    except Exception as err:  # noqa: BLE001 - not a file torch can read
        raise ParamError("weights", f"{quote_path(weights)} is not a state_dict torch.load(weights_only=True) "
                                    f"reads ({_line(err)})") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]  # a checkpoint that wraps it
    if not isinstance(state, dict):
        raise ParamError("weights", f"{quote_path(weights)} holds a {type(state).__name__}, not a state_dict")
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, KeyError) as err:
        raise ParamError("weights", f"do not fit the model: {_line(err)[:300]}") from None


def _photos(net: Network) -> list[tuple[str, torch.Tensor]]:
    """scikit-learn's sample photographs (a temple in China, a flower) as the network's inputs, and noise."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    out = []
    for name in ("china.jpg", "flower.jpg"):
        x, _ = net.from_image(Image.fromarray(load_sample_image(name)))
        out.append((f"photo {name.removesuffix('.jpg')}", x))
    lo, hi = net.pixel_range
    noise = lo + (hi - lo) * torch.rand(net.shape, generator=torch.Generator().manual_seed(0))
    return out + [("noise (seed 0)", noise)]
