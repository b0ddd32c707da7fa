"""The rnn trace against independent torch references: nn.Embedding, nn.RNN, nn.Linear,
F.cross_entropy, and torch.autograd.grad for back-propagation through time (full and truncated)."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import deepviz
from deepviz.cli import main
from deepviz.concepts.rnn.vocab import VOCAB
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731
ATOL = 1e-6


def close(actual, expected):
    torch.testing.assert_close(T(actual), expected.detach().to(torch.float64), rtol=0, atol=ATOL)


class Reference:
    """torch modules holding the trace's weights, built without any deepviz code."""

    def __init__(self, t):
        self.t = t
        self.nl = t["nonlinearity"]
        hidden, embed = t["hidden_size"], t["embed_dim"]
        w = t["rnn"]
        self.emb = nn.Embedding(len(t["vocab"]), embed).double()
        # nn.RNN knows only tanh and relu; for 'linear' its weights feed the manual cell below
        self.rnn = nn.RNN(embed, hidden, nonlinearity="tanh" if self.nl == "linear" else self.nl,
                          batch_first=True).double()
        self.fc1 = nn.Linear(hidden, t["head_size"]).double()
        self.fc2 = nn.Linear(t["head_size"], len(t["classes"])).double()
        head = t["head"]
        with torch.no_grad():
            self.emb.weight.copy_(T(t["embedding"]["table"]))
            for name, key in (("weight_ih_l0", "W_ih"), ("weight_hh_l0", "W_hh"), ("bias_ih_l0", "b_ih"),
                              ("bias_hh_l0", "b_hh")):
                getattr(self.rnn, name).copy_(T(w[key]))
            for lin, wk, bk in ((self.fc1, "W1", "b1"), (self.fc2, "W2", "b2")):
                lin.weight.copy_(T(head[wk]))
                lin.bias.copy_(T(head[bk]))
        self.index = torch.tensor([VOCAB.index(word) for word in t["words"]])
        self.target = torch.tensor([t["target_index"]])

    def run(self, x, h0):
        """Hidden states for a (1, steps, embed) input from h0 (1, 1, hidden)."""
        if self.nl != "linear":
            return self.rnn(x, h0)[0]
        r, h, out = self.rnn, h0[0, 0], []
        for s in range(x.shape[1]):  # the Elman cell without activation
            h = x[0, s] @ r.weight_ih_l0.T + r.bias_ih_l0 + h @ r.weight_hh_l0.T + r.bias_hh_l0
            out.append(h)
        return torch.stack(out)[None]

    def head(self, h_last):
        logits = self.fc2(torch.relu(self.fc1(h_last)))
        return logits, F.cross_entropy(logits[None], self.target)

    def forward(self):
        x = self.emb(self.index)[None]
        hs = self.run(x, torch.zeros(1, 1, self.rnn.hidden_size, dtype=torch.float64))
        return (x[0], hs[0], *self.head(hs[0, -1]))

    def gradients(self, k: int = 0):
        """dL/dh(t) per step and dL/dW_hh; with k > 0, real truncated BPTT: the first n - k steps
        run without a graph, the last k steps from their (detached) result."""
        x = self.emb(self.index)[None].detach()
        n, hidden = x.shape[1], self.rnn.hidden_size
        h = torch.zeros(1, 1, hidden, dtype=torch.float64)
        start = n - k if k else 0
        if start:
            with torch.no_grad():
                h = self.run(x[:, :start], h)[:, -1:].clone()
        hs = []
        for s in range(start, n):
            h = self.run(x[:, s:s + 1], h)
            hs.append(h)
        _, loss = self.head(hs[-1][0, 0])
        found = torch.autograd.grad(loss, [*hs, self.rnn.weight_hh_l0])
        dh = [torch.zeros(hidden, dtype=torch.float64)] * start + [g[0, 0] for g in found[:-1]]
        return torch.stack(dh), found[-1]


def check_forward(t):
    ref = Reference(t)
    x, hs, logits, loss = ref.forward()
    steps, w = t["steps"], t["rnn"]
    close([s["x"] for s in steps], x)
    close([t["embedding"]["table"][i] for i in t["embedding"]["index"]], x)
    close([s["h"] for s in steps], hs)
    prev = torch.zeros(t["hidden_size"], dtype=torch.float64)
    for s, h in zip(steps, hs):  # the pieces on screen, each from the torch functional API
        close(s["h_prev"], prev)
        close(s["Whh_h"], F.linear(prev, T(w["W_hh"])))
        close(s["Wih_x"], F.linear(T(s["x"]), T(w["W_ih"])))
        close(s["b"], T(w["b_ih"]) + T(w["b_hh"]))
        close(s["a"], F.linear(prev, T(w["W_hh"])) + F.linear(T(s["x"]), T(w["W_ih"]), T(s["b"])))
        prev = h
    head = t["head"]
    close(head["pre"], ref.fc1(hs[-1]))
    close(head["hidden"], torch.relu(ref.fc1(hs[-1])))
    close(head["logits"], logits)
    close(head["probs"], F.softmax(logits, dim=0))
    close(t["loss"], loss)
    close(t["loss"], -torch.log(F.softmax(logits, dim=0)[t["target_index"]]))


def check_backward(t):
    ref, bw = Reference(t), t["backward"]
    dh, dw = ref.gradients()
    close(bw["dL_dh"], dh)
    close(bw["norm"], dh.norm(dim=1))
    close(bw["dL_dW_hh"], dw)
    close(bw["dL_dW_hh_norm"], dw.norm())
    # the recursion the video states: dL/dh(t-1) = W_hh^T (f'(a(t)) * dL/dh(t)), and W_hh's gradient
    w_hh, delta = T(t["rnn"]["W_hh"]), T(bw["delta"])
    close(bw["delta"], dh * T(bw["slope"]))
    for s in range(1, len(t["steps"])):
        close(bw["dL_dh"][s - 1], w_hh.T @ delta[s])
    close(bw["dL_dW_hh"], sum(torch.outer(delta[s], T(t["steps"][s]["h_prev"])) for s in range(len(t["steps"]))))
    k = bw["truncate"]
    if k:
        tr = bw["truncated"]
        tdh, tdw = ref.gradients(k)
        close(tr["dL_dh"], tdh)
        close(tr["norm"], tdh.norm(dim=1))
        close(tr["dL_dW_hh"], tdw)
        close(tr["difference_norm"], (dw - tdw).norm())
        n = len(t["steps"])
        assert tr["reached"] == [s >= n - k for s in range(n)]
        close(tr["dL_dh"][n - k:], dh[n - k:])  # within reach, truncation changes nothing
    else:
        assert bw["truncated"] is None


@pytest.mark.parametrize("preset", ["sentiment", "bptt"])
def test_presets_match_torch(preset):
    t = deepviz.trace("rnn", preset=preset).data
    check_forward(t)
    if t["backward"] is not None:
        check_backward(t)


def test_the_sentiment_preset_is_the_seed_example():
    t = deepviz.trace("rnn").data
    assert t["words"] == ["i", "feel", "thankful"]
    assert t["classes"] == ["happy", "sad"] and t["target"] == [1, 0]
    assert t["nonlinearity"] == "tanh" and t["backward"] is None
    assert [VOCAB[i] for i in t["embedding"]["index"]] == t["words"]
    matrices = (t["rnn"]["W_ih"], t["rnn"]["W_hh"], t["head"]["W1"], t["head"]["W2"])
    weights = [v for m in matrices for row in m for v in row]
    assert all(abs(v * 10 - round(v * 10)) < 1e-9 for v in weights)  # rounded to one decimal: short on screen


def test_the_bptt_preset_shows_the_gradient_shrinking_and_truncation():
    t = deepviz.trace("rnn", preset="bptt").data
    bw = t["backward"]
    assert len(t["words"]) == 7 and bw["truncate"] == 3
    assert bw["norm"][-1] > 10 * bw["norm"][0]
    assert bw["truncated"]["norm"][:4] == [0, 0, 0, 0]
    narration = deepviz.trace("rnn", preset="bptt").narration
    assert list(narration)[-4:] == ["bptt", "shrink", "truncate", "weights"]


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "linear"])
@pytest.mark.parametrize("hidden", [2, 4])
def test_each_nonlinearity_matches_torch(nonlinearity, hidden):
    t = deepviz.trace("rnn", nonlinearity=nonlinearity, hidden=hidden, sentence="you are not sad today",
                      backward=True, truncate=2).data
    check_forward(t)
    check_backward(t)


words = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=10)


@settings(max_examples=30, deadline=None)
@given(sentence=words, seed=st.integers(0, 2**31 - 1), hidden=st.integers(2, 4), embed=st.integers(2, 3),
       nonlinearity=st.sampled_from(["tanh", "relu", "linear"]), target=st.sampled_from(["happy", "sad"]),
       data=st.data())
def test_random_examples_match_torch(sentence, seed, hidden, embed, nonlinearity, target, data):
    k = data.draw(st.integers(0, len(sentence) - 1))
    # untrained: a random seed would train a network per example (about a second each)
    t = deepviz.trace("rnn", sentence=" ".join(sentence), seed=seed, hidden=hidden, embed_dim=embed,
                      nonlinearity=nonlinearity, target=target, backward=True, truncate=k, trained=False).data
    check_forward(t)
    check_backward(t)


@pytest.mark.parametrize("preset", ["sentiment", "bptt"])
def test_the_presets_classify_their_sentence_right(preset):
    # Before training was added, the seed's random weights said "I feel thankful" is sad (0.74).
    t = deepviz.trace("rnn", preset=preset).data
    assert t["head"]["probs"][t["target_index"]] > 0.5
    assert t["training"]["test_accuracy"] >= 0.9


def test_the_reported_accuracy_is_that_of_the_weights_shown():
    """Every held-out sentence run through an independent nn.RNN with the trace's (rounded) weights."""
    from importlib import resources

    t = deepviz.trace("rnn").data
    ref = Reference(t)
    rows = [line.split("\t") for line in
            resources.files("deepviz.models").joinpath("data/sentiment.tsv").read_text().splitlines()
            if line and not line.startswith("#")]
    held_out = rows[4::5]
    right = 0
    with torch.no_grad():
        for sentence, label in held_out:
            index = torch.tensor([VOCAB.index(w) for w in sentence.split()])
            hs = ref.run(ref.emb(index)[None], torch.zeros(1, 1, t["hidden_size"], dtype=torch.float64))
            logits = ref.fc2(torch.relu(ref.fc1(hs[0, -1])))
            right += int(t["classes"][int(logits.argmax())] == label)
    assert t["training"]["n_test"] == len(held_out)
    assert t["training"]["test_accuracy"] == pytest.approx(right / len(held_out))


def test_untrained_weights_are_said_to_be_untrained():
    tr = deepviz.trace("rnn", trained=False)
    assert tr.data["training"] is None
    assert "untrained" in tr.narration["intro"] and "means nothing" in tr.narration["intro"]
    assert "trained on" in deepviz.trace("rnn").narration["intro"]


def test_words_are_lower_cased_and_punctuation_is_ignored():
    t = deepviz.trace("rnn", sentence="I FEEL Thankful!").data
    assert t["words"] == ["i", "feel", "thankful"]
    assert t["steps"] == deepviz.trace("rnn").data["steps"]


def test_an_unknown_word_names_the_closest_known_words():
    with pytest.raises(ParamError) as err:
        deepviz.trace("rnn", sentence="I feel thankfull")
    message = str(err.value)
    assert message.startswith("--sentence: unknown word 'thankfull'")
    assert "closest known words: thankful" in message
    assert "\n" not in message


@pytest.mark.parametrize("values, message", [
    ({"sentence": "   "}, "--sentence: needs 1 to 10 words, got 0"),
    ({"sentence": "i " * 11}, "--sentence: needs 1 to 10 words, got 11"),
    ({"truncate": 2}, "--truncate: truncated BPTT is part of the backward pass"),
    ({"backward": True, "truncate": 3}, "--truncate: must be less than the number of words (3)"),
    ({"hidden": 5}, "--hidden: must be from 2 to 4"),
    ({"nonlinearity": "sigmoid"}, "--nonlinearity: must be one of tanh, relu, linear"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("rnn", **values)
    assert str(err.value).startswith(message)


def test_cli_refuses_an_unknown_word_with_one_line_and_exit_status_2(capsys, tmp_path):
    code = main(["render", "rnn", "--sentence", "I feel thankfull", "--output", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "--sentence: unknown word 'thankfull'" in err and "closest known words: thankful" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()
