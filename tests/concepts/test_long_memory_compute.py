"""The long-memory trace against independent torch references: dL/dh(t) from a hand-written forward of
each cell (the same initial weights) through torch.autograd.grad, and the accuracies by evaluating the
cached readers again, on the task's test sets and on sequences this test draws itself."""
import pytest
import torch
import torch.nn.functional as F

import deepviz
from deepviz.models import long_memory as lm
from deepviz.params import ParamError
from deepviz.style.numbers import fmt_sig


@pytest.fixture(scope="module")
def trace():
    return deepviz.trace("long-memory", preset="gaps").data


def manual_hidden_states(model, ids):
    """h(1) .. h(T) written out from the module's weights (PyTorch's gate order), no nn.RNN/GRU/LSTM call."""
    rnn = model.rnn
    w_ih, w_hh, b_ih, b_hh = rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0
    x = F.one_hot(ids, 2).float()
    h = torch.zeros(ids.shape[0], rnn.hidden_size)
    c = torch.zeros_like(h)
    hs = []
    for t in range(ids.shape[1]):
        gi, gh = x[:, t] @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        if model.cell == "rnn":
            h = torch.tanh(gi + gh)
        elif model.cell == "gru":
            (ir, iz, inn), (hr, hz, hn) = gi.chunk(3, 1), gh.chunk(3, 1)
            r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
            h = z * h + (1 - z) * torch.tanh(inn + r * hn)
        else:
            i, f, g, o = (gi + gh).chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
        hs.append(h)
    return hs


def test_gradients_equal_autograd_of_a_manual_forward(trace):
    ids, labels = torch.tensor(trace["gradient"]["ids"]), torch.tensor(trace["gradient"]["labels"])
    assert ids.shape == (64, max(trace["gaps"]) + 1) and (ids[:, 0] == labels).all()
    for c in trace["cells"]:
        model = lm.initial(c["cell"], trace["hidden_size"], trace["seed"])
        hs = manual_hidden_states(model, ids)
        loss = F.cross_entropy(model.head(hs[-1]), labels)
        norms = torch.stack([g.norm() for g in torch.autograd.grad(loss, hs)]).double()
        got = torch.tensor(c["dL_dh_norm"], dtype=torch.float64)
        torch.testing.assert_close(got, norms, rtol=1e-4, atol=0)
        assert c["initial_loss"] == pytest.approx(loss.item(), rel=1e-5)
        assert c["first_over_last"] == pytest.approx(got[0].item() / got[-1].item(), rel=1e-9)
        assert c["log10_norm"] == pytest.approx(torch.log10(got).tolist(), rel=1e-9)


def test_gated_cells_start_with_the_keeping_gate_bias_raised(trace):
    for cell in ("gru", "lstm"):
        raised = lm.initial(cell, trace["hidden_size"], trace["seed"]).rnn.bias_ih_l0
        torch.manual_seed(trace["seed"])
        plain = lm.MODULES[cell](2, trace["hidden_size"], batch_first=True).bias_ih_l0
        h = trace["hidden_size"]
        torch.testing.assert_close(raised - plain, torch.cat([torch.zeros(h), torch.full((h,), trace["keep_bias"]),
                                                             torch.zeros(raised.numel() - 2 * h)]))


def test_accuracies_equal_the_cached_readers_evaluated_again(trace):
    own = torch.Generator().manual_seed(12345)
    for c in trace["cells"]:
        for gap, acc in zip(trace["gaps"], c["accuracy"], strict=True):
            model = lm.trained(c["cell"], gap, trace["hidden_size"], trace["seed"])  # from the cache now
            ids, labels = lm.sequences(trace["n_test"], gap, trace["seed"], test=True)
            with torch.no_grad():
                assert acc == pytest.approx((model(ids).argmax(1) == labels).float().mean().item())
                # sequences this test draws: the first letter is the class, fillers from the same letters
                mine = torch.randint(0, 2, (400, gap + 1), generator=own)
                mine_acc = (model(mine).argmax(1) == mine[:, 0]).float().mean().item()
            assert abs(mine_acc - acc) < 0.1, (c["cell"], gap, mine_acc, acc)


def test_the_narration_reports_the_accuracies_and_the_gradient_ratio(trace):
    narration = deepviz.trace("long-memory", preset="gaps").narration
    for c in trace["cells"]:
        assert f"{c['name']} {round(c['percent'][-1])}%" in narration["accuracy"]
    ratio = {c["cell"]: c["first_over_last"] for c in trace["cells"]}
    factor = min(ratio["gru"], ratio["lstm"]) / ratio["rnn"]
    assert factor > 1 and f"keep at least {fmt_sig(factor, 2)} times more" in narration["ratio"]


def test_out_of_range_hidden_is_refused():
    with pytest.raises(ParamError, match="hidden"):
        deepviz.trace("long-memory", hidden=13)
