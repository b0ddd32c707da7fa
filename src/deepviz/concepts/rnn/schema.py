"""The shape of a `rnn` trace's data (docs/traces/rnn.md): no torch, no Manim."""
from __future__ import annotations

from typing_extensions import TypedDict


class Embedding(TypedDict):
    """`data.embedding`."""

    table: list[list[float]]  # vocab x embed_dim, the whole nn.Embedding weight
    index: list[int]  # each word's row


class Rnn(TypedDict):
    """`data.rnn`."""

    W_ih: list[list[float]]  # hidden x embed_dim
    W_hh: list[list[float]]  # hidden x hidden
    b_ih: list[float]
    b_hh: list[float]  # nn.RNN's two biases
    b: list[float]  # = `b_ih + b_hh`


class Step(TypedDict):
    """`data.steps[k]`."""

    t: int
    word: str
    x: list[float]  # the embedding row
    h_prev: list[float]  # = h(t-1),
    Whh_h: list[float]  # = `W_hh h(t-1)`
    Wih_x: list[float]  # = `W_ih x(t)`
    b: list[float]  # = `b_ih + b_hh`
    a: list[float]  # = their sum (the pre-activation),
    h: list[float]


class Head(TypedDict):
    """`data.head`."""

    W1: list[list[float]]
    b1: list[float]
    W2: list[list[float]]
    b2: list[float]
    pre: list[float]  # = `W1 h(T) + b1`
    hidden: list[float]  # = `relu(pre)`
    logits: list[float]
    probs: list[float]  # = softmax


class Truncated(TypedDict):
    """`data.backward.truncated`."""

    dL_dh: list[list[float]]  # T x hidden: the total derivative dL/dh(t) for every step (through all later steps)
    norm: list[float]  # the Euclidean norm of each `dL_dh[i]` (the bars of the video)
    reached: list[bool]  # one boolean per step
    dL_dW_hh: list[list[float]]
    dL_dW_hh_norm: float
    difference_norm: float  # = norm of full minus truncated


class Backward(TypedDict):
    """`data.backward`."""

    dL_dh: list[list[float]]  # T x hidden: the total derivative dL/dh(t) for every step (through all later steps)
    norm: list[float]  # the Euclidean norm of each `dL_dh[i]` (the bars of the video)
    slope: list[list[float]]  # f'(a(t)) per step: `1 - h^2` (tanh), 0/1 (relu), 1 (linear)
    delta: list[list[float]]  # `slope * dL_dh` = dL/da(t); `dL_dh[i-1] = W_hh^T delta[i]`
    dL_dW_hh: list[list[float]]
    dL_dW_hh_norm: float
    ratio: float  # `norm[T-1] / norm[0]`: how many times smaller the gradient is at h(1)
    truncate: int  # k (0 = full BPTT)
    truncated: Truncated  # `null`, or for k > 0 the same gradients with h(T-k) detached


class RNNData(TypedDict):
    """`data`."""

    sentence: str  # the sentence as given
    words: list[str]  # its words, lower-cased (T of them, 1 to 10)
    nonlinearity: str  # `tanh`, `relu` or `linear`
    hidden_size: int
    embed_dim: int
    head_size: int
    vocab: list[str]  # the vocabulary, in table order
    embedding: Embedding  # `table` (vocab x embed_dim, the whole nn.Embedding weight), `index` (each word's row)
    rnn: Rnn  # `W_ih` (hidden x embed_dim), `W_hh` (hidden x hidden), `b_ih`, `b_hh`
    h0: list[float]  # the initial hidden state (zeros)
    steps: list[Step]  # one entry per word, in order (below)
    head: Head  # `W1`, `b1`, `W2`, `b2`; `pre` = `W1 h(T) + b1`; `hidden` = `relu(pre)` (z); `logits`
    classes: list[str]  # `["happy", "sad"]`; `target_index` and `target` (one-hot) give the true class
    target_index: int
    target: list[float]  # one-hot
    loss: float  # the cross-entropy `-log probs[target_index]`
    detailed_words: int  # words whose look-up has its own caption (`embed_1`, ...); 0: one `embed` caption for all
    detailed_steps: int  # steps with their own caption (`step_1`, ...); the rest share `steps_rest`
    backward: Backward | None  # `null`, or with `--backward true` the gradients (below)


DATA = RNNData  # the type of Trace.data (the contract test checks every preset against it)

