"""Adversarial examples against the trained digits CNN, computed with torch: params -> Trace.

The model is :mod:`deepviz.models.digits_cnn`; the attacks are :mod:`deepviz.models.attacks` (the studio's CNN
page uses the same). The loss is the cross-entropy of the class the network predicts for the digit (untargeted:
the attack raises it) or of the target class (targeted: the attack lowers it). Everything every part shows is
computed whichever part the video shows: the gradient and its sign, FGSM and the chosen attack at epsilon with
each step, the sweep over epsilon and the smallest epsilon that meets the goal for FGSM and for PGD.
"""
from __future__ import annotations

from typing import Any, Callable

import torch
import torch.nn.functional as F

from ...models import attacks, digits_cnn
from ...params import ParamError
from ...style.numbers import MINUS, fmt_num, fmt_pct, fmt_sig
from ...threads import one_thread
from ...trace import Trace, to_plain
from .schema import AdversarialData, Outcome

SNAPSHOTS = 5  # PGD steps whose perturbation the video shows (the last included)
TOP_EPSILON = 1.0  # the smallest-epsilon search goes up to the whole pixel range
SUBTLE = 0.2  # up to this epsilon the captions say the digit still looks the same to us (the renders agree)


def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    """Attack the trained digits CNN for validated ``values`` (on one thread: the tensors are tiny)."""
    with one_thread():
        return _compute(values, preset)


def goal(predicted: int, target: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """Logits (N x 10) -> whether each image meets the attack's goal: the target class (``target`` >= 0),
    else any class but ``predicted``."""
    if target >= 0:
        return lambda z: z.argmax(1) == target
    return lambda z: z.argmax(1) != predicted


def outcomes(model, x: torch.Tensor, images: torch.Tensor, epsilons: torch.Tensor,
             succeeded: Callable[[torch.Tensor], torch.Tensor]) -> list[dict[str, Any]]:
    """What the network makes of each attacked image (N x 1 x 16 x 16), one batch: an ``Outcome`` each, with
    tensors (``to_plain`` makes them lists)."""
    with torch.no_grad():
        logits = model(images)
    probs = logits.softmax(1)
    delta = images - x
    ok = succeeded(logits)
    return [{"epsilon": float(e), "image": img[0], "perturbation": d[0], "linf": float(d.abs().max()),
             "probabilities": p, "predicted": int(p.argmax()), "confidence": float(p.max()), "success": bool(s)}
            for e, img, d, p, s in zip(epsilons, images, delta, probs, ok)]


def shown_steps(steps: int) -> list[int]:
    """Up to ``SNAPSHOTS`` steps spread evenly over 1..``steps``, the last included."""
    n = min(steps, SNAPSHOTS)
    return sorted({round(steps * k / n) for k in range(1, n + 1)})


def _compute(values: dict[str, Any], preset: str | None) -> Trace:
    model = digits_cnn.load_model()
    _, test = digits_cnn.load()
    xs = digits_cnn.prepare(test.images)
    i, eps, target = values["digit"], values["epsilon"], values["target"]
    x = xs[i]
    with torch.no_grad():
        all_probs = model(xs).softmax(1)
    correct = int((all_probs.argmax(1) == test.labels).sum())
    probs = all_probs[i]
    predicted = int(probs.argmax())
    if target == predicted:
        raise ParamError("target", f"test digit {i} is already classified as {target}; choose another class "
                                   "(or -1: any other class)")
    targeted = target >= 0
    y = target if targeted else predicted  # the class whose loss the attack differentiates
    succeeded = goal(predicted, target)
    pgd = values["attack"] == "pgd"
    steps = values["steps"] if pgd else 1

    grad, logits = attacks.input_gradient(model, x, lambda z: F.cross_entropy(z[None], torch.tensor([y])))
    loss = F.cross_entropy(logits[None], torch.tensor([y]))

    def run(e: float | torch.Tensor, attack: str) -> torch.Tensor:
        if attack == "pgd":
            return attacks.pgd(model, x, y, e, values["steps"], targeted=targeted)
        return attacks.fgsm(model, x, y, e, targeted=targeted)

    one = torch.tensor([eps])
    fgsm = outcomes(model, x, run(one, "fgsm"), one, succeeded)[0]
    path = attacks.pgd_path(model, x, y, eps, steps, targeted=targeted)[1:] if pgd else [run(eps, "fgsm")]
    walk = outcomes(model, x, torch.stack(path), one.expand(len(path)), succeeded)
    watched = y if targeted else predicted  # the probability the path follows
    sweep_eps = torch.linspace(0, eps, values["points"])
    sweep = outcomes(model, x, run(sweep_eps, values["attack"]), sweep_eps, succeeded)
    first = next((n for n, o in enumerate(sweep) if o["success"]), None)
    smallest = {a: attacks.smallest_epsilon(model, lambda e, a=a: run(e, a), succeeded, TOP_EPSILON)
                for a in ("fgsm", "pgd")}
    data = {
        "part": values["part"], "attack": values["attack"],
        "source": "sklearn.datasets.load_digits: 8x8, 0..16, scaled to 0..1 and upsampled to 16x16 (bilinear)",
        "test_size": len(test.labels), "correct": correct, "accuracy": correct / len(test.labels),
        "digit": i, "label": int(test.labels[i]), "input": x[0], "probabilities": probs, "predicted": predicted,
        "confidence": float(probs[predicted]), "epsilon": eps, "steps": steps,
        "alpha": 2.5 * eps / steps if pgd else eps, "target": target, "loss_class": y, "loss": float(loss),
        "gradient": grad[0], "gradient_scale": float(grad.abs().max()),
        "direction": (-grad.sign() if targeted else grad.sign())[0],
        "result": walk[-1], "fgsm": fgsm,
        "path": [{"step": n + 1, "linf": o["linf"], "predicted": o["predicted"], "confidence": o["confidence"],
                  "goal_probability": float(o["probabilities"][watched])} for n, o in enumerate(walk)],
        "snapshots": [{"step": s, "perturbation": walk[s - 1]["perturbation"]} for s in shown_steps(steps)],
        "sweep": {"outcomes": sweep, "first": first},
        "smallest": smallest,
    }
    plain: AdversarialData = to_plain(data)
    return Trace(concept="adversarial", params={}, data=plain, narration=narration(plain), preset=preset)


# -- narration: every number from the trace ---------------------------------------------------------------

def narration(t: AdversarialData) -> dict[str, str]:
    """Caption text per step of the chosen part."""
    if t["part"] == "sweep":
        return _sweep_text(t)
    return _pgd_text(t) if t["attack"] == "pgd" else _fgsm_text(t)


def _goal_words(t: AdversarialData) -> str:
    return f"reach class {t['target']}" if t["target"] >= 0 else "change the class"


def _a(k: int) -> str:
    return f"an {k}" if k == 8 else f"a {k}"


def _reaches(t: AdversarialData) -> str:
    return f"reaches {t['target']}" if t["target"] >= 0 else "flips it"


def _intro(t: AdversarialData) -> str:
    verdict = "" if t["predicted"] == t["label"] else ", already wrong"
    text = (f"Held-out test image {t['digit']}: {_a(t['label'])}. The trained CNN says {t['predicted']} with "
            f"{fmt_pct(t['confidence'])}{verdict}.")
    if t["attack"] == "pgd" or t["target"] >= 0:
        text += f" The goal: {'make it say ' + str(t['target']) if t['target'] >= 0 else 'any other class'}."
    return text


def _direction(t: AdversarialData) -> str:
    e = fmt_num(t["epsilon"], 3)
    if t["target"] >= 0:
        return (f"To go towards {t['target']} FGSM steps down that loss: every pixel moves by \u03b5 = {e} against "
                "the gradient's sign, up where {color:weight}, down where {color:input}.")
    return (f"FGSM keeps only the sign and moves every pixel by \u03b5 = {e}: up where {{color:weight}}, down "
            "where {color:input}.")


def _verdict(t: AdversarialData, o: Outcome) -> str:
    if o["success"]:
        return f"It reached {t['target']}." if t["target"] >= 0 else "The class flipped."
    if t["target"] >= 0:
        return f"It did not reach {t['target']}."
    return f"It is still {t['predicted']}: \u03b5 = {fmt_num(t['epsilon'], 3)} is too small."


def _probabilities(t: AdversarialData) -> str:
    r = t["result"]
    return (f"Before: {t['predicted']} with {fmt_pct(t['confidence'])}. After: {r['predicted']} with "
            f"{fmt_pct(r['confidence'])}. {_verdict(t, r)}")


def _looks(t: AdversarialData) -> str:
    if t["epsilon"] <= SUBTLE:
        return f"To us it still looks like {_a(t['label'])}."
    return "At this \u03b5 we can see the change too."


def _fgsm_text(t: AdversarialData) -> dict[str, str]:
    # float32 rounds the cross-entropy of a very confident class to 0; its gradient is not 0
    loss = fmt_sig(t["loss"], 3) if t["loss"] >= 1e-7 else "below 10\u207b\u2077"
    sign = MINUS if t["target"] >= 0 else "+"
    return {
        "intro": _intro(t),
        "gradient": f"The loss of class {t['loss_class']} is {loss}. Its gradient with respect "
                    "to the pixels says how to raise it: brighten the {color:weight} ones, darken the {color:input} "
                    "ones.",
        "direction": _direction(t),
        "perturbation": f"x\u2032 = clip(x {sign} \u03b5\u00b7sign): the largest change of any pixel is "
                        f"{fmt_num(t['result']['linf'], 3)}. {_looks(t)}",
        "probabilities": _probabilities(t),
    }


def _pgd_text(t: AdversarialData) -> dict[str, str]:
    f, s, e = t["fgsm"], t["smallest"], fmt_num(t["epsilon"], 3)
    last = t["path"][-1]
    watched = t["target"] if t["target"] >= 0 else t["predicted"]
    need = (f"FGSM {_reaches(t)} only from \u03b5 = {fmt_sig(s['fgsm'], 3)}." if s["fgsm"] is not None
            else f"FGSM {_reaches(t)} at no \u03b5 up to 1.")
    return {
        "intro": _intro(t),
        "fgsm": f"One FGSM step of \u03b5 = {e} gives {f['predicted']} ({fmt_pct(f['confidence'])}). "
                f"{'It works here' if f['success'] else 'Not enough'}: {need}",
        "steps": f"PGD takes {t['steps']} step{'s' if t['steps'] > 1 else ''} of {fmt_sig(t['alpha'], 3)}, "
                 f"each projected back into the \u03b5-ball: p({watched}) goes from {fmt_pct(t['probabilities'][watched])} to "
                 f"{fmt_pct(last['goal_probability'])}.",
        "perturbation": f"No pixel moved more than {fmt_num(t['result']['linf'], 3)}. {_looks(t)}",
        "probabilities": _probabilities(t),
        "smallest": f"The smallest \u03b5 to {_goal_words(t)}: "
                    + ", ".join(f"{name} {fmt_sig(v, 3) if v is not None else 'none up to 1'}"
                                for name, v in (("PGD", s["pgd"]), ("FGSM", s["fgsm"]))) + ".",
    }


def _sweep_text(t: AdversarialData) -> dict[str, str]:
    sw, name = t["sweep"], t["attack"].upper()
    outs, n = sw["outcomes"], sw["first"]
    every = "FGSM's direction is the same for every \u03b5" if t["attack"] == "fgsm" else \
        f"PGD starts in this direction and takes {t['steps']} projected steps at each \u03b5"
    if n is None:
        row = (f"\u03b5 from 0 to {fmt_num(t['epsilon'], 3)}: {name} does not {_goal_words(t)}; at the end the "
               f"network says {outs[-1]['predicted']} with {fmt_pct(outs[-1]['confidence'])}.")
    else:
        row = (f"\u03b5 from 0 to {fmt_num(t['epsilon'], 3)}: the prediction is {outs[n - 1]['predicted']} up to "
               f"\u03b5 = {fmt_num(outs[n - 1]['epsilon'], 3)}, then {outs[n]['predicted']} at "
               f"{fmt_num(outs[n]['epsilon'], 3)} ({fmt_pct(outs[n]['confidence'])}).")
    least = t["smallest"][t["attack"]]
    smallest = (f"Bisection finds the smallest \u03b5 that {_reaches(t)}: {fmt_sig(least, 3)}, "
                f"{fmt_num(100 * least, 1)} % of the pixel range." if least is not None
                else f"Up to \u03b5 = 1, the whole pixel range, {name} never does.")
    return {
        "intro": _intro(t),
        "direction": f"{every}; only the step length \u03b5 grows.",
        "row": row,
        "smallest": smallest,
    }
