"""The shape of an `rnn` trace's data (docs/traces/rnn.md): no torch, no Manim.

A matrix is a list of rows; time steps are named from 1 (h(1)) and indexed from 0 in lists.
"""
from __future__ import annotations

from typing_extensions import TypedDict


class Training(TypedDict):
    """`data.training`: how the weights were trained at first use."""

    n_train: int  # sentences of models/data/sentiment.tsv (every fifth held out)
    n_test: int
    steps: int  # full-batch Adam steps
    train_accuracy: float  # of the rounded weights shown
    test_accuracy: float
    test_percent: float


class Embedding(TypedDict):
    """`data.embedding`."""

    table: list[list[float]]  # vocab x embed_dim, the whole nn.Embedding weight
    index: list[int]  # each word's row


class Recurrence(TypedDict):
    """`data.rnn`: nn.RNN's weights."""

    W_ih: list[list[float]]  # hidden x embed_dim
    W_hh: list[list[float]]  # hidden x hidden
    b_ih: list[float]
    b_hh: list[float]
    b: list[float]  # b_ih + b_hh


class Step(TypedDict):
    """`data.steps[i]`: time step t = i + 1."""

    t: int
    word: str
    x: list[float]  # the embedding row
    h_prev: list[float]  # h(t-1)
    Whh_h: list[float]  # W_hh h(t-1)
    Wih_x: list[float]  # W_ih x(t)
    b: list[float]
    a: list[float]  # their sum (the pre-activation)
    h: list[float]  # f(a)


class Head(TypedDict):
    """`data.head`: the classifier on h(T)."""

    W1: list[list[float]]
    b1: list[float]
    W2: list[list[float]]
    b2: list[float]
    pre: list[float]  # W1 h(T) + b1
    hidden: list[float]  # relu(pre) (z)
    logits: list[float]
    probs: list[float]  # softmax


class Truncated(TypedDict):
    """`data.backward.truncated`: the gradients with h(T-k) detached."""

    dL_dh: list[list[float]]  # zeros for the steps not reached
    norm: list[float]
    reached: list[bool]  # per step
    dL_dW_hh: list[list[float]]
    dL_dW_hh_norm: float
    difference_norm: float  # norm of full minus truncated dL_dW_hh


class Backward(TypedDict):
    """`data.backward`: backpropagation through time (the loss at the last step only)."""

    dL_dh: list[list[float]]  # T x hidden: the total derivative dL/dh(t), by autograd
    norm: list[float]  # the Euclidean norm of each dL_dh[i] (the video's bars)
    slope: list[list[float]]  # f'(a(t)) per step
    delta: list[list[float]]  # slope * dL_dh = dL/da(t)
    dL_dW_hh: list[list[float]]
    dL_dW_hh_norm: float  # Frobenius
    ratio: float | None  # norm[T-1] / norm[0] (null if that is 0)
    truncate: int  # k (0 = full BPTT)
    truncated: Truncated | None  # null for k = 0


class RNNData(TypedDict):
    """`data`."""

    sentence: str  # as given
    words: list[str]  # lower-cased (T of them, 1 to 10)
    nonlinearity: str  # tanh, relu or linear
    hidden_size: int
    embed_dim: int
    head_size: int  # the head's hidden layer z (3)
    seed: int  # of the initial weights and of training
    training: Training | None  # null with --trained false (the seed's random weights)
    vocab: list[str]  # in table order
    embedding: Embedding
    rnn: Recurrence
    h0: list[float]  # the initial hidden state (zeros)
    steps: list[Step]  # one per word, in order
    head: Head
    classes: list[str]  # ["happy", "sad"]
    target_index: int
    target: list[float]  # one-hot
    loss: float  # -log probs[target_index]
    detailed_words: int  # words whose look-up has its own caption (0: one caption for all)
    detailed_steps: int  # steps with their own caption; the rest share one
    backward: Backward | None  # null unless `--backward true`


DATA = RNNData  # the type of Trace.data (the contract test checks every preset against it)
