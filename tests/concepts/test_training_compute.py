"""The training trace against TensorBoard's own EventAccumulator and deepviz.runs.diagnose on the same logdir."""
import math

import pytest
import torch

import deepviz
from deepviz.cli import main
from deepviz.params import ParamError
from deepviz.runs.diagnose import diagnose

STEPS = 60


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A run written by torch's own SummaryWriter (not deepviz.watch): a falling loss that turns NaN, a held-out
    loss, a gradient norm that explodes, a weight histogram."""
    from torch.utils.tensorboard import SummaryWriter

    logdir = tmp_path_factory.mktemp("logdir")
    g = torch.Generator().manual_seed(0)
    with SummaryWriter(str(logdir / "mine")) as w:
        for s in range(STEPS):
            w.add_scalar("loss", float("nan") if s >= 55 else 2 * math.exp(-s / 15) + 0.1 * torch.rand(1, generator=g).item(), s)
            w.add_scalar("val_loss", 2 * math.exp(-s / 20) + 0.3, s)
            w.add_scalar("grad_norm/fc", 0.1 * 1.3 ** s, s)
            w.add_scalar("grad_norm/head", 0.5, s)
            if s % 5 == 0:
                w.add_histogram("weights/fc", torch.randn(500, generator=g) * (1 + s / 10), s, bins=20)
    return logdir


def accumulated(run_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(run_dir), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


@pytest.fixture(scope="module")
def example():
    from deepviz.concepts.training.example import example_logdir

    return example_logdir()


def check_against_tensorboard(t, acc):
    tags = acc.Tags()["scalars"]
    for c in t["curves"]:
        events = acc.Scalars(c["tag"])
        finite = [e for e in events if math.isfinite(e.value)]
        assert c["steps"] == [e.step for e in finite]
        torch.testing.assert_close(torch.tensor(c["values"], dtype=torch.float64), torch.tensor([e.value for e in finite],
                                                                           dtype=torch.float64), rtol=0, atol=0)
        assert c["nonfinite"] == [e.step for e in events if not math.isfinite(e.value)]
    for layer, s in zip(t["gradients"]["layers"], t["gradients"]["series"]):
        events = [e for e in acc.Scalars(f"grad_norm/{layer}") if math.isfinite(e.value)]
        assert s["steps"] == [e.step for e in events]
        torch.testing.assert_close(torch.tensor(s["log10"], dtype=torch.float64), torch.tensor(
            [math.log10(max(e.value, 1e-12)) for e in events], dtype=torch.float64))
    assert sorted(t["gradients"]["layers"]) == sorted(x.split("/", 1)[1] for x in tags if x.startswith("grad_norm/"))
    h = t["histogram"]
    by_step = {e.step: e.histogram_value for e in acc.Histograms(h["tag"])}
    for snap in h["snapshots"]:
        ref = by_step[snap["step"]]
        assert snap["counts"] == list(ref.bucket)
        assert snap["edges"][0] == ref.min and snap["edges"][-1] == pytest.approx(min(ref.bucket_limit[-1], ref.max))
        assert snap["edges"][1:-1] == list(ref.bucket_limit[:-1])
    return {tag: ([e.step for e in acc.Scalars(tag)], [e.value for e in acc.Scalars(tag)]) for tag in tags}


def test_a_summarywriter_run_is_what_tensorboard_reads(written):
    t = deepviz.trace("training", logdir=str(written), smoothing=0.5)
    assert t["run"] == "mine" and [c["tag"] for c in t["curves"]] == ["loss", "val_loss"]
    scalars = check_against_tensorboard(t, accumulated(written / "mine"))
    assert t["curves"][0]["nonfinite"] == list(range(55, STEPS))
    # TensorBoard's smoothing, written out: a debiased exponential moving average
    values, last, ref = t["curves"][1]["values"], 0.0, []
    for i, v in enumerate(values):
        last = 0.5 * last + 0.5 * v
        ref.append(last / (1 - 0.5 ** (i + 1)))
    assert t["curves"][1]["smooth"] == pytest.approx(ref, rel=1e-12)
    found = [f.to_json() for f in diagnose(scalars)]
    assert t["findings"] == found[:4] and t["more_findings"] == max(0, len(found) - 4)
    assert {f["kind"] for f in found} >= {"divergence", "exploding-gradients"}


def test_the_example_run_is_what_tensorboard_reads_and_its_diagnosis(example):
    t = deepviz.trace("training", preset="lr-too-high")
    assert t["logdir"] == "the example run" and t["run"] == "lr-too-high"
    scalars = check_against_tensorboard(t, accumulated(example / "lr-too-high"))
    found = [f.to_json() for f in diagnose(scalars)]
    assert found and t["findings"] == found[:4]
    assert t["histogram"]["tag"] == f"weights/{found[0]['layer']}" or t["histogram"]["layer"] in t["gradients"]["layers"]


@pytest.mark.parametrize("make", ["missing", "empty", "histograms-only"])
def test_a_missing_or_empty_logdir_is_one_line_and_nothing_written(tmp_path, capsys, make):
    logdir = tmp_path / "runs"
    if make != "missing":
        logdir.mkdir()
    if make == "histograms-only":
        from torch.utils.tensorboard import SummaryWriter

        with SummaryWriter(str(logdir)) as w:
            w.add_histogram("weights/fc", torch.arange(10.0), 0)
    with pytest.raises(ParamError, match="^--logdir: "):
        deepviz.trace("training", logdir=str(logdir))
    assert main(["render", "training", "--logdir", str(logdir), "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deepviz: error: --logdir: ") and "\n" not in err
    assert not (tmp_path / "o").exists()


def test_an_unknown_run_or_layer_names_its_parameter(written):
    with pytest.raises(ParamError, match="^--run: no run 'other' in 'logdir.*'; its runs: mine"):
        deepviz.trace("training", logdir=str(written), run="other")
    with pytest.raises(ParamError, match="^--layer: the run holds no grads histogram of layer 'fc'; it holds: none"):
        deepviz.trace("training", logdir=str(written), histogram="grads", layer="fc")


def test_the_scene_marks_each_finding_at_its_step_on_both_plots(rendered_scene):
    scene = rendered_scene("training", preset="lr-too-high")
    findings = scene.trace.data["findings"]
    assert len(scene.marks) == 2 * len(findings)
    for (plot, line), f in zip(scene.marks, [f for f in findings for _ in (0, 1)]):
        assert line.get_center()[0] == pytest.approx(plot.c2p(f["step"], 0)[0], abs=1e-6)
    assert {id(p) for p, _ in scene.marks} == {id(scene.loss), id(scene.grad)}
