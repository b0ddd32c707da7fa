"""The long-memory task: the answer is the first token, read after ``gap`` filler tokens.

A sequence is ``gap + 1`` tokens, each ``A`` or ``B`` at random; the class is the first one. The
``gap`` fillers after it are the same two tokens, noise the reader must ignore: it cannot simply
give filler tokens no weight, it has to stop listening after the first step. A recurrent reader
(nn.RNN, nn.GRU or nn.LSTM, one-hot inputs, a linear head on the last hidden state) must say which
token came first. One reader is trained per cell and gap, full-batch Adam on :data:`N_TRAIN`
sequences, seeded and cached with :func:`deepviz.models.cached.trained`; accuracy is measured on
:data:`N_TEST` other sequences.

The gated cells start with their keeping gate's bias raised by :data:`KEEP_BIAS` (the LSTM's
forget gate, the GRU's update gate), as LSTMs are usually initialised (a forget gate open at the start).

>>> ids, labels = sequences(2, gap=3, seed=0)
>>> ids.shape, labels.shape
(torch.Size([2, 4]), torch.Size([2]))
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from . import cached
from .training import adam

MODEL_VERSION = 1  # bump when the task, the architecture or the training changes
TOKENS = ("A", "B")  # the class is the first token; the fillers are drawn from the same two
GAPS = (2, 5, 10, 20, 40)
CELLS = ("rnn", "gru", "lstm")
N_TRAIN, N_TEST = 64, 500
STEPS, LR = 150, 0.03
KEEP_BIAS = 2.0
MODULES = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


def sequences(n: int, gap: int, seed: int, test: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` token-id sequences of length ``gap + 1`` and their classes (training or test set)."""
    g = torch.Generator().manual_seed(seed * 100_003 + gap * 2 + int(test))
    labels = torch.randint(0, len(TOKENS), (n,), generator=g)
    fillers = torch.randint(0, len(TOKENS), (n, gap), generator=g)
    return torch.cat([labels[:, None], fillers], 1), labels


def one_hot(ids: torch.Tensor) -> torch.Tensor:
    return F.one_hot(ids, len(TOKENS)).float()


def add_keep_bias(rnn: Any, value: float) -> None:
    """Raise the bias of an LSTM's forget gate or a GRU's update gate: both are block 1 of bias_ih_l0."""
    b = rnn.bias_ih_l0
    hid = rnn.hidden_size
    with torch.no_grad():
        b[hid:2 * hid] += value


class Reader(nn.Module):
    """One recurrent layer over one-hot tokens, a linear head on the last hidden state."""

    def __init__(self, cell: str, hidden: int):
        super().__init__()
        self.cell = cell
        self.rnn = MODULES[cell](len(TOKENS), hidden, batch_first=True)
        self.head = nn.Linear(hidden, len(TOKENS))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(one_hot(ids))
        return self.head(out[:, -1])

    def hidden_states(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """h(1) .. h(T) (each 1 x batch x hidden, as the module returns it), one step of the module at a
        time: each is the very tensor the next step reads, so dL/dh(t) is its total derivative."""
        x, state, hs = one_hot(ids), None, []
        for t in range(ids.shape[1]):
            _, state = self.rnn(x[:, t:t + 1], state)
            hs.append(state[0] if self.cell == "lstm" else state)
        return hs


def initial(cell: str, hidden: int, seed: int) -> Reader:
    """The reader before training: torch's initialisation from ``seed``, the keeping gate's bias raised."""
    torch.manual_seed(seed)
    model = Reader(cell, hidden)
    if cell != "rnn":
        add_keep_bias(model.rnn, KEEP_BIAS)
    return model


def trained(cell: str, gap: int, hidden: int, seed: int) -> Reader:
    """The reader trained on gap ``gap`` (cached)."""
    ids, labels = sequences(N_TRAIN, gap, seed)

    def fit(model: Reader) -> None:
        adam(list(model.parameters()), lambda: F.cross_entropy(model(ids), labels), STEPS, LR)

    key = (MODEL_VERSION, cell, gap, hidden, seed, N_TRAIN, STEPS, LR, KEEP_BIAS)
    model, _ = cached.trained("long-memory", key, lambda: initial(cell, hidden, seed), fit)
    return model


def accuracy(model: Reader, gap: int, seed: int) -> float:
    """The fraction of the test sequences of ``gap`` whose first token the reader names."""
    ids, labels = sequences(N_TEST, gap, seed, test=True)
    with torch.no_grad():
        return float((model(ids).argmax(1) == labels).float().mean())
