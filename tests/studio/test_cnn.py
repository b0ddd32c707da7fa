"""The CNN page's engine against independent torch: F.conv2d per channel, the model's own forward, F.max_pool2d,
nn.BatchNorm2d; and its messages and uploads answered with one line naming the field."""
import io
import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from deepviz.studio import cnn, cnn_page


@pytest.fixture(scope="module")
def digits():
    return cnn.digits_network()


@pytest.fixture(scope="module")
def seven(digits):
    return cnn.forward(digits, digits.examples[7][1])


def test_every_layer_is_the_models_own_forward(digits, seven):
    m, x = digits.model, digits.examples[7][1][None]
    with torch.no_grad():
        c1 = m.conv1(x)
        p1 = m.pool1(torch.relu(c1))
        c2 = m.conv2(p1)
        p2 = m.pool2(torch.relu(c2))
        logits = m.fc(p2.flatten(1))
    want = {"conv1": c1, "relu1": torch.relu(c1), "pool1": p1, "conv2": c2, "relu2": torch.relu(c2), "pool2": p2,
            "flatten": p2.flatten(1), "fc": logits}
    layers = {layer["name"]: layer for layer in seven.layers()}
    assert [layers[k]["kind"] for k in want] == ["conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten",
                                                 "linear"]
    for name, t in want.items():
        got = torch.tensor(layers[name]["maps"] if "maps" in layers[name] else layers[name]["vector"])
        torch.testing.assert_close(got, t[0], atol=6e-5, rtol=0)  # the overview is rounded to 4 decimals
    pred = seven.prediction()
    torch.testing.assert_close(torch.tensor(pred["probs"]), torch.softmax(logits[0], 0))
    assert pred["predicted"] == 7


@pytest.mark.parametrize("layer,unit", [(1, 0), (1, 5), (4, 3), (4, 11)])
def test_a_conv_unit_is_each_channel_convolved_with_its_own_kernel_summed_plus_the_bias(digits, seven, layer, unit):
    conv = digits.model.conv1 if layer == 1 else digits.model.conv2
    x = seven.captured.tensors[layer - 1 if layer == 1 else 3]
    d = cnn.unit_detail(seven, layer, unit)
    assert d["kind"] == "conv" and d["channels"] == list(range(conv.in_channels))
    for c in range(conv.in_channels):  # one channel, one kernel slice, plain F.conv2d
        ref = F.conv2d(x[:, c:c + 1], conv.weight[unit:unit + 1, c:c + 1], padding=conv.padding)[0, 0]
        torch.testing.assert_close(torch.tensor(d["intermediate"][c]), ref, atol=1e-6, rtol=1e-5)
    total = torch.tensor(d["sum"]) + d["bias"]
    torch.testing.assert_close(total, F.conv2d(x, conv.weight, conv.bias, padding=conv.padding)[0, unit],
                               atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(torch.tensor(d["output"]), total, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("row,col", [(0, 0), (5, 9), (15, 15)])
def test_the_sliding_kernel_products_sum_to_the_output_cell(digits, seven, row, col):
    conv = digits.model.conv1
    x = digits.examples[7][1]
    d = cnn.conv_cell(seven, seven.node(1), 2, row, col)
    padded = F.pad(x, (1, 1, 1, 1))  # padding 1: the patch of the padded input under the kernel
    patch = padded[:, row:row + 3, col:col + 3]
    torch.testing.assert_close(torch.tensor(d["patch"]), patch)
    torch.testing.assert_close(torch.tensor(d["products"]), patch * conv.weight[2])
    assert d["top"] == row - 1 and d["left"] == col - 1
    ref = F.conv2d(x[None], conv.weight, conv.bias, padding=1)[0, 2, row, col].item()
    assert d["total"] == pytest.approx(ref, abs=1e-5) and d["output"] == pytest.approx(ref, abs=1e-5)


def test_relu_maxpool_flatten_linear_softmax_details(digits, seven):
    m = digits.model
    relu = cnn.unit_detail(seven, 2, 1)
    torch.testing.assert_close(torch.tensor(relu["output"]), torch.tensor(relu["input"]).clamp(min=0))
    pool = cnn.unit_detail(seven, 3, 4)
    x = torch.tensor(pool["input"])
    out, where = F.max_pool2d(x[None, None], 2, return_indices=True)
    torch.testing.assert_close(torch.tensor(pool["output"]), out[0, 0])
    assert torch.equal(x.reshape(-1)[torch.tensor(pool["argmax"])], out[0, 0])
    flat = cnn.unit_detail(seven, 7, 5)
    assert flat["offset"] == 5 * 16 and torch.equal(torch.tensor(flat["output"]), torch.tensor(flat["input"]).reshape(-1))
    lin = cnn.unit_detail(seven, 8, 7)
    feats = torch.tensor(lin["input"])
    assert lin["output"] == pytest.approx((m.fc.weight[7] @ feats + m.fc.bias[7]).item(), abs=1e-5)
    assert lin["sum"] + lin["bias"] == pytest.approx(lin["output"], abs=1e-5)
    soft = cnn.unit_detail(seven, -1, 0)
    torch.testing.assert_close(torch.tensor(soft["probs"]), torch.softmax(torch.tensor(soft["logits"]), 0))
    e = torch.tensor(soft["exp"])
    torch.testing.assert_close(e / soft["total"], torch.tensor(soft["probs"]))


class Residual(nn.Module):
    """BatchNorm, an in-place ReLU, a residual add and a pooling: capture must see them all."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, groups=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 3)
        with torch.no_grad():
            self.bn.running_mean.uniform_(-0.5, 0.5)
            self.bn.running_var.uniform_(0.5, 2)

    def forward(self, x):
        y = self.relu(self.bn(self.conv(x)))
        y = y + self.conv2(y)
        return self.fc(self.pool(y).flatten(1))


def test_a_residual_network_with_batchnorm_grouped_conv_and_an_inplace_relu():
    net = cnn.Network(Residual(), (3, 8, 8), [("noise", torch.rand(3, 8, 8))], "residual")
    p = cnn.forward(net, net.examples[0][1])
    kinds = {layer["name"]: layer["kind"] for layer in p.layers()}
    assert kinds["conv"] == "conv" and kinds["bn"] == "batchnorm" and kinds["relu"] == "relu"
    assert kinds["pool"] == "box" and "add" in kinds.values()
    m, x = net.model, net.examples[0][1][None]
    with torch.no_grad():
        c = m.conv(x)
        b = m.bn(c)
        y = torch.relu(b)
    # the conv's output is kept as it was before the in-place ReLU changed it
    conv_id = next(layer["id"] for layer in p.layers() if layer["name"] == "conv")
    torch.testing.assert_close(p.out(p.node(conv_id)), c)
    bn = cnn.unit_detail(p, conv_id + 1, 2)
    ref = (torch.tensor(bn["input"]) - bn["mean"]) / (bn["var"] + bn["eps"]) ** 0.5 * bn["gamma"] + bn["beta"]
    torch.testing.assert_close(torch.tensor(bn["output"]), b[0, 2])
    torch.testing.assert_close(ref, b[0, 2], atol=1e-5, rtol=1e-5)
    grouped = next(layer["id"] for layer in p.layers() if layer["name"] == "conv2")
    d = cnn.unit_detail(p, grouped, 3)  # group 1: input channels 2 and 3
    assert d["channels"] == [2, 3]
    torch.testing.assert_close(torch.tensor(d["sum"]) + d["bias"], m.conv2(y)[0, 3], atol=1e-5, rtol=1e-5)
    add = next(layer for layer in p.layers() if layer["kind"] == "add")
    a = cnn.unit_detail(p, add["id"], 1)
    torch.testing.assert_close(torch.tensor(a["a"]) + torch.tensor(a["b"]), torch.tensor(a["output"]))


def _ask(session, **message):
    return cnn_page.answer(session, json.dumps(message))


def test_messages_answer_with_the_same_id_and_bad_ones_name_the_field(digits):
    s = cnn_page.Session(digits)
    assert _ask(s, type="unit", id=1, layer=1)["detail"] == "input: send an input first"
    f = _ask(s, type="input", id=2, example=3)
    assert f["type"] == "forward" and f["id"] == 2 and f["prediction"]["predicted"] == 3
    assert _ask(s, type="unit", id=3, layer=1, unit=2)["detail"]["kind"] == "conv"
    assert _ask(s, type="cell", id=4, layer=1, unit=2, row=3, col=4)["detail"]["row"] == 3
    bad = [(dict(type="input", id=5, example=99), "example"), (dict(type="input", id=5, pixels=[0.5] * 7), "pixels"),
           (dict(type="input", id=5, drawing=[2.0] * 1024), "drawing"), (dict(type="unit", id=5, layer=1, unit=6), "unit"),
           (dict(type="unit", id=5, layer=42), "layer"), (dict(type="cell", id=5, layer=2, unit=0, row=0, col=0), "layer"),
           (dict(type="cell", id=5, layer=1, unit=0, row=16, col=0), "row"), (dict(type="nope", id=5), "message"),
           (dict(type="input", id=5), "input")]
    for message, field in bad:
        reply = _ask(s, **message)
        assert reply["type"] == "error" and reply["field"] == field, (message, reply)
        assert reply["detail"].startswith(field + ":") and "\n" not in reply["detail"]
    assert cnn_page.answer(s, "{not json")["field"] == "message"


def test_a_drawing_becomes_a_digit_as_the_uci_digits_were_made(digits):
    from deepviz.models import digits_cnn

    full = torch.zeros(32, 32)  # a bar already 32 pixels tall and centred: only the 4×4 block counts change it
    full[:, 14:18] = 1.0
    torch.testing.assert_close(cnn.digit_blocks(full), F.avg_pool2d(full[None, None], 4)[0, 0] * 16)
    small = torch.zeros(32, 32)  # the same bar drawn small, in a corner: scaled up and centred alike
    small[2:10, 3:4] = 1.0
    torch.testing.assert_close(cnn.digit_blocks(small), cnn.digit_blocks(full), atol=0.5, rtol=0)
    assert cnn.digit_blocks(torch.zeros(32, 32)).abs().sum() == 0
    s = cnn_page.Session(digits)
    f = _ask(s, type="input", drawing=small.reshape(-1).tolist())
    torch.testing.assert_close(s.current.x, digits_cnn.prepare(cnn.digit_blocks(small)[None])[0])
    assert f["prediction"]["classes"][f["prediction"]["predicted"]] == "1"


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_an_uploaded_image_is_decoded_and_bad_uploads_are_refused(digits):
    from PIL import Image, ImageDraw

    img = Image.new("L", (64, 64), 255)  # a dark "1" on white paper: inverted
    ImageDraw.Draw(img).rectangle((26, 6, 38, 58), fill=0)
    got = cnn_page.image_input(digits, _png(img))
    assert "inverted" in got["note"] and len(got["pixels"]) == 256
    s = cnn_page.Session(digits)
    assert _ask(s, type="input", pixels=got["pixels"])["prediction"]["predicted"] == 1
    for data in (b"", b"GIF89a not really", b"<svg xmlns='http://www.w3.org/2000/svg'/>"):
        with pytest.raises(cnn.Refused, match="^file: "):
            cnn_page.image_input(digits, data)


def test_the_routes_upload_limit_and_socket():
    from fastapi.testclient import TestClient

    from deepviz.studio.server import create_app

    net = cnn.Network(Residual(), (3, 8, 8), [("noise", torch.rand(3, 8, 8))], "residual")
    with TestClient(create_app(cnn=lambda: net), base_url="http://127.0.0.1") as client:
        assert client.get("/api/cnn/network").json()["shape"] == [3, 8, 8]
        from PIL import Image

        ok = client.post("/api/cnn/image", content=_png(Image.new("RGB", (20, 10), (255, 0, 0))))
        assert ok.status_code == 200 and len(ok.json()["pixels"]) == 3 * 64 and ok.json()["pixels"][0] == 1.0
        bad = client.post("/api/cnn/image", content=b"not an image")
        assert bad.status_code == 422 and bad.json()["detail"].startswith("file: ")
        big = client.post("/api/cnn/image", content=b"0" * (cnn_page.MAX_IMAGE + 1))
        assert big.status_code == 413 and big.json()["field"] == "file"
        with client.websocket_connect("ws://127.0.0.1/ws/cnn") as ws:
            ws.send_text(json.dumps({"type": "input", "id": 9, "example": 0}))
            reply = json.loads(ws.receive_text())
            assert reply["id"] == 9 and len(reply["prediction"]["probs"]) == 3
            ws.send_text("[]")
            assert json.loads(ws.receive_text())["type"] == "error"


def _run_script(folder, script: str, state: bytes) -> list[float]:
    """Run the exported script as ``python cnn_model.py`` would, in this process (no second torch import)."""
    import contextlib
    import io
    import os
    import runpy

    (folder / "cnn_model.py").write_text(script)
    (folder / "cnn_state_dict.pt").write_bytes(state)
    out, cwd = io.StringIO(), os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path("cnn_model.py", run_name="__main__")
    finally:
        os.chdir(cwd)
    return json.loads(out.getvalue().partition("probabilities:")[2])


def test_the_exported_script_prints_the_pages_prediction(digits, tmp_path):
    from deepviz.studio import cnn_export

    s = cnn_page.Session(digits)
    frame = _ask(s, type="input", example=6)
    script = _ask(s, type="export")["script"]
    probs = _run_script(tmp_path, script, cnn_export.state_dict_bytes(digits))
    assert probs == pytest.approx(frame["prediction"]["probs"], abs=2e-6)
    bare = cnn_page.Session(cnn.Network(Residual(), (3, 8, 8), [("noise", torch.rand(3, 8, 8))], "residual"))
    _ask(bare, type="input", example=0)
    assert _ask(bare, type="export")["field"] == "export"  # no source to build it from
