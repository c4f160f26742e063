"""Nearest labelled examples by meaning: TF-IDF cosine over concept-tagged word n-grams.

Examples and utterances are compared in their analysed form (each concept phrase replaced by its
concept name, so "bum cheek" and "glute" look alike), which lets many examples generalise to new
wording instead of matching whole sentences letter by letter.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

STOP = frozenset({
    "the", "a", "an", "to", "of", "for", "in", "on", "at", "by", "with", "and", "or", "so", "um", "uh",
    "er", "erm", "hmm", "ah", "oh", "well", "really", "i", "me", "my", "mine", "it", "its", "this", "that",
    "is", "am", "are", "was", "were", "be", "been", "being", "just", "please", "pls", "hey", "voicecare",
    "computer", "assistant", "mate", "love", "dear", "gosh", "actually", "quite", "very",
})
"""Words too common to say anything about which example an utterance is like."""


@dataclass(frozen=True, slots=True)
class Neighbour:
    """One labelled example close to an utterance; ``similarity`` is a cosine in 0.0-1.0."""

    intent: str
    similarity: float
    example: int


def features(tags: Sequence[str], extra: Iterable[str] = ()) -> Counter[str]:
    """Unigrams and adjacent bigrams of a tag sequence (stop words dropped first), plus ``extra`` unigrams."""
    kept = [t for t in tags if t not in STOP]
    grams: Counter[str] = Counter(kept)
    grams.update(f"{a} {b}" for a, b in zip(kept, kept[1:]))
    grams.update(extra)
    return grams


class NeighbourIndex:
    """Inverted index of L2-normalised TF-IDF vectors, built once from tagged examples."""

    def __init__(self, labelled: Iterable[tuple[str, Sequence[str], Sequence[str]]]) -> None:
        bags: list[Counter[str]] = []
        self._intents: list[str] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for intent, tags, extra in labelled:
            key = (intent, tuple(t for t in tags if t not in STOP) + tuple(sorted(extra)))
            if not key[1] or key in seen:
                continue
            seen.add(key)
            bags.append(features(tags, extra))
            self._intents.append(intent)
        df: Counter[str] = Counter(g for bag in bags for g in bag)
        n = len(bags)
        self._idf = {g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in df.items()}
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for i, bag in enumerate(bags):
            for gram, value in self._vector(bag).items():
                rows, values = lists.setdefault(gram, ([], []))
                rows.append(i)
                values.append(value)
        self._postings = {g: (np.asarray(r, dtype=np.int32), np.asarray(v, dtype=np.float64))
                          for g, (r, v) in lists.items()}

    def __len__(self) -> int:
        return len(self._intents)

    def _vector(self, bag: Counter[str]) -> dict[str, float]:
        weighted = {g: (1.0 + math.log(c)) * self._idf[g] for g, c in bag.items() if g in self._idf}
        norm = math.sqrt(sum(v * v for v in weighted.values()))
        return {g: v / norm for g, v in weighted.items()} if norm else {}

    def nearest(self, tags: Sequence[str], extra: Iterable[str] = (), k: int = 5) -> list[Neighbour]:
        """The ``k`` most similar examples, most similar first (empty when nothing is shared)."""
        vector = self._vector(features(tags, extra))
        if not vector or not self._intents:
            return []
        scores = np.zeros(len(self._intents))
        for gram, value in vector.items():
            rows, weights = self._postings[gram]
            scores[rows] += value * weights
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [Neighbour(self._intents[i], min(1.0, float(scores[i])), int(i)) for i in top if scores[i] > 0.0]


__all__ = ["Neighbour", "NeighbourIndex", "STOP", "features"]
