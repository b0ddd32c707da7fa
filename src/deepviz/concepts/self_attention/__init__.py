"""Self-attention: queries, keys and values of a sentence, scaled dot products, softmax by rows, and multi-head."""
from dataclasses import replace
from typing import Any, cast

from ...catalog import Concept, Preset, register
from ...params import Bool, Int, ParamError, ParamSet, Str, Words
from ..attention import PARAMS as ATTENTION_PARAMS

MAX_WORDS = 6  # a 6 x 6 score matrix is the largest whose numbers read at 480p
SENTENCE = replace(cast(Words, ATTENTION_PARAMS.get("sentence")), max_words=MAX_WORDS)  # `attention`'s corpus words


def check(values: dict[str, Any]) -> None:
    if values["model"]:
        from ...diagrams.loader import parse_input  # torch loads only when a command needs it

        parse_input(values["input"])
    d, h = values["d_model"], values["heads"]
    if d % h:
        raise ParamError("heads", f"must divide d_model ({d}) so every head has d_model/heads numbers; got {h}")


PARAMS = ParamSet(
    (
        SENTENCE,
        Int("d_model", 4, "size of each word's vector (embedding, query, key, value, output)", min=2, max=8),
        Int("heads", 1, "attention heads, each of size d_model/heads", min=1, max=4),
        Bool("causal", False, "mask the future: word i attends only to words 1..i (the decoder's self-attention)"),
        Bool("positional", True, "add the sinusoidal positional encoding to the embeddings"),
        Int("seed", 0, "seed of the random embeddings and weights (rounded to one decimal)", min=0, max=10_000),
        Str("model", "", "your model instead: path/to/file.py:NAME or module:NAME, a function or class that builds "
            "it; its attention maps, captured in one forward pass", max_length=400, names_files=True),
        Str("input", "1,8:long", "with --model: the example input's shape (random token ids: 1,T:long)",
            max_length=60),
        Str("weights", "", "with --model: a state_dict file loaded into it", max_length=400, names_files=True),
        Int("layer", 0, "with --model: which attention call of its forward (0 = the first)", min=0, max=255),
        Int("head", 0, "with --model: which head of that call", min=0, max=255),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="self-attention",
        title="Self-attention",
        summary="Every word asks every word: Q, K, V, softmax(QKᵀ/√d_k) by rows, the weighted sum of V, and heads.",
        description=(
            "Self-attention, the heart of the transformer, has no recurrence: each word's vector (its embedding "
            "plus its positional encoding) is multiplied by three weight matrices into a query, a key and a "
            "value. The scores QKᵀ/√d_k say how well each query matches each key; softmax turns every row "
            "into weights that sum to 1, and each word's output is the weighted sum of the value rows. A "
            "causal mask sets the scores of later words to −∞ (the decoder cannot see the future). Multi-head "
            "attention runs h heads of size d_model/h side by side, concatenates them and projects them with "
            "W_O back to d_model: the output has the size of the input. Embeddings and weights are random "
            "(seeded); every number is computed by PyTorch and checked against F.scaled_dot_product_attention "
            "and nn.MultiheadAttention."
        ),
        params=PARAMS,
        presets=(
            Preset("single-head", "\u201cI eat apples\u201d, one head of size 4: Q, K, V, scores, softmax, output", {}),
            Preset("multi-head", "two heads of size 3 on \u201cwe drink cold water\u201d, concatenated and "
                   "projected by W_O back to 6", {"sentence": "we drink cold water", "d_model": 6, "heads": 2}),
            Preset("masked", "the decoder's causal mask: \u2212\u221e above the diagonal, each word sees only "
                   "itself and the words before it", {"sentence": "she reads the book", "causal": True}),
            Preset("tiny-gpt", "a model's own attention: the studio's trained tiny GPT, its second block's third head "
                   "on 10 random tokens", {"model": "deepviz.models.tiny_gpt:trained_model", "input": "1,10:long",
                                           "layer": 1, "head": 2}),
        ),
        compute="deepviz.concepts.self_attention.compute:compute",
        scene="deepviz.concepts.self_attention.scene:SelfAttentionScene",
    )
)
