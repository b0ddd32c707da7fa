"""``deepviz runs diagnose|summary``: the diagnosis run by run; a missing or empty logdir is one line, exit 2."""
from __future__ import annotations

import math
import warnings

import deepviz
from deepviz.cli import main
from deepviz.runs.diagnose import diagnose

from .test_watch import Tiny


def test_diagnose_and_summary_print_run_by_run(tmp_path, capsys):
    for name, nan_at in (("ok", None), ("bad", 3)):
        with warnings.catch_warnings(), deepviz.watch(Tiny(), logdir=tmp_path / name, every=1, histograms=False) as w:
            warnings.simplefilter("ignore")
            for step in range(6):
                w.step(loss=math.nan if nan_at is not None and step >= nan_at else 1.0 / (step + 1))
    assert main(["runs", "diagnose", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("bad") and "divergence: loss became NaN or inf" in out[1] and "step      3" in out[1]
    assert out[2].startswith("ok") and out[3] == "  no problem found"
    assert main(["runs", "summary", str(tmp_path)]) == 0
    assert "loss" in capsys.readouterr().out


def test_missing_or_empty_logdir_is_one_line(tmp_path, capsys):
    assert main(["runs", "diagnose", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.strip().endswith("does not exist")
    assert main(["runs", "summary", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "holds no TensorBoard events" in err
    assert main(["studio", "--logdir", str(tmp_path / "nope"), "--media", str(tmp_path)]) == 2  # before serving
    assert capsys.readouterr().err.strip().endswith("does not exist")


def series(values, start=0, every=10):
    return [start + every * i for i in range(len(values))], list(values)


def test_each_check_on_made_up_series():
    flat = [2.3] * 20
    falling = [2.3 * 0.9 ** i for i in range(20)]
    rising_val = [2.3 * 0.9 ** i if i < 8 else 2.3 * 0.9 ** 8 * (1 + 0.2 * (i - 7)) for i in range(20)]
    assert {f.kind for f in diagnose({"loss": series(falling)})} == set()
    assert [(f.kind, f.step) for f in diagnose({"loss": series(flat)})] == [("plateau", 0)]
    found = diagnose({"loss": series(falling), "val_loss": series(rising_val)})
    assert [(f.kind, f.step) for f in found] == [("overfitting", 80)]
    grads = {"grad_norm/a": series([1.0] * 10), "grad_norm/b": series([1.0] * 3 + [1e-6] * 7)}
    assert [(f.kind, f.layer, f.step) for f in diagnose(grads)] == [("vanishing-gradients", "b", 30)]
    grads = {"grad_norm/a": series([1.0, 2.0, 5e3, math.inf])}
    assert [(f.kind, f.step) for f in diagnose(grads)] == [("exploding-gradients", 20)]
    dead = {"dead_frac/r": series([0.1, 0.5, 0.8, 0.9, 1.0]), "dead_frac/s": series([0.5] * 5)}
    assert [(f.kind, f.layer, f.step) for f in diagnose(dead)] == [("dead-relu", "r", 20)]
    ratios = {"update_ratio/a": series([1e-3] * 10), "update_ratio/b": series([0.1] * 10)}
    assert [(f.kind, f.layer) for f in diagnose(ratios)] == [("update-ratio", "b")]
