"""The English->Spanish corpus shipped with deepviz (``data/en_es.tsv``) and its vocabularies."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..params import split_words

PAD, SOS, EOS = "<pad>", "<s>", "</s>"


@dataclass(frozen=True)
class Vocab:
    words: tuple[str, ...]  # index -> word; 0 is <pad>

    @classmethod
    def build(cls, sentences: list[list[str]], specials: tuple[str, ...]) -> "Vocab":
        seen = dict.fromkeys(specials)
        for s in sentences:
            seen.update(dict.fromkeys(s))
        return cls(tuple(seen))

    def index(self, word: str) -> int:
        return self._lookup()[word]

    def __contains__(self, word: str) -> bool:
        return word in self._lookup()

    def __len__(self) -> int:
        return len(self.words)

    def _lookup(self) -> dict[str, int]:
        return _lookup(self.words)


@lru_cache(maxsize=8)
def _lookup(words: tuple[str, ...]) -> dict[str, int]:
    return {w: i for i, w in enumerate(words)}


@dataclass(frozen=True)
class Corpus:
    pairs: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    source: Vocab
    target: Vocab
    digest: str  # of the file's text: part of the cached model's key


def tokenize(sentence: str) -> list[str]:
    return split_words(sentence)


@lru_cache(maxsize=1)
def load() -> Corpus:
    text = resources.files("deepviz.models").joinpath("data/en_es.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            en, es = line.split("\t")
            pairs.append((tuple(tokenize(en)), tuple(tokenize(es))))
    source = Vocab.build([list(p[0]) for p in pairs], (PAD,))
    target = Vocab.build([list(p[1]) for p in pairs], (PAD, SOS, EOS))
    return Corpus(tuple(pairs), source, target, hashlib.sha256(text.encode()).hexdigest()[:16])
