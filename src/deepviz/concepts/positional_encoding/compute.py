"""The sinusoidal positional encoding with torch: params -> Trace.

The table (``deepviz.models.positional``), a few of its columns as waves over continuous positions,
the shift PE(pos + k) = M_k PE(pos) with M_k block-diagonal (one 2x2 rotation by w_i k per pair, the
same for every pos; checked over the whole table), and the encoding added to a sentence's embeddings
(the `self-attention` concept's random table, so the two videos show the same X).
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ...models.en_es import Corpus, load
from ...models.positional import frequencies, sinusoidal
from ...style.numbers import fmt_num, fmt_sig
from ...trace import Trace, to_plain
from ..self_attention import SENTENCE
from ..self_attention.compute import weights
from .schema import PositionalEncodingData

WAVES = 4  # columns drawn as waves
SAMPLES_PER_POSITION = 8  # points of each wave between two positions


def shift_map(d: int, k: int) -> torch.Tensor:
    """M_k (d x d): PE(pos + k) = M_k PE(pos) as column vectors; pair i's block is [[cos, sin], [-sin, cos]](w_i k)."""
    m = torch.zeros(d, d)
    angles = frequencies(d) * k
    c, s = torch.cos(angles), torch.sin(angles)
    i = torch.arange(d // 2)
    m[2 * i, 2 * i], m[2 * i, 2 * i + 1] = c, s
    m[2 * i + 1, 2 * i], m[2 * i + 1, 2 * i + 1] = -s, c
    return m


def wave_pairs(d: int) -> list[int]:
    """Pairs i = 0, d/16, 2d/16, ...: wavelengths 2*pi times 1, 3.16, 10, 31.6 whatever d is (at most WAVES)."""
    step = max(1, d // 16)
    return sorted({min(j * step, d // 2 - 1) for j in range(WAVES)})


@torch.no_grad()
def compute(values: dict[str, Any], preset: str | None = None) -> Trace:
    n, d, pos, k, i = values["positions"], values["d_model"], values["pos"], values["shift"], values["pair"]
    pe = sinusoidal(n, d)
    w = frequencies(d)
    m = shift_map(d, k)
    shifted = pe[:-k] @ m.T  # every pos at once: row p is M_k PE(p)
    xs = torch.arange((n - 1) * SAMPLES_PER_POSITION + 1) / SAMPLES_PER_POSITION
    waves = [{"pair": j, "column": 2 * j, "wavelength": 2 * math.pi / w[j],
              "curve": torch.stack([xs, torch.sin(xs * w[j])], 1)} for j in wave_pairs(d)]
    words = SENTENCE.words(values["sentence"])
    corpus = load()
    table = weights(len(corpus.source), d, values["seed"])["table"]
    emb = table[torch.tensor([corpus.source.index(x) for x in words])]
    block = m[2 * i:2 * i + 2, 2 * i:2 * i + 2]
    data: PositionalEncodingData = to_plain({
        "learned": learned(corpus) if values["learned"] else None,
        "positions": n, "d_model": d, "pos": pos, "shift": k, "pair": i,
        "encoding": pe, "frequencies": w, "waves": waves,
        "rotation": {
            "angle": w[i] * k, "block": block, "before": pe[pos, 2 * i:2 * i + 2],
            "after": block @ pe[pos, 2 * i:2 * i + 2], "target": pe[pos + k, 2 * i:2 * i + 2],
            "map": m, "max_error": (shifted - pe[k:]).abs().max(),
        },
        "sentence": {"words": words, "embeddings": emb, "encoding": pe[:len(words)], "x": emb + pe[:len(words)]},
    })
    return Trace(concept="positional-encoding", params={}, data=data, narration=narration(data), preset=preset)


def cosine_similarities(table: torch.Tensor) -> torch.Tensor:
    """cos(P_p, P_q) for every pair of rows."""
    unit = table / table.norm(dim=1, keepdim=True)
    return unit @ unit.T


def learned(corpus: Corpus) -> dict[str, Any]:
    """The tiny transformer's learned source positions (those its training sentences reach) against the
    sinusoidal table of the same size: each as cosine similarities between positions."""
    from ...models.transformer import load_model  # trains it at first use

    model, _ = load_model(corpus=corpus)
    n = max(len(en) for en, _ in corpus.pairs)
    table = model.src_pos.weight[:n]
    sim_l, sim_s = cosine_similarities(table), cosine_similarities(sinusoidal(n, table.shape[1]))
    near = torch.ones(n, n).triu(1).tril(1).bool()  # p, p + 1
    far = torch.ones(n, n).triu(3).bool()  # three or more apart
    return {"positions": n, "d_model": table.shape[1], "table": table, "sinusoidal": sim_s, "learned": sim_l,
            "neighbours": [sim_s[near].mean(), sim_l[near].mean()], "far": [sim_s[far].mean(), sim_l[far].mean()]}


def narration(t: PositionalEncodingData) -> dict[str, str]:
    n, d, pos, k, i = t["positions"], t["d_model"], t["pos"], t["shift"], t["pair"]
    r = t["rotation"]
    waves = t["waves"]
    words = t["sentence"]["words"]
    out = {
        "intro": "Attention sees the words as a set, blind to their order; the transformer adds to each word a "
                 "vector that encodes its position.",
        "table": f"The sinusoidal encoding: {n} positions x {d} numbers; column 2i is sin(pos\u00b7w\u1d62), column "
                 f"2i+1 cos(pos\u00b7w\u1d62), w\u1d62 = 10000^(\u22122i/{d}). Row {pos} is framed.",
        "waves": f"Each column is a wave whose wavelength grows column by column: "
                 f"{fmt_num(waves[0]['wavelength'], 1)} positions in column {waves[0]['column']}, "
                 f"{fmt_sig(waves[-1]['wavelength'], 3)} in column {waves[-1]['column']}. "
                 "Fast columns tell neighbours apart, slow ones far positions.",
        "rotation": f"Shifting by k = {k} positions rotates every (sin, cos) pair by w\u1d62k: for pair {i}, "
                    f"by {fmt_num(r['angle'])} radians. The 2x2 block times PE({pos}) gives PE({pos + k}).",
        "check": f"One fixed matrix M_{k} of these blocks maps PE(pos) to PE(pos + {k}) for every pos, within "
                 f"{fmt_sig(r['max_error'], 2)} over the table: attention can learn to look a fixed distance back.",
        "add": f"The encoding is added to the {{color:input}} embeddings of \u201c{' '.join(words)}\u201d"
               + (": the same word at two places gets two different vectors." if len(set(words)) < len(words)
                  else ": the same word at another place would get another vector."),
    }
    lt = t["learned"]
    if lt is not None:
        out["learned"] = (f"Learned instead: the \u201ctransformer\u201d video's tiny model trained a "
                          f"{lt['positions']} x {lt['d_model']} table of position vectors. Cosine similarity "
                          f"of neighbouring positions: {fmt_num(lt['neighbours'][0])} sinusoidal, "
                          f"{fmt_num(lt['neighbours'][1])} learned; three or more apart: {fmt_num(lt['far'][0])} "
                          f"and {fmt_num(lt['far'][1])}. Its positions are separate labels, not a smooth code, with "
                          "none past its longest training sentence.")
    return out
