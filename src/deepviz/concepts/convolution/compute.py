"""Convolution over channels, computed with torch: params -> Trace.

The example input is a photo scikit-learn ships (``load_sample_image("china.jpg")``), shrunk
with area averaging; its brightness is rounded to whole numbers 0..9 so that each product
reads on screen. Filters are random integers -1, 0, 1 and biases random integers -1..1 (seeded). The
dot products are computed from ``F.unfold`` windows (the tests compare them with F.conv2d).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch
import torch.nn.functional as F

from ...style.numbers import fmt_factor, fmt_num, fmt_shape
from ...trace import Trace, to_plain
from . import check
from .schema import ConvolutionData

SIZE_STRIDES = (1, 2, 3)
POOL_MAPS_SHOWN = 3  # the pooling part draws the first maps (each pooled alike)  # the seed's strides for N = 7, F = 3
INTENSITY_LEVELS = 9  # the input's brightness runs 0..9
# hand-made 3x3 filters for the real photo: (name, whole-number weights, divisor)
HAND_FILTERS = (
    ("vertical edges", [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1),  # Sobel: dark left, light right
    ("horizontal edges", [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], 1),
    ("blur", [[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),  # binomial: the weights sum to 1
    ("sharpen", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], 1),
)
CANCELS = 0.25  # a learned filter whose |weight sum| is below this share of its |weights|' sum answers changes
CHANNEL_NAMES = {1: ("grey",), 2: ("red", "green"), 3: ("red", "green", "blue")}


@lru_cache(maxsize=1)
def _photo() -> torch.Tensor:
    """scikit-learn's china.jpg as 3 x S x S in [0, 1]: its centred square crop."""
    from sklearn.datasets import load_sample_image

    img = torch.from_numpy(load_sample_image("china.jpg").copy()).permute(2, 0, 1).double() / 255
    h, w = img.shape[1:]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return img[:, top:top + side, left:left + side]


def photo(size: int, channels: int = 3) -> torch.Tensor:
    """The photo shrunk to ``size`` x ``size`` (area averaging) with ``channels`` channels (1: grey)."""
    img = F.adaptive_avg_pool2d(_photo()[None], size)[0]
    return img.mean(0, keepdim=True) if channels == 1 else img[:channels]


def dot_products(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, stride: int, padding: int) -> dict[str, Any]:
    """Every filter position as an explicit dot product: windows (positions x C x F x F) and the maps."""
    k, c, f, _ = w.shape
    cols = F.unfold(x[None], f, padding=padding, stride=stride)[0]  # (C*F*F, positions)
    side = (x.shape[-1] + 2 * padding - f) // stride + 1
    maps = (w.reshape(k, -1) @ cols + b[:, None]).reshape(k, side, side)
    return {"windows": cols.T.reshape(-1, c, f, f), "maps": maps, "side": side}


def _size_case(n: int, f: int, s: int) -> dict[str, Any]:
    """(N - F)/s + 1 for one stride: the exact value, whether it is whole, and what conv2d does."""
    exact = (n - f) / s + 1
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), stride=s).shape[-1]
    starts = list(range(0, n - f + 1, s))
    nxt = starts[-1] + s
    fits = (n - f) % s == 0
    return {"stride": s, "exact": exact, "fits": fits, "output": out, "window_starts": starts,
            "next_start": None if fits else nxt, "overhang": 0 if fits else nxt + f - n,
            "unused": n - (starts[-1] + f)}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    """Run the convolution layer and the pooling for validated ``values``."""
    check(values)
    n, c, f, s, p, k = (values[name] for name in ("input", "channels", "kernel", "stride", "padding", "filters"))
    gen = torch.Generator().manual_seed(values["seed"])
    w = torch.randint(-1, 2, (k, c, f, f), generator=gen).double()
    b = torch.randint(-1, 2, (k,), generator=gen).double()
    x = torch.round(photo(n, c) * INTENSITY_LEVELS)  # whole numbers: every product reads at a glance
    conv = dot_products(x, w, b, s, p)
    o = conv["side"]
    first = conv["windows"][0]
    products = first * w[0]

    # the same filters' shape on the full-size photo (the seed's 32x32x3 -> 28x28x6)
    big_f = values["image_kernel"]
    big = photo(values["image"], 3)
    big_w = torch.randint(-1, 2, (k, 3, big_f, big_f), generator=gen).double()
    big_b = torch.randint(-1, 2, (k,), generator=gen).double()
    big_maps = dot_products(big, big_w, big_b, 1, 0)["maps"]

    # max pooling on each map on its own: windows of the maps, their max and where it is
    ps, pst = values["pool"], values["pool_stride"]
    pool_cols = F.unfold(conv["maps"][:, None], ps, stride=pst)  # (K, P*P, positions)
    pooled_side = (o - ps) // pst + 1
    best, arg = pool_cols.max(1)
    origins = [[r * pst, cc * pst] for r in range(pooled_side) for cc in range(pooled_side)]

    grey = photo(values["image"], 1)
    hand = torch.tensor([w for _, w, _ in HAND_FILTERS], dtype=torch.float64)[:, None]
    hand = hand / torch.tensor([d for _, _, d in HAND_FILTERS], dtype=torch.float64)[:, None, None, None]
    # no padding: zeros around a bright sky would be the strongest "edges" of all
    hand_maps = dot_products(grey, hand, torch.zeros(len(HAND_FILTERS), dtype=torch.float64), 1, 0)["maps"]

    learned = _learned(grey) if values["part"] == "real-image" else None  # trains the digits CNN at first use

    sizes = [_size_case(n, f, st) for st in SIZE_STRIDES] if f <= n else []  # without padding
    same = (f - 1) // 2
    data = {
        "part": values["part"],
        "image_source": "sklearn.datasets.load_sample_image('china.jpg'), centre square, area-averaged",
        "channel_names": list(CHANNEL_NAMES[c]),
        "input_size": n, "channels": c, "kernel": f, "stride": s, "padding": p, "filters": k,
        "input": x, "padded_input": F.pad(x, (p, p, p, p)),
        "weights": w, "bias": b,
        "position": {
            "output_cell": [0, 0], "window_origin": [0, 0],
            "window": first, "products": products,
            "channel_sums": products.sum((1, 2)), "bias": b[0], "total": products.sum() + b[0],
        },
        "output_size": o, "output_shape": [k, o, o],
        "maps": conv["maps"],
        "steps": [{"output_cell": [i // o, i % o], "window_origin": [i // o * s, i % o * s]} for i in range(o * o)],
        "sizes": sizes,
        "same_padding": {"padding": same, "padded_size": n + 2 * same,
                         "output": F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f),
                                            padding=same).shape[-1]},
        "volume": {"input_shape": [3, values["image"], values["image"]], "kernel": big_f,
                   "image": big, "maps": big_maps, "output_shape": list(big_maps.shape)},
        "pooling": {"size": ps, "stride": pst, "output_size": pooled_side, "shown_maps": min(k, POOL_MAPS_SHOWN),
                    "output": best.reshape(k, pooled_side, -1),
                    "window_origins": origins,
                    "argmax": [[[o_[0] + int(a) // ps, o_[1] + int(a) % ps] for o_, a in zip(origins, arg[m])]
                               for m in range(k)]},
        "real": {"image": grey[0],
                 "filters": [{"name": name, "weights": hand[i, 0], "shown": torch.tensor(w).double(),
                              "divisor": d, "map": hand_maps[i], "scale": float(hand_maps[i].abs().max())}
                             for i, (name, w, d) in enumerate(HAND_FILTERS)],
                 "learned": learned},
    }
    plain: ConvolutionData = to_plain(data)
    return Trace(concept="convolution", params={}, data=plain, narration=narration(plain), preset=preset)


def _learned(grey: torch.Tensor) -> dict[str, Any]:
    """The trained digits CNN's first-layer filters over the photo's brightness: conv1 (with its bias) as the
    layer computes it, before its ReLU, but without padding like the hand-made filters. The digits are one
    channel in [0, 1], as the brightness is."""
    from ...models import digits_cnn

    model = digits_cnn.load_model()
    conv = model.conv1
    assert conv.bias is not None  # the digits CNN's convs have biases
    w, b = conv.weight.detach().double(), conv.bias.detach().double()
    maps = dot_products(grey, w, b, 1, 0)["maps"]
    _, test = digits_cnn.load()
    return {"source": "deepviz.models.digits_cnn conv1: trained on scikit-learn's handwritten digits "
                      f"(8x8 upsampled to {digits_cnn.SIDE}x{digits_cnn.SIDE}, one channel)",
            "accuracy": digits_cnn.accuracy(model, test), "side": digits_cnn.SIDE,
            "filters": [{"weights": w[i, 0], "bias": b[i], "map": maps[i], "scale": float(maps[i].abs().max()),
                         "weight_sum": w[i].sum(), "cancels": bool(w[i].sum().abs() < CANCELS * w[i].abs().sum())}
                        for i in range(len(w))]}


def narration(t: ConvolutionData) -> dict[str, str]:
    """Caption text per step of the chosen part, every number taken from the computed trace."""
    part = t["part"]
    if part == "output-size":
        return _size_narration(t)
    if part == "pooling":
        return _pool_narration(t)
    if part == "real-image":
        return _real_narration(t)
    n, c, f, k, o = t["input_size"], t["channels"], t["kernel"], t["filters"], t["output_size"]
    pos, v = t["position"], t["volume"]
    sums = " + ".join(fmt_factor(x) for x in pos["channel_sums"])
    # the channels' names stay on screen: a caption names no colour but through the theme
    depth = "one grid of brightness" if c == 1 else f"one grid for each of its {c} colour channels"
    return {
        "intro": f"The input: a photo shrunk to {n}\u00d7{n}\u00d7{c}, {depth}, brightness 0 to {INTENSITY_LEVELS}.",
        "depth": f"A filter always spans the full depth of its input: {f}\u00d7{f}\u00d7{c}, one "
                 f"{f}\u00d7{f} slice per channel. Its weights are random (\u22121, 0 or 1, seeded).",
        "products": f"At one position, each slice multiplies the {f}\u00d7{f} chunk under it, element by element.",
        "sum": f"Add all {f * f * c} products and the bias {fmt_num(pos['bias'])}: "
               f"{sums} + {fmt_factor(pos['bias'])} = {fmt_num(pos['total'])}. One position, one number.",
        "map": f"Slide the filter to every position: the {o}\u00d7{o} numbers form one activation map.",
        "filters": f"{k} filter{'s' if k > 1 else ''}, {k} activation map{'s' if k > 1 else ''}: "
                   f"the output is {fmt_shape((o, o, k))}. Above zero in {{color:weight}}, below in {{color:input}}.",
        "volume": f"At full size: a {fmt_shape(v['input_shape'][1:] + v['input_shape'][:1])} photo through {k} "
                  f"random {fmt_shape((v['kernel'], v['kernel'], 3))} filters gives "
                  f"{fmt_shape(v['output_shape'][1:] + v['output_shape'][:1])}.",
    }


def _size_narration(t: ConvolutionData) -> dict[str, str]:
    n, f = t["input_size"], t["kernel"]
    text = {"size_rule": f"A {f}\u00d7{f} filter on a {n}\u00d7{n} input with stride S fits "
                         f"(N \u2212 F)/S + 1 times per side."}
    for case in t["sizes"]:
        s = case["stride"]
        head = f"Stride {s}: ({n} \u2212 {f})/{s} + 1 = {fmt_num(case['exact'])}"
        if case["fits"]:
            text[f"stride_{s}"] = f"{head}: a {case['output']}\u00d7{case['output']} output."
        else:
            starts = ", ".join(map(str, case["window_starts"]))
            text[f"stride_{s}"] = (
                f"{head} is not whole: windows start at columns {starts}; the next, at {case['next_start']}, "
                f"would hang {case['overhang']} column{'s' if case['overhang'] > 1 else ''} off the edge. "
                f"Stride {s} does not fit; PyTorch floors to {case['output']} and skips the last "
                f"{case['unused']} column{'s' if case['unused'] > 1 else ''}.")
    sp = t["same_padding"]
    text["padding"] = (f"Padding {sp['padding']} adds a ring of zeros: ({n} + 2\u00b7{sp['padding']} \u2212 {f})/1 + 1 "
                       f"= {sp['output']}" + (", the size is kept." if sp["output"] == n else "."))
    return text


def _pool_narration(t: ConvolutionData) -> dict[str, str]:
    k, o, pl = t["filters"], t["output_size"], t["pooling"]
    ps, q = pl["size"], pl["output_size"]
    r, c = pl["argmax"][0][0]
    return {
        "pool_intro": f"The layer's output: {k} activation map{'s' if k > 1 else ''}, {fmt_shape((o, o, k))}.",
        "pool_first": f"Max pooling {ps}\u00d7{ps}, stride {pl['stride']}: each window keeps its largest value, "
                      f"here {fmt_num(t['maps'][0][r][c])}.",
        "pool_sweep": "Each activation map is pooled on its own, window by window"
                      + (f" (the first {pl['shown_maps']} of {k} shown)." if pl["shown_maps"] < k else "."),
        "pool_result": f"{fmt_shape((o, o, k))} \u2192 {fmt_shape((q, q, k))}: smaller maps, as many as before.",
    }


def _real_narration(t: ConvolutionData) -> dict[str, str]:
    side = len(t["real"]["image"])
    names = [f["name"] for f in t["real"]["filters"]]
    return {
        "real_intro": f"A real photo: scikit-learn's china.jpg, its brightness only, shrunk to {side}\u00d7{side}.",
        "real_filters": f"{len(names)} hand-made 3\u00d73 filters: {', '.join(names[:-1])} and {names[-1]}. "
                        f"Without padding each map is {side - 2}\u00d7{side - 2}.",
        "real_edges": "The edge filters answer where the brightness changes: left to right, top to bottom. "
                      "Above zero in {color:weight}, below in {color:input}; flat regions give zero.",
        "real_smooth": "The blur's weights sum to 1: a weighted mean of the neighbours. Sharpen adds the "
                       "difference from the neighbours back: edges stand out.",
        **_learned_narration(t),
    }


def _learned_narration(t: ConvolutionData) -> dict[str, str]:
    learned = t["real"]["learned"]
    if learned is None:
        return {}
    filters = learned["filters"]
    k, f, side = len(filters), len(filters[0]["weights"]), len(filters[0]["map"])
    edges = [i for i, x in enumerate(filters) if x["cancels"]]
    first = ""
    if edges:
        one = len(edges) == 1
        first = (f"{' and '.join(f'filter {i}' for i in edges).capitalize()}: the weights nearly cancel "
                 f"(sum {', '.join(fmt_num(filters[i]['weight_sum']) for i in edges)}); like the edge filters, "
                 f"{'it answers' if one else 'they answer'} where the brightness changes. ")
    return {
        "real_learned": f"Now {k} learned {f}\u00d7{f} filters: the first layer of deepviz's digits CNN, trained "
                        f"on scikit-learn's handwritten digits ({learned['side']}\u00d7{learned['side']}, one channel, "
                        f"{learned['accuracy'] * 100:.1f}% held out). Never on photos.",
        "real_learned_maps": f"The same photo through them, with their biases: {k} maps of {side}\u00d7{side}. "
                             f"{first}{'The others' if edges else 'They'} mostly follow the brightness, or its opposite, as a blur would.",
    }
