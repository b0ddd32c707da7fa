"""The adversarial trace against an independent torch reference: the held-out digits rebuilt from scikit-learn,
FGSM and PGD written out again by hand with torch.autograd.grad on the same trained model."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.models import digits_cnn
from deepviz.params import ParamError
from deepviz.threads import one_thread

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731
CASES = {  # presets, and other digits, attacks and targets
    "fgsm": {"preset": "fgsm"},
    "pgd-targeted": {"preset": "pgd-targeted"},
    "pgd-untargeted": {"digit": 11, "attack": "pgd", "steps": 3, "epsilon": 0.08},
    "fgsm-targeted": {"digit": 9, "target": 2, "epsilon": 0.07},
}


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    with one_thread():
        yield


@pytest.fixture(scope="module")
def model():
    return digits_cnn.load_model()


@pytest.fixture(scope="module")
def test_set():
    """The held-out digits straight from scikit-learn: every fifth one, scaled to 0..1 and upsampled to 16x16."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = torch.tensor(d.images[4::5], dtype=torch.float32)[:, None] / 16
    return F.interpolate(images, size=(16, 16), mode="bilinear", align_corners=False), torch.tensor(d.target[4::5])


@pytest.fixture(scope="module")
def traces():
    return {name: deepviz.trace("adversarial", **case).data for name, case in CASES.items()}


def loss_grad(model, x, y):
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x[None]), torch.tensor([y]))
    (g,) = torch.autograd.grad(loss, x)
    return g, loss.detach()


def attack_by_hand(model, x, y, eps, targeted, steps=None):
    """FGSM (steps None) or PGD's images after each step, as the papers write them."""
    sign = -1.0 if targeted else 1.0
    if steps is None:
        return [(x + sign * eps * loss_grad(model, x, y)[0].sign()).clamp(0, 1)]
    adv, path = x.clone(), []
    for _ in range(steps):
        adv = adv + sign * 2.5 * eps / steps * loss_grad(model, adv, y)[0].sign()
        adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0, 1)
        path.append(adv)
    return path


def probs_of(model, images):
    with torch.no_grad():
        return model(images).softmax(1)


def succeeds(t, predicted):
    return predicted == t["target"] if t["target"] >= 0 else predicted != t["predicted"]


@pytest.mark.parametrize("name", CASES)
def test_the_digit_and_its_probabilities(name, traces, model, test_set):
    t, (xs, labels) = traces[name], test_set
    x = xs[t["digit"]]
    torch.testing.assert_close(T(t["input"]), x[0])
    p = probs_of(model, x[None])[0]
    torch.testing.assert_close(T(t["probabilities"]), p)
    assert t["predicted"] == int(p.argmax()) and t["label"] == int(labels[t["digit"]])
    assert t["correct"] == int((probs_of(model, xs).argmax(1) == labels).sum())


def test_the_presets_digit_is_right_and_confident(traces):
    for name in ("fgsm", "pgd-targeted"):
        t = traces[name]
        assert t["predicted"] == t["label"] and t["confidence"] > 0.99


@pytest.mark.parametrize("name", CASES)
def test_the_gradient_is_autograd_of_the_cross_entropy(name, traces, model, test_set):
    t = traces[name]
    x = test_set[0][t["digit"]]
    y = t["target"] if t["target"] >= 0 else t["predicted"]
    g, loss = loss_grad(model, x, y)
    assert t["loss_class"] == y and t["loss"] == pytest.approx(loss.item(), rel=1e-4, abs=1e-9)
    torch.testing.assert_close(T(t["gradient"]), g[0])
    assert t["gradient_scale"] == pytest.approx(g.abs().max().item())
    torch.testing.assert_close(T(t["direction"]), (-g if t["target"] >= 0 else g).sign()[0])


@pytest.mark.parametrize("name", CASES)
def test_the_attack_is_fgsm_or_pgd_written_out(name, traces, model, test_set):
    t = traces[name]
    x = test_set[0][t["digit"]]
    eps, pgd = t["epsilon"], t["attack"] == "pgd"
    y, targeted = t["loss_class"], t["target"] >= 0
    path = attack_by_hand(model, x, y, eps, targeted, t["steps"] if pgd else None)
    r = t["result"]
    torch.testing.assert_close(T(r["image"]), path[-1][0])
    torch.testing.assert_close(T(r["perturbation"]), (path[-1] - x)[0])
    # the perturbation stays in the ε-ball, the image in the pixel range
    assert r["linf"] <= eps + 1e-6 and r["linf"] == pytest.approx((path[-1] - x).abs().max().item())
    assert 0.0 <= T(r["image"]).min() and T(r["image"]).max() <= 1.0
    probs = probs_of(model, torch.stack(path))
    torch.testing.assert_close(T(r["probabilities"]), probs[-1])
    assert r["predicted"] == int(probs[-1].argmax()) and r["success"] == succeeds(t, r["predicted"])
    watched = y if targeted else t["predicted"]
    assert [s["predicted"] for s in t["path"]] == probs.argmax(1).tolist()
    assert [s["goal_probability"] for s in t["path"]] == pytest.approx(probs[:, watched].tolist(), abs=1e-6)
    for snap in t["snapshots"]:
        torch.testing.assert_close(T(snap["perturbation"]), (path[snap["step"] - 1] - x)[0])
    assert t["snapshots"][-1]["step"] == t["steps"]
    fgsm = attack_by_hand(model, x, y, eps, targeted)[0]
    torch.testing.assert_close(T(t["fgsm"]["image"]), fgsm[0])
    assert t["fgsm"]["predicted"] == int(probs_of(model, fgsm[None]).argmax())


def test_fgsm_flips_the_preset_digit_to_a_wrong_class(traces):
    t = traces["fgsm"]
    assert t["result"]["success"] and t["result"]["predicted"] != t["label"]


def test_pgd_reaches_the_target_where_fgsm_does_not_and_with_a_smaller_epsilon(traces):
    t = traces["pgd-targeted"]
    assert t["result"]["predicted"] == t["target"] and not t["fgsm"]["success"]
    least = t["smallest"]
    assert least["pgd"] is not None and (least["fgsm"] is None or least["pgd"] < least["fgsm"])


@pytest.mark.parametrize("name", CASES)
def test_the_smallest_epsilons_succeed_and_a_little_less_does_not(name, traces, model, test_set):
    t = traces[name]
    x = test_set[0][t["digit"]]
    for attack, steps in (("fgsm", None), ("pgd", CASES[name].get("steps", 10))):
        least = t["smallest"][attack]
        if least is None:
            continue
        at, below = (attack_by_hand(model, x, t["loss_class"], e, t["target"] >= 0, steps)[-1]
                     for e in (least, least - 1e-3))
        assert succeeds(t, int(probs_of(model, at[None]).argmax())), (name, attack)
        assert not succeeds(t, int(probs_of(model, below[None]).argmax())), (name, attack)


@pytest.mark.parametrize("name", ["fgsm", "fgsm-targeted"])
def test_the_sweep_is_fgsm_at_evenly_spaced_epsilons(name, traces, model, test_set):
    t = traces[name]
    x = test_set[0][t["digit"]]
    outs = t["sweep"]["outcomes"]
    eps = torch.linspace(0, t["epsilon"], len(outs))
    assert [o["epsilon"] for o in outs] == pytest.approx(eps.tolist())
    images = torch.stack([attack_by_hand(model, x, t["loss_class"], e.item(), t["target"] >= 0)[0] for e in eps])
    torch.testing.assert_close(T([o["image"] for o in outs]), images[:, 0])
    predicted = probs_of(model, images).argmax(1).tolist()
    assert [o["predicted"] for o in outs] == predicted
    first = next((n for n, p in enumerate(predicted) if succeeds(t, p)), None)
    assert t["sweep"]["first"] == first and outs[0]["predicted"] == t["predicted"]


def test_captions_read_the_computed_numbers(traces):
    t = deepviz.trace("adversarial", preset="fgsm")
    r = t.data["result"]
    assert f"After: {r['predicted']} with" in t.narration["probabilities"]
    sweep = deepviz.trace("adversarial", preset="epsilon-sweep")
    assert f"{sweep.data['smallest']['fgsm']:.3g}" in sweep.narration["smallest"]


def test_a_target_the_digit_already_is_names_the_target(traces):
    t = traces["fgsm"]
    with pytest.raises(ParamError) as err:
        deepviz.trace("adversarial", digit=t["digit"], target=t["predicted"])
    assert err.value.param == "target"
