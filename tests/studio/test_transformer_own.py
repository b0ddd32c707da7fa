"""deepviz studio --model: your own transformer's attention maps for the page, or one line and exit 2."""
import textwrap

import pytest
import torch
from torch import nn

from deepviz.cli import main
from deepviz.studio.transformer_own import _example, user_attention

MODEL = textwrap.dedent('''
    import torch
    from torch import nn

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(50, 16)
            self.attn = nn.MultiheadAttention(16, 4, batch_first=True)

        def forward(self, ids):
            x = self.emb(ids)
            mask = nn.Transformer.generate_square_subsequent_mask(ids.shape[1])
            return self.attn(x, x, x, attn_mask=mask)[0]

    def build():
        return Tiny()

    def plain():
        return nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 2))

    def broken():
        raise ValueError("cannot build")
''')


@pytest.fixture()
def model_file(tmp_path):
    path = tmp_path / "gpt.py"
    path.write_text(MODEL)
    return path


def test_the_maps_are_the_models_own_weights_with_its_state_dict(model_file, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("user_gpt", model_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(5)
    trained = module.build().eval()
    torch.save(trained.state_dict(), tmp_path / "w.pt")
    got = user_attention(f"{model_file}:build", "1,9:long", str(tmp_path / "w.pt"))
    ids = _example(((1, 9), torch.long), trained)
    assert int(ids.max()) < 50 and len(set(ids[0].tolist())) > 3  # real, differing token ids
    x = trained.emb(ids)
    mask = nn.Transformer.generate_square_subsequent_mask(9)
    with torch.no_grad():
        _, own = trained.attn(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
    assert got["input"] == [1, 9] and [la["name"] for la in got["layers"]] == ["attn"]
    torch.testing.assert_close(torch.tensor(got["layers"][0]["weights"]), own[0], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("args, words", [
    (["--model", "{f}:plain", "--input", "1,8:long"], "--model: {f}:plain has no attention the capture can see"),
    (["--model", "{f}:broken", "--input", "1,8:long"], "--model: building broken() failed: ValueError: cannot build"),
    (["--model", "{f}:build", "--input", "1,8"], "--input: the studio shows an image 1,C,H,W (on /cnn) or token ids"),
    (["--model", "{f}:build", "--input", "1,8:long", "--weights", "{f}"], "--weights: "),
    (["--model", "{f}:build"], "--input: --model needs the input's shape"),
    (["--model", "{f}:build", "--input", "1,300:long"], "--input: the attention maps are 300 positions wide"),
    (["--weights", "{f}"], "--weights: goes with --model"),
])
def test_a_model_the_page_cannot_show_is_one_line_and_exit_2(model_file, capsys, args, words):
    code = main(["studio", *[a.format(f=model_file) for a in args]])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and words.format(f=model_file) in err, err


def test_the_studio_serves_the_maps_to_the_page(model_file):
    from fastapi.testclient import TestClient

    from deepviz.studio.server import create_app

    maps = user_attention(f"{model_file}:build", "1,6:long")
    client = TestClient(create_app(transformer=lambda: maps), base_url="http://127.0.0.1")
    assert client.get("/api/transformer/model").json()["own"] is True
    got = client.get("/api/transformer/own").json()
    assert got["layers"][0]["heads"] == 4 and len(got["layers"][0]["weights"][0]) == 6
