"""Live training on the CNN page: from the cached model's random initial weights, torch's own Adam."""
import json
import time

import pytest
import torch
import torch.nn.functional as F

from deepviz.models import digits_cnn
from deepviz.studio import cnn, cnn_page


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
