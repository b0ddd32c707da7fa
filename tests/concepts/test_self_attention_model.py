"""`deepviz render self-attention --model`: the map of the user's own model, against its own attention output."""
import pytest
import torch

from deepviz.concepts.self_attention import PARAMS
from deepviz.concepts.self_attention.compute import compute
from deepviz.params import ParamError

MHA_MODEL = '''
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.emb = nn.Embedding(20, 8)
        self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

    def forward(self, ids):
        x = self.emb(ids)
        return self.attn(x, x, x)[0]


def weights_of(ids):
    net = Net().eval()
    x = net.emb(ids)
    return net.attn(x, x, x, need_weights=True, average_attn_weights=False)[1][0]
'''


def values(**changes):
    return PARAMS.resolve({"input": "1,7:long", **changes})


@pytest.fixture
def model_file(tmp_path, monkeypatch):
    path = tmp_path / "mha_net.py"
    path.write_text(MHA_MODEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    return path


def test_the_map_is_the_models_own_need_weights_output(model_file):
    import mha_net

    trace = compute(values(model=f"{model_file}:Net", head=1))
    d = trace.data
    want = mha_net.weights_of(torch.tensor([d["ids"]]))[1]
    torch.testing.assert_close(torch.tensor(d["weights"]), want.detach(), rtol=1e-5, atol=1e-6)
    assert d["kind"] == "MultiheadAttention" and d["layer_name"] == "attn" and d["heads"] == 2
    assert d["top"] == int(want[-1].argmax()) and str(d["top"] + 1) in trace.narration["model-row"]


def test_the_tiny_gpt_preset_is_an_independent_softmax_of_its_q_and_k():
    from deepviz.models import tiny_gpt

    trace = compute(values(model="deepviz.models.tiny_gpt:trained_model", layer=1, head=2))
    model = tiny_gpt.load().model
    ids = torch.tensor([trace.data["ids"]])
    with torch.no_grad():
        x = model.tok(ids) + model.pos(torch.arange(ids.shape[1]))
        x = model.blocks[0](x)
        q, k, _ = model.blocks[1].attn.split(model.blocks[1].ln1(x))
    t = ids.shape[1]
    scores = q[0, 2] @ k[0, 2].T / q.shape[-1] ** 0.5
    want = scores.masked_fill(torch.ones(t, t).triu(1).bool(), float("-inf")).softmax(-1)
    torch.testing.assert_close(torch.tensor(trace.data["weights"]), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("changes, field", [
    ({"model": "{file}:Nope"}, "model"),
    ({"model": "{file}:Net", "layer": 3}, "layer"),
    ({"model": "{file}:Net", "head": 2}, "head"),
    ({"model": "{file}:Net", "input": "1,100:long"}, "input"),
    ({"model": "deepviz.diagrams.examples:mlp", "input": "1,2"}, "model"),  # no attention
])
def test_a_model_that_does_not_build_or_has_no_such_attention_is_one_line(model_file, changes, field):
    changes = {k: v.format(file=model_file) if isinstance(v, str) else v for k, v in changes.items()}
    with pytest.raises(ParamError) as err:
        compute(values(**changes))
    assert err.value.param == field and "\n" not in str(err.value)
