"""The transformer trace against PyTorch's own layers: nn.TransformerEncoderLayer, nn.MultiheadAttention, the model."""
import pytest
import torch
from torch import nn

import deepviz
from deepviz.models import transformer
from deepviz.models.en_es import EOS, load
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731


@pytest.fixture(scope="module")
def model():
    return transformer.load_model()[0]


@pytest.fixture(scope="module", params=["i-eat-apples", "word-order"])
def trace(request):
    return deepviz.trace("transformer", preset=request.param)


def test_the_tiny_transformer_translates_the_whole_corpus(model):
    # Teacher-forced, every next word right at every position of every pair: then greedy decoding, which feeds
    # back its own words, reproduces every translation exactly (one batched forward instead of 444 decodes).
    corpus = load()
    n_src, n_tgt = (max(len(p[k]) for p in corpus.pairs) for k in (0, 1))
    src = torch.zeros(len(corpus.pairs), n_src, dtype=torch.long)
    gold = torch.zeros(len(corpus.pairs), n_tgt + 1, dtype=torch.long)
    for b, (en, es) in enumerate(corpus.pairs):
        src[b, :len(en)] = torch.tensor([corpus.source.index(w) for w in en])
        gold[b, :len(es) + 1] = torch.tensor([corpus.target.index(w) for w in (*es, EOS)])
    fed = torch.cat([torch.full((len(gold), 1), corpus.target.index("<s>")), gold[:, :-1]], 1)
    fed[fed == corpus.target.index(EOS)] = 0
    with torch.no_grad():
        predicted = model(src, fed).argmax(-1)
    assert ((predicted == gold) | (gold == 0)).all()
    assert transformer.greedy_decode(model, corpus, ["she", "reads", "new", "books"]) == ["lee", "libros", "nuevos", EOS]
    assert deepviz.trace("transformer")["translation"] == ["como", "manzanas", EOS]


def test_the_encoder_layer_equals_nn_transformer_encoder_layer(model, trace):
    e = trace["encoder"]
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    layer.load_state_dict(model.encoder.state_dict())  # a fresh module holding the trained weights
    with torch.no_grad():
        out = layer.eval()(T(e["x"])[None])[0]
        _, maps = layer.self_attn(T(e["x"])[None], T(e["x"])[None], T(e["x"])[None], need_weights=True,
                                  average_attn_weights=False)
    torch.testing.assert_close(T(e["output"]), out, rtol=0, atol=2e-5)
    torch.testing.assert_close(T([h["weights"] for h in e["attention"]["heads"]]), maps[0], rtol=0, atol=1e-5)
    assert e["module_difference"] < 2e-5
    # post-norm: each sub-layer's result is LayerNorm'd, so every row has mean 0 and variance 1 (before gamma, beta)
    ln = nn.LayerNorm(16, elementwise_affine=False)
    torch.testing.assert_close(T(e["add_norm1"]), ln(T(e["x"]) + T(e["attention"]["output"])) * layer.norm1.weight
                               + layer.norm1.bias, rtol=0, atol=2e-5)


def test_the_decoder_maps_and_words_equal_the_models_own(model, trace):
    d, corpus = trace["decoder"], load()
    src = torch.tensor([[corpus.source.index(w) for w in trace["words"]]])
    tgt = torch.tensor([[corpus.target.index(w) for w in trace["decoder_input"]]])
    m = len(trace["decoder_input"])
    causal = torch.ones(m, m, dtype=torch.bool).triu(1)
    dec = model.decoder
    with torch.no_grad():
        probs = torch.softmax(model(src, tgt)[0], -1)
        y = T(d["y"])[None]
        _, self_maps = dec.self_attn(y, y, y, attn_mask=causal, need_weights=True, average_attn_weights=False)
        mem = T(trace["encoder"]["output"])[None]
        g1 = T(d["add_norm1"])[None]
        _, cross_maps = dec.multihead_attn(g1, mem, mem, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(T([h["weights"] for h in d["self_attention"]["heads"]]), self_maps[0], rtol=0,
                               atol=1e-5)
    torch.testing.assert_close(T([h["weights"] for h in d["cross_attention"]["heads"]]), cross_maps[0], rtol=0,
                               atol=1e-5)
    assert all((T(h["weights"]).triu(1) == 0).all() for h in d["self_attention"]["heads"])
    torch.testing.assert_close(T(d["p"]), probs.max(-1).values, rtol=0, atol=1e-5)
    assert d["predicted"] == trace["translation"] == [corpus.target.words[i] for i in probs.argmax(-1).tolist()]


def test_the_gru_matrix_is_the_attention_concepts(trace):
    gru = deepviz.trace("attention", sentence=" ".join(trace["words"]))
    assert trace["gru"]["matrix"] == gru["matrix"] and trace["gru"]["target"] == gru["target"]


def test_a_sentence_longer_than_five_words_is_refused():
    with pytest.raises(ParamError) as err:
        deepviz.trace("transformer", sentence="she does not read new books")
    assert err.value.param == "sentence"
