"""The cached tiny models: a broken cache file is retrained, one trainer at a time, and the digits CNN reaches
its accuracy."""
import threading
import time

import torch
from torch import nn

from deepviz.models import cached, digits_cnn


def test_broken_cache_file_is_retrained(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPVIZ_CACHE_DIR", str(tmp_path))
    fits = []

    def build():
        torch.manual_seed(0)
        return nn.Linear(2, 1)

    def fit(m):
        fits.append(1)
        with torch.no_grad():
            m.weight.fill_(3.0)

    m, now = cached.trained("t", 1, build, fit)
    assert now and m.weight[0, 0].item() == 3.0
    m, now = cached.trained("t", 1, build, fit)
    assert not now and m.weight[0, 0].item() == 3.0 and len(fits) == 1
    cached.cache_path("t", 1).write_bytes(b"truncated")
    m, now = cached.trained("t", 1, build, fit)
    assert now and m.weight[0, 0].item() == 3.0 and len(fits) == 2
    assert [p.name for p in tmp_path.rglob("*")] == ["models", cached.cache_path("t", 1).name]


def test_a_model_wanted_twice_at_once_trains_once(tmp_path, monkeypatch):
    """Two at once (threads here; the test run's xdist workers alike): one trains, the other waits and loads."""
    monkeypatch.setenv("DEEPVIZ_CACHE_DIR", str(tmp_path))
    fits, results = [], []

    def fit(m):
        fits.append(1)
        time.sleep(0.5)  # long enough for the other to arrive meanwhile
        with torch.no_grad():
            m.weight.fill_(2.0)

    def want():
        results.append(cached.trained("t", 2, lambda: nn.Linear(2, 1), fit))

    threads = [threading.Thread(target=want) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fits) == 1 and sorted(now for _, now in results) == [False, True]
    assert all(m.weight[0, 0].item() == 2.0 for m, _ in results)
    assert [p.name for p in tmp_path.rglob("*")] == ["models", cached.cache_path("t", 2).name]  # no lock left


def test_digits_cnn_held_out_accuracy():
    model = digits_cnn.load_model()
    train, test = digits_cnn.load()
    assert (len(train.labels), len(test.labels)) == (1438, 359)
    assert digits_cnn.accuracy(model, test) >= 0.97
    # the forward is the layers in order (pages address them by name)
    x = digits_cnn.prepare(test.images[:3])
    h = x
    for layer in (model.conv1, model.relu1, model.pool1, model.conv2, model.relu2, model.pool2, model.flatten, model.fc):
        h = layer(h)
    assert torch.equal(h, model(x))


def test_a_stale_file_of_other_shapes_is_not_half_loaded(tmp_path, monkeypatch):
    # same keys, other shapes (a model changed without a new key): the model trains from its own fresh start
    monkeypatch.setenv("DEEPVIZ_CACHE_DIR", str(tmp_path))
    stale = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    with torch.no_grad():
        for p in stale.parameters():
            p.fill_(7.0)
    torch.save(stale.state_dict(), cached.cache_path("s", 1))
    starts = []

    def build():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1))  # the second layer changed shape

    def fit(m):
        starts.append(m[0].weight.detach().clone())

    m, now = cached.trained("s", 1, build, fit)
    assert now and not (starts[0] == 7.0).any()  # the first layer was not filled in from the stale file
