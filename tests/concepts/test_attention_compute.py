"""The attention trace against the torch model and an independent re-computation of its equations."""
from itertools import pairwise

import pytest
import torch

import deepviz
from deepviz.cli import main
from deepviz.models import seq2seq
from deepviz.models.en_es import EOS, load
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float32)  # noqa: E731


@pytest.fixture(scope="module")
def preset():
    return deepviz.trace("attention", preset="i-eat-apples")


def model_for(t):
    model, _ = seq2seq.load_model(seq2seq.Config(hidden=t["hidden"], attention=t["attention"], seed=t["seed"]))
    return model


def gru_step(cell_w_ih, cell_w_hh, b_ih, b_hh, x, h):
    """A GRU step written out (PyTorch's gate order r, z, n), as an independent reference."""
    gi, gh = x @ cell_w_ih.T + b_ih, h @ cell_w_hh.T + b_hh
    H = h.shape[-1]
    r = torch.sigmoid(gi[:H] + gh[:H])
    z = torch.sigmoid(gi[H:2 * H] + gh[H:2 * H])
    n = torch.tanh(gi[2 * H:] + r * gh[2 * H:])
    return (1 - z) * n + z * h


def test_the_preset_translates_i_eat_apples(preset):
    assert preset["target"] == ["como", "manzanas", EOS]


def test_alpha_sums_to_one_and_context_is_the_weighted_sum(preset):
    states = T(preset["encoder"]["states"])
    for step in preset["decoder"]["steps"]:
        alpha = T(step["alpha"])
        assert alpha.sum().item() == pytest.approx(1.0, abs=1e-6)
        assert (alpha >= 0).all()
        torch.testing.assert_close(T(step["context"]), alpha @ states, rtol=0, atol=1e-6)
        torch.testing.assert_close(alpha, torch.softmax(T(step["scores"]), 0), rtol=0, atol=1e-6)
    assert preset["matrix"] == [s["alpha"] for s in preset["decoder"]["steps"]]


def test_encoder_states_and_scores_follow_the_gru_and_attention_equations(preset):
    model = model_for(preset)
    corpus = load()
    enc = model.encoder
    h = torch.zeros(preset["hidden"])
    for i, word in enumerate(preset["source"]):
        x = model.src_embed.weight[corpus.source.index(word)].detach()
        h = gru_step(enc.weight_ih_l0.detach(), enc.weight_hh_l0.detach(), enc.bias_ih_l0.detach(),
                     enc.bias_hh_l0.detach(), x, h)
        torch.testing.assert_close(T(preset["encoder"]["states"][i]), h, rtol=0, atol=1e-5)
    states = T(preset["encoder"]["states"])
    for step in preset["decoder"]["steps"]:
        s = T(step["state_before"])
        e = (torch.tanh(s @ model.w_s.weight.detach().T + states @ model.w_h.weight.detach().T)
             @ model.v.weight.detach()[0])
        torch.testing.assert_close(T(step["scores"]), e, rtol=0, atol=1e-5)
        # the decoder's new state: a GRU cell on [embedding of the fed word; context]
        dec = model.decoder
        x = torch.cat([model.tgt_embed.weight[corpus.target.index(step["input"])].detach(), T(step["context"])])
        s_new = gru_step(dec.weight_ih.detach(), dec.weight_hh.detach(), dec.bias_ih.detach(), dec.bias_hh.detach(),
                         x, s)
        torch.testing.assert_close(T(step["state"]), s_new, rtol=0, atol=1e-5)
        logits = torch.cat([s_new, T(step["context"])]) @ model.out.weight.detach().T + model.out.bias.detach()
        probs = torch.softmax(logits, 0)
        assert step["word"] == corpus.target.words[probs.argmax().item()]
        assert step["p"] == pytest.approx(probs.max().item(), abs=1e-5)


@pytest.mark.parametrize("sentence, attention", [("she does not read new books", "additive"),
                                                 ("we drink cold water", "dot")])
def test_emitted_words_equal_the_greedy_decode_of_the_torch_model(sentence, attention):
    t = deepviz.trace("attention", sentence=sentence, attention=attention)
    model = model_for(t)
    assert t["target"] == seq2seq.greedy_decode(model, load(), sentence.split())
    assert t["decoder"]["initial"] == t["encoder"]["states"][-1]


def test_a_fixed_number_of_steps_runs_past_the_end_token():
    t = deepviz.trace("attention", steps=4)
    assert len(t["decoder"]["steps"]) == 4 and t["target"][2] == EOS


def test_the_model_learns_the_whole_corpus(preset):
    model = model_for(preset)
    corpus = load()
    wrong = [en for en, es in corpus.pairs if seq2seq.greedy_decode(model, corpus, list(en)) != [*es, EOS]]
    assert len(corpus.pairs) >= 300 and wrong == []


def test_out_of_vocabulary_words_list_the_closest_known_words():
    with pytest.raises(ParamError) as err:
        deepviz.trace("attention", sentence="I eat aples")
    assert str(err.value).startswith("--sentence: unknown word 'aples' (the vocabulary has 48 words); closest "
                                     "known words: apples")


def test_cli_refuses_an_unknown_word_in_one_line(capsys):
    assert main(["trace", "attention", "--sentence", "I eat pizza"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deepviz: error: --sentence: unknown word 'pizza'") and "\n" not in err


def test_training_is_deterministic_and_a_corrupt_cache_is_retrained(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPVIZ_CACHE_DIR", str(tmp_path))
    cfg = seq2seq.Config(hidden=16, epochs=5)
    first, trained = seq2seq.load_model(cfg)
    assert trained
    again, trained = seq2seq.load_model(cfg)
    assert not trained  # from the cache
    for (k, a), (_, b) in zip(first.state_dict().items(), again.state_dict().items()):
        assert torch.equal(a, b), k
    cached = next((tmp_path / "models").glob("seq2seq-*.pt"))
    cached.write_bytes(cached.read_bytes()[:100])  # truncated, as by a crash mid-write
    model, trained = seq2seq.load_model(cfg)
    assert trained and all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                               first.state_dict().values()))
    torch.save({"unrelated": torch.zeros(2)}, cached)  # stale: other keys and shapes
    model, trained = seq2seq.load_model(cfg)
    assert trained


def test_the_word_order_preset_shows_attention_leaving_the_diagonal():
    """Two consecutive Spanish words attend, each clearly, to English words in the opposite order."""
    t = deepviz.trace("attention", preset="word-order")
    d = t.data
    m = T(d["matrix"])
    words = [j for j, w in enumerate(d["target"]) if w != EOS]
    peaks = m.argmax(dim=1)
    swaps = [(j, k) for j, k in pairwise(words) if peaks[j] > peaks[k]
             and m[j, peaks[j]] >= 0.5 and m[k, peaks[k]] >= 0.5]
    assert swaps, f"the attention peaks keep the source's order: {peaks.tolist()}"
    cross = d["crossing"]
    assert tuple(cross["rows"]) in swaps
    assert cross["columns"] == [peaks[j].item() for j in cross["rows"]]
    torch.testing.assert_close(T(cross["alpha"]), m[cross["rows"], cross["columns"]])
    # the caption says what to notice, with the words and weights of that crossing
    (j, k), (i, n) = cross["rows"], cross["columns"]
    notice = t.narration["notice"]
    for word in (d["target"][j], d["target"][k], d["source"][i], d["source"][n]):
        assert f"\u201c{word}\u201d" in notice
    assert "libros" in notice and "nuevos" in notice


def test_the_decoder_loop_is_narrated_and_the_state_is_the_gru_of_the_last():
    t = deepviz.trace("attention", preset="word-order")
    steps = t.data["decoder"]["steps"]
    assert "GRU turns s(0), c(1)" in t.narration["step1"]
    for a, b in pairwise(steps):  # s(j) is the next step's s(j - 1): the loop the video draws
        assert a["state"] == b["state_before"]
