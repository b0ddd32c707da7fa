"""The shipped vocabulary and the sentence tokenizer: plain Python (no torch), so parameters check fast.

A word's index in :data:`VOCAB` is its row of the embedding table. Words are looked up in
lower case; punctuation around a word is ignored ("Thankful!" is "thankful").
"""
from __future__ import annotations

from ...params import Words

VOCAB: tuple[str, ...] = tuple(sorted({
    "a", "about", "afraid", "after", "again", "all", "always", "am", "amazing", "and", "angry", "are", "awful",
    "bad", "be", "beautiful", "best", "better", "boring", "but", "calm", "can", "cold", "day", "do", "dog",
    "enjoy", "every", "excited", "feel", "film", "fine", "food", "friend", "friends", "fun", "glad", "good",
    "great", "happy", "hate", "have", "he", "home", "hope", "i", "is", "it", "just", "kind", "life", "like",
    "lonely", "love", "me", "miss", "morning", "movie", "my", "never", "nice", "night", "no", "not", "nothing",
    "okay", "people", "really", "sad", "she", "so", "sorry", "terrible", "thankful", "that", "the", "this",
    "tired", "to", "today", "too", "upset", "very", "was", "we", "weather", "with", "worried", "worst", "yes",
    "you", "your",
}))
INDEX = {w: i for i, w in enumerate(VOCAB)}
MAX_WORDS = 10
SENTENCE = Words("sentence", "I feel thankful", "the input sentence", vocabulary=lambda: VOCAB,
                 max_words=MAX_WORDS)


def tokenize(sentence: str) -> list[str]:
    """The sentence's words, lower-cased, each checked against the vocabulary (a one-line error)."""
    return SENTENCE.words(sentence)
