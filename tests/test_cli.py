import json
import subprocess
import sys

import pytest

import deepviz
from deepviz.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_concepts_summaries_and_presets(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == sorted(names) == [c.name for c in deepviz.list_concepts()]
    assert {"autodiff", "batch-norm", "transposed-conv"} <= set(names)
    for preset in ("no-padding-unit-strides", "no-padding-strided", "padding-unit-strides", "padding-strided",
                   "three-batches", "second-batch", "softmax-squared-error", "mlp-2-2-1"):
        assert preset in out


def test_trace_writes_the_same_trace_as_the_api(capsys, tmp_path):
    target = tmp_path / "t.json"
    code, out, _ = run(capsys, "trace", "transposed-conv", "--preset", "padding-strided", "-o", str(target))
    assert code == 0 and out.strip() == str(target)
    written = json.loads(target.read_text())
    assert written == json.loads(deepviz.trace("transposed-conv", preset="padding-strided").to_json())
    assert written["params"]["input"] == "3x4" and written["preset"] == "padding-strided"


def test_user_values_override_the_preset_and_drop_its_name(capsys):
    code, out, _ = run(capsys, "trace", "transposed-conv", "--preset", "padding-strided", "--stride", "1")
    t = json.loads(out)
    assert code == 0 and t["preset"] is None
    assert t["data"]["stride"] == [1, 1] and t["data"]["input_size"] == [3, 4]


@pytest.mark.parametrize("argv, expected", [
    (["render", "transposed-conv", "--stride", "0"], "--stride: must be from 1 to 4, got 0"),
    (["render", "transposed-conv", "--input", "3x"], "--input: expected N or HxW"),
    (["render", "transposed-conv", "--input", "3", "--kernel", "5"], "--kernel:"),
    (["render", "transposed-conv", "--input", "-2"], "--input: must be from 1 to 12"),
    (["render", "transposed-conv", "--stride", "2", "--output-padding", "2"], "--output-padding:"),
    (["render", "transposed-conv", "-q", "ultra"], "invalid choice: 'ultra'"),
    (["render", "transposed-conv", "--preset", "nope"], "invalid choice: 'nope'"),
    (["render", "nope"], "invalid choice: 'nope'"),
    (["trace", "transposed-conv", "--matrix-view", "maybe"], "--matrix-view: expected true or false"),
])
def test_bad_input_is_one_line_and_exit_status_2(capsys, tmp_path, argv, expected):
    code, out, err = run(capsys, *argv, *(["--output", str(tmp_path / "out")] if argv[0] == "render" else []))
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing written, not even a folder


def test_render_help_lists_every_parameter_with_type_range_and_default():
    for argv in (["render", "--help"], ["render", "transposed-conv", "--help"]):
        res = subprocess.run([sys.executable, "-m", "deepviz.cli", *argv], capture_output=True, text=True)
        assert res.returncode == 0
        text = " ".join(res.stdout.split())
        for fragment in ("--input", "each from 1 to 12; default 5", "--output-padding", "default auto",
                         "--dilation", "--seed", "--matrix-view"):
            assert fragment in text, (argv, fragment)


def test_importing_deepviz_loads_neither_torch_nor_manim():
    code = "import sys, deepviz; deepviz.list_concepts(); print(sorted(m for m in ('torch', 'manim') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
