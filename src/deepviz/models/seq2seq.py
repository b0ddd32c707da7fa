"""A tiny GRU encoder-decoder with attention, trained on the shipped EN->ES corpus at first use.

Encoder: embedding, then a GRU; its states h(1..n). Decoder step j, from its previous state
s(j-1) and the previous emitted word y(j-1):

    e_i   = score(s(j-1), h(i))          additive: v . tanh(W_s s + W_h h);  dot: s . h
    alpha = softmax(e)
    c(j)  = sum_i alpha_i h(i)
    s(j)  = GRUCell([embed(y(j-1)); c(j)], s(j-1))
    p(j)  = softmax(W_o [s(j); c(j)] + b_o)

Training is seeded and deterministic (a few seconds on a CPU); the weights are cached
(:mod:`deepviz.models.cached`) under a key of the corpus, the configuration and MODEL_VERSION.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..threads import one_thread
from .cached import trained
from .en_es import EOS, SOS, Corpus, load

MODEL_VERSION = 1  # bump when the architecture or training changes: old caches are ignored
ATTENTION = ("additive", "dot")


@dataclass(frozen=True)
class Config:
    hidden: int = 16
    embed: int = 12
    attention: str = "additive"
    seed: int = 0
    epochs: int = 150


class Seq2Seq(nn.Module):
    def __init__(self, n_source: int, n_target: int, cfg: Config):
        super().__init__()
        self.cfg = cfg
        h = cfg.hidden
        self.src_embed = nn.Embedding(n_source, cfg.embed, padding_idx=0)
        self.encoder = nn.GRU(cfg.embed, h, batch_first=True)
        self.tgt_embed = nn.Embedding(n_target, cfg.embed, padding_idx=0)
        self.decoder = nn.GRUCell(cfg.embed + h, h)
        self.out = nn.Linear(2 * h, n_target)
        if cfg.attention == "additive":
            self.w_s = nn.Linear(h, h, bias=False)
            self.w_h = nn.Linear(h, h, bias=False)
            self.v = nn.Linear(h, 1, bias=False)

    def encode(self, src: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Encoder states (batch, n, hidden) and each sentence's last state (its decoder start)."""
        states, _ = self.encoder(self.src_embed(src))
        last = states[torch.arange(src.shape[0]), lengths - 1]
        return states, last

    def scores(self, s: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
        if self.cfg.attention == "dot":
            return torch.einsum("bh,bnh->bn", s, states)
        return self.v(torch.tanh(self.w_s(s)[:, None, :] + self.w_h(states))).squeeze(-1)

    def step(self, prev_word: torch.Tensor, s: torch.Tensor, states: torch.Tensor, mask: torch.Tensor):
        """One decoder step: (logits, new state, scores, alpha, context)."""
        e = self.scores(s, states).masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(e, dim=-1)
        context = torch.einsum("bn,bnh->bh", alpha, states)
        s_new = self.decoder(torch.cat([self.tgt_embed(prev_word), context], dim=-1), s)
        logits = self.out(torch.cat([s_new, context], dim=-1))
        return logits, s_new, e, alpha, context


def _batch(corpus: Corpus):
    src_len = max(len(p[0]) for p in corpus.pairs)
    tgt_len = max(len(p[1]) for p in corpus.pairs) + 1  # + </s>
    src = torch.zeros(len(corpus.pairs), src_len, dtype=torch.long)
    tgt = torch.zeros(len(corpus.pairs), tgt_len, dtype=torch.long)
    lengths = torch.zeros(len(corpus.pairs), dtype=torch.long)
    for b, (en, es) in enumerate(corpus.pairs):
        src[b, :len(en)] = torch.tensor([corpus.source.index(w) for w in en])
        tgt[b, :len(es) + 1] = torch.tensor([corpus.target.index(w) for w in (*es, EOS)])
        lengths[b] = len(en)
    return src, tgt, lengths


def _fit(model: Seq2Seq, corpus: Corpus) -> None:
    """Full-batch teacher-forced training with Adam, in place; one thread (see ``deepviz.threads``): these
    tensors are tiny."""
    src, tgt, lengths = _batch(corpus)
    mask = torch.arange(src.shape[1])[None, :] < lengths[:, None]
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    sos = torch.full((src.shape[0],), corpus.target.index(SOS), dtype=torch.long)
    with one_thread():
        for _ in range(model.cfg.epochs):
            states, s = model.encode(src, lengths)
            prev, loss = sos, torch.zeros(())
            for j in range(tgt.shape[1]):
                logits, s, *_ = model.step(prev, s, states, mask)
                loss = loss + nn.functional.cross_entropy(logits, tgt[:, j], ignore_index=0)
                prev = tgt[:, j]
            opt.zero_grad()
            loss.backward()
            opt.step()


def load_model(cfg: Config, corpus: Corpus | None = None) -> tuple[Seq2Seq, bool]:
    """The trained model for ``cfg`` (cached or trained now, seeded: the same weights every time) and whether
    it was trained now."""
    corpus = corpus or load()

    def build() -> Seq2Seq:
        torch.manual_seed(cfg.seed)
        return Seq2Seq(len(corpus.source), len(corpus.target), cfg)

    return trained("seq2seq", (MODEL_VERSION, corpus.digest, cfg), build, lambda m: _fit(m, corpus))


@torch.no_grad()
def greedy_decode(model: Seq2Seq, corpus: Corpus, words: list[str], max_steps: int = 10) -> list[str]:
    """Greedy translation, the reference the concept's trace must agree with."""
    src = torch.tensor([[corpus.source.index(w) for w in words]])
    lengths = torch.tensor([len(words)])
    states, s = model.encode(src, lengths)
    mask = torch.ones(1, len(words), dtype=torch.bool)
    prev = torch.tensor([corpus.target.index(SOS)])
    out = []
    for _ in range(max_steps):
        logits, s, *_ = model.step(prev, s, states, mask)
        prev = logits.argmax(-1)
        word = corpus.target.words[prev.item()]
        out.append(word)
        if word == EOS:
            break
    return out
