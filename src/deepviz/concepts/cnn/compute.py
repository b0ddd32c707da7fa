"""The trained digits CNN, computed with torch: params -> Trace.

The model is :mod:`deepviz.models.digits_cnn` (trained at first use, cached). Everything the video
shows is computed here: every layer's output for one held-out digit, the first layer's filters,
each conv2 channel's top-activating test patches (crops of its receptive field), the gradient of
a class score with respect to the input, an occlusion map and activation maximisation.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ...models import digits_cnn
from ...style.numbers import fmt_num, fmt_pct, fmt_shape
from ...threads import one_thread
from ...trace import Trace, to_plain
from .schema import CnnData

OCCLUSION_GREY = 0.5  # the occluding patch's value (the input runs 0..1, the ink near 1)
SNAPSHOTS = 6  # dream images kept along the ascent, the first and the last included
BLUR = torch.tensor([1.0, 2.0, 1.0])
BLUR_KERNEL = (BLUR[:, None] * BLUR[None, :] / 16)[None, None]  # a 3x3 binomial blur
SHOWN_LAYERS = ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2")


def forward(model, x: torch.Tensor) -> dict[str, Any]:
    """Every layer's output for one input (1 x 1 x 16 x 16), the logits and the softmax."""
    outs = digits_cnn.layer_outputs(model, x)
    layers = [{"name": name, "shape": list(outs[name].shape[1:]), "maps": outs[name][0],
               "scale": float(outs[name].abs().max())} for name in SHOWN_LAYERS]
    logits = outs["fc"][0]
    probs = logits.softmax(0)
    return {"layers": layers, "flat": outs["flatten"][0], "logits": logits, "probabilities": probs,
            "predicted": int(probs.argmax())}


def describe_filter(w: torch.Tensor) -> str:
    """A filter's kind in words, from its weights (3 x 3): its sum against its left-right and top-bottom contrast.

    A filter whose weights mostly add up responds to ink (or, negative, to the background); one whose
    right column outweighs its left finds strokes' left edges (dark to light), and so on.
    """
    total = float(w.sum())
    dx = float(w[:, -1].sum() - w[:, 0].sum())
    dy = float(w[-1, :].sum() - w[0, :].sum())
    if abs(total) >= max(abs(dx), abs(dy)):
        return "an ink detector" if total > 0 else "a background detector"
    if abs(dx) >= abs(dy):
        return "a left-edge detector" if dx > 0 else "a right-edge detector"
    return "a top-edge detector" if dy > 0 else "a bottom-edge detector"


def top_patches(model, x: torch.Tensor, k: int) -> dict[str, Any]:
    """For every conv2 channel, the ``k`` test digits on which its ReLU output peaks highest, each with
    the peak's position and the input crop of that unit's receptive field (zeros outside the image)."""
    with torch.no_grad():
        act = digits_cnn.layer_outputs(model, x)["relu2"]  # n x 12 x 8 x 8
    n, c, h, w = act.shape
    peak, where = act.reshape(n, c, -1).max(2)  # each digit's strongest unit per channel
    side = digits_cnn.receptive_field(0, 0)[2]
    pad = side  # enough zeros around the image for any receptive field
    padded = F.pad(x[:, 0], (pad, pad, pad, pad))
    channels = []
    for ch in range(c):
        best = peak[:, ch].topk(k)
        items = []
        for value, digit in zip(best.values, best.indices):
            r, col = divmod(int(where[digit, ch]), w)
            top, left, _ = digits_cnn.receptive_field(r, col)
            crop = padded[digit, top + pad:top + pad + side, left + pad:left + pad + side]
            items.append({"digit": int(digit), "unit": [r, col], "activation": float(value),
                          "field": [top, left], "patch": crop})
        channels.append(items)
    return {"side": side, "channels": channels}


def occlusion_map(model, x: torch.Tensor, cls: int, size: int, stride: int) -> dict[str, Any]:
    """The probability of ``cls`` with a grey ``size`` x ``size`` patch at each position (one batch)."""
    side = x.shape[-1]
    starts = range(0, side - size + 1, stride)
    batch = x.repeat(len(starts) ** 2, 1, 1, 1)
    for i, (r, c) in enumerate((r, c) for r in starts for c in starts):
        batch[i, :, r:r + size, c:c + size] = OCCLUSION_GREY
    with torch.no_grad():
        probs = model(batch).softmax(1)[:, cls].reshape(len(starts), len(starts))
        base = float(model(x).softmax(1)[0, cls])
    drop = base - probs
    r, c = divmod(int(drop.argmax()), len(starts))
    return {"size": size, "stride": stride, "grey": OCCLUSION_GREY, "starts": list(starts),
            "probability": probs, "base": base, "drop": drop,
            "worst": [starts[r], starts[c]], "worst_drop": float(drop.max())}


def dream_objective(model, x: torch.Tensor, of: str, target: int) -> torch.Tensor:
    """What the ascent maximises, one value per image of the batch: a class score or a channel's mean."""
    if of == "class":
        return model(x)[:, target] if target >= 0 else model(x).diagonal()
    maps = model.conv2(model.pool1(model.relu1(model.conv1(x))))
    return maps[:, target].mean((1, 2)) if target >= 0 else maps.mean((2, 3)).diagonal()


def dream(model, count: int, of: str, steps: int, lr: float, l2: float, blur: float) -> dict[str, Any]:
    """Gradient ascent on ``count`` blank inputs at once, input ``i`` maximising target ``i`` (a class
    or a conv2 channel) minus ``l2`` times its squared norm; after each step ``blur`` of a 3x3 blur is
    mixed in and the input is clipped to the data's range 0..1."""
    x = torch.zeros(count, 1, digits_cnn.SIDE, digits_cnn.SIDE, requires_grad=True)
    # geometrically spaced: the image changes most in the first steps
    keep = sorted({0} | {round(steps ** (i / (SNAPSHOTS - 2))) for i in range(SNAPSHOTS - 1)})
    snapshots, scores = [], []  # snapshots of every image; the trace keeps the followed one's
    for step in range(steps + 1):
        score = dream_objective(model, x, of, -1)
        if step in keep:
            snapshots.append({"step": step, "images": x.detach()[:, 0].clone(), "scores": score.detach()})
        if step == steps:
            scores = score.detach()
            break
        objective = (score - l2 * x.pow(2).sum((1, 2, 3))).sum()  # the images do not interact: one sum
        (grad,) = torch.autograd.grad(objective, x)
        with torch.no_grad():
            x += lr * grad
            x.copy_((1 - blur) * x + blur * F.conv2d(x, BLUR_KERNEL, padding=1))
            x.clamp_(0.0, 1.0)
    with torch.no_grad():
        probs = model(x).softmax(1)
    return {"snapshots": snapshots, "final": x.detach()[:, 0], "scores": scores,
            "predicted": probs.argmax(1), "confidence": probs.max(1).values}


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    """Run the trained digits CNN for validated ``values`` (on one thread: the tensors are tiny)."""
    with one_thread():
        return _compute(values, preset)


def _compute(values: dict[str, Any], preset: str | None) -> Trace:
    model = digits_cnn.load_model()
    train, test = digits_cnn.load()
    xs = digits_cnn.prepare(test.images)
    i = values["digit"]
    x = xs[i:i + 1]
    with torch.no_grad():
        correct = int((model(xs).argmax(1) == test.labels).sum())
        fwd = forward(model, x)
    cls = fwd["predicted"] if values["target"] < 0 else values["target"]
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(xg)[0, cls], xg)
    of = values["dream_of"]
    count = 10 if of == "class" else model.conv2.out_channels
    dreamt = dream(model, count, of, values["steps"], values["lr"], values["l2"], values["blur"])
    patches = top_patches(model, xs, values["patches"])
    chosen = cls if of == "class" else values["channel"] - 1
    w1 = model.conv1.weight.detach()[:, 0]
    data = {
        "part": values["part"],
        "source": "sklearn.datasets.load_digits: 8x8, 0..16, scaled to 0..1 and upsampled to 16x16 (bilinear)",
        "train_size": len(train.labels), "test_size": len(test.labels),
        "correct": correct, "accuracy": correct / len(test.labels),
        "digit": i, "label": int(test.labels[i]), "original": test.images[i] / 16, "input": x[0, 0],
        "layers": fwd["layers"], "flat": fwd["flat"], "logits": fwd["logits"],
        "probabilities": fwd["probabilities"], "predicted": fwd["predicted"],
        "filters": {"weights": w1, "bias": model.state_dict()["conv1.bias"],
                    "kinds": [describe_filter(w) for w in w1]},
        "features": {**patches, "channel": values["channel"],
                     "digits": xs[[it["digit"] for it in patches["channels"][values["channel"] - 1]], 0]},
        "saliency": {"target": cls, "score": float(fwd["logits"][cls]), "gradient": grad[0, 0],
                     "scale": float(grad.abs().max()),
                     "occlusion": occlusion_map(model, x, cls, values["occlusion"], values["occlusion_stride"])},
        "dream": {"of": of, "target": chosen, "steps": values["steps"], "lr": values["lr"], "l2": values["l2"],
                  "blur": values["blur"], **dreamt,
                  "snapshots": [{"step": s["step"], "image": s["images"][chosen], "score": float(s["scores"][chosen])}
                                for s in dreamt["snapshots"]]},
    }
    plain: CnnData = to_plain(data)
    return Trace(concept="cnn", params={}, data=plain, narration=narration(plain), preset=preset)


def narration(t: CnnData) -> dict[str, str]:
    """Caption text per step of the chosen part, every number taken from the computed trace."""
    return {"forward": _forward_text, "filters": _filters_text, "features": _features_text,
            "saliency": _saliency_text, "dream": _dream_text}[t["part"]](t)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]



def _digit_intro(t: CnnData) -> str:
    return (f"Held-out test digit {t['digit']}, a {t['label']}, upsampled to 16\u00d716. The network never saw "
            f"it; it gets {t['correct']} of the {t['test_size']} test digits right ({fmt_pct(t['accuracy'])}).")


def _forward_text(t: CnnData) -> dict[str, str]:
    by = {layer["name"]: layer for layer in t["layers"]}
    shape = lambda name: fmt_shape(by[name]["shape"])  # noqa: E731
    p, k = t["probabilities"], t["predicted"]
    verdict = "right" if k == t["label"] else f"wrong: it is a {t['label']}"
    return {
        "intro": _digit_intro(t),
        "conv1": f"conv1: 6 learned 3\u00d73 filters slide over the digit (padding 1): 6 activation maps, "
                 f"{shape('conv1')}. Above zero in {{color:weight}}, below in {{color:input}}.",
        "relu1": "ReLU sets every negative value to zero: only the matches stay.",
        "pool1": f"Max pooling 2\u00d72 keeps each window's largest value: {shape('pool1')}.",
        "conv2": f"conv2: 12 filters, each 3\u00d73\u00d76 across all six maps: {shape('conv2')}.",
        "relu2": "ReLU again: the negatives become zero.",
        "pool2": f"Max pooling again: 12 maps of 4\u00d74, {shape('pool2')}.",
        "flatten": f"Flatten: the {len(t['flat'])} numbers in one column, channel after channel, each map "
                   f"row by row.",
        "logits": f"One linear layer turns the {len(t['flat'])} numbers into 10 scores, one per digit class; "
                  f"the highest, {fmt_num(t['logits'][k])}, is class {k}.",
        "softmax": f"Softmax makes them probabilities: {k} with {fmt_pct(p[k])}. The prediction is {k}, {verdict}.",
    }


def _filters_text(t: CnnData) -> dict[str, str]:
    f = t["filters"]
    text = {"intro": _digit_intro(t),
            "filters": "The first layer's six 3\u00d73 filters, as training left them. "
                       "Positive weights in {color:weight}, negative in {color:input}.",
            "maps": "Each filter slides over the digit and gives one activation map: where the pattern matches, "
                    "the map is {color:weight}."}
    for n, kind in enumerate(f["kinds"]):
        w = f["weights"][n]
        text[f"filter_{n + 1}"] = (f"Filter {n + 1}: its weights add up to {fmt_num(sum(map(sum, w)))}, "
                                   f"bias {fmt_num(f['bias'][n])}: {kind}.")
    relu1 = next(layer for layer in t["layers"] if layer["name"] == "relu1")
    empty = [str(n + 1) for n, m in enumerate(relu1["maps"]) if max(map(max, m)) <= 0]
    text["relu"] = "After ReLU only the matches remain" + (
        f"; map{'s' if len(empty) > 1 else ''} {_and(empty)} {'are' if len(empty) > 1 else 'is'} all zero: "
        "nothing in this digit matches." if empty else ": every filter finds something in this digit.")
    return text


def _features_text(t: CnnData) -> dict[str, str]:
    f = t["features"]
    ch = f["channel"]
    items = f["channels"][ch - 1]
    digits = ", ".join(str(it["digit"]) for it in items)
    return {
        "field": f"A conv2 unit sees an {f['side']}\u00d7{f['side']} patch of the input; a conv1 unit only "
                 "3\u00d73. Deeper units see more.",
        "channel": f"conv2 channel {ch} responds most, of all {t['test_size']} test digits, to digits {digits}: "
                   f"its peak is {fmt_num(items[0]['activation'])}.",
        "patches": f"Their {f['side']}\u00d7{f['side']} patches under the strongest unit: the part of a "
                   "stroke this channel looks for.",
        "all": f"Every conv2 channel's top {len(items)} test patches. Layer 1 finds edges; layer 2 combines "
               "them into curves, corners and stroke endings.",
    }


def _saliency_text(t: CnnData) -> dict[str, str]:
    s, o = t["saliency"], t["saliency"]["occlusion"]
    k = s["target"]
    return {
        "intro": _digit_intro(t),
        "gradient": f"Saliency: the gradient of class {k}'s score ({fmt_num(s['score'])}) with respect to each "
                    "input pixel. {color:weight} pixels raise the score when brightened, {color:input} lower it.",
        "occlusion": f"Occlusion: cover a {o['size']}\u00d7{o['size']} patch with half ink ({fmt_num(o['grey'])}) and "
                     f"record the probability of class {k}, at every position (stride {o['stride']}).",
        "drop": f"The map shows how much the probability drops from {fmt_pct(o['base'])}: {{color:weight}} where "
                f"covering lowers it, {{color:input}} where it raises it. The worst patch, at row {o['worst'][0]}, "
                f"column {o['worst'][1]}, takes {fmt_pct(o['worst_drop'])} off.",
    }


def _dream_text(t: CnnData) -> dict[str, str]:
    d = t["dream"]
    what = f"class {d['target']}'s score" if d["of"] == "class" else f"conv2 channel {d['target'] + 1}'s mean"
    start, final = d["snapshots"][0]["score"], d["snapshots"][-1]["score"]
    word = "score" if d["of"] == "class" else "mean"
    climb = (f"the {word} climbs from {fmt_num(start)} to {fmt_num(final)}." if final > start + 1e-6 else
             f"the objective stays at {fmt_num(final)}: from a blank input no gradient reaches it.")
    every = "all ten classes" if d["of"] == "class" else f"all {len(d['scores'])} conv2 channels"
    return {
        "start": f"Activation maximisation: start from a blank input and change it, step by step, to maximise "
                 f"{what}.",
        "ascent": f"Gradient ascent, {d['steps']} steps of size {fmt_num(d['lr'])}, with a small L2 penalty "
                  f"({fmt_num(d['l2'])}) and a blur after each step: {climb}",
        "gallery": f"The same for {every}: the network's ideal inputs. Not real digits, but its strokes.",
    }
