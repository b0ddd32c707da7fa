"""Your own CNN on the page: ``deepviz studio --model net.py:build --weights net.pt --input 1,3,32,32``, a small
residual CNN with BatchNorm written here, its weights saved by torch; and every bad option is one line, exit 2."""
import json

import pytest
import torch
from fastapi.testclient import TestClient

from deepviz import cli
from deepviz.studio import cnn

NET = '''
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        return torch.relu(x + self.bn(self.conv(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.act = nn.ReLU()
        self.block = Block(8)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(8 * 8 * 8, 5)

    def forward(self, x):
        x = self.pool(self.block(self.act(self.stem(x))))
        return self.head(torch.flatten(x, 1))


def build():
    return Net()


def broken():
    raise ValueError("no such layer size")
'''


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("usercnn")
    (folder / "net.py").write_text(NET)
    import importlib.util

    spec = importlib.util.spec_from_file_location("usercnn_reference", folder / "net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(3)
    model = module.build()
    with torch.no_grad():  # trained-looking statistics, so that BatchNorm is not the identity
        model.block.bn.running_mean.uniform_(-0.3, 0.3)
        model.block.bn.running_var.uniform_(0.5, 2.0)
        model.block.bn.weight.uniform_(0.5, 1.5)
    torch.save(model.state_dict(), folder / "net.pt")
    torch.save({"not": "weights", "fn": print}, folder / "evil.pt")  # a pickle weights_only refuses
    return folder, model.eval()


def _start(monkeypatch, argv):
    """Run ``deepviz studio`` up to the server, which is not started: the app it would serve is returned."""
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.setdefault("app", app))
    status = cli.main(["studio", *argv])
    return status, served.get("app")


def test_your_own_cnn_drives_the_page_with_its_weights(files, monkeypatch):
    folder, model = files
    status, app = _start(monkeypatch, ["--model", f"{folder}/net.py:build", "--weights", str(folder / "net.pt"),
                                       "--input", "1,3,32,32", "--port", "8799"])
    assert status == 0 and app is not None
    with TestClient(app, base_url="http://127.0.0.1") as client:
        desc = client.get("/api/cnn/network").json()
        assert desc["shape"] == [3, 32, 32] and desc["classes"] == ["0", "1", "2", "3", "4"]
        assert desc["examples"][0] == "photo china"
        with client.websocket_connect("ws://127.0.0.1/ws/cnn") as ws:
            ws.send_text(json.dumps({"type": "input", "id": 1, "example": 1}))
            frame = json.loads(ws.receive_text())
            layers = {layer["name"]: layer for layer in frame["layers"]}
            assert layers["block.bn"]["kind"] == "batchnorm" and layers["stem"]["kind"] == "conv"
            assert any(layer["kind"] == "add" for layer in frame["layers"])
            x = cnn._photos(cnn.Network(model, (3, 32, 32), [], "ref"))[1][1]
            with torch.no_grad():
                logits = model(x[None])[0]
            torch.testing.assert_close(torch.tensor(frame["prediction"]["logits"]), logits)
            ws.send_text(json.dumps({"type": "unit", "id": 2, "layer": layers["block.conv"]["id"], "unit": 4}))
            detail = json.loads(ws.receive_text())["detail"]
            with torch.no_grad():
                inner = model.act(model.stem(x[None]))
                ref = model.block.conv(inner)[0, 4]
            assert detail["kind"] == "conv" and len(detail["intermediate"]) == 8
            torch.testing.assert_close(torch.tensor(detail["sum"]) + detail["bias"], ref, atol=1e-5, rtol=1e-5)
            ws.send_text(json.dumps({"type": "export", "id": 3}))
            script = json.loads(ws.receive_text())["script"]
        state = client.get("/api/cnn/export/state_dict")
        assert state.headers["content-disposition"] == 'attachment; filename="cnn_state_dict.pt"'
    from .test_cnn import _run_script

    run = folder / "run"  # elsewhere: the script imports the user's file by its absolute path
    run.mkdir()
    assert _run_script(run, script, state.content) == pytest.approx(frame["prediction"]["probs"], abs=2e-6)


@pytest.mark.parametrize("argv,field", [
    (["--model", "{d}/net.py:broken", "--input", "1,3,32,32"], "model"),
    (["--model", "{d}/net.py:build", "--input", "1,1,32,32"], "model"),  # the forward fails: 3 channels expected
    (["--model", "{d}/net.py:build", "--input", "1,3,16,16"], "model"),  # the head does not fit
    (["--model", "{d}/net.py:build", "--input", "1,3,32,32", "--weights", "{d}/evil.pt"], "weights"),
    (["--model", "{d}/net.py:build", "--input", "1,3,32,32", "--weights", "{d}/missing.pt"], "weights"),
    (["--model", "{d}/net.py:nothing", "--input", "1,3,32,32"], "model"),
    (["--model", "{d}/net.py:build"], "input"),
    (["--model", "{d}/net.py:build", "--input", "2,3,32,32"], "input"),
    (["--model", "{d}/net.py:build", "--input", "1,3,512,512"], "input"),
    (["--weights", "{d}/net.pt"], "weights"),
])
def test_a_bad_model_option_is_one_line_and_exit_2(files, monkeypatch, capsys, argv, field):
    folder, _ = files
    status, app = _start(monkeypatch, [a.format(d=folder) for a in argv])
    err = capsys.readouterr().err
    assert status == 2 and app is None
    assert err.startswith(f"deepviz: error: --{field}: ") and err.count("\n") == 1, err


def test_weights_of_another_shape_are_refused(files, monkeypatch, capsys, tmp_path):
    folder, model = files
    state = model.state_dict()
    state["head.weight"] = torch.zeros(3, 512)
    torch.save(state, tmp_path / "other.pt")
    status, _ = _start(monkeypatch, ["--model", f"{folder}/net.py:build", "--input", "1,3,32,32",
                                     "--weights", str(tmp_path / "other.pt")])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("deepviz: error: --weights: do not fit the model") and err.count("\n") == 1
