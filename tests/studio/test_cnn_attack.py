"""Saliency, occlusion, FGSM, PGD and the smallest flipping ε against hand-written torch.autograd references."""
import json

import pytest
import torch
import torch.nn.functional as F

from deepviz.studio import cnn, cnn_attack, cnn_page


@pytest.fixture(scope="module")
def net():
    return cnn.digits_network()


@pytest.fixture(scope="module")
def x(net):
    return net.examples[3][1]


def _loss_grad(model, x, y):
    x = x.clone().requires_grad_(True)
    loss = F.cross_entropy(model(x[None]), torch.tensor([y]))
    return torch.autograd.grad(loss, x)[0]


def test_saliency_is_the_gradient_of_the_class_score(net, x):
    got = cnn_attack.saliency(net, x, 8)
    xx = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(net.model(xx[None])[0, 8], xx)
    torch.testing.assert_close(torch.tensor(got["map"]), g.abs()[0])
    assert got["class"] == 8 and cnn_attack.saliency(net, x)["class"] == 3


def test_occlusion_is_the_drop_in_probability_with_a_patch_blacked_out(net, x):
    got = cnn_attack.occlusion(net, x)
    assert got["patch"] == 4 and got["stride"] == 2 and len(got["map"]) == 7 and len(got["map"][0]) == 7
    with torch.no_grad():
        base = torch.softmax(net.model(x[None]), 1)[0, 3]
        hidden = x.clone()
        hidden[:, 6:10, 2:6] = 0.0  # row 3, column 1 of the patch grid
        p = torch.softmax(net.model(hidden[None]), 1)[0, 3]
    assert got["map"][3][1] == pytest.approx((base - p).item(), abs=1e-6)


def test_fgsm_is_goodfellows_step(net, x):
    eps = 0.07
    got = cnn_attack.attack(net, x, "fgsm", eps)
    want = (x + eps * _loss_grad(net.model, x, 3).sign()).clamp(0, 1)
    torch.testing.assert_close(torch.tensor(got["image"]), want)
    torch.testing.assert_close(torch.tensor(got["perturbation"]), want - x)
    with torch.no_grad():
        probs = torch.softmax(net.model(want[None])[0], 0)
    torch.testing.assert_close(torch.tensor(got["probs"]), probs)
    assert got["predicted"] == int(probs.argmax()) and got["original"] == 3


def test_pgd_is_projected_signed_steps(net, x):
    eps, steps = 0.05, 4
    got = cnn_attack.attack(net, x, "pgd", eps, steps)
    adv = x.clone()
    for _ in range(steps):
        adv = adv + 2.5 * eps / steps * _loss_grad(net.model, adv, 3).sign()
        adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0, 1)
    torch.testing.assert_close(torch.tensor(got["image"]), adv)
    assert torch.tensor(got["perturbation"]).abs().max() <= eps + 1e-6


def test_the_smallest_flipping_epsilon_flips_and_a_little_less_does_not(net, x):
    eps = cnn_attack.smallest_flip(net, x, 3)
    assert eps is not None and 0 < eps < 1
    sign = _loss_grad(net.model, x, 3).sign()
    with torch.no_grad():
        at = net.model((x + eps * sign).clamp(0, 1)[None]).argmax(1).item()
        below = net.model((x + (eps - 1e-3) * sign).clamp(0, 1)[None]).argmax(1).item()
    assert at != 3 and below == 3


def test_explain_and_attack_messages_and_their_field_errors(net):
    s = cnn_page.Session(net)
    cnn_page.answer(s, json.dumps({"type": "input", "example": 5}))
    assert cnn_page.answer(s, json.dumps({"type": "explain", "class": 2}))["saliency"]["class"] == 2
    r = cnn_page.answer(s, json.dumps({"type": "attack", "id": 4, "method": "pgd", "epsilon": 0.2, "steps": 3}))
    assert r["type"] == "attack" and r["id"] == 4 and r["steps"] == 3
    for message, field in [({"type": "attack", "epsilon": 1.5}, "epsilon"), ({"type": "attack", "method": "cw"}, "method"),
                           ({"type": "attack", "steps": 0}, "steps"), ({"type": "explain", "class": 10}, "class")]:
        reply = cnn_page.answer(s, json.dumps(message))
        assert reply["type"] == "error" and reply["field"] == field, reply
