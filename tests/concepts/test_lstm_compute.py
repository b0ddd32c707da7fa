"""The lstm trace against nn.LSTM / nn.GRU holding the trace's weights (laid out as PyTorch stores them),
run one word at a time so every step's h and c can be compared."""
import pytest
import torch
from torch import nn

import deepviz
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731


def reference_states(t):
    """Per step (h, c) from torch's own module (c is None for the GRU), built without deepviz code."""
    kind = nn.LSTM if t["cell"] == "lstm" else nn.GRU
    module = kind(t["embed_dim"], t["hidden_size"], batch_first=True).double()
    with torch.no_grad():
        for name, key in (("weight_ih_l0", "W_ih"), ("weight_hh_l0", "W_hh"), ("bias_ih_l0", "b_ih"),
                          ("bias_hh_l0", "b_hh")):
            getattr(module, name).copy_(T(t["weights"][key]))
    xs = T([s["x"] for s in t["steps"]])
    out, state, states = [], None, []
    with torch.no_grad():
        for x in xs:
            y, state = module(x[None, None], state)
            out.append(y[0, 0])
            states.append(state[1][0, 0] if t["cell"] == "lstm" else None)
        whole, _ = module(xs[None])  # the whole sentence in one call agrees with the steps
    torch.testing.assert_close(whole[0], torch.stack(out))
    return out, states


@pytest.mark.parametrize("preset", ["sentence", "gru", "keep"])
def test_steps_equal_torch_modules(preset):
    t = deepviz.trace("lstm", preset=preset).data
    hs, cs = reference_states(t)
    for s, h, c in zip(t["steps"], hs, cs, strict=True):
        torch.testing.assert_close(T(s["h"]), h, rtol=0, atol=1e-12)
        torch.testing.assert_close(T(s["state"]), c if c is not None else h, rtol=0, atol=1e-12)
        torch.testing.assert_close(T(s["kept"]) + T(s["added"]), T(s["state"]))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gates_equal_torch_cell_formulas(cell):
    """Each gate from the torch cell's own stacked pre-activation (one matmul, chunked)."""
    t = deepviz.trace("lstm", cell=cell, hidden=3, embed_dim=3, sentence="we love this film", seed=11).data
    w = {k: T(v) for k, v in t["weights"].items()}
    n = len(t["gates"])
    for s in t["steps"]:
        gi = (w["W_ih"] @ T(s["x"]) + w["b_ih"]).chunk(n)
        gh = (w["W_hh"] @ T(s["h_prev"]) + w["b_hh"]).chunk(n)
        if cell == "lstm":
            expected = [torch.sigmoid(gi[0] + gh[0]), torch.sigmoid(gi[1] + gh[1]), torch.tanh(gi[2] + gh[2]),
                        torch.sigmoid(gi[3] + gh[3])]
        else:
            r, z = torch.sigmoid(gi[0] + gh[0]), torch.sigmoid(gi[1] + gh[1])
            expected = [r, z, torch.tanh(gi[2] + r * gh[2])]
        for got, exp in zip(s["gates"], expected, strict=True):
            torch.testing.assert_close(T(got), exp)


def test_keep_bias_keeps_the_cell_state():
    base = deepviz.trace("lstm", preset="keep", keep_bias=0.0).data
    keep = deepviz.trace("lstm", preset="keep").data
    assert min(min(s["gates"][1]) for s in keep["steps"]) > 0.9
    assert max(keep["kept_product"]) > 0.9 > max(base["kept_product"])
    # the bias sits in the forget block of b_ih, exactly as nn.LSTM reads it
    h = keep["hidden_size"]
    torch.testing.assert_close(T(keep["weights"]["b_ih"][h:2 * h]) - T(base["weights"]["b_ih"][h:2 * h]),
                               torch.full((h,), 4.0, dtype=torch.float64))


def test_unknown_word_and_cell_are_refused():
    with pytest.raises(ParamError, match="sentence"):
        deepviz.trace("lstm", sentence="i feel zorgful")
    with pytest.raises(ParamError, match="cell"):
        deepviz.trace("lstm", cell="rnn")


def test_detailed_steps_get_their_own_captions_and_the_rest_share_one():
    one = deepviz.trace("lstm", sentence="i feel thankful", detailed=1)
    assert one.data["detailed_steps"] == 1
    assert [k for k in one.narration if k.startswith(("gates_", "cell_"))] == ["gates_1", "cell_1"]
    assert one.narration["steps_rest"].startswith("Steps 2 to 3")
    two = deepviz.trace("lstm", sentence="i feel", detailed=2)  # every step in detail: no shared caption
    assert two.data["detailed_steps"] == 2 and "steps_rest" not in two.narration
    with pytest.raises(ParamError, match="detailed"):
        deepviz.trace("lstm", detailed=3)
