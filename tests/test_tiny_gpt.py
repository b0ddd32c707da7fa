"""The studio's tiny GPT: trained on the shipped text, better than chance on held-out text, causal."""
import math

import torch

from deepviz.models import tiny_gpt


def test_learns_the_text_and_generalises():
    gpt = tiny_gpt.load()
    chance = math.log(len(gpt.vocab.words))
    assert gpt.parameters == sum(p.numel() for p in gpt.model.parameters())
    assert gpt.train_loss < 1.5 < chance
    assert gpt.held_out_loss < 0.6 * chance  # words it never saw in that order: still far from uniform
    ids = gpt.vocab.ids(tiny_gpt.tokenize(". the cat sat on the"))[None]
    with torch.no_grad():
        best = gpt.model(ids)[0, -1].topk(2).indices.tolist()
    assert {gpt.vocab.words[i] for i in best} & {"mat", "bed"}


def test_is_causal():
    """A later token changes no earlier position's logits (the mask of F.scaled_dot_product_attention)."""
    gpt = tiny_gpt.load()
    a = gpt.vocab.ids(tiny_gpt.tokenize(". the dog ran in the park"))[None]
    b = a.clone()
    b[0, -1] = gpt.vocab.index["river"]
    with torch.no_grad():
        la, lb = gpt.model(a), gpt.model(b)
    torch.testing.assert_close(la[:, :-1], lb[:, :-1])
    assert not torch.allclose(la[:, -1], lb[:, -1])


def test_tokenize():
    assert tiny_gpt.tokenize("The cat sat.") == ["the", "cat", "sat", "."]
