"""The studio's tiny GPT: a decoder-only language model trained at first use on ``data/tiny_stories.txt``.

Words are tokens (lower-cased; "." ends a sentence and is a token too). The model is GPT-2's shape at
toy size: token + learned position embeddings, :data:`BLOCKS` pre-LayerNorm blocks of causal multi-head
self-attention (through ``F.scaled_dot_product_attention``) and a GELU MLP, each added to the residual
stream, a final LayerNorm and a linear head to the vocabulary. It is trained full-batch with the house
Adam on every window of the training text (seeded; a few seconds on one core) and cached by
:func:`deepviz.models.cached.trained`; the last :data:`HELD_OUT` lines of the text are held out.

>>> gpt = load()
>>> gpt.vocab.index["cat"] > 0, gpt.model.config.blocks
(True, 2)
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

MODEL_VERSION = 1  # bump when the data split, the model or the training changes
HELD_OUT = 8  # the text's last lines: never trained on
STEPS = 100  # held-out loss is lowest near here (2.2 nats); longer runs memorise the text
LR = 0.005
BATCH = 48  # windows a step, drawn at random offsets (a fixed grid of windows lets it learn the positions)
SEED = 0
END = "."  # ends every sentence; the page's context starts with it
_TOKEN = re.compile(r"[a-z']+|\.")


@dataclass(frozen=True)
class Config:
    vocab: int
    context: int = 16  # positions the model sees
    width: int = 32  # d_model
    heads: int = 4  # of width / heads = 8 each
    blocks: int = 2
    mlp: int = 4  # the MLP's hidden width is mlp * width

    @property
    def head_size(self) -> int:
        return self.width // self.heads


class Attention(nn.Module):
    """Causal multi-head self-attention: one linear map to Q, K and V, ``F.scaled_dot_product_attention``
    per head, the heads concatenated and projected back to the width."""

    def __init__(self, c: Config) -> None:
        super().__init__()
        self.heads = c.heads
        self.qkv = nn.Linear(c.width, 3 * c.width)
        self.out = nn.Linear(c.width, c.width)

    def split(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Q, K, V of ``x`` (n, t, width), each (n, heads, t, head size)."""
        n, t, w = x.shape
        q, k, v = self.qkv(x).split(w, dim=-1)
        return tuple(z.view(n, t, self.heads, w // self.heads).transpose(1, 2) for z in (q, k, v))  # type: ignore[return-value]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.split(x)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(x.shape))


class Block(nn.Module):
    def __init__(self, c: Config) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(c.width)
        self.attn = Attention(c)
        self.ln2 = nn.LayerNorm(c.width)
        self.mlp = nn.Sequential(nn.Linear(c.width, c.mlp * c.width), nn.GELU(), nn.Linear(c.mlp * c.width, c.width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """``forward(ids)``: token ids (n, t), t <= context -> next-token logits (n, t, vocab)."""

    def __init__(self, c: Config) -> None:
        super().__init__()
        self.config = c
        self.tok = nn.Embedding(c.vocab, c.width)
        self.pos = nn.Embedding(c.context, c.width)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.blocks))
        self.ln_f = nn.LayerNorm(c.width)
        self.head = nn.Linear(c.width, c.vocab)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


@dataclass(frozen=True)
class Vocab:
    words: tuple[str, ...]  # index -> token

    @property
    def index(self) -> dict[str, int]:
        return _lookup(self.words)

    def ids(self, tokens: list[str]) -> torch.Tensor:
        return torch.tensor([self.index[t] for t in tokens], dtype=torch.long)


@lru_cache(maxsize=4)
def _lookup(words: tuple[str, ...]) -> dict[str, int]:
    return {w: i for i, w in enumerate(words)}


def tokenize(text: str) -> list[str]:
    """``"The cat sat."`` -> ``["the", "cat", "sat", "."]``."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class Text:
    train: list[str]
    test: list[str]
    vocab: Vocab
    digest: str


@lru_cache(maxsize=1)
def text() -> Text:
    """The shipped text as train and held-out token streams and the vocabulary of both (sorted, "." first)."""
    raw = resources.files("deepviz.models").joinpath("data/tiny_stories.txt").read_text(encoding="utf-8")
    lines = [tokenize(line) for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    train = [END] + [t for line in lines[:-HELD_OUT] for t in line]
    test = [END] + [t for line in lines[-HELD_OUT:] for t in line]
    words = sorted({t for line in lines for t in line} - {END})
    return Text(train, test, Vocab((END, *words)), hashlib.sha256(raw.encode()).hexdigest()[:16])


def windows(tokens: list[str], vocab: Vocab, context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (n, context) and their next-token targets from a window at every offset."""
    ids = vocab.ids(tokens)
    starts = range(0, len(ids) - context)
    x = torch.stack([ids[s:s + context] for s in starts])
    y = torch.stack([ids[s + 1:s + context + 1] for s in starts])
    return x, y


def build(vocab_size: int) -> TinyGPT:
    torch.manual_seed(SEED)
    model = TinyGPT(Config(vocab_size))
    for name, p in model.named_parameters():  # GPT-2's initialisation: small normal weights, zero biases
        if p.dim() == 2:
            nn.init.normal_(p, std=0.02 / (math.sqrt(2 * model.config.blocks) if name.endswith(("out.weight", "2.weight")) else 1))
        elif name.endswith("bias"):
            nn.init.zeros_(p)
    return model


def loss_on(model: TinyGPT, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def fit(model: TinyGPT, steps: int = STEPS, after_step: Callable[[int], None] | None = None) -> None:
    """Adam on :data:`BATCH` random training windows a step (seeded); ``after_step(k)`` runs after step k."""
    from .training import adam

    t = text()
    x, y = windows(t.train, t.vocab, model.config.context)
    draw = torch.Generator().manual_seed(SEED)

    def loss_fn() -> torch.Tensor:
        pick = torch.randint(len(x), (BATCH,), generator=draw)
        return loss_on(model, x[pick], y[pick])

    adam(list(model.parameters()), loss_fn, steps, LR, after_step=after_step)


def losses(model: TinyGPT) -> tuple[float, float]:
    """The mean cross-entropy per token (nats) on every window of the training text and of the held-out text."""
    t = text()
    with torch.no_grad():
        train, test = (loss_on(model, *windows(s, t.vocab, model.config.context)).item() for s in (t.train, t.test))
    return train, test


@dataclass(frozen=True)
class Trained:
    model: TinyGPT
    vocab: Vocab
    parameters: int
    train_loss: float  # mean cross-entropy per token, nats
    held_out_loss: float
    trained_now: bool


@lru_cache(maxsize=1)
def load() -> Trained:
    """The trained model (cached on disk, trained now when missing) and its size and losses."""
    from .cached import trained

    t = text()
    key = (MODEL_VERSION, STEPS, LR, BATCH, SEED, HELD_OUT, Config(len(t.vocab.words)), t.digest)
    model, now = trained("tiny_gpt", key, lambda: build(len(t.vocab.words)), fit)
    return Trained(model, t.vocab, sum(p.numel() for p in model.parameters()), *losses(model), now)


def trained_model() -> TinyGPT:
    """The trained model alone: a builder with no arguments, for ``--model deepviz.models.tiny_gpt:trained_model``."""
    return load().model
