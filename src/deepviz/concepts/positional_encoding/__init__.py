"""Positional encoding: the sinusoidal table, its waves, PE(pos + k) as a rotation of PE(pos), adding it to words."""
from typing import Any

from ...catalog import Concept, Preset, register
from ...params import Bool, Int, ParamError, ParamSet
from ..self_attention import SENTENCE


def check(values: dict[str, Any]) -> None:
    n, d = values["positions"], values["d_model"]
    if d % 2:
        raise ParamError("d_model", f"must be even: the encoding is made of (sin, cos) pairs; got {d}")
    if values["pos"] + values["shift"] >= n:
        raise ParamError("shift", f"pos + shift must be a position of the table (below {n}); "
                                  f"got {values['pos']} + {values['shift']}")
    if values["pair"] >= d // 2:
        raise ParamError("pair", f"d_model = {d} has pairs 0 to {d // 2 - 1}; got {values['pair']}")


PARAMS = ParamSet(
    (
        Int("positions", 32, "rows of the table: positions 0 .. positions - 1", min=8, max=64),
        Int("d_model", 16, "columns of the table: the size of each word's vector (even)", min=4, max=32),
        Int("pos", 5, "the position the video follows", min=0, max=62),
        Int("shift", 3, "the offset k of PE(pos + k) = M_k PE(pos)", min=1, max=63),
        Int("pair", 1, "the (sin, cos) pair whose 2x2 rotation block the video shows", min=0, max=15),
        SENTENCE,
        Int("seed", 0, "seed of the random word embeddings the encoding is added to", min=0, max=10_000),
        Bool("learned", True, "end with the position embeddings the `transformer` concept's tiny model learned "
                              "(trained at first use, then cached)"),
    ),
    cross_check=check,
)

CONCEPT = register(
    Concept(
        name="positional-encoding",
        title="Positional encoding",
        summary="Sines and cosines of growing wavelength give each position a vector; a shift is a rotation.",
        description=(
            "Self-attention sees the words as a set: without help it cannot tell \u201cdog bites man\u201d from "
            "\u201cman bites dog\u201d. The transformer adds to each word's embedding a vector for its position: "
            "PE(pos, 2i) = sin(pos / 10000^(2i/d)) and PE(pos, 2i+1) = cos(pos / 10000^(2i/d)), waves whose "
            "wavelength grows from 2\u03c0 to 10000\u00b72\u03c0 across the columns. Because sin and cos of a sum "
            "expand into sines and cosines, PE(pos + k) is a fixed linear map of PE(pos): one 2x2 rotation per "
            "pair, the same for every pos. Every number is computed by PyTorch and checked against the formula."
        ),
        params=PARAMS,
        presets=(
            Preset("sinusoidal", "a 32 x 16 table, its waves, PE(8) = M_3 PE(5), then added to \u201cthe dog sees "
                   "the cat\u201d", {"sentence": "the dog sees the cat"}),
            Preset("wide", "64 positions x 32 dimensions: the slowest waves barely move; the rotation of pair 4",
                   {"positions": 64, "d_model": 32, "pos": 10, "shift": 20, "pair": 4,
                    "sentence": "she does not read new books"}),
        ),
        compute="deepviz.concepts.positional_encoding.compute:compute",
        scene="deepviz.concepts.positional_encoding.scene:PositionalEncodingScene",
    )
)
