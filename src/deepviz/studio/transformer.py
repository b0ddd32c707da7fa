"""The transformer page's engine: one forward pass of the tiny GPT (:mod:`deepviz.models.tiny_gpt`), every part.

For the typed text (after the start token ".") it returns the token and position embeddings and their sum;
per block the first LayerNorm, each head's Q, K, V and its attention in four stages (QKᵀ, scaled by
1/√d, the causal mask, the softmax by rows) and output, the heads' projection, both residual sums, the
second LayerNorm, the MLP's hidden and output; and the last position's logits over the vocabulary. The
page applies temperature, top-k and top-p to those logits itself, so moving them costs no request.
Heads named in ``ablate`` are zeroed (their output, before the projection) to show what each one does.

Every number is torch's, computed with the model's own modules in the order its forward runs them; the
tests check the logits against ``model(ids)`` and the weights against an independent softmax(QKᵀ/√d + mask).

>>> out = forward(Request(text="the cat sat on the"))
>>> out["tokens"][:3], len(out["blocks"]), len(out["blocks"][0]["heads"])
(['.', 'the', 'cat'], 2, 4)
"""
from __future__ import annotations

import difflib
import math
import re
import threading
from typing import Any, Sequence, cast

import torch
from pydantic import BaseModel, ConfigDict, Field

from ..models import tiny_gpt
from ..params import quote

MAX_TEXT = 400  # characters
_ALLOWED = re.compile(r"[A-Za-z'.\s]")
DIGITS = 4  # significant digits of the numbers sent (the page shows at most 3)
_LOCK = threading.Lock()  # one pass at a time, on one torch thread (600 ms on a busy pool, 1.5 ms on one)


class Refused(Exception):
    """A request that cannot be answered, with the field it names."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=MAX_TEXT, description="words of the model's vocabulary")
    ablate: list[tuple[int, int]] = Field(default=[], max_length=64, description="(block, head) pairs zeroed")


def tokens_of(text: str) -> list[str]:
    """The context the model reads: "." (the start of a sentence) and the text's tokens, or :class:`Refused`
    naming ``text`` (an unknown word with the closest known ones, a character the model has no token for,
    more tokens than the model's context)."""
    gpt = tiny_gpt.load()
    odd = _ALLOWED.sub("", text)
    if odd:
        raise Refused("text", f"the model reads words and '.'; {quote(odd[0])} is not one of them")
    tokens = [tiny_gpt.END, *tiny_gpt.tokenize(text)]
    known = gpt.vocab.index
    for t in tokens:
        if t not in known:
            close = difflib.get_close_matches(t, [w for w in gpt.vocab.words if w != tiny_gpt.END], n=3, cutoff=0.0)
            raise Refused("text", f"unknown word {quote(t)} (the model knows {len(known) - 1} words); did you mean "
                                  f"{', '.join(close)}?")
    limit = gpt.model.config.context
    if len(tokens) > limit:
        raise Refused("text", f"{len(tokens) - 1} tokens; the model reads at most {limit - 1} after its start token")
    return tokens


def request_from(data: bytes | str | dict) -> Request:
    """A validated request, or :class:`Refused` naming the field (block and head numbers are checked here)."""
    from pydantic import ValidationError

    try:
        req = Request.model_validate_json(data) if isinstance(data, (str, bytes)) else Request.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        if first["type"] == "json_invalid":
            raise Refused("body", "not valid JSON") from None
        raise Refused(str(first["loc"][0]) if first["loc"] else "body", first["msg"]) from None
    c = tiny_gpt.load().model.config
    for b, h in req.ablate:
        if not (0 <= b < c.blocks and 0 <= h < c.heads):
            raise Refused("ablate", f"({b}, {h}) is not a head: blocks 0..{c.blocks - 1}, heads 0..{c.heads - 1}")
    tokens_of(req.text)
    return req


def _json(value) -> Any:
    """Tensors inside dicts and lists as nested lists of DIGITS significant digits; -inf (the mask) as null."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, torch.Tensor):
        return _rounded(value.tolist())
    return value


def _rounded(v):
    if isinstance(v, list):
        return [_rounded(x) for x in v]
    return None if math.isinf(v) else float(f"{v:.{DIGITS}g}")


def causal_mask(t: int) -> torch.Tensor:
    """(t, t): True where query i may look at key j (j <= i)."""
    return torch.ones(t, t, dtype=torch.bool).tril()


def _attention(block: tiny_gpt.Block, x: torch.Tensor, ablated: set[int]) -> tuple[torch.Tensor, list[dict]]:
    """``block.attn`` on ``block.ln1(x)`` step by step: its output (t, width) and each head's stages."""
    q, k, v = (z[0] for z in block.attn.split(block.ln1(x[None])))  # (heads, t, d)
    scores = q @ k.transpose(-1, -2)
    scaled = scores / math.sqrt(q.shape[-1])
    masked = scaled.masked_fill(~causal_mask(x.shape[0]), float("-inf"))
    weights = masked.softmax(-1)
    out = weights @ v
    for head in ablated:
        out[head] = 0
    y = block.attn.out(out.transpose(0, 1).reshape(x.shape))
    return y, [{"q": q[i], "k": k[i], "v": v[i], "scores": scores[i], "scaled": scaled[i], "masked": masked[i],
                "weights": weights[i], "out": out[i], "ablated": i in ablated} for i in range(q.shape[0])]


def compute(tokens: list[str], ablate: Sequence[tuple[int, int]] = (), model: tiny_gpt.TinyGPT | None = None) -> dict:
    """The whole pass over ``tokens`` (see the module's docstring) as tensors, through the trained model or
    ``model`` (e.g. a snapshot of a live training run)."""
    gpt = tiny_gpt.load()
    m = model or gpt.model
    ids = gpt.vocab.ids(tokens)
    with torch.no_grad():
        tok, pos = m.tok(ids), m.pos(torch.arange(len(ids)))
        x = tok + pos
        blocks = []
        for b, block in enumerate(cast("list[tiny_gpt.Block]", list(m.blocks))):
            attn, heads = _attention(block, x, {h for bb, h in ablate if bb == b})
            mid = x + attn
            ln2 = block.ln2(mid)
            hidden = block.mlp[1](block.mlp[0](ln2))
            mlp = block.mlp[2](hidden)
            blocks.append({"input": x, "ln1": block.ln1(x), "heads": heads, "attn": attn, "residual1": mid,
                           "ln2": ln2, "hidden": hidden, "mlp": mlp, "residual2": mid + mlp})
            x = mid + mlp
        final = m.ln_f(x)
        logits = m.head(final[-1])
    return {"tokens": tokens, "ids": ids.tolist(), "tok": tok, "pos": pos, "embedding": tok + pos,
            "blocks": blocks, "final": final, "logits": logits}


def forward(req: Request) -> dict:
    """:func:`compute` for the request's text, as JSON-able lists."""
    from ..threads import one_thread

    tokens = tokens_of(req.text)
    with _LOCK, one_thread():
        return _json(compute(tokens, req.ablate))


def model_info() -> dict:
    """What the page says about the model (``GET /api/transformer/model``): the vocabulary, sizes and losses."""
    gpt = tiny_gpt.load()
    c = gpt.model.config
    return {"vocab": list(gpt.vocab.words), "context": c.context, "width": c.width, "heads": c.heads,
            "head_size": c.head_size, "blocks": c.blocks, "mlp": c.mlp * c.width, "parameters": gpt.parameters,
            "train_loss": gpt.train_loss, "held_out_loss": gpt.held_out_loss}
