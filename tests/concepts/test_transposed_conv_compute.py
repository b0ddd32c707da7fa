"""The transposed-conv trace against independent torch references and the arithmetic of
Dumoulin & Visin, *A guide to convolution arithmetic for deep learning*."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import deepviz
from deepviz.concepts.transposed_conv.arithmetic import check
from deepviz.params import ParamError

T = lambda nested: torch.tensor(nested, dtype=torch.float64)  # noqa: E731


def trace(**kw):
    return deepviz.trace("transposed-conv", **kw).data


# preset -> (input, kernel, padding, stride, direct output, transposed padded input, output padding)
SEED_CASES = {
    "no-padding-unit-strides": ((5, 5), (3, 3), (0, 0), (1, 1), (3, 3), (7, 7), (0, 0)),
    "no-padding-strided": ((4, 4), (2, 2), (0, 0), (2, 2), (2, 2), (5, 5), (0, 0)),
    "padding-unit-strides": ((3, 4), (2, 2), (1, 1), (1, 1), (4, 5), (4, 5), (0, 0)),
    "padding-strided": ((3, 4), (3, 3), (1, 1), (2, 2), (2, 2), (5, 6), (0, 1)),
}


@pytest.mark.parametrize("preset", SEED_CASES)
def test_seed_presets_have_the_shapes_of_the_seed_table(preset):
    i, k, p, s, o, padded_t, a = SEED_CASES[preset]
    t = trace(preset=preset)
    assert (tuple(t["input_size"]), tuple(t["kernel_size"]), tuple(t["padding"]), tuple(t["stride"])) == (i, k, p, s)
    assert tuple(t["output_size"]) == o
    tr = t["transposed"]
    assert tuple(tr["output_padding"]) == a
    assert (len(tr["padded_input"]), len(tr["padded_input"][0])) == padded_t
    assert tuple(tr["output_size"]) == i  # the transposed side recovers the input shape
    # zero insertion: s - 1 zeros between cells; padding k - p - 1
    assert tuple(tr["inserted_zeros"]) == (s[0] - 1, s[1] - 1)
    assert tuple(tr["padding"]) == (k[0] - p[0] - 1, k[1] - p[1] - 1)


def _assert_matches_torch(t):
    dr, tr = t["direct"], t["transposed"]
    x, w, y = T(dr["input"]), T(dr["kernel"]), T(dr["output"])
    s, p, d = t["stride"], t["padding"], t["dilation"]
    ref = F.conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0]
    torch.testing.assert_close(y, ref, rtol=0, atol=1e-9)
    ref_t = F.conv_transpose2d(y[None, None], w[None, None], stride=s, padding=p,
                               output_padding=tr["output_padding"], dilation=d)[0, 0]
    torch.testing.assert_close(T(tr["output"]), ref_t, rtol=0, atol=1e-9)
    # every shown multiply-accumulate adds up to the shown output cell
    # the sweep fills the full result; conv_transpose2d keeps it minus ``crop`` rows/columns per side
    full, (ch, cw) = T(tr["full_output"]), tr["crop"]
    torch.testing.assert_close(full[ch:full.shape[0] - ch, cw:full.shape[1] - cw], T(tr["output"]))
    for part, out in ((dr, y), (tr, full)):
        for step in part["steps"]:
            prod = T(step["products"])
            torch.testing.assert_close(prod, T(step["window_values"]) * T(part.get("kernel_rotated", dr["kernel"])))
            assert prod.sum().item() == pytest.approx(step["sum"])
            assert out[tuple(step["output_cell"])].item() == pytest.approx(step["sum"])
        assert len(part["steps"]) == out.numel()


@pytest.mark.parametrize("preset", [*SEED_CASES, "matrix-view"])
def test_presets_match_conv2d_and_conv_transpose2d(preset):
    _assert_matches_torch(trace(preset=preset))


def _valid(values):
    try:
        from deepviz import catalog

        catalog.get("transposed-conv").params.resolve(values)
        return True
    except ParamError:
        return False


pairs = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))  # noqa: E731


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(i=pairs(1, 9), k=pairs(1, 4), s=pairs(1, 3), p=pairs(0, 3), d=pairs(1, 2), seed=st.integers(0, 10**6))
def test_random_configurations_match_torch(i, k, s, p, d, seed):
    values = {"input": i, "kernel": k, "stride": s, "padding": p, "dilation": d, "seed": seed}
    assume(_valid(values))
    t = trace(**values)
    _assert_matches_torch(t)
    assert tuple(t["transposed"]["output_size"]) == tuple(i)
    assert t["transposed"]["max_abs_diff_vs_torch"] == 0.0


@settings(max_examples=30, deadline=None)
@given(i=pairs(2, 8), k=pairs(1, 4), s=pairs(2, 4), p=pairs(0, 2), a=pairs(0, 3))
def test_explicit_output_padding_matches_torch_and_the_size_formula(i, k, s, p, a):
    values = {"input": i, "kernel": k, "stride": s, "padding": p, "output_padding": a}
    assume(_valid(values))
    t = trace(**values)
    _assert_matches_torch(t)
    for ax in range(2):
        o = t["output_size"][ax]
        assert t["transposed"]["output_size"][ax] == s[ax] * (o - 1) + a[ax] + k[ax] - 2 * p[ax]


def test_floor_case_lists_every_input_size_with_the_same_output():
    t = trace(preset="padding-strided")
    for f in t["direct"]["size_formula"]:
        for i_alt in f["inputs_with_same_output"]:
            out = F.conv2d(torch.zeros(1, 1, i_alt, i_alt), torch.zeros(1, 1, 3, 3), stride=2, padding=1)
            assert out.shape[-1] == f["output"]
        # the remainder is the additional padding that recovers the actual input size
        assert f["remainder"] == (f["input"] + 2 * f["padding"] - f["effective_kernel"]) % f["stride"]
    assert [f["inputs_with_same_output"] for f in t["direct"]["size_formula"]] == [[3, 4], [3, 4]]
    assert t["transposed"]["output_padding"] == [0, 1]


def test_matrix_view_is_the_convolution_and_its_transpose():
    t = trace(preset="matrix-view")
    m = t["matrix"]
    C = T(m["C"])
    x, y = T(t["direct"]["input"]), T(t["direct"]["output"])
    assert C.shape == (4, 16)
    torch.testing.assert_close(C @ x.flatten(), y.flatten())
    ref = F.conv_transpose2d(y[None, None], T(t["direct"]["kernel"])[None, None])[0, 0]
    torch.testing.assert_close(T(m["CT_y"]), ref.flatten())
    # C is the Jacobian of the convolution: an independent check with autograd
    jac = torch.autograd.functional.jacobian(
        lambda v: F.conv2d(v.reshape(1, 1, 4, 4), T(t["direct"]["kernel"])[None, None]).flatten(), x.flatten())
    torch.testing.assert_close(C, jac)


def test_narration_quotes_the_computed_numbers():
    t = deepviz.trace("transposed-conv", preset="padding-strided")
    first = t.data["direct"]["steps"][0]
    from deepviz.style.numbers import fmt_num

    assert f"= {fmt_num(first['sum'])}." in t.narration["first_step"]
    assert "plus 0×1 on the bottom/right" in t.narration["t_padding"]
    w = t.data["direct"]["kernel"][1][1]  # the corner tap of padding 1, dilation 1
    assert f"w[1,1] = {fmt_num(w)}" in t.narration["why_padding"]
    assert "3 and 4" in t.narration["floor"]
    # the floor case is on screen: the never-reached column, named by its colour role
    assert "{color:extra}" in t.narration["floor"] and t.data["direct"]["unreached"]


def test_seed_changes_values_but_not_shapes():
    a, b = trace(seed=1), trace(seed=2)
    assert a["direct"]["input"] != b["direct"]["input"]
    assert a["output_size"] == b["output_size"]


@pytest.mark.parametrize("values, param", [
    ({"input": (3, 3), "kernel": (5, 5)}, "--kernel"),
    ({"stride": (2, 2), "output_padding": (2, 2)}, "--output-padding"),
    ({"input": (12, 12), "kernel": (5, 5), "padding": (4, 4)}, "--input"),
    ({"input": (6, 6), "matrix_view": True}, "--matrix-view"),
])
def test_impossible_configurations_name_the_parameter(values, param):
    full = {"input": (5, 5), "kernel": (3, 3), "stride": (1, 1), "padding": (0, 0), "dilation": (1, 1),
            "output_padding": None, "seed": 0, "matrix_view": False, **values}
    with pytest.raises(ParamError) as err:
        check(full)
    assert str(err.value).startswith(param + ":")


def test_padding_beyond_the_kernel_is_a_crop_as_in_conv_transpose2d():
    # padding 3 > k' - 1 = 2: PyTorch accepts it (it crops the full result); deepviz refused it
    t = trace(input=(4, 5), kernel=(3, 3), padding=(3, 1), stride=(1, 2))
    _assert_matches_torch(t)
    tr = t["transposed"]
    assert tuple(tr["crop"]) == (1, 0) and tuple(tr["padding"]) == (0, 1)
    assert len(tr["full_output"]) == len(tr["output"]) + 2


@pytest.mark.parametrize("preset", SEED_CASES)
def test_cell_roles_match_where_torch_puts_y_and_zeros(preset):
    t = trace(preset=preset)
    dr, tr = t["direct"], t["transposed"]
    # the transposed side: the cells marked 'y' hold y, in order; every other cell is a zero
    y = T(dr["output"])
    roles = tr["cell_roles"]
    padded = T(tr["padded_input"])
    assert [len(roles), len(roles[0])] == list(padded.shape)
    marked = torch.tensor([[r == "y" for r in row] for row in roles])
    torch.testing.assert_close(padded[marked], y.flatten())
    assert (padded[~marked] == 0).all()
    # inserted zeros are exactly the zeros conv_transpose2d's stride puts between y's cells
    s = t["stride"]
    assert sum(r == "inserted" for row in roles for r in row) == (
        ((y.shape[0] - 1) * s[0] + 1) * ((y.shape[1] - 1) * s[1] + 1) - y.numel())
    assert sum(r == "extra" for row in roles for r in row) == (
        len(roles) * len(roles[0]) - (len(roles) - tr["output_padding"][0]) * (len(roles[0]) - tr["output_padding"][1]))
    # the direct side: 'input' cells hold x; the unreached cells are those no window covers
    x = T(dr["input"])
    d_roles = dr["cell_roles"]
    inside = torch.tensor([[r == "input" for r in row] for row in d_roles])
    covered = torch.zeros(inside.shape, dtype=torch.bool)
    kh, kw = t["kernel_size"]
    dil = t["dilation"]
    for step in dr["steps"]:
        r0, c0 = step["window_origin"]
        covered[r0:r0 + (kh - 1) * dil[0] + 1, c0:c0 + (kw - 1) * dil[1] + 1] = True
    unreached = torch.zeros(inside.shape, dtype=torch.bool)
    for r, c in dr["unreached"]:
        unreached[r, c] = True
    assert torch.equal(unreached, ~covered)
    assert inside.sum() == x.numel()
    torch.testing.assert_close(T(dr["padded_input"])[inside].reshape(x.shape), x)


@pytest.mark.parametrize("values", [{"padding": (1, 1), "stride": (2, 2)}, {"padding": (2, 0), "dilation": (2, 1)},
                                    {"padding": (0, 2)}])
def test_the_corner_tap_is_the_weight_joining_x00_to_y00(values):
    t = trace(input=(5, 5), kernel=(3, 3), **values)
    x = T(t["direct"]["input"]).requires_grad_()
    w = T(t["direct"]["kernel"])
    y = F.conv2d(x[None, None], w[None, None], stride=t["stride"], padding=t["padding"], dilation=t["dilation"])
    (grad,) = torch.autograd.grad(y[0, 0, 0, 0], x)
    u, v = t["transposed"]["corner_tap"]
    assert grad[0, 0].item() == w[u, v].item()
    # the rotated kernel's tap over y[0,0] in the first transposed window is that same weight
    rot = T(t["transposed"]["kernel_rotated"])
    k = t["kernel_size"]
    assert rot[k[0] - 1 - u, k[1] - 1 - v].item() == w[u, v].item()
