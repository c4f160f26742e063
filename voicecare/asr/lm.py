"""A domain language model: content sentences weighted high, everyday English at low weight.

The general words give out-of-domain speech somewhere to go, so it comes out as ordinary words
(and then ``unknown``) instead of being forced onto the nearest intent phrase.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from pocketsphinx.lm import ArpaBoLM

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """Spoken form of 0..9999, as people say durations and doses."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    rest = n % 1000
    return number_words(n // 1000) + " thousand" + ("" if rest == 0 else " " + number_words(rest))


def words_of(text: str) -> list[str]:
    """Lower-case spoken words of a phrase: digits spelled out, punctuation dropped."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\d+", lambda m: " " + number_words(int(m.group())) + " " if len(m.group()) < 5 else " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


@dataclass(frozen=True, slots=True)
class LmSpec:
    """What goes into the model; its hash keys the on-disk cache."""

    sentences: tuple[str, ...]
    """Domain sentences, already normalized to space-separated words."""
    extra_words: tuple[str, ...]
    """Domain words with no example sentence (the understanding's vocabulary)."""
    general: tuple[tuple[str, float], ...]
    """Everyday words with their log10 unigram probabilities."""
    general_share: float = 0.2
    """Fraction of unigram probability mass given to everyday words."""
    domain_repeat: int = 3
    """How many times each domain sentence is counted, to sharpen its n-grams."""

    def key(self) -> str:
        """A stable digest of every input, for the cache directory name."""
        import hashlib

        digest = hashlib.sha256()
        for part in (*self.sentences, "\x00", *self.extra_words, "\x00",
                     *(f"{w}:{p}" for w, p in self.general), f"{self.general_share}:{self.domain_repeat}:v1"):
            digest.update(part.encode("utf-8") + b"\n")
        return digest.hexdigest()[:16]


def make_spec(phrases: Iterable[str], vocabulary: Iterable[str], general: Sequence[tuple[str, float]],
              general_share: float = 0.2) -> LmSpec:
    """Normalize the inputs, sorted so the cache key is order-independent; a repeated phrase counts more."""
    sentences = sorted(" ".join(w) for w in (words_of(p) for p in phrases) if w)
    in_sentences = {w for s in sentences for w in s.split()}
    extra = sorted({w for v in vocabulary for w in words_of(v)} - in_sentences)
    return LmSpec(tuple(sentences), tuple(extra), tuple(general), general_share)


def build_arpa(spec: LmSpec) -> str:
    """ARPA text: a trigram model of the sentences plus low-weight unigrams for everything else."""
    corpus = "\n".join(s for s in spec.sentences for _ in range(spec.domain_repeat))
    model = ArpaBoLM(text=corpus + "\n" if corpus else None, add_start=True, discount_mass=0.5)
    for word in spec.extra_words:
        model.grams_1[word] += spec.domain_repeat
    if not model.grams_1:
        model.grams_1["<s>"] += 1
        model.grams_1["</s>"] += 1
    domain_mass = sum(model.grams_1.values())
    if spec.general and spec.general_share > 0:
        general_mass = domain_mass * spec.general_share / (1.0 - spec.general_share)
        total = sum(10.0 ** p for _, p in spec.general)
        for word, logp in spec.general:
            model.grams_1[word] += general_mass * (10.0 ** logp) / total
    model.compute()
    out = io.StringIO()
    model.write(out)
    return out.getvalue()


def vocabulary_of(spec: LmSpec) -> set[str]:
    """Every word the model can produce."""
    words = {w for s in spec.sentences for w in s.split()}
    words.update(spec.extra_words)
    words.update(w for w, _ in spec.general)
    return words
