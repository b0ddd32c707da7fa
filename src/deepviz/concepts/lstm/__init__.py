"""Gated recurrent cells: an LSTM (or a GRU) reading a sentence, gate by gate."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Float, Int, ParamSet
from ..rnn.vocab import SENTENCE

CELLS = ("lstm", "gru")

PARAMS = ParamSet(
    (
        SENTENCE,
        Choice("cell", "lstm", "the gated cell: lstm (forget, input, output gates and a cell state) or gru "
                               "(reset and update gates)", choices=CELLS),
        Int("hidden", 2, "size of the hidden state h (and of the LSTM's cell state c)", min=1, max=4),
        Int("embed_dim", 2, "size of each word's embedding vector x", min=1, max=3),
        Int("seed", 3, "seed of the random weights (rounded to one decimal)", min=0, max=2**31 - 1),
        Float("keep_bias", 0.0, "added to the bias of the gate that keeps the memory (LSTM forget gate f, "
                                "GRU update gate z): large values keep the state across steps", min=-5.0, max=5.0),
        # at most 2: a third detailed step would take a ten-word sentence's video past its length
        Int("detailed", 2, "the first steps shown number by number, each with two captions; the rest run fast "
                           "under one", min=1, max=2),
    ),
)

CONCEPT = register(
    Concept(
        name="lstm",
        title="LSTM and GRU: gates and the cell state",
        summary="An LSTM (or GRU) reads a sentence: forget, input and output gates, the cell state as a highway.",
        description=(
            "A long short-term memory cell reads a sentence one word at a time. From the word's embedding "
            "x(t) and the previous hidden state h(t-1) it computes four blocks, stacked in one weight matrix "
            "as PyTorch stores them: the input gate i, the forget gate f, the candidate g and the output gate "
            "o. The cell state runs along the top like a highway: c(t) = f * c(t-1) + i * g, and the hidden "
            "state is h(t) = o * tanh(c(t)). With --cell gru, the reset gate r and the update gate z mix the "
            "old hidden state with a new one. Every number is computed by PyTorch and checked against "
            "nn.LSTM and nn.GRU with the same weights."
        ),
        params=PARAMS,
        presets=(
            Preset("sentence", "an LSTM reads \"I feel thankful\": gates, cell state and hidden state at each step",
                   {}),
            Preset("gru", "the same sentence through a GRU: reset and update gates", {"cell": "gru"}),
            Preset("keep", "a forget gate near 1 keeps the cell state across a six-word sentence",
                   {"sentence": "today i feel very tired again", "keep_bias": 4.0, "seed": 124, "detailed": 1}),
        ),
        compute="deepviz.concepts.lstm.compute:compute",
        scene="deepviz.concepts.lstm.scene:GatedScene",
    )
)
