"""The batch-norm trace against torch.nn.BatchNorm1d (training and evaluation mode)."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import deepviz
from deepviz.params import ParamError
from deepviz.style.numbers import fmt_num

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731


def reference(t):
    """An independent forward pass through torch modules, batch after batch."""
    net = t["network"]
    lin = torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        lin.weight.copy_(T(net["W1"]))
        lin.bias.copy_(T(net["b1"]))
    bn = torch.nn.BatchNorm1d(2, eps=t["eps"], momentum=t["momentum"], affine=net["affine"]).double()
    if net["affine"]:
        with torch.no_grad():
            bn.weight.copy_(T(net["gamma"]))
            bn.bias.copy_(T(net["beta"]))
    bn.train()
    outs = []
    for b in t["batches"]:
        with torch.no_grad():
            outs.append((bn(lin(T(b["x"]))), bn.running_mean.clone(), bn.running_var.clone()))
    bn.eval()
    with torch.no_grad():
        eval_out = bn(lin(T(t["batches"][t["detail"]]["x"])))
    return outs, eval_out


def check_against_torch(t):
    outs, eval_out = reference(t)
    for b, (z, rm, rv) in zip(t["batches"], outs):
        torch.testing.assert_close(T(b["z"]), z, rtol=0, atol=1e-6)
        torch.testing.assert_close(T(b["running_mean"]), rm, rtol=0, atol=1e-6)
        torch.testing.assert_close(T(b["running_var"]), rv, rtol=0, atol=1e-6)
        # the normalised HIDDEN values have mean 0 and biased variance 1 (up to eps)
        h_hat = T(b["h_hat"])
        torch.testing.assert_close(h_hat.mean(0), torch.zeros(2, dtype=torch.float64), rtol=0, atol=1e-6)
        var = h_hat.var(0, unbiased=False)
        expected = T(b["var"]) / (T(b["var"]) + t["eps"])
        torch.testing.assert_close(var, expected, rtol=0, atol=1e-6)
        # sigma is that of the hidden values, not of the inputs (the original video's error)
        torch.testing.assert_close(T(b["std"]), torch.sqrt(T(b["h"]).var(0, unbiased=False) + t["eps"]))
    torch.testing.assert_close(T(t["eval"]["z"]), eval_out, rtol=0, atol=1e-6)


@pytest.mark.parametrize("preset", ["three-batches", "second-batch"])
def test_presets_match_batchnorm1d(preset):
    t = deepviz.trace("batch-norm", preset=preset).data
    assert len(t["batches"]) == 3 and all(len(b["x"]) == 3 for b in t["batches"])
    check_against_torch(t)


def test_the_preset_uses_the_seed_weights_and_differs_between_batches():
    t = deepviz.trace("batch-norm").data
    assert t["network"]["W1"] == [[0.5, 3.0], [0.1, 0.2]]
    means = [tuple(b["mean"]) for b in t["batches"]]
    assert len(set(means)) == 3
    assert t["eval"]["z"] != t["eval"]["z_train"]


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=4, max_size=12),
       bs=st.integers(2, 4), m=st.floats(0, 1), affine=st.booleans(), eps=st.sampled_from([1e-5, 1e-3, 0.1]))
def test_random_data_matches_batchnorm1d(rows, bs, m, affine, eps):
    if len(rows) % bs == 1:
        return  # a last batch of one example is refused (see below)
    data = ";".join(f"{a},{b}" for a, b in rows)
    t = deepviz.trace("batch-norm", data=data, batch_size=bs, momentum=m, affine=affine, eps=eps).data
    check_against_torch(t)


def test_data_from_a_csv_file(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("x1,x2\n1,2\n3,5\n4,4\n6,1\n")
    t = deepviz.trace("batch-norm", data=str(f), batch_size=2).data
    assert t["x"] == [[1, 2], [3, 5], [4, 4], [6, 1]]
    check_against_torch(t)


@pytest.mark.parametrize("values, message", [
    ({"data": "1,2;3"}, "--data: row 2 must be two numbers"),
    ({"data": "1,2;a,b"}, "--data: row 2 must be two numbers"),
    ({"data": "missing.csv"}, "--data: no such CSV file"),
    ({"data": "1,2;3,4;5,6;7,8", "batch_size": 3}, "--batch-size:"),
    ({"batch": 4}, "--batch: must be from 1 to 3"),
    ({"momentum": 1.5}, "--momentum: must be from 0.0 to 1.0"),
])
def test_bad_values_name_the_parameter(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("batch-norm", **values)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("preset", ["three-batches", "second-batch"])
def test_eval_says_how_much_of_the_start_the_running_statistics_still_hold(preset):
    """start_weight: the share of the initial running variance left after every batch, measured by
    running BatchNorm1d twice from two different starts (the difference is start_weight x 1)."""
    t = deepviz.trace("batch-norm", preset=preset)
    d, ev = t.data, t.data["eval"]
    finals = []
    for start in (1.0, 2.0):
        bn = torch.nn.BatchNorm1d(2, momentum=d["momentum"], eps=d["eps"], affine=False).double()
        bn.running_var.fill_(start)
        with torch.no_grad():
            for b in d["batches"]:
                bn(T(b["h"]))
        finals.append(bn.running_var.clone())
    assert ev["batches_seen"] == len(d["batches"])
    torch.testing.assert_close(finals[1] - finals[0], torch.full((2,), ev["start_weight"], dtype=torch.float64))
    # the batch statistics it is compared with are the detailed batch's
    h = T(d["batches"][d["detail"]]["h"])
    torch.testing.assert_close(T(ev["batch_mean"]), h.mean(0))
    torch.testing.assert_close(T(ev["batch_std"]), torch.sqrt(h.var(0, unbiased=False) + d["eps"]))
    assert f"{ev['start_weight'] * 100:.0f}%" in t.narration["eval"]
    assert f"z1 = {fmt_num(ev['z'][0][0])} instead of {fmt_num(ev['z_train'][0][0])}" in t.narration["eval"]
