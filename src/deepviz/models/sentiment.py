"""The rnn concept's tiny sentiment network, trained at first use on the shipped sentences.

``data/sentiment.tsv`` holds short sentences over the rnn concept's vocabulary, labelled happy
or sad (written for deepviz). Every fifth sentence is held out to measure the network on
sentences it never saw. Training is full-batch Adam in float64, seeded and deterministic (about
a second on a CPU); the trained weights are cached (:mod:`deepviz.models.cached`) under a key of
the data, the configuration and :data:`MODEL_VERSION`.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

import torch
from torch import nn

from .cached import trained
from .training import adam

MODEL_VERSION = 1  # bump when the data split, the loss or the training changes
STEPS = 150
LR = 0.05
HOLD_OUT = 5  # every fifth sentence is a test sentence
# Smoothed targets keep the network from certainty (p = 1.00, L = 0.00 would leave nothing to show
# in the loss and the backward pass) without changing which class it picks.
LABEL_SMOOTHING = 0.2


@dataclass(frozen=True)
class Examples:
    sentences: tuple[tuple[str, ...], ...]
    labels: tuple[int, ...]


def load(classes: tuple[str, ...]) -> tuple[Examples, Examples]:
    """The shipped sentences as (train, test) examples of word tuples and class indices."""
    text = resources.files("deepviz.models").joinpath("data/sentiment.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    pairs = [(tuple(s.split()), classes.index(label)) for s, label in rows]
    test = [p for i, p in enumerate(pairs) if i % HOLD_OUT == HOLD_OUT - 1]
    train = [p for i, p in enumerate(pairs) if i % HOLD_OUT != HOLD_OUT - 1]
    return tuple(Examples(tuple(s for s, _ in ps), tuple(y for _, y in ps)) for ps in (train, test))  # type: ignore[return-value]


def batch(examples: Examples, index: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Padded word ids (n, longest), each sentence's length, and the labels."""
    longest = max(len(s) for s in examples.sentences)
    ids = torch.zeros(len(examples.sentences), longest, dtype=torch.long)
    for i, s in enumerate(examples.sentences):
        ids[i, :len(s)] = torch.tensor([index[w] for w in s])
    lengths = torch.tensor([len(s) for s in examples.sentences])
    return ids, lengths, torch.tensor(examples.labels)


def last_hidden(modules: dict[str, nn.Module], ids: torch.Tensor, lengths: torch.Tensor,
                act: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """h(T) of each padded sentence: the recurrence run over the batch, each row stopped at its length."""
    rnn: Any = modules["rnn"]  # an nn.RNN: torch does not type its weight attributes
    x = modules["embedding"](ids)
    h = torch.zeros(ids.shape[0], rnn.hidden_size, dtype=x.dtype)
    b = rnn.bias_ih_l0 + rnn.bias_hh_l0
    for t in range(ids.shape[1]):
        new = act(h @ rnn.weight_hh_l0.T + x[:, t] @ rnn.weight_ih_l0.T + b)
        h = torch.where((t < lengths)[:, None], new, h)
    return h


def logits_of(modules: dict[str, nn.Module], h: torch.Tensor) -> torch.Tensor:
    return modules["fc2"](torch.relu(modules["fc1"](h)))


def train(modules: dict[str, nn.Module], config: tuple, classes: tuple[str, ...], index: dict[str, int],
          act: Callable[[torch.Tensor], torch.Tensor]) -> None:
    """Train ``modules`` in place on the training sentences, or load what an earlier run trained.

    ``config`` names everything the caller's initial weights depend on (sizes, nonlinearity, seed)."""
    data = resources.files("deepviz.models").joinpath("data/sentiment.tsv").read_text(encoding="utf-8")

    def fit(model: nn.ModuleDict) -> None:
        ids, lengths, labels = batch(load(classes)[0], index)

        def loss_fn() -> torch.Tensor:
            return nn.functional.cross_entropy(logits_of(modules, last_hidden(modules, ids, lengths, act)),
                                               labels, label_smoothing=LABEL_SMOOTHING)

        adam(list(model.parameters()), loss_fn, STEPS, LR)

    key = (MODEL_VERSION, STEPS, LR, HOLD_OUT, LABEL_SMOOTHING, config, data)
    trained("sentiment", key, lambda: nn.ModuleDict(modules), fit)


def evaluate(modules: dict[str, nn.Module], classes: tuple[str, ...], index: dict[str, int],
             act: Callable[[torch.Tensor], torch.Tensor]) -> dict[str, float]:
    """Accuracy on the training and the held-out sentences, and how many there are."""
    train_ex, test_ex = load(classes)
    return {"train_accuracy": accuracy(modules, train_ex, index, act),
            "test_accuracy": accuracy(modules, test_ex, index, act),
            "n_train": len(train_ex.labels), "n_test": len(test_ex.labels), "steps": STEPS}


def accuracy(modules, examples: Examples, index, act) -> float:
    ids, lengths, labels = batch(examples, index)
    with torch.no_grad():
        pred = logits_of(modules, last_hidden(modules, ids, lengths, act)).argmax(1)
    return float((pred == labels).double().mean())
