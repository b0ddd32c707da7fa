"""Live training on the CNN page: from the cached model's random initial weights, torch's own Adam."""
import json
import time

import pytest
import torch
import torch.nn.functional as F

from deepviz.models import digits_cnn
from deepviz.studio import cnn, cnn_page, cnn_train


def test_live_training_starts_at_the_random_weights_and_follows_torch_adam():
    net = cnn.digits_network()
    s = cnn_page.Session(net)
    cnn_page.answer(s, json.dumps({"type": "input", "example": 4}))
    cnn_page.answer(s, json.dumps({"type": "train", "action": "start"}))
    deadline = time.monotonic() + 120
    while (len(s.training.snapshots) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    first, tenth = s.training.snapshots[:2]
    s.close()
    torch.manual_seed(digits_cnn.SEED)
    model = digits_cnn.DigitsCNN()  # the seeded initialisation, built here
    for k, v in model.state_dict().items():
        assert torch.equal(first.state[k], v), k
    train, _ = digits_cnn.load()
    x, y = digits_cnn.prepare(train.images), train.labels
    opt = torch.optim.Adam(model.parameters(), lr=digits_cnn.LR)
    for _ in range(tenth.step):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    for k, v in model.state_dict().items():
        torch.testing.assert_close(tenth.state[k], v, atol=2e-5, rtol=1e-4)
    with torch.no_grad():
        assert tenth.loss == pytest.approx(F.cross_entropy(model(x), y).item(), abs=1e-4)
    exported = cnn_page.answer(s, json.dumps({"type": "export"}))  # the snapshot's weights come with the script
    import base64
    import io

    state = torch.load(io.BytesIO(base64.b64decode(exported["state_dict"])), weights_only=True)
    assert all(torch.equal(state[k], v) for k, v in s.net.model.state_dict().items())
    # stop goes back to the trained network
    reply = cnn_page.answer(s, json.dumps({"type": "train", "action": "stop"}))
    assert reply["done"] and s.net is net and s.training is None
    assert s.current.net is net


def test_a_network_without_data_cannot_train():
    from .test_cnn import Residual

    s = cnn_page.Session(cnn.Network(Residual(), (3, 8, 8), [("noise", torch.rand(3, 8, 8))], "residual"))
    assert cnn_page.answer(s, json.dumps({"type": "train", "action": "start"}))["field"] == "train"


def _functional(state: dict, x: torch.Tensor, stride: int, padding: int, pool: str) -> list[torch.Tensor]:
    """The network rebuilt from its state_dict with F.conv2d, F.relu and F's pooling: (conv1, conv2, logits)."""
    pooled = {"max": F.max_pool2d, "avg": F.avg_pool2d, "none": lambda t, k: t}[pool]
    c1 = F.conv2d(x, state["conv1.weight"], state["conv1.bias"], stride=stride, padding=padding)
    c2 = F.conv2d(pooled(F.relu(c1), 2), state["conv2.weight"], state["conv2.bias"], stride=stride, padding=padding)
    return [c1, c2, F.linear(pooled(F.relu(c2), 2).flatten(1), state["fc.weight"], state["fc.bias"])]


@pytest.mark.parametrize("arch", [dict(c1=4, c2=5, kernel=5, stride=1, padding=2, pool="avg"),
                                  dict(c1=3, c2=7, kernel=3, stride=2, padding=0, pool="none")])
def test_a_chosen_architecture_trains_and_is_the_functional_network_of_its_weights(arch):
    s = cnn_page.Session(cnn.digits_network())
    cnn_page.answer(s, json.dumps({"type": "input", "example": 3}))
    reply = cnn_page.answer(s, json.dumps({"type": "train", "action": "start", **arch}))
    deadline = time.monotonic() + 120
    while len(s.training.snapshots) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    reply = cnn_page.answer(s, json.dumps({"type": "train", "action": "poll"}))
    s.close()
    assert reply["step"] >= cnn_train.EVERY and f"{arch['c1']}, {arch['c2']} channels" in s.net.name
    state = s.net.model.state_dict()
    assert state["conv1.weight"].shape == (arch["c1"], 1, arch["kernel"], arch["kernel"])
    assert torch.tensor(reply["filters"]).shape == (arch["c1"], arch["kernel"], arch["kernel"])
    x = s.current.x[None]
    c1, c2, logits = _functional(state, x, arch["stride"], arch["padding"], arch["pool"])
    with torch.no_grad():
        torch.testing.assert_close(s.net.model(x), logits, atol=1e-5, rtol=1e-5)
    layers = {layer["name"]: layer for layer in reply["frame"]["layers"]}  # the overview shows the new maps
    assert ("pool1" in layers) == (arch["pool"] != "none")
    for name, want in (("conv1", c1), ("conv2", c2), ("fc", logits)):
        got = torch.tensor(layers[name]["maps"] if "maps" in layers[name] else layers[name]["vector"])
        torch.testing.assert_close(got, want[0], atol=6e-5, rtol=0)
    script = cnn_page.answer(s, json.dumps({"type": "export"}))["script"]  # builds this architecture
    assert f"DigitsCNN(c1={arch['c1']}, c2={arch['c2']}, kernel={arch['kernel']}" in script
    scope: dict = {}
    exec(script.split("\nINPUT = ")[0], scope)  # its build() makes this architecture: the weights load
    rebuilt = scope["build"]()
    rebuilt.load_state_dict(state)
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(x), logits, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("change,field", [({"kernel": 7, "padding": 0, "stride": 3, "pool": "none"}, "kernel"),
                                          ({"kernel": 7, "padding": 0}, "kernel"),  # conv2's input is 5×5
                                          ({"kernel": 1, "padding": 0, "stride": 3}, "pool"),  # conv2 makes 1×1
                                          ({"c1": 0}, "c1"), ({"c2": 33}, "c2"), ({"kernel": 8}, "kernel"),
                                          ({"stride": 4}, "stride"), ({"padding": -1}, "padding"),
                                          ({"pool": "median"}, "pool")])
def test_an_architecture_that_does_not_fit_is_refused_naming_the_field(change, field):
    s = cnn_page.Session(cnn.digits_network())
    reply = cnn_page.answer(s, json.dumps({"type": "train", "action": "start", **change}))
    assert reply["type"] == "error" and reply["field"] == field, reply
    assert reply["detail"].startswith(f"{field}: ") and s.training is None


def test_the_default_architecture_is_the_cached_models():
    torch.manual_seed(digits_cnn.SEED)
    default = digits_cnn.DigitsCNN(**cnn_train.DEFAULT).state_dict()
    assert all(torch.equal(default[k], v) for k, v in digits_cnn._build().state_dict().items())
    assert cnn_train.label(cnn_train.DEFAULT) == "digits CNN"
