"""The transformer: an encoder layer, the decoder's masked self-attention and its cross-attention, translating."""
from dataclasses import replace

from ...catalog import Concept, Preset, register
from ...params import Int, ParamSet
from ..self_attention import SENTENCE as SELF_ATTENTION_SENTENCE

MAX_WORDS = 5  # two 5 x 16 matrices, one above the other, with a row of numbers that reads at 480p
SENTENCE = replace(SELF_ATTENTION_SENTENCE, max_words=MAX_WORDS)

PARAMS = ParamSet(
    (
        SENTENCE,
        Int("seed", 0, "seed of the tiny transformer's training (trained at first use, then cached)", min=0, max=10_000),
    ),
)

CONCEPT = register(
    Concept(
        name="transformer",
        title="The transformer",
        summary="An encoder layer (attention, add & norm, feed-forward, add & norm), the decoder's mask and "
                "its cross-attention, translating.",
        description=(
            "A tiny encoder-decoder transformer (one encoder layer, one decoder layer, d_model 16, two heads), "
            "trained by deepviz at first use on its English->Spanish corpus (seconds on a CPU, seeded, cached), "
            "translates your sentence. The encoder layer runs multi-head self-attention, adds its input back "
            "(the residual connection) and normalises each row (LayerNorm), then a feed-forward network on each "
            "word with the same add & norm. The decoder's self-attention is masked: \u2212\u221e above the "
            "diagonal, so a word sees only the words before it. Its cross-attention lets each target position "
            "look at the encoder's outputs, as the GRU's attention does. Every number comes from PyTorch; the "
            "encoder layer is checked against nn.TransformerEncoderLayer."
        ),
        params=PARAMS,
        presets=(
            Preset("i-eat-apples", "I eat apples -> como manzanas: encoder layer, mask, cross-attention beside the "
                   "GRU's", {}),
            Preset("word-order", "she reads new books -> lee libros nuevos: the adjective moves after the noun",
                   {"sentence": "she reads new books"}),
        ),
        compute="deepviz.concepts.transformer.compute:compute",
        scene="deepviz.concepts.transformer.scene:TransformerScene",
    )
)
