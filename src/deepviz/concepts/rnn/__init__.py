"""Recurrent network: the forward pass of an RNN over a sentence, and back-propagation through time."""
from typing import Any

from ...catalog import Concept, Preset, register
from ...params import Bool, Choice, Int, ParamError, ParamSet
from .vocab import MAX_WORDS, SENTENCE, tokenize

CLASSES = ("happy", "sad")


def check(values: dict[str, Any]) -> None:
    k, n = values["truncate"], len(tokenize(values["sentence"]))
    if k and not values["backward"]:
        raise ParamError("truncate", "truncated BPTT is part of the backward pass; add --backward true")
    if k and k >= n:
        raise ParamError("truncate", f"must be less than the number of words ({n}), or 0 for full BPTT; got {k}")


PARAMS = ParamSet(
    (
        SENTENCE,
        Choice("target", "happy", "the sentence's true class (the target of the loss)", choices=CLASSES),
        Int("hidden", 3, "size of the hidden state h", min=2, max=4),
        Int("embed_dim", 2, "size of each word's embedding vector x", min=2, max=3),
        Choice("nonlinearity", "tanh", "the activation of the recurrence (linear: none)",
               choices=("tanh", "relu", "linear")),
        Int("seed", 50, "seed of the initial weights and of training (weights rounded to one decimal)",
            min=0, max=2**31 - 1),
        Bool("trained", True, "train the network on deepviz's labelled sentences first (false: the seed's "
                              "random weights, and the video says the prediction means nothing yet)"),
        Bool("backward", False, "also run back-propagation through time and show dL/dh(t) along the steps"),
        Int("truncate", 0, "truncated BPTT: let the gradient flow only this many steps back (0 = full)",
            min=0, max=MAX_WORDS - 1),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="rnn",
        title="Recurrent neural network",
        summary="An RNN reads a sentence word by word: embeddings, the recurrence, the loss, and BPTT.",
        description=(
            "A recurrent network reads a sentence one word at a time. Each word is looked up in an "
            "embedding table and becomes a vector x(t); the hidden state is updated as "
            "h(t) = tanh(W_hh h(t-1) + W_ih x(t) + b), with the same weights at every step. The last "
            "hidden state goes through a small MLP head to two logits (happy, sad); softmax turns them "
            "into probabilities and the cross-entropy loss compares them with the target. Back-propagation "
            "through time sends the loss's gradient back along the unrolled steps, where it shrinks; "
            "truncated BPTT lets it flow only k steps back. The network is trained at first use on a few "
            "hundred labelled sentences shipped with deepviz. Every number is computed by PyTorch and "
            "checked against nn.Embedding, nn.RNN, nn.Linear and autograd."
        ),
        params=PARAMS,
        presets=(
            Preset("sentiment", "\"I feel thankful\", target happy: embeddings, three steps, head and loss", {}),
            Preset("bptt", "a 7-word sentence, then the gradient back through time, full and truncated to 3 steps",
                   {"sentence": "today i feel sad and very tired", "target": "sad", "hidden": 2, "seed": 6,
                    "backward": True, "truncate": 3}),
        ),
        compute="deepviz.concepts.rnn.compute:compute",
        scene="deepviz.concepts.rnn.scene:RNNScene",
    )
)
