"""Why the CNN page's network decides as it does, and how little it takes to change its mind.

- **saliency**: |∂ score_k / ∂ input|, the largest over the channels, for each pixel (Simonyan et al. 2014);
- **occlusion**: the drop of the class probability when a square patch of the input is set to the darkest
  pixel value, for each position of the patch (Zeiler & Fergus 2014);
- **adversarial examples**: FGSM, ``x' = clip(x + ε·sign(∇ₓ loss))`` (Goodfellow et al. 2015), and PGD, a few
  such steps of size ``2.5 ε / steps`` each projected back into the ε-ball (Madry et al. 2018), on the
  cross-entropy of the class the network predicts; and the smallest ε for which FGSM's image changes the class.

Every number comes from torch autograd on the page's own model (the attacks are :mod:`deepviz.models.attacks`,
shared with the ``adversarial`` video); the tests check each against a hand-written reference with
``torch.autograd.grad``.

>>> from deepviz.studio.cnn import DigitsLike, Network
>>> net = Network(DigitsLike(), (1, 4, 4), [], "tiny")
>>> r = attack(net, torch.full((1, 4, 4), 0.5), "fgsm", 0.1)
>>> round(max(abs(v) for row in r["perturbation"][0] for v in row), 4)
0.1
"""
from __future__ import annotations

import torch

from ..models import attacks
from .cnn import Network, Refused

METHODS = ("fgsm", "pgd")
MAX_EPSILON = 1.0  # of the pixel range


def _target(net: Network, x: torch.Tensor, target: int | None) -> tuple[int, torch.Tensor]:
    with torch.no_grad():
        logits = net.model(x[None])[0]
    if logits.dim() != 1:
        raise Refused("class", "this network's output is not a vector of class scores")
    if target is None:
        return int(logits.argmax()), logits
    if not 0 <= target < len(logits):
        raise Refused("class", f"must be from 0 to {len(logits) - 1}, got {target}")
    return target, logits


def saliency(net: Network, x: torch.Tensor, target: int | None = None) -> dict:
    """|∂ logit_k / ∂ x| (the class's score before the softmax), the largest over the channels."""
    k, _ = _target(net, x, target)
    g, _ = attacks.input_gradient(net.model, x, lambda z: z[k])
    return {"class": k, "map": g.abs().amax(0).tolist(), "gradient": g.tolist()}


def occlusion(net: Network, x: torch.Tensor, target: int | None = None, patch: int | None = None) -> dict:
    """p(class | x) − p(class | x with a patch set to the darkest value), for each patch position (one batch)."""
    k, logits = _target(net, x, target)
    _, h, w = x.shape
    size = patch or max(1, min(h, w) // 4)
    stride = max(1, size // 2)
    tops, lefts = list(range(0, h - size + 1, stride)), list(range(0, w - size + 1, stride))
    batch = x[None].repeat(len(tops) * len(lefts), 1, 1, 1)
    for n, (i, j) in enumerate((i, j) for i in tops for j in lefts):
        batch[n, :, i:i + size, j:j + size] = net.pixel_range[0]
    with torch.no_grad():
        p = torch.softmax(net.model(batch), 1)[:, k]
    base = torch.softmax(logits, 0)[k]
    return {"class": k, "map": (base - p).reshape(len(tops), len(lefts)).tolist(), "patch": size, "stride": stride,
            "probability": base.item()}


def adversarial(net: Network, x: torch.Tensor, method: str, epsilon: float, steps: int = 1,
                y: int | None = None) -> torch.Tensor:
    """The FGSM or PGD image of ``x`` against class ``y`` (default: the predicted one)."""
    y, _ = _target(net, x, y)
    if method == "fgsm":
        return attacks.fgsm(net.model, x, y, epsilon, net.pixel_range)
    return attacks.pgd(net.model, x, y, epsilon, steps, net.pixel_range)


def smallest_flip(net: Network, x: torch.Tensor, y: int) -> float | None:
    """The smallest ε (of the pixel range) for which FGSM's image is not classified ``y``, or None up to the
    whole range (a grid of values in one batch, then bisection between the last two)."""
    lo, hi = net.pixel_range
    return attacks.smallest_flip(net.model, x, y, net.pixel_range, MAX_EPSILON * (hi - lo))


def attack(net: Network, x: torch.Tensor, method: str, epsilon: float, steps: int = 1) -> dict:
    """The page's adversarial panel: the perturbation, the new image, its prediction and the smallest flip."""
    if method not in METHODS:
        raise Refused("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    y, logits = _target(net, x, None)
    adv = adversarial(net, x, method, epsilon, steps if method == "pgd" else 1, y)
    with torch.no_grad():
        probs = torch.softmax(net.model(adv[None])[0], 0)
    return {"method": method, "epsilon": epsilon, "steps": steps if method == "pgd" else 1, "original": y,
            "original_confidence": torch.softmax(logits, 0)[y].item(), "image": adv.tolist(),
            "perturbation": (adv - x).tolist(), "probs": probs.tolist(), "predicted": int(probs.argmax()),
            "confidence": probs.max().item(), "smallest_flip": smallest_flip(net, x, y)}
