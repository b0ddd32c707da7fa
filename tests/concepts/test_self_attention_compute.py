"""The self-attention trace against PyTorch's own attention: nn.MultiheadAttention and F.scaled_dot_product_attention."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import deepviz
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731
CASES = [{"sentence": "I eat apples"}, {"sentence": "we drink cold water", "d_model": 6, "heads": 2},
         {"sentence": "she reads the book", "causal": True},
         {"sentence": "they do not see the house", "d_model": 8, "heads": 4, "causal": True, "seed": 7},
         {"sentence": "he drinks hot coffee", "d_model": 3, "heads": 3, "positional": False}]


def torch_mha(t) -> nn.MultiheadAttention:
    """PyTorch's multi-head attention holding the trace's weights (it stores the transposes: y = x Wᵀ)."""
    d = t["d_model"]
    mha = nn.MultiheadAttention(d, t["heads"], bias=False, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([T(t["w_q"]).T, T(t["w_k"]).T, T(t["w_v"]).T]))
        mha.out_proj.weight.copy_(T(t["w_o"]).T)
    return mha.eval()


@pytest.mark.parametrize("values", CASES)
def test_output_and_every_heads_map_equal_nn_multihead_attention(values):
    t = deepviz.trace("self-attention", **values)
    x, n = T(t["x"])[None], len(t["words"])
    mask = torch.ones(n, n, dtype=torch.bool).triu(1) if t["causal"] else None
    with torch.no_grad():
        out, maps = torch_mha(t)(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(T(t["output"]), out[0], rtol=0, atol=1e-5)
    torch.testing.assert_close(T([h["weights"] for h in t["per_head"]]), maps[0], rtol=0, atol=1e-6)
    assert T(t["output"]).shape == T(t["x"]).shape  # "retaining the hidden state size"


@pytest.mark.parametrize("values", CASES)
def test_each_head_equals_scaled_dot_product_attention(values):
    t = deepviz.trace("self-attention", **values)
    x, dk = T(t["x"]), t["d_k"]
    q, k, v = x @ T(t["w_q"]), x @ T(t["w_k"]), x @ T(t["w_v"])
    for i, head in enumerate(t["per_head"]):
        cols = slice(i * dk, (i + 1) * dk)
        z = F.scaled_dot_product_attention(q[None, :, cols], k[None, :, cols], v[None, :, cols], is_causal=t["causal"])
        torch.testing.assert_close(T(head["z"]), z[0], rtol=0, atol=1e-5)
        torch.testing.assert_close(T(head["scores"]), q[:, cols] @ k[:, cols].T / math.sqrt(dk), rtol=0, atol=1e-5)
        a = T(head["weights"])
        torch.testing.assert_close(a.sum(1), torch.ones(len(a)), rtol=0, atol=1e-6)
        if t["causal"]:
            seen = torch.ones_like(a, dtype=torch.bool).tril()
            assert (a[~seen] == 0).all() and (a[seen] > 0).all()
    torch.testing.assert_close(T(t["concat"]), torch.cat([T(h["z"]) for h in t["per_head"]], 1), rtol=0, atol=0)


def test_x_is_the_words_embeddings_plus_the_sinusoidal_encoding_of_the_paper():
    t = deepviz.trace("self-attention", sentence="the dog sees the cat", d_model=6)
    pe = [[math.sin(p / 10000 ** (i / 6)) if i % 2 == 0 else math.cos(p / 10000 ** ((i - 1) / 6)) for i in range(6)]
          for p in range(5)]
    torch.testing.assert_close(T(t["encoding"]), T(pe), rtol=0, atol=1e-6)
    torch.testing.assert_close(T(t["x"]), T(t["embeddings"]) + T(pe), rtol=0, atol=1e-6)
    assert t["embeddings"][0] == t["embeddings"][3]  # "the" twice: one row of the table
    assert t["x"][0] != t["x"][3]  # ... told apart by its position
    assert all(abs(v * 10 - round(v * 10)) < 1e-4 for row in t["w_q"] for v in row)  # one decimal


def test_the_caption_reads_the_followed_rows_weights():
    t = deepviz.trace("self-attention", preset="masked")
    row = t["per_head"][0]["weights"][t["focus"]]
    assert row[-1] == 0.0  # the masked preset follows a row the mask cuts
    assert "0\u00b7v4" in t.narration["output"] and "\u2212\u221e" in t.narration["mask"]


@pytest.mark.parametrize("values, param", [({"d_model": 6, "heads": 4}, "heads"),
                                           ({"sentence": "I eat pears"}, "sentence"),
                                           ({"sentence": "i eat apples and i drink cold water"}, "sentence")])
def test_bad_values_name_their_parameter(values, param):
    with pytest.raises(ParamError) as err:
        deepviz.trace("self-attention", **values)
    assert err.value.param == param
