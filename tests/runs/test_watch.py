"""deepviz.watch writes TensorBoard event files; the reader reads them (and damaged ones) back.

Every recorded number is compared with an independent computation on the same model, read back with
TensorBoard's EventAccumulator (not deepviz's reader).
"""
from __future__ import annotations

import math
import subprocess
import sys

import pytest
import torch
from torch import nn

import deepviz
from deepviz.params import ParamError
from deepviz.runs.logdir import read_logdir


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.relu, self.fc2 = nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


def accumulate(path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def test_recorded_values_match_an_independent_computation(tmp_path):
    torch.manual_seed(0)
    model, x, y = Tiny(), torch.randn(32, 4), torch.randint(0, 3, (32,))
    with torch.no_grad():
        model.fc1.bias[:3] = -100.0  # three of the eight hidden units can never fire: dead
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    expected = {}
    with deepviz.watch(model, opt, logdir=tmp_path, every=2) as w:
        for step in range(5):
            opt.zero_grad()
            hidden = model.relu(model.fc1(x))
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            before = [p.detach().clone() for p in model.fc1.parameters()]
            grads = [p.grad.clone() for p in model.fc1.parameters()]
            opt.step()
            after = list(model.fc1.parameters())
            w.step(loss=loss, acc=0.5)
            expected[step] = {
                "loss": loss.item(),
                "grad_norm/fc1": torch.cat([g.flatten() for g in grads]).norm().item(),
                "weight_norm/fc1": torch.cat([p.flatten() for p in after]).norm().item(),
                "update_ratio/fc1": (torch.cat([(a - b).flatten() for a, b in zip(after, before)]).norm()
                                     / torch.cat([p.flatten() for p in after]).norm()).item(),
                "dead_frac/relu": (hidden <= 0).all(dim=0).float().mean().item(),
                "act_mean/relu": hidden.mean().item(),
                "lr": 0.1,
            }
    assert not model.relu._forward_hooks and not opt._optimizer_step_pre_hooks  # hooks removed on exit
    acc = accumulate(tmp_path)
    for tag in expected[0]:
        events = acc.Scalars(tag)
        assert [e.step for e in events] == [0, 2, 4], tag
        for e in events:
            assert e.value == pytest.approx(expected[e.step][tag], rel=1e-5, abs=1e-7), (tag, e.step)
    assert expected[0]["dead_frac/relu"] >= 3 / 8
    assert acc.Histograms("weights/fc1")[0].histogram_value.num == 4 * 8 + 8
    assert acc.Histograms("activations/relu")[0].histogram_value.num == 32 * 8
    # deepviz's reader reads the same
    run, = read_logdir(tmp_path)
    assert run.scalars["grad_norm/fc1"][0] == [0, 2, 4]
    assert run.scalars["grad_norm/fc1"][1][1] == pytest.approx(expected[2]["grad_norm/fc1"], rel=1e-5)
    assert len(run.histograms["grads/fc2"]) == 3 and not run.problems


def test_nan_is_recorded_at_once_with_a_warning(tmp_path):
    model = Tiny()
    with pytest.warns(UserWarning, match="loss became NaN or inf at step 3"):
        with deepviz.watch(model, logdir=tmp_path, every=10, histograms=False) as w:
            for step in range(5):
                w.step(loss=float("nan") if step >= 3 else 1.0)
    assert w.nonfinite_step == 3
    run, = read_logdir(tmp_path)
    steps, values = run.scalars["loss"]
    assert steps == [0, 3, 4] and math.isnan(values[1])
    assert run.scalars["watch/nonfinite"][1][1:] == [1.0, 1.0]


@pytest.mark.parametrize("model, match", [(nn.ReLU(), "has no parameters"), ("net", "must be a torch.nn.Module")])
def test_bad_models_are_refused_in_one_line(tmp_path, model, match):
    with pytest.raises(ParamError, match=match):
        deepviz.watch(model, logdir=tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written


def test_bad_every_and_logdir(tmp_path):
    with pytest.raises(ParamError, match="--every"):
        deepviz.watch(Tiny(), every=0, logdir=tmp_path)
    (tmp_path / "f").write_text("x")
    with pytest.raises(ParamError, match="--logdir: .* is a file"):
        deepviz.watch(Tiny(), logdir=tmp_path / "f")


def write_run(path, steps=20):
    model = Tiny()
    with deepviz.watch(model, logdir=path, every=1, histograms=False) as w:
        for step in range(steps):
            w.step(loss=1.0 / (step + 1))
    return next(path.glob("events.out.tfevents.*"))


def test_truncated_and_corrupt_files_are_read_as_far_as_readable(tmp_path):
    f = write_run(tmp_path / "cut")
    data = f.read_bytes()
    f.write_bytes(data[:-10])  # the last record is cut short
    run, = read_logdir(tmp_path / "cut")
    assert run.scalars["loss"][0] == list(range(19))
    assert len(run.problems) == 1 and "truncated or corrupt" in run.problems[0]

    g = write_run(tmp_path / "bad")
    data = bytearray(g.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle: that record's CRC fails
    g.write_bytes(bytes(data))
    run, = read_logdir(tmp_path / "bad")
    assert 0 < len(run.scalars["loss"][0]) < 20
    assert "truncated or corrupt" in run.problems[0]


def test_missing_and_empty_logdirs(tmp_path):
    with pytest.raises(ParamError, match="does not exist"):
        read_logdir(tmp_path / "nope")
    with pytest.raises(ParamError, match="holds no TensorBoard events"):
        read_logdir(tmp_path)


def test_a_run_being_written_is_read_incrementally(tmp_path):
    from deepviz.runs.logdir import Run

    model = Tiny()
    run = Run("live", tmp_path)
    with deepviz.watch(model, logdir=tmp_path, every=1, histograms=False) as w:
        w.step(loss=1.0)
        w._writer.flush()
        run.reload()
        assert run.scalars["loss"][0] == [0]
        w.step(loss=0.5)
        w._writer.flush()
        assert run.reload() > 0
    assert run.scalars["loss"] == ([0, 1], [1.0, 0.5])


def test_import_deepviz_loads_no_tensorboard():
    code = "import sys, deepviz; print(sorted(m for m in ('torch', 'tensorboard') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_a_logdir_written_by_other_code_reads(tmp_path):
    """Tensor-form scalars (SummaryWriter's new_style, as TF2 writes them) and simple values, nested runs."""
    import numpy as np
    from torch.utils.tensorboard import SummaryWriter

    with SummaryWriter(str(tmp_path / "a" / "b")) as w:
        for step in range(3):
            w.add_scalar("acc", 0.5 + step / 10, step, new_style=True)
            w.add_scalar("loss", 1.0 / (step + 1), step)
            w.add_histogram("h", np.arange(10.0), step)
    run, = read_logdir(tmp_path)
    assert run.name == "a/b"
    assert run.scalars["acc"][0] == [0, 1, 2] and run.scalars["acc"][1] == pytest.approx([0.5, 0.6, 0.7])
    assert run.scalars["loss"][1] == pytest.approx([1.0, 0.5, 1 / 3])
    assert [h.step for h in run.histograms["h"]] == [0, 1, 2] and sum(run.histograms["h"][0].counts) == 10


def test_the_c_checksum_is_tensorboards():
    import os

    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c, u32

    from deepviz.runs.crc import masked_crc32c

    for data in (b"", b"a", os.urandom(1000)):
        x = u32(crc32c(data))  # the stub's own pure-Python CRC, masked as TFRecord does
        assert masked_crc32c(data) == u32(((x >> 15) | u32(x << 17)) + 0xA282EAD8)
