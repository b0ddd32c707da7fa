"""Small versions of examples/ (seconds each): the diagnosis names exactly what each one went wrong with."""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from deepviz.runs.diagnose import diagnose
from deepviz.runs.logdir import read_logdir

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def examples():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import bad_init
        import digits_training
        yield digits_training, bad_init
    finally:
        sys.path.remove(str(EXAMPLES))


def kinds(logdir) -> set[tuple[str, str | None]]:
    run, = read_logdir(logdir)
    return {(f.kind, f.layer) for f in diagnose(run.scalars)}


def test_the_good_run_gets_no_finding(examples, tmp_path):
    examples[0].train(str(tmp_path), steps=200, every=10)
    assert kinds(tmp_path) == set()


def test_a_far_too_high_learning_rate(examples, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        examples[0].train(str(tmp_path), steps=30, optimizer="sgd", lr=100.0, every=1)
    found = kinds(tmp_path)
    assert {("exploding-gradients", layer) for layer in ("conv1", "conv2")} <= found
    assert {("dead-relu", "relu1"), ("dead-relu", "relu2")} <= found
    assert {k for k, _ in found} == {"exploding-gradients", "dead-relu", "vanishing-gradients"}


def test_a_bad_initialisation_kills_the_relus(examples, tmp_path):
    examples[0].train(str(tmp_path), steps=100, every=5, init=examples[1].negative_biases)
    assert kinds(tmp_path) == {("dead-relu", "relu2"), ("plateau", None), ("vanishing-gradients", "conv1"),
                               ("vanishing-gradients", "conv2")}


def test_shuffled_labels_are_memorised(examples, tmp_path):
    examples[0].train(str(tmp_path), steps=400, every=10, shuffle_labels=128, lr=0.01)
    assert kinds(tmp_path) == {("overfitting", None)}
