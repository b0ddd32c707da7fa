"""Bad input, from a hostile or careless user: every parameter of every concept, through the API and the CLI.

Whatever is given, deepviz answers with a trace or one short ParamError line naming a parameter;
the CLI exits 2 with exactly one line on stderr and writes nothing.
"""
from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deepviz
from deepviz import api, catalog
from deepviz.cli import main
from deepviz.diagrams import loader
from deepviz.params import Bool, Choice, Float, Int, Numbers, Pair, ParamError, Words, short
from deepviz.trace import Trace

CONCEPTS = [c.name for c in catalog.concepts()]
MAX_MESSAGE = 400  # characters: a message quotes at most a short prefix of what it was given

# -- strategies: from each parameter's declaration -------------------------------------------------------
# built when drawn: hypothesis describes a strategy by repr(), and repr(10**5000) fails (4300 digits at most)
HUGE_INTS = st.sampled_from([(1, 400), (-1, 400), (1, 5000), (1, 19), (-1, 19)]).map(lambda s: s[0] * 10 ** s[1])
ODD_FLOATS = st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -0.0])
WRONG_TYPES = st.sampled_from([None, True, False, b"1", 1j, object(), {"a": 1}, [], [[1.0]], (1, 2, 3),
                               np.array([1.0, 2.0]), np.float32(0.5), np.int64(3), np.bool_(True)])
ODD_TEXT = st.one_of(st.sampled_from(["", " ", "nan", "inf", "-inf", "1e999", "1e308", "9" * 5000, "x" * 100_000,
                                      "1,2;3", "\n", "\x00", "é"]), st.text(max_size=20))
NUMBER_WORD = st.one_of(st.floats().map(repr), st.integers(-10, 10).map(str),
                        st.sampled_from(["1e300", "-1e300", "1" + "0" * 400, "1e154", "nan", "inf", "", "x"]))
NUMBER_TEXT = st.lists(st.lists(NUMBER_WORD, min_size=1, max_size=4).map(",".join), min_size=1, max_size=5).map(";".join)


def around(lo, hi, kind):
    """Values inside ``[lo, hi]``, on its bounds and just beyond them."""
    edges = [v for b in (lo, hi) if b is not None for v in (b, b - 1, b + 1)]
    if kind is int:
        inside = st.integers(lo if lo is not None else -100, hi if hi is not None else 100)
        return st.one_of(inside, st.sampled_from(edges or [0]))
    inside = st.floats(lo if lo is not None else -1e6, hi if hi is not None else 1e6)
    nudged = [math.nextafter(b, d) for b in (lo, hi) if b is not None for d in (-math.inf, math.inf)]
    return st.one_of(inside, st.sampled_from(edges + nudged or [0.0]))


def valid_or_near(p, concept) -> st.SearchStrategy:
    """Values a user might mean: in range, at the bounds, just beyond (as Python values and as text)."""
    if isinstance(p, Int):
        # in-range ints are step and layer counts whose traces can take minutes (training): only the
        # bounds' outsides here; the contract tests trace every preset, and validation sees all of them
        beyond = [v for v in (p.min - 1 if p.min is not None else None, p.max + 1 if p.max is not None else None)
                  if v is not None]
        return st.sampled_from(beyond or [1.5]).flatmap(lambda v: st.sampled_from([v, str(v)]))
    if isinstance(p, Float):
        return around(p.min, p.max, float).flatmap(lambda v: st.sampled_from([v, repr(v)]))
    if isinstance(p, Pair):
        return st.tuples(around(p.min, p.max, int), around(p.min, p.max, int)).flatmap(
            lambda hw: st.sampled_from([hw, f"{hw[0]}x{hw[1]}", hw[0]]))
    if isinstance(p, Numbers):
        rows = st.lists(st.lists(around(p.min, p.max, float), min_size=p.cols, max_size=p.cols),
                        min_size=p.rows, max_size=p.rows)
        return rows.map(lambda r: r[0] if p.rows == 1 else r).flatmap(lambda r: st.sampled_from([r, p.format(r)]))
    if isinstance(p, Choice):
        return st.sampled_from(p.choices)
    if isinstance(p, Bool):
        return st.sampled_from([True, False, "true", "off", "maybe"])
    presets = [pr.values[p.name] for pr in concept.presets if p.name in pr.values] + [p.default]
    if p.names_files:  # never a random name of a file or a module (an import runs its code)
        return st.one_of(st.sampled_from(presets + ["no/such/file.py:net", "no_such.csv", "nope", ""]), NUMBER_TEXT)
    if isinstance(p, Words):
        return st.one_of(st.sampled_from(presets), st.sampled_from(["zzqx", "I " * 40, "."]))
    return st.one_of(st.sampled_from(presets), NUMBER_TEXT)


def anything_for(p, concept) -> st.SearchStrategy:
    return st.one_of(valid_or_near(p, concept), valid_or_near(p, concept), HUGE_INTS, ODD_FLOATS, WRONG_TYPES,
                     ODD_TEXT if not p.names_files else st.sampled_from(["", "x" * 100_000, "9" * 5000]))


def assignments(concept) -> st.SearchStrategy:
    """One or two of the concept's parameters set to drawn values (a keyword the concept lacks, now and then)."""
    one = st.sampled_from(list(concept.params)).flatmap(lambda p: anything_for(p, concept).map(lambda v: {p.name: v}))
    odd_key = st.sampled_from(["self", "concept", "preset_", "x" * 300, "fmt"]).map(lambda k: {k: 1})
    return st.one_of(one, st.tuples(one, one).map(lambda ab: {**ab[0], **ab[1]}), odd_key)


def assert_one_short_line(err: ParamError) -> None:
    text = str(err)
    assert "\n" not in text and len(text) <= MAX_MESSAGE, text[:1000]
    assert text.startswith("--")


# -- the property: only traces and ParamErrors ---------------------------------------------------------------
def examples(n: int):
    """The same examples on every run (a CI failure reproduces); no deadline: some concepts train at first use."""
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("name", CONCEPTS)
@examples(20)
@given(data=st.data())
def test_any_values_give_a_trace_or_one_short_param_error(name, data):
    concept = catalog.get(name)
    values = data.draw(assignments(concept), label="values")
    try:
        result = deepviz.trace(name, **values)
    except ParamError as err:
        assert_one_short_line(err)
        assert err.param in {*concept.params.names(), *map(short, values)} or err.param in ("concept", "preset")
    else:
        assert isinstance(result, Trace) and result.to_json()  # real: finite, serialisable


@pytest.mark.parametrize("name", CONCEPTS)
@examples(60)
@given(data=st.data())
def test_validation_of_any_value_in_range_or_not_is_a_param_error_at_worst(name, data):
    """Every value, in-range integers included, through parsing and the cross-checks (no compute)."""
    concept = catalog.get(name)
    p = data.draw(st.sampled_from(list(concept.params)), label="param")
    strategy = anything_for(p, concept)
    if isinstance(p, Int):
        strategy = st.one_of(strategy, around(p.min, p.max, int))
    value = data.draw(strategy, label="value")
    try:
        concept.resolve(None, **{p.name: value})
    except ParamError as err:
        assert_one_short_line(err)


# -- the CLI: the same kinds of values as text; exit 2, one line, nothing written -----------------------------
def bad_texts(p) -> list[str]:
    """Text each declared parameter must refuse."""
    if isinstance(p, (Int, Pair)):
        return [str(p.min - 1) if p.min is not None else "1.5", "9" * 5000]
    if isinstance(p, Float):
        return ["1e999", "nan", "9" * 5000]
    if isinstance(p, Numbers):
        return [",".join(["1e999"] * p.cols), "1," * 3000]
    if isinstance(p, Choice):
        return ["nope"]
    if isinstance(p, Bool):
        return ["maybe"]
    return ["x" * (p.max_length + 1)]


CLI_CASES = [(c.name, p.flag, text) for c in catalog.concepts() for p in c.params for text in bad_texts(p)]


def run_cli(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, (argv[:4], err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and len(lines[0]) <= MAX_MESSAGE + 40, err[:500]
    return lines[0]


@pytest.mark.parametrize("name, flag, text", CLI_CASES, ids=[f"{c}{f}-{t[:12]}" for c, f, t in CLI_CASES])
def test_the_cli_refuses_each_bad_value_in_one_line(capsys, tmp_path, name, flag, text):
    line = run_cli(capsys, ["trace", name, f"{flag}={text}", "-o", str(tmp_path / "t.json")])
    assert line.startswith(f"deepviz: error: {flag}:") or "deepviz: error: --" in line
    assert list(tmp_path.iterdir()) == []


# -- regression tests: each bullet of issue 13 ------------------------------------------------------------------
@pytest.mark.parametrize("name, values, expected", [
    ("activations", {"slope": 10**400}, "--slope: must be from 0.01 to 0.5, got an integer of about 401 digits"),
    ("activations", {"seed": 10**5000}, "--seed: must be from 0 to 10000, got an integer of about 5001 digits"),
    ("activations", {"point": [10**400, 1]}, "--point: must be from -3.0 to 3.0, got an integer of about 401"),
    ("ravines", {"std": np.array(["biased", "unbiased"])}, "--std: must be one of biased, unbiased; got array("),
    (True, {}, "--concept: expected a concept's name, got True"),
    (np.array(["rnn"]), {}, "--concept: expected a concept's name, got array(['rnn']"),
    ("activations", {"preset": np.array(["tour", "negative-logit"])}, "--preset: expected a preset's name, got array("),
    ("activations", {"self": 1}, "--self: unknown parameter"),
    ("activations", {"concept": "rnn"}, "--concept: unknown parameter"),
    ("autodiff", {"expr": "x", "values": "x=1"}, "--expr: the result is the input x itself"),
    ("autodiff", {"expr": "(x)", "values": "x=1"}, "--expr: the result is the input x itself"),
    ("autodiff", {"expr": "x**0.5", "values": "x=0"}, "--values: the derivative \u2202L/\u2202x is inf"),
    ("autodiff", {"expr": "-" * 995 + "x", "values": "x=1"}, "--expr: the expression is nested 999 levels deep"),
    ("autodiff", {"expr": "x" + "+x" * 990, "values": "x=1"}, "--expr: the expression is nested"),
    ("ravines", {"start": "1e300,1e300"}, "--start: the computation overflows with --start 1e300,1e300: raw."),
    ("batch-norm", {"data": "1e300,1;2,3;4,5"}, "--data: the computation overflows with --data 1e300,1;2,3;4,5"),
    ("model-forward", {"input": "1,1,100000,100000"}, ("--input: a float32 tensor of shape 1,1,100000,100000 takes "
                                                       "37.3 GiB; an example input may take at most 1 GiB")),
    ("model-forward", {"input": "1,99999999999999999999999"}, "--input: a size of 23 digits is too large"),
    ("model-forward", {"input": "2,3:complex"}, "--input: the dtype must be one of"),
    ("model-forward", {"model": "sys:exit"}, "--model: building sys:exit called sys.exit(); the model's code must not"),
    ("linear-map", {"matrix": "1," * 5000}, "got '1,1,1,1,"),
    ("bogus" * 1000, {}, "--concept: unknown concept 'bogusbogus"),
])
def test_issue_13_bad_input_is_one_short_line(name, values, expected):
    with pytest.raises(ParamError) as err:
        deepviz.trace(name, **values)
    text = str(err.value)
    assert expected in text and "\n" not in text and len(text) <= MAX_MESSAGE, text[:500]


def test_deepviz_diagram_refuses_the_same_shapes_as_the_cli():
    from deepviz.diagrams import DiagramError
    from deepviz.diagrams.examples import mlp

    with pytest.raises(DiagramError, match="example_input: a float32 tensor of shape 1,1,100000,100000 takes 37.3 GiB"):
        deepviz.diagram(mlp(), (1, 1, 100000, 100000))
    with pytest.raises(DiagramError, match="example_input: every size must be at least 1"):
        deepviz.diagram(mlp(), (0, 2))


def test_a_bool_example_input_is_random_booleans(tmp_path):
    (tmp_path / "masked.py").write_text("import torch\nclass Masked(torch.nn.Linear):\n    def forward(self, m):\n"
                                        "        return super().forward(m.float())\ndef build():\n"
                                        "    return Masked(6, 1)\n")
    t = deepviz.trace("model-forward", model=f"{tmp_path / 'masked.py'}:build", input="1,6:bool", seed=3)
    grid = t["boxes"][0]["values"]["grid"]
    assert t["boxes"][0]["shape"] == [1, 6] and {v for row in grid for v in row} <= {0.0, 1.0}


def test_deepviz_render_refuses_a_keyword_that_no_parameter_has(tmp_path):
    for key in ("concept", "fmt", "self"):
        with pytest.raises(ParamError, match=f"--{key}: unknown parameter"):
            # deepviz.render is the module once it is imported, hence api.render
            api.render("linear-map", output=tmp_path, **{key: "x"})  # pyright: ignore[reportArgumentType]
    assert list(tmp_path.iterdir()) == []


def test_an_expression_error_quotes_the_text_after_caret_became_power_on_one_line():
    with pytest.raises(ParamError) as err:
        deepviz.trace("autodiff", expr="x^2 + [x,\n y]", values="x=1, y=2")
    assert str(err.value) == "--expr: '[x, y]' is not allowed: use numbers, names, + - * / ** and the functions " \
                             "exp, log, sigmoid, tanh, relu, sum, softmax"
    with pytest.raises(ParamError) as err:
        deepviz.trace("autodiff", expr="x^y^x^y + y.real", values="x=1, y=2")
    assert "'y.real' is not allowed" in str(err.value)


# CSV files given to --data
CSV_FILES = {
    "binary.csv": bytes(range(256)) * 4,
    "latin1.csv": "x1,x2 caf\u00e9\n1,2\n3,4\n".encode("latin-1"),
    "field.csv": b'1,"' + b"1" * 140_000 + b'"\n',
    "big.csv": b"1,2\n" * (18 * 1024 * 1024 // 4),
}


@pytest.mark.parametrize("name, expected", [
    ("binary.csv", "--data: the file is not UTF-8 text"),
    ("latin1.csv", "--data: the file is not UTF-8 text"),
    ("field.csv", "--data: 'field.csv' is 140,005 bytes; a table file may have at most 65,536"),
    ("big.csv", "--data: 'big.csv' is 18,874,368 bytes; a table file may have at most 65,536"),
])
def test_a_bad_csv_file_is_one_line(capsys, tmp_path, monkeypatch, name, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(CSV_FILES[name])
    assert run_cli(capsys, ["trace", "batch-norm", "--data", name]).startswith(f"deepviz: error: {expected}")


def test_a_big_csv_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from deepviz import tables

    big = tmp_path / "big.csv"
    big.write_bytes(CSV_FILES["big.csv"])
    monkeypatch.setattr(type(big), "open", lambda *a, **k: pytest.fail("the file was opened"))
    with pytest.raises(ParamError, match="at most 65,536"):
        tables.load_table(str(big), ("x1", "x2"), (), 2, 30)


def test_a_utf16_csv_file_with_its_mark_is_read(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("x1,x2\n1,2\n3,5\n6,4\n".encode("utf-16"))
    assert deepviz.trace("batch-norm", data=str(path))["batches"]


# output paths
def test_bad_output_paths_are_one_line_and_write_nothing(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    cases = [
        (["trace", "linear-map", "-o", str(tmp_path / "folder")], "is a folder; name a file"),
        (["trace", "linear-map", "-o", str(tmp_path / "file" / "t.json")], "which is a file"),
        (["trace", "linear-map", "-o", str(tmp_path / ("n" * 300 + ".json"))], "a name of 305 bytes is longer"),
        (["trace", "linear-map", "-o", "/proc/deepviz/t.json"], "--output: "),  # unwritable even for root
        (["trace", "linear-map", "-o", str(tmp_path / "/".join(["d" * 200] * 30) / "t.json")], "--output: "),
        (["render", "linear-map", "--output", str(tmp_path / "file")], "is a file; name a folder"),
        (["render", "linear-map", "--output", str(tmp_path / "file" / "sub")], "which is a file"),
        (["diagram", "deepviz.diagrams.examples:mlp", "--input", "1,2", "-o", str(tmp_path / "file" / "m.svg")],
         "which is a file"),
        (["gallery", "--output", str(tmp_path / "file")], "is a file; name a folder"),
    ]
    for argv, expected in cases:
        line = run_cli(capsys, argv)
        assert line.startswith("deepviz: error: --output: ") and expected in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder"]
    assert list((tmp_path / "folder").iterdir()) == []


# the user's own code
MODEL_FILES = {
    "exit_import.py": "import sys\nsys.exit(0)\n",
    "exit_build.py": "import sys\ndef build():\n    sys.exit(3)\n",
    "loop_import.py": "while True:\n    try:\n        pass\n    except Exception:\n        pass\n",
    "loop_build.py": "import time\ndef build():\n    time.sleep(1000)\n",
    "loop_forward.py": ("import torch\nclass Net(torch.nn.Linear):\n    def forward(self, x):\n        while True:\n"
                        "            pass\ndef build():\n    return Net(2, 1)\n"),
}


@pytest.fixture
def model_files(tmp_path, monkeypatch):
    for name, text in MODEL_FILES.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(loader, "USER_CODE_SECONDS", 0.5)
    return tmp_path


@pytest.mark.parametrize("argv, expected", [
    (["trace", "model-forward", "--model", "exit_import.py:build"], "importing exit_import.py called sys.exit(0)"),
    (["trace", "model-forward", "--model", "exit_build.py:build"], "building exit_build.py:build called sys.exit(3)"),
    (["trace", "model-forward", "--model", "sys:exit"], "building sys:exit called sys.exit()"),
    (["diagram", "exit_build.py:build", "--input", "1,2"], "building exit_build.py:build called sys.exit(3)"),
    (["diagram", "sys:exit", "--input", "1,2"], "building sys:exit called sys.exit()"),
    (["trace", "model-forward", "--model", "loop_import.py:build"], "importing loop_import.py took longer than 0.5 s"),
    (["trace", "model-forward", "--model", "loop_build.py:build"], "building loop_build.py:build took longer than 0.5"),
    (["trace", "model-forward", "--model", "loop_forward.py:build", "--input", "1,2"],
     "running loop_forward.py:build on the example input took longer than 0.5 s"),
    (["diagram", "loop_forward.py:build", "--input", "1,2", "--device", "real"],
     "running loop_forward.py:build on the example input took longer than 0.5 s"),
])
def test_the_users_code_cannot_exit_or_hang_deepviz(capsys, model_files, argv, expected):
    line = run_cli(capsys, argv)
    assert line.startswith("deepviz: error: --model: ") and expected in line, line
    assert not list(model_files.glob("*.svg"))


def test_the_time_limit_holds_in_another_thread_too(model_files):
    found = []
    worker = threading.Thread(target=lambda: found.append(_error(model="loop_import.py:build")))
    worker.start()
    worker.join(30)
    assert not worker.is_alive() and "took longer than 0.5 s" in found[0]


def test_the_time_limit_leaves_no_alarm_behind(model_files):
    import signal

    before = signal.getsignal(signal.SIGALRM)
    assert "took longer" in _error(model="loop_build.py:build")
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_alarm_set_before_the_users_code_still_rings(model_files):
    import signal

    rang = []
    previous = signal.signal(signal.SIGALRM, lambda *a: rang.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        assert "took longer" in _error(model="loop_build.py:build")
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 3.0 < remaining < 5.0 and not rang
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _error(**values) -> str:
    try:
        deepviz.trace("model-forward", **values)
    except ParamError as err:
        return str(err)
    return "no error"


def test_a_subnormal_input_is_shown_not_refused():
    # It used to fail formatting its own label (10**-324 is 0.0): fmt_sig reads the mantissa from the text.
    t = deepviz.trace("autodiff", expr="x*2", values="x=5e-324")
    assert "4.941\u00d710\u207b\u00b3\u00b2\u2074" in t.narration["intro"]


# -- the same values through the studio: 4xx or a job whose trace computed, never a 500 -------------------------
@pytest.fixture(scope="module")
def studio():
    """The studio with a job queue that records instead of rendering (a 200 would start a render)."""
    import json as _json  # noqa: F401 - the strategies' values are sent as JSON

    from fastapi.testclient import TestClient

    from deepviz.studio import gallery_api, jobs
    from deepviz.studio.server import create_app

    submitted: list = []
    saved = jobs.JobQueue.submit, gallery_api.job_json
    jobs.JobQueue.submit = lambda self, title, target, kwargs: submitted.append(kwargs)  # type: ignore[method-assign]
    gallery_api.job_json = lambda job: {"id": "recorded"}
    try:
        with TestClient(create_app(), base_url="http://127.0.0.1") as client:
            yield client, submitted
    finally:
        jobs.JobQueue.submit, gallery_api.job_json = saved


def _as_json(values: dict):
    import json

    try:
        return json.loads(json.dumps(values, allow_nan=False))
    except (TypeError, ValueError, OverflowError):
        return None


@pytest.mark.parametrize("name", CONCEPTS)
@examples(8)
@given(data=st.data())
def test_the_studio_answers_any_values_with_a_4xx_or_a_job_with_a_trace(studio, name, data):
    from hypothesis import assume

    client, submitted = studio
    values = _as_json(data.draw(assignments(catalog.get(name)), label="values"))
    assume(values is not None)  # what JSON cannot carry never reaches the studio
    before = len(submitted)
    r = client.post("/api/render", json={"concept": name, "values": values, "quality": "low"})
    assert r.status_code in (200, 413, 422, 429), (r.status_code, r.text[:300])
    if r.status_code == 200:  # accepted only with a trace that computed
        assert len(submitted) == before + 1 and submitted[-1]["trace"]["concept"] == name
    else:
        assert len(submitted) == before and len(r.json()["detail"]) <= MAX_MESSAGE + 20
