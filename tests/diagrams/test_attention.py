"""Attention maps captured from a model's forward pass, against the model's own weights or a manual softmax."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from deepviz.diagrams.attention import attention_maps


class SdpaGPT(nn.Module):
    """Two causal self-attention layers through F.scaled_dot_product_attention (with a padding mask on the second)."""

    def __init__(self, vocab=20, width=16, heads=4):
        super().__init__()
        self.heads = heads
        self.emb = nn.Embedding(vocab, width)
        self.qkv = nn.ModuleList(nn.Linear(width, 3 * width) for _ in range(2))
        self.seen = []  # the Q and K each layer used, for the reference

    def forward(self, ids):
        x = self.emb(ids)
        n, t, w = x.shape
        self.seen.clear()
        for i, layer in enumerate(self.qkv):
            q, k, v = (z.view(n, t, self.heads, -1).transpose(1, 2) for z in layer(x).split(w, -1))
            self.seen.append((q, k))
            if i == 0:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                keep = torch.ones(t, t, dtype=torch.bool)
                keep[:, -1] = False  # the last key is padding
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=0.3)
            x = x + y.transpose(1, 2).reshape(n, t, w)
        return x


def test_sdpa_maps_equal_a_manual_softmax():
    torch.manual_seed(0)
    model = SdpaGPT()
    ids = torch.randint(0, 20, (2, 7))
    layers = attention_maps(model, [ids])
    assert [(la.name, la.kind) for la in layers] == [("(model)", "scaled_dot_product_attention")] * 2
    (q0, k0), (q1, k1) = model.seen
    causal = torch.full((7, 7), float("-inf")).triu(1)
    torch.testing.assert_close(layers[0].weights, torch.softmax(q0[0] @ k0[0].mT / math.sqrt(4) + causal, -1))
    pad = torch.zeros(7, 7)
    pad[:, -1] = float("-inf")
    torch.testing.assert_close(layers[1].weights, torch.softmax(q1[0] @ k1[0].mT * 0.3 + pad, -1))


class MhaModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(12, 3, batch_first=True)
        self.enc = nn.TransformerEncoderLayer(12, 2, 24, batch_first=True, dropout=0.0)

    def forward(self, x, pad):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1])
        y, _ = self.attn(x, x, x, attn_mask=mask)
        return self.enc(y, src_key_padding_mask=pad)


def test_multihead_maps_equal_the_modules_own_weights():
    torch.manual_seed(1)
    model = MhaModel().eval()
    x = torch.randn(2, 6, 12)
    pad = torch.zeros(2, 6, dtype=torch.bool)
    pad[:, -2:] = True  # the last two keys are padding
    layers = attention_maps(model, [x, pad])
    assert [(la.name, la.kind, tuple(la.weights.shape)) for la in layers] == [
        ("attn", "MultiheadAttention", (3, 6, 6)), ("enc.self_attn", "MultiheadAttention", (2, 6, 6))]
    mask = nn.Transformer.generate_square_subsequent_mask(6)
    with torch.no_grad():
        y, own = model.attn(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=False)
        _, own_enc = model.enc.self_attn(y, y, y, key_padding_mask=pad, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(layers[0].weights, own[0])
    torch.testing.assert_close(layers[1].weights, own_enc[0])
    assert torch.all(layers[0].weights.triu(1) == 0)  # the causal mask reached the maps
    assert torch.all(layers[1].weights[..., -2:] == 0)  # and the padding mask


def test_the_tiny_gpt_maps_equal_the_page_engine():
    from deepviz.models import tiny_gpt
    from deepviz.studio import transformer

    gpt = tiny_gpt.load()
    tokens = transformer.tokens_of("the cat sat on the mat")
    layers = attention_maps(gpt.model, [gpt.vocab.ids(tokens)[None]])
    assert [la.name for la in layers] == ["blocks.0.attn", "blocks.1.attn"]
    page = transformer.compute(tokens)
    for la, block in zip(layers, page["blocks"]):
        torch.testing.assert_close(la.weights, torch.stack([h["weights"] for h in block["heads"]]))


def test_no_attention_is_an_empty_list_and_a_failing_forward_an_error():
    from deepviz.diagrams.capture import CaptureError

    assert attention_maps(nn.Linear(3, 2), [torch.randn(1, 3)]) == []
    with pytest.raises(CaptureError, match="mat1 and mat2|shapes cannot be multiplied"):
        attention_maps(nn.Linear(3, 2), [torch.randn(1, 4)])


def test_mha_weights_of_a_direct_call_with_a_boolean_mask_equal_the_functions_own():
    from deepviz.diagrams.attention import mha_weights

    torch.manual_seed(2)
    mha = nn.MultiheadAttention(8, 2)
    x = torch.randn(5, 1, 8)  # sequence first, as the function takes it
    banned = torch.ones(5, 5, dtype=torch.bool).triu(1)  # True = may not attend
    args = (x, x, x, 8, 2, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0, mha.out_proj.weight,
            mha.out_proj.bias)
    with torch.no_grad():
        _, own = F.multi_head_attention_forward(*args, training=False, attn_mask=banned, need_weights=True,
                                                average_attn_weights=False)
        torch.testing.assert_close(mha_weights(*args, training=False, attn_mask=banned), own[0])
