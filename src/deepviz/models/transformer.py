"""A tiny encoder-decoder transformer, trained at first use on the shipped EN->ES corpus.

Word embeddings plus LEARNED positional embeddings (one row per position, as BERT and GPT do; the
`positional-encoding` concept sets them against the sinusoidal table), one ``nn.TransformerEncoderLayer``
and one ``nn.TransformerDecoderLayer`` (post-norm, ReLU, no dropout), and a linear layer to the Spanish
words. Training: full-batch Adam with teacher forcing on all 444 pairs, seeded, one thread, cached
through ``deepviz.models.cached`` under a key of the corpus, the configuration and MODEL_VERSION.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..threads import one_thread
from .cached import trained
from .en_es import EOS, PAD, SOS, Corpus, load
from .seq2seq import _batch
from .training import adam

MODEL_VERSION = 1  # bump when the architecture or training changes: old caches are ignored
MAX_LEN = 12  # positions: 8 source words at most; the target's <s> + words


@dataclass(frozen=True)
class Config:
    d_model: int = 16
    heads: int = 2
    ff: int = 32
    seed: int = 0
    steps: int = 60  # every pair of the corpus translated exactly (a test checks it); ~7 s on one busy core
    lr: float = 0.04


class TinyTransformer(nn.Module):
    def __init__(self, n_source: int, n_target: int, cfg: Config):
        super().__init__()
        d = cfg.d_model
        self.cfg = cfg
        self.src_embed = nn.Embedding(n_source, d, padding_idx=0)
        self.tgt_embed = nn.Embedding(n_target, d, padding_idx=0)
        self.src_pos = nn.Embedding(MAX_LEN, d)
        self.tgt_pos = nn.Embedding(MAX_LEN, d)
        self.encoder = nn.TransformerEncoderLayer(d, cfg.heads, cfg.ff, dropout=0.0, batch_first=True)
        self.decoder = nn.TransformerDecoderLayer(d, cfg.heads, cfg.ff, dropout=0.0, batch_first=True)
        self.out = nn.Linear(d, n_target)

    def embed_source(self, src: torch.Tensor) -> torch.Tensor:
        return self.src_embed(src) + self.src_pos(torch.arange(src.shape[1]))

    def embed_target(self, tgt: torch.Tensor) -> torch.Tensor:
        return self.tgt_embed(tgt) + self.tgt_pos(torch.arange(tgt.shape[1]))

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Logits (batch, target length, words) for each next word, teacher forced."""
        src_pad, tgt_pad = src == 0, tgt_in == 0
        memory = self.encoder(self.embed_source(src), src_key_padding_mask=src_pad)
        causal = torch.ones(tgt_in.shape[1], tgt_in.shape[1], dtype=torch.bool).triu(1)  # True: may not look
        h = self.decoder(self.embed_target(tgt_in), memory, tgt_mask=causal, tgt_key_padding_mask=tgt_pad,
                         memory_key_padding_mask=src_pad, tgt_is_causal=True)
        return self.out(h)


def _fit(model: TinyTransformer, corpus: Corpus) -> None:
    src, tgt, _ = _batch(corpus)  # tgt: words then </s>, padded
    sos = torch.full((tgt.shape[0], 1), corpus.target.index(SOS))
    shifted = torch.cat([sos, tgt[:, :-1]], 1)  # the decoder reads <s> and the words, never </s>
    tgt_in = shifted.masked_fill(shifted == corpus.target.index(EOS), corpus.target.index(PAD))
    params = list(model.parameters())

    def loss() -> torch.Tensor:
        logits = model(src, tgt_in)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=0)

    with one_thread():
        adam(params, loss, model.cfg.steps, model.cfg.lr)


def load_model(cfg: Config = Config(), corpus: Corpus | None = None) -> tuple[TinyTransformer, bool]:
    """The trained model for ``cfg`` (cached or trained now) and whether it was trained now."""
    corpus = corpus or load()

    def build() -> TinyTransformer:
        torch.manual_seed(cfg.seed)
        return TinyTransformer(len(corpus.source), len(corpus.target), cfg)

    return trained("transformer-en-es", (MODEL_VERSION, corpus.digest, cfg), build, lambda m: _fit(m, corpus))


@torch.no_grad()
def greedy_decode(model: TinyTransformer, corpus: Corpus, words: list[str], max_steps: int = 10) -> list[str]:
    """Greedy translation: the most likely next word, fed back, until </s>."""
    src = torch.tensor([[corpus.source.index(w) for w in words]])
    out = [corpus.target.index(SOS)]
    for _ in range(max_steps):
        logits = model(src, torch.tensor([out]))[0, -1]
        out.append(int(logits.argmax()))
        if corpus.target.words[out[-1]] == EOS:
            break
    return [corpus.target.words[i] for i in out[1:]]
