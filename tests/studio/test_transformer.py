"""The transformer page's engine against the tiny GPT's own forward and an independent attention."""
import math

import pytest
import torch
import torch.nn.functional as F
from fastapi.testclient import TestClient

from deepviz.models import tiny_gpt
from deepviz.studio import transformer

TEXT = "the dog ran to the park and the cat"


@pytest.fixture(scope="module")
def client():
    from deepviz.studio.server import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1")


def qkv_by_hooks(model, ids):
    """Each block's Q, K, V as the model's own forward makes them: the qkv Linear's output, caught by a hook."""
    caught = []
    hooks = [b.attn.qkv.register_forward_hook(lambda m, a, out: caught.append(out[0])) for b in model.blocks]
    try:
        with torch.no_grad():
            logits = model(ids[None])
    finally:
        for h in hooks:
            h.remove()
    c = model.config
    split = [out.view(len(ids), 3, c.heads, c.head_size).permute(1, 2, 0, 3) for out in caught]  # (3, heads, t, d)
    return logits[0], split


def test_logits_equal_the_models_forward_and_attention_an_independent_softmax():
    gpt = tiny_gpt.load()
    tokens = transformer.tokens_of(TEXT)
    out = transformer.compute(tokens)
    logits, qkv = qkv_by_hooks(gpt.model, gpt.vocab.ids(tokens))
    torch.testing.assert_close(out["logits"], logits[-1], rtol=1e-5, atol=1e-5)
    t = len(tokens)
    mask = torch.full((t, t), float("-inf")).triu(1)
    for block, (q, k, v) in zip(out["blocks"], qkv):
        for h, head in enumerate(block["heads"]):
            d = q.shape[-1]
            weights = torch.softmax(q[h] @ k[h].T / math.sqrt(d) + mask, dim=-1)
            torch.testing.assert_close(head["weights"], weights, rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(head["scores"], q[h] @ k[h].T, rtol=1e-5, atol=1e-5)
            assert torch.isinf(head["masked"]).sum() == t * (t - 1) // 2
            sdpa = F.scaled_dot_product_attention(q[h][None], k[h][None], v[h][None], is_causal=True)[0]
            torch.testing.assert_close(head["out"], sdpa, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(out["embedding"], gpt.model.tok(gpt.vocab.ids(tokens)) + gpt.model.pos.weight[:t])


def test_ablating_a_head_zeroes_it_and_moves_the_distribution():
    tokens = transformer.tokens_of(TEXT)
    base = transformer.compute(tokens)
    cut = transformer.compute(tokens, [(1, 2)])
    assert torch.count_nonzero(cut["blocks"][1]["heads"][2]["out"]) == 0
    torch.testing.assert_close(cut["blocks"][0]["residual2"], base["blocks"][0]["residual2"])  # block 0 untouched
    p, r = base["logits"].softmax(-1), cut["logits"].softmax(-1)
    assert (p - r).abs().sum() > 1e-3
    # the same as the model's forward with that head's slice of the output projection's input zeroed
    gpt = tiny_gpt.load()
    size = gpt.model.config.head_size
    hook = gpt.model.blocks[1].attn.out.register_forward_pre_hook(
        lambda m, a: (a[0].index_fill(-1, torch.arange(2 * size, 3 * size), 0.0),))
    try:
        with torch.no_grad():
            ref = gpt.model(gpt.vocab.ids(tokens)[None])[0, -1]
    finally:
        hook.remove()
    torch.testing.assert_close(cut["logits"], ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("body, field, words", [
    ({"text": "the kitchn"}, "text", ["'kitchn'", "did you mean", "kitchen"]),
    ({"text": "the cat, sat"}, "text", ["','"]),
    ({"text": "the " * 16}, "text", ["at most 15"]),
    ({"text": "the", "ablate": [[2, 0]]}, "ablate", ["(2, 0)"]),
    ({"text": "the", "colour": 1}, "colour", []),
    ({"text": 5}, "text", []),
])
def test_bad_input_is_a_422_naming_the_field(client, body, field, words):
    r = client.post("/api/transformer/forward", json=body)
    assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert all(w in r.json()["detail"] for w in words), r.text


def test_the_routes_answer_and_keep_running(client):
    assert client.post("/api/transformer/forward", content=b"{").json()["field"] == "body"
    assert client.post("/api/transformer/forward", content=b"x" * 9000).status_code == 413
    ok = client.post("/api/transformer/forward", json={"text": "the cat"}).json()
    assert ok["tokens"] == [".", "the", "cat"] and len(ok["logits"]) == len(tiny_gpt.load().vocab.words)
    assert ok["blocks"][0]["heads"][0]["masked"][0][1] is None  # -inf above the diagonal goes as null
    assert client.get("/api/transformer/own").status_code == 404
    info = client.get("/api/transformer/model").json()
    assert info["parameters"] == tiny_gpt.load().parameters and info["own"] is False
