"""Attention in an encoder-decoder: how a decoder attends to the encoder's states while translating."""
from ...catalog import Concept, Preset, register
from ...params import Choice, Int, ParamSet, Words


def _corpus_words():
    from ...models.en_es import load  # the corpus loads only when a value is checked

    return load().source.words


PARAMS = ParamSet(
    (
        Words("sentence", "I eat apples", "an English sentence over the corpus's 48 words (listed in "
              "docs/traces/attention.md)", max_length=120, vocabulary=_corpus_words, max_words=8),
        Choice("attention", "additive", "how the decoder scores each encoder state", choices=("additive", "dot")),
        Int("hidden", 16, "size of the GRU states (the model is trained for it at first use, then cached)",
            min=16, max=32),
        Int("dims", 4, "how many dimensions of each state the video shows", min=2, max=6),
        Int("steps", 0, "decoding steps; 0 = until the end-of-sentence token (at most 10)", min=0, max=10),
        Int("seed", 0, "seed of the model's training", min=0, max=10_000),
    ),
)

CONCEPT = register(
    Concept(
        name="attention",
        title="Attention in an encoder-decoder",
        summary="A GRU translator's decoder scores the encoder states, mixes them by softmax weights, emits a word.",
        description=(
            "A tiny GRU encoder-decoder with attention, trained by deepviz on its own English->Spanish corpus "
            "at first use (seconds on a CPU, seeded, cached), translates your sentence. The encoder builds one "
            "state per word; at each decoder step the previous decoder state scores every encoder state "
            "(additive or dot-product attention), softmax turns the scores into weights, the context vector "
            "is the weighted sum of the states, and the decoder emits the most likely word, which it reads "
            "back at the next step. The attention matrix shows which source word each target word looked at."
        ),
        params=PARAMS,
        presets=(
            Preset("i-eat-apples", "I eat apples -> como manzanas, additive attention", {}),
            Preset("word-order", "she does not read new books -> no lee libros nuevos: the adjective moves after the "
                   "noun, and attention crosses (dot-product attention, the model of seed 1)",
                   {"sentence": "she does not read new books", "attention": "dot", "seed": 1}),
        ),
        compute="deepviz.concepts.attention.compute:compute",
        scene="deepviz.concepts.attention.scene:AttentionScene",
    )
)
