"""The autodiff trace against independent torch references (hand-written graphs, nn modules, autograd)."""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import deepviz
from deepviz.cli import main
from deepviz.concepts.autodiff.compute import forward
from deepviz.expr import parse_program
from deepviz.params import ParamError


def by_name(t):
    return {n["name"]: n for n in t["nodes"]}


def leaf(v):
    return torch.tensor(float(v), dtype=torch.float64, requires_grad=True)


def test_softmax_squared_error_matches_a_hand_written_torch_graph():
    t = deepviz.trace("autodiff", preset="softmax-squared-error")
    nodes = by_name(t)
    h1, h2, tt = leaf(0), leaf(3), leaf(1)
    z1, z2 = torch.exp(h1), torch.exp(h2)
    T = z1 + z2
    y = z1 / T
    D = tt - y
    L = D ** 2
    ref = {"h1": h1, "h2": h2, "t": tt, "z1": z1, "z2": z2, "T": T, "y": y, "D": D, "L": L}
    for v in ref.values():
        v.retain_grad()
    L.backward()
    assert set(nodes) == set(ref)
    for name, v in ref.items():
        assert nodes[name]["value"] == pytest.approx(v.item(), abs=1e-12), name
        expected = 1.0 if name == "L" else v.grad.item()
        assert nodes[name]["grad"] == pytest.approx(expected, abs=1e-12), name
    # the sign the original video got wrong: softmax gradients sum to zero
    assert abs(nodes["h1"]["grad"] + nodes["h2"]["grad"]) < 1e-6
    assert nodes["h1"]["grad"] < 0 < nodes["h2"]["grad"]
    assert nodes["y"]["value"] == pytest.approx(1 / (1 + math.exp(3)), abs=1e-12)


def test_z1_has_two_paths_and_its_gradient_is_their_sum():
    t = deepviz.trace("autodiff")
    nodes = by_name(t)
    step = next(s for s in t["backward"] if s["node"] == nodes["z1"]["id"])
    consumers = {t["nodes"][term["consumer"]]["name"] for term in step["terms"]}
    assert consumers == {"y", "T"}
    assert sum(term["product"] for term in step["terms"]) == pytest.approx(nodes["z1"]["grad"], abs=1e-12)
    assert " + " in step["lines"][0]  # the chain rule shows both contributions


def test_mlp_preset_matches_torch_linear_layers():
    t = deepviz.trace("autodiff", preset="mlp-2-2-1")
    nodes = by_name(t)
    v = {k: nodes[k]["value"] for k in ("x1", "x2", "w1", "w2", "w3", "w4", "w5", "w6", "t")}
    lin1 = torch.nn.Linear(2, 2, bias=False).double()
    lin2 = torch.nn.Linear(2, 1, bias=False).double()
    with torch.no_grad():
        lin1.weight.copy_(torch.tensor([[v["w1"], v["w2"]], [v["w3"], v["w4"]]], dtype=torch.float64))
        lin2.weight.copy_(torch.tensor([[v["w5"], v["w6"]]], dtype=torch.float64))
    x = torch.tensor([v["x1"], v["x2"]], dtype=torch.float64, requires_grad=True)
    target = torch.tensor([v["t"]], dtype=torch.float64)
    hidden = torch.sigmoid(lin1(x))
    loss = torch.nn.functional.mse_loss(lin2(hidden), target, reduction="sum")
    loss.backward()
    assert nodes["L"]["value"] == pytest.approx(loss.item(), abs=1e-12)
    w1 = lin1.weight.grad
    for name, g in {"w1": w1[0, 0], "w2": w1[0, 1], "w3": w1[1, 0], "w4": w1[1, 1],
                    "w5": lin2.weight.grad[0, 0], "w6": lin2.weight.grad[0, 1],
                    "x1": x.grad[0], "x2": x.grad[1]}.items():
        assert nodes[name]["grad"] == pytest.approx(g.item(), abs=1e-12), name
    assert [nodes["h1"]["value"], nodes["h2"]["value"]] == pytest.approx(hidden.tolist(), abs=1e-12)


def test_the_issue_example_expression():
    t = deepviz.trace("autodiff", expr="(t - sigmoid(w*x + b))**2", values="x=2,w=-1,b=0.5,t=1")
    nodes = by_name(t)
    x, w, b, tt = leaf(2), leaf(-1), leaf(0.5), leaf(1)
    L = (tt - torch.sigmoid(w * x + b)) ** 2
    grads = torch.autograd.grad(L, [x, w, b, tt])
    assert nodes["L"]["value"] == pytest.approx(L.item(), abs=1e-12)
    for name, g in zip("xwbt", grads):
        assert nodes[name]["grad"] == pytest.approx(g.item(), abs=1e-12)
    assert t.preset is None


# -- random programs: every node's adjoint against autograd of the whole graph ----------------
UNARY = {"exp": torch.exp, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}
BINARY = {"+": torch.add, "-": torch.sub, "*": torch.mul}


@st.composite
def programs(draw, depth=3):
    """An expression as text together with a torch function computing it (built side by side)."""
    names = ["a", "b", "c"]

    def build(d):
        kind = draw(st.sampled_from(["name", "unary", "binary", "const"] if d > 0 else ["name"]))
        if kind == "name":
            n = draw(st.sampled_from(names))
            return n, (lambda env, n=n: env[n])
        if kind == "const":
            k = draw(st.sampled_from([0.5, 2.0, -1.5]))
            other_text, other_fn = build(d - 1)
            return f"({k} * {other_text})", (lambda env, f=other_fn, k=k: k * f(env))
        if kind == "unary":
            fn = draw(st.sampled_from(sorted(UNARY)))
            text, f = build(d - 1)
            return f"{fn}({text})", (lambda env, f=f, g=UNARY[fn]: g(f(env)))
        op = draw(st.sampled_from(sorted(BINARY)))
        (lt, lf), (rt, rf) = build(d - 1), build(d - 1)
        return f"({lt} {op} {rt})", (lambda env, lf=lf, rf=rf, g=BINARY[op]: g(lf(env), rf(env)))

    text, fn = build(depth)
    return f"{text} * a + b", (lambda env, fn=fn: fn(env) * env["a"] + env["b"])


@settings(max_examples=40, deadline=None)
@given(programs(), st.lists(st.floats(-2, 2).filter(lambda v: abs(v) > 1e-3), min_size=3, max_size=3))
def test_random_programs_match_autograd(program, vals):
    text, fn = program
    names = dict(zip("abc", vals))
    graph = parse_program(text)
    used = {n.name for n in graph.inputs()}
    values = ", ".join(f"{k}={v!r}" for k, v in names.items() if k in used)
    t = deepviz.trace("autodiff", expr=text, values=values)
    env = {k: leaf(v) for k, v in names.items()}
    out = fn(env)
    assert t["nodes"][t["output"]]["value"] == pytest.approx(out.item(), abs=1e-9)
    nodes = by_name(t)
    for k in used:
        g, = torch.autograd.grad(out, env[k], retain_graph=True)
        assert nodes[k]["grad"] == pytest.approx(g.item(), abs=1e-9), (text, k)
    # intermediates: the chain rule's adjoints against autograd of the whole graph at once
    tensors = forward(graph, {k: names[k] for k in used})
    ids = [n.id for n in graph.nodes if n.id != graph.output]
    grads = torch.autograd.grad(tensors[graph.output], [tensors[i] for i in ids], allow_unused=True)
    for i, g in zip(ids, grads):
        assert t["nodes"][i]["grad"] == pytest.approx(0.0 if g is None else g.item(), abs=1e-9)


# -- the parser: a whitelist, one-line errors ----------------------------------------------------
@pytest.mark.parametrize("expr, message", [
    ("foo(x)", "unknown function 'foo'; allowed: exp, log"),
    ("sigmod(x)", "unknown function 'sigmod' (did you mean sigmoid?)"),
    ("__import__('os').system('true')", "is not a function name"),
    ("__import__('os')", "unknown function '__import__'"),
    ("x.real + 1", "not allowed"),
    ("x[0]", "not allowed"),
    ("(lambda: x)()", "not a function name"),
    ("x if x else x", "not allowed"),
    ("x < 2", "not allowed"),
    ("'text'", "not allowed"),
    ("exp(x, y)", "exp() takes 1 argument, got 2"),
    ("exp", "is a function"),
    ("exp(2) + x", "no variable"),
    ("u = x * 2; v = x * 3; u", "'v' is assigned but the result does not use it"),
    ("u = x * 2; u = x * 3; u", "assigned twice"),
    ("2 + 3", "no variable"),
    ("x +", "cannot read"),
    ("softmax(4, x, y)", "k must be a whole number from 1 to 2"),
    ("", "empty"),
])
def test_bad_expressions_name_the_problem(expr, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("autodiff", expr=expr, values="x=1, y=2")
    text = str(err.value)
    assert text.startswith("--expr: ") and message in text and "\n" not in text


@pytest.mark.parametrize("values, message", [
    ("h1=0, h2=3", "no value for t"),
    ("h1=0, h2=3, t=1, q=2", "'q' is not an input"),
    ("h1=0, h2=three, t=1", "is not a number"),
    ("h1=0, h1=1, h2=3, t=1", "given twice"),
])
def test_bad_values_name_the_problem(values, message):
    with pytest.raises(ParamError) as err:
        deepviz.trace("autodiff", values=values)
    assert str(err.value).startswith("--values: ") and message in str(err.value)


def test_values_that_leave_the_domain_are_a_clear_error():
    with pytest.raises(ParamError, match=r"--expr: 'L' is nan"):
        deepviz.trace("autodiff", expr="log(x - 2)", values="x=1")


def test_a_constant_is_not_mistaken_for_the_node_with_that_number():
    # found by hypothesis: mul(2.0, a) and mul(node 2, a) were one node, since 2.0 == 2 in Python
    t = deepviz.trace("autodiff", expr="exp(2 * a) * a + b", values="a=1, b=1")
    assert t["nodes"][t["output"]]["value"] == pytest.approx(math.exp(2) + 1, abs=1e-12)


def test_repeated_subexpressions_are_one_node():
    graph = parse_program("exp(h1) / (exp(h1) + exp(h2))")
    exps = [n for n in graph.nodes if n.op == "exp"]
    assert len(exps) == 2
    h1_exp = next(n for n in exps if graph.node(n.args[0]).name == "h1")
    assert len(graph.consumers(h1_exp.id)) == 2


def test_too_large_a_graph_is_refused():
    expr = " + ".join(f"x{i} * y{i}" for i in range(12))
    with pytest.raises(ParamError, match="at most 32 stay readable"):
        deepviz.trace("autodiff", expr=expr, values=", ".join(f"x{i}=1, y{i}=2" for i in range(12)))


def test_decomposition_names_every_operation_once_from_the_output_down():
    t = deepviz.trace("autodiff")
    steps = t["decomposition"]
    ops = [n for n in t["nodes"] if n["op"] != "input"]
    assert len(steps) == len(ops)
    assert steps[0]["named"] == t["output"]
    assert sorted(s["lines"][-1] for s in steps[-1:]) and set(steps[-1]["lines"]) == {n["definition"] for n in ops}


def test_cli_reports_an_unknown_function_in_one_line(capsys):
    code = main(["trace", "autodiff", "--expr", "cosh(x)", "--values", "x=1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == ("deepviz: error: --expr: unknown function 'cosh'; allowed: exp, log, sigmoid, tanh, "
                           "relu, sum, softmax")


def test_softmax_component_and_sum_match_torch():
    t = deepviz.trace("autodiff", expr="-log(softmax(2, a, b, c)) + sum(a, b, c)", values="a=0.1, b=-0.4, c=2")
    nodes = by_name(t)
    a, b, c = leaf(0.1), leaf(-0.4), leaf(2)
    logits = torch.stack([a, b, c])
    L = torch.nn.functional.cross_entropy(logits[None], torch.tensor([1])) + logits.sum()
    grads = torch.autograd.grad(L, [a, b, c])
    assert t["nodes"][t["output"]]["value"] == pytest.approx(L.item(), abs=1e-12)
    for name, g in zip("abc", grads):
        assert nodes[name]["grad"] == pytest.approx(g.item(), abs=1e-12)
